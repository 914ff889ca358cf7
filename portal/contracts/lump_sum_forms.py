"""The contract manager's forms for a lump-sum agreement: a ceiling agreed or revised, the next
year indexed, and the outcome of a review beyond the valve (services/lump_sums.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.pages.forms import AmountField, PortalForm
from portal.pages.params import MAX_YEAR, MIN_YEAR


class CeilingForm(PortalForm):
    year = IntegerField(
        _l("Jaar"),
        validators=[
            InputRequired(_l("Vul het jaar in.")),
            NumberRange(MIN_YEAR, MAX_YEAR, _l("Vul een jaar in, bijvoorbeeld 2023.")),
        ],
    )
    amount = AmountField(
        _l("Plafondbedrag (€)"),
        example_cents=167_481_100,
        validators=[InputRequired(_l("Vul het plafondbedrag in."))],
    )
    reason = TextAreaField(
        _l("Toelichting"),
        description=_l("Nodig als u het plafondbedrag van een jaar herziet."),
        validators=[Optional(), Length(max=2000)],
    )


class IndexCeilingForm(PortalForm):
    # The year the page offered: indexing refuses if another year is next by now.
    year = HiddenField()


class ReviewForm(PortalForm):
    note = TextAreaField(
        _l("Wat hebben de partijen afgesproken?"),
        description=_l(
            "Bijvoorbeeld: geen wijziging, of een herzien plafondbedrag (leg dat hierboven vast)."
        ),
        validators=[
            InputRequired(_l("Schrijf wat de partijen hebben afgesproken.")),
            Length(max=4000),
        ],
    )
