"""Forms for the organisation's API tokens (issue 23)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.models import ApiScope
from portal.models.labels import label
from portal.pages.forms import MultiCheckboxField, PortalForm
from portal.services.api_tokens import NAME_MAX_LENGTH


class ApiTokenForm(PortalForm):
    name = StringField(
        _l("Naam van de sleutel"),
        description=_l(
            "Zo herkent u de sleutel later in de lijst, bijvoorbeeld de naam van uw software."
        ),
        validators=[
            InputRequired(_l("Geef de sleutel een naam, bijvoorbeeld die van uw software.")),
            Length(
                max=NAME_MAX_LENGTH,
                message=_l("De naam mag hoogstens %(max)d tekens lang zijn."),
            ),
        ],
    )
    scopes = MultiCheckboxField(
        _l("Waarvoor mag de sleutel rapporteren?"),
        validate_choice=False,
        validators=[
            InputRequired(_l("Kies ten minste één onderdeel waarvoor de sleutel mag rapporteren."))
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes.choices = [SelectChoice(scope.value, label(scope)) for scope in ApiScope]

    def validate_scopes(self, field: MultiCheckboxField) -> None:
        if any(value not in {scope.value for scope in ApiScope} for value in field.data or ()):
            raise ValidationError(_l("Kies alleen onderdelen uit de lijst."))

    def chosen_scopes(self) -> list[ApiScope]:
        return [ApiScope(value) for value in self.scopes.data or ()]


class RevokeApiTokenForm(PortalForm):
    # Sent by the confirmation page's button; without it the page asks first.
    confirmed = HiddenField()
