from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from portal.domain.evidence import HAS_END_DATE, DateProblem, DateRefusal, offered_for
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


EXCLUSION_STATEMENT = [
    SelectChoice(
        "geen", _l("Geen van deze uitsluitingsgronden is op onze organisatie van toepassing")
    ),
    SelectChoice("wel", _l("Een of meer gronden zijn wel van toepassing")),
]


def upload_fields(prefix: str, evidence_type: EvidenceType) -> dict[str, Field]:
    """The fields of one upload: the file, its dates ("geldig tot" only for kinds with an end
    date) and the id of a file received earlier and kept while a date is corrected. Every field
    optional: the view decides what an upload needs (portal.supplier.application_views)."""
    fields: dict[str, Field] = {
        f"{prefix}_file": FileField(
            _l("Bestand"),
            description=_l("PDF, PNG, JPEG, DOCX of ODT, hoogstens 20 MB."),
            validators=[Optional()],
        ),
        f"{prefix}_issued_on": DateField(_l("Datum van afgifte"), validators=[Optional()]),
        f"{prefix}_pending": HiddenField(validators=[Optional()]),
    }
    if evidence_type.value in HAS_END_DATE:
        fields[f"{prefix}_expires_on"] = DateField(
            _l("Geldig tot (als het document een einddatum heeft)"), validators=[Optional()]
        )
    return fields


def evidence_type_of(criterion: Criterion) -> EvidenceType:
    """The kind an upload for this criterion gets: the one it asks for, else "overig"."""
    return criterion.evidence_type or EvidenceType.OTHER


def answers_form(
    criteria: Sequence[Criterion],
    documents: Sequence[EvidenceDocument],
    data: dict[str, Any],
    today: date,
    rejected_documents: dict[int, tuple[int, ...]] | None = None,
) -> PortalForm:
    """One block per criterion; every field optional, so a half-filled draft can always be saved.
    Completeness is checked on submission (portal.domain.eligibility).

    Exclusion grounds get one statement on top ("none of these apply", or answer per ground).
    Suitability criteria get the documents that can count and an upload of their own, its kind
    fixed by the criterion; where exactly one document can count and none is linked yet, it is
    ticked, unless the reviewers rejected that very document for this criterion before
    (`rejected_documents`: criterion id -> document ids)."""

    class AnswersForm(PortalForm):
        pass

    def offered(criterion: Criterion) -> list[EvidenceDocument]:
        # Every evidence type that counts for the criterion (any kind when it names none).
        wanted: list[str | None] = [t.value for t in criterion.evidence_types] or [None]
        return [
            d
            for d in documents
            if any(
                offered_for(
                    d.evidence_type.value,
                    d.issued_on,
                    d.expires_on,
                    kind,
                    criterion.max_evidence_age_months,
                    today,
                )
                for kind in wanted
            )
        ]

    def document_choices(criterion: Criterion) -> list[SelectChoice]:
        """The documents that can count for this criterion, and those already linked to it."""
        linked = set(data.get(f"c{criterion.id}_documents") or ())
        fitting = {d.id for d in offered(criterion)}
        return [
            SelectChoice(d.id, f"{d.filename} ({label(d.evidence_type)}, {d.issued_on:%d-%m-%Y})")
            for d in documents
            if d.id in linked or d.id in fitting
        ]

    data = dict(data)
    if any(c.kind is CriterionKind.EXCLUSION for c in criteria):
        AnswersForm.statement = RadioField(
            _l("Uw verklaring"), choices=EXCLUSION_STATEMENT, validators=[Optional()]
        )
        values = [data.get(f"c{c.id}_value") for c in criteria]
        if values and all(v == "nee" for v in values):
            data["statement"] = "geen"
        elif any(v == "ja" for v in values):
            data["statement"] = "wel"
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
            for name, upload_field in upload_fields(prefix, evidence_type_of(criterion)).items():
                setattr(AnswersForm, name, upload_field)
            fitting = offered(criterion)
            if (
                not data.get(f"{prefix}_documents")
                and data.get(f"{prefix}_value") != "nee"
                and len(fitting) == 1
                and fitting[0].id not in (rejected_documents or {}).get(criterion.id, ())
            ):
                data[f"{prefix}_documents"] = [fitting[0].id]
    form = AnswersForm(data=data)
    for criterion in criteria:
        if criterion.kind is CriterionKind.SUITABILITY:
            form[f"c{criterion.id}_documents"].choices = document_choices(criterion)
    return form


class UploadForm(PortalForm):
    file = FileField(
        _l("Bestand"),
        description=_l("PDF, PNG, JPEG, DOCX of ODT, hoogstens 20 MB."),
        validators=[Optional()],
    )
    evidence_type = SelectField(
        _l("Soort document"), validators=[InputRequired(_l("Kies het soort document."))]
    )
    issued_on = DateField(_l("Datum van afgifte"), validators=[Optional()])
    expires_on = DateField(
        _l("Geldig tot (als het document een einddatum heeft)"), validators=[Optional()]
    )
    # A file received with an earlier, refused post of this form (portal.services.pending_uploads).
    pending = HiddenField(validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evidence_type.choices = [SelectChoice("", _l("Kies…"))] + [
            SelectChoice(t.value, label(t)) for t in EvidenceType
        ]

    def validate_evidence_type(self, field: SelectField) -> None:
        if field.data not in {t.value for t in EvidenceType}:
            raise ValidationError(_l("Kies het soort document."))


MISSING_FILE = _l("Kies een bestand.")
MISSING_ISSUE_DATE = _l("Vul de datum van afgifte in, bijvoorbeeld 15-03-2026.")
FILE_NOT_KEPT = _l("Het bestand is niet bewaard: %(reason)s")


def date_problem_message(problem: DateProblem, evidence_type: EvidenceType) -> str:
    """The sentence for an upload refused by its dates, naming a date that would do."""
    if problem.refusal is DateRefusal.ISSUED_IN_FUTURE:
        return gettext(
            "De datum van afgifte ligt in de toekomst. Vul de datum in die op het document "
            "staat: op of voor %(date)s.",
            date=f"{problem.submission_day:%d-%m-%Y}",
        )
    if problem.refusal is DateRefusal.EXPIRES_BEFORE_ISSUE:
        return gettext("De einddatum ligt voor de datum van afgifte.")
    if problem.refusal is DateRefusal.TOO_OLD:
        assert problem.earliest_issue_date is not None
        name = str(label(evidence_type))
        return gettext(
            "Een %(type)s mag hoogstens %(months)s maanden oud zijn op de dag van indienen: "
            "kies een document van op of na %(date)s.",
            type=name[:1].lower() + name[1:],
            months=problem.max_age_months,
            date=f"{problem.earliest_issue_date:%d-%m-%Y}",
        )
    return gettext(
        "Dit document is niet meer geldig op de dag van indienen. Kies een document dat geldig "
        "is tot op of na %(date)s.",
        date=f"{problem.submission_day:%d-%m-%Y}",
    )


class SubmitForm(PortalForm):
    # Asked only of an admitted provider applying for more lots with documents it declared
    # before (confirmation_needed); the page names the documents and lots in the label.
    covers_new_lots = BooleanField(
        _l("Ik bevestig dat de eerder ingediende documenten ook gelden voor de nieuwe percelen.")
    )
    declaration = BooleanField(
        _l(
            "Ik verklaar dat de antwoorden in deze aanmelding waar en volledig zijn, en dat ik "
            "bevoegd ben namens de organisatie in te dienen."
        ),
        validators=[DataRequired(_l("Bevestig de verklaring om in te dienen."))],
    )
    # Asked when answers carried from another DAS or an ESPD are still unchanged (issue 22).
    carried_checked = BooleanField(
        _l(
            "Ik heb de overgenomen antwoorden en documenten gecontroleerd; ze zijn juist en actueel."
        )
    )
    confirmation_needed = False
    carried_needed = False

    def validate_carried_checked(self, field: BooleanField) -> None:
        if self.carried_needed and not field.data:
            raise ValidationError(
                _l(
                    "Bevestig dat u de overgenomen antwoorden en documenten heeft gecontroleerd, "
                    "of pas ze aan bij de uitsluitingsgronden en geschiktheidseisen."
                )
            )

    def validate_covers_new_lots(self, field: BooleanField) -> None:
        if self.confirmation_needed and not field.data:
            raise ValidationError(
                _l(
                    "Bevestig dat de eerder ingediende documenten ook gelden voor de nieuwe "
                    "percelen, of voeg bij de geschiktheidseisen documenten toe die dat wel doen."
                )
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
