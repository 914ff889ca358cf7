"""The queue's forms: search, filters and sorting (GET), and assigning several at once (POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.pages.forms import PortalForm


class QueueFilterForm(PortalForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Zoeken"),
        description=_l("Naam van de aanbieder, kenmerk of KvK-nummer"),
        validators=[Optional(), Length(max=100)],
    )
    das = SelectField(_l("Aankoopsysteem"), coerce=int, validators=[Optional()])
    lot = SelectField(_l("Perceel"), coerce=int, validators=[Optional()])
    state = SelectField(_l("Status"), validators=[Optional()])
    reviewer = SelectField(_l("Beoordelaar"), coerce=int, validators=[Optional()])
    mine = BooleanField(_l("Aan mij toegewezen"))
    to_confirm = BooleanField(_l("Wacht op mijn bevestiging"))
    answered = BooleanField(_l("Herstelverzoek beantwoord"))


class BulkAssignForm(PortalForm):
    """A checkbox per row of the queue and one reviewer for all the chosen ones."""

    applications = SelectMultipleField(
        _l("Aanmeldingen"),
        coerce=int,
        # Which ids the user may assign is the service's business (it names the refused ones).
        validate_choice=False,
        validators=[DataRequired(message=_l("Kies een of meer aanmeldingen in de lijst."))],
    )
    assignee = SelectField(
        _l("Toewijzen aan"),
        coerce=int,
        validators=[DataRequired(message=_l("Kies aan wie u de aanmeldingen toewijst."))],
    )
