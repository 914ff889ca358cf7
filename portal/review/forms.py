from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from portal.domain.evidence import REQUESTED_EVIDENCE_DUE_DAYS
from portal.models import ApplicationLot, Criterion
from portal.pages.forms import MultiCheckboxField, PortalForm


def reauthentication(action: str) -> PasswordField:
    """Deciding is done by the person logged in, not by whoever finds an unlocked screen: the
    password is asked again (OWASP ASVS 4.0 §3.7.1)."""
    return PasswordField(
        _l("Uw wachtwoord"),
        description=_l("Ter bevestiging dat u dit besluit neemt."),
        validators=[InputRequired(action)],
    )


def decision_form(
    application_lots: Sequence[ApplicationLot], data: dict[str, object]
) -> PortalForm:
    class DecisionForm(PortalForm):
        version = HiddenField()
        password = reauthentication(_l("Vul uw wachtwoord in om het besluit vast te leggen."))

    for application_lot in application_lots:
        setattr(
            DecisionForm,
            f"lot{application_lot.lot_id}_outcome",
            RadioField(
                f"{application_lot.lot.code}. {application_lot.lot.name}",
                choices=[
                    SelectChoice("admitted", _l("Toelaten")),
                    SelectChoice("rejected", _l("Afwijzen")),
                ],
                validators=[InputRequired(_l("Kies toelaten of afwijzen."))],
            ),
        )
        setattr(
            DecisionForm,
            f"lot{application_lot.lot_id}_reason",
            TextAreaField(_l("Motivering (verplicht bij afwijzen)"), validators=[Optional()]),
        )
    return DecisionForm(data=data)


class VerdictField(RadioField):
    """A verdict that may be left open: where the reviewer must judge, nothing is chosen for
    them (portal.domain.assessment), and saving the others is not refused for it."""

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, "", "None"):
            return
        super().pre_validate(form)


def assessment_form(criteria: Sequence[Criterion], data: dict[str, object]) -> PortalForm:
    class AssessmentForm(PortalForm):
        pass

    for criterion in criteria:
        setattr(
            AssessmentForm,
            f"c{criterion.id}_mark",
            VerdictField(
                f"{criterion.code}. {criterion.title}",
                choices=[
                    SelectChoice("pass", _l("Voldoet")),
                    SelectChoice("fail", _l("Voldoet niet")),
                ],
                validators=[Optional()],
            ),
        )
        setattr(
            AssessmentForm,
            f"c{criterion.id}_reason",
            TextAreaField(
                _l(
                    "Reden (verplicht bij 'voldoet niet' en bij afwijken van het voorlopige oordeel)"
                ),
                validators=[Optional()],
            ),
        )
    return AssessmentForm(data=data)


class NoteForm(PortalForm):
    """A note for the other reviewers of the application; the provider never sees it."""

    about = SelectField(_l("Over"), validators=[Optional()])
    text = TextAreaField(
        _l("Notitie voor de andere beoordelaars"),
        description=_l("Niet zichtbaar voor de aanbieder."),
        validators=[InputRequired(_l("Schrijf uw notitie."))],
    )


class ConflictForm(PortalForm):
    has_conflict = RadioField(
        _l("Heeft u een belangenconflict met deze aanbieder?"),
        choices=[
            SelectChoice("no", _l("Nee, ik heb geen belangenconflict met deze aanbieder")),
            SelectChoice("yes", _l("Ja, ik heb een belangenconflict (ik beoordeel niet)")),
        ],
        validators=[InputRequired(_l("Kies of u een belangenconflict heeft."))],
    )
    note = TextAreaField(_l("Toelichting (optioneel)"), validators=[Optional()])


class AssignForm(PortalForm):
    assignee = SelectField(
        _l("Toewijzen aan"), coerce=int, validators=[InputRequired(_l("Kies een beoordelaar."))]
    )


class ExtendForm(PortalForm):
    working_days = SelectField(
        _l("Nieuwe beoordelingstermijn"),
        choices=[SelectChoice(str(n), _l("%(n)s werkdagen", n=n)) for n in range(11, 16)],
        validators=[InputRequired(_l("Kies de nieuwe termijn."))],
    )
    reason = TextAreaField(
        _l("Reden van de verlenging"),
        validators=[InputRequired(_l("Geef de reden voor de verlenging op."))],
    )


class ClarificationForm(PortalForm):
    question = TextAreaField(
        _l("Uw vraag aan de aanbieder"),
        validators=[InputRequired(_l("Schrijf uw vraag aan de aanbieder."))],
    )
    criteria = MultiCheckboxField(_l("Over welke eisen gaat de vraag?"), validators=[Optional()])
    reply_due_on = DateField(
        _l("Antwoord uiterlijk op"),
        description=_l(
            "Gevraagde bewijsstukken moeten binnen %(days)s kalenderdagen worden aangeleverd.",
            days=REQUESTED_EVIDENCE_DUE_DAYS,
        ),
        validators=[InputRequired(_l("Kies de datum waarop u het antwoord wilt hebben."))],
    )


class ConfirmForm(PortalForm):
    version = HiddenField()
    password = reauthentication(_l("Vul uw wachtwoord in om het besluit te bevestigen."))


class ReturnForm(PortalForm):
    version = HiddenField()
    reason = TextAreaField(
        _l("Waarom stuurt u het besluit terug?"),
        validators=[InputRequired(_l("Geef aan waarom u het besluit terugstuurt."))],
    )


class DeclarationRequestForm(PortalForm):
    message = TextAreaField(
        _l("Wat vraagt u van de aanbieder?"),
        description=_l("Bijvoorbeeld: uw verzekeringspolis is verlopen; stuur de nieuwe polis."),
        validators=[InputRequired(_l("Schrijf wat u van de aanbieder vraagt."))],
    )
    due_on = DateField(
        _l("Uiterlijk op"),
        description=_l(
            "Gevraagde bewijsstukken moeten binnen %(days)s kalenderdagen worden aangeleverd.",
            days=REQUESTED_EVIDENCE_DUE_DAYS,
        ),
        validators=[InputRequired(_l("Kies de datum waarop u het antwoord wilt hebben."))],
    )


class SuspendForm(PortalForm):
    reason = TextAreaField(
        _l("Reden van de opschorting"),
        validators=[InputRequired(_l("Geef de reden voor de opschorting op."))],
    )
