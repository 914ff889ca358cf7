from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Optional


class RegisterFilterForm(FlaskForm):
    class Meta:
        csrf = False

    das = SelectField(_l("Aankoopsysteem"), coerce=int, validators=[Optional()])
    lot = SelectField(_l("Perceel"), coerce=int, validators=[Optional()])
    state = SelectField(_l("Status"), validators=[Optional()])
    ends_before = DateField(_l("Eindigt op of voor"), validators=[Optional()])


class CountersignForm(FlaskForm):
    password = PasswordField(
        _l("Uw wachtwoord"),
        description=_l("Ter bevestiging."),
        validators=[InputRequired(_l("Vul uw wachtwoord in om te ondertekenen."))],
    )


class StateForm(FlaskForm):
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


class OptionForm(FlaskForm):
    decision_date = DateField(
        _l("Datum van het besluit"),
        validators=[InputRequired(_l("Kies de datum van het besluit."))],
    )
    password = PasswordField(
        _l("Uw wachtwoord"),
        description=_l("Ter bevestiging."),
        validators=[InputRequired(_l("Vul uw wachtwoord in ter bevestiging."))],
    )


class ReportForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("Van"), validators=[InputRequired(_l("Kies de begindatum."))])
    end = DateField(_l("Tot en met"), validators=[InputRequired(_l("Kies de einddatum."))])
