"""Fuzzing every GET route's path and query string.

The POST fuzzer (tests/test_fuzz_forms.py) fills in forms; this one walks `app.url_map` for every
route that answers GET and asks for it, as each audience that may see it, with generated path
values and query parameters. Path values are the scenario's real ids and slugs, or hostile ones
(ids past 32 and 64 bits, zero, unicode digits, long strings, NUL); query parameters are the
names the portal reads (found in its source: `request.args.get("...")` and the filter forms
built from `request.args`) and random names, with hostile numbers (NaN, Infinity, -1, 10**20,
1e999999) and strings. Every example must hold: no server error (with TESTING on, Flask
raises instead of answering 500).

Cheap on purpose: a few examples per route and audience (BUDGET_PER_ROUTE), from the POST
fuzzer's world, which is built once per run.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, Rule

import portal
from portal.auth.access import API_TOKEN, ORGANISATION_ADMIN, PUBLIC, SIGNED_IN, access_of
from portal.extensions import db
from portal.models import KpiDefinition, Role
from tests.support.fuzz_inputs import (
    FUZZ_SETTINGS,
    NASTY_CHARACTERS,
    NASTY_STRINGS,
    OUT_OF_RANGE,
    valid_looking,
)
from tests.support.fuzzing import database_fingerprint, form_class_fields
from tests.support.grid import ADMIN, ANON, CONTRACT_MANAGER, OWNER, REVIEWER, World

# Fuzzing runs once, on PostgreSQL: the stricter database (NUL, lengths, types) of the two.
pytestmark = pytest.mark.only_postgresql

# `world`: the authorization grid's (tests/support/grid.py), built once per process and put back
# before each case.

ROOT = Path(portal.__file__).resolve().parent.parent
# Examples per route and audience: each is one request.
BUDGET_PER_ROUTE = 12
# Flask's static files are served from disk, not from our views.
NOT_FUZZED = {"static"}
# The groups the test is split in: one per blueprint, "" for the app's own routes.
BLUEPRINTS = ["", "admin", "api", "auth", "catalogue", "contracts", "public", "review", "supplier"]
AUDIENCE_OF_ROLE = {
    Role.PROVIDER: OWNER,
    Role.REVIEWER: REVIEWER,
    Role.CONTRACT_MANAGER: CONTRACT_MANAGER,
    Role.ADMINISTRATOR: ADMIN,
}


def audiences(app: Flask, endpoint: str) -> list[str]:
    """Everyone who may see the page: anyone for a public one, else each role it allows."""
    decision = access_of(app, endpoint)
    if decision == PUBLIC:
        return [ANON]
    if decision == SIGNED_IN:
        return [OWNER, REVIEWER]
    if decision == ORGANISATION_ADMIN:
        return [OWNER]
    if isinstance(decision, tuple) and decision[0] == API_TOKEN:
        # The API (issue 23) answers a session with 401 before it reads a path value; with a
        # token, tests/api/test_api_fuzz.py fuzzes its bodies.
        return [ANON]
    assert isinstance(decision, frozenset), f"{endpoint} has no access decision"
    return [AUDIENCE_OF_ROLE[role] for role in sorted(decision, key=lambda r: r.value)]


def get_rules(app: Flask) -> list[Rule]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and rule.endpoint not in NOT_FUZZED
        ),
        key=lambda rule: rule.rule,
    )


# --- query parameter names: what the portal reads --------------------------------------------

# request.args.get("pagina") and the parsers of portal/pages/params.py: id_arg("perceel") ...
ARGS_READ = re.compile(r"""(?:request\.args\.get|_arg)\(\s*["']([^"']+)["']""")
FORM_FROM_ARGS = re.compile(r"""(\w+Form)\(\s*(?:request\.)?args\s*\)""")


def query_names(app: Flask) -> list[str]:
    """Every query parameter a view or template reads, found in the source, so a new one is
    fuzzed without anyone listing it."""
    sources = [*ROOT.joinpath("portal").rglob("*.py"), *ROOT.joinpath("templates").rglob("*.html")]
    names: set[str] = set()
    form_classes: set[str] = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        names.update(ARGS_READ.findall(text))
        form_classes.update(FORM_FROM_ARGS.findall(text))
    with app.test_request_context():
        for form_class in _form_classes(form_classes):
            names.update(field.name for field in form_class_fields(form_class(formdata=None)))
    return sorted(names)


def _form_classes(wanted: set[str]) -> list[type]:
    found = []
    for module_info in pkgutil.walk_packages(portal.__path__, "portal."):
        if module_info.name.endswith("forms"):
            module = importlib.import_module(module_info.name)
            found += [getattr(module, name) for name in wanted if hasattr(module, name)]
    assert {cls.__name__ for cls in found} == wanted, "a filter form was not found"
    return found


# --- generated values ------------------------------------------------------------------------

HOSTILE_NUMBERS = [
    *OUT_OF_RANGE,
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-inf",
    "4294967296",
    "9223372036854775807",
    "18446744073709551616",
    "99999999999999999999",
    "1" * 400,
    "1" * 5000,  # past Python's own limit for int()
    "١٢",  # Arabic-Indic digits: int() reads them
    "00000000000000000001",
    "1e999999",
    "2,5",
    " 7 ",
]
numbers = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers().map(str),
    st.floats().map(str),
    st.integers(min_value=-5, max_value=2200).map(str),  # years, pages, small ids
)
hostile_strings = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.sampled_from(NASTY_CHARACTERS),
    st.text(max_size=30),
    st.builds(
        lambda piece, times: piece * times, st.text(min_size=1, max_size=3), st.integers(1, 3000)
    ),
)
values = st.one_of(numbers, numbers, hostile_strings, valid_looking, st.just(""))
path_ids = st.one_of(
    st.sampled_from(["0", "2147483647", "2147483648", "4294967296", "9223372036854775808"]),
    st.sampled_from(["99999999999999999999", "1" * 400, "١٢", "00001"]),
    st.integers(min_value=0).map(str),
)
path_strings = st.one_of(
    st.sampled_from(["x" * 2000, "..", ".", "%", "a\x00b", "\x00", " ", "NaN", "-1", "2027"]),
    hostile_strings.filter(lambda s: s and "/" not in s),
)


def _path_value(rule: Rule, name: str, real: Any) -> st.SearchStrategy[str]:
    hostile = path_ids if isinstance(rule._converters[name], IntegerConverter) else path_strings
    if real is None:
        return hostile
    return st.one_of(st.just(str(real)), st.just(str(real)), hostile)


@st.composite
def requests(
    draw: st.DrawFn, rule: Rule, real: dict[str, Any], names: list[str]
) -> tuple[str, list[tuple[str, str]]]:
    """A path for the rule and a query string: the scenario's values or hostile ones. Half the
    examples give every name the portal reads a value (each name is tried in every example),
    the others up to four parameters, known names mostly, sometimes a random or repeated one."""
    path = rule.rule
    for name in rule.arguments:
        value = draw(_path_value(rule, name, real.get(name)))
        placeholder = re.compile(rf"<(?:[^:<>]+:)?{re.escape(name)}>")
        path = placeholder.sub(_literally(quote(value, safe="")), path)
    if draw(st.booleans()):
        return path, [(name, draw(values)) for name in names]
    some_names = st.one_of(st.sampled_from(names), st.sampled_from(names), st.text(max_size=12))
    return path, draw(st.lists(st.tuples(some_names, values), max_size=4))


def _literally(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for re.sub that puts `text` in as it is (no backslash escapes)."""
    return lambda _match: text


def _real_values(app: Flask, world: World, rule: Rule) -> dict[str, Any]:
    """The path values of the scenario's own URL for this endpoint (an id that exists)."""
    url = world.urls.get(rule.endpoint)
    if url is None:
        return {}
    adapter = app.url_map.bind("localhost")
    endpoint, arguments = adapter.match(url.partition("?")[0], method="GET")
    return dict(arguments) if endpoint == rule.endpoint else {}


# --- the tests -------------------------------------------------------------------------------


def test_every_get_route_is_in_a_fuzzed_group(app: Flask) -> None:
    groups = {rule.endpoint.rpartition(".")[0] for rule in get_rules(app)}
    assert groups <= set(BLUEPRINTS), "a blueprint whose GET routes nobody fuzzes"


def test_the_query_names_are_found(app: Flask) -> None:
    names = query_names(app)
    assert {"pagina", "jaar", "gewicht_clienten", "perceel", "kpi", "das", "reviewer"} <= set(names)


# Attacks once found on these URLs, and their neighbours, each once: (audience, method, URL,
# form, expected status); nothing may be written. {x} is filled from the scenario. An id of
# 2**31 or more fits no id column on PostgreSQL, of 2**63 or more none on SQLite.
REPORTED_ATTACKS = [
    (REVIEWER, "GET", "/beoordeling/aanmeldingen/99999999999999999999", None, 404),
    (REVIEWER, "GET", "/beoordeling/aanmeldingen/18446744073709551616", None, 404),
    (REVIEWER, "GET", "/beoordeling/aanmeldingen/2147483648", None, 404),
    (REVIEWER, "GET", "/beoordeling/documenten/9223372036854775808", None, 404),
    (OWNER, "GET", "/aanbieder/overeenkomsten/2147483648/kpi", None, 404),
    (ANON, "GET", "/das/{slug}/tarieven/99999999999999999999", None, 404),
    (REVIEWER, "GET", "/beoordeling/?pagina=99999999999999999999", None, 404),
    (
        REVIEWER,
        "GET",
        "/beoordeling/aanmeldingen/{submitted}?tijdlijn=99999999999999999999",
        None,
        404,
    ),
    (ANON, "GET", "/das/{slug}/aanbieders?pagina=99999999999999999999", None, 404),
    (ANON, "GET", "/das/{slug}/aanbieders?perceel=99999999999999999999", None, 200),
    (ADMIN, "GET", "/contracten/das/{slug}/overzicht?gewicht_clienten=NaN", None, 200),
    (ADMIN, "GET", "/contracten/das/{slug}/overzicht?gewicht_omzet=sNaN", None, 200),
    (ADMIN, "GET", "/contracten/das/{slug}/overzicht?gewicht_clienten=Infinity", None, 200),
    (ADMIN, "GET", "/contracten/das/{slug}/overzicht?jaar=99999999999999999999", None, 200),
    (ADMIN, "GET", "/contracten/das/{slug}/kpis?kpi=99999999999999999999", None, 200),
    (ADMIN, "GET", "/beheer/feestdagen?jaar=-1", None, 200),
    (ADMIN, "GET", "/beheer/feestdagen?jaar=0", None, 200),
    (ADMIN, "GET", "/beheer/feestdagen?jaar=99999", None, 200),
    (ANON, "GET", "/das/a%00b", None, 404),
    (
        ADMIN,
        "GET",
        "/contracten/das/{slug}/proces-verbaal?start=0001-01-01&end=9999-12-31",
        None,
        200,
    ),
    # Number fields of forms: NaN and Infinity are no numbers, and nothing is stored.
    (ADMIN, "POST", "/contracten/das/{slug}/kpis", {"target": "NaN", "threshold": "1"}, 200),
    (ADMIN, "POST", "/contracten/das/{slug}/kpis", {"target": "sNaN", "threshold": "1"}, 200),
    (ADMIN, "POST", "/contracten/das/{slug}/instellingen", {"talks_top_n": "NaN"}, 200),
    (ADMIN, "POST", "/beheer/das/{slug}/voorwaarden", {"sroi_percent": "sNaN"}, 200),
    (ADMIN, "POST", "/beheer/das/{slug}/indexcijfers", {"ova_prognosis": "NaN"}, 200),
    (ADMIN, "POST", "/contracten/{agreement}/kpi/correctie", {"value": "NaN"}, 200),
    (ADMIN, "POST", "/contracten/{agreement}/kpi/correctie", {"value": "-Infinity"}, 200),
]


@pytest.mark.parametrize(
    ("audience", "method", "url", "form", "status"),
    REPORTED_ATTACKS,
    ids=[f"{method} {url}" for _a, method, url, _f, _s in REPORTED_ATTACKS],
)
def test_a_reported_attack_is_answered_without_a_server_error(
    world: World, audience: str, method: str, url: str, form: dict[str, str] | None, status: int
) -> None:
    client = world.client(audience)
    url = url.format(**world.ids)
    before = database_fingerprint()
    if method == "GET":
        response = client.get(url)
    else:
        data = _complete_form(url, form or {})
        response = client.post(url, data=data)
    assert response.status_code == status
    assert database_fingerprint() == before


def _complete_form(url: str, spoilt: dict[str, str]) -> dict[str, str]:
    """A form that would pass but for the spoilt field: the other fields from a valid post."""
    kpi = db.session.scalars(db.select(KpiDefinition.id).order_by(KpiDefinition.id)).first()
    valid = {
        "kpis": {"code": "NIEUW", "name": "Nieuw", "unit": "%", "higher_is_better": "1",
                 "target": "80", "threshold": "70", "period": "year"},
        "instellingen": {"talks_top_n": "10"},
        "voorwaarden": {"ova_percent": "90", "ppc_percent": "10", "first_index_year": "2027",
                        "sroi_threshold": "300.000,00", "sroi_percent": "5",
                        "sroi_reference_year": "", "allocation_who_chooses": "Ouders kiezen.",
                        "allocation_request": "Via een 301-bericht.",
                        "allocation_no_capacity": "Binnen vijf werkdagen melden.",
                        "privacy_role": "processor", "privacy_text": ""},
        "indexcijfers": {"year": "2028", "ova_prognosis": "3,1", "ppc_prognosis": "2,4"},
        "correctie": {"kpi": str(kpi), "period": "2026-K1", "value": "5", "reason": "Correctie"},
    }[url.rstrip("/").rpartition("/")[2]]  # fmt: skip
    return {**valid, **spoilt}


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_fuzz_get_routes(app: Flask, world: World, blueprint: str) -> None:
    names = query_names(app)
    for rule in get_rules(app):
        if rule.endpoint.rpartition(".")[0] == blueprint:
            real = _real_values(app, world, rule)
            for audience in audiences(app, rule.endpoint):
                fuzz_route(world, rule, audience, real, names)


def fuzz_route(
    world: World, rule: Rule, audience: str, real: dict[str, Any], names: list[str]
) -> None:
    # Reproducible, yet each route and audience gets examples of its own (with derandomize
    # every route would get the same few query strings).
    @settings(FUZZ_SETTINGS, max_examples=BUDGET_PER_ROUTE, derandomize=False)
    @seed(zlib.crc32(f"{rule.rule} {audience}".encode()))
    @given(request=requests(rule, real, names))
    def get(request: tuple[str, list[tuple[str, str]]]) -> None:
        path, query = request
        where = f"GET {path} {query!r} as {audience} ({rule.endpoint})"
        try:
            response = world.client(audience).get(path, query_string=query)
        except Exception as error:  # Flask re-raises in TESTING: a 500 in production
            raise AssertionError(f"{where}: server error {error!r}") from error
        assert response.status_code < 500, f"{where}: {response.status_code}"

    get()
