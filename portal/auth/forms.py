from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from portal.domain.identifiers import InvalidIdentifier, kvk_number
from portal.domain.passwords import Weakness, weakness
from portal.models import SizeClass
from portal.models.labels import label
from portal.pages.forms import PortalForm

PASSWORD_MESSAGES = {
    Weakness.TOO_SHORT: _l("Het wachtwoord moet minstens 12 tekens lang zijn."),
    Weakness.TOO_LONG: _l("Het wachtwoord mag hoogstens 200 tekens lang zijn."),
    Weakness.COMMON: _l(
        "Dit wachtwoord staat in lijsten van veelgebruikte of uitgelekte wachtwoorden. Hoofdletters, "
        "spaties, en cijfers of tekens ervoor of erachter veranderen dat niet: "
        "‘Jeugdzorg2026!’ telt als ‘jeugdzorg’. Kies een ander."
    ),
    Weakness.GUESSABLE: _l(
        "Dit wachtwoord is te makkelijk te raden: het lijkt op een woord met een jaartal, een "
        "eenvoudig patroon, of uw naam, e-mailadres of organisatienaam. Neem bijvoorbeeld drie of "
        "vier losse woorden."
    ),
}

# What portal.domain.passwords refuses, said before the user types (the page lists these under
# the password field; each refusal above names the rule it broke).
PASSWORD_RULES = (
    _l("minstens 12 tekens (en hoogstens 200);"),
    _l(
        "geen veelgebruikt of uitgelekt wachtwoord, ook niet met hoofdletters, spaties, of cijfers "
        "en tekens ervoor of erachter;"
    ),
    _l("niet gemaakt van uw naam, uw e-mailadres of de naam van uw organisatie;"),
    _l(
        "niet makkelijk te raden: een woord met een jaartal of een eenvoudig patroon, zoals "
        "‘Jeugdzorg2026!’ of ‘Abcd1234abcd’, is te makkelijk."
    ),
)
PASSWORD_TIP = _l(
    "Tip: neem drie of vier losse woorden, zoals ‘fiets lamp wolk appel’. Dat is sterk en goed te "
    "onthouden."
)


class StrongPassword:
    """Refuses short, common, breached and guessable passwords (portal.domain.passwords).
    The user's name, e-mail address and organisation count as easy words."""

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        personal = [
            str(form[name].data or "") for name in ("email", "name", "legal_name") if name in form
        ]
        if current_user and current_user.is_authenticated:
            personal += [current_user.email, current_user.name]
        problem = weakness(field.data or "", personal)
        if problem is not None:
            raise ValidationError(PASSWORD_MESSAGES[problem])


class ChoosesPassword:
    """A form where someone chooses a password: its page lists the rules under the field."""

    password_rules = PASSWORD_RULES
    password_intro = _l("Uw wachtwoord moet voldoen aan deze regels:")
    password_tip = PASSWORD_TIP


class LoginForm(PortalForm):
    email = EmailField(_l("E-mailadres"), validators=[InputRequired(_l("Vul uw e-mailadres in."))])
    password = PasswordField(
        _l("Wachtwoord"), validators=[InputRequired(_l("Vul uw wachtwoord in."))]
    )


def validate_kvk(_form: FlaskForm, field: StringField) -> None:
    try:
        field.data = kvk_number(field.data or "")
    except InvalidIdentifier as error:
        raise ValidationError(_l("Een KvK-nummer bestaat uit 8 cijfers.")) from error


class RegisterForm(ChoosesPassword, PortalForm):
    legal_name = StringField(
        _l("Naam volgens het Handelsregister"),
        description=_l(
            "Zoals op uw uittreksel van de Kamer van Koophandel. Heeft u een eenmanszaak, vul dan "
            "de handelsnaam in die op het uittreksel staat."
        ),
        validators=[
            InputRequired(_l("Vul de naam van uw organisatie in.")),
            Length(max=200, message=_l("De naam mag hoogstens 200 tekens zijn.")),
        ],
    )
    kvk_number = StringField(
        _l("KvK-nummer"),
        description=_l("8 cijfers, zoals op uw uittreksel van de Kamer van Koophandel."),
        validators=[InputRequired(_l("Vul het KvK-nummer in.")), validate_kvk],
    )
    size_class = RadioField(
        _l("Hoeveel mensen werken er bij uw organisatie?"),
        choices=[SelectChoice(s.value) for s in SizeClass],
        validators=[InputRequired(_l("Kies de grootte van uw organisatie."))],
    )
    name = StringField(
        _l("Uw naam"),
        validators=[
            InputRequired(_l("Vul uw naam in.")),
            Length(max=200, message=_l("Uw naam mag hoogstens 200 tekens zijn.")),
        ],
    )
    email = EmailField(
        _l("Uw e-mailadres"),
        validators=[
            InputRequired(_l("Vul uw e-mailadres in.")),
            Email(
                _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
                check_deliverability=False,
            ),
        ],
    )
    password = PasswordField(
        _l("Kies een wachtwoord"),
        validators=[
            InputRequired(_l("Kies een wachtwoord.")),
            StrongPassword(),
        ],
    )
    password_repeat = PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[
            InputRequired(_l("Herhaal het wachtwoord.")),
            EqualTo("password", _l("De wachtwoorden zijn niet gelijk.")),
        ],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.size_class.choices = [SelectChoice(s.value, label(s)) for s in SizeClass]


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("Nieuw wachtwoord"),
            validators=[
                InputRequired(_l("Kies een wachtwoord.")),
                StrongPassword(),
            ],
        ),
        PasswordField(
            _l("Herhaal het nieuwe wachtwoord"),
            validators=[
                InputRequired(_l("Herhaal het wachtwoord.")),
                EqualTo("password", _l("De wachtwoorden zijn niet gelijk.")),
            ],
        ),
    )


class EmailForm(PortalForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            InputRequired(_l("Vul uw e-mailadres in.")),
            Email(
                _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
                check_deliverability=False,
            ),
        ],
    )


class ResetPasswordForm(ChoosesPassword, PortalForm):
    password, password_repeat = new_password_fields()


class ChangePasswordForm(ChoosesPassword, PortalForm):
    current_password = PasswordField(
        _l("Huidig wachtwoord"), validators=[InputRequired(_l("Vul uw huidige wachtwoord in."))]
    )
    password, password_repeat = new_password_fields()


class AcceptInvitationForm(ChoosesPassword, PortalForm):
    name = StringField(
        _l("Uw naam"),
        validators=[
            InputRequired(_l("Vul uw naam in.")),
            Length(max=200, message=_l("Uw naam mag hoogstens 200 tekens zijn.")),
        ],
    )
    password, password_repeat = new_password_fields()


class CodeForm(PortalForm):
    code = StringField(
        _l("Code"),
        description=_l(
            "De zes cijfers die uw app nu toont. Kwijt? Gebruik dan een van uw herstelcodes."
        ),
        validators=[
            InputRequired(_l("Vul de code in.")),
            Length(max=20, message=_l("Een code is hoogstens 14 tekens.")),
        ],
        render_kw={"spellcheck": "false"},
    )


class PasswordCheckForm(PortalForm):
    """The password again, before a change that weakens the account."""

    password = PasswordField(
        _l("Uw wachtwoord"), validators=[InputRequired(_l("Vul uw wachtwoord in."))]
    )


class DailyDigestForm(PortalForm):
    """Staff: the daily mail listing their tasks (portal.services.staff_tasks)."""

    wants_daily_digest = BooleanField(_l("Stuur mij elke werkdag een overzicht van mijn taken"))
