"""Form pieces shared by the blueprints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, Field, SelectMultipleField, StringField, widgets

from portal.domain.text import has_control_characters

SINGLE_LINE_MESSAGE = _l("Gebruik geen regeleinden of andere stuurtekens.")


def is_single_line(field: Field) -> bool:
    """Text typed on one line: every text, e-mail, password or hidden field; not a textarea."""
    return isinstance(field, StringField) and not isinstance(field.widget, widgets.TextArea)


class PortalForm(FlaskForm):
    """The base of every form in the portal (tests/test_forms.py checks that each one is).

    One-line text refuses line breaks and other control characters (portal.domain.text): a
    name, address or subject may end up in a mail header, where a CR/LF would add headers.
    Textareas keep their line breaks. The field shows only this error, so the user sees what
    to fix, and keeps what was typed."""

    def validate(self, extra_validators: dict[str, list[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if (
                is_single_line(field)
                and isinstance(field.data, str)
                and has_control_characters(field.data)
            ):
                field.errors = [SINGLE_LINE_MESSAGE]
                valid = False
        return valid


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (the GOV.UK / NL Design System pattern for 'choose any')."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class FiniteDecimalField(DecimalField):
    """A decimal number that the database can hold: NaN, Infinity (which Python's Decimal reads
    happily, and which then break every comparison) and numbers of `max_abs` or more are
    refused as if they were not numbers at all (issue 15)."""

    def __init__(self, *args: Any, max_abs: Decimal = Decimal(10**12), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_abs = max_abs

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:  # a signalling NaN ("sNaN") fails inside WTForms itself
            self.data = None
        if self.data is not None and self.data.is_finite() and abs(self.data) < self.max_abs:
            return
        if valuelist and str(valuelist[0]).strip():
            self.data = None
            raise ValueError(_l("Vul een getal in."))
