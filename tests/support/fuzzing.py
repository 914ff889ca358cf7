"""What the form fuzzer (tests/test_fuzz_forms.py) needs besides Hypothesis: the fields of the
forms a page shows, the fields of a WTForms class, and a snapshot of everything a request could
write (every table's rows and the evidence directory) that can be compared and put back."""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import JSON, Integer, text
from sqlalchemy.exc import DBAPIError

from portal.extensions import db

# --- form fields ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One name a form posts. `kind` is the input's type ("text", "textarea", "select", "radio",
    "checkbox", "file", "hidden", "password", "email", "date", "number", "submit"); `options` are
    the values a select, radio group, checkbox group, hidden input or named button offers."""

    name: str
    kind: str
    options: tuple[str, ...] = ()


@dataclass
class _OpenForm:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, name: str, kind: str, option: str | None = None) -> None:
        known = self.fields.get(name)
        options = known.options if known else ()
        if option is not None and option not in options:
            options = (*options, option)
        self.fields[name] = Field(name, known.kind if known else kind, options)


class _PostForms(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[_OpenForm] = []
        self._form: _OpenForm | None = None
        self._select: str | None = None
        self._option: str | None = None  # an <option> without a value attribute: its text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urlsplit(a.get("action") or self.page_path).path or self.page_path
                self._form = _OpenForm(action)
            return
        form = self._form
        if form is None or not a.get("name") and tag != "option":
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            valued = kind in {"radio", "checkbox", "hidden", "submit"}
            form.add(
                name, kind, a.get("value", "on" if kind == "checkbox" else "") if valued else None
            )
        elif tag == "textarea":
            form.add(name, "textarea")
        elif tag == "button":
            form.add(name, "submit", a.get("value", ""))
        elif tag == "select":
            self._select = name
            form.add(name, "select")
        elif tag == "option" and self._select is not None:
            if "value" in a:
                form.add(self._select, "select", a["value"])
            else:
                self._option = ""

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._form and self._select:
            self._form.add(self._select, "select", self._option.strip())
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def post_forms(html: str, page_path: str, action_path: str) -> list[tuple[Field, ...]]:
    """The fields of each POST form on the page whose action is `action_path` (a form without an
    action posts to the page itself). The CSRF token is left out: the tests switch CSRF off."""
    parser = _PostForms(page_path)
    parser.feed(html)
    parser.close()
    return [
        tuple(f for name, f in form.fields.items() if name != "csrf_token")
        for form in parser.forms
        if form.action == action_path
    ]


_WTFORMS_KINDS = {
    "StringField": "text",
    "EmailField": "email",
    "PasswordField": "password",
    "TextAreaField": "textarea",
    "HiddenField": "hidden",
    "DateField": "date",
    "IntegerField": "number",
    "DecimalField": "number",
    "RadioField": "radio",
    "SelectField": "select",
    "SelectMultipleField": "checkbox",
    "MultiCheckboxField": "checkbox",
    "BooleanField": "checkbox",
    "FileField": "file",
}


def form_class_fields(form: Any) -> tuple[Field, ...]:
    """The fields of an instantiated WTForms form (for a form no page shows in this state)."""
    fields = []
    for wt_field in form:
        if wt_field.type == "CSRFTokenField":
            continue
        kind = _WTFORMS_KINDS.get(wt_field.type, "text")
        options: tuple[str, ...] = ()
        if wt_field.type == "BooleanField":
            options = ("y",)
        elif getattr(wt_field, "choices", None):
            options = tuple(str(choice[0]) for choice in wt_field.iter_choices())
        fields.append(Field(wt_field.name, kind, options))
    return tuple(fields)


# --- what a request could write ---------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseState:
    """Every row of every table, in primary-key order (to put back after a success)."""

    rows: dict[str, tuple[tuple[Any, ...], ...]]


def _is_json(column: Any) -> bool:
    return isinstance(column.type, JSON)


def database_state() -> DatabaseState:
    """Read as the driver gives them, without SQLAlchemy's types, so putting them back writes
    the same bytes (a JSON column's SQL NULL stays NULL rather than becoming 'null')."""
    quote = db.engine.dialect.identifier_preparer.quote
    rows = {}
    with db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        for table in db.metadata.sorted_tables:
            columns = ", ".join(
                f"{quote(c.name)}::text" if postgres and _is_json(c) else quote(c.name)
                for c in table.columns
            )
            order = ", ".join(
                quote(c.name) for c in (list(table.primary_key.columns) or list(table.columns))
            )
            result = connection.exec_driver_sql(
                f"SELECT {columns} FROM {quote(table.name)} ORDER BY {order}"
            )
            rows[table.name] = tuple(tuple(row) for row in result)
    return DatabaseState(rows)


Fingerprint = dict[str, tuple[int, str]]


@functools.cache
def _fingerprint_sql(dialect: str) -> str:
    """One statement that returns, per table, its row count and all its rows in primary-key
    order as one string: a round trip per example instead of one per table."""
    quote = db.engine.dialect.identifier_preparer.quote
    parts = []
    for table in db.metadata.sorted_tables:
        name = quote(table.name)
        key = list(table.primary_key.columns) or list(table.columns)
        parts.append(f"(SELECT count(*) FROM {name})")
        if dialect == "postgresql":
            order = ", ".join(f"t.{quote(c.name)}" for c in key)
            parts.append(f"(SELECT string_agg(t::text, '|' ORDER BY {order}) FROM {name} AS t)")
        else:
            order = ", ".join(quote(c.name) for c in key)
            row = " || ',' || ".join(f"quote({quote(c.name)})" for c in table.columns)
            parts.append(
                f"(SELECT group_concat(r, '|') FROM (SELECT {row} AS r FROM {name} ORDER BY {order}))"
            )
    return "SELECT " + ", ".join(parts)


def database_fingerprint() -> Fingerprint:
    """Per table its row count and a hash of its contents (all columns of all rows)."""
    with db.engine.connect() as connection:
        values = connection.exec_driver_sql(_fingerprint_sql(connection.dialect.name)).one()
    names = [table.name for table in db.metadata.sorted_tables]
    return {
        name: (int(values[2 * i]), hashlib.sha256((values[2 * i + 1] or "").encode()).hexdigest())
        for i, name in enumerate(names)
    }


def changed_tables(before: Fingerprint, after: Fingerprint) -> dict[str, str]:
    """The tables whose rows differ, with their row counts before and after."""
    return {
        name: f"{before[name][0]} -> {count} rows"
        + ("" if count != before[name][0] else ", changed")
        for name, (count, _digest) in after.items()
        if (count, _digest) != before[name]
    }


def restore_database(state: DatabaseState, only: set[str] | None = None) -> None:
    """Put the tables back as they were: all of them (into a wiped database too), or `only`
    the ones that changed. New rows get ids above the restored ones."""
    db.session.rollback()  # the test's own session must hold no locks
    tables = [t for t in db.metadata.sorted_tables if only is None or t.name in only]
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # No foreign-key checks and no ON DELETE CASCADE into the tables left as they are.
            # The pragma only works outside a transaction (pysqlite opens one at a write).
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        try:
            with connection.begin():
                _put_back(connection, state, tables, reset_sequences=only is None)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()
    db.session.expire_all()


def _put_back(
    connection: Any, state: DatabaseState, tables: list[Any], reset_sequences: bool
) -> None:
    from portal.models import audit

    quote = connection.dialect.identifier_preparer.quote
    dialect = connection.dialect.name
    triggers_off = False
    if dialect == "postgresql":
        try:  # no foreign-key checks and no triggers in this transaction (needs a superuser)
            with connection.begin_nested():
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            triggers_off = True
        except DBAPIError:
            pass
    if not triggers_off:
        # The audit trail refuses DELETE and TRUNCATE (migration 0010): off while putting
        # back, as wipe (tests/support/app.py) does. The chain head comes back with the rows.
        for statement in getattr(audit, "DROP_APPEND_ONLY_TRIGGERS", {}).get(dialect, []):
            connection.execute(text(statement))
    for table in reversed(tables):
        connection.exec_driver_sql(f"DELETE FROM {quote(table.name)}")
    for table in tables:
        if not state.rows[table.name]:
            continue
        columns = ", ".join(quote(c.name) for c in table.columns)
        if dialect == "postgresql":
            values = ", ".join("%s::json" if _is_json(c) else "%s" for c in table.columns)
        else:
            values = ", ".join("?" for _c in table.columns)
        connection.exec_driver_sql(
            f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({values})",
            list(state.rows[table.name]),
        )
    if dialect == "postgresql" and reset_sequences:
        # After the test's wipe (RESTART IDENTITY) the sequences start at 1 again: past the
        # restored ids, or the next insert collides with one.
        for table in tables:
            key = list(table.primary_key.columns)
            if len(key) == 1 and isinstance(key[0].type, Integer):
                column, name = quote(key[0].name), quote(table.name)
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', '{key[0].name}'), "
                    f"coalesce(max({column}), 0) + 1, false) FROM {name}"
                )
    if not triggers_off:
        for statement in getattr(audit, "APPEND_ONLY_TRIGGERS", {}).get(dialect, []):
            connection.execute(text(statement))


def evidence_files(evidence_dir: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every file under the evidence directory (uploads, letters, agreements, tariff sheets)."""
    root = Path(evidence_dir)
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def restore_evidence_files(evidence_dir: str | os.PathLike[str], files: dict[str, bytes]) -> None:
    root = Path(evidence_dir)
    for path in root.rglob("*"):
        if path.is_file() and str(path.relative_to(root)) not in files:
            path.unlink()
    for name, content in files.items():
        path = root / name
        if not path.is_file() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
