"""Demo data from seed 003 (Midden-Limburg) and a second, smaller DAS. Loading is idempotent:
every object is found by its natural key first, so running it twice changes nothing.

Product codes are illustrative (format of the iJw product code list); the real codes come from the
region's product book.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from portal.extensions import Base, db
from portal.infra.espd import dutch_label
from portal.models import (
    AgreementState,
    Application,
    ApplicationState,
    Criterion,
    CriterionKind,
    CriterionOrigin,
    Das,
    DasState,
    EvidenceDocument,
    EvidenceType,
    FrameworkAgreement,
    IjwUnit,
    LotOutcome,
    Organisation,
    OrganisationRole,
    PrivacyRole,
    ProductVariant,
    ReportingPeriod,
    ReviewMark,
    Role,
    SizeClass,
    StaffAssignment,
    User,
    WaitingTime,
)
from portal.services import calendar, das_setup
from portal.services.contact_point import ContactPoint
from portal.services.waiting_times import EntryInput

DEMO_PASSWORD = "demo-wachtwoord-2026"

SUBREGIONS = {
    "Midden-Limburg Oost": [
        ("Echt-Susteren", "GM1711"),
        ("Maasgouw", "GM1641"),
        ("Roerdalen", "GM1669"),
        ("Roermond", "GM0957"),
    ],
    "Midden-Limburg West": [("Leudal", "GM1640"), ("Nederweert", "GM0946"), ("Weert", "GM0988")],
    "Parkstad Limburg": [
        ("Beekdaelen", "GM1954"),
        ("Brunssum", "GM0899"),
        ("Heerlen", "GM0917"),
        ("Kerkrade", "GM0928"),
        ("Landgraaf", "GM0882"),
        ("Simpelveld", "GM0965"),
        ("Voerendaal", "GM0986"),
    ],
}

H, D, E, M, OUT = (
    IjwUnit.HOUR,
    IjwUnit.DAGDEEL,
    IjwUnit.ETMAAL,
    IjwUnit.MINUTE,
    IjwUnit.OUTPUT_PIECES,
)
L, MD, Z = ProductVariant.LIGHT, ProductVariant.MEDIUM, ProductVariant.HEAVY

# (product code, name, iJw category, unit, variant)
DemoProduct = tuple[str, str, str, IjwUnit, ProductVariant | None]

# (code, name, description, products)
ML_LOTS: list[tuple[str, str, str, list[DemoProduct]]] = [
    (
        "1",
        "Individuele begeleiding en behandeling",
        "Ambulante begeleiding en behandeling van een jeugdige en het gezin, per uur, in de "
        "zwaarten licht, midden en zwaar.",
        [
            ("45A01", "Individuele begeleiding licht", "45", H, L),
            ("45A02", "Individuele begeleiding midden", "45", H, MD),
            ("45A03", "Individuele begeleiding zwaar", "45", H, Z),
            ("45B01", "Individuele behandeling licht", "45", H, L),
            ("45B02", "Individuele behandeling midden", "45", H, MD),
            ("45B03", "Individuele behandeling zwaar", "45", H, Z),
        ],
    ),
    (
        "2",
        "Groepsbegeleiding en -behandeling",
        "Begeleiding of behandeling in een groep, per dagdeel (4 uur).",
        [
            ("45G01", "Groepsbegeleiding licht", "45", D, L),
            ("45G02", "Groepsbegeleiding midden", "45", D, MD),
            ("45G03", "Groepsbegeleiding zwaar", "45", D, Z),
            ("45H01", "Groepsbehandeling", "45", D, None),
        ],
    ),
    (
        "3",
        "Vervoer",
        "Vervoer van en naar groepsbegeleiding of -behandeling, per etmaal.",
        [("42V01", "Vervoer bij groepsbegeleiding", "42", E, None)],
    ),
    (
        "4",
        "Trajecten",
        "Trajectfinanciering: dyslexiezorg, begeleide omgangsregeling (BOR) en vaktherapie "
        "(600 minuten in hoogstens 8 maanden).",
        [
            ("54D01", "Dyslexiezorg (traject)", "54", OUT, None),
            ("45R01", "Begeleide omgangsregeling (traject)", "45", OUT, None),
            ("45K01", "Vaktherapie", "45", M, None),
        ],
    ),
    (
        "5",
        "Wonen",
        "Wonen zo thuis mogelijk: pleegzorg, gezinshuizen, kleinschalige woonleefgroepen, "
        "training zelfstandig wonen en logeren, per etmaal.",
        [
            ("35P01", "Pleegzorg", "35", E, None),
            ("43G01", "Gezinshuis", "43", E, None),
            ("43K01", "Kleinschalige woonleefgroep", "43", E, None),
            ("44Z01", "Training zelfstandig wonen", "44", E, None),
            ("44L01", "Logeren", "44", E, None),
        ],
    ),
]

PARKSTAD_LOTS = [
    (
        "1",
        "Dyslexiezorg",
        "Diagnostiek en behandeling van ernstige, enkelvoudige dyslexie als traject.",
        [("54D01", "Dyslexie diagnostiek en behandeling (traject)", "54", OUT, None)],
    ),
]

CONVICTION = (
    "Is uw organisatie, of een bestuurder of iemand met vertegenwoordigings-, beslissings- of "
    "controlebevoegdheid, in de afgelopen 5 jaar onherroepelijk veroordeeld voor: {}?"
)
# (code, ESPD codes, title or None for the ESPD label, question)
EXCLUSION_GROUNDS = [
    ("U1", "crime-org", None, CONVICTION.format("deelname aan een criminele organisatie")),
    ("U2", "corruption", None, CONVICTION.format("corruptie")),
    ("U3", "fraud", None, CONVICTION.format("fraude")),
    (
        "U4",
        "terr-offence",
        None,
        CONVICTION.format(
            "terroristische misdrijven of strafbare feiten in verband met terroristische activiteiten"
        ),
    ),
    (
        "U5",
        "finan-laund",
        None,
        CONVICTION.format("witwassen van geld of financiering van terrorisme"),
    ),
    (
        "U6",
        "human-traffic",
        None,
        CONVICTION.format("kinderarbeid of andere vormen van mensenhandel"),
    ),
    (
        "U7",
        "tax-pay socsec-pay",
        "Betaling van belastingen en sociale premies",
        "Heeft uw organisatie belastingen of sociale premies niet betaald, terwijl dat bij "
        "rechterlijke of bestuurlijke beslissing is vastgesteld?",
    ),
    (
        "U8",
        "envir-law socsec-law labour-law",
        "Milieu-, sociaal en arbeidsrecht",
        "Heeft uw organisatie verplichtingen op het gebied van milieu-, sociaal of arbeidsrecht "
        "geschonden?",
    ),
    (
        "U9",
        "bankruptcy insolvency cred-arran bankr-nat liq-admin susp-act",
        "Faillissement, insolventie of vergelijkbaar",
        "Verkeert uw organisatie in staat van faillissement of insolventie, is er een regeling met "
        "schuldeisers, of bevindt zij zich in een vergelijkbare toestand?",
    ),
    (
        "U10",
        "prof-misconduct",
        None,
        "Heeft uw organisatie zich schuldig gemaakt aan een ernstige beroepsfout?",
    ),
    (
        "U11",
        "distorsion",
        None,
        "Heeft uw organisatie met andere ondernemers afspraken gemaakt die gericht zijn op "
        "vervalsing van de mededinging?",
    ),
    (
        "U12",
        "sanction",
        None,
        "Is een eerdere overeenkomst met uw organisatie voortijdig beëindigd, of zijn er "
        "schadevergoeding of vergelijkbare sancties opgelegd wegens aanzienlijke tekortkomingen?",
    ),
    (
        "U13",
        "misrepresent",
        "Valse verklaringen en onrechtmatige beïnvloeding",
        "Heeft uw organisatie valse verklaringen afgelegd, bewijsstukken achtergehouden, of "
        "geprobeerd het besluitvormingsproces van de gemeenten onrechtmatig te beïnvloeden?",
    ),
]

# (code, ESPD codes, title, question, evidence type, evidence required)
SUITABILITY = [
    (
        "G1",
        "qu-certif-indep",
        "Kwaliteitsborging",
        "Beschikt uw organisatie over een kwaliteitssysteem (Jeugdwet art. 4.1.4), zoals HKZ, "
        "ISO 9001 of gelijkwaardig?",
        EvidenceType.QUALITY_CERTIFICATE,
        True,
    ),
    (
        "G2",
        "qualification",
        "Beroepsbekwaamheid",
        "Werkt uw organisatie met geregistreerde professionals (SKJ of BIG) volgens de norm van "
        "verantwoorde werktoedeling, en heeft al het personeel een VOG?",
        EvidenceType.PROFESSIONAL_REGISTRATION,
        True,
    ),
    (
        "G3",
        "",
        "Berichtenverkeer",
        "Kan uw organisatie iJw-berichten uitwisselen via VECOZO, met een AGB-code van 8 cijfers "
        "en software die het iJw-berichtenverkeer ondersteunt?",
        EvidenceType.MESSAGING,
        False,
    ),
    (
        "G4",
        "trade-regist",
        "Verantwoorde bedrijfsvoering",
        "Staat uw organisatie ingeschreven bij de KvK, heeft zij de meldplicht jeugdhulp vervuld en "
        "stelt zij jaarlijks een jaarrekening op?",
        EvidenceType.KVK_EXTRACT,
        True,
    ),
    (
        "G5",
        "indem-insu",
        "Verzekering",
        "Heeft uw organisatie een beroeps- en bedrijfsaansprakelijkheidsverzekering van ten minste "
        "EUR 1,25 miljoen per gebeurtenis en 2,5 miljoen per jaar (micro-ondernemingen), of "
        "EUR 2,5 miljoen en 5 miljoen (overige)?",
        EvidenceType.INSURANCE_POLICY,
        True,
    ),
]

ModelT = TypeVar("ModelT", bound=Base)


def _get_or_create(
    model: type[ModelT], defaults: dict[str, object] | None = None, **key: object
) -> ModelT:
    obj = db.session.scalar(db.select(model).filter_by(**key))
    if obj is None:
        obj = model(**key, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
    return obj


def _lots(admin: User, das: Das, lots: list, describe: bool) -> None:
    """The lots and products as the catalogue pages make them (portal.services.catalogue); one
    already there (an earlier run) is left as it is."""
    from portal.models.labels import label
    from portal.services import catalogue

    for code, name, description, products in lots:
        lot = next((lot for lot in das.lots if lot.code == code), None)
        if lot is None:
            lot = catalogue.save_lot(admin, das, code, name, description)
        existing = {p.code for p in lot.products}
        for p_code, p_name, category, unit, variant in products:
            if p_code in existing:
                continue
            text = (
                f"**{p_name}** (per {label(unit)}).\n\n"
                "- Voor jeugdigen en gezinnen met een indicatie van de toegang;\n"
                "- resultaatgericht en zo thuis mogelijk;\n"
                "- de aanbieder bepaalt *hoe* de hulp wordt geleverd."
                if describe
                else ""
            )
            catalogue.create_product(
                admin,
                das,
                catalogue.ProductInput(
                    lot_id=lot.id,
                    code=p_code,
                    name=p_name,
                    ijw_category=category,
                    unit=unit,
                    variant=variant,
                    description=text,
                    valid_from=das.term_start,
                    valid_to=None,
                ),
            )
        db.session.refresh(lot)


# The guidance with every exclusion ground (as the criteria page suggests it).
SELF_CLEANING = (
    "Antwoordt u 'ja'? Licht dit toe en beschrijf de maatregelen die u heeft genomen "
    "(self-cleaning). Een beoordelaar weegt dit af."
)


def _criteria(admin: User, das: Das) -> None:
    """The exclusion grounds and suitability criteria as the criteria page adds them
    (portal.services.criteria_setup): those with ESPD codes from the ESPD list, G3
    "Berichtenverkeer" in the region's own words (seed 003 §4.7 lists it among the region's
    suitability criteria; the ESPD list has no criterion for iJw messaging). One already there
    is left as it is."""
    from portal.services import criteria_setup

    wanted: list[criteria_setup.CriterionInput] = [
        criteria_setup.CriterionInput(
            kind=CriterionKind.EXCLUSION,
            origin=CriterionOrigin.ESPD,
            code=code,
            espd_codes=espd_codes,
            title=title or dutch_label(espd_codes),
            question=question,
            guidance=SELF_CLEANING,
        )
        for code, espd_codes, title, question in EXCLUSION_GROUNDS
    ]
    wanted += [
        criteria_setup.CriterionInput(
            kind=CriterionKind.SUITABILITY,
            origin=CriterionOrigin.ESPD if espd_codes else CriterionOrigin.OWN,
            code=code,
            espd_codes=espd_codes,
            title=title,
            question=question,
            evidence_types=(evidence_type,),
            evidence_required=required,
        )
        for code, espd_codes, title, question, evidence_type, required in SUITABILITY
    ]
    existing = {c.code for c in das.criteria}
    for given in wanted:
        if given.code not in existing:
            criteria_setup.add_criterion(admin, das, given)


def _staff(admin: User, das: Das, staff: list[User]) -> None:
    """Staff given the DAS as the staff page does (portal.services.staff: an existing account
    with that role is assigned at once and told by mail)."""
    from portal.services import staff as staff_service

    for user in staff:
        if user.role is Role.ADMINISTRATOR:
            continue  # an administrator works on every DAS
        assigned = db.session.get(StaffAssignment, (user.id, das.id))
        if assigned is None:
            staff_service.invite(admin, das, user.email, user.role)


@dataclass(frozen=True)
class DemoProvider:
    legal_name: str
    kvk: str
    size: SizeClass
    email: str
    state: str  # draft, submitted, admitted, rejected


DEMO_PROVIDERS = [
    DemoProvider(
        "Jeugdpraktijk De Maasoever",
        "12345678",
        SizeClass.MICRO,
        "aanbieder@demo.das-portaal.nl",
        "draft",
    ),
    DemoProvider(
        "Stichting Samen Sterk Jeugdhulp",
        "23456789",
        SizeClass.MEDIUM,
        "ingediend@demo.das-portaal.nl",
        "submitted",
    ),
    DemoProvider(
        "Gezinshuis De Linde B.V.",
        "34567890",
        SizeClass.MICRO,
        "gezinshuis@demo.das-portaal.nl",
        "admitted",
    ),
    DemoProvider(
        "Roerdal Jeugd & Gezin B.V.",
        "45678901",
        SizeClass.SMALL,
        "roerdal@demo.das-portaal.nl",
        "admitted",
    ),
    DemoProvider(
        "Kompas Ambulante Zorg B.V.",
        "56789012",
        SizeClass.SMALL,
        "kompas@demo.das-portaal.nl",
        "rejected",
    ),
]

STAFF = [
    ("beoordelaar@demo.das-portaal.nl", "Bram Beoordelaar", Role.REVIEWER),
    ("beoordelaar2@demo.das-portaal.nl", "Wendy Tweede", Role.REVIEWER),
    ("contractmanager@demo.das-portaal.nl", "Carla Contractmanager", Role.CONTRACT_MANAGER),
    ("beheerder@demo.das-portaal.nl", "Henk Beheerder", Role.ADMINISTRATOR),
]


DEMO_TOTP_SECRET = "DEMODASPORTAALJEUGDHULPTWEESTAP2"


def _user(email: str, name: str, role: Role, organisation: Organisation | None = None) -> User:
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=name,
            role=role,
            organisation=organisation,
            organisation_role=OrganisationRole.ADMIN if organisation else None,
            email_verified_at=datetime.now(UTC),
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    if role.is_staff and user.totp_secret is None:
        # Staff log in with a second factor. The demo's secret is public (README): add it to an
        # authenticator app, or print the current code with `flask --app portal demo-code`.
        user.totp_secret = DEMO_TOTP_SECRET
        user.totp_confirmed_at = datetime.now(UTC)
    return user


def load_demo(today: date) -> None:
    """Load (or complete) the demo data set. `today` dates the demo applications.

    The two DAS instances are made as an administrator makes them on the pages (issue 19):
    created as a concept, their municipalities set from the CBS list, and published once every
    part is there (portal.services.das_setup); their lots and products, criteria, staff,
    tariffs and terms through the services of those pages (catalogue, criteria_setup, staff,
    tariffs, das_terms), so each leaves the audit event its page leaves. Only the purchasing
    terms, which no page sets, are written here."""
    calendar.ensure_statutory_holidays(range(2025, today.year + 3))
    staff = {email: _user(email, name, role) for email, name, role in STAFF}
    admin = staff["beheerder@demo.das-portaal.nl"]
    ml = _demo_das(
        admin,
        das_setup.Basics(
            name="Ambulante jeugdhulp en wonen Midden-Limburg",
            slug="ambulante-jeugdhulp-en-wonen-midden-limburg",
            reference="ML-AJW",
            summary="De zeven gemeenten van Midden-Limburg kopen samen ambulante jeugdhulp en "
            "wonen in via een dynamisch aankoopsysteem zonder gunningscriteria: iedere "
            "jeugdhulpaanbieder die aan de eisen voldoet, krijgt een raamovereenkomst.",
            scope="Tweedelijns ambulante jeugdhulp (individuele en groepsbegeleiding en "
            "-behandeling, vervoer, trajecten) en wonen (pleegzorg, gezinshuizen, "
            "kleinschalige woonleefgroepen, training zelfstandig wonen, logeren). De "
            "gemeenten stellen de producten en de tarieven vast; het aantal cliënten ligt "
            "niet vooraf vast.",
            how_to_apply="Registreer uw organisatie, kies de percelen waarvoor u zich aanmeldt, "
            "beantwoord de uitsluitingsgronden en geschiktheidseisen en voeg uw "
            "bewijsstukken toe. Wij beoordelen uw aanmelding binnen 10 werkdagen.",
            cpv_code="85000000-9",
            extra_cpv_codes="",
            term_start=date(2026, 1, 1),
            initial_end_date=date(2029, 12, 31),
            extension_options_total=2,
            extension_option_years=3,
            review_working_days=10,
            four_eyes=True,
            # Seed 003 §6.2: published in February 2025, first applications until March, one
            # joint decision in July; the round is long over by the demo's today.
            first_round_closes_on=date(2025, 3, 7),
            joint_decision_on=date(2025, 7, 1),
        ),
        ("Inkoopteam Jeugd Midden-Limburg", "inkoop-jeugd@demo.das-portaal.nl", "0475 123 456"),
        ["Midden-Limburg Oost", "Midden-Limburg West"],
        "Roermond",
    )
    parkstad = _demo_das(
        admin,
        das_setup.Basics(
            name="Dyslexiezorg Parkstad (demo)",
            slug="dyslexiezorg-parkstad",
            reference="PS-DYS",
            summary="Een kleiner, fictief tweede aankoopsysteem om te laten zien dat het portaal "
            "meerdere aankoopsystemen tegelijk bedient.",
            scope="Diagnostiek en behandeling van ernstige, enkelvoudige dyslexie.",
            how_to_apply="Registreer uw organisatie en meld u aan voor het perceel dyslexiezorg.",
            cpv_code="85000000-9",
            extra_cpv_codes="",
            term_start=date(2026, 1, 1),
            initial_end_date=date(2027, 12, 31),
            extension_options_total=1,
            extension_option_years=2,
            review_working_days=10,
            four_eyes=False,
        ),
        ("Inkoop Sociaal Domein Parkstad", "inkoop@demo.das-portaal.nl", ""),
        ["Parkstad Limburg"],
        "Heerlen",
    )
    if not ml.purchasing_terms:
        # No page sets the purchasing terms yet (seed 003 §4.6: Roermond's of 1 June 2023).
        ml.purchasing_terms = "Inkoopvoorwaarden gemeente Roermond d.d. 1 juni 2023"
        db.session.commit()
    _lots(admin, ml, ML_LOTS, describe=True)
    _lots(admin, parkstad, PARKSTAD_LOTS, describe=False)
    for das in (ml, parkstad):
        _criteria(admin, das)
        _staff(admin, das, list(staff.values()))
    _demo_tariffs(ml, admin)
    _demo_parkstad_tariffs(parkstad, admin)
    from portal.services import kpis

    for das, privacy_role in (
        (ml, PrivacyRole.PROCESSOR),
        (parkstad, PrivacyRole.INDEPENDENT_CONTROLLER),
    ):
        _demo_terms(admin, das, privacy_role)
        kpis.ensure_default_kpis(admin, das)
    # A region's own KPI beside the national set, as Zuid-Limburg has one (seed 002: "Aantal
    # gezinshuizen", streefcijfer 2022 = 20, for the region as a whole); on the demo's broad
    # youth-care DAS, which buys the residential care gezinshuizen give.
    if not any(d.code == "GEZINSHUIZEN" for d in kpis.definitions_of(ml.id)):
        kpis.save_definition(
            admin,
            ml,
            None,
            "GEZINSHUIZEN",
            "Aantal gezinshuizen",
            "gezinshuizen",
            True,
            Decimal(20),
            Decimal(16),
            ReportingPeriod.YEAR,
            region_specific=True,
            target_for_region=True,
        )
    _demo_indexed_years(ml, admin)
    # Published as on the settings page, once every part is there (seed 003 §6.2: Feb 2025).
    for das, published in (
        (ml, datetime(2025, 2, 3, 9, tzinfo=UTC)),
        (parkstad, datetime(2025, 9, 1, 9, tzinfo=UTC)),
    ):
        if das.state is DasState.DRAFT:
            das_setup.publish(admin, das, published)
    for provider in DEMO_PROVIDERS:
        _demo_provider(
            provider,
            ml,
            today,
            staff["beoordelaar@demo.das-portaal.nl"],
            staff["beoordelaar2@demo.das-portaal.nl"],
        )
    _demo_signatures(ml, staff["beheerder@demo.das-portaal.nl"], today)
    _demo_figures(ml, today)
    _demo_waiting_times(ml, today)
    db.session.commit()


def _demo_das(
    admin: User,
    basics: das_setup.Basics,
    contact: tuple[str, str, str],
    subregions: list[str],
    lead: str,
) -> Das:
    """The DAS with this slug, or a new concept made through the services the pages use."""
    das = db.session.scalar(db.select(Das).where(Das.slug == basics.slug))
    if das is None:
        das = das_setup.create_das(
            admin, basics, ContactPoint(*contact), datetime(2025, 1, 6, 9, tzinfo=UTC)
        )
    if not das.authorities:
        lines = "\n".join(
            f"{cbs} {name}; {subregion}"
            for subregion in subregions
            for name, cbs in SUBREGIONS[subregion]
        )
        das_setup.set_authorities(admin, das, lines, lead, "", datetime(2025, 1, 6, 9, tzinfo=UTC))
    return das


def _demo_terms(admin: User, das: Das, privacy_role: PrivacyRole) -> None:
    """The terms as the terms page saves them (portal.services.das_terms): indexation weights
    and the first contract year, SROI (seed 003 §4.4), client allocation (§4.5) and the privacy
    arrangement (§5.2). Midden-Limburg's tariffs are set at 2024 prices and first indexed on
    1 January 2025 (§4.6), so its first contract year is 2024, before the term; Parkstad's are
    set for 2026, its term's first year."""
    from portal.domain import das_terms as term_rules
    from portal.services import das_terms

    if das.privacy_role is not None:
        return  # saved by an earlier run
    das_terms.save_terms(
        admin,
        das,
        term_rules.Terms(
            ova_percent=Decimal(90),
            ppc_percent=Decimal(10),
            first_index_year=das.tariff_base_year or das.term_start.year,
            sroi=term_rules.SroiRule(250_000_00, Decimal(5)),
            allocation_who_chooses=(
                "De jeugdige en het gezin kiezen samen met de toegang (het wijkteam) een "
                "gecontracteerde aanbieder."
            ),
            allocation_request=(
                "De toegang vraagt de aanbieder per e-mail of via het berichtenverkeer of hij de "
                "jeugdige binnen de afgesproken termijn kan helpen."
            ),
            allocation_no_capacity=(
                "Heeft de aanbieder geen plaats, dan meldt hij dat binnen 5 werkdagen en vraagt de "
                "toegang een volgende aanbieder; de wachttijd wordt gemeld als KPI."
            ),
            privacy_role=privacy_role.value,
            privacy_text="",
        ),
        datetime(2025, 1, 20, 9, tzinfo=UTC),
        date(2025, 1, 20),
    )


def _demo_parkstad_tariffs(das: Das, admin: User) -> None:
    """Illustrative 2026 base tariff for the dyslexia pathway."""
    from portal.domain import money
    from portal.models import TariffSheet
    from portal.services import tariffs

    if db.session.scalar(db.select(TariffSheet.id).where(TariffSheet.das_id == das.id)):
        return
    amounts = {p.id: money.parse_amount("3.950,00") for lot in das.lots for p in lot.products}
    tariffs.publish_base(admin, das, 2026, amounts, datetime(2025, 8, 1, 9, tzinfo=UTC))


def _demo_signatures(das: Das, admin: User, today: date) -> None:
    """Gezinshuis De Linde has signed and been countersigned; Roerdal still has to sign."""
    from portal.services import agreements

    organisation = db.session.scalar(
        db.select(Organisation).where(Organisation.kvk_number == "34567890")
    )
    if organisation is None:
        return
    agreement = agreements.agreement_of(das.id, organisation.id)
    if agreement is None or agreement.provider_signed_at is not None:
        return
    signatory = organisation.users[0]
    moment = datetime.combine(today, datetime.min.time(), UTC).replace(hour=16)
    agreements.sign(agreement, signatory, DEMO_PASSWORD, "127.0.0.1", moment)
    agreements.countersign(agreement, admin, DEMO_PASSWORD, "127.0.0.1", moment)


def _demo_provider(
    p: DemoProvider, das: Das, today: date, reviewer: User, second_reviewer: User
) -> None:
    from portal.services import applications, review

    organisation = _get_or_create(
        Organisation,
        kvk_number=p.kvk,
        defaults={
            "legal_name": p.legal_name,
            "size_class": p.size,
            "street_address": "Markt 1",
            "postcode": "6041 EL",
            "city": "Roermond",
            # Complete details: a demo provider's log-in shows its dashboard, not the details.
            "signatory_name": f"Contactpersoon {p.legal_name}",
            "signatory_role": "Directeur",
        },
    )
    user = _user(p.email, f"Contactpersoon {p.legal_name}", Role.PROVIDER, organisation)
    if db.session.scalar(db.select(Application.id).filter_by(organisation_id=organisation.id)):
        return  # already there from an earlier run
    db.session.commit()
    application = applications.start_application(das, user)
    lot_ids = (
        [das.lots[0].id, das.lots[1].id]
        if p.state != "admitted" or p.kvk != "34567890"
        else [das.lots[4].id]
    )
    applications.save_products(
        application, [p.id for lot in das.lots if lot.id in lot_ids for p in lot.products], user
    )
    if p.state == "draft":
        return
    answers = {}
    for criterion in das.criteria:
        documents: tuple[int, ...] = ()
        if criterion.evidence_required:
            documents = (_demo_document(organisation, user, criterion, today).id,)
        answers[criterion.id] = applications.AnswerInput(
            value=criterion.passing_answer, document_ids=documents
        )
    applications.save_answers(application, answers, user)
    # Decided applications date from earlier in the year, so their agreements have quarters
    # with figures to show; the one still in review was received three days ago.
    days_ago = 3 if p.state == "submitted" else 300
    submitted_at = datetime.combine(today - timedelta(days=days_ago), datetime.min.time(), UTC)
    applications.submit(application, user, submitted_at.replace(hour=9))
    if p.state == "submitted":
        return
    outcome = LotOutcome.ADMITTED if p.state == "admitted" else LotOutcome.REJECTED
    reason = (
        ""
        if outcome is LotOutcome.ADMITTED
        else "Het kwaliteitscertificaat dekt de aangeboden zorg niet."
    )
    decided_at = submitted_at.replace(hour=15)
    review.declare_conflict(application, reviewer, False, "", decided_at)
    failing = (
        {c.code for c in das.criteria if c.code == "G1"}
        if outcome is LotOutcome.REJECTED
        else set()
    )
    review.assess(
        application,
        reviewer,
        {
            c.id: review.MarkInput(ReviewMark.FAIL, reason)
            if c.code in failing
            else review.MarkInput(ReviewMark.PASS)
            for c in das.criteria
        },
        decided_at,
    )
    review.propose_decision(
        application,
        {al.lot_id: review.LotDecision(outcome, reason) for al in application.lots},
        reviewer,
        decided_at,
        application.version_id,
    )
    if das.four_eyes:
        review.declare_conflict(application, second_reviewer, False, "", decided_at)
        review.confirm_decision(application, second_reviewer, decided_at, application.version_id)
    assert application.state is ApplicationState.DECIDED


def _demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF saying what it stands in for."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 14 Tf 72 720 Td (Demo-bewijsstuk: " + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\n"
    out += b"startxref\n" + str(xref).encode() + b"\n%%EOF\n"
    return out


def _demo_document(
    organisation: Organisation, user: User, criterion: Criterion, today: date
) -> EvidenceDocument:
    import io

    from portal.services import evidence

    evidence_type = criterion.evidence_type or EvidenceType.OTHER
    return evidence.store_upload(
        organisation,
        user,
        evidence.Upload(
            stream=io.BytesIO(_demo_pdf(f"{criterion.title} - {organisation.legal_name}")),
            filename=f"{criterion.title.lower().replace(' ', '-')}.pdf",
            evidence_type=evidence_type,
            issued_on=today - timedelta(days=30),
            expires_on=today + timedelta(days=365)
            if evidence_type is EvidenceType.INSURANCE_POLICY
            else None,
        ),
    )


# Illustrative base tariffs for 2024 in euros (the real ones come from the region's cost-price
# study, seed 003 §4.2), and the public VNG index figures (DOMAIN.md).
DEMO_BASE_TARIFFS_2024 = {
    "45A01": "68,40", "45A02": "79,20", "45A03": "92,10", "45B01": "88,50", "45B02": "101,30",
    "45B03": "118,60", "45G01": "92,00", "45G02": "108,40", "45G03": "126,80", "45H01": "141,20",
    "42V01": "24,50", "54D01": "3.950,00", "45R01": "2.450,00", "45K01": "1,62",
    "35P01": "62,30", "43G01": "215,00", "43K01": "298,00", "44Z01": "174,00", "44L01": "189,00",
}  # fmt: skip


def _demo_tariffs(das: Das, admin: User) -> None:
    """The index figures and the 2024 base tariffs, as the tariff pages save them."""
    from portal.domain import money
    from portal.models import TariffSheet
    from portal.services import tariffs

    if db.session.scalar(db.select(TariffSheet.id).where(TariffSheet.das_id == das.id)):
        return
    for figures in (
        tariffs.FiguresInput(
            2024, Decimal("4.94"), Decimal("2.51"), Decimal("6.00"), Decimal("3.10")
        ),
        tariffs.FiguresInput(2025, Decimal("4.18"), Decimal("1.82"), None, None),
    ):
        tariffs.save_figures(admin, das, figures, confirmed=True)
    codes = {p.code: p.id for lot in das.lots for p in lot.products}
    amounts = {
        codes[code]: money.parse_amount(text) for code, text in DEMO_BASE_TARIFFS_2024.items()
    }
    tariffs.publish_base(admin, das, 2024, amounts, datetime(2024, 11, 1, 9, tzinfo=UTC))


def _demo_indexed_years(das: Das, admin: User) -> None:
    """The 2025 sheet and Roermond's lump sum. The 2024 tariffs were set at 2024 prices and 2024
    is the first contract year (the terms), so 2025 carries the after-calculation for 2024
    (4.957%, the public VNG figure, DOMAIN.md)."""
    from portal.services import tariffs

    if tariffs.current_sheet(das.id, 2025) is not None:
        return
    tariffs.publish_year(admin, das, 2025, datetime(2024, 12, 1, 9, tzinfo=UTC))
    roermond = next(a for a in das.authorities if a.name == "Roermond")
    tariffs.save_lump_sum(admin, das, roermond.id, 2024, 1_250_000_000)


def _demo_figures(das: Das, today: date) -> None:
    """Quarterly figures for the admitted demo providers, one of them with long waiting times."""
    from decimal import Decimal

    from portal.domain import contract_management as rules
    from portal.models import FrameworkAgreement, KpiValue
    from portal.services import kpis

    definitions = {d.code: d for d in kpis.definitions_of(das.id)}
    agreements = db.session.scalars(
        db.select(FrameworkAgreement).where(FrameworkAgreement.das_id == das.id)
    ).all()
    for number, agreement in enumerate(agreements):
        if db.session.scalar(db.select(KpiValue.id).where(KpiValue.agreement_id == agreement.id)):
            continue
        user = agreement.organisation.users[0]
        figures = []
        for i, start in enumerate(rules.completed_periods(agreement.start_date, today, "quarter")):
            figures += [
                kpis.Figure(definitions["CLIENTS"], start, Decimal(12 + 3 * i + 20 * number)),
                kpis.Figure(
                    definitions["TURNOVER"], start, Decimal(48_000 + 2_500 * i + 60_000 * number)
                ),
                kpis.Figure(definitions["WAITING"], start, Decimal(21 + (9 * i) * number)),
                kpis.Figure(definitions["DROPOUT"], start, Decimal(8 + i)),
            ]
            # The optional breakdown: per lot, and 60/40 over Roermond and Weert.
            turnover = Decimal(48_000 + 2_500 * i + 60_000 * number)
            lots = [al.lot_id for al in agreement.lots if al.is_current]
            for lot_id in lots:
                figures.append(
                    kpis.Figure(definitions["TURNOVER"], start, turnover / len(lots), lot_id=lot_id)
                )
            for name, share in (("Roermond", Decimal("0.6")), ("Weert", Decimal("0.4"))):
                authority = next(a for a in das.authorities if a.name == name)
                figures.append(
                    kpis.Figure(
                        definitions["TURNOVER"], start, turnover * share, authority_id=authority.id
                    )
                )
        if figures:
            moment = datetime.combine(today, datetime.min.time(), UTC)
            kpis.report(user, agreement, figures, "", today, moment)


def _demo_waiting_times(das: Das, today: date) -> None:
    """The waiting-time register (issue 23) of each live demo provider: every lot for the whole
    region, Weert and a subregion apart, and one product; reported ten weeks ago, changed five
    weeks ago and confirmed last week, so the history shows how the waits moved."""
    from portal.services import waiting_times

    live = db.session.scalars(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.das_id == das.id, FrameworkAgreement.state == AgreementState.LIVE
        )
    ).all()
    moment = datetime.combine(today, datetime.min.time(), UTC).replace(hour=9)
    for number, agreement in enumerate(live):
        if db.session.scalar(
            db.select(WaitingTime.id).where(WaitingTime.agreement_id == agreement.id)
        ):
            continue
        user = agreement.organisation.users[0]
        for extra, weeks_ago in ((4 + number, 10), (2 + number, 5)):
            waiting_times.update(
                user,
                agreement,
                _demo_waiting_entries(agreement, today, extra),
                moment - timedelta(weeks=weeks_ago),
            )
        waiting_times.confirm(user, agreement, moment - timedelta(weeks=1))


def _demo_waiting_entries(
    agreement: FrameworkAgreement, today: date, extra: int
) -> list[EntryInput]:
    """One provider's entries, each wait `extra` weeks longer than the shortest."""
    from portal.services.waiting_times import current_lots, offered_products, served_authorities

    areas = {a.name: a for a in served_authorities(agreement)}
    lots = current_lots(agreement)
    found = [
        EntryInput(lot.id, None, None, 2 + 3 * i + extra, 6 + 3 * i + extra, i % 3 != 2)
        for i, lot in enumerate(lots)
    ]
    if not lots:
        return found
    first = lots[0].id
    if "Weert" in areas:
        note = "Voor Weert hebben wij een extra team."
        found.append(EntryInput(first, None, areas["Weert"].id, extra, 2 + extra, True, note))
    if "Midden-Limburg Oost" in areas:
        note = "Tijdelijk geen nieuwe cliënten in Oost."
        east = areas["Midden-Limburg Oost"].id
        found.append(EntryInput(first, None, east, 6 + extra, 10 + extra, False, note))
    products = offered_products(lots[0], today)
    if products:
        found.append(EntryInput(first, products[0].id, None, extra, 3 + extra, True))
    return found
