"""The first wall: what each user may load (portal/services/ownership.py). A provider finds only
its own organisation's objects; staff only those of a DAS they work on (an administrator every
one). Anything else is not found, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from portal.extensions import db
from portal.models import AgreementVariation, Clarification, KpiDefinition, Role, VariationKind
from portal.services import kpis, ownership
from tests import factories

DAY = date(2027, 3, 1)


@pytest.fixture()
def world(app: Flask) -> dict[str, Any]:
    """Two DAS, each with an admitted provider, an application in review, a question, a variation
    and KPIs; a reviewer and a contract manager for each; an administrator."""
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    world: dict[str, Any] = {"administrator": admin}
    for side in ("mine", "theirs"):
        das = factories.DasFactory(term_start=date(2024, 1, 1))
        provider = factories.ProviderUserFactory()
        agreement = factories.admit(das, provider, date(2024, 1, 8), lots=[das.lots[0]])
        application = factories.submitted_application(das, provider, DAY, lots=[das.lots[1]])
        reviewer = factories.UserFactory(role=Role.REVIEWER)
        manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
        factories.assign(reviewer, das)
        factories.assign(manager, das)
        question = Clarification(
            application_id=application.id,
            asked_by_id=reviewer.id,
            reply_due_on=date(2027, 3, 15),
            question="Graag de nieuwe polis.",
            asked_at=factories.at(DAY),
        )
        variation = AgreementVariation(
            agreement_id=agreement.id,
            kind=VariationKind.TARIFFS,
            description="Tarieven",
            effective_on=DAY,
        )
        db.session.add_all([question, variation])
        db.session.commit()
        kpis.ensure_default_kpis(admin, das)
        world[side] = {
            "das": das,
            "provider": provider,
            "reviewer": reviewer,
            "manager": manager,
            "agreement": agreement,
            "application": application,
            "document": next(d for a in application.answers for d in a.documents),
            "question": question,
            "variation": variation,
            "product": das.lots[0].products[0],
            "lot": das.lots[0],
            "kpi": db.session.scalar(
                db.select(KpiDefinition).where(KpiDefinition.das_id == das.id)
            ),
        }
    return world


Loader = Callable[[dict[str, Any], Any], object]

# What a user loads, by what of theirs (a provider's object by its id, staff's by DAS).
PROVIDER_LOADERS: dict[str, Loader] = {
    "application": lambda side, user: ownership.own_application(side["application"].id, user),
    "document": lambda side, user: ownership.own_document(side["document"].id, user),
    "agreement": lambda side, user: ownership.own_agreement(side["agreement"].id, user),
}
STAFF_LOADERS: dict[str, Loader] = {
    "das": lambda side, user: ownership.staff_das(side["das"].slug, user),
    "agreement": lambda side, user: ownership.staff_agreement(side["agreement"].id, user),
    "application": lambda side, user: ownership.staff_application(side["application"].id, user),
    "document": lambda side, user: ownership.staff_document(side["document"].id, user),
}


def _finds(load: Loader, side: dict[str, Any], user: Any) -> bool:
    try:
        load(side, user)
    except NotFound:
        return False
    return True


def test_a_provider_finds_only_its_own(world: dict[str, Any]) -> None:
    provider = world["mine"]["provider"]
    found = {
        (name, side): _finds(load, world[side], provider)
        for name, load in PROVIDER_LOADERS.items()
        for side in ("mine", "theirs")
    }
    assert found == {(name, side): side == "mine" for name, side in found}
    # Staff have no organisation to load a provider's objects of.
    assert not _finds(PROVIDER_LOADERS["agreement"], world["mine"], world["mine"]["reviewer"])


def test_staff_find_only_what_belongs_to_their_das(world: dict[str, Any]) -> None:
    found = {
        (who, name, side): _finds(load, world[side], world["mine"][who])
        for who in ("reviewer", "manager")
        for name, load in STAFF_LOADERS.items()
        for side in ("mine", "theirs")
    }
    assert found == {key: key[2] == "mine" for key in found}


def test_the_administrator_finds_every_das_and_a_provider_none(world: dict[str, Any]) -> None:
    for name, load in STAFF_LOADERS.items():
        for side in ("mine", "theirs"):
            assert _finds(load, world[side], world["administrator"]), name
            assert not _finds(load, world[side], world[side]["provider"]), name


PARTS: dict[str, tuple[str, Callable[[Any, int], object]]] = {
    # part: (the parent it is loaded through, the loader)
    "question": ("application", ownership.clarification_of),
    "variation": ("agreement", ownership.variation_of),
    "product": ("das", ownership.product_of),
    "lot": ("das", ownership.lot_of),
    "kpi": ("das", ownership.kpi_definition_of),
}


def test_a_part_is_found_only_through_its_own_parent(world: dict[str, Any]) -> None:
    mine, theirs = world["mine"], world["theirs"]
    for part, (parent, load) in PARTS.items():
        assert load(mine[parent], mine[part].id) == mine[part], part
        with pytest.raises(NotFound):
            load(mine[parent], theirs[part].id)
