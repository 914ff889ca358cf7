from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, StringField
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
        "Dit wachtwoord staat in lijsten van veelgebruikte of uitgelekte wachtwoorden. "
        "Kies een ander."
    ),
    Weakness.GUESSABLE: _l(
        "Dit wachtwoord is te makkelijk te raden. Neem bijvoorbeeld drie of vier losse woorden."
    ),
}


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


class RegisterForm(PortalForm):
    legal_name = StringField(
        _l("Statutaire naam van uw organisatie"),
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
        description=_l(
            "Minstens 12 tekens; drie of vier losse woorden zijn sterk en goed te onthouden."
        ),
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
            description=_l(
                "Minstens 12 tekens; drie of vier losse woorden zijn sterk en goed te onthouden."
            ),
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


class ResetPasswordForm(PortalForm):
    password, password_repeat = new_password_fields()


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        _l("Huidig wachtwoord"), validators=[InputRequired(_l("Vul uw huidige wachtwoord in."))]
    )
    password, password_repeat = new_password_fields()


class AcceptInvitationForm(PortalForm):
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
