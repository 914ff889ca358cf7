"""Test data (factory_boy), with traits for the states the tests need."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

import factory
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from portal.extensions import db
from portal.models import (
    AuthorityKind,
    ContractingAuthority,
    Criterion,
    CriterionKind,
    CriterionOrigin,
    Das,
    DasState,
    EvidenceType,
    IjwUnit,
    Lot,
    Organisation,
    OrganisationRole,
    Product,
    Role,
    SizeClass,
    StaffAssignment,
    User,
)

PASSWORD = "correct-horse-battery-staple"
# The suite hashes with one PBKDF2 round (the app fixture sets PASSWORD_HASH_METHOD): scrypt
# costs a tenth of a second a hash or check, and the suite logs in thousands of times. The tests
# of hashing itself ask for the real one (`scrypt_hash=True`, tests/views/test_enumeration.py).
FAST_HASH_METHOD = "pbkdf2:sha256:1"
PASSWORD_HASH = generate_password_hash(PASSWORD, method=FAST_HASH_METHOD)


@cache
def scrypt_password_hash() -> str:
    """PASSWORD hashed the production way (Werkzeug's default, scrypt), made once."""
    return generate_password_hash(PASSWORD, method="scrypt")


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class AuthorityFactory(Base):
    class Meta:
        model = ContractingAuthority

    name = factory.Sequence(lambda n: f"Gemeente {n}")
    kind = AuthorityKind.MUNICIPALITY
    cbs_code = factory.Sequence(lambda n: f"GM{n:04d}")


class DasFactory(Base):
    class Meta:
        model = Das

    slug = factory.Sequence(lambda n: f"das-{n}")
    reference = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"Aankoopsysteem {n}")
    summary = "Een aankoopsysteem voor de tests."
    scope = "Jeugdhulp."
    cpv_code = "85000000-9"
    state = DasState.OPEN
    term_start = date(2026, 1, 1)
    initial_end_date = date(2029, 12, 31)
    extension_options_total = 2
    extension_option_years = 3

    @factory.post_generation
    def with_requirements(obj: Das, create: bool, extracted: object, **kwargs: object) -> None:
        """Two lots with a product each, two exclusion grounds and two suitability criteria."""
        if extracted is False:
            return
        for position, name in enumerate(["Individuele begeleiding", "Wonen"], start=1):
            lot = Lot(das_id=obj.id, code=str(position), name=name, position=position)
            lot.products.append(
                Product(code=f"45A0{position}", name=name, ijw_category="45", unit=IjwUnit.HOUR)
            )
            db.session.add(lot)
        db.session.add_all(
            [
                Criterion(
                    das_id=obj.id,
                    kind=CriterionKind.EXCLUSION,
                    code="U1",
                    espd_codes="fraud",
                    title="Fraude",
                    question="Veroordeeld voor fraude?",
                    passing_answer=False,
                    position=1,
                ),
                Criterion(
                    das_id=obj.id,
                    kind=CriterionKind.EXCLUSION,
                    code="U2",
                    espd_codes="bankruptcy",
                    title="Faillissement",
                    question="Failliet?",
                    passing_answer=False,
                    position=2,
                ),
                Criterion(
                    das_id=obj.id,
                    kind=CriterionKind.SUITABILITY,
                    code="G1",
                    title="Kwaliteitsborging",
                    question="Kwaliteitssysteem?",
                    passing_answer=True,
                    evidence_type=EvidenceType.QUALITY_CERTIFICATE,
                    evidence_required=True,
                    position=3,
                ),
                Criterion(
                    das_id=obj.id,
                    kind=CriterionKind.SUITABILITY,
                    code="G4",
                    title="Verantwoorde bedrijfsvoering",
                    question="KvK?",
                    passing_answer=True,
                    evidence_type=EvidenceType.KVK_EXTRACT,
                    evidence_required=True,
                    max_evidence_age_months=6,
                    position=4,
                ),
            ]
        )
        db.session.commit()
        db.session.refresh(obj)


class OrganisationFactory(Base):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Jeugdhulp {n} B.V.")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n}")
    size_class = SizeClass.MICRO
    # The details an application needs (portal.domain.next_step.REQUIRED_PROFILE_FIELDS), so a
    # provider's first log-in goes to its dashboard; a registered organisation has none of them.
    street_address = "Markt 1"
    postcode = "6041 EL"
    city = "Roermond"
    signatory_name = "A. de Vries"
    signatory_role = "Directeur"


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def current_code(user: User) -> str:
    """The code the user's app shows now. Tests log the same user in often within one 30-second
    step; a code works once, so the helper first forgets the last step used."""
    import pyotp

    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    return pyotp.TOTP(user.totp_secret or TOTP_SECRET).now()


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"gebruiker{n}@example.nl")
    name = factory.Sequence(lambda n: f"Gebruiker {n}")
    password_hash = PASSWORD_HASH
    role = Role.REVIEWER
    organisation = None
    organisation_role: OrganisationRole | None = None
    email_verified_at = factory.LazyFunction(lambda: datetime.now(UTC))
    # Staff log in with a second factor; test staff have it set up with a known secret.
    totp_secret = factory.LazyAttribute(lambda u: TOTP_SECRET if u.role.is_staff else None)
    totp_confirmed_at = factory.LazyAttribute(
        lambda u: datetime.now(UTC) if u.role.is_staff else None
    )

    class Params:
        unverified = factory.Trait(email_verified_at=None)
        scrypt_hash = factory.Trait(password_hash=factory.LazyFunction(scrypt_password_hash))


class ProviderUserFactory(UserFactory):
    role = Role.PROVIDER
    organisation = factory.SubFactory(OrganisationFactory)
    organisation_role = OrganisationRole.ADMIN

    class Params:
        unverified = factory.Trait(email_verified_at=None)
        scrypt_hash = factory.Trait(password_hash=factory.LazyFunction(scrypt_password_hash))
        contributor = factory.Trait(organisation_role=OrganisationRole.CONTRIBUTOR)


def add_criterion(
    das: Das,
    code: str,
    kind: CriterionKind = CriterionKind.EXCLUSION,
    *,
    espd_codes: str = "",
    origin: CriterionOrigin | None = None,
    title: str | None = None,
    question: str | None = None,
    position: int | None = None,
    **extra: object,
) -> Criterion:
    """A criterion added to `das` (not committed): its passing answer follows from its kind
    (portal.domain.criteria.passing_answer), its origin from its ESPD codes unless given, its
    position after the DAS's last one unless given."""
    from portal.domain.criteria import passing_answer

    criterion = Criterion(
        das_id=das.id,
        kind=kind,
        code=code,
        espd_codes=espd_codes,
        origin=origin or (CriterionOrigin.ESPD if espd_codes else CriterionOrigin.OWN),
        title=title or code,
        question=question or f"{title or code}?",
        passing_answer=passing_answer(kind.value),
        position=position if position is not None else len(das.criteria) + 1,
        **extra,
    )
    db.session.add(criterion)
    return criterion


def assign(user: User, das: Das) -> None:
    db.session.add(StaffAssignment(user_id=user.id, das_id=das.id))
    db.session.commit()


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The first bytes that make a file a PNG or a JPEG to a content check (filetype).
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64

# What a new provider fills in on the registration form (/registreren); the KvK number passes
# the check digit.
REGISTRATION = {
    "legal_name": "Praktijk De Bron",
    "kvk_number": "69599084",
    "size_class": "micro",
    "name": "Anna de Vries",
    "email": "anna@debron.nl",
    "password": "een-lang-wachtwoord",
    "password_repeat": "een-lang-wachtwoord",
}


def upload_pdf(
    user: User,
    evidence_type: EvidenceType,
    issued_on: date,
    expires_on: date | None = None,
    content: bytes = PDF_BYTES,
    filename: str | None = None,
):
    import io

    from portal.services import evidence

    return evidence.store_upload(
        user.organisation,
        user,
        evidence.Upload(
            stream=io.BytesIO(content),
            filename=filename or f"{evidence_type.value}.pdf",
            evidence_type=evidence_type,
            issued_on=issued_on,
            expires_on=expires_on,
        ),
    )


def complete_draft(das: Das, user: User, today: date, lots: list[Lot] | None = None):
    """A draft with lots chosen, every question answered the passing way, evidence attached."""
    from portal.services import applications

    application = applications.start_application(das, user)
    chosen = lots or [
        lot
        for lot in das.lots
        if lot.id not in applications.admitted_lot_ids(das, user.organisation_id)
    ]
    applications.save_products(application, [p.id for lot in chosen for p in lot.products], user)
    answers = {}
    for criterion in das.criteria:
        documents: tuple[int, ...] = ()
        if criterion.evidence_required:
            assert criterion.evidence_type is not None
            documents = (upload_pdf(user, criterion.evidence_type, today).id,)
        answers[criterion.id] = applications.AnswerInput(
            criterion.passing_answer, document_ids=documents
        )
    applications.save_answers(application, answers, user)
    return application


def prepare_for_decision(application, reviewer: User, when) -> None:
    """What a reviewer does before deciding: declare no conflict and assess every answer as the
    rules mark it (a judgement counts as a pass)."""
    from portal.models import ReviewMark
    from portal.services import review

    if review.conflict_of(application, reviewer) is None:
        review.declare_conflict(application, reviewer, False, "", when)
    marks = {}
    for criterion in application.das.criteria:
        mark = review.pre_marks(application)[criterion.code].value
        marks[criterion.id] = review.MarkInput(
            ReviewMark.FAIL if mark == "fail" else ReviewMark.PASS,
            "" if mark == "pass" else "Beoordeeld door de test",
        )
    review.assess(application, reviewer, marks, when)


def decide(application, decisions, reviewer: User, when, seen: int | None = None):
    """Prepare and decide (no four eyes in the factory DAS)."""
    from portal.services import review

    prepare_for_decision(application, reviewer, when)
    return review.decide(
        application,
        decisions,
        reviewer,
        when,
        application.version_id if seen is None else seen,
    )


def at(day: date, hour: int = 10) -> datetime:
    """A moment on `day` (UTC), for the services' `now`."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def submitted_application(das: Das, provider: User, day: date, lots: list[Lot] | None = None):
    """A complete application for `lots` (default: every lot not yet admitted), submitted on
    `day` at 9. Answers carried over from the provider's applications to other DAS instances
    are confirmed, as the provider does on the submit page."""
    from portal.services import applications

    application = complete_draft(das, provider, day, lots=lots)
    applications.submit(application, provider, at(day, 9), carried_checked=True)
    return application


def admit(
    das: Das,
    provider: User,
    day: date,
    lots: list[Lot] | None = None,
    *,
    live: bool = False,
    suspended: bool = False,
):
    """The provider's framework agreement after an application for `lots` is submitted on `day`
    and admitted that afternoon by a new reviewer. It awaits signatures, unless `live` (signed
    and countersigned the same day) or `suspended` (live, then suspended the same day)."""
    from portal.models import AgreementState, LotOutcome
    from portal.services import agreements, review

    application = submitted_application(das, provider, day, lots=lots)
    reviewer = UserFactory(role=Role.REVIEWER)
    assign(reviewer, das)
    decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        reviewer,
        at(day, 15),
    )
    agreement = agreements.agreement_of(das.id, provider.organisation_id)
    if live or suspended:
        admin = UserFactory(role=Role.ADMINISTRATOR)
        agreements.sign(agreement, provider, PASSWORD, "10.0.0.1", at(day, 16))
        agreements.countersign(agreement, admin, PASSWORD, "10.0.0.2", at(day, 17))
        if suspended:
            agreements.change_state(admin, agreement, AgreementState.SUSPENDED, "Klacht", day)
    return agreement


def add_waiting_time(
    agreement,
    lot: Lot,
    when: datetime,
    *,
    intake: int = 2,
    treatment: int | None = None,  # default: two weeks after intake
    accepts: bool = True,
    product=None,
    authority=None,
    note: str = "",
    confirmed: bool = False,
):
    """A register entry written directly (helper R2 of issue 23): it becomes the current one of its
    key (agreement, lot, product, authority), the earlier current one stays as history."""
    from portal.models import WaitingTime

    product_id = product.id if product else None
    authority_id = authority.id if authority else None
    db.session.execute(
        sa.update(WaitingTime)
        .where(
            WaitingTime.agreement_id == agreement.id,
            WaitingTime.lot_id == lot.id,
            WaitingTime.product_id.is_not_distinct_from(product_id),
            WaitingTime.authority_id.is_not_distinct_from(authority_id),
            WaitingTime.is_current,
        )
        .values(is_current=False)
    )
    entry = WaitingTime(
        agreement_id=agreement.id,
        lot_id=lot.id,
        product_id=product_id,
        authority_id=authority_id,
        weeks_to_intake=intake,
        weeks_to_treatment=intake + 2 if treatment is None else treatment,
        accepts_new_clients=accepts,
        note=note,
        confirmed_unchanged=confirmed,
        reported_at=when,
        reported_by_id=agreement.provider_signed_by_id
        or db.session.scalar(
            sa.select(User.id).where(User.organisation_id == agreement.organisation_id).limit(1)
        ),
        is_current=True,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def add_api_token(organisation, user: User, scopes, name: str = "Boekhouding"):
    """An API token of `organisation` made by its administrator `user` through the service
    (issue 23): (token, secret). `scopes` are ApiScope values or their names."""
    from portal.models import ApiScope
    from portal.services import api_tokens

    assert user.organisation_id == organisation.id
    issued = api_tokens.create(user, name, [ApiScope(scope) for scope in scopes], datetime.now(UTC))
    return issued.token, issued.secret
