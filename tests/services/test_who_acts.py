"""The services' second wall: every use case that changes data checks who acts, whatever page or
command calls it (portal/services/ownership.py). Called by the wrong person it refuses, and
writes nothing; a use case that refuses half-way leaves nothing behind either."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import (
    Clarification,
    Das,
    EvidenceType,
    IjwUnit,
    ReportingPeriod,
    Role,
    TalkKind,
    User,
)
from portal.services import (
    ServiceError,
    agreements,
    applications,
    calendar,
    catalogue,
    declarations,
    evidence,
    kpis,
    lump_sums,
    organisations,
    privacy_export,
    review,
    tariffs,
    transaction,
)
from portal.services import reverification as reverification_service
from portal.services import two_factor as two_factor_service
from tests import factories
from tests.support.fuzzing import database_fingerprint

DAY = date(2027, 3, 1)
NOW = factories.at(DAY, 12)


@dataclass
class Cast:
    """Everyone who might act, around one DAS and an admission to it."""

    das: Das
    people: dict[str, User]
    objects: dict[str, Any]

    def __getitem__(self, who: str) -> User:
        return self.people[who]


@pytest.fixture()
def cast(app: Flask) -> Cast:
    das = factories.DasFactory(term_start=date(2024, 1, 1))
    elsewhere = factories.DasFactory()
    owner = factories.ProviderUserFactory()
    people = {
        "administrator": factories.UserFactory(role=Role.ADMINISTRATOR),
        "reviewer": factories.UserFactory(role=Role.REVIEWER),
        "reviewer of another DAS": factories.UserFactory(role=Role.REVIEWER),
        "contract manager": factories.UserFactory(role=Role.CONTRACT_MANAGER),
        "contract manager of another DAS": factories.UserFactory(role=Role.CONTRACT_MANAGER),
        "owner": owner,
        "colleague": factories.ProviderUserFactory(
            organisation=owner.organisation, contributor=True
        ),
        "other provider": factories.ProviderUserFactory(),
    }
    factories.assign(people["reviewer"], das)
    factories.assign(people["contract manager"], das)
    factories.assign(people["reviewer of another DAS"], elsewhere)
    factories.assign(people["contract manager of another DAS"], elsewhere)
    agreement = factories.admit(das, owner, date(2024, 1, 8), lots=[das.lots[0]])
    in_review = factories.submitted_application(das, owner, DAY, lots=[das.lots[1]])
    clarification = Clarification(
        application_id=in_review.id,
        asked_by_id=people["reviewer"].id,
        reply_due_on=date(2027, 3, 15),
        question="Graag de nieuwe polis.",
        asked_at=NOW,
    )
    db.session.add(clarification)
    db.session.commit()
    draft = applications.start_application(elsewhere, owner)
    objects = {
        "agreement": agreement,
        "in review": in_review,
        "clarification": clarification,
        "draft": draft,
        "product": das.lots[0].products[0],
    }
    return Cast(das, people, objects)


STAFF_OF_OTHER_DAS_AND_PROVIDERS = ("reviewer of another DAS", "contract manager", "owner")
NOT_THE_ADMINISTRATOR = ("contract manager", "reviewer", "owner")

# (use case, who may not, the call). Each refuses with "not_found" (the second wall says what
# the first says: there is nothing here for you), or "not_organisation_admin".
CASES: list[tuple[str, tuple[str, ...], Callable[[Cast, User], object]]] = [
    # KPIs and social return
    (
        "kpis.ensure_default_kpis",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: kpis.ensure_default_kpis(u, c.das),
    ),
    (
        "kpis.save_definition",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: kpis.save_definition(
            u, c.das, None, "X1", "X", "%", True, Decimal(90), Decimal(80), ReportingPeriod.YEAR
        ),
    ),
    (
        "kpis.save_settings",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: kpis.save_settings(u, c.das, 3),
    ),
    (
        "kpis.report",
        ("other provider", "contract manager of another DAS", "reviewer"),
        lambda c, u: kpis.report(u, c.objects["agreement"], [], "Correctie", DAY, NOW),
    ),
    (
        "kpis.log_talk",
        ("contract manager of another DAS", "reviewer", "owner"),
        lambda c, u: kpis.log_talk(u, c.objects["agreement"], TalkKind.ACCOUNT, DAY, "Wij", "", []),
    ),
    (
        "kpis.report_sroi",
        ("other provider", "contract manager", "administrator"),
        lambda c, u: kpis.report_sroi(u, c.objects["agreement"], 2026, "Stage", 100, "", NOW),
    ),
    # A lump-sum agreement's ceiling and audited results (issue 21)
    (
        "lump_sums.agree_ceiling",
        ("contract manager of another DAS", "reviewer", "owner"),
        lambda c, u: lump_sums.agree_ceiling(u, c.objects["agreement"], 2026, 100_00, "", NOW),
    ),
    (
        "lump_sums.index_ceiling",
        ("contract manager of another DAS", "reviewer", "owner"),
        lambda c, u: lump_sums.index_ceiling(u, c.objects["agreement"], 2027, NOW),
    ),
    (
        "lump_sums.report_result",
        ("other provider", "contract manager", "administrator"),
        lambda c, u: lump_sums.report_result(
            u, c.objects["agreement"], 2026, 100_00, "Acc", NOW, DAY
        ),
    ),
    # Catalogue, tariffs and the calendar: the administrator's
    (
        "tariffs.publish_base",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: tariffs.publish_base(u, c.das, 2026, {}, NOW),
    ),
    (
        "tariffs.save_figures",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: tariffs.save_figures(
            u, c.das, tariffs.FiguresInput(2027, Decimal("3.1"), None, None, None), False
        ),
    ),
    (
        "tariffs.save_weights",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: tariffs.save_weights(u, c.das, Decimal(50), None),
    ),
    (
        "tariffs.publish_year",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: tariffs.publish_year(u, c.das, 2027, NOW),
    ),
    (
        "tariffs.save_lump_sum",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: tariffs.save_lump_sum(u, c.das, 0, 2026, 100),
    ),
    (
        "catalogue.create_product",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: catalogue.create_product(u, c.das, _product_input(c)),
    ),
    (
        "catalogue.update_product",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: catalogue.update_product(u, c.das, c.objects["product"], _product_input(c)),
    ),
    (
        "catalogue.retire_product",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: catalogue.retire_product(u, c.das, c.objects["product"], DAY),
    ),
    (
        "catalogue.save_lot",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: catalogue.save_lot(u, c.das, "Z", "Nieuw", ""),
    ),
    (
        "calendar.add_equated_day",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: calendar.add_equated_day(u, date(2027, 6, 15), "Dag"),
    ),
    (
        "calendar.remove_equated_day",
        NOT_THE_ADMINISTRATOR,
        lambda c, u: calendar.remove_equated_day(u, date(2027, 6, 15)),
    ),
    # Review: the reviewers of the application's DAS
    (
        "review.extend_deadline",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: review.extend_deadline(c.objects["in review"], u, 15, "Druk", NOW),
    ),
    (
        "review.assign",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: review.assign(c.objects["in review"], c["reviewer"], u),
    ),
    (
        "review.declare_conflict",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: review.declare_conflict(c.objects["in review"], u, False, "", NOW),
    ),
    (
        "review.assess",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: review.assess(c.objects["in review"], u, {}, NOW),
    ),
    (
        "review.ask_clarification",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: review.ask_clarification(
            c.objects["in review"], u, "Vraag", [], date(2027, 4, 1), NOW
        ),
    ),
    (
        "review.propose_decision",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: review.propose_decision(
            c.objects["in review"], {}, u, NOW, c.objects["in review"].version_id
        ),
    ),
    (
        "review.confirm_decision",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: review.confirm_decision(
            c.objects["in review"], u, NOW, c.objects["in review"].version_id
        ),
    ),
    (
        "review.return_decision",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: review.return_decision(
            c.objects["in review"], u, "Anders", NOW, c.objects["in review"].version_id
        ),
    ),
    (
        "declarations.request_update",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: declarations.request_update(
            u, c.objects["in review"], "Graag", date(2027, 4, 1), NOW
        ),
    ),
    (
        "reverification.suspend_admission",
        STAFF_OF_OTHER_DAS_AND_PROVIDERS,
        lambda c, u: reverification_service.suspend_admission(
            u, c.objects["agreement"], "Te laat", NOW, DAY
        ),
    ),
    # The provider's own: another organisation's user, or staff, may not
    (
        "review.answer_clarification",
        ("other provider", "reviewer"),
        lambda c, u: review.answer_clarification(
            c.objects["in review"], c.objects["clarification"], u, "Hier", [], NOW
        ),
    ),
    (
        "applications.start_application",
        ("reviewer", "administrator"),
        lambda c, u: applications.start_application(c.das, u),
    ),
    (
        "applications.save_products",
        ("other provider", "reviewer"),
        lambda c, u: applications.save_products(c.objects["draft"], [], u),
    ),
    (
        "applications.save_answers",
        ("other provider", "reviewer"),
        lambda c, u: applications.save_answers(c.objects["draft"], {}, u),
    ),
    (
        "applications.submit",
        ("other provider", "reviewer"),
        lambda c, u: applications.submit(c.objects["draft"], u, NOW),
    ),
    (
        "evidence.store_upload",
        ("other provider", "reviewer"),
        lambda c, u: evidence.store_upload(
            c["owner"].organisation,
            u,
            evidence.Upload(
                io.BytesIO(factories.PDF_BYTES), "polis.pdf", EvidenceType.OTHER, DAY, None
            ),
        ),
    ),
    (
        "agreements.sign",
        ("other provider", "administrator"),
        lambda c, u: agreements.sign(c.objects["agreement"], u, factories.PASSWORD, "", NOW),
    ),
    (
        "agreements.countersign",
        ("contract manager", "reviewer", "owner"),
        lambda c, u: agreements.countersign(c.objects["agreement"], u, factories.PASSWORD, "", NOW),
    ),
    # The organisation's administrator's: a colleague may not
    (
        "organisations.update_profile",
        ("colleague", "reviewer"),
        lambda c, u: organisations.update_profile(
            u, organisations.profile_of(c["owner"].organisation)
        ),
    ),
    (
        "two_factor.require_for_organisation",
        ("colleague", "reviewer"),
        lambda c, u: two_factor_service.require_for_organisation(u, True),
    ),
    (
        "privacy_export.export_organisation",
        ("colleague", "reviewer"),
        lambda c, u: privacy_export.export_organisation(u, NOW, 7, "privacy@example.nl"),
    ),
]


def _product_input(cast: Cast) -> catalogue.ProductInput:
    return catalogue.ProductInput(
        lot_id=cast.das.lots[0].id,
        code="ZZ1",
        name="Nieuw",
        ijw_category="",
        unit=IjwUnit.MINUTE,
        variant=None,
        description="",
        valid_from=None,
        valid_to=None,
    )


def test_every_use_case_refuses_the_wrong_actor(cast: Cast) -> None:
    """One world for all cases: each refusal is checked to leave the database as it was."""
    wrong = []
    for name, who_may_not, call in CASES:
        for who in who_may_not:
            before = database_fingerprint()
            try:
                call(cast, cast[who])
            except ServiceError as refused:
                outcome = refused.code
            else:
                outcome = "done"
            db.session.rollback()
            if outcome not in ("not_found", "not_organisation_admin"):
                wrong.append((name, who, outcome))
            elif database_fingerprint() != before:
                wrong.append((name, who, "refused, but wrote"))
    assert wrong == []


def test_the_administrator_adds_the_default_kpis_once(cast: Cast) -> None:
    with pytest.raises(ServiceError):
        kpis.ensure_default_kpis(cast["contract manager"], cast.das)
    assert kpis.definitions_of(cast.das.id) == []
    added = kpis.ensure_default_kpis(cast["administrator"], cast.das)
    assert added and [d.code for d in kpis.definitions_of(cast.das.id)] == added
    assert kpis.ensure_default_kpis(cast["administrator"], cast.das) == []


def test_a_refused_use_case_leaves_nothing_behind(cast: Cast) -> None:
    """What a use case wrote before it refused is rolled back by the service itself, so a page
    that shows the refusal never rolls back (or commits) on its behalf."""

    @transaction
    def rename_then_refuse(das: Das) -> None:
        das.name = "Halverwege"
        db.session.flush()
        raise ServiceError("not_found")

    name = cast.das.name
    with pytest.raises(ServiceError):
        rename_then_refuse(cast.das)
    assert not db.session.dirty and cast.das.name == name
