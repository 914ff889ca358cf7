"""Forms for the organisation profile and colleagues."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectChoice, StringField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from portal.domain import identifiers
from portal.models import OrganisationRole, SizeClass
from portal.models.labels import label
from portal.pages.forms import PortalForm

IDENTIFIER_MESSAGES = {
    "kvk": _l("Een KvK-nummer bestaat uit 8 cijfers."),
    "branch": _l("Een vestigingsnummer bestaat uit 12 cijfers."),
    "agb": _l("Een AGB-code bestaat uit 8 cijfers."),
    "vat": _l(
        "Vul een geldig btw-identificatienummer in: NL, 9 cijfers, B en 2 cijfers, "
        "zoals NL123456789B01."
    ),
    "iban": _l("Dit IBAN klopt niet. Controleer het nummer, bijvoorbeeld NL91 ABNA 0417 1643 00."),
    "postcode": _l("Vul een geldige postcode in, zoals 6041 AB."),
}


def identifier(check: Any) -> Any:
    """A WTForms validator that normalises the value with a domain identifier rule."""

    def validate(_form: FlaskForm, field: StringField) -> None:
        if not field.data:
            return
        try:
            field.data = check(field.data)
        except identifiers.InvalidIdentifier as error:
            raise ValidationError(IDENTIFIER_MESSAGES[error.code]) from error

    return validate


def text(
    label_: Any, required: str | None = None, max_length: int = 200, **kwargs: Any
) -> StringField:
    validators: list[Any] = [InputRequired(required)] if required else [Optional()]
    validators.append(
        Length(max=max_length, message=_l("Dit veld mag hoogstens %(max)d tekens zijn."))
    )
    return StringField(label_, validators=validators, **kwargs)


class ProfileForm(PortalForm):
    legal_name = text(
        _l("Naam volgens het Handelsregister"),
        _l("Vul de naam in zoals die in het Handelsregister staat."),
        description=_l(
            "Zoals op uw uittreksel van de Kamer van Koophandel. Heeft u een eenmanszaak, vul dan "
            "de handelsnaam in die op het uittreksel staat."
        ),
    )
    trade_name = text(_l("Handelsnaam (als die anders is)"))
    kvk_number = StringField(
        _l("KvK-nummer"),
        validators=[
            InputRequired(_l("Vul het KvK-nummer in.")),
            identifier(identifiers.kvk_number),
        ],
    )
    branch_number = StringField(
        _l("Vestigingsnummer"),
        description=_l("12 cijfers."),
        validators=[Optional(), identifier(identifiers.branch_number)],
    )
    agb_code = StringField(
        _l("AGB-code"),
        description=_l("8 cijfers, nodig voor het berichtenverkeer."),
        validators=[Optional(), identifier(identifiers.agb_code)],
    )
    vat_number = StringField(
        _l("Btw-identificatienummer"),
        description=_l("Bijvoorbeeld NL123456789B01."),
        validators=[Optional(), identifier(identifiers.vat_number)],
    )
    iban = StringField(_l("IBAN"), validators=[Optional(), identifier(identifiers.iban)])
    street_address = text(_l("Straat en huisnummer"))
    postcode = StringField(
        _l("Postcode"), validators=[Optional(), identifier(identifiers.dutch_postcode)]
    )
    city = text(_l("Plaats"), max_length=100)
    size_class = RadioField(
        _l("Hoeveel mensen werken er bij uw organisatie?"),
        choices=[SelectChoice(s.value) for s in SizeClass],
        validators=[InputRequired(_l("Kies de grootte van uw organisatie."))],
    )
    email = EmailField(
        _l("Algemeen e-mailadres"),
        validators=[
            Optional(),
            Email(
                _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
                check_deliverability=False,
            ),
        ],
    )
    phone = text(_l("Telefoonnummer"), max_length=30)
    signatory_name = text(
        _l("Naam tekenbevoegde"),
        description=_l("Wie de raamovereenkomst namens uw organisatie tekent."),
    )
    signatory_role = text(
        _l("Functie tekenbevoegde"), description=_l("Bijvoorbeeld directeur-eigenaar.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.size_class.choices = [SelectChoice(s.value, label(s)) for s in SizeClass]


class InviteForm(PortalForm):
    email = EmailField(
        _l("E-mailadres van uw collega"),
        validators=[
            InputRequired(_l("Vul het e-mailadres van uw collega in.")),
            Email(
                _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
                check_deliverability=False,
            ),
        ],
    )
    organisation_role = RadioField(
        _l("Wat mag uw collega?"),
        choices=[
            SelectChoice(
                OrganisationRole.CONTRIBUTOR.value,
                _l("Meewerken: concepten invullen en documenten uploaden"),
            ),
            SelectChoice(
                OrganisationRole.ADMIN.value,
                _l("Beheren: ook collega's beheren, indienen en ondertekenen"),
            ),
        ],
        default=OrganisationRole.CONTRIBUTOR.value,
        validators=[InputRequired(_l("Kies wat uw collega mag."))],
    )
    is_signatory = BooleanField(_l("Deze collega is tekenbevoegd en mag aanmeldingen indienen"))


class TwoFactorPolicyForm(PortalForm):
    required = BooleanField(
        _l("Verificatie in twee stappen verplicht voor alle collega's"),
        description=_l(
            "Collega's die het nog niet gebruiken, stellen het in bij de volgende keer dat zij "
            "inloggen."
        ),
    )
