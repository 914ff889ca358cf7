"""A DAS's exclusion grounds and suitability criteria, as the administrator sets them up:
chosen from the ESPD criterion list, a national ground or the region's own; per criterion the
evidence types that count, their maximum age and whether evidence is required (issue 19).

The criteria are the terms providers apply under. While the DAS is a concept they may be added,
changed, removed, reordered or copied from another DAS. Once it is published they are part of the
announcement: a change then needs a change notice (rectificatie), so this module refuses it and
says so; an application keeps the criteria it was submitted under in its snapshot
(portal.services.applications.build_snapshot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.domain import criteria as rules
from portal.extensions import db
from portal.infra import espd
from portal.models import (
    Answer,
    Criterion,
    CriterionKind,
    CriterionOrigin,
    Das,
    DasState,
    EvidenceType,
    User,
)
from portal.services import Problem, ServiceError, das_setup, transaction
from portal.services.audit import record
from portal.services.ownership import require_administrator

#: The ESPD type a criterion of each kind must come from.
ESPD_TYPE = {
    CriterionKind.EXCLUSION: espd.EspdType.EXCLUSION,
    CriterionKind.SUITABILITY: espd.EspdType.SELECTION,
}
#: A maximum age beyond ten years means nothing for a document, and keeps the number in range.
MAX_AGE_LIMIT_MONTHS = 120
TITLE_LENGTH = 200


@dataclass(frozen=True)
class CriterionInput:
    kind: CriterionKind
    origin: CriterionOrigin
    code: str
    espd_codes: str  # space-separated; required for an ESPD criterion, optional otherwise
    title: str
    question: str
    guidance: str = ""
    evidence_types: tuple[EvidenceType, ...] = ()  # the preferred one first
    evidence_required: bool = False
    # None: the limit the chosen kinds share (portal.domain.criteria.default_max_age).
    max_evidence_age_months: int | None = None


@dataclass(frozen=True)
class Draft:
    """What the new-criterion form starts with for a kind and a source."""

    kind: CriterionKind
    origin: CriterionOrigin
    code: str
    espd_codes: str
    title: str
    question: str
    guidance: str


class CriterionRefused(ServiceError):
    """The input has problems, each named by the field it is about (the form shows them there)."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__("criterion_invalid", problems=list(problems.values()))
        self.problems = problems


def espd_codes_of(text: str) -> list[str]:
    """The codes in a space- or comma-separated text, in order, each once."""
    seen: list[str] = []
    for code in text.replace(",", " ").split():
        if code.strip().lower() not in seen:
            seen.append(code.strip().lower())
    return seen


def draft_for(das: Das, kind: CriterionKind, source: str) -> Draft:
    """The form's starting point: `source` is an ESPD code (its Dutch label as the title),
    "nationaal" or "eigen". The code is the next free one of the kind. Unknown sources give an
    empty ESPD draft; saving it is refused with the reason."""
    code = rules.suggested_code(kind.value, (c.code for c in das.criteria))
    guidance = ""
    if kind is CriterionKind.EXCLUSION:
        with force_locale("nl"):  # the DAS's own wording is Dutch, whoever sets it up
            guidance = str(
                _l(
                    "Antwoordt u 'ja'? Licht dit toe en beschrijf de maatregelen die u heeft "
                    "genomen (self-cleaning). Een beoordelaar weegt dit af."
                )
            )
    if source == "nationaal":
        return Draft(kind, CriterionOrigin.NATIONAL, code, "", "", "", guidance)
    if source == "eigen":
        return Draft(kind, CriterionOrigin.OWN, code, "", "", "", guidance)
    entry = espd.entries().get(source)
    if entry is None or not entry.offered or entry.type is not ESPD_TYPE[kind]:
        return Draft(kind, CriterionOrigin.ESPD, code, source, "", "", guidance)
    return Draft(
        kind,
        CriterionOrigin.ESPD,
        code,
        entry.code,
        entry.nl,
        _question_for(kind, entry.nl),
        guidance,
    )


def _question_for(kind: CriterionKind, label: str) -> str:
    """A question that passes on "nee" for a ground and on "ja" for a criterion (seed 003 §4.7)."""
    subject = label[:1].lower() + label[1:]
    with force_locale("nl"):  # the DAS's own wording is Dutch, whoever sets it up
        if kind is CriterionKind.EXCLUSION:
            return str(
                _l(
                    "Is op uw organisatie de uitsluitingsgrond '%(subject)s' van toepassing?",
                    subject=subject,
                )
            )
        return str(_l("Voldoet uw organisatie aan de eis '%(subject)s'?", subject=subject))


def check(das: Das, given: CriterionInput, editing: Criterion | None = None) -> dict[str, Problem]:
    """What is wrong with the input, by field; empty when it can be saved."""
    problems: dict[str, Problem] = {}
    code = given.code.strip().upper()
    if not code:
        problems["code"] = Problem("criterion_code_missing")
    elif not rules.CODE_PATTERN.match(code):
        problems["code"] = Problem("criterion_code_format")
    elif any(c.code == code and c is not editing for c in das.criteria):
        problems["code"] = Problem("criterion_code_taken", criterion_code=code)
    codes = espd_codes_of(given.espd_codes)
    wanted = ESPD_TYPE[given.kind]
    unknown = [c for c in codes if c not in espd.entries() or not espd.entries()[c].offered]
    wrong_kind = [c for c in codes if c not in unknown and espd.entries()[c].type is not wanted]
    # An ESPD criterion names its code; one stored before the origin was kept may have none.
    if (
        given.origin is CriterionOrigin.ESPD
        and not codes
        and (editing is None or editing.espd_codes)
    ):
        problems["espd_codes"] = Problem("espd_code_missing")
    elif unknown:
        problems["espd_codes"] = Problem("espd_code_unknown", codes=unknown)
    elif wrong_kind:
        problem = (
            "espd_code_not_exclusion"
            if given.kind is CriterionKind.EXCLUSION
            else "espd_code_not_selection"
        )
        problems["espd_codes"] = Problem(problem, codes=wrong_kind)
    if not given.title.strip():
        problems["title"] = Problem("criterion_title_missing")
    elif len(given.title.strip()) > TITLE_LENGTH:
        problems["title"] = Problem("criterion_title_too_long", max=TITLE_LENGTH)
    if not given.question.strip():
        problems["question"] = Problem("criterion_question_missing")
    if given.evidence_required and given.kind is CriterionKind.EXCLUSION:
        # The application form asks for documents with suitability criteria only; an exclusion
        # ground's evidence (a Gedragsverklaring Aanbesteden) is asked for on request.
        problems["evidence_required"] = Problem("exclusion_evidence_on_request")
    elif given.evidence_required and not given.evidence_types:
        problems["evidence_types"] = Problem("evidence_type_missing")
    age = given.max_evidence_age_months
    if age is not None and age <= 0:
        problems["max_evidence_age_months"] = Problem("max_age_not_positive")
    elif age is not None and age > MAX_AGE_LIMIT_MONTHS:
        problems["max_evidence_age_months"] = Problem("max_age_too_large", max=MAX_AGE_LIMIT_MONTHS)
    return problems


def _require_concept(das: Das) -> None:
    if das.state is not DasState.DRAFT:
        raise ServiceError("criteria_published")


def _apply(criterion: Criterion, given: CriterionInput) -> None:
    types = list(dict.fromkeys(given.evidence_types))
    criterion.kind = given.kind
    criterion.origin = given.origin
    criterion.code = given.code.strip().upper()
    criterion.espd_codes = " ".join(espd_codes_of(given.espd_codes))
    criterion.title = given.title.strip()
    criterion.question = given.question.strip()
    criterion.guidance = given.guidance.strip()
    criterion.passing_answer = rules.passing_answer(given.kind.value)
    criterion.evidence_type = types[0] if types else None
    criterion.extra_evidence_types = [t.value for t in types[1:]]
    criterion.evidence_required = given.evidence_required
    criterion.max_evidence_age_months = (
        given.max_evidence_age_months
        if given.max_evidence_age_months is not None
        else rules.default_max_age([t.value for t in types])
        if types
        else None
    )


@transaction
def add_criterion(admin: User, das: Das, given: CriterionInput) -> Criterion:
    """Add a criterion at the end of its kind's list. Only while the DAS is a concept."""
    require_administrator(admin)
    _require_concept(das)
    problems = check(das, given)
    if problems:
        raise CriterionRefused(problems)
    criterion = Criterion(
        das_id=das.id, position=max((c.position for c in das.criteria), default=0) + 1
    )
    _apply(criterion, given)
    das.criteria.append(criterion)
    record(
        "criterion.added",
        das,
        admin,
        das_id=das.id,
        criterion=criterion.code,
        origin=criterion.origin.value,
    )
    db.session.commit()
    return criterion


#: What may change once the DAS is published: the wording, by a change notice. The rule itself
#: (kind, code, ESPD codes, evidence) is what providers applied under.
WORDING = ("title", "question", "guidance")


@transaction
def update_criterion(
    admin: User,
    criterion: Criterion,
    given: CriterionInput,
    now: datetime,
    change_summary: str = "",
) -> bool:
    """Change a criterion; False when nothing changed. Of a concept DAS anything may change. Of
    a published DAS (open for applications) only the wording, with a change summary: that makes
    a change notice (rectificatie, portal.services.das_setup); applications submitted before
    keep the wording they answered in their snapshot."""
    require_administrator(admin)
    das = criterion.das
    if das.state not in (DasState.DRAFT, DasState.OPEN):
        raise ServiceError("criteria_published")
    problems = check(das, given, criterion)
    if problems:
        raise CriterionRefused(problems)
    before = _rule_of(criterion)
    _apply(criterion, given)
    after = _rule_of(criterion)
    changed = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if not changed:
        return False
    if das.state is not DasState.DRAFT:
        fixed = {name: Problem("criterion_rule_fixed") for name in changed if name not in WORDING}
        if not change_summary.strip():
            fixed["change_summary"] = Problem("change_summary_required")
        if fixed:
            raise CriterionRefused(fixed)
        das_setup.record_change_notice(
            das,
            admin,
            change_summary,
            {
                f"{criterion.code} {name}": [str(old), str(new)]
                for name, (old, new) in changed.items()
            },
            now,
        )
    record(
        "criterion.changed", das, admin, das_id=das.id, criterion=criterion.code, changes=changed
    )
    db.session.commit()
    return True


def _rule_of(criterion: Criterion) -> dict[str, object]:
    return {
        "kind": criterion.kind.value,
        "origin": criterion.origin.value,
        "code": criterion.code,
        "espd_codes": criterion.espd_codes,
        "title": criterion.title,
        "question": criterion.question,
        "guidance": criterion.guidance,
        "evidence_types": [t.value for t in criterion.evidence_types],
        "evidence_required": criterion.evidence_required,
        "max_evidence_age_months": criterion.max_evidence_age_months,
    }


def answer_count(criterion: Criterion) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Answer)
            .where(Answer.criterion_id == criterion.id)
        )
        or 0
    )


@transaction
def remove_criterion(admin: User, criterion: Criterion) -> None:
    """Remove a criterion nobody answered, from a concept DAS. A criterion with answers stays:
    the answers, the reviewers' marks and the snapshots name it."""
    require_administrator(admin)
    answers = answer_count(criterion)
    if answers:
        raise ServiceError("criterion_has_answers", criterion_code=criterion.code, count=answers)
    das = criterion.das
    _require_concept(das)
    das.criteria.remove(criterion)
    record("criterion.removed", das, admin, das_id=das.id, criterion=criterion.code)
    db.session.commit()


@transaction
def move_criterion(admin: User, criterion: Criterion, up: bool) -> bool:
    """Swap the criterion with its neighbour of the same kind; False at the end of the list."""
    require_administrator(admin)
    das = criterion.das
    _require_concept(das)
    same_kind = das.criteria_of(criterion.kind)
    index = same_kind.index(criterion) + (-1 if up else 1)
    if not 0 <= index < len(same_kind):
        return False
    other = same_kind[index]
    criterion.position, other.position = other.position, criterion.position
    record("criterion.moved", das, admin, das_id=das.id, criterion=criterion.code, up=up)
    db.session.commit()
    db.session.refresh(das)  # the relationship's order follows the new positions
    return True


def copy_sources(das: Das) -> list[Das]:
    """The other DAS instances with criteria to copy, by name."""
    return list(
        db.session.scalars(
            sa.select(Das)
            .where(Das.id != das.id, sa.exists().where(Criterion.das_id == Das.id))
            .order_by(Das.name)
        )
    )


@transaction
def copy_criteria(admin: User, das: Das, source: Das, replace: bool = False) -> int:
    """Copy every criterion of `source` into the concept DAS `das`, as a starting point; the
    number copied. A DAS that has criteria already keeps them unless `replace` (the
    administrator confirmed replacing them)."""
    require_administrator(admin)
    _require_concept(das)
    if source.id == das.id:
        raise ServiceError("copy_from_itself")
    if not source.criteria:
        raise ServiceError("copy_source_empty")
    if das.criteria and not replace:
        raise ServiceError("criteria_exist", count=len(das.criteria))
    for criterion in das.criteria:
        if answer_count(criterion):
            raise ServiceError(
                "criterion_has_answers",
                criterion_code=criterion.code,
                count=answer_count(criterion),
            )
    replaced = len(das.criteria)
    das.criteria.clear()
    db.session.flush()  # the old codes go before the copies take them (unique per DAS)
    for position, original in enumerate(source.criteria, start=1):
        das.criteria.append(
            Criterion(
                kind=original.kind,
                origin=original.origin,
                code=original.code,
                espd_codes=original.espd_codes,
                title=original.title,
                question=original.question,
                guidance=original.guidance,
                passing_answer=original.passing_answer,
                evidence_type=original.evidence_type,
                extra_evidence_types=list(original.extra_evidence_types or ()),
                evidence_required=original.evidence_required,
                max_evidence_age_months=original.max_evidence_age_months,
                position=position,
            )
        )
    record(
        "criteria.copied",
        das,
        admin,
        das_id=das.id,
        source_das_id=source.id,
        copied=len(source.criteria),
        replaced=replaced,
    )
    db.session.commit()
    return len(source.criteria)
