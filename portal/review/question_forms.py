"""The staff's forms for the questions on a DAS: answer (draft or publish), merge, correct."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired

from portal.domain import questions as rules
from portal.models import QuestionSubject
from portal.models.labels import label
from portal.pages.forms import PortalForm

CHOOSE_SUBJECT = _l("Kies het onderwerp.")
ANSWER_HINT = _l(
    "Hoogstens %(maximum)s tekens. Het antwoord wordt openbaar, zonder de naam van de vrager.",
    maximum=rules.MAX_ANSWER_LENGTH,
)


class AnswerForm(PortalForm):
    subject = SelectField(
        _l("Onderwerp"),
        validate_choice=False,
        validators=[
            InputRequired(CHOOSE_SUBJECT),
            AnyOf([s.value for s in QuestionSubject], message=CHOOSE_SUBJECT),
        ],
    )
    answer = TextAreaField(_l("Antwoord"), description=ANSWER_HINT)
    publish = SubmitField(_l("Antwoord publiceren"))
    save_draft = SubmitField(_l("Opslaan als concept"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.subject.choices = [(s.value, label(s)) for s in QuestionSubject]


class CorrectionForm(PortalForm):
    answer = TextAreaField(_l("Gecorrigeerd antwoord"), description=ANSWER_HINT)


class MergeForm(PortalForm):
    target = SelectField(
        _l("Samenvoegen met vraag"),
        coerce=int,
        # Which questions qualify is the service's business (same DAS, not merged itself).
        validate_choice=False,
        validators=[DataRequired(_l("Kies de vraag waarmee u deze samenvoegt."))],
    )
