from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal.models import IjwUnit, ProductVariant
from portal.models.labels import label
from portal.pages.forms import AmountField, PortalForm


class PercentField(StringField):
    """A percentage as people write it in Dutch: '4,94' or '4.94'."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.raw = raw
        if not raw:
            self.data = None
            return
        try:
            self.data = Decimal(raw.replace(",", ".").rstrip("%").strip())
        except InvalidOperation:
            self.data = None
        # NaN and Infinity parse, then break every comparison; no percentage is that large.
        if self.data is None or not self.data.is_finite() or abs(self.data) >= 10**6:
            self.data = None
            raise ValueError(_l("Schrijf een percentage, bijvoorbeeld 4,94."))

    def _value(self) -> str:
        if getattr(self, "raw", None) is not None:
            return self.raw
        # 4.180 as stored reads back as the 4,18 that was typed.
        return "" if self.data is None else format(self.data.normalize(), "f").replace(".", ",")


class ProductForm(PortalForm):
    lot = SelectField(
        _l("Perceel"), coerce=int, validators=[InputRequired(_l("Kies een perceel."))]
    )
    code = StringField(
        _l("Productcode"),
        description=_l("1 tot 5 tekens, zoals in de iJw-productcodelijst (bijvoorbeeld 45A03)."),
        validators=[
            InputRequired(_l("Vul de productcode in.")),
            Regexp(
                r"^[A-Za-z0-9]{1,5}$",
                message=_l("Een productcode bestaat uit 1 tot 5 letters of cijfers."),
            ),
        ],
    )
    name = StringField(
        _l("Naam"), validators=[InputRequired(_l("Vul de naam in.")), Length(max=200)]
    )
    ijw_category = StringField(
        _l("iJw-productcategorie"),
        description=_l("2 cijfers, bijvoorbeeld 45 (ambulante jeugdhulp) of 43 (verblijf)."),
        validators=[
            InputRequired(_l("Vul de productcategorie in.")),
            Regexp(r"^\d{2}$", message=_l("Een productcategorie bestaat uit 2 cijfers.")),
        ],
    )
    unit = SelectField(_l("Eenheid"), validators=[InputRequired(_l("Kies de eenheid."))])
    variant = SelectField(_l("Zwaarte"), validators=[Optional()])
    description = TextAreaField(
        _l("Productbeschrijving"),
        description=_l("Opmaak met Markdown: **vet**, *schuin*, lijstjes met - aan het begin."),
        validators=[Optional()],
    )
    valid_from = DateField(_l("Geldig vanaf"), validators=[Optional()])
    valid_to = DateField(_l("Geldig tot en met"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice(u.value, f"{u.value} {label(u)}") for u in IjwUnit]
        self.variant.choices = [SelectChoice("", _l("geen"))] + [
            SelectChoice(v.value, label(v)) for v in ProductVariant
        ]

    def validate_valid_to(self, field: DateField) -> None:
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("De einddatum ligt voor de begindatum."))


class ImportForm(PortalForm):
    file = FileField(
        _l("Bestand met tarieven"),
        description=_l(
            "CSV of Excel met de kolommen productcode en tarief (en eventueel eenheid)."
        ),
        validators=[FileRequired(_l("Kies een bestand."))],
    )
    year = IntegerField(
        _l("Basisjaar"),
        validators=[InputRequired(_l("Vul het basisjaar in.")), NumberRange(2000, 2100)],
    )
    correction_note = TextAreaField(
        _l("Wat corrigeert dit blad? (alleen bij een correctie)"), validators=[Optional()]
    )


class FiguresForm(PortalForm):
    year = IntegerField(
        _l("Jaar"),
        validators=[
            InputRequired(_l("Vul het jaar in.")),
            NumberRange(2000, 2100, _l("Vul een jaar in, zoals 2027.")),
        ],
    )
    ova_prognosis = PercentField(_l("OVA prognose (%)"))
    ppc_prognosis = PercentField(_l("PPC prognose (%)"))
    ova_definitive = PercentField(_l("OVA definitief (%)"))
    ppc_definitive = PercentField(_l("PPC definitief (%)"))
    # Clearing a stored figure is an explicit act: a blank field keeps it (issue 18).
    clear_ova_prognosis = BooleanField(_l("Wis de opgeslagen OVA prognose"))
    clear_ppc_prognosis = BooleanField(_l("Wis de opgeslagen PPC prognose"))
    clear_ova_definitive = BooleanField(_l("Wis het opgeslagen OVA definitief"))
    clear_ppc_definitive = BooleanField(_l("Wis het opgeslagen PPC definitief"))
    confirm = BooleanField(_l("Ik heb gecontroleerd dat een cijfer buiten -10% tot 25% klopt"))

    FIGURES = ("ova_prognosis", "ppc_prognosis", "ova_definitive", "ppc_definitive")

    def cleared(self) -> list[str]:
        return [name for name in self.FIGURES if self[f"clear_{name}"].data]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for name in self.cleared():
            if self[name].data is not None:
                self[name].errors = list(self[name].errors) + [
                    _l("Laat dit veld leeg als u het opgeslagen cijfer wist.")
                ]
                valid = False
        return valid


class WeightsForm(PortalForm):
    ova_weight = PercentField(
        _l("Gewicht OVA (%)"), description=_l("Standaard 90; de PPC weegt de rest.")
    )
    first_index_year = IntegerField(
        _l("Eerste indexatiejaar onder de overeenkomst"),
        description=_l("In dit jaar geen nacalculatie."),
        validators=[Optional(), NumberRange(2000, 2100)],
    )


class PublishForm(PortalForm):
    correction_note = TextAreaField(
        _l("Wat corrigeert dit blad? (alleen bij een correctie)"), validators=[Optional()]
    )
    # The sheet in force that the administrator saw in the preview (empty: none yet). Publishing
    # corrects exactly that sheet, so a second click cannot publish again.
    seen_sheet = HiddenField()
    # Set only by the confirmation step's own button: without it a POST shows the preview.
    confirmed = HiddenField()


class LumpSumForm(PortalForm):
    authority = SelectField(_l("Gemeente"), coerce=int, validators=[InputRequired()])
    base_year = IntegerField(
        _l("Basisjaar"),
        validators=[InputRequired(_l("Vul het basisjaar in.")), NumberRange(2000, 2100)],
    )
    amount = AmountField(
        _l("Budget in het basisjaar (€)"),
        example_cents=125_000_000,
        validators=[InputRequired(_l("Vul het bedrag in."))],
    )


class LotForm(PortalForm):
    code = StringField(
        _l("Perceelcode"),
        validators=[
            InputRequired(_l("Vul de perceelcode in.")),
            Regexp(
                r"^[A-Za-z0-9]{1,10}$",
                message=_l("Een perceelcode bestaat uit 1 tot 10 letters of cijfers."),
            ),
        ],
    )
    name = StringField(
        _l("Naam"), validators=[InputRequired(_l("Vul de naam in.")), Length(max=200)]
    )
    description = TextAreaField(_l("Omschrijving"), validators=[Optional()])


class BaseTariffForm(PortalForm):
    year = IntegerField(
        _l("Basisjaar"),
        validators=[InputRequired(_l("Vul het basisjaar in.")), NumberRange(2000, 2100)],
    )
    # Carried from an imported file's confirmation step (see PublishForm).
    correction_note = HiddenField()
    seen_sheet = HiddenField()
    confirmed = HiddenField()
