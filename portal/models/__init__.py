"""All models, importable from one place (and registered on the metadata for Alembic)."""

from portal.models.applications import (
    Answer,
    Application,
    ApplicationLot,
    ApplicationState,
    EvidenceDocument,
    LotOutcome,
    answer_evidence,
)
from portal.models.audit import AuditEvent
from portal.models.catalogue import (
    AuthorityKind,
    ContractingAuthority,
    Criterion,
    CriterionKind,
    Das,
    DasState,
    EvidenceType,
    Holiday,
    HolidayKind,
    IjwUnit,
    Lot,
    Product,
    ProductVariant,
    das_authority,
)
from portal.models.contracts import AgreementLot, AgreementState, FrameworkAgreement
from portal.models.organisations import Organisation, SizeClass
from portal.models.users import STAFF_ROLES, OrganisationRole, Role, StaffAssignment, User

__all__ = [
    "STAFF_ROLES",
    "AgreementLot",
    "AgreementState",
    "Answer",
    "Application",
    "ApplicationLot",
    "ApplicationState",
    "AuditEvent",
    "AuthorityKind",
    "ContractingAuthority",
    "Criterion",
    "CriterionKind",
    "Das",
    "DasState",
    "EvidenceDocument",
    "EvidenceType",
    "FrameworkAgreement",
    "Holiday",
    "HolidayKind",
    "IjwUnit",
    "Lot",
    "LotOutcome",
    "Organisation",
    "OrganisationRole",
    "Product",
    "ProductVariant",
    "Role",
    "SizeClass",
    "StaffAssignment",
    "User",
    "answer_evidence",
    "das_authority",
]
