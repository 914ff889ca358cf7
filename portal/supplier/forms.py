from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from portal.domain.evidence import offered_for
from portal.models import Criterion, CriterionKind, EvidenceDocument, EvidenceType, Lot
from portal.models.labels import label
from portal.pages.forms import AmountField, MultiCheckboxField, PortalForm

YES_NO = [SelectChoice("ja", _l("Ja")), SelectChoice("nee", _l("Nee"))]


class ProductsForm(PortalForm):
    products = MultiCheckboxField(_l("Welke producten gaat u leveren?"), coerce=int)

    @classmethod
    def for_lots(cls, lots: Sequence[Lot], **kwargs: Any) -> ProductsForm:
        """Products of the lots the provider may still apply for, grouped by lot in the page."""
        form = cls(**kwargs)
        form.products.choices = [
            SelectChoice(p.id, f"{p.code} {p.name}") for lot in lots for p in lot.products
        ]
        return form


def answers_form(
    criteria: Sequence[Criterion],
    documents: Sequence[EvidenceDocument],
    data: dict[str, Any],
    today: date,
) -> PortalForm:
    """One block per criterion; every field optional, so a half-filled draft can always be saved.
    Completeness is checked on submission (portal.domain.eligibility)."""

    class AnswersForm(PortalForm):
        pass

    def document_choices(criterion: Criterion) -> list[SelectChoice]:
        """The documents that can count for this criterion, and those already linked to it."""
        linked = set(data.get(f"c{criterion.id}_documents") or ())
        wanted = criterion.evidence_type.value if criterion.evidence_type else None
        return [
            SelectChoice(d.id, f"{d.filename} ({label(d.evidence_type)}, {d.issued_on:%d-%m-%Y})")
            for d in documents
            if d.id in linked
            or offered_for(
                d.evidence_type.value,
                d.issued_on,
                d.expires_on,
                wanted,
                criterion.max_evidence_age_months,
                today,
            )
        ]

    for criterion in criteria:
        prefix = f"c{criterion.id}"
        setattr(
            AnswersForm,
            f"{prefix}_value",
            RadioField(criterion.question, choices=YES_NO, validators=[Optional()]),
        )
        if criterion.kind is CriterionKind.EXCLUSION:
            setattr(
                AnswersForm,
                f"{prefix}_explanation",
                TextAreaField(_l("Toelichting (verplicht bij 'ja')"), validators=[Optional()]),
            )
            setattr(
                AnswersForm,
                f"{prefix}_self_cleaning",
                TextAreaField(
                    _l(
                        "Welke maatregelen heeft u genomen om herhaling te voorkomen (self-cleaning)?"
                    ),
                    validators=[Optional()],
                ),
            )
        else:
            setattr(
                AnswersForm,
                f"{prefix}_explanation",
                TextAreaField(_l("Toelichting (optioneel)"), validators=[Optional()]),
            )
            field = MultiCheckboxField(_l("Bewijsstukken"), coerce=int, validators=[Optional()])
            setattr(AnswersForm, f"{prefix}_documents", field)
    form = AnswersForm(data=data)
    for criterion in criteria:
        if criterion.kind is CriterionKind.SUITABILITY:
            form[f"c{criterion.id}_documents"].choices = document_choices(criterion)
    return form


class UploadForm(PortalForm):
    file = FileField(
        _l("Bestand"),
        description=_l("PDF, PNG, JPEG, DOCX of ODT, hoogstens 20 MB."),
        validators=[FileRequired(_l("Kies een bestand."))],
    )
    evidence_type = SelectField(
        _l("Soort document"), validators=[InputRequired(_l("Kies het soort document."))]
    )
    issued_on = DateField(
        _l("Datum van afgifte"),
        validators=[InputRequired(_l("Vul de datum van afgifte in, bijvoorbeeld 15-03-2026."))],
    )
    expires_on = DateField(
        _l("Geldig tot (als het document een einddatum heeft)"), validators=[Optional()]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evidence_type.choices = [SelectChoice("", _l("Kies…"))] + [
            SelectChoice(t.value, label(t)) for t in EvidenceType
        ]

    def validate_evidence_type(self, field: SelectField) -> None:
        if field.data not in {t.value for t in EvidenceType}:
            raise ValidationError(_l("Kies het soort document."))


class SubmitForm(PortalForm):
    declaration = BooleanField(
        _l(
            "Ik verklaar dat de antwoorden in deze aanmelding waar en volledig zijn, en dat ik "
            "bevoegd ben namens de organisatie in te dienen."
        ),
        validators=[DataRequired(_l("Bevestig de verklaring om in te dienen."))],
    )


class ClarificationReplyForm(PortalForm):
    answer = TextAreaField(_l("Uw antwoord"), validators=[Optional()])
    documents = MultiCheckboxField(
        _l("Bewijsstukken bij uw antwoord"), coerce=int, validators=[Optional()]
    )


class SignForm(PortalForm):
    password = PasswordField(
        _l("Uw wachtwoord"),
        description=_l("Ter bevestiging dat u het zelf bent die ondertekent."),
        validators=[InputRequired(_l("Vul uw wachtwoord in om te ondertekenen."))],
    )
    agree = BooleanField(
        _l("Ik onderteken deze raamovereenkomst namens mijn organisatie."),
        validators=[DataRequired(_l("Bevestig dat u namens uw organisatie ondertekent."))],
    )


class KpiUploadForm(PortalForm):
    file = FileField(
        _l("Bestand met cijfers"),
        description=_l(
            "CSV of Excel met de kolommen kpi, periode en waarde, en eventueel perceel en "
            "gemeente voor een uitsplitsing."
        ),
        validators=[FileRequired(_l("Kies een bestand."))],
    )
    reason = TextAreaField(
        _l("Reden (alleen bij een correctie van eerder gemelde cijfers)"), validators=[Optional()]
    )


class SroiForm(PortalForm):
    year = SelectField(_l("Jaar"), coerce=int)
    activity = TextAreaField(
        _l("Wat heeft u gedaan?"),
        description=_l(
            "Bijvoorbeeld: een leerwerkplek voor iemand met een afstand tot de arbeidsmarkt."
        ),
        validators=[InputRequired(_l("Beschrijf de activiteit."))],
    )
    amount = AmountField(
        _l("Waarde in euro"),
        example_cents=250_000,
        validators=[InputRequired(_l("Vul de waarde in."))],
    )
    document = SelectField(_l("Bewijsstuk (optioneel)"), coerce=int, validators=[Optional()])
    pso_level = StringField(_l("Trede op de PSO-ladder (als u die heeft)"), validators=[Optional()])
