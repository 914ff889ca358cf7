"""Test data (factory_boy), with traits for the states the tests need."""

from __future__ import annotations

from datetime import UTC, date, datetime

import factory
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from portal.extensions import db
from portal.models import (
    AuthorityKind,
    ContractingAuthority,
    Criterion,
    CriterionKind,
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
# Hashing is slow on purpose; hash the shared test password once.
PASSWORD_HASH = generate_password_hash(PASSWORD)


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
    organisation_role = None
    email_verified_at = factory.LazyFunction(lambda: datetime.now(UTC))
    # Staff log in with a second factor; test staff have it set up with a known secret.
    totp_secret = factory.LazyAttribute(lambda u: TOTP_SECRET if u.role.is_staff else None)
    totp_confirmed_at = factory.LazyAttribute(
        lambda u: datetime.now(UTC) if u.role.is_staff else None
    )

    class Params:
        unverified = factory.Trait(email_verified_at=None)


class ProviderUserFactory(UserFactory):
    role = Role.PROVIDER
    organisation = factory.SubFactory(OrganisationFactory)
    organisation_role = OrganisationRole.ADMIN

    class Params:
        unverified = factory.Trait(email_verified_at=None)
        contributor = factory.Trait(organisation_role=OrganisationRole.CONTRIBUTOR)


def assign(user: User, das: Das) -> None:
    db.session.add(StaffAssignment(user_id=user.id, das_id=das.id))
    db.session.commit()


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload_pdf(
    user: User,
    evidence_type: EvidenceType,
    issued_on: date,
    expires_on: date | None = None,
    content: bytes = PDF_BYTES,
    filename: str | None = None,
):  # type: ignore[no-untyped-def]
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


def complete_draft(das: Das, user: User, today: date, lots: list[Lot] | None = None):  # type: ignore[no-untyped-def]
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


def prepare_for_decision(application, reviewer: User, when) -> None:  # type: ignore[no-untyped-def]
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


def decide(application, decisions, reviewer: User, when, seen: int | None = None):  # type: ignore[no-untyped-def]
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
