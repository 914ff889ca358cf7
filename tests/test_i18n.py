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
from tests.conftest import IsolatedClient

ROOT = Path(__file__).resolve().parent.parent
TEXT_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")


def _i18n_script():  # type: ignore[no-untyped-def]
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

    from portal.money import format_money

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
