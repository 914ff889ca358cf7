"""The forms of a DAS's life on the administrator's pages (issue 19)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from portal.pages.forms import PortalForm

TOO_LONG = _l("Dit veld mag hoogstens %(max)d tekens zijn.")


def _length(maximum: int) -> Length:
    return Length(max=maximum, message=TOO_LONG)


def _date(label: Any, required: Any = None, description: Any = None) -> DateField:
    validators: list[Any] = [InputRequired(required)] if required else [Optional()]
    return DateField(label, description=description, validators=validators)


def _count(label: Any, description: Any, message: Any) -> IntegerField:
    return IntegerField(
        label,
        description=description,
        validators=[InputRequired(message), NumberRange(min=0, max=1000, message=message)],
    )


class BasicsForm(PortalForm):
    name = StringField(
        _l("Naam"),
        description=_l("Zoals aanbieders het aankoopsysteem kennen."),
        validators=[InputRequired(_l("Vul de naam van het aankoopsysteem in.")), _length(200)],
    )
    slug = StringField(
        _l("Korte naam voor het webadres"),
        description=_l(
            "Kleine letters, cijfers en koppeltekens, bijvoorbeeld jeugdhulp-midden-limburg. "
            "Na publicatie verandert deze niet meer."
        ),
        validators=[InputRequired(_l("Vul een korte naam in.")), _length(80)],
    )
    reference = StringField(
        _l("Kenmerk"),
        description=_l("Het kenmerk van de aanbesteding, bijvoorbeeld ML-AJW."),
        validators=[InputRequired(_l("Vul het kenmerk in, bijvoorbeeld ML-AJW.")), _length(40)],
    )
    summary = TextAreaField(
        _l("Korte omschrijving"),
        validators=[InputRequired(_l("Vul een korte omschrijving in.")), _length(5000)],
    )
    scope = TextAreaField(
        _l("Wat wordt ingekocht"),
        validators=[InputRequired(_l("Beschrijf wat er wordt ingekocht.")), _length(20000)],
    )
    how_to_apply = TextAreaField(
        _l("Hoe meldt een aanbieder zich aan"), validators=[_length(20000)]
    )
    cpv_code = StringField(
        _l("Hoofd-CPV-code"),
        description=_l(
            "Acht cijfers, een streepje en een controlecijfer, bijvoorbeeld 85000000-9."
        ),
        validators=[InputRequired(_l("Vul de CPV-code in.")), _length(12)],
    )
    extra_cpv_codes = StringField(
        _l("Aanvullende CPV-codes (optioneel)"),
        description=_l("Gescheiden door spaties, bijvoorbeeld 85311300-5 85312000-9."),
        validators=[_length(200)],
    )
    term_start = _date(_l("Begin van de looptijd"), _l("Vul de begindatum van de looptijd in."))
    initial_end_date = _date(
        _l("Einde van de looptijd (zonder verlengingen)"),
        _l("Vul de einddatum van de looptijd in."),
    )
    extension_options_total = _count(
        _l("Aantal verlengingsopties"),
        _l("Bijvoorbeeld 2 (twee maal drie jaar). Vul 0 in als er geen opties zijn."),
        _l("Vul een aantal in, 0 of meer."),
    )
    extension_option_years = _count(
        _l("Jaren per verlengingsoptie"),
        _l("Bijvoorbeeld 3."),
        _l("Vul een aantal jaren in, 0 of meer."),
    )
    review_working_days = IntegerField(
        _l("Beoordelingstermijn in werkdagen"),
        description=_l("Wettelijk 10 werkdagen, hoogstens 15."),
        validators=[
            InputRequired(_l("Vul de beoordelingstermijn in.")),
            NumberRange(min=1, max=15, message=_l("Kies 1 tot 15 werkdagen.")),
        ],
    )
    four_eyes = BooleanField(_l("Vier ogen: een tweede beoordelaar bevestigt elk besluit"))
    first_round_closes_on = _date(
        _l("Eerste ronde: sluitingsdatum voor de eerste aanmeldingen (optioneel)"),
        description=_l("Ten minste 30 dagen na publicatie. Laat leeg als er geen eerste ronde is."),
    )
    joint_decision_on = _date(
        _l("Eerste ronde: datum van het gezamenlijke besluit (optioneel)"),
        description=_l("Na de sluitingsdatum en uiterlijk op het begin van de looptijd."),
    )
    change_summary = TextAreaField(
        _l("Wat is er gewijzigd en waarom"),
        description=_l(
            "Alleen nodig als het aankoopsysteem al is gepubliceerd: aanbieders lezen dit in het "
            "wijzigingsbericht op de aankondiging."
        ),
        validators=[_length(2000)],
    )


class NewDasForm(BasicsForm):
    contact_name = StringField(
        _l("Contactpunt: naam of afdeling"),
        description=_l("Aanbieders zien het contactpunt op elke pagina over dit aankoopsysteem."),
        validators=[Optional(), _length(200)],
    )
    contact_email = EmailField(
        _l("Contactpunt: e-mailadres"),
        validators=[
            Optional(),
            _length(254),
            Email(
                _l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
                check_deliverability=False,
            ),
        ],
    )
    contact_phone = StringField(
        _l("Contactpunt: telefoonnummer"), validators=[Optional(), _length(30)]
    )


class AuthoritiesForm(PortalForm):
    municipalities = TextAreaField(
        _l("Gemeenten"),
        description=_l(
            "Eén gemeente per regel: de CBS-code (GM0957) of de naam zoals het CBS die schrijft "
            "(Roermond, Bergen (NH.)). Groepeer ze in subregio's door na een puntkomma de "
            "subregio te noemen: Roermond; Midden-Limburg Oost."
        ),
        validators=[InputRequired(_l("Vul ten minste één gemeente in.")), _length(20000)],
    )
    lead = StringField(
        _l("Penvoerende gemeente"),
        description=_l("De gemeente die het aankoopsysteem namens de andere uitvoert."),
        validators=[InputRequired(_l("Kies de penvoerende gemeente.")), _length(200)],
    )
    change_summary = BasicsForm.change_summary


class PublishForm(PortalForm):
    confirm = BooleanField(
        _l("Ik heb de aankondiging gecontroleerd; publiceer het aankoopsysteem"),
        validators=[InputRequired(_l("Vink aan dat u het aankoopsysteem wilt publiceren."))],
    )


class StateForm(PortalForm):
    reason = TextAreaField(
        _l("Reden"),
        validators=[InputRequired(_l("Geef de reden op.")), _length(2000)],
    )
