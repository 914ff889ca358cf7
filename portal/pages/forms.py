"""Form pieces shared by the blueprints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import DecimalField, Field, SelectMultipleField, StringField, widgets

from portal.domain import money
from portal.domain.text import has_control_characters
from portal.pages import parked
from portal.pages.money import format_amount, format_figure, format_money

SINGLE_LINE_MESSAGE = _l("Gebruik geen regeleinden of andere stuurtekens.")


def is_single_line(field: Field) -> bool:
    """Text typed on one line: every text, e-mail, password or hidden field; not a textarea."""
    return isinstance(field, StringField) and not isinstance(field.widget, widgets.TextArea)


class PortalForm(FlaskForm):
    """The base of every form in the portal (tests/test_forms.py checks that each one is).

    One-line text refuses line breaks and other control characters (portal.domain.text): a
    name, address or subject may end up in a mail header, where a CR/LF would add headers.
    Textareas keep their line breaks. The field shows only this error, so the user sees what
    to fix, and keeps what was typed.

    On a GET, a form that was kept when its session or form token ran out comes back here for its
    owner, filled in as they sent it (portal/pages/parked.py); nothing is saved until they save.
    A form given other form data (`request.args`) is left alone."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            wrapped = super().wrap_formdata(form, formdata)
            if wrapped is None and (formdata is _Auto or formdata is None):
                return parked.formdata_for([field.name for field in form])
            return wrapped

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
    refused as if they were not numbers at all: the database cannot hold them."""

    data: Any  # a Decimal or None, read once the form has validated

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


def read_amount(text: str, example_cents: int = 123_456) -> int:
    """Cents from what someone typed (portal.domain.money), or ValueError with the sentence to
    show at the field, in the reader's language, with an example written the way they write."""
    try:
        return money.parse_amount(text)
    except money.AmountTooLarge:
        raise ValueError(
            gettext(
                "Dit bedrag is te hoog: het hoogste bedrag is %(maximum)s.",
                maximum=format_money(money.MAX_CENTS),
            )
        ) from None
    except money.NotAnAmount:
        raise ValueError(
            gettext(
                "Schrijf een bedrag in euro, bijvoorbeeld %(example)s. Gebruikt u punten tussen "
                "de duizendtallen, schrijf dan ook de centen.",
                example=format_amount(example_cents),
            )
        ) from None


def read_figure(text: str) -> Decimal:
    """A reported figure from what someone typed, written like an amount (portal.domain.money),
    or ValueError with the sentence to show."""
    try:
        return money.parse_figure(text)
    except money.AmountTooLarge:
        raise ValueError(gettext("Dit getal is te groot om op te slaan.")) from None
    except money.NotAnAmount:
        raise ValueError(
            gettext(
                "Schrijf een getal met hoogstens twee decimalen, bijvoorbeeld %(example)s. "
                "Gebruikt u punten tussen de duizendtallen, schrijf dan ook de decimalen.",
                example=format_figure(Decimal("1234.5")),
            )
        ) from None


class AmountField(StringField):
    """An amount in euros, typed the way people write it; `data` is integer cents (None when
    empty). The one way a form reads money: every amount form agrees on what "1.234,5" means.
    On an error the field shows what was typed, not a reformatted value."""

    # Cents or None: like every WTForms field's data, read once the form has validated.
    data: Any

    def __init__(self, *args: Any, example_cents: int = 123_456, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.example_cents = example_cents

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]) if valuelist else ""
        if text.strip():
            self.data = read_amount(text, self.example_cents)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return format_amount(self.data) if isinstance(self.data, int) else ""


class FigureField(StringField):
    """A reported figure typed the way people write it; `data` is a Decimal (None when empty).
    The same reading as the provider's KPI form (`read_figure`)."""

    data: Any  # a Decimal or None, as AmountField's

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]) if valuelist else ""
        if text.strip():
            self.data = read_figure(text)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return format_figure(self.data) if isinstance(self.data, Decimal) else ""
