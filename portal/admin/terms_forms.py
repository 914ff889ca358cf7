"""The form of a DAS's terms (issue 19). Ranges that depend on the DAS (a year within its term,
weights summing to 100%) are the service's: portal.domain.das_terms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.pages.forms import AmountField, FigureField, PortalForm
from portal.pages.params import MAX_YEAR, MIN_YEAR

TEXT_LIMIT = 4000
_long = Length(max=TEXT_LIMIT, message=_l("Dit veld mag hoogstens %(max)d tekens zijn."))
_year = NumberRange(MIN_YEAR, MAX_YEAR, _l("Vul een jaartal in, zoals 2026."))


class TermsForm(PortalForm):
    ova_percent = FigureField(
        _l("Gewicht OVA (%)"),
        description=_l("De overheidsbijdrage in de arbeidskostenontwikkeling; standaard 90."),
        validators=[InputRequired(_l("Vul het gewicht van de OVA in."))],
    )
    ppc_percent = FigureField(
        _l("Gewicht PPC (%)"),
        description=_l("De prijs van de particuliere consumptie; samen met de OVA 100."),
        validators=[InputRequired(_l("Vul het gewicht van de PPC in."))],
    )
    first_index_year = IntegerField(
        _l("Eerste contractjaar (eerste indexatiejaar onder de overeenkomst)"),
        description=_l("In dit jaar geen nacalculatie. Leeg: nog niet bepaald."),
        validators=[Optional(), _year],
    )
    sroi_threshold = AmountField(
        _l("SROI-drempel (omzet excl. btw)"),
        example_cents=25_000_000,
        description=_l("Social return geldt bij een omzet strikt boven dit bedrag."),
        validators=[InputRequired(_l("Vul de drempel in."))],
    )
    sroi_percent = FigureField(
        _l("SROI-verplichting (% van die omzet)"),
        validators=[InputRequired(_l("Vul het percentage in."))],
    )
    sroi_reference_year = IntegerField(
        _l("Peiljaar van de omzet"),
        description=_l("Leeg: de omzet van het jaar vóór het jaar waarover wordt gerapporteerd."),
        validators=[Optional(), _year],
    )
    allocation_who_chooses = TextAreaField(
        _l("Wie kiest de jeugdhulpaanbieder?"),
        validators=[InputRequired(_l("Beschrijf wie de jeugdhulpaanbieder kiest.")), _long],
    )
    allocation_request = TextAreaField(
        _l("Hoe wordt een jeugdhulpaanbieder gevraagd?"),
        validators=[
            InputRequired(_l("Beschrijf hoe een jeugdhulpaanbieder wordt gevraagd.")),
            _long,
        ],
    )
    allocation_no_capacity = TextAreaField(
        _l("Wat gebeurt er als de jeugdhulpaanbieder geen plek heeft?"),
        validators=[InputRequired(_l("Beschrijf wat er gebeurt bij geen plek.")), _long],
    )
    privacy_role = RadioField(
        _l("Rol van de jeugdhulpaanbieder onder de AVG"),
        choices=[
            SelectChoice("processor", _l("Verwerker (met verwerkersovereenkomst)")),
            SelectChoice("independent_controller", _l("Zelfstandig verwerkingsverantwoordelijke")),
            SelectChoice("joint_controllers", _l("Gezamenlijk verwerkingsverantwoordelijken")),
        ],
        validators=[InputRequired(_l("Kies de rol van de jeugdhulpaanbieder."))],
    )
    privacy_text = TextAreaField(
        _l("Aanvullende privacyafspraken van de regio (optioneel)"),
        description=_l("Komt in de overeenkomst na de standaardtekst voor de gekozen rol."),
        validators=[Optional(), _long],
    )
