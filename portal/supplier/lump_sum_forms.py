"""The provider's form for a lump-sum agreement: the audited result of a year (seed 000)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from portal.pages.forms import AmountField, PortalForm

SURPLUS, DEFICIT = "positief", "negatief"


class ResultForm(PortalForm):
    year = SelectField(_l("Jaar"), coerce=int, validators=[InputRequired(_l("Kies het jaar."))])
    direction = RadioField(
        _l("Was het resultaat positief of negatief?"),
        choices=[
            SelectChoice(SURPLUS, _l("Positief (een overschot)")),
            SelectChoice(DEFICIT, _l("Negatief (een tekort)")),
        ],
        validators=[InputRequired(_l("Kies of het resultaat positief of negatief was."))],
    )
    amount = AmountField(
        _l("Exploitatieresultaat (€)"),
        description=_l("Het bedrag zonder min-teken, zoals in de controleverklaring."),
        example_cents=4_500_000,
        validators=[InputRequired(_l("Vul het resultaat in."))],
    )
    auditor = StringField(
        _l("Accountant die de controleverklaring afgaf"),
        validators=[
            InputRequired(_l("Vul in welke accountant de controleverklaring heeft afgegeven.")),
            Length(max=200),
        ],
    )

    def result_cents(self) -> int:
        cents = int(self.amount.data)
        return -cents if self.direction.data == DEFICIT else cents
