"""Fuzzing: Hypothesis posts generated input to every POST form of the portal.

For each endpoint that accepts POST, a user who may use it posts to a real object (the scenario
of tests/test_authz.py), with the field names of the form the page shows (or of the WTForms
class when no page shows it in this state) and values that mix the plausible and the hostile:
Dutch dates and amounts, KvK numbers, e-mail addresses, empty and very long strings, NUL, RTL
marks, emoji, combining characters, numbers out of range, missing and repeated fields, random
files with random names. Every example must hold:

* the response is not a server error (with TESTING on, Flask raises instead of answering 500);
* a refused request writes nothing: every table's rows and the evidence directory's files are
  what they were before. A request is *refused* when it is answered with the form again (200),
  with 400/403/404/409/413/422/429, or with a redirect that flashes an "error" message (the way
  `supplier.start`, `catalogue.retire_product` and the colleague actions refuse). Any other
  redirect is a success (and so is the recovery-codes page of `auth.two_factor_setup`, which
  is shown once instead of redirecting); what a success wrote is put back (only the tables
  that changed, and the evidence files) before the next example, so each starts alike.

The scenario is built once and put back before each endpoint's test (the suite wipes the
database after every test). Passwords are hashed with one PBKDF2 round, as in the whole suite
(PASSWORD_HASH_METHOD): with the production hash a check costs 0.1 s, and the fuzzer checks
thousands.
The examples are fixed (`derandomize=True`, no example database), so a CI run is reproducible;
test_the_budget_is_spent prints how many ran per endpoint and how they ended.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.infra import tokens
from portal.infra.timeutil import local_date, now
from portal.models import Application, Clarification, Das, Role, User
from portal.services import calendar, kpis, review, tariffs
from tests import factories
from tests.support.app import PASSWORD, login
from tests.support.fuzz_inputs import (
    FUZZ_SETTINGS,
    NASTY_CHARACTERS,
    NASTY_STRINGS,
    OUT_OF_RANGE,
    amounts,
    dutch_dates,
    email_addresses,
    iso_dates,
    kvk_numbers,
    percentages,
    periods,
    valid_looking,
    years,
)
from tests.support.fuzzing import (
    DatabaseState,
    Field,
    changed_tables,
    database_fingerprint,
    database_state,
    evidence_files,
    form_class_fields,
    post_forms,
    restore_database,
    restore_evidence_files,
)
from tests.support.grid import (
    ADMIN,
    ANON,
    CONTRACT_MANAGER,
    EXPECTED,
    GRID_URLS,
    OWNER,
    REVIEWER,
)

# Fuzzing runs once, on PostgreSQL: the stricter database (NUL, lengths, types) of the two. With
# workers, `--dist loadfile` (scripts/test.sh) keeps the module on one, which builds the world once
# and sees every endpoint's tally (test_the_budget_is_spent).
pytestmark = pytest.mark.only_postgresql

# Examples per endpoint. Cheap pages get more, pages that draw a whole dossier fewer; the sum
# is at least 2,000 (test_the_budget_is_spent checks what actually ran). Three quarters of what
# they were until issue 23, so the suite stays within its ten minutes with the new endpoints.
BUDGET: dict[str, int] = {
    "admin.contact_point_form": 30,
    "admin.das_terms": 30,
    "admin.das_staff": 22,
    "admin.revoke_staff_access": 10,
    "admin.revoke_staff_invitation": 10,
    "auth.accept_staff_invitation": 22,
    "admin.das_new": 30,
    "admin.das_basics": 30,
    "admin.das_authorities": 22,
    "admin.das_publish": 10,
    "admin.das_close": 10,
    "admin.das_end": 10,
    "admin.new_criterion": 30,
    "admin.edit_criterion": 30,
    "admin.copy_criteria": 22,
    "admin.remove_criterion": 10,
    "admin.move_criterion": 10,
    "admin.holidays": 38,
    "admin.remove_holiday": 11,
    "admin.retry_mail": 10,
    "auth.accept_invitation": 38,
    "auth.account_two_factor_setup": 22,
    "auth.change_password": 38,
    "auth.disable_two_factor": 22,
    "auth.daily_digest": 11,
    "auth.end_other_sessions": 11,
    "auth.end_session": 11,
    "auth.forgot_password": 38,
    "auth.login": 45,
    "auth.register": 52,
    "auth.resend_verification": 30,
    "auth.two_factor": 38,
    "auth.two_factor_setup": 30,
    "auth.reset_password": 38,
    "catalogue.base_tariffs": 30,
    "catalogue.edit_product": 38,
    "catalogue.index_figures": 38,
    "catalogue.indexation": 15,
    "catalogue.lot_form": 30,
    "catalogue.lump_sums": 30,
    "catalogue.new_product": 38,
    "catalogue.retire_product": 11,
    "catalogue.tariff_admin": 38,
    "contracts.change_state": 26,
    "contracts.correct_kpi": 26,
    "contracts.add_default_kpis": 10,
    "contracts.countersign": 19,
    "contracts.exercise_option": 22,
    "contracts.log_talk": 30,
    "contracts.talk_report": 11,
    "contracts.action_done": 11,
    "contracts.select_for_talks": 15,
    "contracts.talk_selection": 15,
    "contracts.log_group_talk": 30,
    "contracts.group_talk_report": 11,
    "contracts.talk_outcome": 11,
    "contracts.remind_late": 15,
    "contracts.management_settings": 26,
    "contracts.save_kpi_definition": 34,
    "contracts.sroi_turnover": 30,
    "contracts.sroi_turnover_import": 22,
    "contracts.agree_ceiling": 30,
    "contracts.index_ceiling": 11,
    "contracts.close_lump_sum_review": 11,
    "supplier.lump_sum": 34,
    # Anyone uploads a PDF to be checked (issue 24): read, never stored.
    "public.verify_document": 19,
    "review.add_note": 19,
    "review.ask_clarification": 22,
    "review.assess": 26,
    "review.assign": 19,
    "review.assign_many": 19,
    "review.confirm": 11,
    "review.declare_conflict": 19,
    "review.extend": 19,
    "review.propose": 26,
    "review.request_declaration": 19,
    "review.return_decision": 15,
    "review.suspend": 19,
    "set_language": 22,
    "supplier.accept_variation": 11,
    "supplier.clarification": 30,
    "supplier.colleagues": 38,
    "supplier.documents": 45,
    "supplier.espd_import": 22,
    "supplier.espd_import_adopt": 15,
    "supplier.exclusion": 34,
    "supplier.kpi_report": 34,
    "supplier.kpi_upload": 34,
    "supplier.lots": 26,
    "supplier.save_profile": 45,
    "supplier.remove_colleague": 11,
    "supplier.revoke_invitation": 11,
    "supplier.sign": 26,
    "supplier.sroi": 34,
    "supplier.two_factor_policy": 15,
    "supplier.api_token_create": 30,  # issue 23
    "supplier.api_token_revoke": 11,
    "supplier.start": 11,
    "supplier.submit": 19,
    "supplier.suitability": 34,
    "supplier.update_declaration": 11,
    "supplier.waiting_times": 34,
    "supplier.waiting_times_confirm": 10,
    # Messages and complaints (issue 20).
    "supplier.application_messages": 30,
    "supplier.agreement_messages": 22,
    "review.application_messages": 22,
    "review.close_complaint": 19,
    "contracts.agreement_messages": 22,
    # Questions and answers on a DAS (issue 20)
    "supplier.das_questions": 30,
    "review.das_question": 30,
    "review.correct_question": 19,
    "review.merge_question": 19,
}

# Staff who have given their password and not yet their code (auth.two_factor and its set-up).
PENDING_CODE = "reviewer between password and code"
PENDING_SETUP = "new staff member between password and set-up"
PENDING = {PENDING_CODE, PENDING_SETUP}

# What a refused post may still write, deliberately, per endpoint: a file that was fine but came
# with a wrong date is kept as a pending upload, so that the user need not choose it again
# (issue 17); the suitability page saves the answers, and the uploads that were fine, even when
# another of its uploads is refused.
KEPT_WHEN_REFUSED = {
    "supplier.documents": {"pending_upload"},
    "supplier.suitability": {
        "pending_upload",
        "evidence_document",
        "answer",
        "answer_evidence",
        "audit_event",
        "audit_chain_head",
    },
}

# POST endpoints deliberately not fuzzed, each with its reason.
NOT_FUZZED = {
    # Takes no input and ends the session the other examples need; tests/views cover it.
    "auth.logout",
    # The JSON API (issue 23) takes no forms and answers every session with 401: its bodies are
    # fuzzed as JSON in tests/api/test_api_fuzz.py.
    "api.report_kpi_values",
    "api.report_sroi",
    "api.update_waiting_times",
    "api.confirm_waiting_times",
}

# Where the form of an endpoint without a GET page of its own is shown (an endpoint of GRID_URLS).
HOST_PAGES = {
    "supplier.waiting_times_confirm": "supplier.waiting_times",
    "supplier.espd_import_adopt": "supplier.espd_import_result",
    "admin.retry_mail": "admin.jobs",
    "admin.das_publish": "admin.das_settings",
    "admin.das_close": "admin.das_settings",
    "admin.das_end": "admin.das_settings",
    "set_language": "public.home",
    "supplier.save_profile": "supplier.profile",
    "contracts.exercise_option": "contracts.options",
    "contracts.save_kpi_definition": "contracts.kpi_definitions",
    "contracts.add_default_kpis": "contracts.kpi_definitions",
    "auth.resend_verification": "auth.check_email",
    "supplier.start": "supplier.dashboard",
    "supplier.update_declaration": "supplier.dashboard",
    "supplier.remove_colleague": "supplier.colleagues",
    "supplier.revoke_invitation": "supplier.colleagues",
    "supplier.sign": "supplier.agreement",
    "supplier.accept_variation": "supplier.agreement",
    "supplier.kpi_upload": "supplier.kpi_report",
    "review.declare_conflict": "review.application",
    "review.assign": "review.application",
    "review.add_note": "review.application",
    "review.assign_many": "review.queue",
    "review.extend": "review.application",
    "review.assess": "review.application",
    "review.ask_clarification": "review.application",
    "review.propose": "review.application",
    "review.confirm": "review.application",
    "review.return_decision": "review.application",
    "review.request_declaration": "review.application",
    "review.suspend": "review.reverification",
    "review.close_complaint": "review.application_messages",
    "catalogue.retire_product": "catalogue.products",
    "admin.remove_criterion": "admin.das_criteria",
    "admin.move_criterion": "admin.das_criteria",
    "admin.revoke_staff_access": "admin.das_staff",
    "admin.revoke_staff_invitation": "admin.das_staff",
    "contracts.countersign": "contracts.agreement",
    "contracts.change_state": "contracts.agreement",
    "contracts.log_talk": "contracts.dashboard",
    "contracts.talk_report": "contracts.dashboard",
    "contracts.action_done": "contracts.dashboard",
    "contracts.select_for_talks": "contracts.dashboard",
    "contracts.talk_selection": "contracts.talks",
    "contracts.log_group_talk": "contracts.talks",
    "contracts.group_talk_report": "contracts.talks",
    "contracts.talk_outcome": "contracts.talks",
    "contracts.remind_late": "contracts.late_reports",
    "contracts.correct_kpi": "contracts.dashboard",
    "contracts.management_settings": "contracts.overview",
    "contracts.sroi_turnover_import": "contracts.sroi_turnover",
    "contracts.agree_ceiling": "contracts.lump_sum",
    "contracts.index_ceiling": "contracts.lump_sum",
    "contracts.close_lump_sum_review": "contracts.lump_sum",
    "admin.remove_holiday": "admin.holidays",
    "auth.end_other_sessions": "auth.account",
    "auth.daily_digest": "auth.account",
    "auth.end_session": "auth.account",
    "auth.disable_two_factor": "auth.account",
    "supplier.two_factor_policy": "supplier.colleagues",
    "supplier.api_token_create": "supplier.api_tokens",
    "supplier.api_token_revoke": "supplier.api_tokens",
    "review.merge_question": "review.das_question",
    "review.correct_question": "review.das_question",
}


def fallback_fields(world: World, endpoint: str) -> tuple[Field, ...] | None:
    """The fields of forms the scenario's pages do not show in its state (a decision awaiting a
    second reviewer, an empty draft, an agreement whose first quarter has not ended yet ...):
    from the WTForms class, or from what the view reads when it has none."""
    from flask_wtf import FlaskForm

    from portal.admin.das_forms import PublishForm as DasPublishForm
    from portal.admin.das_forms import StateForm as DasStateForm
    from portal.auth.forms import PasswordCheckForm
    from portal.catalogue.forms import PublishForm
    from portal.contracts.forms import ActionDoneForm, CountersignForm, RemindForm, TalkReportForm
    from portal.contracts.lump_sum_forms import IndexCeilingForm, ReviewForm
    from portal.contracts.talk_forms import OutcomeForm, YearSelectionForm
    from portal.models import KpiDefinition
    from portal.review import forms as review_forms
    from portal.review.question_forms import CorrectionForm
    from portal.supplier.forms import KpiUploadForm, SubmitForm
    from portal.supplier.lump_sum_forms import ResultForm

    if endpoint == "supplier.kpi_report":  # reads request.form itself
        definitions = db.session.scalars(db.select(KpiDefinition.id)).all()
        # One form for a year (issue 21): a field per KPI and period start.
        starts = ("2027-01-01", "2027-04-01", "2026-10-01", "2026-07-01")
        return (
            Field("jaar", "select", ("2026", "2027", "2025", "0")),
            *(Field(f"kpi{id_}_{start}", "text") for id_ in definitions for start in starts),
            Field("reason", "textarea"),
        )
    if endpoint == "supplier.waiting_times":  # reads request.form itself (issue 23)
        from portal.models import ContractingAuthority, Lot, Product

        lots = db.session.scalars(db.select(Lot.id)).all()
        products = db.session.scalars(db.select(Product.id)).all()
        areas = db.session.scalars(db.select(ContractingAuthority.id)).all()
        return (
            *(
                Field(f"lot{id_}-{name}", "text")
                for id_ in lots
                for name in ("intake", "treatment", "note")
            ),
            *(Field(f"lot{id_}-accepts", "select", ("ja", "nee")) for id_ in lots),
            Field(
                "new1-scope",
                "select",
                ("", *(f"lot:{i}" for i in lots), *(f"product:{i}" for i in products)),
            ),
            Field("new1-authority", "select", ("", *(str(i) for i in areas))),
            Field("new1-intake", "text"),
            Field("new1-treatment", "text"),
            Field("new1-accepts", "select", ("ja", "nee")),
            Field("new1-note", "textarea"),
        )
    from portal.supplier.waiting_forms import ConfirmWaitingTimesForm

    form_class = {
        "supplier.waiting_times_confirm": ConfirmWaitingTimesForm,  # shown once there are entries
        "review.declare_conflict": review_forms.ConflictForm,  # declared already (_build_world)
        "review.confirm": review_forms.ConfirmForm,
        "review.return_decision": review_forms.ReturnForm,
        "review.request_declaration": review_forms.DeclarationRequestForm,
        "review.suspend": review_forms.SuspendForm,
        "contracts.countersign": CountersignForm,
        "contracts.talk_report": TalkReportForm,  # the world has no planned talk
        "contracts.group_talk_report": TalkReportForm,  # nor a talk of the DAS's year
        "contracts.talk_outcome": OutcomeForm,
        "contracts.talk_selection": YearSelectionForm,  # shown once someone can be ranked
        "contracts.action_done": ActionDoneForm,  # nor an action
        "contracts.remind_late": RemindForm,  # nor, perhaps, a late report
        # The world's agreement has no ceiling to index, no result to review, no year to report.
        "contracts.index_ceiling": IndexCeilingForm,
        "contracts.close_lump_sum_review": ReviewForm,
        "supplier.lump_sum": ResultForm,
        "catalogue.indexation": PublishForm,
        "supplier.submit": SubmitForm,
        "supplier.kpi_upload": KpiUploadForm,
        "supplier.update_declaration": FlaskForm,
        "contracts.add_default_kpis": FlaskForm,  # the button goes once the DAS has KPIs
        "auth.disable_two_factor": PasswordCheckForm,  # shown once verification is on
        # Shown while the DAS is a concept; the world's DAS is published.
        "admin.remove_criterion": FlaskForm,
        "admin.move_criterion": FlaskForm,
        # The settings page shows the action of the DAS's state; the world's DAS is open.
        "admin.das_publish": DasPublishForm,
        "admin.das_end": DasStateForm,
        # Shown once an answer is published; the world's question is open.
        "review.correct_question": CorrectionForm,
    }.get(endpoint)
    if form_class is None:
        return None
    with world.app.test_request_context():
        return form_class_fields(form_class(formdata=None))


# Who posts where the grid's audiences cannot (between the password and the code).
POSTERS = {
    "auth.two_factor": PENDING_CODE,
    "auth.two_factor_setup": PENDING_SETUP,
}


# A refusal answers with the form again or with one of these; see the module docstring.
REFUSAL_STATUSES = {200, 400, 403, 404, 409, 413, 422, 429}
# Endpoints whose success is a page rather than a redirect, and refuse with the error summary.
SUCCESS_PAGES = {
    "auth.two_factor_setup",  # shows the recovery codes once; a reload must not show them again
    "auth.account_two_factor_setup",  # likewise, from the account page
    "supplier.api_token_create",  # shows a new API token's secret once (issue 23)
}
REDIRECTS = {302, 303}


# Examples run, and how they ended, per endpoint (reported by test_the_budget_is_spent).
TALLY: dict[str, Counter[str]] = {}


# --- the objects the forms point at ---------------------------------------------------------


@dataclass
class World:
    app: Flask
    emails: dict[str, str]  # per audience
    ids: dict[str, Any]
    urls: dict[str, str]
    sessions: dict[str, str | None]  # per audience, the session cookie of one log-in
    state: DatabaseState
    files: dict[str, bytes]
    known: Hints

    def client(self, audience: str):
        """A fresh client, signed in as the audience (or between password and code)."""
        cookie_name = self.app.config["SESSION_COOKIE_NAME"]
        if audience not in self.sessions:
            client = self.app.test_client()
            if audience in PENDING:
                # The password step only: the session waits for the code (five minutes).
                data = {"email": self.emails[audience], "password": PASSWORD}
                assert client.post("/inloggen", data=data).status_code == 302
            elif audience != ANON:
                user = db.session.scalar(db.select(User).where(User.email == self.emails[audience]))
                login(client, user)
            cookie = client.get_cookie(cookie_name)
            self.sessions[audience] = cookie.value if cookie else None
        client = self.app.test_client()
        if self.sessions[audience] is not None:
            client.set_cookie(cookie_name, self.sessions[audience])
        return client


# The code the reviewer's authenticator shows now (only for the code form: "code" elsewhere is
# a product code).
TOTP_HINT: Hints = ((r"^code$", st.builds(lambda: pyotp.TOTP(factories.TOTP_SECRET).now())),)
# The world is built once per run and put back before each test (the suite wipes the database
# after every test); building it takes half a second, putting it back a few milliseconds.
_WORLD: list[World] = []


@pytest.fixture()
def world(app: Flask, request: pytest.FixtureRequest) -> World:
    if _WORLD:
        world = _WORLD[0]
        restore_database(world.state)
        restore_evidence_files(app.config["EVIDENCE_DIR"], world.files)
        for audience in PENDING:  # those sessions expire; the next test starts its own
            world.sessions.pop(audience, None)
        return world
    _WORLD.append(_build_world(app, request))
    return _WORLD[0]


def _build_world(app: Flask, request: pytest.FixtureRequest) -> World:
    """The grid's scenario (tests/support/grid.py), plus what lets a few forms reach their
    service: valid reset and invitation links, an equated holiday to remove, an open
    clarification to answer."""
    users, ids = request.getfixturevalue("scenario")
    new_staff = factories.UserFactory(
        role=Role.REVIEWER, totp_secret=None, totp_confirmed_at=None
    )  # has not set up two-step verification yet
    emails = {audience: user.email for audience, user in users.items()}
    emails[PENDING_CODE] = users[REVIEWER].email
    emails[PENDING_SETUP] = new_staff.email
    owner, reviewer, admin = users[OWNER], users[REVIEWER], users[ADMIN]

    # The holidays page shows this year's days.
    holiday = date(local_date(now()).year, 6, 15)
    calendar.add_equated_day(admin, holiday, "Fuzzdag")
    # The reviewer has declared no conflict, so the page shows the assessment and decision.
    in_review = db.session.get(Application, ids["submitted"])
    review.declare_conflict(in_review, reviewer, False, "", datetime(2027, 3, 2, 9, tzinfo=UTC))
    # KPIs to report and correct; index figures so the 2027 indexation can be previewed.
    das = db.session.scalar(db.select(Das).where(Das.slug == ids["slug"]))
    kpis.ensure_default_kpis(admin, das)
    db.session.commit()
    tariffs.save_figures(
        admin, das, tariffs.FiguresInput(2027, Decimal("3.1"), Decimal("2.4"), None, None), False
    )
    open_question = Clarification(
        application_id=ids["decided"],
        asked_by_id=reviewer.id,
        reply_due_on=date(2027, 3, 20),
        question="Graag een toelichting.",
        asked_at=datetime(2027, 3, 2, 10, tzinfo=UTC),
    )
    db.session.add(open_question)
    db.session.commit()
    reset = tokens.make(
        tokens.RESET_PASSWORD,
        {"user": owner.id, "fp": tokens.password_fingerprint(owner.password_hash)},
    )
    invitation = tokens.make(
        tokens.INVITATION, {"invitation": ids["invitation"], "email": "nieuw@example.nl"}
    )
    urls = {endpoint: template.format(**ids) for endpoint, template in GRID_URLS}
    urls["auth.reset_password"] = f"/wachtwoord-herstellen/{reset}"
    urls["auth.accept_invitation"] = f"/uitnodiging/{invitation}"
    staff_invitation = tokens.make(
        "staff-invitation",
        {"invitation": ids["staff_invitation"], "email": "collega@regio.example.nl"},
    )
    urls["auth.accept_staff_invitation"] = f"/uitnodiging/medewerker/{staff_invitation}"
    urls["admin.remove_holiday"] = f"/beheer/feestdagen/{holiday.isoformat()}/verwijderen"
    urls["supplier.clarification"] = (
        f"/aanbieder/aanmeldingen/{ids['decided']}/vragen/{open_question.id}"
    )
    # Values only this world knows: its users' addresses, the reviewer's current code.
    known: Hints = (
        (r"email", st.one_of(st.sampled_from(sorted(set(emails.values()))), email_addresses)),
    )
    world = World(app, emails, ids, urls, {}, DatabaseState({}), {}, known)
    for audience in (ANON, *users):
        world.client(audience)  # log in now: a log-in writes (last_login_at)
    world.state = database_state()
    world.files = evidence_files(app.config["EVIDENCE_DIR"])
    return world


def audience_for(endpoint: str) -> str:
    """Who posts: anyone for a public page, else the first audience the grid lets through."""
    if endpoint in POSTERS:
        return POSTERS[endpoint]
    expected = EXPECTED[(endpoint, "POST")]
    for audience in (ANON, OWNER, REVIEWER, CONTRACT_MANAGER, ADMIN):
        if audience in expected and expected[audience] not in (403, "login"):
            return audience
    raise AssertionError(f"no audience may use {endpoint}")


def discover_forms(
    world: World, endpoint: str, audience: str
) -> tuple[list[tuple[Field, ...]], str]:
    """The fields of the forms that post to the endpoint's URL, from the page that shows them,
    else from the WTForms class."""
    app = world.app
    methods = {m for rule in app.url_map.iter_rules(endpoint) for m in rule.methods or ()}
    page = endpoint if "GET" in methods else HOST_PAGES[endpoint]
    page_url = world.urls[page]
    response = world.client(audience).get(page_url)
    target = urlsplit(world.urls[endpoint]).path
    forms = post_forms(response.get_data(as_text=True), urlsplit(page_url).path, target)
    if forms:
        return forms, f"page {page}"
    fields = fallback_fields(world, endpoint)
    assert fields is not None, (
        f"no form posting to {target} on {page_url} ({response.status_code}): "
        "name the page in HOST_PAGES or the form in fallback_fields()"
    )
    return [fields], "the form class"


# --- generated input ------------------------------------------------------------------------

empty = st.sampled_from(["", " ", "\t\n "])
long_text = st.builds(
    lambda piece, times: (piece * times)[:5000],
    st.text(min_size=1, max_size=8),
    st.integers(min_value=300, max_value=5000),
)
hostile_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.builds(
        lambda before, nasty, after: before + nasty + after,
        st.text(max_size=12),
        st.sampled_from(NASTY_CHARACTERS),
        st.text(max_size=12),
    ),
    st.sampled_from(NASTY_STRINGS),
    st.builds(lambda a, b: a + b, valid_looking, st.sampled_from(NASTY_CHARACTERS)),
)
out_of_range = st.one_of(
    st.sampled_from(OUT_OF_RANGE),
    st.integers().map(str),
    st.floats().map(str),
)

# Hints by field name: what a sensible person would type there.
decimals = st.decimals(min_value=-100, max_value=1000, places=2).map(str)  # WTForms: a dot
Hints = tuple[tuple[str, st.SearchStrategy[str]], ...]
HINTS: list[tuple[str, st.SearchStrategy[str]]] = [
    (r"email", email_addresses),
    (r"password", st.one_of(st.just(PASSWORD), st.text(min_size=12, max_size=30))),
    (r"kvk|agb", kvk_numbers),
    (r"branch", st.integers(0, 10**12 - 1).map("{:012d}".format)),
    (r"iban", st.sampled_from(["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00"])),
    (r"vat", st.sampled_from(["NL000099998B57", "nl000099998b57"])),
    (r"postcode", st.sampled_from(["6041 AB", "6041AB"])),
    (r"(^|_)(on|day|due|from|to)(_\d)?$|date", st.one_of(dutch_dates, iso_dates)),
    (r"amount|^p\d+$", amounts),
    (r"percent|ova|ppc|weight", st.one_of(percentages, decimals)),
    (r"threshold|target", st.one_of(decimals, amounts)),
    (r"year", years),
    (r"period|quarter", st.one_of(periods, iso_dates)),
    (r"^kpi\d+(_[\d-]+)?$|value", st.one_of(percentages, st.integers(-5, 500).map(str))),
    (r"top_n", st.integers(-1, 600).map(str)),
    (r"ijw_category", st.sampled_from(["45", "43", "10", "4"])),
    (r"^code$", st.sampled_from(["45A01", "45A02", "45A03", "1", "ZZ", "A" * 6, "ab_1"])),
    (r"next", st.sampled_from(["/aanbieder/", "//evil.example/", "https://evil.example/x"])),
]


@dataclass(frozen=True)
class Upload:
    content: bytes
    filename: str

    def __repr__(self) -> str:
        return f"Upload({self.content[:60]!r}{'...' if len(self.content) > 60 else ''}, {self.filename!r})"


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def _csv(rows: list[tuple[str, ...]], header: str) -> bytes:
    return (header + "\n" + "\n".join(";".join(row) for row in rows)).encode()


file_contents = st.one_of(
    st.binary(max_size=600),
    st.binary(max_size=300).map(lambda tail: PDF + tail),
    st.binary(max_size=300).map(lambda tail: PNG + tail),
    st.binary(max_size=300).map(lambda tail: b"PK\x03\x04" + tail),  # a broken xlsx/docx
    st.builds(
        _csv,
        st.lists(st.tuples(st.sampled_from(["45A01", "45A02", "ZZ", ""]), amounts), max_size=4),
        st.sampled_from(["productcode;tarief", "productcode,tarief,eenheid", "", "tarief"]),
    ),
    st.builds(
        _csv,
        st.lists(
            st.tuples(st.sampled_from(["TEVREDEN", "x", ""]), periods, percentages), max_size=4
        ),
        st.sampled_from(["kpi;periode;waarde", "kpi;periode;waarde;perceel;gemeente", ""]),
    ),
    st.builds(
        lambda piece, times: piece * times,
        st.binary(min_size=1, max_size=4),
        st.integers(1, 50_000),
    ),
    st.text(max_size=200).map(lambda text: text.encode("utf-16")),
)
filenames = st.one_of(
    st.sampled_from(
        ["bewijs.pdf", "tarieven.csv", "cijfers.xlsx", "foto.png", "brief.docx", "x.PDF", ""]
        + [".pdf", "../../etc/passwd", "a" * 300 + ".pdf", "naam\x00.pdf", "جدول.csv"]
        + ["😀.pdf", "CON", "bewijs.pdf.exe", "tarieven.csv ", "noext"]
    ),
    st.text(max_size=40),
)
uploads = st.builds(Upload, file_contents, filenames)


sensible_uploads = st.one_of(
    st.builds(Upload, st.binary(max_size=200).map(lambda tail: PDF + tail), st.just("bewijs.pdf")),
    st.builds(
        Upload,
        st.builds(
            _csv,
            st.lists(st.tuples(st.sampled_from(["45A01", "45A02"]), amounts), max_size=3),
            st.just("productcode;tarief"),
        ),
        st.just("tarieven.csv"),
    ),
    st.builds(
        Upload,
        st.builds(
            _csv,
            st.lists(
                st.tuples(st.sampled_from(["CLIENTS", "DROPOUT", "WAITING"]), periods, percentages),
                max_size=3,
            ),
            st.just("kpi;periode;waarde"),
        ),
        st.just("cijfers.csv"),
    ),
)
plain_text = st.text("abcdefghijklmnopqrstuvwxyz ABCXYZ-'éëï0123456789", min_size=1, max_size=40)


def sensible(field: Field, known: Hints = ()) -> st.SearchStrategy[Any]:
    """What a careful user would enter: an offered option, a value that fits the name."""
    if field.kind == "file":
        return sensible_uploads
    if field.options:
        if field.kind == "checkbox":
            return st.lists(st.sampled_from(field.options), unique=True)
        return st.sampled_from(field.options)
    for pattern, strategy in (*known, *HINTS):
        if re.search(pattern, field.name):
            return strategy
    if field.kind == "date":
        return st.one_of(dutch_dates, iso_dates)
    return plain_text


def hostile(field: Field) -> st.SearchStrategy[Any]:
    mix = [valid_looking, empty, long_text, hostile_text, out_of_range]
    return st.one_of([uploads, *mix] if field.kind == "file" else mix)


@st.composite
def form_inputs(
    draw: st.DrawFn, forms: list[tuple[Field, ...]], known: Hints = ()
) -> dict[str, Any]:
    """One form's fields. A third of the examples fill every field sensibly (so the services
    are reached, not only the validators), a third spoil one field, a third are chaos: each
    field missing, repeated or filled with anything. Sometimes with an unknown extra field."""
    fields = draw(st.sampled_from(forms))
    mode = draw(st.sampled_from(["sensible", "one spoilt", "chaos"]))
    spoilt = draw(st.integers(0, len(fields) - 1)) if fields and mode == "one spoilt" else -1
    data: dict[str, Any] = {}
    for index, field in enumerate(fields):
        if mode == "sensible" or (mode == "one spoilt" and index != spoilt):
            data[field.name] = draw(sensible(field, known))
            continue
        presence = draw(st.sampled_from(["once", "once", "once", "missing", "repeated"]))
        values = st.one_of(sensible(field, known), hostile(field), hostile(field))
        if presence == "once":
            data[field.name] = draw(values)
        elif presence == "repeated":
            data[field.name] = draw(st.lists(values, min_size=2, max_size=3))
    if not fields or draw(st.integers(0, 9)) == 0:
        data[draw(st.sampled_from(["extra", "csrf_token", "id", "__proto__", "x" * 200]))] = draw(
            st.one_of(valid_looking, hostile_text)
        )
    return data


def request_data(inputs: dict[str, Any]) -> MultiDict[str, Any]:
    """The generated input as the test client posts it: files as fresh streams."""

    def one(value: Any) -> Any:
        return (io.BytesIO(value.content), value.filename) if isinstance(value, Upload) else value

    data: MultiDict[str, Any] = MultiDict()
    for name, value in inputs.items():
        for item in value if isinstance(value, list) else [value]:
            for leaf in item if isinstance(item, list) else [item]:  # a repeated checkbox list
                data.add(name, one(leaf))
    return data


# --- the tests ------------------------------------------------------------------------------


def test_every_post_endpoint_is_fuzzed(app: Flask) -> None:
    """A new POST endpoint must be added to BUDGET (or, with a reason, to NOT_FUZZED)."""
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    assert posting - set(BUDGET) - NOT_FUZZED == set(), "POST endpoints nobody fuzzes"
    assert set(BUDGET) - posting == set(), "fuzzed endpoints that no longer take POST"
    assert not set(BUDGET) & NOT_FUZZED


def _flash_categories(client: Any, app: Flask) -> list[str]:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return []
    interface = app.session_interface
    assert isinstance(interface, SecureCookieSessionInterface)
    session = interface.get_signing_serializer(app).loads(cookie.value)
    return [category for category, _message in session.get("_flashes", [])]


@pytest.mark.parametrize("endpoint", sorted(BUDGET))
def test_fuzz_post_form(app: Flask, world: World, endpoint: str) -> None:
    audience = audience_for(endpoint)
    url = world.urls[endpoint]
    forms, source = discover_forms(world, endpoint, audience)
    evidence_dir = app.config["EVIDENCE_DIR"]
    # A session last seen over five minutes ago is touched by the next request (a legitimate
    # write, not the form's): on a slow run it would be the first example's. Touch it first, as
    # test_nul_in_a_valid_form does; the home page reads the signed-in user.
    assert world.client(audience).get("/").status_code == 200
    # What every example starts from (the log-ins above wrote last_login_at).
    baseline, baseline_files = database_state(), evidence_files(evidence_dir)
    before, before_files = database_fingerprint(), sorted(baseline_files)
    known = world.known + (TOTP_HINT if endpoint == "auth.two_factor" else ())
    tally = TALLY.setdefault(endpoint, Counter())

    @settings(FUZZ_SETTINGS, max_examples=BUDGET[endpoint])
    @given(inputs=form_inputs(forms, known))
    def post(inputs: dict[str, Any]) -> None:
        tally["examples"] += 1
        client = world.client(audience)
        where = f"POST {url} as {audience} ({endpoint}, fields from {source})"
        try:
            response = client.post(url, data=request_data(inputs))
        except Exception as error:  # Flask re-raises in TESTING: in production this is a 500
            raise AssertionError(f"{where}: server error {error!r} for {inputs!r}") from error
        status = response.status_code
        assert status < 500, f"{where}: {status} for {inputs!r}"
        if audience != ANON and status in REDIRECTS:
            assert urlsplit(response.location).path != "/inloggen", f"{where}: signed out"
        flashed = _flash_categories(client, app)
        if status in REDIRECTS:
            refused = "error" in flashed
        elif status == 200 and endpoint in SUCCESS_PAGES:
            refused = 'class="error-summary"' in response.get_data(as_text=True)
        else:
            assert status in REFUSAL_STATUSES, f"{where}: unexpected {status} for {inputs!r}"
            refused = True
        tally[f"{status}{' refused' if refused else ''}"] += 1
        after = database_fingerprint()
        after_files = sorted(evidence_files(evidence_dir))
        kept = KEPT_WHEN_REFUSED.get(endpoint, set())
        if refused:
            changed = {t: c for t, c in changed_tables(before, after).items() if t not in kept}
            assert changed == {}, (
                f"{where}: refused with {status} but wrote to the database for {inputs!r}"
            )
            # A kept pending upload is stored like evidence, by its hash.
            assert kept or after_files == before_files, (
                f"{where}: refused with {status} but wrote files for {inputs!r}"
            )
        if after != before:
            restore_database(baseline, only=set(changed_tables(before, after)))
            assert database_fingerprint() == before, "the database was not put back"
        if after_files != before_files:
            restore_evidence_files(evidence_dir, baseline_files)

    post()


# NUL in free text: PostgreSQL cannot store it, so it once gave a 500 there (found by this
# fuzzer). Now every request carrying NUL in a form or query value is refused with a 400 page
# (portal/web/register.py, refuse_nul_characters), and nothing is written.
NUL_IN_VALID_FORMS = [
    ("supplier.save_profile", {"legal_name": "Jeugdhulp B.V.", "trade_name": "a\x00b"}),
    ("admin.holidays", {"day": "2026-07-01", "name": "Dag\x00"}),
    ("catalogue.lot_form", {"code": "9", "name": "Perceel\x00"}),
    ("contracts.log_talk", {"kind": "account", "held_on": "2026-07-01", "participants": "A\x00"}),
]


@pytest.mark.parametrize(("endpoint", "data"), NUL_IN_VALID_FORMS)
def test_nul_in_a_valid_form(app: Flask, world: World, endpoint: str, data: dict[str, str]) -> None:
    data = {"kvk_number": "12345678", "size_class": "micro", **data}  # the profile's others
    client = world.client(audience_for(endpoint))
    # A session last seen over five minutes ago is touched by the next request (a legitimate
    # write, not the form's): after a long fuzzing run it would be this post's. Touch it first.
    assert client.get(world.urls[HOST_PAGES.get(endpoint, endpoint)]).status_code == 200
    before = database_fingerprint()
    response = client.post(world.urls[endpoint], data=data)
    assert response.status_code == 400
    assert "tekens die wij niet kunnen verwerken" in response.get_data(as_text=True)
    assert database_fingerprint() == before


def test_the_budget_is_spent(capsys: pytest.CaptureFixture[str]) -> None:
    """At least 2,000 examples ran in all (when the whole module ran); the tally is printed."""
    if set(TALLY) != set(BUDGET):
        pytest.skip("only part of the module ran")
    total = sum(t["examples"] for t in TALLY.values())
    with capsys.disabled():
        print()
        for endpoint, tally in sorted(TALLY.items()):
            outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()) if k != "examples")
            print(f"fuzz {endpoint}: {tally['examples']} examples ({outcomes})")
        print(f"fuzz total: {total} examples over {len(TALLY)} POST endpoints")
    assert total >= 2000
