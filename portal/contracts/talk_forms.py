"""Forms of the DAS's year of talks: the selection for a year and a talk with several providers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from portal.pages.forms import MultiCheckboxField, PortalForm


class YearSelectionForm(PortalForm):
    """The year's selection as a whole: what is ticked is selected, what is not is not."""

    # Not `providers`: the talk form on the same page has that field, and ids must be unique.
    selected = MultiCheckboxField(_l("Geselecteerd voor gesprekken"), coerce=int)
    reason = TextAreaField(
        _l("Reden voor wie nu wordt toegevoegd"),
        description=_l("Wie al geselecteerd was, houdt zijn reden."),
        validators=[Optional()],
    )


class GroupTalkForm(PortalForm):
    kind = SelectField(
        _l("Soort gesprek"),
        choices=[
            SelectChoice("development", _l("Ontwikkelgesprek")),
            SelectChoice("account", _l("Account-/contractgesprek")),
        ],
    )
    held_on = DateField(
        _l("Datum"),
        description=_l("Een datum in de toekomst plant het gesprek (een voorstel)."),
        validators=[InputRequired(_l("Kies de datum van het gesprek."))],
    )
    topic = TextAreaField(
        _l("Onderwerp of voorstel"),
        description=_l("Bijvoorbeeld de ontwikkelopgave of de KPI's die u wilt bespreken."),
        validators=[Optional()],
    )
    providers = MultiCheckboxField(
        _l("Aanbieders"),
        coerce=int,
        validators=[InputRequired(_l("Kies de aanbieder of aanbieders met wie het gesprek is."))],
    )
    participants = TextAreaField(
        _l("Deelnemers"),
        description=_l("Wie namens de regio en de aanbieders aan tafel zitten."),
        validators=[InputRequired(_l("Vul in wie er bij het gesprek zijn."))],
    )
    agreements_made = TextAreaField(_l("Gemaakte afspraken"), validators=[Optional()])
    action = TextAreaField(_l("Vervolgactie (optioneel)"), validators=[Optional()])
    action_owner = StringField(_l("Eigenaar van de actie"), validators=[Optional()])
    action_due = DateField(_l("Actie gereed op"), validators=[Optional()])


class OutcomeForm(PortalForm):
    outcome = TextAreaField(
        _l("Uitkomst voor deze aanbieder"),
        validators=[InputRequired(_l("Vul de uitkomst voor deze aanbieder in."))],
    )
