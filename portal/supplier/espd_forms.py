"""Forms for importing an ESPD (UEA) response into a draft (issue 22)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectChoice
from wtforms.validators import Optional

from portal.pages.forms import MultiCheckboxField, PortalForm

MISSING_FILE = _l("Kies het XML-bestand van uw UEA (ESPD).")
NOTHING_CHOSEN = _l("Kies welke gegevens u wilt overnemen.")


class EspdImportForm(PortalForm):
    file = FileField(
        _l("Het XML-bestand van uw UEA (ESPD)"),
        render_kw={"accept": ".xml,application/xml,text/xml"},
        validators=[Optional()],
    )

    def __init__(self, *args: Any, max_mb: int = 5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file.description = _l("Een .xml-bestand van hoogstens %(mb)s MB.", mb=max_mb)


class AdoptForm(PortalForm):
    """Which of the document's organisation data to adopt. The service refuses a field it did
    not propose, so the choices are not checked here (WTForms would say so in English)."""

    chosen = MultiCheckboxField(
        _l("Welke gegevens wilt u overnemen in het profiel van uw organisatie?"),
        validate_choice=False,
        validators=[Optional()],
    )

    def __init__(
        self, *args: Any, choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.chosen.choices = [SelectChoice(value, text) for value, text in choices or []]
