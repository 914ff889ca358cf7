"""The queue's filter form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from portal.pages.forms import PortalForm


class QueueFilterForm(PortalForm):
    class Meta:
        csrf = False

    das = SelectField(_l("Aankoopsysteem"), coerce=int, validators=[Optional()])
    lot = SelectField(_l("Perceel"), coerce=int, validators=[Optional()])
    state = SelectField(_l("Status"), validators=[Optional()])
    reviewer = SelectField(_l("Beoordelaar"), coerce=int, validators=[Optional()])
