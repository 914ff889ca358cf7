"""The DAS's contact point for providers: where they turn with questions. The administrator
sets it; every provider page about a DAS shows it (the supplier blueprint finds the DAS a page
is about through the provider's own objects, as the ownership loaders do)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.extensions import db
from portal.models import Application, Das, DasState, FrameworkAgreement, User
from portal.services.audit import record
from portal.services.ownership import require_administrator


@dataclass(frozen=True)
class ContactPoint:
    name: str = ""  # a person or a department: "Inkoopteam Jeugd"
    email: str = ""
    phone: str = ""


def contact_point_of(das: Das) -> ContactPoint:
    return ContactPoint(das.contact_name, das.contact_email, das.contact_phone)


def set_contact_point(admin: User, das: Das, contact: ContactPoint) -> bool:
    """Store the contact point; False when nothing changed. Recorded in the audit trail."""
    require_administrator(admin)
    new = ContactPoint(contact.name.strip(), contact.email.strip(), contact.phone.strip())
    if new == contact_point_of(das):
        return False
    das.contact_name, das.contact_email, das.contact_phone = new.name, new.email, new.phone
    record(
        "das.contact_point_changed",
        das,
        admin,
        das_id=das.id,
        name=new.name,
        email=new.email,
        phone=new.phone,
    )
    db.session.commit()
    return True


def das_of_application(application_id: int, organisation_id: int) -> Das | None:
    """The DAS of one of the organisation's applications (None for anyone else's)."""
    return db.session.scalar(
        db.select(Das)
        .join(Application, Application.das_id == Das.id)
        .where(Application.id == application_id, Application.organisation_id == organisation_id)
    )


def das_of_agreement(agreement_id: int, organisation_id: int) -> Das | None:
    """The DAS of one of the organisation's agreements (None for anyone else's)."""
    return db.session.scalar(
        db.select(Das)
        .join(FrameworkAgreement, FrameworkAgreement.das_id == Das.id)
        .where(
            FrameworkAgreement.id == agreement_id,
            FrameworkAgreement.organisation_id == organisation_id,
        )
    )


def open_das_list() -> list[Das]:
    """The DAS instances open for applications, by name."""
    return list(
        db.session.scalars(db.select(Das).where(Das.state == DasState.OPEN).order_by(Das.name))
    )


def das_by_slug(slug: str) -> Das | None:
    return db.session.scalar(db.select(Das).where(Das.slug == slug))
