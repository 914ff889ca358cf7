"""The provider's question about a DAS's announcement (nota van inlichtingen, issue 20)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import AnyOf, InputRequired

from portal.domain import questions as rules
from portal.models import QuestionSubject
from portal.models.labels import label
from portal.pages.forms import PortalForm

CHOOSE_SUBJECT = _l("Kies waar uw vraag over gaat.")


def subject_choices() -> list[tuple[str, str]]:
    return [(subject.value, label(subject)) for subject in QuestionSubject]


class QuestionForm(PortalForm):
    subject = RadioField(
        _l("Waar gaat uw vraag over?"),
        # One sentence for "nothing chosen" and "not one of these" (a forged value).
        validate_choice=False,
        validators=[
            InputRequired(CHOOSE_SUBJECT),
            AnyOf([s.value for s in QuestionSubject], message=CHOOSE_SUBJECT),
        ],
    )
    # Its length and characters are the service's rules (portal.domain.questions); its refusal
    # is shown here, with the text kept.
    text = TextAreaField(
        _l("Uw vraag"),
        description=_l(
            "Hoogstens %(maximum)s tekens. Noem geen namen van cliënten of medewerkers: het "
            "antwoord wordt openbaar, zonder de naam van uw organisatie.",
            maximum=rules.MAX_QUESTION_LENGTH,
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.subject.choices = subject_choices()
