"""The forms of a DAS's criteria: one criterion, copying from another DAS."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from portal.infra import espd
from portal.models import CriterionKind, EvidenceType
from portal.models.labels import label
from portal.pages.forms import MultiCheckboxField, PortalForm

#: The kind in the URL (?soort=...), in Dutch.
KIND_SLUGS = {
    "uitsluitingsgrond": CriterionKind.EXCLUSION,
    "geschiktheidseis": CriterionKind.SUITABILITY,
}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}

#: The ESPD taxonomy's groups, as the choice of a ground shows them.
GROUP_LABELS = {
    espd.EspdGroup.CONVICTIONS: _l("Veroordelingen"),
    espd.EspdGroup.CONTRIBUTIONS: _l("Betaling van belastingen en sociale premies"),
    espd.EspdGroup.SOCIAL: _l("Milieurecht, sociaal recht en arbeidsrecht"),
    espd.EspdGroup.BUSINESS: _l("Faillissement, insolventie en vergelijkbare situaties"),
    espd.EspdGroup.MISCONDUCT: _l("Ernstige beroepsfouten en vervalsing van de mededinging"),
    espd.EspdGroup.CONFLICT_OF_INTEREST: _l(
        "Belangenconflicten, eerdere tekortkomingen en valse verklaringen"
    ),
    espd.EspdGroup.NATIONAL: _l("Nationale uitsluitingsgronden (ESPD)"),
    espd.EspdGroup.SUITABILITY: _l("Beroepsbevoegdheid"),
    espd.EspdGroup.ECONOMIC_FINANCIAL: _l("Economische en financiële draagkracht"),
    espd.EspdGroup.TECHNICAL_PROFESSIONAL: _l("Technische en beroepsbekwaamheid"),
    espd.EspdGroup.QUALITY_ASSURANCE: _l("Kwaliteitsborging en milieubeheer"),
    espd.EspdGroup.OTHER: _l("Overig"),
}

SOURCE_OTHER = _l("Buiten de ESPD-lijst")


def source_choices(kind: CriterionKind, language: str) -> dict[str, list[tuple[str, str]]]:
    """The ESPD codes of a kind by group (optgroups), then a national ground and an own one."""
    wanted = espd.EspdType.EXCLUSION if kind is CriterionKind.EXCLUSION else espd.EspdType.SELECTION
    groups: dict[str, list[tuple[str, str]]] = {}
    for entry in espd.offered(wanted):
        groups.setdefault(str(GROUP_LABELS[entry.group]), []).append(
            (entry.code, espd.label(entry.code, language))
        )
    groups[str(SOURCE_OTHER)] = [
        ("nationaal", str(_l("Nationale grond (niet in de ESPD-lijst)"))),
        ("eigen", str(_l("Eigen eis van de regio"))),
    ]
    return groups


class CriterionForm(PortalForm):
    code = StringField(
        _l("Code"),
        description=_l(
            "U voor een uitsluitingsgrond, G voor een geschiktheidseis, met een nummer."
        ),
        validators=[Optional()],
    )
    espd_codes = StringField(
        _l("ESPD-codes"),
        description=_l(
            "De code of codes uit de ESPD-lijst die deze vraag dekt, gescheiden door een spatie, "
            "bijvoorbeeld tax-pay socsec-pay."
        ),
        validators=[Optional()],
    )
    title = StringField(_l("Titel"), validators=[Optional()])
    question = TextAreaField(_l("Vraag aan de aanbieder"), validators=[Optional()])
    guidance = TextAreaField(_l("Toelichting voor de aanbieder"), validators=[Optional()])
    evidence_types = MultiCheckboxField(
        _l("Soorten bewijs die tellen"), validate_choice=False, validators=[Optional()]
    )
    evidence_required = BooleanField(_l("Bewijs is verplicht bij de aanmelding"))
    max_evidence_age_months = IntegerField(
        _l("Maximale ouderdom van het bewijs (maanden)"),
        validators=[Optional()],
    )
    change_summary = TextAreaField(
        _l("Wat wijzigt er, en waarom? (voor de rectificatie)"),
        description=_l("Dit staat met de datum op de openbare pagina van het aankoopsysteem."),
        validators=[Optional()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evidence_types.choices = [SelectChoice(t.value, label(t)) for t in EvidenceType]

    def validate_evidence_types(self, field: MultiCheckboxField) -> None:
        if any(value not in {t.value for t in EvidenceType} for value in field.data or ()):
            raise ValidationError(_l("Kies alleen soorten bewijs uit de lijst."))

    def chosen_types(self) -> tuple[EvidenceType, ...]:
        return tuple(EvidenceType(v) for v in self.evidence_types.data or ())


def _das_id(value: object) -> int | None:
    """The chosen DAS's id; None for the "Kies…" placeholder or anything that is no number."""
    try:
        return int(str(value))
    except ValueError:
        return None


class CopyCriteriaForm(PortalForm):
    source = SelectField(
        _l("Neem de eisen over van"),
        coerce=_das_id,
        validate_choice=False,
        validators=[InputRequired(_l("Kies een aankoopsysteem."))],
    )
    replace = BooleanField(_l("Vervang de eisen die dit aankoopsysteem al heeft"))
