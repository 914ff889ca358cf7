"""A provider registers its organisation and first user (the organisation's administrator)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.extensions import db
from portal.models import Organisation, OrganisationRole, Role, SizeClass, User
from portal.services import ServiceError
from portal.services.audit import record


@dataclass(frozen=True)
class Registration:
    legal_name: str
    kvk_number: str
    size_class: SizeClass
    user_name: str
    email: str
    password: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register_provider(data: Registration) -> User:
    email = normalise_email(data.email)
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        raise ServiceError("email_taken")
    if (
        db.session.scalar(
            db.select(Organisation.id).where(Organisation.kvk_number == data.kvk_number)
        )
        is not None
    ):
        raise ServiceError("kvk_taken")
    organisation = Organisation(
        legal_name=data.legal_name.strip(), kvk_number=data.kvk_number, size_class=data.size_class
    )
    user = User(
        email=email,
        name=data.user_name.strip(),
        role=Role.PROVIDER,
        organisation=organisation,
        organisation_role=OrganisationRole.ADMIN,
    )
    user.set_password(data.password)
    db.session.add_all([organisation, user])
    record("organisation.registered", organisation, user, organisation_id=None)
    record("user.registered", user, user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active or not user.check_password(password):
        return None
    return user
