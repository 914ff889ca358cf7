from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Optional

from portal.models import ApplicationLot


def decision_form(application_lots: Sequence[ApplicationLot], data: dict[str, object]) -> FlaskForm:
    class DecisionForm(FlaskForm):
        version = HiddenField()

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


class DeclarationRequestForm(FlaskForm):
    message = TextAreaField(
        _l("Wat vraagt u van de aanbieder?"),
        description=_l("Bijvoorbeeld: uw verzekeringspolis is verlopen; stuur de nieuwe polis."),
        validators=[InputRequired(_l("Schrijf wat u van de aanbieder vraagt."))],
    )
    due_on = DateField(
        _l("Uiterlijk op"),
        description=_l(
            "Gevraagde bewijsstukken moeten binnen 14 kalenderdagen worden aangeleverd."
        ),
        validators=[InputRequired(_l("Kies de datum waarop u het antwoord wilt hebben."))],
    )
