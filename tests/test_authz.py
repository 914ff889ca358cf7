"""Guards on the guards: every route makes an access decision where these tests can read it, each
audience gets what it should for every method a route takes, and no view decides access in its
body (after notifications-admin tests/app/main/test_permissions.py).

The grid's world (two DAS, an admitted provider with an agreement, an application in review, the
staff of each DAS ...) is built once per process, by the first case, and put back before every
other case: every table's rows and the evidence files, as tests/test_fuzz_forms.py does. The
suite wipes the database after each test, so a case that changes data (a POST that succeeds)
cannot leak into the next; putting the world back costs milliseconds where building it cost
seconds. Each audience logs in once, when the world is built; a case sends that session's cookie.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import pytest
from flask import Flask

from portal.auth.access import API_TOKEN, ORGANISATION_ADMIN, PUBLIC, SIGNED_IN, access_of
from portal.models import (
    Role,
)
from tests.support.grid import (  # the `world` fixture comes from there too (tests/conftest.py)
    COLLEAGUE,
    CONTRACT_MANAGER,
    DAS_BOUND,
    EXPECTED,
    GRID_URLS,
    LOGIN,
    MANAGER_ELSEWHERE,
    OWNER,
    REVIEWER,
    REVIEWER_ELSEWHERE,
    World,
)

# Flask's own static files route is the one route without a decision of ours.
EXEMPT = {"static"}
# Flask adds these to every route by itself: HEAD answers as GET does, OPTIONS lists the methods.
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}


def routes(app: Flask) -> set[tuple[str, str]]:
    """Every (endpoint, method) the portal answers."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXEMPT
        for method in (rule.methods or set()) - AUTOMATIC_METHODS
    }


def test_every_route_has_an_access_decision(app: Flask) -> None:
    missing = [endpoint for endpoint, _ in routes(app) if access_of(app, endpoint) is None]
    assert missing == []


def test_the_grid_covers_every_route_and_method(app: Flask) -> None:
    assert routes(app) == set(EXPECTED)
    assert {endpoint for endpoint, _ in routes(app)} == {endpoint for endpoint, _ in GRID_URLS}


ADMIN_ONLY_ACTIONS = {
    # The administrator acts for the municipalities: signs, suspends or ends agreements, moves
    # the common end date, sets the KPIs and the thresholds every provider is held to.
    "contracts.countersign",
    "contracts.change_state",
    "contracts.exercise_option",
    "contracts.save_kpi_definition",
    "contracts.add_default_kpis",
    "contracts.management_settings",
}


def test_access_decisions_are_what_we_intend(app: Flask) -> None:
    decisions = {endpoint: access_of(app, endpoint) for endpoint, _ in routes(app)}
    public = {e for e, d in decisions.items() if d == PUBLIC}
    assert public == {
        "public.home",
        "public.healthz",
        "public.accessibility",
        "public.privacy",
        "public.glossary",
        "public.verify_document",  # anyone may check a document (issue 24)
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
        "auth.accept_staff_invitation",  # a staff invitation link (issue 19)
        "auth.accept_invitation",
        "public.products",
        "public.tariff_sheets",
        "public.tariff_sheet",
        "public.tariff_sheet_file",
        "public.ocds_release_package",
        "public.ocds_releases",
        "public.ocds_record",
        "public.model_agreement",
        "public.das_questions",  # the nota van inlichtingen (issue 20)
        "public.das_espd_request",  # the DAS's ESPD request (issue 22)
        "public.waiting_register",  # the waiting-time register (issue 23)
        "public.waiting_register_export",
        "api.openapi",  # the API's description (issue 23)
    }
    # The rest of the API asks for a token (with its scope), never for a session (issue 23).
    api = {e: d for e, d in decisions.items() if e.startswith("api.") and e != "api.openapi"}
    assert api and all(isinstance(d, tuple) and d[0] == API_TOKEN for d in api.values())
    assert decisions["auth.change_password"] == SIGNED_IN
    assert decisions["auth.logout"] == SIGNED_IN
    organisation_admin = {e for e, d in decisions.items() if d == ORGANISATION_ADMIN}
    assert organisation_admin == {
        "supplier.save_profile",
        "supplier.export_data",
        "supplier.espd_import_adopt",  # writes the profile from an imported ESPD (issue 22)
        "supplier.api_tokens",  # the organisation's API tokens (issue 23)
        "supplier.api_token_create",
        "supplier.api_token_revoke",
    }
    assert all(
        decisions[e] == frozenset({Role.PROVIDER})
        for e in decisions
        if e.startswith("supplier.") and e not in organisation_admin
    )
    assert all(
        decisions[e] == frozenset({Role.REVIEWER, Role.ADMINISTRATOR})
        for e in decisions
        if e.startswith("review.")
    )
    admin_only = {e for e, d in decisions.items() if d == frozenset({Role.ADMINISTRATOR})}
    assert {e for e in admin_only if e.startswith("contracts.")} == ADMIN_ONLY_ACTIONS


# --- no access decision inside a view body --------------------------------------------------

# What a user is allowed is decided by portal/auth/access.py (decorators, a blueprint's role
# check) and by the services (portal/services/ownership.py). A test on these inside a view escapes
# the url_map and the grid above: that is how an administrator's check, made on POST only inside
# two views, went unseen (deleting it left every test green).
ROLE_ATTRIBUTES = {
    "role",
    "organisation_role",
    "is_staff",
    "is_organisation_admin",
    "may_submit",
    "is_signatory",
}
ROLE_ENUMS = {"Role", "OrganisationRole"}


def _mentions_role(node: ast.AST) -> bool:
    """A role or role property in the expression itself; not in the arguments of a call made
    in it (`target or home_for(user.role)` passes the role on)."""
    if isinstance(node, ast.Call):
        return False
    if isinstance(node, ast.Attribute) and (
        node.attr in ROLE_ATTRIBUTES
        or (isinstance(node.value, ast.Name) and node.value.id in ROLE_ENUMS)
    ):
        return True
    return any(_mentions_role(child) for child in ast.iter_child_nodes(node))


def role_decisions(source: str) -> list[str]:
    """Role tests in the bodies of a module's functions: a comparison with a role, or a role
    property as the condition of an `if`, `while`, `assert`, conditional expression or boolean
    operation. Decorators are not bodies: that is where a route's decision belongs. Passing a
    role on (to pick a home page, or to show an edit button) is no decision."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for statement in function.body:
            for node in ast.walk(statement):
                if isinstance(node, ast.Compare):
                    tests: list[ast.AST] = [node]
                elif isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
                    tests = [node.test]
                elif isinstance(node, ast.BoolOp):
                    tests = list(node.values)
                else:
                    continue
                if any(_mentions_role(test) for test in tests):
                    found.append(f"{function.name}, line {node.lineno}: {ast.unparse(node)}")
    return found


def view_modules(app: Flask) -> set[Path]:
    """The source files that define the portal's routes."""
    return {
        Path(inspect.getsourcefile(inspect.unwrap(view)) or "")
        for endpoint, view in app.view_functions.items()
        if endpoint not in EXEMPT
    }


def test_no_view_decides_access_in_its_body(app: Flask) -> None:
    modules = view_modules(app)
    assert len(modules) > 10  # every view module, the blueprints' and portal/web/register.py
    found = {
        str(path): decisions
        for path in sorted(modules)
        if (decisions := role_decisions(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("if current_user.role is not Role.ADMINISTRATOR:\n    abort(403)", True),
        ("if not current_user.is_organisation_admin:\n    abort(403)", True),
        ("if request.method == 'POST' and current_user.is_staff:\n    pass", True),
        ("allowed = user.role in (Role.REVIEWER, Role.ADMINISTRATOR)", True),
        ("assert user.may_submit", True),
        ("return redirect(home_for(user.role))", False),
        ("return redirect(target or home_for(user.role))", False),
        ("return render_template('x.html', editable=current_user.is_organisation_admin)", False),
        ("query = db.select(User).where(User.role.in_(ROLES))", False),
    ],
)
def test_the_body_scan_sees_role_decisions(source: str, flagged: bool) -> None:
    module = "def view():\n" + textwrap.indent(source, "    ")
    assert bool(role_decisions(module)) is flagged


def test_staff_of_another_das_are_asked_everywhere_staff_work() -> None:
    """Every staff route has the columns of a reviewer and of a contract manager of another DAS;
    where the route names something of the grid's DAS, they do not find it (404) wherever the
    staff of this DAS get through, and are refused (403) where those are too."""
    counterpart = {REVIEWER_ELSEWHERE: REVIEWER, MANAGER_ELSEWHERE: CONTRACT_MANAGER}
    urls = dict(GRID_URLS)
    wrong: list[tuple[object, ...]] = []
    for (endpoint, method), expected in EXPECTED.items():
        if endpoint.partition(".")[0] not in {"review", "contracts", "catalogue", "admin"}:
            continue
        for elsewhere, here in counterpart.items():
            if elsewhere not in expected or here not in expected:
                wrong.append((endpoint, method, f"no column for {elsewhere} or {here}"))
            elif any(key in urls[endpoint] for key in DAS_BOUND):
                refused = expected[here] in (403, LOGIN)
                if expected[elsewhere] != (403 if refused else 404):
                    wrong.append((endpoint, method, elsewhere, expected[elsewhere]))
    assert wrong == []


def test_only_the_organisations_administrator_passes_its_decision(app: Flask) -> None:
    """An organisation-administrator decision is in the grid with the colleague refused."""
    for endpoint, method in routes(app):
        if access_of(app, endpoint) == ORGANISATION_ADMIN:
            expected = EXPECTED[(endpoint, method)]
            assert expected[COLLEAGUE] == 403 and expected[OWNER] not in (403, 404, LOGIN)


@pytest.mark.parametrize(("endpoint", "method"), list(EXPECTED))
def test_role_url_grid(world: World, endpoint: str, method: str) -> None:
    """Each audience in turn, in the order written, with the method the route takes."""
    url = world.urls[endpoint]
    wrong = []
    for who, expected in EXPECTED[(endpoint, method)].items():
        response = world.client(who).open(url, method=method)
        if expected == LOGIN:
            ok = response.status_code == 302 and response.location.startswith("/inloggen")
        else:
            ok = response.status_code == expected
        if not ok:
            wrong.append((who, expected, response.status_code))
    assert wrong == [], f"{method} {url}"
