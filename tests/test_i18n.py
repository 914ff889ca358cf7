"""Every user-facing string goes through Flask-Babel, and both catalogues are complete.

Three checks, each of which fails when someone adds text the catalogue does not know:
the templates (text and readable attributes outside `_()`), the Python code (literal strings
given to form fields, validators, flash and mail subjects), and the catalogues themselves
(freshly extracted messages missing, stale ones kept, English untranslated or with other
placeholders than the Dutch). Then the pages themselves: English on request, remembered.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import Environment

from portal.extensions import db
from portal.models import User
from tests import factories
from tests.support.app import IsolatedClient

ROOT = Path(__file__).resolve().parent.parent
TEXT_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")


def _i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["i18n_script"] = module
    spec.loader.exec_module(module)
    return module


def untranslated_text(source: str, is_html: bool) -> list[str]:
    """Readable text in a template outside Jinja expressions and {% trans %} blocks."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    parts: list[str] = []
    in_trans = False
    tokens = list(env.lex(source))
    for index, (_line, kind, value) in enumerate(tokens):
        previous = [k for _l, k, _v in tokens[:index] if k != "whitespace"][-1:]
        if kind == "name" and previous == ["block_begin"]:
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        if kind == "data" and not in_trans:
            parts.append(value)
        elif kind in ("variable_begin", "block_begin", "comment_begin"):
            parts.append("\x00")  # an expression separates two pieces of text
    flat = "".join(parts)
    found: list[str] = []

    def check(text: str) -> None:
        text = text.replace("\x00", " ")
        if WORD.search(text):
            found.append(" ".join(text.split()))

    if not is_html:
        check(flat)
        return found

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            if self.lasttag in ("style", "script"):
                # Only quoted strings in CSS are shown (content: "..."); font names are not.
                css = re.sub(r"font-family:[^;}]*", "", data)
                for double, single in re.findall(r'"([^"]*)"|\'([^\']*)\'', css):
                    check(double or single)
            else:
                check(data)

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in TEXT_ATTRIBUTES and value:
                    check(value)

    parser = Text()
    parser.feed(flat)
    parser.close()
    return found


TEMPLATES = sorted(
    path for path in (ROOT / "templates").rglob("*") if path.suffix in (".html", ".txt")
)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_template_has_no_text_outside_the_catalogue(path: Path) -> None:
    assert untranslated_text(path.read_text(), path.suffix == ".html") == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("<p>{{ _('Opslaan') }}</p>", []),
        ("<p>Opslaan</p>", ["Opslaan"]),
        ('<img alt="Logo" src="x">', ["Logo"]),
        ("<p>{% trans %}Opslaan{% endtrans %} en</p>", ["en"]),
        ('<style>@page { @bottom-right { content: "Pagina " counter(page) } }</style>', ["Pagina"]),
        ("<td>{{ value }} %</td>", []),
    ],
)
def test_the_template_check_finds_text(source: str, found: list[str]) -> None:
    assert untranslated_text(source, is_html=True) == found


# Calls whose literal string arguments are shown to users.
SHOWN_CALLS = {"flash", "send", "ValidationError", "ServiceError"}
SHOWN_KEYWORDS = {"label", "message", "description", "placeholder", "choices"}


def literal_strings_shown(path: Path) -> list[str]:
    """Literal strings given to WTForms fields and validators, flash() and mail subjects."""
    tree = ast.parse(path.read_text())
    problems = []

    def is_text(node: ast.AST) -> bool:
        """A literal with words in it; an f-string counts when its literal parts have words
        (a label made of data only, like f"{lot.code}. {lot.name}", is content, not text)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return bool(WORD.search(node.value))
        if isinstance(node, ast.JoinedStr):
            return any(is_text(part) for part in node.values if isinstance(part, ast.Constant))
        return False

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name.endswith("Field") and node.args and is_text(node.args[0]):
            problems.append(f"{path.name}:{node.lineno} {name} label")
        if name == "flash" and node.args and is_text(node.args[0]):
            problems.append(f"{path.name}:{node.lineno} flash")
        if name == "send" and len(node.args) > 1 and is_text(node.args[1]):
            problems.append(f"{path.name}:{node.lineno} mail subject")
        for keyword in node.keywords:
            if keyword.arg == "description" and not name.endswith("Field"):
                continue  # a model's description column is a record, not interface text
            if keyword.arg in ("label", "message", "description") and is_text(keyword.value):
                problems.append(f"{path.name}:{node.lineno} {keyword.arg}=")
    return problems


def test_python_code_gives_users_only_translated_strings() -> None:
    problems = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        problems.extend(literal_strings_shown(path))
    assert problems == []


def test_the_python_check_finds_literal_strings(tmp_path: Path) -> None:
    module = tmp_path / "forms.py"
    module.write_text(
        "name = StringField('Uw naam', validators=[DataRequired(message='Vul uw naam in.')])\n"
        "flash(f'Welkom {user}')\n"
        "ok = StringField(_l('Uw naam'))\n"
        "mail.send(to, 'Bevestig uw adres', 'verify')\n"
    )
    assert sorted(literal_strings_shown(module)) == [
        "forms.py:1 StringField label",
        "forms.py:1 message=",
        "forms.py:2 flash",
        "forms.py:4 mail subject",
    ]


def test_catalogues_are_complete_and_up_to_date() -> None:
    assert _i18n_script().problems() == []


def _sign_in(client: IsolatedClient, user: User) -> None:
    response = client.post(
        "/inloggen",
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 302


def test_english_on_request_remembered_on_the_account_and_in_a_cookie(app: Flask) -> None:
    anonymous = IsolatedClient(app)
    page = anonymous.get("/").get_data(as_text=True)
    assert 'lang="nl"' in page and "Inloggen" in page

    response = anonymous.post("/taal/en", data={"next": "/inloggen"})
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    page = anonymous.get("/inloggen").get_data(as_text=True)
    assert 'lang="en"' in page and "Log in" in page and "Inloggen" not in page
    assert "taal=en" in response.headers["Set-Cookie"]

    # A new session on the same browser keeps the choice (the cookie).
    returning = IsolatedClient(app)
    returning.set_cookie("taal", "en")
    assert 'lang="en"' in returning.get("/").get_data(as_text=True)

    # Signed in, the choice goes with the account, to another browser and into mails.
    user = factories.ProviderUserFactory()
    db.session.commit()
    browser = IsolatedClient(app)
    _sign_in(browser, user)
    browser.post("/taal/en", data={"next": "/"})
    db.session.refresh(user)
    assert user.locale == "en"
    elsewhere = IsolatedClient(app)
    _sign_in(elsewhere, user)
    assert 'lang="en"' in elsewhere.get("/aanbieder/").get_data(as_text=True)


def test_amounts_and_dates_follow_the_language(app: Flask) -> None:
    from datetime import date

    from flask_babel import force_locale

    from portal.pages.money import format_money

    with app.test_request_context():
        # Values as variables: Jinja folds filters on constants when it compiles.
        render = app.jinja_env.from_string("{{ cents|money }} {{ day|d }} {{ day|longdate }}")
        with force_locale("nl"):
            assert (
                render.render(cents=123456, day=date(2029, 12, 31))
                == "€\xa01.234,56 31-12-2029 31 december 2029"
            )
            assert format_money(-5) == "€\xa0-0,05"
        with force_locale("en"):
            assert (
                render.render(cents=123456, day=date(2029, 12, 31))
                == "€1,234.56 31-12-2029 31 December 2029"
            )


# --- what services say -------------------------------------------------------------------------
# Services hand out codes with parameters (ServiceError, Problem); portal.pages.messages writes the
# sentence in the reader's language. A Dutch sentence built in a service reaches English
# readers in Dutch, as the KPI and tariff imports' row errors once did.

DUTCH_WORDS = re.compile(
    # Dutch words that are no English ones ("is", "we" and "die" are both).
    r"\b(de|het|een|niet|van|voor|bij|op|en|moet|kan|geen|dit|deze|uw|wij|er|staat|"
    r"hoort|bestaat|ontbreekt|mag|nog|ook|zijn|wordt|naar|met|dat|dan)\b",
    re.IGNORECASE,
)
TRANSLATING_CALLS = {"_", "_l", "gettext", "lazy_gettext", "ngettext"}
# Dutch text in services that is not a message to the reader of a page, each with its reason.
NOT_MESSAGES = {
    # The README inside a provider's data export: a document in Dutch, like the letters.
    ("privacy_export.py", "README"),
    # `flask privacy purge`'s report to the operator at a terminal.
    ("privacy_purge.py", "summary"),
    # Records of an agreement, in Dutch like the agreement itself: the reason it was suspended
    # and the descriptions of its variations.
    ("agreements.py", "send_signature_reminders"),
    ("agreements.py", "admit_lots"),
    ("agreements.py", "exercise_option"),
    ("agreements.py", "follow_common_end_date"),
    # A lump-sum ceiling agreed or indexed is a variation of the agreement (issue 21).
    ("lump_sums.py", "agree_ceiling"),
    ("lump_sums.py", "index_ceiling"),
    # Open data (OCDS) whose release declares its language: "nl".
    ("ocds.py", "release_package"),
    ("ocds.py", "_tender"),
}


def is_dutch_sentence(text: str) -> bool:
    """Two words or more, one of them a Dutch word that is no English one."""
    return len(WORD.findall(text)) >= 2 and DUTCH_WORDS.search(text) is not None


def dutch_sentences(path: Path) -> list[str]:
    """Dutch sentences written in a module outside a translation call: literal strings and the
    literal parts of f-strings. Docstrings are for programmers and do not count."""
    tree = ast.parse(path.read_text())
    ignored: set[int] = set()
    owners: dict[int, str] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and ast.get_docstring(node, clean=False) is not None
            and isinstance(node.body[0], ast.Expr)
        ):
            ignored.add(id(node.body[0].value))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in TRANSLATING_CALLS:
                ignored.update(id(inner) for inner in ast.walk(node))
        if isinstance(node, ast.JoinedStr):
            ignored.update(id(part) for part in node.values)
        owner = None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            owner = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            owner = node.targets[0].id
        if owner is not None:
            for inner in ast.walk(node):
                owners.setdefault(id(inner), owner)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in ignored or (path.name, owners.get(id(node))) in NOT_MESSAGES:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = " ".join(
                part.value
                for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
        else:
            continue
        if is_dutch_sentence(text):
            found.append((node.lineno, f"{path.name}:{node.lineno} {' '.join(text.split())[:60]}"))
    return [where for _line, where in sorted(found)]


def test_services_write_no_sentences() -> None:
    problems = []
    for path in sorted((ROOT / "portal" / "services").rglob("*.py")):
        problems.extend(dutch_sentences(path))
    assert problems == []


def test_the_service_check_finds_sentences(tmp_path: Path) -> None:
    module = tmp_path / "kpis.py"
    module.write_text(
        '"""Het rapporteren van cijfers: een docstring is voor programmeurs."""\n'
        "def check_figure(definition, value):\n"
        "    if value < 0:\n"
        '        return f"{definition.name}: de waarde mag niet lager zijn dan 0."\n'
        '    return Problem("figure_below_minimum", kpi=definition.name)\n'
        'EMPTY = RowError(1, "Het bestand is leeg.")\n'
        'OK = _l("Er is niets opgeslagen: %(problems)s")\n'
    )
    assert dutch_sentences(module) == [
        "kpis.py:4 : de waarde mag niet lager zijn dan 0.",
        "kpis.py:6 Het bestand is leeg.",
    ]


def codes_used_in_portal() -> set[str]:
    """The first argument of every ServiceError(...) and Problem(...) in the portal's code."""
    codes = set()
    for path in (ROOT / "portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", ""))
                in ("ServiceError", "Problem")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                codes.add(node.args[0].value)
    return codes


def test_every_code_a_service_gives_has_a_message() -> None:
    from portal.pages.messages import SERVICE_MESSAGES

    assert codes_used_in_portal() - SERVICE_MESSAGES.keys() == set()


def test_every_service_message_reads_in_english(app: Flask) -> None:
    """Each code rendered for an English reader: English, with the Dutch one's placeholders."""
    from flask_babel import force_locale

    from portal.pages.messages import SERVICE_MESSAGES, message_for
    from portal.services import Problem

    untranslated = []
    with app.test_request_context():
        for code, template in SERVICE_MESSAGES.items():
            names = re.findall(r"%\((\w+)\)s", str(template))
            if not re.sub(r"%\(\w+\)s|[\W_]", "", str(template)):
                continue  # only placeholders (a list item's format): nothing to translate
            problem = Problem(code, **{name: "XYZ" for name in names})
            with force_locale("nl"):
                dutch = message_for(problem)
            with force_locale("en"):
                english = message_for(problem)
            if english == dutch or is_dutch_sentence(english):
                untranslated.append(f"{code}: {english}")
    assert untranslated == []


def test_a_refused_upload_reads_in_english(app: Flask) -> None:
    """A KPI import's row errors, end to end in English: the sentences, the numbers in them."""
    from decimal import Decimal

    from flask_babel import force_locale

    from portal.pages.messages import message_for, row_messages
    from portal.services import Problem, RowError, ServiceError

    with app.test_request_context(), force_locale("en"):
        rows = row_messages(
            [
                RowError(2, Problem("figure_below_minimum", kpi="Clients", minimum=Decimal("0"))),
                RowError(3, Problem("figure_above_maximum", kpi="Goals", maximum=Decimal("1e3"))),
            ]
        )
        refused = message_for(
            ServiceError("figures_refused", problems=[Problem("file_empty"), Problem("file_empty")])
        )
    assert rows == [
        (2, "Clients: the value may not be lower than 0."),
        (3, "Goals: the value may not be higher than 1,000."),
    ]
    assert refused == "Nothing has been saved: The file is empty. The file is empty."
