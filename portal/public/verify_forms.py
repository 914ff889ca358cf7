"""The forms of the verification page (public.verify_document, issue 24)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.pages.forms import PortalForm

# A document the portal issues is a few hundred kilobytes; this leaves room for long reports.
MAX_BYTES = 10 * 1024 * 1024


class VerifyFileForm(PortalForm):
    file = FileField(
        _l("PDF-bestand"),
        description=_l(
            "Het document zoals u het heeft ontvangen of gedownload: een PDF van hoogstens 10 MB. "
            "Het bestand wordt alleen gecontroleerd, niet bewaard."
        ),
        validators=[FileRequired(_l("Kies het PDF-bestand dat u wilt controleren."))],
    )


class VerifyReferenceForm(PortalForm):
    """Asked in the query string (a look-up changes nothing), so without a form token."""

    class Meta:
        csrf = False

    kenmerk = StringField(
        _l("Vingerafdruk of kenmerk"),
        description=_l(
            "De SHA-256-vingerafdruk van het bestand (64 tekens, 0-9 en a-f), of het kenmerk "
            "van de aanmelding of de raamovereenkomst dat in het document staat."
        ),
        validators=[
            InputRequired(_l("Vul de vingerafdruk of het kenmerk van het document in.")),
            Length(max=100, message=_l("Een vingerafdruk of kenmerk is hoogstens 100 tekens.")),
        ],
    )
