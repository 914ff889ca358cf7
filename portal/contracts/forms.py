from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError

from portal.pages.forms import FigureField, PortalForm
from portal.pages.params import MAX_YEAR, MIN_YEAR

FormT = TypeVar("FormT", bound=PortalForm)


class RegisterFilterForm(PortalForm):
    class Meta:
        csrf = False

    das = SelectField(_l("Aankoopsysteem"), coerce=int, validators=[Optional()])
    lot = SelectField(_l("Perceel"), coerce=int, validators=[Optional()])
    state = SelectField(_l("Status"), validators=[Optional()])
    ends_before = DateField(_l("Eindigt op of voor"), validators=[Optional()])


class CountersignForm(PortalForm):
    password = PasswordField(
        _l("Uw wachtwoord"),
        description=_l("Ter bevestiging."),
        validators=[InputRequired(_l("Vul uw wachtwoord in om te ondertekenen."))],
    )


class StateForm(PortalForm):
    state = SelectField(
        _l("Nieuwe status"),
        choices=[
            SelectChoice("suspended", _l("Opschorten")),
            SelectChoice("live", _l("Hervatten")),
            SelectChoice("ended", _l("Beëindigen")),
        ],
        validators=[InputRequired()],
    )
    on = DateField(_l("Per datum"), validators=[InputRequired(_l("Kies de datum."))])
    reason = TextAreaField(_l("Reden"), validators=[InputRequired(_l("Geef de reden op."))])


class OptionForm(PortalForm):
    decision_date = DateField(
        _l("Datum van het besluit"),
        validators=[InputRequired(_l("Kies de datum van het besluit."))],
    )
    password = PasswordField(
        _l("Uw wachtwoord"),
        description=_l("Ter bevestiging."),
        validators=[InputRequired(_l("Vul uw wachtwoord in ter bevestiging."))],
    )


class ReportForm(PortalForm):
    class Meta:
        csrf = False

    start = DateField(_l("Van"), validators=[InputRequired(_l("Kies de begindatum."))])
    end = DateField(_l("Tot en met"), validators=[InputRequired(_l("Kies de einddatum."))])

    def validate_start(self, field: DateField) -> None:
        _within_the_years(field)

    def validate_end(self, field: DateField) -> None:
        _within_the_years(field)


def _within_the_years(field: DateField) -> None:
    """A report's dates lie in the years the portal reasons about; 0001-01-01 or 9999-12-31
    would run the date arithmetic off the calendar (a 500; tests/test_fuzz_urls.py has the case)."""
    if field.data is not None and not MIN_YEAR <= field.data.year <= MAX_YEAR:
        raise ValidationError(
            _l("Kies een datum tussen %(first)s en %(last)s.", first=MIN_YEAR, last=MAX_YEAR)
        )


class KpiDefinitionForm(PortalForm):
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Vul de code in.")),
            Regexp(
                r"^[A-Za-z0-9_]{1,20}$", message=_l("Letters, cijfers of _; hoogstens 20 tekens.")
            ),
        ],
    )
    name = StringField(_l("Naam"), validators=[InputRequired(_l("Vul de naam in."))])
    unit = StringField(_l("Eenheid"), validators=[InputRequired(_l("Vul de eenheid in."))])
    higher_is_better = SelectField(
        _l("Beter is"), choices=[SelectChoice("1", _l("hoger")), SelectChoice("0", _l("lager"))]
    )
    # Written like the figures reported against them: "7,5", "1.234,50".
    target = FigureField(_l("Norm"), validators=[InputRequired(_l("Vul de norm in."))])
    threshold = FigureField(
        _l("Signaleringsgrens"), validators=[InputRequired(_l("Vul de signaleringsgrens in."))]
    )
    period = SelectField(
        _l("Rapportageperiode"),
        choices=[
            SelectChoice("quarter", _l("kwartaal")),
            SelectChoice("half_year", _l("halfjaar")),
            SelectChoice("year", _l("jaar")),
        ],
    )
    # Seed 002: the region asks figures of its own beside the national outcome set.
    region_specific = BooleanField(_l("Regiospecifieke KPI (naast de landelijke uitkomstset)"))
    target_for_region = BooleanField(
        _l("De norm geldt voor de regio als geheel (de som over alle aanbieders)")
    )


def _with_actions(count: int) -> Callable[[type[FormT]], type[FormT]]:
    """Add what was agreed in a talk and `count` optional follow-up actions (description,
    owner, due date) after a talk form's own fields, in that order on the page."""

    def add(form: type[FormT]) -> type[FormT]:
        form.agreements_made = TextAreaField(_l("Gemaakte afspraken"), validators=[Optional()])
        for number in range(1, count + 1):
            suffix = "" if number == 1 else f"_{number}"
            optional = [Optional()]
            label = _l("Vervolgactie %(n)s (optioneel)", n=number)
            setattr(form, f"action{suffix}", TextAreaField(label, validators=optional))
            label = _l("Eigenaar van actie %(n)s", n=number)
            setattr(form, f"action_owner{suffix}", StringField(label, validators=optional))
            label = _l("Actie %(n)s gereed op", n=number)
            setattr(form, f"action_due{suffix}", DateField(label, validators=optional))
        return form

    return add


@_with_actions(3)
class TalkForm(PortalForm):
    kind = SelectField(
        _l("Soort gesprek"),
        choices=[
            SelectChoice("account", _l("Account-/contractgesprek")),
            SelectChoice("development", _l("Ontwikkelgesprek")),
        ],
    )
    held_on = DateField(
        _l("Datum"), validators=[InputRequired(_l("Kies de datum van het gesprek."))]
    )
    participants = TextAreaField(
        _l("Deelnemers"), validators=[InputRequired(_l("Vul in wie er bij het gesprek waren."))]
    )


class CorrectionForm(PortalForm):
    kpi = SelectField(_l("KPI"), coerce=int)
    period = StringField(
        _l("Periode"),
        description=_l("Bijvoorbeeld 2027-K1, 2027-H1 of 2027."),
        validators=[InputRequired(_l("Vul de periode in."))],
    )
    value = FigureField(_l("Nieuwe waarde"), validators=[InputRequired(_l("Vul de waarde in."))])
    reason = TextAreaField(
        _l("Reden van de correctie"),
        validators=[InputRequired(_l("Geef de reden van de correctie op."))],
    )


class ManagementSettingsForm(PortalForm):
    """How many providers the talk selection holds. The SROI rule is a term of the DAS and is
    set on its terms page (issue 19), where a published DAS's change becomes a revision."""

    talks_top_n = IntegerField(
        _l("Aantal aanbieders in de gespreksselectie"),
        validators=[
            InputRequired(_l("Vul het aantal in.")),
            NumberRange(1, 500, _l("Een aantal tussen 1 en 500.")),
        ],
    )


class SelectionForm(PortalForm):
    reason = TextAreaField(
        _l("Reden van de selectie"),
        description=_l("Bijvoorbeeld: grootste omzet in de regio, of een signaal uit de toegang."),
        validators=[InputRequired(_l("Geef de reden van de selectie op."))],
    )


@_with_actions(2)
class TalkReportForm(PortalForm):
    """The report of a planned talk: when it was held, what was agreed, and the actions."""

    held_on = DateField(
        _l("Gevoerd op"), validators=[InputRequired(_l("Kies de datum van het gesprek."))]
    )


class ActionDoneForm(PortalForm):
    done_on = DateField(
        _l("Afgerond op"),
        validators=[InputRequired(_l("Kies de datum waarop de actie klaar was."))],
    )


class LateFilterForm(PortalForm):
    class Meta:
        csrf = False

    soort = SelectField(
        _l("Soort rapportage"),
        choices=[
            SelectChoice("", _l("Alle")),
            SelectChoice("kpi", _l("KPI-cijfers")),
            SelectChoice("sroi", _l("Social return")),
        ],
        validators=[Optional()],
    )


class RemindForm(PortalForm):
    """Which late report to remind about: hidden fields of the row's button."""

    report = StringField(validators=[InputRequired()])
    definition = IntegerField(validators=[Optional()])
    period = DateField(validators=[InputRequired()])
