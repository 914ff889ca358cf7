"""What is bought: contracting authorities, DAS instances, lots, products, criteria, holidays."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import contract_dates
from portal.extensions import Model, db
from portal.models._base import Cents, Timestamp, str_enum, utcnow


class AuthorityKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    SUBREGION = "subregion"


class ContractingAuthority(Model):
    """A municipality (with its CBS code) or a subregion grouping municipalities."""

    __tablename__ = "contracting_authority"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[AuthorityKind] = mapped_column(str_enum(AuthorityKind))
    cbs_code: Mapped[str | None] = mapped_column(sa.String(6), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contracting_authority.id"))

    parent: Mapped[ContractingAuthority | None] = relationship(remote_side=[id])


class DasState(enum.StrEnum):
    """concept -> gepubliceerd -> gesloten voor nieuwe aanmeldingen -> beëindigd (issue 19)."""

    DRAFT = "draft"  # concept: being configured, not public
    OPEN = "open"  # gepubliceerd: announced; providers may apply at any time during the term
    CLOSED = "closed"  # gesloten voor nieuwe aanmeldingen: running agreements go on
    ENDED = "ended"  # beëindigd: the term is over, every agreement has ended


class PrivacyRole(enum.StrEnum):
    """The provider's role under the GDPR in the agreement (seed 003 §5.2)."""

    PROCESSOR = "processor"  # verwerker: a processing agreement (verwerkersovereenkomst)
    INDEPENDENT_CONTROLLER = "independent_controller"  # zelfstandig verwerkingsverantwoordelijke
    JOINT_CONTROLLERS = "joint_controllers"  # gezamenlijk verwerkingsverantwoordelijken


das_authority = sa.Table(
    "das_authority",
    db.metadata,
    sa.Column("das_id", sa.ForeignKey("das.id"), primary_key=True),
    sa.Column("authority_id", sa.ForeignKey("contracting_authority.id"), primary_key=True),
)


class Das(Model):
    """A dynamic purchasing system: one procedure with its term, lots and requirements."""

    __tablename__ = "das"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    scope: Mapped[str] = mapped_column(sa.Text)
    how_to_apply: Mapped[str] = mapped_column(sa.Text, default="")
    cpv_code: Mapped[str] = mapped_column(sa.String(12))
    purchasing_terms: Mapped[str] = mapped_column(sa.String(300), default="")
    state: Mapped[DasState] = mapped_column(str_enum(DasState), default=DasState.DRAFT)
    term_start: Mapped[date]
    initial_end_date: Mapped[date]
    extension_options_total: Mapped[int] = mapped_column(default=0)
    extension_option_years: Mapped[int] = mapped_column(default=0)
    extension_options_exercised: Mapped[int] = mapped_column(default=0)
    review_working_days: Mapped[int] = mapped_column(default=10)
    four_eyes: Mapped[bool] = mapped_column(default=False)
    # Indexation (seed 000, seed 003 §4.6): weights, the tariffs' base year and the first year
    # indexed under the contract (no after-calculation in that year).
    ova_weight: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.9"))
    ppc_weight: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.1"))
    tariff_base_year: Mapped[int | None]
    # Social return (seed 003 §4.4) and contract-talk selection (§2.4): settings per DAS.
    sroi_threshold_cents: Mapped[int] = mapped_column(Cents, default=250_000_00)
    sroi_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal(5))
    talks_top_n: Mapped[int] = mapped_column(default=13)
    first_index_year: Mapped[int | None]
    requires_processing_agreement: Mapped[bool] = mapped_column(default=False)
    lead_authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contracting_authority.id"))
    # Where providers turn with questions (every provider page about this DAS shows it).
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(30), default="", server_default="")
    # More CPV codes beside the main one, space-separated (issue 19).
    extra_cpv_codes: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # SROI reference year: the turnover of which year the obligation is measured on (seed 003
    # §4.4; the region may revise it). None: the year before the reporting year.
    sroi_reference_year: Mapped[int | None]
    # The way clients are allocated to providers (seed 003 §4.5): who chooses, how a provider is
    # asked, what happens when it has no capacity. Shown in the announcement and the agreement.
    allocation_who_chooses: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    allocation_request: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    allocation_no_capacity: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The privacy arrangement (seed 003 §5.2) and the region's own text for it in the agreement.
    privacy_role: Mapped[PrivacyRole | None] = mapped_column(str_enum(PrivacyRole))
    privacy_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # An initial round (seed 003 §6.2): first applications until this date (at least 30 days
    # after publication), one joint decision date; None: no initial round.
    first_round_closes_on: Mapped[date | None]
    joint_decision_on: Mapped[date | None]
    published_at: Mapped[datetime | None] = mapped_column(Timestamp)
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    lead_authority: Mapped[ContractingAuthority | None] = relationship()
    authorities: Mapped[list[ContractingAuthority]] = relationship(
        secondary=das_authority, order_by=ContractingAuthority.name
    )
    lots: Mapped[list[Lot]] = relationship(
        back_populates="das", order_by="Lot.position", cascade="all, delete-orphan"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="das", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def common_end_date(self) -> date:
        """Every agreement of this DAS ends on this date (seed 003 §4.1)."""
        return contract_dates.common_end_date(
            self.initial_end_date, self.extension_option_years, self.extension_options_exercised
        )

    @property
    def extension_options_left(self) -> int:
        return self.extension_options_total - self.extension_options_exercised

    @property
    def is_open(self) -> bool:
        return self.state is DasState.OPEN

    @property
    def has_contact_point(self) -> bool:
        return bool(self.contact_name or self.contact_email or self.contact_phone)

    def criteria_of(self, kind: CriterionKind) -> list[Criterion]:
        return [c for c in self.criteria if c.kind is kind]


class DasChange(Model):
    """A dated change notice (rectificatie) of a published DAS: what changed, shown on the public
    page; `version` counts the published versions of the announcement (1 = as first published).
    `changes` holds {setting: [old, new]} as text."""

    __tablename__ = "das_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    version: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    summary: Mapped[str] = mapped_column(sa.Text)
    changes: Mapped[dict[str, list[str | None]]] = mapped_column(sa.JSON, default=dict)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    __table_args__ = (sa.UniqueConstraint("das_id", "version"),)


class Lot(Model):
    """A product group a provider is admitted for (perceel)."""

    __tablename__ = "lot"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(10))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    das: Mapped[Das] = relationship(back_populates="lots")
    products: Mapped[list[Product]] = relationship(
        back_populates="lot", order_by="Product.code", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("das_id", "code"),)


class IjwUnit(enum.StrEnum):
    """iJw unit codes (iStandaarden, codelijst JZ/WMO 'Eenheid')."""

    MINUTE = "01"
    HOUR = "04"
    ETMAAL = "14"
    DAGDEEL = "16"
    OUTPUT_PIECES = "82"
    EUROS = "83"
    EFFORT_PIECES = "84"


class ProductVariant(enum.StrEnum):
    LIGHT = "light"
    MEDIUM = "medium"
    HEAVY = "heavy"


class Product(Model):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lot.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(5))
    name: Mapped[str] = mapped_column(sa.String(200))
    ijw_category: Mapped[str] = mapped_column(sa.String(2))
    unit: Mapped[IjwUnit] = mapped_column(str_enum(IjwUnit, length=2))
    variant: Mapped[ProductVariant | None] = mapped_column(str_enum(ProductVariant))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    lot: Mapped[Lot] = relationship(back_populates="products")

    __table_args__ = (sa.UniqueConstraint("lot_id", "code"),)


class CriterionKind(enum.StrEnum):
    EXCLUSION = "exclusion"  # uitsluitingsgrond: passes on "no"
    SUITABILITY = "suitability"  # geschiktheidseis: passes on "yes" with evidence


class EvidenceType(enum.StrEnum):
    """Kinds of evidence; the age limits per kind live in portal.domain.evidence."""

    GEDRAGSVERKLARING = "gedragsverklaring_aanbesteden"
    TAX_STATEMENT = "verklaring_betalingsgedrag"
    KVK_EXTRACT = "kvk_uittreksel"
    QUALITY_CERTIFICATE = "kwaliteitscertificaat"
    PROFESSIONAL_REGISTRATION = "beroepsregistratie"
    MESSAGING = "berichtenverkeer"
    ANNUAL_ACCOUNTS = "jaarrekening"
    INSURANCE_POLICY = "verzekeringspolis"
    OTHER = "overig"


class CriterionOrigin(enum.StrEnum):
    """Where a criterion's ground comes from (issue 19)."""

    ESPD = "espd"  # chosen from the EU ESPD criterion list (espd_codes names it)
    NATIONAL = "national"  # a Dutch national ground, not in the ESPD list
    OWN = "own"  # the region's own criterion, in its own words


class Criterion(Model):
    """An exclusion ground or suitability criterion, with the rule that decides what passes."""

    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    kind: Mapped[CriterionKind] = mapped_column(str_enum(CriterionKind))
    code: Mapped[str] = mapped_column(sa.String(10))
    # ESPD (UEA) criterion codes this question covers, space-separated (portal.infra.espd).
    espd_codes: Mapped[str] = mapped_column(sa.String(200), default="")
    title: Mapped[str] = mapped_column(sa.String(200))
    question: Mapped[str] = mapped_column(sa.Text)
    guidance: Mapped[str] = mapped_column(sa.Text, default="")
    # The answer that passes without a judgement: False for exclusion grounds, True for suitability.
    passing_answer: Mapped[bool]
    # The evidence types that count: `evidence_type` is the preferred one (an upload for this
    # criterion gets it), `extra_evidence_types` the others that count too (EvidenceType values).
    evidence_type: Mapped[EvidenceType | None] = mapped_column(str_enum(EvidenceType))
    extra_evidence_types: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default="[]"
    )
    evidence_required: Mapped[bool] = mapped_column(default=False)
    max_evidence_age_months: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    origin: Mapped[CriterionOrigin] = mapped_column(
        str_enum(CriterionOrigin), default=CriterionOrigin.ESPD, server_default="espd"
    )

    das: Mapped[Das] = relationship(back_populates="criteria")

    __table_args__ = (sa.UniqueConstraint("das_id", "code"),)

    @property
    def evidence_types(self) -> list[EvidenceType]:
        """Every evidence type that counts, the preferred one first."""
        if self.evidence_type is None:
            return []
        extra = [EvidenceType(t) for t in self.extra_evidence_types or ()]
        return [self.evidence_type, *(t for t in extra if t is not self.evidence_type)]


class HolidayKind(enum.StrEnum):
    STATUTORY = "statutory"  # Algemene termijnenwet art. 3
    EQUATED = "equated"  # equated by royal decree (art. 3(3))


class Holiday(Model):
    """A day that is not a working day for deadlines; maintained by administrators."""

    __tablename__ = "holiday"

    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[HolidayKind] = mapped_column(str_enum(HolidayKind))
