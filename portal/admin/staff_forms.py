"""The form that invites a member of staff to a DAS (issue 19)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectChoice
from wtforms.validators import Email, InputRequired, Length

from portal.pages.forms import PortalForm


class StaffInviteForm(PortalForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            InputRequired(_l("Vul het e-mailadres in.")),
            Length(max=254, message=_l("Dit veld mag hoogstens %(max)d tekens zijn.")),
            Email(
                _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
                check_deliverability=False,
            ),
        ],
    )
    role = RadioField(
        _l("Rol"),
        choices=[
            SelectChoice("reviewer", _l("Beoordelaar: beoordeelt aanmeldingen")),
            SelectChoice(
                "contract_manager", _l("Contractmanager: volgt overeenkomsten, KPI's en SROI")
            ),
            SelectChoice(
                "administrator", _l("Beheerder: richt aankoopsystemen in (ziet alle systemen)")
            ),
        ],
        validators=[InputRequired(_l("Kies de rol."))],
    )
