"""The forms of the SROI reference-turnover page (issue 21)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import InputRequired

from portal.pages.forms import AmountField, PortalForm


class TurnoverForm(PortalForm):
    """One provider's turnover in one year; the choices are set by the view."""

    agreement = SelectField(
        _l("Aanbieder"), coerce=int, validators=[InputRequired(_l("Kies een aanbieder."))]
    )
    year = SelectField(
        _l("Jaar van de omzet"),
        coerce=int,
        description=_l("Ook een jaar vóór de overeenkomst: daarop wordt het eerste jaar gemeten."),
        validators=[InputRequired(_l("Kies een jaar."))],
    )
    amount = AmountField(
        _l("Gerealiseerde omzet in euro (excl. btw)"),
        example_cents=312_500_00,
        description=_l("Volgens de eigen facturen en iJw-declaraties van de gemeenten."),
        validators=[InputRequired(_l("Vul de omzet in."))],
    )


class TurnoverImportForm(PortalForm):
    file = FileField(
        _l("Bestand met omzetten"),
        description=_l("CSV of Excel, met de kolommen hieronder."),
        validators=[FileRequired(_l("Kies een bestand."))],
    )
