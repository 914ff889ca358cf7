"""A national-scale synthetic data set: `flask demo generate --scale N`.

At scale 1: 42 youth-care regions with 340 municipalities, 40 DAS instances (one per region, with
the demo's lots, products and criteria), 5,000 providers, about 20,000 applications with their
answers, about 100,000 evidence records, agreements for what was admitted, tariff sheets, and five
years of quarterly KPI reports (over a million KPI values). The market is shaped like seed 003's:
provider size follows a Pareto distribution, so a few providers work in many regions with large
turnover and client numbers, and a long tail works in one or two.

Rows are written with SQLAlchemy Core executemany in batches, with ids assigned here (after the
highest id already present) and the PostgreSQL sequences moved past them at the end. Everything
is drawn from one seeded random generator, so a seed gives the same data set. Evidence rows share
one small stored PDF per evidence type (the store names files by their SHA-256). No audit events
are written: the generated history did not happen through the services.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from portal.devdata.demo import (
    DEMO_BASE_TARIFFS_2024,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    EXCLUSION_GROUNDS,
    ML_LOTS,
    SUITABILITY,
    _demo_pdf,
)
from portal.domain import contract_dates
from portal.domain import contract_management as rules
from portal.domain.evidence import DEFAULT_MAX_AGE_MONTHS
from portal.extensions import db
from portal.infra.espd import dutch_label
from portal.infra.storage import Storage, content_key
from portal.models import (
    AgreementState,
    ApplicationKind,
    ApplicationState,
    AuthorityKind,
    CriterionKind,
    DasState,
    EvidenceType,
    LotOutcome,
    OrganisationRole,
    ReportingPeriod,
    Role,
    SizeClass,
)
from portal.services.kpis import DEFAULT_KPIS

# Counts at scale 1.
REGIONS = 40
MUNICIPALITIES_PER_REGION = 8.5  # 340 municipalities over 40 regions
PROVIDERS = 5_000
APPLICATIONS = 20_000
EVIDENCE_PER_PROVIDER_YEAR = 1  # annual accounts, on top of the evidence of each application
YEARS = 5
BATCH = 5_000
MARKER_SLUG = "jeugdhulp-jeugdregio-01"
DOMAIN = "generated.das-portaal.nl"

# Applications follow one of these paths (seed 003's experience: most providers qualify).
INITIAL_OUTCOMES = [
    ("admitted", 0.76),
    ("rejected", 0.10),
    ("submitted", 0.06),
    ("draft", 0.07),
    ("withdrawn", 0.01),
]


class GenerationRefused(RuntimeError):
    pass


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n


class _Writer:
    """Buffers rows per table and writes them in batches; hands out ids after the existing ones."""

    def __init__(self, connection: sa.Connection, counts: Counts) -> None:
        self.connection = connection
        self.counts = counts
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.next_ids: dict[str, int] = {}

    def new_id(self, table: str) -> int:
        if table not in self.next_ids:
            t = db.metadata.tables[table]
            highest = self.connection.execute(
                sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))
            ).scalar_one()
            self.next_ids[table] = highest + 1
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table: str, row: dict[str, Any]) -> None:
        buffer = self.buffers.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        # Parents before children: the metadata's order respects every foreign key.
        names = [t.name for t in db.metadata.sorted_tables]
        for name in names if table is None else [table]:
            rows = self.buffers.get(name)
            if rows:
                if table is not None:
                    self._flush_parents(name)
                self.connection.execute(db.metadata.tables[name].insert(), rows)
                self.counts.add(name, len(rows))
                self.buffers[name] = []

    def _flush_parents(self, name: str) -> None:
        for fk in db.metadata.tables[name].foreign_keys:
            parent = fk.column.table.name
            if parent != name and self.buffers.get(parent):
                self.flush(parent)

    def reset_sequences(self) -> None:
        if self.connection.dialect.name != "postgresql":
            return
        for name in self.next_ids:
            table = db.metadata.tables[name]
            self.connection.execute(
                sa.select(
                    sa.func.setval(
                        sa.func.pg_get_serial_sequence(f'"{name}"', "id"),
                        sa.select(sa.func.max(table.c.id)).scalar_subquery(),
                    )
                )
            )


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _kvk(n: int) -> str:
    """Distinct 8-digit KvK numbers in a range the demo does not use (9xxxxxxx)."""
    return f"{90_000_000 + n * 7:08d}"


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def generate(scale: float, seed: int, today: date, storage: Storage) -> Counts:
    """Write the data set into the application's database (and its few files into the store);
    refuses to run twice."""
    if scale <= 0:
        raise GenerationRefused("De schaal moet groter zijn dan 0.")
    db.session.commit()
    das_table = db.metadata.tables["das"]
    if db.session.scalar(sa.select(das_table.c.id).where(das_table.c.slug == MARKER_SLUG)):
        raise GenerationRefused(
            "Er staat al een gegenereerde dataset in deze database; genereer in een lege database "
            "(de demodata mag er wel al staan)."
        )
    from portal.services import calendar

    calendar.ensure_statutory_holidays(range(today.year - YEARS - 1, today.year + 4))
    db.session.commit()
    db.session.close()
    counts = Counts()
    with db.engine.begin() as connection:
        _Generation(_Writer(connection, counts), random.Random(seed), scale, today).run(storage)
    return counts


class _Generation:
    def __init__(self, w: _Writer, rng: random.Random, scale: float, today: date) -> None:
        self.w = w
        self.rng = rng
        self.scale = scale
        self.today = today
        self.term_start = date(today.year - YEARS, 1, 1)
        self.password_hash = generate_password_hash(DEMO_PASSWORD)
        self.created = _at(self.term_start - timedelta(days=60))
        # The waiting-time register (issue 23) draws from its own generator, so adding it left
        # every other generated row as it was.
        self.waiting_rng = random.Random(23)

    def run(self, storage: Storage) -> None:
        self.files = self._files(storage)
        # At least 10 regions, so that small data sets still have a market of several regions.
        n_regions = min(REGIONS, max(10, round(REGIONS * self.scale)))
        self.regions = [self._region(r) for r in range(1, n_regions + 1)]
        self.admin = self._staff("beheerder", "Beheerder (gegenereerd)", Role.ADMINISTRATOR)
        for region in self.regions:
            self._staffing(region)
        self._providers()
        self.w.flush()
        self.w.reset_sequences()

    # -- files ---------------------------------------------------------------------------------

    def _files(self, storage: Storage) -> dict[EvidenceType, tuple[str, int]]:
        """One stored PDF per evidence type, shared by every generated evidence row."""
        files = {}
        for evidence_type in EvidenceType:
            content = _demo_pdf(f"gegenereerd {evidence_type.value}")
            digest = hashlib.sha256(content).hexdigest()
            if not storage.exists(content_key(digest)):
                storage.put_bytes(content_key(digest), content)
            files[evidence_type] = (digest, len(content))
        return files

    # -- catalogue -----------------------------------------------------------------------------

    def _region(self, r: int) -> dict[str, Any]:
        w = self.w
        subregion_id = w.new_id("contracting_authority")
        w.add(
            "contracting_authority",
            {
                "id": subregion_id,
                "name": f"Jeugdregio {r:02d}",
                "kind": AuthorityKind.SUBREGION,
                "cbs_code": None,
                "parent_id": None,
            },
        )
        first = round((r - 1) * MUNICIPALITIES_PER_REGION) + 1
        last = round(r * MUNICIPALITIES_PER_REGION)
        municipalities = []
        for m in range(first, last + 1):
            municipality_id = w.new_id("contracting_authority")
            municipalities.append(municipality_id)
            w.add(
                "contracting_authority",
                {
                    "id": municipality_id,
                    "name": f"Gemeente {m:03d}",
                    "kind": AuthorityKind.MUNICIPALITY,
                    "cbs_code": f"GX{m:04d}",
                    "parent_id": subregion_id,
                },
            )
        das_id = w.new_id("das")
        reference = f"JR{r:02d}-JH"
        w.add(
            "das",
            {
                "id": das_id,
                "slug": f"jeugdhulp-jeugdregio-{r:02d}",
                "reference": reference,
                "name": f"Jeugdhulp Jeugdregio {r:02d}",
                "summary": f"De {len(municipalities)} gemeenten van jeugdregio {r:02d} kopen samen "
                "jeugdhulp in via een dynamisch aankoopsysteem zonder gunningscriteria "
                "(gegenereerde gegevens).",
                "scope": "Ambulante jeugdhulp, groepsbegeleiding, vervoer, trajecten en wonen.",
                "how_to_apply": "Registreer uw organisatie, kies de percelen en beantwoord de "
                "uitsluitingsgronden en geschiktheidseisen.",
                "cpv_code": "85000000-9",
                "purchasing_terms": "",
                "state": DasState.OPEN,
                "term_start": self.term_start,
                "initial_end_date": date(self.today.year + 2, 12, 31),
                "extension_options_total": 2,
                "extension_option_years": 2,
                "extension_options_exercised": 0,
                "review_working_days": 10,
                "four_eyes": False,
                "ova_weight": Decimal("0.9"),
                "ppc_weight": Decimal("0.1"),
                "tariff_base_year": self.term_start.year,
                "sroi_threshold_cents": 250_000_00,
                "sroi_percent": Decimal(5),
                "talks_top_n": 13,
                "first_index_year": self.term_start.year,
                "requires_processing_agreement": False,
                "lead_authority_id": municipalities[0],
                "created_at": self.created,
                "version_id": 1,
            },
        )
        for municipality_id in municipalities:
            w.add("das_authority", {"das_id": das_id, "authority_id": municipality_id})
        lots = []
        products: dict[str, int] = {}
        for position, (code, name, description, items) in enumerate(ML_LOTS, start=1):
            lot_id = w.new_id("lot")
            product_ids = []
            w.add(
                "lot",
                {
                    "id": lot_id,
                    "das_id": das_id,
                    "code": code,
                    "name": name,
                    "description": description,
                    "position": position,
                },
            )
            for p_code, p_name, category, unit, variant in items:
                product_id = w.new_id("product")
                product_ids.append(product_id)
                products[p_code] = product_id
                w.add(
                    "product",
                    {
                        "id": product_id,
                        "lot_id": lot_id,
                        "code": p_code,
                        "name": p_name,
                        "ijw_category": category,
                        "unit": unit,
                        "variant": variant,
                        "description": "",
                        "valid_from": self.term_start,
                        "valid_to": None,
                    },
                )
            lots.append({"id": lot_id, "code": code, "name": name, "products": product_ids})
        criteria = self._criteria(das_id)
        kpis = {}
        for position, (
            code,
            name,
            kpi_unit,
            higher,
            target,
            threshold,
            period,
            low,
            high,
        ) in enumerate(DEFAULT_KPIS, start=1):
            kpis[code] = (w.new_id("kpi_definition"), period)
            w.add(
                "kpi_definition",
                {
                    "id": kpis[code][0],
                    "das_id": das_id,
                    "code": code,
                    "name": name,
                    "unit": kpi_unit,
                    "higher_is_better": higher,
                    "target": Decimal(target),
                    "threshold": Decimal(threshold),
                    "period": ReportingPeriod(period),
                    "min_value": Decimal(low) if low else None,
                    "max_value": Decimal(high) if high else None,
                    "position": position,
                },
            )
        return {
            "id": das_id,
            "number": r,
            "reference": reference,
            "municipalities": municipalities,
            "subregion": subregion_id,
            "lots": lots,
            "products": products,
            "criteria": criteria,
            "kpis": kpis,
            "end_date": contract_dates.common_end_date(date(self.today.year + 2, 12, 31), 2, 0),
        }

    def _criteria(self, das_id: int) -> list[dict[str, Any]]:
        criteria = []
        position = 0
        for code, espd_codes, title, question in EXCLUSION_GROUNDS:
            position += 1
            criteria.append(
                {
                    "id": self.w.new_id("criterion"),
                    "das_id": das_id,
                    "kind": CriterionKind.EXCLUSION,
                    "code": code,
                    "espd_codes": espd_codes,
                    "title": title or dutch_label(espd_codes),
                    "question": question,
                    "guidance": "",
                    "passing_answer": False,
                    "evidence_type": None,
                    "evidence_required": False,
                    "max_evidence_age_months": None,
                    "position": position,
                }
            )
        for code, espd_codes, title, question, evidence_type, required in SUITABILITY:
            position += 1
            criteria.append(
                {
                    "id": self.w.new_id("criterion"),
                    "das_id": das_id,
                    "kind": CriterionKind.SUITABILITY,
                    "code": code,
                    "espd_codes": espd_codes,
                    "title": title,
                    "question": question,
                    "guidance": "",
                    "passing_answer": True,
                    "evidence_type": evidence_type,
                    "evidence_required": required,
                    "max_evidence_age_months": DEFAULT_MAX_AGE_MONTHS.get(evidence_type.value),
                    "position": position,
                }
            )
        for row in criteria:
            self.w.add("criterion", row)
        return criteria

    def _staff(self, local: str, name: str, role: Role) -> int:
        user_id = self.w.new_id("user")
        self.w.add(
            "user",
            self._user_row(user_id, f"{local}@{DOMAIN}", name, role)
            | {"totp_secret": DEMO_TOTP_SECRET, "totp_confirmed_at": self.created},
        )
        return user_id

    def _user_row(self, user_id: int, email: str, name: str, role: Role) -> dict[str, Any]:
        return {
            "id": user_id,
            "email": email,
            "name": name,
            "password_hash": self.password_hash,
            "role": role,
            "organisation_id": None,
            "organisation_role": None,
            "is_active_account": True,
            "is_signatory": False,
            "email_verified_at": self.created,
            "created_at": self.created,
            "totp_secret": None,
            "totp_confirmed_at": None,
            "locale": "nl",
        }

    def _staffing(self, region: dict[str, Any]) -> None:
        n = region["number"]
        region["reviewer"] = self._staff(
            f"beoordelaar-{n:02d}", f"Beoordelaar regio {n:02d}", Role.REVIEWER
        )
        region["manager"] = self._staff(
            f"contractmanager-{n:02d}", f"Contractmanager regio {n:02d}", Role.CONTRACT_MANAGER
        )
        for user_id in (region["reviewer"], region["manager"]):
            self.w.add("staff_assignment", {"user_id": user_id, "das_id": region["id"]})
        self._tariffs(region)

    def _tariffs(self, region: dict[str, Any]) -> None:
        sheet_id = self.w.new_id("tariff_sheet")
        self.w.add(
            "tariff_sheet",
            {
                "id": sheet_id,
                "das_id": region["id"],
                "year": self.term_start.year,
                "is_base": True,
                "prognosis_part": Decimal(0),
                "correction_part": Decimal(0),
                "index_total": Decimal(0),
                "ova_weight": Decimal("0.9"),
                "ppc_weight": Decimal("0.1"),
                "corrects_id": None,
                "correction_note": "",
                "published_at": _at(self.term_start - timedelta(days=30)),
                "published_by_id": self.admin,
                "csv_sha256": "",
                "xlsx_sha256": "",
                "pdf_sha256": "",
            },
        )
        # The demo's base tariffs, varied a few percent per region.
        factor = Decimal(self.rng.randint(94, 106)) / 100
        for code, text in DEMO_BASE_TARIFFS_2024.items():
            euros = Decimal(text.replace(".", "").replace(",", "."))
            self.w.add(
                "tariff",
                {
                    "id": self.w.new_id("tariff"),
                    "sheet_id": sheet_id,
                    "product_id": region["products"][code],
                    "amount_cents": int(euros * factor * 100),
                    "previous_cents": None,
                },
            )

    # -- providers -----------------------------------------------------------------------------

    def _providers(self) -> None:
        rng = self.rng
        n_providers = max(1, round(PROVIDERS * self.scale))
        # Pareto weights (alpha 1.2: roughly 80/20): a few large providers, a long tail.
        weights = sorted(
            (min(300.0, rng.paretovariate(1.2)) for _ in range(n_providers)), reverse=True
        )
        # Pairs (provider, DAS): everyone one, the rest by weight; follow-up applications
        # (after a rejection, or for more lots) bring the total to about APPLICATIONS.
        n_pairs = max(n_providers, round(APPLICATIONS * self.scale / 1.13))
        regions_of = [1] * n_providers
        cap = len(self.regions)
        remaining = min(n_pairs, n_providers * cap) - n_providers
        while remaining > 0:
            for i in rng.choices(range(n_providers), weights=weights, k=remaining):
                if remaining and regions_of[i] < cap:
                    regions_of[i] += 1
                    remaining -= 1
        for i, weight in enumerate(weights):
            self._provider(i + 1, weight, rng.sample(self.regions, regions_of[i]))

    def _provider(self, n: int, weight: float, regions: list[dict[str, Any]]) -> None:
        w, rng = self.w, self.rng
        size = (
            SizeClass.LARGE
            if weight > 8
            else SizeClass.MEDIUM
            if weight > 3
            else SizeClass.SMALL
            if weight > 1.5
            else SizeClass.MICRO
        )
        organisation_id = w.new_id("organisation")
        legal_name = f"Jeugdhulpaanbieder {n:05d} B.V."
        w.add(
            "organisation",
            {
                "id": organisation_id,
                "legal_name": legal_name,
                "trade_name": None,
                "kvk_number": _kvk(n),
                "branch_number": None,
                "agb_code": f"{98_000_000 + n:08d}",
                "vat_number": None,
                "iban": None,
                "street_address": f"Zorgstraat {n}",
                "postcode": None,
                "city": f"Plaats {rng.randint(1, 340):03d}",
                "size_class": size,
                "email": f"info-{n:05d}@{DOMAIN}",
                "phone": None,
                "signatory_name": f"Directeur {n:05d}",
                "signatory_role": "Directeur-bestuurder",
                "created_at": self.created,
                "updated_at": self.created,
            },
        )
        user_id = w.new_id("user")
        w.add(
            "user",
            self._user_row(
                user_id, f"aanbieder-{n:05d}@{DOMAIN}", f"Contactpersoon {n:05d}", Role.PROVIDER
            )
            | {
                "organisation_id": organisation_id,
                "organisation_role": OrganisationRole.ADMIN,
                "is_signatory": True,
            },
        )
        if size in (SizeClass.MEDIUM, SizeClass.LARGE):
            colleague = w.new_id("user")
            w.add(
                "user",
                self._user_row(
                    colleague, f"medewerker-{n:05d}@{DOMAIN}", f"Medewerker {n:05d}", Role.PROVIDER
                )
                | {
                    "organisation_id": organisation_id,
                    "organisation_role": OrganisationRole.CONTRIBUTOR,
                },
            )
        provider = {
            "id": organisation_id,
            "n": n,
            "name": legal_name,
            "weight": weight,
            "size": size,
            "user": user_id,
        }
        for year in range(self.term_start.year - 1, self.today.year - 1):
            for _ in range(EVIDENCE_PER_PROVIDER_YEAR):
                self._document(provider, EvidenceType.ANNUAL_ACCOUNTS, date(year + 1, 5, 15))
        for region in regions:
            self._pair(provider, region)

    def _document(self, provider: dict[str, Any], evidence_type: EvidenceType, issued: date) -> int:
        document_id = self.w.new_id("evidence_document")
        digest, size = self.files[evidence_type]
        self.w.add(
            "evidence_document",
            {
                "id": document_id,
                "organisation_id": provider["id"],
                "sha256": digest,
                "filename": f"{evidence_type.value}-{issued.isoformat()}.pdf",
                "content_type": "application/pdf",
                "size_bytes": size,
                "evidence_type": evidence_type,
                "issued_on": issued,
                "expires_on": issued + timedelta(days=365)
                if evidence_type is EvidenceType.INSURANCE_POLICY
                else None,
                "uploaded_by_id": provider["user"],
                "uploaded_at": _at(issued + timedelta(days=2)),
            },
        )
        return document_id

    def _pair(self, provider: dict[str, Any], region: dict[str, Any]) -> None:
        rng = self.rng
        path = rng.choices(
            [p for p, _ in INITIAL_OUTCOMES], weights=[f for _, f in INITIAL_OUTCOMES]
        )[0]
        # Large providers take more lots; everyone at least one.
        n_lots = min(5, 1 + int(rng.random() * min(5, 1 + provider["weight"])))
        lots = sorted(rng.sample(region["lots"], n_lots), key=lambda lot: lot["code"])
        span = max(1, (self.today - self.term_start).days - 60)
        # Most providers joined when the DAS opened; the rest trickled in since.
        received = self.term_start + timedelta(days=int(span * rng.random() ** 2.5))
        if path in ("submitted", "draft"):
            received = self.today - timedelta(days=rng.randint(0, 8))
        application_id = self._application(
            provider, region, lots, path, ApplicationKind.INITIAL, received, None
        )
        if path == "rejected" and rng.random() < 0.6:
            again = min(received + timedelta(days=rng.randint(40, 400)), self.today - timedelta(30))
            if again > received:
                self._application(
                    provider, region, lots, "admitted", ApplicationKind.RENEWED, again,
                    application_id,
                )  # fmt: skip
        elif path == "admitted" and rng.random() < 0.05:
            more = [lot for lot in region["lots"] if lot not in lots][:1]
            later = received + timedelta(days=rng.randint(60, 700))
            if more and later < self.today - timedelta(days=20):
                self._application(
                    provider, region, more, "admitted", ApplicationKind.MORE_LOTS, later,
                    application_id,
                )  # fmt: skip

    def _application(
        self,
        provider: dict[str, Any],
        region: dict[str, Any],
        lots: list[dict[str, Any]],
        path: str,
        kind: ApplicationKind,
        received: date,
        previous_id: int | None,
    ) -> int:
        w, rng = self.w, self.rng
        application_id = w.new_id("application")
        submitted = path != "draft"
        decided = path in ("admitted", "rejected")
        received_at = _at(received)
        decided_at = _at(received + timedelta(days=rng.randint(3, 13)), 15)
        state = {
            "admitted": ApplicationState.DECIDED,
            "rejected": ApplicationState.DECIDED,
            "submitted": ApplicationState.SUBMITTED,
            "draft": ApplicationState.DRAFT,
            "withdrawn": ApplicationState.WITHDRAWN,
        }[path]
        reference = f"{region['reference']}-{application_id:06d}" if submitted else None
        answers = []
        criteria = region["criteria"]
        if path == "draft":
            criteria = criteria[: rng.randint(0, len(criteria))]
        for criterion in criteria:
            value = criterion["passing_answer"]
            if path == "rejected" and criterion["code"] == "G1":
                value = False
            documents = []
            if criterion["evidence_required"] and submitted:
                documents = [
                    self._document(
                        provider, criterion["evidence_type"], received - timedelta(days=30)
                    )
                ]
            answers.append((criterion, value, documents))
        products = [p for lot in lots for p in lot["products"]]
        snapshot = None
        if submitted:
            snapshot = {
                "submitted_at": received_at.isoformat(),
                "declared_by": {
                    "name": f"Contactpersoon {provider['n']:05d}",
                    "email": f"aanbieder-{provider['n']:05d}@{DOMAIN}",
                },
                "organisation": {
                    "legal_name": provider["name"],
                    "size_class": provider["size"].value,
                },
                "lots": [
                    {"id": lot["id"], "code": lot["code"], "name": lot["name"]} for lot in lots
                ],
                "products": [{"id": p} for p in products],
                "answers": [
                    {
                        "code": c["code"],
                        "kind": c["kind"].value,
                        "title": c["title"],
                        "question": c["question"],
                        "value": value,
                        "explanation": "",
                        "self_cleaning": "",
                        "documents": [{"id": d} for d in documents],
                    }
                    for c, value, documents in answers
                ],
            }
        w.add(
            "application",
            {
                "id": application_id,
                "reference": reference,
                "das_id": region["id"],
                "organisation_id": provider["id"],
                "state": state,
                "kind": kind,
                "created_by_id": provider["user"],
                "created_at": received_at - timedelta(days=rng.randint(1, 20)),
                "updated_at": decided_at if decided else received_at,
                "submitted_by_id": provider["user"] if submitted else None,
                "received_at": received_at if submitted else None,
                "review_deadline": received + timedelta(days=14) if submitted else None,
                "review_working_days": 10,
                "extension_reason": "",
                "decision_proposed_by_id": region["reviewer"] if decided else None,
                "decision_proposed_at": decided_at if decided else None,
                "assigned_reviewer_id": region["reviewer"] if submitted else None,
                "decided_at": decided_at if decided else None,
                "previous_application_id": previous_id,
                "snapshot": snapshot,
                "version_id": 1,
            },
        )
        for product_id in products:
            w.add(
                "application_product", {"application_id": application_id, "product_id": product_id}
            )
        for criterion, value, documents in answers:
            answer_id = w.new_id("answer")
            w.add(
                "answer",
                {
                    "id": answer_id,
                    "application_id": application_id,
                    "criterion_id": criterion["id"],
                    "value": value,
                    "explanation": "",
                    "self_cleaning": "",
                    "updated_at": received_at,
                },
            )
            for document_id in documents:
                w.add("answer_evidence", {"answer_id": answer_id, "document_id": document_id})
        outcome = {"admitted": LotOutcome.ADMITTED, "rejected": LotOutcome.REJECTED}.get(
            path, LotOutcome.PENDING
        )
        for lot in lots:
            w.add(
                "application_lot",
                {
                    "id": w.new_id("application_lot"),
                    "application_id": application_id,
                    "lot_id": lot["id"],
                    "outcome": outcome,
                    "reason": "Het kwaliteitscertificaat dekt de aangeboden zorg niet."
                    if path == "rejected"
                    else "",
                    "decided_by_id": region["reviewer"] if decided else None,
                    "decided_at": decided_at if decided else None,
                    "confirmed_by_id": None,
                    "confirmed_at": None,
                },
            )
        if path == "admitted":
            self._admit(provider, region, lots, application_id, decided_at)
        return application_id

    # -- agreements and figures ----------------------------------------------------------------

    def _admit(
        self,
        provider: dict[str, Any],
        region: dict[str, Any],
        lots: list[dict[str, Any]],
        application_id: int,
        decided_at: datetime,
    ) -> None:
        w, rng = self.w, self.rng
        agreements = region.setdefault("agreements", {})
        start = decided_at.date()
        agreement_id = agreements.get(provider["id"])
        if agreement_id is None:
            agreement_id = w.new_id("framework_agreement")
            agreements[provider["id"]] = agreement_id
            signed = rng.random() < 0.97 or start < self.today - timedelta(days=60)
            signed_at = _at(start + timedelta(days=rng.randint(1, 10)), 11)
            w.add(
                "framework_agreement",
                {
                    "id": agreement_id,
                    "reference": f"RO-{region['reference']}-{provider['id']:05d}",
                    "das_id": region["id"],
                    "organisation_id": provider["id"],
                    "state": AgreementState.LIVE if signed else AgreementState.AWAITING_SIGNATURE,
                    "start_date": start,
                    "end_date": region["end_date"],
                    "created_at": decided_at,
                    "provider_signed_by_id": provider["user"] if signed else None,
                    "provider_signed_name": f"Directeur {provider['n']:05d}" if signed else "",
                    "provider_signed_role": "Directeur-bestuurder" if signed else "",
                    "provider_signed_at": signed_at if signed else None,
                    "provider_signed_ip": "127.0.0.1" if signed else "",
                    "authority_signed_by_id": self.admin if signed else None,
                    "authority_signed_name": "Beheerder (gegenereerd)" if signed else "",
                    "authority_signed_at": signed_at if signed else None,
                    "authority_signed_ip": "127.0.0.1" if signed else "",
                    "document_sha256": "",
                    "signed_document_sha256": "",
                    "reminders_sent": 0,
                    "last_reminder_at": None,
                    "state_reason": "",
                    "state_changed_on": None,
                    "version_id": 1,
                },
            )
            self._figures(provider, region, agreement_id, start, lots)
            if signed:
                region.setdefault("live", set()).add(agreement_id)
        for lot in lots:
            if agreement_id in region.get("live", ()):
                self._waiting_times(provider, region, agreement_id, lot)
            w.add(
                "agreement_lot",
                {
                    "agreement_id": agreement_id,
                    "lot_id": lot["id"],
                    "admitted_on": start,
                    "application_id": application_id,
                    "ended_on": None,
                    "end_reason": "",
                },
            )

    def _figures(
        self,
        provider: dict[str, Any],
        region: dict[str, Any],
        agreement_id: int,
        start: date,
        lots: list[dict[str, Any]],
    ) -> None:
        """Five years at most of quarterly (and half-yearly) figures, sized by market weight."""
        rng = self.rng
        clients_base = 6 * provider["weight"] * rng.uniform(0.6, 1.4)
        reported_at = None
        for period in ("quarter", "half_year"):
            for i, period_start in enumerate(rules.completed_periods(start, self.today, period)):
                reported_at = _at(
                    period_start + timedelta(days=200 if period == "half_year" else 100)
                )
                growth = 1 + 0.02 * i
                if period == "quarter":
                    clients = Decimal(round(clients_base * growth * rng.uniform(0.85, 1.15)))
                    turnover = (clients * Decimal(rng.randint(2_800, 5_200))).quantize(Decimal(1))
                    figures = [
                        ("CLIENTS", clients, None),
                        ("TURNOVER", turnover, None),
                        ("DROPOUT", Decimal(f"{rng.uniform(2, 22):.1f}"), None),
                        ("WAITING", Decimal(rng.randint(5, 70)), None),
                    ]
                    # Providers with more than one lot break their turnover down per lot.
                    if len(lots) > 1:
                        share = (turnover / len(lots)).quantize(Decimal("0.01"))
                        figures += [("TURNOVER", share, lot["id"]) for lot in lots]
                else:
                    figures = [
                        ("SATISFACTION", Decimal(f"{rng.uniform(6, 9.5):.1f}"), None),
                        ("GOALS", Decimal(rng.randint(45, 95)), None),
                    ]
                for code, value, lot_id in figures:
                    self.w.add(
                        "kpi_value",
                        {
                            "id": self.w.new_id("kpi_value"),
                            "agreement_id": agreement_id,
                            "definition_id": region["kpis"][code][0],
                            "period_start": period_start,
                            "lot_id": lot_id,
                            "authority_id": None,
                            "value": value,
                            "reason": "",
                            "reported_at": reported_at,
                            "reported_by_id": provider["user"],
                            "is_current": True,  # one report per figure: each one counts
                        },
                    )
        # Social return for the larger providers, one report a year (seed 003 §4.4).
        if provider["size"] in (SizeClass.MEDIUM, SizeClass.LARGE):
            for year in range(start.year, self.today.year):
                self.w.add(
                    "sroi_report",
                    {
                        "id": self.w.new_id("sroi_report"),
                        "agreement_id": agreement_id,
                        "year": year,
                        "activity": "Leerwerkplekken en inkoop bij sociale ondernemingen",
                        # About 5% of a year's turnover (the DAS's sroi_percent).
                        "amount_cents": int(clients_base * rng.randint(600, 1_000) * 100),
                        "pso_level": "",
                        "document_id": None,
                        "reported_at": _at(date(year + 1, 3, 1)),
                        "reported_by_id": provider["user"],
                    },
                )

    def _waiting_times(
        self,
        provider: dict[str, Any],
        region: dict[str, Any],
        agreement_id: int,
        lot: dict[str, Any],
    ) -> None:
        """The lot's entry for the whole region with a few earlier reports (about a third are
        outdated now), and for some providers one for a municipality or the subregion, or one
        product of the lot (issue 23)."""
        rng, w = self.waiting_rng, self.w
        keys: list[tuple[int | None, int | None]] = [(None, None)]
        if rng.random() < 0.25:
            keys.append((None, rng.choice([region["subregion"], *region["municipalities"]])))
        if rng.random() < 0.2 and lot["products"]:
            keys.append((rng.choice(lot["products"]), None))
        for product_id, authority_id in keys:
            latest = self.today - timedelta(days=rng.randint(0, 45))
            history = rng.randint(0, 4)
            for k in range(history, -1, -1):
                intake = rng.randint(0, 20)
                w.add(
                    "waiting_time",
                    {
                        "id": w.new_id("waiting_time"),
                        "agreement_id": agreement_id,
                        "lot_id": lot["id"],
                        "product_id": product_id,
                        "authority_id": authority_id,
                        "weeks_to_intake": intake,
                        "weeks_to_treatment": intake + rng.randint(0, 12),
                        "accepts_new_clients": rng.random() < 0.8,
                        "note": "",
                        "confirmed_unchanged": k == 0 and rng.random() < 0.3,
                        "reported_at": _at(latest - timedelta(days=30 * k), 10),
                        "reported_by_id": provider["user"],
                        "api_token_id": None,
                        "is_current": k == 0,
                    },
                )


def describe(counts: Counts) -> Iterable[str]:
    for table, n in sorted(counts.rows.items()):
        yield f"{table}: {n}"
