"""Guards on the guards: every route makes an access decision, and each role gets what it should.

After notifications-admin tests/app/main/test_permissions.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from portal.auth.access import PUBLIC, SIGNED_IN, access_of
from portal.models import Role
from tests import factories
from tests.conftest import login

# Flask's own static files route is the one route without a decision of ours.
EXEMPT = {"static"}


def test_every_route_has_an_access_decision(app: Flask) -> None:
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXEMPT and access_of(app, rule.endpoint) is None
    ]
    assert missing == []


def test_the_grid_covers_every_route(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - EXEMPT
    assert endpoints == {endpoint for endpoint, _ in GRID_URLS}


def test_access_decisions_are_what_we_intend(app: Flask) -> None:
    decisions = {
        rule.endpoint: access_of(app, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXEMPT
    }
    public = {e for e, d in decisions.items() if d == PUBLIC}
    assert public == {
        "public.home",
        "public.healthz",
        "public.accessibility",
        "public.privacy",
        "public.das_detail",
        "public.providers",
        "public.award_notices",
        "auth.login",
        "auth.two_factor",
        "auth.two_factor_setup",
        "auth.register",
        "set_language",
        "auth.check_email",
        "auth.verify_email",
        "auth.resend_verification",
        "auth.forgot_password",
        "auth.reset_password",
        "auth.accept_invitation",
        "public.products",
        "public.tariff_sheets",
        "public.tariff_sheet",
        "public.tariff_sheet_file",
        "public.ocds_release_package",
    }
    assert decisions["auth.change_password"] == SIGNED_IN
    assert decisions["auth.logout"] == SIGNED_IN
    assert decisions["auth.change_password"] == SIGNED_IN
    assert all(
        decisions[e] == frozenset({Role.PROVIDER}) for e in decisions if e.startswith("supplier.")
    )
    assert all(
        decisions[e] == frozenset({Role.REVIEWER, Role.ADMINISTRATOR})
        for e in decisions
        if e.startswith("review.")
    )


# (endpoint, URL template). {app}, {doc}, {agreement}, {slug} are filled from the scenario.
GRID_URLS = [
    ("public.home", "/"),
    ("public.healthz", "/healthz"),
    ("public.accessibility", "/toegankelijkheid"),
    ("public.privacy", "/privacy"),
    ("public.das_detail", "/das/{slug}"),
    ("auth.login", "/inloggen"),
    ("auth.two_factor", "/inloggen/code"),
    ("auth.two_factor_setup", "/inloggen/tweestapsverificatie"),
    ("auth.register", "/registreren"),
    ("auth.logout", "/uitloggen"),
    ("set_language", "/taal/en"),
    ("auth.check_email", "/registreren/controleer-uw-e-mail"),
    ("auth.verify_email", "/e-mail-bevestigen/ongeldig"),
    ("auth.resend_verification", "/e-mail-bevestigen"),
    ("auth.forgot_password", "/wachtwoord-vergeten"),
    ("auth.reset_password", "/wachtwoord-herstellen/ongeldig"),
    ("auth.change_password", "/account/wachtwoord"),
    ("auth.account", "/account"),
    ("auth.end_other_sessions", "/account/sessies/uitloggen"),
    ("auth.end_session", "/account/sessies/{session}/uitloggen"),
    ("auth.account_two_factor_setup", "/account/tweestapsverificatie"),
    ("auth.disable_two_factor", "/account/tweestapsverificatie/uitzetten"),
    ("auth.accept_invitation", "/uitnodiging/ongeldig"),
    ("supplier.profile", "/aanbieder/organisatie"),
    ("supplier.export_data", "/aanbieder/organisatie/gegevens-downloaden"),
    ("supplier.colleagues", "/aanbieder/collegas"),
    ("supplier.remove_colleague", "/aanbieder/collegas/{colleague}/intrekken"),
    ("supplier.revoke_invitation", "/aanbieder/collegas/uitnodigingen/{invitation}/intrekken"),
    ("supplier.two_factor_policy", "/aanbieder/collegas/tweestapsverificatie"),
    ("supplier.dashboard", "/aanbieder/"),
    ("supplier.start", "/aanbieder/das/{slug}/aanmelden"),
    ("supplier.application", "/aanbieder/aanmeldingen/{app}"),
    ("supplier.lots", "/aanbieder/aanmeldingen/{app}/percelen"),
    ("supplier.exclusion", "/aanbieder/aanmeldingen/{app}/uitsluitingsgronden"),
    ("supplier.suitability", "/aanbieder/aanmeldingen/{app}/geschiktheidseisen"),
    ("supplier.submit", "/aanbieder/aanmeldingen/{app}/indienen"),
    ("supplier.documents", "/aanbieder/documenten"),
    ("supplier.download", "/aanbieder/documenten/{doc}"),
    ("supplier.agreement", "/aanbieder/overeenkomsten/{agreement}"),
    ("review.queue", "/beoordeling/"),
    ("review.application", "/beoordeling/aanmeldingen/{submitted}"),
    ("review.download", "/beoordeling/documenten/{doc}"),
    ("review.request_declaration", "/beoordeling/aanmeldingen/{submitted}/actuele-verklaring"),
    ("review.declare_conflict", "/beoordeling/aanmeldingen/{submitted}/belangenconflict"),
    ("review.assign", "/beoordeling/aanmeldingen/{submitted}/toewijzen"),
    ("review.extend", "/beoordeling/aanmeldingen/{submitted}/verlengen"),
    ("review.assess", "/beoordeling/aanmeldingen/{submitted}/beoordelen"),
    ("review.ask_clarification", "/beoordeling/aanmeldingen/{submitted}/herstelverzoek"),
    ("review.propose", "/beoordeling/aanmeldingen/{submitted}/besluit"),
    ("review.confirm", "/beoordeling/aanmeldingen/{submitted}/bevestigen"),
    ("review.return_decision", "/beoordeling/aanmeldingen/{submitted}/terugsturen"),
    ("review.letter", "/beoordeling/aanmeldingen/{decided}/besluitbrief"),
    ("review.reverification", "/beoordeling/herbeoordeling"),
    ("public.products", "/das/{slug}/producten"),
    ("public.providers", "/das/{slug}/aanbieders"),
    ("public.award_notices", "/das/{slug}/gunningen"),
    ("public.tariff_sheets", "/das/{slug}/tarieven"),
    ("public.tariff_sheet", "/das/{slug}/tarieven/{sheet}"),
    ("public.tariff_sheet_file", "/das/{slug}/tarieven/{sheet}.csv"),
    ("catalogue.products", "/beheer/das/{slug}/catalogus"),
    ("catalogue.new_product", "/beheer/das/{slug}/producten/nieuw"),
    ("catalogue.edit_product", "/beheer/das/{slug}/producten/{product}"),
    ("catalogue.retire_product", "/beheer/das/{slug}/producten/{product}/beeindigen"),
    ("catalogue.tariff_admin", "/beheer/das/{slug}/tarieven"),
    ("catalogue.index_figures", "/beheer/das/{slug}/indexcijfers"),
    ("catalogue.indexation", "/beheer/das/{slug}/indexeren/2027"),
    ("catalogue.lump_sums", "/beheer/das/{slug}/lumpsums"),
    ("catalogue.lot_form", "/beheer/das/{slug}/percelen/nieuw"),
    ("public.ocds_release_package", "/das/{slug}/ocds.json"),
    ("supplier.sign", "/aanbieder/overeenkomsten/{agreement}/ondertekenen"),
    ("supplier.agreement_pdf", "/aanbieder/overeenkomsten/{agreement}/pdf"),
    (
        "supplier.accept_variation",
        "/aanbieder/overeenkomsten/{agreement}/wijzigingen/{variation}/accepteren",
    ),
    ("contracts.export", "/contracten/export.csv"),
    ("contracts.agreement", "/contracten/{agreement}"),
    ("contracts.agreement_pdf", "/contracten/{agreement}/pdf"),
    ("contracts.countersign", "/contracten/{agreement}/medeondertekenen"),
    ("contracts.change_state", "/contracten/{agreement}/status"),
    ("contracts.options", "/contracten/das/{slug}/opties"),
    ("contracts.official_report", "/contracten/das/{slug}/proces-verbaal"),
    ("contracts.kpi_definitions", "/contracten/das/{slug}/kpis"),
    ("contracts.overview", "/contracten/das/{slug}/overzicht"),
    ("contracts.overview_export", "/contracten/das/{slug}/overzicht/sroi.csv"),
    ("contracts.dashboard", "/contracten/{agreement}/kpi"),
    ("contracts.dashboard_export", "/contracten/{agreement}/kpi/cijfers.csv"),
    ("contracts.management_settings", "/contracten/das/{slug}/instellingen"),
    ("admin.holidays", "/beheer/feestdagen"),
    ("admin.remove_holiday", "/beheer/feestdagen/2026-12-25/verwijderen"),
    ("contracts.log_talk", "/contracten/{agreement}/gesprekken"),
    ("contracts.correct_kpi", "/contracten/{agreement}/kpi/correctie"),
    ("supplier.kpi_report", "/aanbieder/overeenkomsten/{agreement}/kpi"),
    ("supplier.kpi_upload", "/aanbieder/overeenkomsten/{agreement}/kpi/bestand"),
    ("supplier.sroi", "/aanbieder/overeenkomsten/{agreement}/sroi"),
    ("catalogue.base_tariffs", "/beheer/das/{slug}/basistarieven"),
    ("review.suspend", "/beoordeling/overeenkomsten/{agreement}/opschorten"),
    ("supplier.clarification", "/aanbieder/aanmeldingen/{decided}/vragen/{clarification}"),
    ("supplier.letter", "/aanbieder/aanmeldingen/{decided}/besluitbrief"),
    ("supplier.update_declaration", "/aanbieder/das/{slug}/verklaring-bijwerken"),
    ("contracts.register", "/contracten/"),
    ("admin.home", "/beheer/"),
]
POST_ONLY = {
    "auth.logout", "set_language", "supplier.start", "auth.resend_verification",
    "supplier.remove_colleague", "supplier.revoke_invitation", "review.request_declaration",
    "supplier.update_declaration", "review.declare_conflict", "review.assign", "review.extend",
    "review.assess", "review.ask_clarification", "review.propose", "review.confirm",
    "review.return_decision", "review.suspend", "catalogue.retire_product", "supplier.sign",
    "supplier.accept_variation", "contracts.countersign", "contracts.change_state",
    "contracts.log_talk", "contracts.correct_kpi", "supplier.kpi_upload",
    "contracts.management_settings", "admin.remove_holiday", "auth.end_other_sessions",
    "auth.end_session", "auth.disable_two_factor", "supplier.two_factor_policy",
}  # fmt: skip

# Expected status per audience. "login" = redirect to the log-in page.
ANON, OWNER, OTHER_PROVIDER, REVIEWER, CONTRACT_MANAGER, ADMIN = (
    "anonymous",
    "owner",
    "other provider",
    "reviewer",
    "contract manager",
    "administrator",
)
EXPECTED = {
    "public.home": {ANON: 200, OWNER: 200, OTHER_PROVIDER: 200, REVIEWER: 200},
    "public.healthz": {ANON: 200},
    "public.accessibility": {ANON: 200, OWNER: 200, REVIEWER: 200},
    "public.privacy": {ANON: 200, OWNER: 200, REVIEWER: 200},
    "public.das_detail": {ANON: 200, OWNER: 200, REVIEWER: 200},
    "auth.login": {ANON: 200, OWNER: 302},
    # Without a password step just before, the second step sends you back to log in.
    "auth.two_factor": {ANON: 302, OWNER: 302},
    "auth.two_factor_setup": {ANON: 302, OWNER: 302},
    "auth.register": {ANON: 200},
    "auth.logout": {ANON: "login", OWNER: 302},
    "set_language": {ANON: 302},
    "auth.check_email": {ANON: 200},
    "auth.verify_email": {ANON: 400},
    "auth.resend_verification": {ANON: 302},
    "auth.forgot_password": {ANON: 200},
    "auth.reset_password": {ANON: 400},
    "auth.change_password": {ANON: "login", OWNER: 200, REVIEWER: 200, ADMIN: 200},
    "auth.account": {ANON: "login", OWNER: 200, REVIEWER: 200, CONTRACT_MANAGER: 200, ADMIN: 200},
    "auth.end_other_sessions": {ANON: "login", OWNER: 302, REVIEWER: 302},
    # Someone else's session is "not found"; the owner's own one ends.
    "auth.end_session": {ANON: "login", OTHER_PROVIDER: 404, REVIEWER: 404, OWNER: 302},
    # Staff have two-step verification from their first log-in: the set-up sends them back.
    "auth.account_two_factor_setup": {ANON: "login", OWNER: 200, REVIEWER: 302},
    # Without the password the form is shown again.
    "auth.disable_two_factor": {ANON: "login", OWNER: 200, REVIEWER: 200},
    "auth.accept_invitation": {ANON: 400},
    "supplier.profile": {ANON: "login", OWNER: 200, REVIEWER: 403, ADMIN: 403},
    "supplier.export_data": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 200, REVIEWER: 403},
    "supplier.colleagues": {ANON: "login", OWNER: 200, REVIEWER: 403},
    "supplier.remove_colleague": {ANON: "login", OTHER_PROVIDER: 404, REVIEWER: 403, OWNER: 302},
    "supplier.revoke_invitation": {ANON: "login", OTHER_PROVIDER: 404, REVIEWER: 403, OWNER: 302},
    "supplier.two_factor_policy": {ANON: "login", REVIEWER: 403, OWNER: 302},
    "supplier.dashboard": {
        ANON: "login",
        OWNER: 200,
        REVIEWER: 403,
        CONTRACT_MANAGER: 403,
        ADMIN: 403,
    },
    "supplier.start": {ANON: "login", OWNER: 302, REVIEWER: 403},
    "supplier.application": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "supplier.lots": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "supplier.exclusion": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "supplier.suitability": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "supplier.submit": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "supplier.documents": {ANON: "login", OWNER: 200, REVIEWER: 403, ADMIN: 403},
    "supplier.download": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "supplier.agreement": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "review.queue": {ANON: "login", OWNER: 403, REVIEWER: 200, CONTRACT_MANAGER: 403, ADMIN: 200},
    "review.application": {
        ANON: "login",
        OWNER: 403,
        REVIEWER: 200,
        CONTRACT_MANAGER: 403,
        ADMIN: 200,
    },
    "review.download": {
        ANON: "login",
        OWNER: 403,
        REVIEWER: 200,
        CONTRACT_MANAGER: 403,
        ADMIN: 200,
    },
    "review.request_declaration": {ANON: "login", OWNER: 403, REVIEWER: 200, CONTRACT_MANAGER: 403},
    "supplier.update_declaration": {ANON: "login", OWNER: 302, REVIEWER: 403},
    **{
        endpoint: {ANON: "login", OWNER: 403, REVIEWER: 200, CONTRACT_MANAGER: 403, ADMIN: 200}
        for endpoint in (
            "review.declare_conflict",
            "review.assign",
            "review.extend",
            "review.assess",
            "review.ask_clarification",
            "review.propose",
            "review.confirm",
            "review.return_decision",
            "review.letter",
            "review.reverification",
            "review.suspend",
        )
    },  # fmt: skip
    "supplier.clarification": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    **{
        endpoint: {ANON: 200, OWNER: 200, REVIEWER: 200}
        for endpoint in (
            "public.products",
            "public.tariff_sheets",
            "public.tariff_sheet",
            "public.tariff_sheet_file",
        )
    },  # fmt: skip
    **{
        endpoint: {ANON: "login", OWNER: 403, REVIEWER: 403, CONTRACT_MANAGER: 403, ADMIN: 200}
        for endpoint in (
            "catalogue.products",
            "catalogue.new_product",
            "catalogue.edit_product",
            "catalogue.tariff_admin",
            "catalogue.index_figures",
            "catalogue.indexation",
            "catalogue.lump_sums",
            "catalogue.lot_form",
            "catalogue.base_tariffs",
        )
    },  # fmt: skip
    "catalogue.retire_product": {ANON: "login", OWNER: 403, REVIEWER: 403, ADMIN: 302},
    "public.ocds_release_package": {ANON: 200, OWNER: 200, REVIEWER: 200},
    "supplier.sign": {ANON: "login", OTHER_PROVIDER: 404, REVIEWER: 403, OWNER: 200},
    "supplier.agreement_pdf": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "supplier.accept_variation": {ANON: "login", OTHER_PROVIDER: 404, REVIEWER: 403, OWNER: 302},
    **{
        endpoint: {ANON: "login", OWNER: 403, REVIEWER: 403, CONTRACT_MANAGER: 200, ADMIN: 200}
        for endpoint in (
            "contracts.export",
            "contracts.agreement",
            "contracts.agreement_pdf",
            "contracts.options",
            "contracts.official_report",
        )
    },  # fmt: skip
    "contracts.countersign": {ANON: "login", OWNER: 403, CONTRACT_MANAGER: 403, ADMIN: 200},
    **{
        endpoint: {ANON: "login", OWNER: 403, REVIEWER: 403, CONTRACT_MANAGER: 200, ADMIN: 200}
        for endpoint in (
            "contracts.kpi_definitions",
            "contracts.overview",
            "contracts.overview_export",
            "contracts.dashboard",
            "contracts.log_talk",
            "contracts.correct_kpi",
            "contracts.dashboard_export",
        )
    },  # fmt: skip
    "supplier.kpi_report": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "supplier.kpi_upload": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "supplier.sroi": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "contracts.management_settings": {ANON: "login", OWNER: 403, CONTRACT_MANAGER: 403, ADMIN: 200},
    "admin.holidays": {ANON: "login", OWNER: 403, REVIEWER: 403, CONTRACT_MANAGER: 403, ADMIN: 200},
    "admin.remove_holiday": {ANON: "login", OWNER: 403, REVIEWER: 403, ADMIN: 404},
    "contracts.change_state": {ANON: "login", OWNER: 403, CONTRACT_MANAGER: 403, ADMIN: 200},
    "supplier.letter": {ANON: "login", OWNER: 200, OTHER_PROVIDER: 404, REVIEWER: 403},
    "contracts.register": {
        ANON: "login",
        OWNER: 403,
        REVIEWER: 403,
        CONTRACT_MANAGER: 200,
        ADMIN: 200,
    },
    "admin.home": {ANON: "login", OWNER: 403, REVIEWER: 403, CONTRACT_MANAGER: 403, ADMIN: 200},
}


@pytest.fixture()
def scenario(app: Flask, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """An owner with an admitted application (so an agreement) and a draft for a second DAS."""
    from portal.services import letters

    # Access is what these tests are about: skip rendering the decision letter's PDF.
    monkeypatch.setattr(letters, "render_pdf", lambda html: factories.PDF_BYTES)
    from datetime import UTC, datetime

    from portal.models import LotOutcome
    from portal.services import applications, review

    das = factories.DasFactory()
    draft_das = factories.DasFactory()
    owner = factories.ProviderUserFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    factories.assign(reviewer, draft_das)
    submitted = factories.complete_draft(das, owner, date(2027, 3, 1))
    applications.submit(submitted, owner, datetime(2027, 3, 1, 9, tzinfo=UTC))
    factories.decide(
        submitted,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in submitted.lots},
        reviewer,
        datetime(2027, 3, 2, 9, tzinfo=UTC),
        submitted.version_id,
    )
    # A second submission, still in review, for the reviewer's pages.
    other_owner = factories.ProviderUserFactory()
    in_review = factories.complete_draft(das, other_owner, date(2027, 3, 1))
    applications.submit(in_review, other_owner, datetime(2027, 3, 1, 9, tzinfo=UTC))
    draft = applications.start_application(draft_das, owner)
    from portal.services.agreements import agreement_of

    users = {
        OWNER: owner,
        OTHER_PROVIDER: factories.ProviderUserFactory(),
        REVIEWER: reviewer,
        CONTRACT_MANAGER: factories.UserFactory(role=Role.CONTRACT_MANAGER),
        ADMIN: factories.UserFactory(role=Role.ADMINISTRATOR),
    }
    from portal.extensions import db
    from portal.models import Invitation, OrganisationRole

    colleague = factories.ProviderUserFactory(organisation=owner.organisation, contributor=True)
    invitation = Invitation(
        organisation_id=owner.organisation_id,
        email="nieuw@example.nl",
        organisation_role=OrganisationRole.CONTRIBUTOR,
        invited_by_id=owner.id,
    )
    db.session.add(invitation)
    db.session.commit()
    from datetime import timedelta

    from portal.models import Clarification

    clarification = Clarification(
        application_id=submitted.id,
        asked_by_id=reviewer.id,
        reply_due_on=date(2027, 3, 15),
        question="Graag de nieuwe polis.",
        asked_at=datetime(2027, 3, 1, 10, tzinfo=UTC),
        answered_at=datetime(2027, 3, 1, 11, tzinfo=UTC) + timedelta(hours=1),
    )
    db.session.add(clarification)
    db.session.commit()
    from portal.services import tariffs

    sheet = tariffs.publish_base(
        users[ADMIN],
        das,
        2026,
        {p.id: 10_000 for lot in das.lots for p in lot.products},
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    from portal.models import AgreementVariation, VariationKind

    factories.assign(users[CONTRACT_MANAGER], das)

    agreement_id = agreement_of(das.id, owner.organisation_id).id
    variation = AgreementVariation(
        agreement_id=agreement_id,
        kind=VariationKind.TARIFFS,
        description="Tarieven 2026",
        effective_on=date(2026, 1, 1),
    )
    db.session.add(variation)
    db.session.commit()
    # A session of the owner's on another device, to end from the account page.
    from portal.models import UserSession

    other_device = UserSession(token_hash="0" * 64, user_id=owner.id)
    db.session.add(other_device)
    db.session.commit()
    ids = {
        "session": other_device.id,
        "variation": variation.id,
        "sheet": sheet.id,
        "product": das.lots[0].products[0].id,
        "decided": submitted.id,
        "clarification": clarification.id,
        "colleague": colleague.id,
        "invitation": invitation.id,
        "slug": das.slug,
        "app": draft.id,
        "submitted": in_review.id,
        "doc": submitted.answers[-1].documents[0].id,
        "agreement": agreement_of(das.id, owner.organisation_id).id,
    }
    return users, ids


@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_role_url_grid(app: Flask, scenario, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    """Each audience in turn, in the order written (a POST that changes something comes last),
    against one fresh scenario per route."""
    users, ids = scenario
    url = dict(GRID_URLS)[endpoint].format(**ids)
    wrong = []
    for who, expected in EXPECTED[endpoint].items():
        client = app.test_client()
        if who != ANON:
            login(client, users[who])
        response = (client.post if endpoint in POST_ONLY else client.get)(url)
        if expected == "login":
            ok = response.status_code == 302 and response.location.startswith("/inloggen")
        else:
            ok = response.status_code == expected
        if not ok:
            wrong.append((who, expected, response.status_code))
    assert wrong == [], url
