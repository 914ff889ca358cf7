"""The authorization grid (tests/test_authz.py) and its world: the routes with their URL templates, the
audiences, the status each audience should get per (endpoint, method), and the scenario they are
asked in, built once per process and put back before each case. The fuzzers and the caching test
reuse the world."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import (
    AgreementVariation,
    Clarification,
    EspdImport,
    EvidenceType,
    Invitation,
    LotOutcome,
    OrganisationRole,
    Question,
    QuestionSubject,
    Role,
    StaffInvitation,
    UserSession,
    VariationKind,
)
from tests import factories
from tests.support.app import login
from tests.support.fuzzing import (
    DatabaseState,
    database_state,
    evidence_files,
    restore_database,
    restore_evidence_files,
)

# --- the grid -------------------------------------------------------------------------------

# (endpoint, URL template); the placeholders are filled from the world's ids.
GRID_URLS = [
    ("public.home", "/"),
    ("public.healthz", "/healthz"),
    ("public.accessibility", "/toegankelijkheid"),
    ("public.privacy", "/privacy"),
    ("public.glossary", "/begrippen"),
    # Anyone may check a document (issue 24): the upload (POST) and the look-up (GET).
    ("public.verify_document", "/documenten/controleren"),
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
    ("supplier.save_profile", "/aanbieder/organisatie"),
    ("supplier.export_data", "/aanbieder/organisatie/gegevens-downloaden"),
    ("supplier.colleagues", "/aanbieder/collegas"),
    ("supplier.remove_colleague", "/aanbieder/collegas/{colleague}/intrekken"),
    ("supplier.revoke_invitation", "/aanbieder/collegas/uitnodigingen/{invitation}/intrekken"),
    ("supplier.two_factor_policy", "/aanbieder/collegas/tweestapsverificatie"),
    ("supplier.api_tokens", "/aanbieder/api-sleutels"),
    ("supplier.api_token_create", "/aanbieder/api-sleutels"),
    ("supplier.api_token_revoke", "/aanbieder/api-sleutels/{api_token}/intrekken"),
    ("supplier.dashboard", "/aanbieder/"),
    ("supplier.start", "/aanbieder/das/{slug}/aanmelden"),
    ("supplier.application", "/aanbieder/aanmeldingen/{app}"),
    ("supplier.lots", "/aanbieder/aanmeldingen/{app}/percelen"),
    ("supplier.exclusion", "/aanbieder/aanmeldingen/{app}/uitsluitingsgronden"),
    ("supplier.suitability", "/aanbieder/aanmeldingen/{app}/geschiktheidseisen"),
    # Importing an ESPD (UEA) response into the draft (issue 22).
    ("supplier.espd_import", "/aanbieder/aanmeldingen/{app}/espd-importeren"),
    ("supplier.espd_import_result", "/aanbieder/aanmeldingen/{app}/espd-importeren/{espd_import}"),
    (
        "supplier.espd_import_adopt",
        "/aanbieder/aanmeldingen/{app}/espd-importeren/{espd_import}/organisatie",
    ),
    ("supplier.submit", "/aanbieder/aanmeldingen/{app}/indienen"),
    ("supplier.documents", "/aanbieder/documenten"),
    ("supplier.download", "/aanbieder/documenten/{doc}"),
    ("supplier.agreement", "/aanbieder/overeenkomsten/{agreement}"),
    ("review.queue", "/beoordeling/"),
    ("review.application", "/beoordeling/aanmeldingen/{submitted}"),
    ("review.download", "/beoordeling/documenten/{doc}"),
    ("review.evidence_viewer", "/beoordeling/aanmeldingen/{decided}/documenten/{doc}"),
    ("review.evidence_download", "/beoordeling/aanmeldingen/{decided}/documenten/{doc}/downloaden"),
    (
        "review.evidence_preview",
        "/beoordeling/aanmeldingen/{decided}/documenten/{photo}/voorbeeld/1",
    ),
    ("review.request_declaration", "/beoordeling/aanmeldingen/{submitted}/actuele-verklaring"),
    ("review.declare_conflict", "/beoordeling/aanmeldingen/{submitted}/belangenconflict"),
    ("review.assign", "/beoordeling/aanmeldingen/{submitted}/toewijzen"),
    ("review.extend", "/beoordeling/aanmeldingen/{submitted}/verlengen"),
    ("review.assess", "/beoordeling/aanmeldingen/{submitted}/beoordelen"),
    ("review.add_note", "/beoordeling/aanmeldingen/{submitted}/notities"),
    ("review.ask_clarification", "/beoordeling/aanmeldingen/{submitted}/herstelverzoek"),
    ("review.propose", "/beoordeling/aanmeldingen/{submitted}/besluit"),
    ("review.confirm", "/beoordeling/aanmeldingen/{submitted}/bevestigen"),
    ("review.return_decision", "/beoordeling/aanmeldingen/{submitted}/terugsturen"),
    ("review.letter", "/beoordeling/aanmeldingen/{decided}/besluitbrief"),
    ("review.assessment_report", "/beoordeling/aanmeldingen/{decided}/beoordelingsrapport"),
    ("review.assign_many", "/beoordeling/toewijzen"),
    ("review.reverification", "/beoordeling/herbeoordeling"),
    ("public.products", "/das/{slug}/producten"),
    ("public.providers", "/das/{slug}/aanbieders"),
    ("public.award_notices", "/das/{slug}/gunningen"),
    ("public.tariff_sheets", "/das/{slug}/tarieven"),
    ("public.tariff_sheet", "/das/{slug}/tarieven/{sheet}"),
    ("public.tariff_sheet_file", "/das/{slug}/tarieven/{sheet}.csv"),
    ("public.model_agreement", "/das/{slug}/modelovereenkomst.pdf"),
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
    ("public.ocds_releases", "/das/{slug}/ocds/releases.json"),
    ("public.ocds_record", "/das/{slug}/ocds/record.json"),
    ("public.das_espd_request", "/das/{slug}/espd-verzoek.xml"),
    # The waiting-time register (issue 23, helper R2): national, public; the contract managers' side.
    ("public.waiting_register", "/wachttijden"),
    ("public.waiting_register_export", "/wachttijden.csv"),
    ("contracts.waiting_times", "/contracten/{agreement}/wachttijden"),
    ("contracts.waiting_times_overview", "/contracten/das/{slug}/wachttijden"),
    ("supplier.application_espd", "/aanbieder/aanmeldingen/{decided}/espd.xml"),
    ("review.application_espd", "/beoordeling/aanmeldingen/{submitted}/espd.xml"),
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
    ("contracts.exercise_option", "/contracten/das/{slug}/opties"),
    ("contracts.official_report", "/contracten/das/{slug}/proces-verbaal"),
    ("contracts.kpi_definitions", "/contracten/das/{slug}/kpis"),
    ("contracts.save_kpi_definition", "/contracten/das/{slug}/kpis"),
    ("contracts.add_default_kpis", "/contracten/das/{slug}/kpis/standaard"),
    ("contracts.overview", "/contracten/das/{slug}/overzicht"),
    ("contracts.overview_export", "/contracten/das/{slug}/overzicht/sroi.csv"),
    ("contracts.dashboard", "/contracten/{agreement}/kpi"),
    ("contracts.dashboard_export", "/contracten/{agreement}/kpi/cijfers.csv"),
    ("contracts.management_settings", "/contracten/das/{slug}/instellingen"),
    ("admin.holidays", "/beheer/feestdagen"),
    ("admin.jobs", "/beheer/achtergrondtaken"),
    ("admin.retry_mail", "/beheer/achtergrondtaken/mails/{failed_mail}/opnieuw"),
    ("admin.remove_holiday", "/beheer/feestdagen/2026-12-25/verwijderen"),
    ("contracts.log_talk", "/contracten/{agreement}/gesprekken"),
    ("contracts.talk_report", "/contracten/{agreement}/gesprekken/999999/verslag"),
    ("contracts.action_done", "/contracten/{agreement}/acties/999999/afgerond"),
    ("contracts.select_for_talks", "/contracten/{agreement}/selectie"),
    # A DAS's year of talks (issue 21): no talk in the world, so no report or outcome to add.
    ("contracts.talks", "/contracten/das/{slug}/gesprekken"),
    ("contracts.talk_selection", "/contracten/das/{slug}/gesprekken/selectie"),
    ("contracts.log_group_talk", "/contracten/das/{slug}/gesprekken/nieuw"),
    ("contracts.group_talk_report", "/contracten/das/{slug}/gesprekken/999999/verslag"),
    ("contracts.talk_outcome", "/contracten/das/{slug}/gesprekken/999999/uitkomst/{agreement}"),
    ("contracts.late_reports", "/contracten/das/{slug}/te-laat"),
    ("contracts.sroi_turnover", "/contracten/das/{slug}/sroi-omzet"),
    ("contracts.sroi_turnover_import", "/contracten/das/{slug}/sroi-omzet/import"),
    ("contracts.sroi_turnover_example", "/contracten/das/{slug}/sroi-omzet/voorbeeld.csv"),
    ("contracts.remind_late", "/contracten/{agreement}/herinneren"),
    ("contracts.correct_kpi", "/contracten/{agreement}/kpi/correctie"),
    ("supplier.kpi_report", "/aanbieder/overeenkomsten/{agreement}/kpi"),
    ("supplier.kpi_upload", "/aanbieder/overeenkomsten/{agreement}/kpi/bestand"),
    ("supplier.sroi", "/aanbieder/overeenkomsten/{agreement}/sroi"),
    # The waiting-time register, provider side (issue 23).
    ("supplier.waiting_times", "/aanbieder/overeenkomsten/{agreement}/wachttijden"),
    (
        "supplier.waiting_times_confirm",
        "/aanbieder/overeenkomsten/{agreement}/wachttijden/bevestigen",
    ),
    # A lump-sum agreement's ceiling and the 3% valve (issue 21): no result in the world.
    ("contracts.lump_sum", "/contracten/{agreement}/lumpsum"),
    ("contracts.agree_ceiling", "/contracten/{agreement}/lumpsum/plafond"),
    ("contracts.index_ceiling", "/contracten/{agreement}/lumpsum/indexeren"),
    (
        "contracts.close_lump_sum_review",
        "/contracten/{agreement}/lumpsum/resultaten/999999/afhandelen",
    ),
    ("supplier.lump_sum", "/aanbieder/overeenkomsten/{agreement}/lumpsum"),
    ("catalogue.base_tariffs", "/beheer/das/{slug}/basistarieven"),
    ("review.suspend", "/beoordeling/overeenkomsten/{agreement}/opschorten"),
    ("supplier.clarification", "/aanbieder/aanmeldingen/{decided}/vragen/{clarification}"),
    ("supplier.letter", "/aanbieder/aanmeldingen/{decided}/besluitbrief"),
    ("supplier.update_declaration", "/aanbieder/das/{slug}/verklaring-bijwerken"),
    ("contracts.register", "/contracten/"),
    # What waits for a member of staff (issue 20).
    ("review.my_tasks", "/beoordeling/taken"),
    ("contracts.my_tasks", "/contracten/taken"),
    ("auth.daily_digest", "/account/dagelijks-overzicht"),
    # Messages and complaints (issue 20).
    ("supplier.application_messages", "/aanbieder/aanmeldingen/{decided}/berichten"),
    ("supplier.agreement_messages", "/aanbieder/overeenkomsten/{agreement}/berichten"),
    (
        "supplier.application_attachment",
        "/aanbieder/aanmeldingen/{decided}/berichten/bijlagen/{application_attachment}",
    ),
    (
        "supplier.agreement_attachment",
        "/aanbieder/overeenkomsten/{agreement}/berichten/bijlagen/{agreement_attachment}",
    ),
    ("review.application_messages", "/beoordeling/aanmeldingen/{decided}/berichten"),
    (
        "review.close_complaint",
        "/beoordeling/aanmeldingen/{decided}/berichten/{complaint}/afhandelen",
    ),
    (
        "review.message_attachment",
        "/beoordeling/aanmeldingen/{decided}/berichten/bijlagen/{application_attachment}",
    ),
    ("contracts.agreement_messages", "/contracten/{agreement}/berichten"),
    (
        "contracts.message_attachment",
        "/contracten/{agreement}/berichten/bijlagen/{agreement_attachment}",
    ),
    ("admin.home", "/beheer/"),
    ("admin.contact_point_form", "/beheer/das/{slug}/contactpunt"),
    ("admin.das_terms", "/beheer/das/{slug}/voorwaarden"),
    ("admin.das_staff", "/beheer/das/{slug}/medewerkers"),
    ("admin.revoke_staff_access", "/beheer/das/{slug}/medewerkers/{staff_member}/intrekken"),
    (
        "admin.revoke_staff_invitation",
        "/beheer/das/{slug}/uitnodigingen/{staff_invitation}/intrekken",
    ),
    ("auth.accept_staff_invitation", "/uitnodiging/medewerker/ongeldig"),
    ("admin.das_criteria", "/beheer/das/{slug}/eisen"),
    ("admin.new_criterion", "/beheer/das/{slug}/eisen/nieuw?soort=geschiktheidseis&bron=eigen"),
    ("admin.edit_criterion", "/beheer/das/{slug}/eisen/{criterion}"),
    ("admin.remove_criterion", "/beheer/das/{slug}/eisen/{criterion}/verwijderen"),
    ("admin.move_criterion", "/beheer/das/{slug}/eisen/{criterion}/verplaatsen"),
    ("admin.copy_criteria", "/beheer/das/{slug}/eisen/overnemen"),
    ("admin.das_list", "/beheer/das-overzicht"),
    ("admin.das_new", "/beheer/das/nieuw"),
    ("admin.das_settings", "/beheer/das/{slug}/instellingen"),
    ("admin.das_basics", "/beheer/das/{slug}/basisgegevens"),
    ("admin.das_authorities", "/beheer/das/{slug}/gemeenten"),
    ("admin.das_publish", "/beheer/das/{slug}/publiceren"),
    ("admin.das_close", "/beheer/das/{slug}/sluiten"),
    ("admin.das_end", "/beheer/das/{slug}/beeindigen"),
    # Questions and answers on a DAS (issue 20)
    ("supplier.das_questions", "/aanbieder/das/{slug}/vragen"),
    ("review.das_questions", "/beoordeling/das/{slug}/vragen"),
    ("review.das_question", "/beoordeling/das/{slug}/vragen/{question}"),
    ("review.correct_question", "/beoordeling/das/{slug}/vragen/{question}/corrigeren"),
    ("review.merge_question", "/beoordeling/das/{slug}/vragen/{question}/samenvoegen"),
    ("public.das_questions", "/das/{slug}/vragen-en-antwoorden"),
    # The JSON API for providers' software (issue 23): a Bearer token, never the session.
    ("api.openapi", "/api/v1/openapi.json"),
    ("api.agreements", "/api/v1/agreements"),
    ("api.report_kpi_values", "/api/v1/agreements/{agreement}/kpi-values"),
    ("api.report_sroi", "/api/v1/agreements/{agreement}/sroi-reports"),
    ("api.waiting_times_register", "/api/v1/agreements/{agreement}/waiting-times"),
    ("api.update_waiting_times", "/api/v1/agreements/{agreement}/waiting-times"),
    ("api.confirm_waiting_times", "/api/v1/agreements/{agreement}/waiting-times/confirm"),
]
# The ids in a URL that name something of the grid's DAS: its staff may reach it, the staff of
# another DAS may not.
DAS_BOUND = ("{slug}", "{agreement}", "{submitted}", "{decided}", "{doc}", "{product}", "{sheet}")

# The audiences. "login" = a redirect to the log-in page.
ANON = "anonymous"
OWNER = "owner"  # administers the provider whose application, documents and agreement these are
COLLEAGUE = "colleague"  # of the owner's organisation, not its administrator
OTHER_PROVIDER = "other provider"
REVIEWER = "reviewer"  # assigned to the grid's DAS
REVIEWER_ELSEWHERE = "reviewer of another DAS"
CONTRACT_MANAGER = "contract manager"  # assigned to the grid's DAS
MANAGER_ELSEWHERE = "contract manager of another DAS"
ADMIN = "administrator"
LOGIN = "login"
GET, POST = "GET", "POST"

# Who may work on the grid's DAS, and what the staff of another DAS get there instead.
REVIEW = {
    ANON: LOGIN,
    OWNER: 403,
    CONTRACT_MANAGER: 403,
    MANAGER_ELSEWHERE: 403,
    REVIEWER_ELSEWHERE: 404,
    REVIEWER: 200,
    ADMIN: 200,
}
CONTRACTS = {
    ANON: LOGIN,
    OWNER: 403,
    REVIEWER: 403,
    REVIEWER_ELSEWHERE: 403,
    MANAGER_ELSEWHERE: 404,
    CONTRACT_MANAGER: 200,
    ADMIN: 200,
}
CONTRACTS_ADMIN = {
    ANON: LOGIN,
    OWNER: 403,
    REVIEWER: 403,
    REVIEWER_ELSEWHERE: 403,
    MANAGER_ELSEWHERE: 403,
    CONTRACT_MANAGER: 403,
    ADMIN: 200,
}
CATALOGUE = {
    ANON: LOGIN,
    OWNER: 403,
    REVIEWER: 403,
    REVIEWER_ELSEWHERE: 403,
    CONTRACT_MANAGER: 403,
    MANAGER_ELSEWHERE: 403,
    ADMIN: 200,
}
# A provider's own object: another provider does not find it.
OWN = {ANON: LOGIN, OTHER_PROVIDER: 404, REVIEWER: 403, OWNER: 200}
PUBLIC_PAGE = {ANON: 200, OWNER: 200, REVIEWER: 200}


def but(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with some audiences' statuses changed, in the same order."""
    return {who: changes.get(who, status) for who, status in base.items()}


# Expected status per (endpoint, method) and audience, in the order the audiences ask: a POST
# that changes something comes last.
EXPECTED: dict[tuple[str, str], dict[str, Any]] = {
    ("public.home", GET): {ANON: 200, OWNER: 200, OTHER_PROVIDER: 200, REVIEWER: 200},
    ("public.healthz", GET): {ANON: 200},
    ("public.accessibility", GET): PUBLIC_PAGE,
    ("public.privacy", GET): PUBLIC_PAGE,
    ("public.glossary", GET): PUBLIC_PAGE,
    ("public.verify_document", GET): PUBLIC_PAGE,
    # Without a file: the form again, saying what to choose.
    ("public.verify_document", POST): {ANON: 422, OWNER: 422, REVIEWER: 422},
    ("public.das_detail", GET): PUBLIC_PAGE,
    **{
        (endpoint, GET): PUBLIC_PAGE
        for endpoint in (
            "public.products",
            "public.providers",
            "public.award_notices",
            "public.tariff_sheets",
            "public.tariff_sheet",
            "public.tariff_sheet_file",
            "public.ocds_release_package",
            "public.ocds_releases",
            "public.ocds_record",
            "public.model_agreement",
            "public.das_espd_request",
            "public.waiting_register",
            "public.waiting_register_export",
        )
    },
    ("auth.login", GET): {ANON: 200, OWNER: 302},
    ("auth.login", POST): {ANON: 200, OWNER: 302},
    # Without a password step just before, the second step sends you back to log in.
    ("auth.two_factor", GET): {ANON: 302, OWNER: 302},
    ("auth.two_factor", POST): {ANON: 302, OWNER: 302},
    ("auth.two_factor_setup", GET): {ANON: 302, OWNER: 302},
    ("auth.two_factor_setup", POST): {ANON: 302, OWNER: 302},
    ("auth.register", GET): {ANON: 200},
    ("auth.register", POST): {ANON: 200},
    ("auth.logout", POST): {ANON: LOGIN, OWNER: 302},
    ("set_language", POST): {ANON: 302, OWNER: 302},
    ("auth.check_email", GET): {ANON: 200},
    ("auth.verify_email", GET): {ANON: 400},
    ("auth.resend_verification", POST): {ANON: 302},
    ("auth.forgot_password", GET): {ANON: 200},
    ("auth.forgot_password", POST): {ANON: 200},
    ("auth.reset_password", GET): {ANON: 400},
    ("auth.reset_password", POST): {ANON: 400},
    ("auth.change_password", GET): {ANON: LOGIN, OWNER: 200, REVIEWER: 200, ADMIN: 200},
    ("auth.change_password", POST): {ANON: LOGIN, OWNER: 200, REVIEWER: 200, ADMIN: 200},
    ("auth.account", GET): {
        ANON: LOGIN,
        OWNER: 200,
        REVIEWER: 200,
        CONTRACT_MANAGER: 200,
        ADMIN: 200,
    },
    ("auth.end_other_sessions", POST): {ANON: LOGIN, OWNER: 302, REVIEWER: 302},
    # Someone else's session is "not found"; the owner's own one ends.
    ("auth.end_session", POST): {ANON: LOGIN, OTHER_PROVIDER: 404, REVIEWER: 404, OWNER: 302},
    # Staff have two-step verification from their first log-in: the set-up sends them back.
    ("auth.account_two_factor_setup", GET): {ANON: LOGIN, OWNER: 200, REVIEWER: 302},
    ("auth.account_two_factor_setup", POST): {ANON: LOGIN, OWNER: 200, REVIEWER: 302},
    # Without the password the form is shown again.
    ("auth.disable_two_factor", POST): {ANON: LOGIN, OWNER: 200, REVIEWER: 200},
    ("auth.accept_invitation", GET): {ANON: 400},
    ("auth.accept_invitation", POST): {ANON: 400},
    ("auth.accept_staff_invitation", GET): {ANON: 400},
    ("auth.accept_staff_invitation", POST): {ANON: 400},
    # Every colleague reads the organisation's profile; its administrator changes it and takes
    # all its data away.
    ("supplier.profile", GET): {
        ANON: LOGIN,
        REVIEWER: 403,
        ADMIN: 403,
        COLLEAGUE: 200,
        OWNER: 200,
    },
    ("supplier.save_profile", POST): {
        ANON: LOGIN,
        REVIEWER: 403,
        ADMIN: 403,
        COLLEAGUE: 403,
        OWNER: 200,
    },
    ("supplier.export_data", GET): {
        ANON: LOGIN,
        REVIEWER: 403,
        COLLEAGUE: 403,
        OTHER_PROVIDER: 200,
        OWNER: 200,
    },
    ("supplier.colleagues", GET): {ANON: LOGIN, REVIEWER: 403, COLLEAGUE: 200, OWNER: 200},
    ("supplier.colleagues", POST): {ANON: LOGIN, REVIEWER: 403, COLLEAGUE: 200, OWNER: 200},
    ("supplier.remove_colleague", POST): {
        ANON: LOGIN,
        OTHER_PROVIDER: 404,
        REVIEWER: 403,
        OWNER: 302,
    },
    ("supplier.revoke_invitation", POST): {
        ANON: LOGIN,
        OTHER_PROVIDER: 404,
        REVIEWER: 403,
        OWNER: 302,
    },
    ("supplier.two_factor_policy", POST): {ANON: LOGIN, REVIEWER: 403, OWNER: 302},
    # The organisation's API tokens (issue 23): its administrator only. An empty new token is
    # shown again with its errors; revoking asks first (a confirmation page).
    ("supplier.api_tokens", GET): {
        ANON: LOGIN,
        REVIEWER: 403,
        ADMIN: 403,
        COLLEAGUE: 403,
        OTHER_PROVIDER: 200,
        OWNER: 200,
    },
    ("supplier.api_token_create", POST): {
        ANON: LOGIN,
        REVIEWER: 403,
        ADMIN: 403,
        COLLEAGUE: 403,
        OTHER_PROVIDER: 200,
        OWNER: 200,
    },
    ("supplier.api_token_revoke", POST): {
        ANON: LOGIN,
        REVIEWER: 403,
        COLLEAGUE: 403,
        OTHER_PROVIDER: 404,
        OWNER: 200,
    },
    ("supplier.dashboard", GET): {
        ANON: LOGIN,
        REVIEWER: 403,
        CONTRACT_MANAGER: 403,
        ADMIN: 403,
        OWNER: 200,
    },
    ("supplier.start", POST): {ANON: LOGIN, REVIEWER: 403, OWNER: 302},
    ("supplier.update_declaration", POST): {ANON: LOGIN, REVIEWER: 403, OWNER: 302},
    ("supplier.application", GET): OWN,
    **{
        (endpoint, method): OWN
        for endpoint in (
            "supplier.lots",
            "supplier.exclusion",
            "supplier.suitability",
            "supplier.submit",
            "supplier.clarification",
            "supplier.kpi_report",
            "supplier.sroi",
            "supplier.lump_sum",
            "supplier.waiting_times",
        )
        for method in (GET, POST)
    },
    # Nothing to confirm in the world: the page again with the refusal.
    ("supplier.waiting_times_confirm", POST): OWN,
    # A draft's sections are saved half-filled at any time.
    **{
        (endpoint, POST): but(OWN, {OWNER: 302})
        for endpoint in ("supplier.lots", "supplier.exclusion", "supplier.suitability")
    },
    # An ESPD import into the owner's draft (issue 22): a post without a file, or adopting
    # nothing chosen, shows the page again with its error. Adopting writes the organisation's
    # profile: its administrator only.
    ("supplier.espd_import", GET): OWN,
    ("supplier.espd_import", POST): OWN,
    ("supplier.espd_import_result", GET): but(OWN, {COLLEAGUE: 200}),
    ("supplier.espd_import_adopt", POST): {
        ANON: LOGIN,
        OTHER_PROVIDER: 404,
        REVIEWER: 403,
        COLLEAGUE: 403,
        OWNER: 200,
    },
    ("supplier.documents", GET): {ANON: LOGIN, REVIEWER: 403, ADMIN: 403, OWNER: 200},
    ("supplier.documents", POST): {ANON: LOGIN, REVIEWER: 403, ADMIN: 403, OWNER: 200},
    **{
        (endpoint, GET): OWN
        for endpoint in (
            "supplier.download",
            "supplier.agreement",
            "supplier.agreement_pdf",
            "supplier.letter",
            "supplier.application_espd",
        )
    },
    ("supplier.sign", POST): OWN,
    ("supplier.kpi_upload", POST): OWN,
    ("supplier.accept_variation", POST): but(OWN, {OWNER: 302}),
    ("review.queue", GET): but(REVIEW, {REVIEWER_ELSEWHERE: 200}),
    ("review.reverification", GET): but(REVIEW, {REVIEWER_ELSEWHERE: 200}),
    ("review.application", GET): REVIEW,
    ("review.download", GET): REVIEW,
    ("review.evidence_viewer", GET): REVIEW,
    ("review.evidence_download", GET): REVIEW,
    ("review.evidence_preview", GET): REVIEW,
    ("review.letter", GET): REVIEW,
    ("review.application_espd", GET): REVIEW,
    ("review.assessment_report", GET): REVIEW,
    # Nothing chosen: back to the queue with the form's error, for any reviewer.
    ("review.assign_many", POST): but(REVIEW, {REVIEWER_ELSEWHERE: 302, REVIEWER: 302, ADMIN: 302}),
    **{
        (endpoint, POST): REVIEW
        for endpoint in (
            "review.request_declaration",
            "review.declare_conflict",
            "review.assign",
            "review.extend",
            "review.assess",
            "review.add_note",
            "review.ask_clarification",
            "review.propose",
            "review.confirm",
            "review.return_decision",
            "review.suspend",
        )
    },
    **{
        (endpoint, method): CATALOGUE
        for endpoint in (
            "catalogue.new_product",
            "catalogue.edit_product",
            "catalogue.tariff_admin",
            "catalogue.index_figures",
            "catalogue.indexation",
            "catalogue.lump_sums",
            "catalogue.lot_form",
            "catalogue.base_tariffs",
        )
        for method in (GET, POST)
    },
    ("catalogue.products", GET): CATALOGUE,
    ("catalogue.retire_product", POST): but(CATALOGUE, {ADMIN: 302}),
    ("contracts.register", GET): but(CONTRACTS, {MANAGER_ELSEWHERE: 200}),
    # Everyone's own tasks: the staff of another DAS have a list too (of their own DAS).
    ("review.my_tasks", GET): but(REVIEW, {REVIEWER_ELSEWHERE: 200}),
    ("contracts.my_tasks", GET): but(CONTRACTS, {MANAGER_ELSEWHERE: 200}),
    # Staff turn their daily digest on or off; providers have none.
    ("auth.daily_digest", POST): {
        ANON: LOGIN,
        OWNER: 403,
        REVIEWER: 302,
        CONTRACT_MANAGER: 302,
        ADMIN: 302,
    },
    ("contracts.export", GET): but(CONTRACTS, {MANAGER_ELSEWHERE: 200}),
    **{
        (endpoint, GET): CONTRACTS
        for endpoint in (
            "contracts.agreement",
            "contracts.agreement_pdf",
            "contracts.options",
            "contracts.official_report",
            "contracts.kpi_definitions",
            "contracts.overview",
            "contracts.overview_export",
            "contracts.dashboard",
            "contracts.dashboard_export",
            "contracts.late_reports",
            "contracts.waiting_times",
            "contracts.waiting_times_overview",
        )
    },
    # No such talk or action: the contract managers of the DAS hear so.
    ("contracts.talk_report", POST): but(CONTRACTS, {CONTRACT_MANAGER: 404, ADMIN: 404}),
    ("contracts.action_done", POST): but(CONTRACTS, {CONTRACT_MANAGER: 404, ADMIN: 404}),
    ("contracts.select_for_talks", POST): CONTRACTS,
    ("contracts.talks", GET): CONTRACTS,
    # Nothing ticked is a selection too (nobody), stored and shown again.
    ("contracts.talk_selection", POST): but(CONTRACTS, {CONTRACT_MANAGER: 302, ADMIN: 302}),
    ("contracts.log_group_talk", POST): CONTRACTS,
    ("contracts.group_talk_report", POST): but(CONTRACTS, {CONTRACT_MANAGER: 404, ADMIN: 404}),
    ("contracts.talk_outcome", POST): but(CONTRACTS, {CONTRACT_MANAGER: 404, ADMIN: 404}),
    # Nothing chosen: back to the list, with the reason.
    ("contracts.remind_late", POST): but(CONTRACTS, {CONTRACT_MANAGER: 302, ADMIN: 302}),
    ("contracts.log_talk", POST): CONTRACTS,
    # Lump sums (issue 21): an empty form is shown again with its errors; the world has no
    # ceiling to index (the page says so) and no result to review.
    ("contracts.lump_sum", GET): CONTRACTS,
    ("contracts.agree_ceiling", POST): CONTRACTS,
    ("contracts.index_ceiling", POST): CONTRACTS,
    ("contracts.close_lump_sum_review", POST): but(CONTRACTS, {CONTRACT_MANAGER: 404, ADMIN: 404}),
    ("contracts.correct_kpi", POST): CONTRACTS,
    # SROI reference turnover (issue 21): the DAS's contract managers and the administrators. An
    # empty form or a post without a file is shown again with its errors.
    ("contracts.sroi_turnover", GET): CONTRACTS,
    ("contracts.sroi_turnover", POST): CONTRACTS,
    ("contracts.sroi_turnover_import", POST): CONTRACTS,
    ("contracts.sroi_turnover_example", GET): CONTRACTS,
    **{
        (endpoint, POST): CONTRACTS_ADMIN
        for endpoint in (
            "contracts.countersign",
            "contracts.change_state",
            "contracts.exercise_option",
            "contracts.save_kpi_definition",
            "contracts.management_settings",
        )
    },
    ("contracts.add_default_kpis", POST): but(CONTRACTS_ADMIN, {ADMIN: 302}),
    # Messages (issue 20): the provider's own threads, the staff of the DAS. An empty form is
    # shown again with its error.
    **{
        (endpoint, method): OWN
        for endpoint in ("supplier.application_messages", "supplier.agreement_messages")
        for method in (GET, POST)
    },
    ("supplier.application_attachment", GET): OWN,
    ("supplier.agreement_attachment", GET): OWN,
    ("review.application_messages", GET): REVIEW,
    ("review.application_messages", POST): REVIEW,
    ("review.close_complaint", POST): REVIEW,
    ("review.message_attachment", GET): REVIEW,
    ("contracts.agreement_messages", GET): CONTRACTS,
    ("contracts.agreement_messages", POST): CONTRACTS,
    ("contracts.message_attachment", GET): CONTRACTS,
    ("admin.home", GET): but(CATALOGUE, {ADMIN: 200}),
    ("admin.holidays", GET): CATALOGUE,
    ("admin.holidays", POST): CATALOGUE,
    ("admin.remove_holiday", POST): but(CATALOGUE, {ADMIN: 404}),
    # Background work (issue 20): administrators only; no such mail in the grid's world.
    ("admin.jobs", GET): CATALOGUE,
    ("admin.retry_mail", POST): but(CATALOGUE, {ADMIN: 302}),
    ("admin.contact_point_form", GET): CATALOGUE,
    # A DAS's terms and staff (issue 19): administrators only. An empty form is shown again with
    # its errors; a revocation goes back to the staff page.
    ("admin.das_terms", GET): CATALOGUE,
    ("admin.das_terms", POST): CATALOGUE,
    ("admin.das_staff", GET): CATALOGUE,
    ("admin.das_staff", POST): CATALOGUE,
    ("admin.revoke_staff_access", POST): but(CATALOGUE, {ADMIN: 302}),
    ("admin.revoke_staff_invitation", POST): but(CATALOGUE, {ADMIN: 302}),
    # A DAS's criteria (issue 19). The grid's DAS is published and its criteria answered: an
    # addition or a copy is refused on the page (200), a removal or a move with the reason
    # (302); the criterion's form sent back as it was changes nothing (302).
    ("admin.das_criteria", GET): CATALOGUE,
    **{
        (endpoint, method): CATALOGUE
        for endpoint in ("admin.new_criterion", "admin.edit_criterion", "admin.copy_criteria")
        for method in (GET, POST)
    },
    ("admin.edit_criterion", POST): but(CATALOGUE, {ADMIN: 302}),
    ("admin.remove_criterion", POST): but(CATALOGUE, {ADMIN: 302}),
    ("admin.move_criterion", POST): but(CATALOGUE, {ADMIN: 302}),
    # An empty form is a valid one (every field optional): saved, then back to the overview.
    ("admin.contact_point_form", POST): but(CATALOGUE, {ADMIN: 302}),
    # A DAS's life (issue 19): administrators only. An empty form is shown again with its
    # errors; an action without its confirmation or reason goes back to the settings page.
    ("admin.das_list", GET): CATALOGUE,
    ("admin.das_new", GET): CATALOGUE,
    ("admin.das_new", POST): CATALOGUE,
    ("admin.das_settings", GET): CATALOGUE,
    ("admin.das_basics", GET): CATALOGUE,
    ("admin.das_basics", POST): CATALOGUE,
    ("admin.das_authorities", GET): CATALOGUE,
    ("admin.das_authorities", POST): CATALOGUE,
    ("admin.das_publish", POST): but(CATALOGUE, {ADMIN: 302}),
    ("admin.das_close", POST): but(CATALOGUE, {ADMIN: 302}),
    ("admin.das_end", POST): but(CATALOGUE, {ADMIN: 302}),
    # Questions and answers on a DAS (issue 20): any provider asks about a published DAS (an
    # empty form is shown again with its errors); the DAS's reviewers and administrators answer.
    # The grid's question is open: its correction is refused on the page (200), and so are an
    # empty answer and an empty merge.
    ("public.das_questions", GET): PUBLIC_PAGE,
    **{
        ("supplier.das_questions", method): {
            ANON: LOGIN,
            REVIEWER: 403,
            ADMIN: 403,
            OTHER_PROVIDER: 200,
            COLLEAGUE: 200,
            OWNER: 200,
        }
        for method in (GET, POST)
    },
    ("review.das_questions", GET): REVIEW,
    ("review.das_question", GET): REVIEW,
    ("review.das_question", POST): REVIEW,
    ("review.correct_question", POST): REVIEW,
    ("review.merge_question", POST): REVIEW,
    # The API's description is public; everything else asks for an API token, which no session
    # stands in for: the signed-in owner gets 401 like anyone (tests/api cover the tokens).
    ("api.openapi", GET): {ANON: 200, OWNER: 200},
    ("api.agreements", GET): {ANON: 401, OWNER: 401, ADMIN: 401},
    ("api.report_kpi_values", POST): {ANON: 401, OWNER: 401, ADMIN: 401},
    ("api.report_sroi", POST): {ANON: 401, OWNER: 401, ADMIN: 401},
    ("api.waiting_times_register", GET): {ANON: 401, OWNER: 401, ADMIN: 401},
    ("api.update_waiting_times", POST): {ANON: 401, OWNER: 401, ADMIN: 401},
    ("api.confirm_waiting_times", POST): {ANON: 401, OWNER: 401, ADMIN: 401},
}


# --- the world --------------------------------------------------------------------------------


def build_scenario() -> tuple[dict[str, Any], dict[str, Any]]:
    """Two DAS. In the first, an owner's organisation is admitted (so it has an agreement, with a
    variation to accept) and another provider's application is in review; the owner has a draft
    for the second DAS. Each DAS has its own reviewer and contract manager; the grid's reviewer
    works on both."""
    from portal.services import applications, review, tariffs
    from portal.services.agreements import agreement_of

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
    # An ESPD response imported into it (issue 22), whose address differs from the profile's.
    espd_import = EspdImport(
        organisation_id=owner.organisation_id,
        application_id=draft.id,
        imported_by_id=owner.id,
        filename="uea.xml",
        sha256="0" * 64,
        summary={
            "filled": [],
            "kept": [],
            "not_mapped": [],
            "organisation": {"city": "Utrecht", "street_address": "Lindelaan 12"},
        },
    )
    db.session.add(espd_import)
    db.session.commit()
    users = {
        OWNER: owner,
        OTHER_PROVIDER: factories.ProviderUserFactory(),
        REVIEWER: reviewer,
        REVIEWER_ELSEWHERE: factories.UserFactory(role=Role.REVIEWER),
        CONTRACT_MANAGER: factories.UserFactory(role=Role.CONTRACT_MANAGER),
        MANAGER_ELSEWHERE: factories.UserFactory(role=Role.CONTRACT_MANAGER),
        ADMIN: factories.UserFactory(role=Role.ADMINISTRATOR),
        COLLEAGUE: factories.ProviderUserFactory(organisation=owner.organisation, contributor=True),
    }
    factories.assign(users[CONTRACT_MANAGER], das)
    factories.assign(users[REVIEWER_ELSEWHERE], draft_das)
    factories.assign(users[MANAGER_ELSEWHERE], draft_das)
    invitation = Invitation(
        organisation_id=owner.organisation_id,
        email="nieuw@example.nl",
        organisation_role=OrganisationRole.CONTRIBUTOR,
        invited_by_id=owner.id,
    )
    clarification = Clarification(
        application_id=submitted.id,
        asked_by_id=reviewer.id,
        reply_due_on=date(2027, 3, 15),
        question="Graag de nieuwe polis.",
        asked_at=datetime(2027, 3, 1, 10, tzinfo=UTC),
        answered_at=datetime(2027, 3, 1, 11, tzinfo=UTC) + timedelta(hours=1),
    )
    # A photo sent with the reply: evidence a reviewer sees inline (issue 18).
    photo = factories.upload_pdf(
        owner,
        EvidenceType.QUALITY_CERTIFICATE,
        date(2027, 3, 1),
        content=factories.PNG_BYTES,
        filename="polis.png",
    )
    clarification.documents.append(photo)
    db.session.add_all([invitation, clarification])
    db.session.commit()
    sheet = tariffs.publish_base(
        users[ADMIN],
        das,
        2026,
        {p.id: 10_000 for lot in das.lots for p in lot.products},
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    agreement = agreement_of(das.id, owner.organisation_id)
    assert agreement is not None
    variation = AgreementVariation(
        agreement_id=agreement.id,
        kind=VariationKind.TARIFFS,
        description="Tarieven 2026",
        effective_on=date(2026, 1, 1),
    )
    # A session of the owner's on another device, to end from the account page.
    other_device = UserSession(token_hash="0" * 64, user_id=owner.id)
    db.session.add_all([variation, other_device])
    db.session.commit()
    # A member of staff of the grid's DAS invited and not yet answering (issue 19).
    staff_invitation = StaffInvitation(
        das_id=das.id,
        email="collega@regio.example.nl",
        role=Role.REVIEWER,
        invited_by_id=users[ADMIN].id,
    )
    db.session.add(staff_invitation)
    # A question of the owner's about the grid's DAS, not yet answered (issue 20).
    question = Question(
        das_id=das.id,
        number=1,
        organisation_id=owner.organisation_id,
        asked_by_id=owner.id,
        subject=QuestionSubject.PROCEDURE,
        text="Hoe lang loopt de eerste ronde?",
    )
    db.session.add(question)
    db.session.commit()
    # A complaint with an attachment on the decided application, a message with one on the
    # agreement (issue 20).
    from portal.services import messages

    def attached() -> list[messages.IncomingFile]:
        return [messages.IncomingFile(io.BytesIO(factories.PDF_BYTES), "bijlage.pdf")]

    complaint = messages.post(
        submitted, owner, "Klacht", attached(), datetime(2027, 3, 3, 9, tzinfo=UTC), complaint=True
    )
    on_agreement = messages.post(
        agreement, owner, "Vraag", attached(), datetime(2027, 3, 3, 9, tzinfo=UTC)
    )
    # A mail the outbox gave up on, for the administrators' page to offer again (issue 20).
    from portal.models import MailState, OutboxMail

    failed_mail = OutboxMail(
        recipient=owner.email,
        subject="Onbezorgd",
        message_id="<grid@das-portaal.nl>",
        message=(
            f"From: portaal@das-portaal.nl\r\nTo: {owner.email}\r\nSubject: Onbezorgd\r\n\r\n"
            "Tekst\r\n"
        ).encode(),
        state=MailState.FAILED,
        attempts=8,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    db.session.add(failed_mail)
    db.session.commit()
    # An API token of the owner's organisation (issue 23).
    from portal.models import ApiScope
    from portal.services import api_tokens

    api_token = api_tokens.create(
        owner, "Rapportagesoftware", [ApiScope.KPI], datetime(2027, 3, 3, 9, tzinfo=UTC)
    ).token
    ids = {
        "failed_mail": failed_mail.id,
        "api_token": api_token.id,
        "complaint": complaint.id,
        "application_attachment": complaint.attachments[0].id,
        "agreement_attachment": on_agreement.attachments[0].id,
        "session": other_device.id,
        "staff_member": users[CONTRACT_MANAGER].id,
        "staff_invitation": staff_invitation.id,
        "question": question.id,
        "variation": variation.id,
        "sheet": sheet.id,
        "product": das.lots[0].products[0].id,
        "criterion": das.criteria[0].id,
        "decided": submitted.id,
        "clarification": clarification.id,
        "colleague": users[COLLEAGUE].id,
        "invitation": invitation.id,
        "slug": das.slug,
        "app": draft.id,
        "espd_import": espd_import.id,
        "submitted": in_review.id,
        "doc": submitted.answers[-1].documents[0].id,
        "photo": photo.id,
        "agreement": agreement.id,
    }
    return users, ids


@pytest.fixture()
def scenario(app: Flask) -> tuple[dict[str, Any], dict[str, Any]]:
    """The grid's scenario, built for one test (tests/test_fuzz_forms.py builds its world on it)."""
    return build_scenario()


@dataclass
class World:
    app: Flask
    urls: dict[str, str]
    sessions: dict[str, str]  # per audience, the session cookie of its one log-in
    state: DatabaseState
    files: dict[str, bytes]
    ids: dict[str, Any]  # the scenario's ids and slug, for URLs outside the grid

    def client(self, audience: str) -> FlaskClient:
        client = self.app.test_client()
        if audience != ANON:
            client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.sessions[audience])
        return client


def _build_world(app: Flask) -> World:
    users, ids = build_scenario()
    sessions = {}
    for audience, user in users.items():
        client = app.test_client()
        login(client, user)  # a log-in writes (the session record): before the snapshot
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        sessions[audience] = cookie.value
    urls = {endpoint: template.format(**ids) for endpoint, template in GRID_URLS}
    return World(
        app, urls, sessions, database_state(), evidence_files(app.config["EVIDENCE_DIR"]), ids
    )


_WORLD: list[World] = []


@pytest.fixture()
def world(app: Flask) -> World:
    """Built by the first case; put back before each later one (the suite wipes the database
    after every test)."""
    if not _WORLD:
        _WORLD.append(_build_world(app))
    else:
        restore_database(_WORLD[0].state)
        restore_evidence_files(app.config["EVIDENCE_DIR"], _WORLD[0].files)
    return _WORLD[0]
