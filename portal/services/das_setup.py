"""Setting up and running a DAS: create it, its basics and authorities, publish, close and end
it, and the change notices (rectificaties) of a published one (issue 19).

Each use case is one transaction with an audit event. A refused form is a ServiceError
"settings_refused" whose `problems` name, per form field, what is wrong; the page shows each at
its field and keeps what was typed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.domain import das_life_cycle as rules
from portal.domain import initial_round
from portal.extensions import db
from portal.infra import cbs
from portal.infra.timeutil import local_date
from portal.models import (
    AgreementState,
    AuthorityKind,
    ContractingAuthority,
    Criterion,
    CriterionKind,
    Das,
    DasChange,
    DasState,
    FrameworkAgreement,
    Lot,
    Product,
    Role,
    StaffAssignment,
    TariffSheet,
    User,
)
from portal.services import Problem, ServiceError, refuses_stale, transaction
from portal.services.audit import record
from portal.services.contact_point import ContactPoint
from portal.services.ownership import require_administrator

SETTINGS_REFUSED = "settings_refused"


@dataclass(frozen=True)
class Basics:
    """The settings of the basics page (the contact point has its own)."""

    name: str
    slug: str
    reference: str
    summary: str
    scope: str
    how_to_apply: str
    cpv_code: str
    extra_cpv_codes: str
    term_start: date
    initial_end_date: date
    extension_options_total: int
    extension_option_years: int
    review_working_days: int
    four_eyes: bool
    first_round_closes_on: date | None = None
    joint_decision_on: date | None = None


def basics_of(das: Das) -> Basics:
    return Basics(**{name: getattr(das, name) for name in Basics.__dataclass_fields__})


def _cleaned(basics: Basics) -> Basics:
    return replace(
        basics,
        name=basics.name.strip(),
        slug=basics.slug.strip().lower(),
        reference=basics.reference.strip(),
        summary=basics.summary.strip(),
        scope=basics.scope.strip(),
        how_to_apply=basics.how_to_apply.strip(),
        cpv_code=basics.cpv_code.strip(),
        extra_cpv_codes=" ".join(basics.extra_cpv_codes.replace(",", " ").split()),
    )


def _refuse(problems: dict[str, list[Problem]]) -> None:
    if problems:
        raise ServiceError(SETTINGS_REFUSED, problems=problems)


def _basics_problems(basics: Basics, das: Das | None) -> dict[str, list[Problem]]:
    """Field -> what is wrong, for a new DAS (das None) or a change to `das`."""
    problems: dict[str, list[Problem]] = {}

    def add(name: str, code: str | None, **params: object) -> None:
        if code:
            problems.setdefault(name, []).append(Problem(code, **params))

    for name in ("name", "summary", "scope"):
        if not getattr(basics, name):
            add(name, f"{name}_required")
    add("slug", rules.slug_problem(basics.slug))
    if not basics.reference:
        add("reference", "reference_required")
    own_id = das.id if das is not None else -1
    if db.session.scalar(db.select(Das.id).where(Das.slug == basics.slug, Das.id != own_id)):
        add("slug", "slug_taken")
    if db.session.scalar(
        db.select(Das.id).where(Das.reference == basics.reference, Das.id != own_id)
    ):
        add("reference", "reference_taken")
    add("cpv_code", rules.cpv_problem(basics.cpv_code))
    for extra in basics.extra_cpv_codes.split():
        if rules.cpv_problem(extra):
            add("extra_cpv_codes", "extra_cpv_form", given=extra)
    term = rules.term_problems(
        basics.term_start,
        basics.initial_end_date,
        basics.extension_options_total,
        basics.extension_option_years,
    )
    for code in term:
        add("initial_end_date" if code == rules.TERM_INVERTED else "extension_option_years", code)
    add("review_working_days", rules.review_days_problem(basics.review_working_days))
    published_on = (
        local_date(das.published_at) if das is not None and das.published_at is not None else None
    )
    for code in initial_round.problems(
        published_on, basics.first_round_closes_on, basics.joint_decision_on, basics.term_start
    ):
        field = "joint_decision_on" if "decision" in code else "first_round_closes_on"
        add(field, code)
    return problems


@transaction
def create_das(admin: User, basics: Basics, contact: ContactPoint, now: datetime) -> Das:
    """A new DAS in concept: nothing is public until it is published."""
    require_administrator(admin)
    basics = _cleaned(basics)
    _refuse(_basics_problems(basics, None))
    das = Das(
        **asdict(basics),
        state=DasState.DRAFT,
        contact_name=contact.name.strip(),
        contact_email=contact.email.strip(),
        contact_phone=contact.phone.strip(),
        created_at=now,
    )
    db.session.add(das)
    db.session.flush()
    record("das.created", das, admin, das_id=das.id, slug=das.slug, name=das.name)
    db.session.commit()
    return das


def agreement_count(das: Das) -> int:
    return int(
        db.session.scalar(
            db.select(db.func.count())
            .select_from(FrameworkAgreement)
            .where(FrameworkAgreement.das_id == das.id)
        )
        or 0
    )


def _require_change_summary(das: Das, change_summary: str) -> dict[str, list[Problem]]:
    if das.state is not DasState.DRAFT and not change_summary.strip():
        return {"change_summary": [Problem("change_summary_required")]}
    return {}


# The announcement's words for the settings a change notice names (the audit keeps the names).
SETTING_LABELS = {
    "name": _l("Naam"),
    "slug": _l("Korte naam in het webadres"),
    "reference": _l("Kenmerk"),
    "summary": _l("Samenvatting"),
    "scope": _l("Reikwijdte"),
    "how_to_apply": _l("Zo meldt u zich aan"),
    "cpv_code": _l("CPV-code"),
    "extra_cpv_codes": _l("Overige CPV-codes"),
    "term_start": _l("Begin van de looptijd"),
    "initial_end_date": _l("Einde van de looptijd"),
    "extension_options_total": _l("Aantal verlengingsopties"),
    "extension_option_years": _l("Jaren per verlengingsoptie"),
    "review_working_days": _l("Beoordelingstermijn in werkdagen"),
    "four_eyes": _l("Vier ogen"),
    "first_round_closes_on": _l("Sluiting van de eerste ronde"),
    "joint_decision_on": _l("Gezamenlijke besluitdatum"),
    "authorities": _l("Gemeenten"),
    "lead_authority": _l("Penvoerder"),
}


def _announced(changed: dict[str, list[str | None]]) -> dict[str, list[str | None]]:
    """The changes as the public reads them: Dutch names, yes/no and Dutch dates."""

    def value(raw: str | None) -> str | None:
        if raw in ("true", "false"):
            return str(_l("ja") if raw == "true" else _l("nee"))
        try:
            return date.fromisoformat(raw).strftime("%d-%m-%Y") if raw else raw
        except ValueError:
            return raw

    with force_locale("nl"):  # the announcement is Dutch
        return {
            str(SETTING_LABELS.get(name, name)): [value(v) for v in values]
            for name, values in changed.items()
        }


def _change_notice(
    das: Das, admin: User, change_summary: str, changed: dict[str, list[str | None]], now: datetime
) -> DasChange | None:
    """A published DAS's change is a new version of its announcement (issue 19): dated, with
    what changed and why. A concept's changes are not announced."""
    if das.state is DasState.DRAFT or das.published_at is None:
        return None
    changed = _announced(changed)
    latest = db.session.scalar(
        db.select(db.func.max(DasChange.version)).where(DasChange.das_id == das.id)
    )
    notice = DasChange(
        das_id=das.id,
        version=(latest or 1) + 1,
        published_at=now,
        summary=change_summary.strip(),
        changes=changed,
        published_by_id=admin.id,
    )
    db.session.add(notice)
    return notice


def record_change_notice(
    das: Das, admin: User, change_summary: str, changed: dict[str, list[str | None]], now: datetime
) -> DasChange | None:
    """The change notice of a change made on another settings page (the criteria, K2), in the
    caller's transaction; None for a concept."""
    return _change_notice(das, admin, change_summary, changed, now)


@transaction
@refuses_stale("changed_meanwhile")
def update_basics(
    admin: User, das: Das, basics: Basics, change_summary: str, now: datetime
) -> DasChange | None | bool:
    """Change the basics. False when nothing changed; for a published DAS the change notice,
    else None. Refused: a slug changed after publication (addresses are out there), and the
    term or options once an agreement exists (they change through an exercised option or a
    variation, never by rewriting the DAS under running agreements)."""
    require_administrator(admin)
    basics = _cleaned(basics)
    old = asdict(basics_of(das))
    new = asdict(basics)
    changed = rules.changes(old, new)
    if not changed:
        return False
    problems = _basics_problems(basics, das)
    if das.state is not DasState.DRAFT and "slug" in changed:
        problems.setdefault("slug", []).append(Problem("slug_fixed_after_publication"))
    fixed = rules.TERM_SETTINGS & changed.keys()
    if fixed and agreement_count(das):
        for name in sorted(fixed):
            problems.setdefault(name, []).append(Problem("term_fixed_by_agreements"))
    problems.update(_require_change_summary(das, change_summary))
    _refuse(problems)
    for name, value in new.items():
        setattr(das, name, value)
    notice = _change_notice(das, admin, change_summary, changed, now)
    record("das.basics_changed", das, admin, das_id=das.id, changes=changed)
    db.session.commit()
    return notice


# --- authorities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorityLine:
    municipality: cbs.Municipality
    subregion: str  # "" when none is given


def parse_authority_lines(text: str) -> tuple[list[AuthorityLine], list[Problem]]:
    """One municipality a line, by CBS code or name, optionally followed by `; subregion`.
    Every line that names no municipality of the CBS list is a problem naming that line."""
    found: list[AuthorityLine] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        name, _, subregion = raw.partition(";")
        municipality = cbs.find(name)
        if municipality is None:
            problems.append(Problem("unknown_municipality", line=number, text=name.strip()))
        elif municipality.code not in seen:
            seen.add(municipality.code)
            found.append(AuthorityLine(municipality, " ".join(subregion.split())))
    return found, problems


def authority_lines_of(das: Das) -> str:
    """The page's textarea for the DAS's current authorities."""
    return "\n".join(
        f"{a.cbs_code} {a.name}" + (f"; {a.parent.name}" if a.parent is not None else "")
        for a in das.authorities
        if a.kind is AuthorityKind.MUNICIPALITY
    )


def _authority(
    line: AuthorityLine, subregions: dict[str, ContractingAuthority]
) -> ContractingAuthority:
    """The shared row of this municipality (by CBS code; one per municipality across every DAS),
    created when it is not there yet."""
    municipality = line.municipality
    row = db.session.scalar(
        db.select(ContractingAuthority).where(ContractingAuthority.cbs_code == municipality.code)
    )
    if row is None:
        row = ContractingAuthority(
            name=municipality.name, kind=AuthorityKind.MUNICIPALITY, cbs_code=municipality.code
        )
        db.session.add(row)
    if line.subregion:
        if line.subregion not in subregions:
            subregion = db.session.scalar(
                db.select(ContractingAuthority).where(
                    ContractingAuthority.name == line.subregion,
                    ContractingAuthority.kind == AuthorityKind.SUBREGION,
                )
            )
            if subregion is None:
                subregion = ContractingAuthority(name=line.subregion, kind=AuthorityKind.SUBREGION)
                db.session.add(subregion)
            subregions[line.subregion] = subregion
        row.parent = subregions[line.subregion]
    return row


@transaction
@refuses_stale("changed_meanwhile")
def set_authorities(
    admin: User, das: Das, lines: str, lead: str, change_summary: str, now: datetime
) -> DasChange | None | bool:
    """The municipalities that buy through this DAS, grouped in subregions, and the one that
    leads. Refused when a line names no municipality of the CBS list, when there is none, or when
    the lead is not one of them. False when nothing changed."""
    require_administrator(admin)
    found, line_problems = parse_authority_lines(lines)
    problems: dict[str, list[Problem]] = {}
    if line_problems:
        problems["municipalities"] = line_problems
    elif not found:
        problems["municipalities"] = [Problem("municipalities_required")]
    lead_municipality = cbs.find(lead) if lead.strip() else None
    codes = [line.municipality.code for line in found]
    if not lead.strip():
        problems["lead"] = [Problem("lead_required")]
    elif lead_municipality is None or lead_municipality.code not in codes:
        problems["lead"] = [Problem("lead_not_among", text=lead.strip())]
    old = {
        "authorities": authority_lines_of(das),
        "lead_authority": das.lead_authority.name if das.lead_authority else None,
    }
    new = {
        "authorities": "\n".join(
            f"{line.municipality.code} {line.municipality.name}"
            + (f"; {line.subregion}" if line.subregion else "")
            for line in sorted(found, key=lambda line: line.municipality.name)
        ),
        "lead_authority": lead_municipality.name if lead_municipality else None,
    }
    changed = rules.changes(old, new)
    if not problems and not changed:
        return False
    problems.update(_require_change_summary(das, change_summary))
    _refuse(problems)
    subregions: dict[str, ContractingAuthority] = {}
    rows = {line.municipality.code: _authority(line, subregions) for line in found}
    das.authorities = list(rows.values())
    assert lead_municipality is not None
    das.lead_authority = rows[lead_municipality.code]
    db.session.flush()
    notice = _change_notice(das, admin, change_summary, changed, now)
    record(
        "das.authorities_set",
        das,
        admin,
        das_id=das.id,
        municipalities=sorted(rows),
        lead=lead_municipality.code,
    )
    db.session.commit()
    return notice


# --- states and the publish checklist ------------------------------------------------------


def facts_of(das: Das, today: date) -> rules.Facts:
    """The plain facts the publish checklist looks at (a handful of queries)."""
    lots = db.session.scalars(
        db.select(Lot).where(Lot.das_id == das.id).options(selectinload(Lot.products))
    ).all()
    criteria = db.session.scalars(db.select(Criterion).where(Criterion.das_id == das.id)).all()
    reviewers = db.session.scalar(
        db.select(db.func.count())
        .select_from(StaffAssignment)
        .join(User, User.id == StaffAssignment.user_id)
        .where(StaffAssignment.das_id == das.id, User.role == Role.REVIEWER)
    )
    tariff_years = frozenset(
        db.session.scalars(db.select(TariffSheet.year).where(TariffSheet.das_id == das.id))
    )
    published_on = local_date(das.published_at) if das.published_at is not None else today
    term = rules.term_problems(
        das.term_start,
        das.initial_end_date,
        das.extension_options_total,
        das.extension_option_years,
    )
    return rules.Facts(
        basics_complete=bool(das.name and das.summary and das.scope and das.cpv_code),
        term_problems=tuple(term),
        municipalities=sum(1 for a in das.authorities if a.kind is AuthorityKind.MUNICIPALITY),
        has_lead_authority=das.lead_authority_id is not None,
        lots_with_products=sum(1 for lot in lots if lot.products),
        exclusion_grounds=sum(1 for c in criteria if c.kind is CriterionKind.EXCLUSION),
        suitability_criteria=sum(1 for c in criteria if c.kind is CriterionKind.SUITABILITY),
        criteria_without_evidence_type=tuple(
            c.code for c in criteria if c.evidence_required and c.evidence_type is None
        ),
        has_contact_point=das.has_contact_point,
        sroi_threshold_cents=das.sroi_threshold_cents,
        sroi_percent=float(das.sroi_percent),
        ova_weight=float(das.ova_weight),
        ppc_weight=float(das.ppc_weight),
        first_index_year=das.first_index_year,
        allocation_texts=(
            das.allocation_who_chooses,
            das.allocation_request,
            das.allocation_no_capacity,
        ),
        privacy_role=das.privacy_role.value if das.privacy_role else None,
        reviewers=int(reviewers or 0),
        tariff_years=tariff_years,
        term_start=das.term_start,
        initial_round_problems=tuple(
            initial_round.problems(
                published_on, das.first_round_closes_on, das.joint_decision_on, das.term_start
            )
        ),
    )


def checklist(das: Das, today: date) -> list[rules.Missing]:
    return rules.publish_checklist(facts_of(das, today), today)


def _move(das: Das, target: DasState) -> None:
    if not rules.may_move(das.state.value, target.value):
        raise ServiceError("das_state_change_not_allowed")
    das.state = target


@transaction
@refuses_stale("changed_meanwhile")
def publish(admin: User, das: Das, now: datetime) -> None:
    """Publish a concept: refused, with what is missing, until every required part is there."""
    require_administrator(admin)
    _move(das, DasState.OPEN)
    missing = checklist(das, local_date(now))
    if missing:
        raise ServiceError("publish_incomplete", missing=missing)
    das.published_at = now
    record("das.published", das, admin, das_id=das.id, slug=das.slug)
    db.session.commit()


@transaction
@refuses_stale("changed_meanwhile")
def close(admin: User, das: Das, reason: str, now: datetime) -> None:
    """Stop new applications (and new drafts). Running agreements go on to their end date;
    applications already submitted are still decided."""
    require_administrator(admin)
    if not reason.strip():
        raise ServiceError("state_reason_required")
    _move(das, DasState.CLOSED)
    das.closed_at = now
    record("das.closed", das, admin, das_id=das.id, reason=reason.strip())
    db.session.commit()


def running_agreements(das: Das, today: date) -> int:
    """Agreements that still run after today (not ended, end date after today)."""
    return int(
        db.session.scalar(
            db.select(db.func.count())
            .select_from(FrameworkAgreement)
            .where(
                FrameworkAgreement.das_id == das.id,
                FrameworkAgreement.state != AgreementState.ENDED,
                FrameworkAgreement.end_date > today,
            )
        )
        or 0
    )


@transaction
@refuses_stale("changed_meanwhile")
def end(admin: User, das: Das, reason: str, now: datetime) -> None:
    """End a closed DAS: once no agreement runs any more, or after its common end date."""
    require_administrator(admin)
    if not reason.strip():
        raise ServiceError("state_reason_required")
    today = local_date(now)
    if das.state is DasState.CLOSED and not rules.may_end(
        today, das.common_end_date, running_agreements(das, today)
    ):
        raise ServiceError("agreements_still_running", count=running_agreements(das, today))
    _move(das, DasState.ENDED)
    das.ended_at = now
    record("das.ended", das, admin, das_id=das.id, reason=reason.strip())
    db.session.commit()


def all_das() -> Sequence[Das]:
    return db.session.scalars(db.select(Das).order_by(Das.name)).all()


def change_notices(das: Das) -> Sequence[DasChange]:
    return db.session.scalars(
        db.select(DasChange).where(DasChange.das_id == das.id).order_by(DasChange.version.desc())
    ).all()


def product_count(das: Das) -> int:
    return int(
        db.session.scalar(
            db.select(db.func.count())
            .select_from(Product)
            .join(Lot, Lot.id == Product.lot_id)
            .where(Lot.das_id == das.id)
        )
        or 0
    )
