"""The organisation profile. Every change is recorded with its old and new value, so reviewers
can see what changed after an admission."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import AuditEvent, Organisation, SizeClass, User
from portal.services import ServiceError
from portal.services.audit import record
from portal.services.ownership import require_organisation_admin
from portal.services.paging import Page, paginate_counted

PROFILE_FIELDS = (
    "legal_name", "trade_name", "kvk_number", "branch_number", "agb_code", "vat_number", "iban",
    "street_address", "postcode", "city", "size_class", "email", "phone", "signatory_name",
    "signatory_role",
)  # fmt: skip


@dataclass(frozen=True)
class Profile:
    legal_name: str
    kvk_number: str
    size_class: SizeClass
    trade_name: str | None = None
    branch_number: str | None = None
    agb_code: str | None = None
    vat_number: str | None = None
    iban: str | None = None
    street_address: str | None = None
    postcode: str | None = None
    city: str | None = None
    email: str | None = None
    phone: str | None = None
    signatory_name: str | None = None
    signatory_role: str | None = None


def profile_of(organisation: Organisation) -> Profile:
    return Profile(**{name: getattr(organisation, name) for name in PROFILE_FIELDS})


def _plain(value: object) -> object:
    return value.value if isinstance(value, SizeClass) else value


def update_profile(user: User, profile: Profile) -> dict[str, tuple[object, object]]:
    """Store the profile; returns the changed fields as {field: (old, new)}."""
    require_organisation_admin(user)
    organisation = user.organisation
    assert organisation is not None  # require_organisation_admin: the administrator of one
    clash = db.session.scalar(
        db.select(Organisation.id).where(
            Organisation.kvk_number == profile.kvk_number, Organisation.id != organisation.id
        )
    )
    if clash is not None:
        raise ServiceError("kvk_taken")
    changes: dict[str, tuple[object, object]] = {}
    for name, value in asdict(profile).items():
        if isinstance(value, str):
            value = value.strip() or None
        old = getattr(organisation, name)
        if _plain(old) != _plain(value):
            changes[name] = (_plain(old), _plain(value))
            setattr(organisation, name, value)
    if changes:
        record(
            "organisation.updated",
            organisation,
            user,
            organisation_id=organisation.id,
            changes={k: list(v) for k, v in changes.items()},
        )
        db.session.commit()
    return changes


def profile_changes(organisation_id: int, number: int, per_page: int) -> Page[AuditEvent]:
    """One page of the organisation's recorded profile changes, newest first (in one
    statement: the review page has no query to spare)."""
    return paginate_counted(
        db.select(AuditEvent)
        .options(joinedload(AuditEvent.actor))  # the review page names who changed it
        .where(
            AuditEvent.object_type == "organisation",
            AuditEvent.object_id == organisation_id,
            AuditEvent.action == "organisation.updated",
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()),
        number,
        per_page,
    )
