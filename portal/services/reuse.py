"""One provider profile for every region (issue 22): a new application to a DAS starts from the
organisation's latest valid declaration in its applications to other DAS instances, and every page
says what was carried over and from where.

The source is the submitted snapshot, not the live answers: the snapshot is what the provider
declared and signed, with each criterion's rule as it stood then (its ESPD codes and origin, so a
later change of the other DAS's criteria does not change what the answer was about). The privacy
purge scrubs a snapshot as it deletes the live answers (services/privacy_purge.py); a scrubbed
snapshot (`purged_on`) is not used at all, so a purged declaration never comes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.domain import evidence as evidence_rules
from portal.domain.grounds import Ground, covers, ground_of
from portal.extensions import db
from portal.infra.timeutil import local_date
from portal.models import (
    Answer,
    Application,
    ApplicationState,
    Assessment,
    Criterion,
    CriterionKind,
    Das,
    EspdImport,
    EvidenceDocument,
    ReuseSource,
    ReviewMark,
)

#: The states of an application whose declaration was submitted and stands (not a draft, not
#: withdrawn).
SUBMITTED_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.CLARIFICATION,
    ApplicationState.DECIDED,
)

#: The sources the provider confirms before submitting: answers from another DAS or an ESPD.
CONFIRMED_SOURCES = (ReuseSource.OTHER_DAS, ReuseSource.ESPD)


@dataclass(frozen=True)
class _Declared:
    """One answer of a submitted snapshot, with the ground its criterion asked about."""

    ground: Ground
    value: bool
    explanation: str
    self_cleaning: str
    document_ids: tuple[int, ...]


@dataclass(frozen=True)
class _Source:
    application: Application
    answers: tuple[_Declared, ...]


def _sources(das: Das, organisation_id: int) -> list[_Source]:
    """The organisation's submitted declarations to other DAS instances, newest first, without
    answers its reviewers judged failing or left empty. Two queries (three for snapshots from
    before issue 19, which did not yet record a criterion's ESPD codes), however many
    applications and criteria."""
    submitted = list(
        db.session.scalars(
            db.select(Application)
            .where(
                Application.organisation_id == organisation_id,
                Application.das_id != das.id,
                Application.state.in_(SUBMITTED_STATES),
                Application.received_at.is_not(None),
                Application.snapshot.is_not(None),
            )
            .order_by(Application.received_at.desc(), Application.id.desc())
        )
    )
    submitted = [a for a in submitted if a.snapshot and "purged_on" not in a.snapshot]
    if not submitted:
        return []
    ids = [a.id for a in submitted]
    failing = set(
        db.session.execute(
            db.select(Assessment.application_id, Criterion.code)
            .join(Criterion, Criterion.id == Assessment.criterion_id)
            .where(Assessment.application_id.in_(ids), Assessment.mark == ReviewMark.FAIL)
        ).tuples()
    )
    live: dict[tuple[int, str], Criterion] = {}
    if any("espd_codes" not in a for s in submitted for a in _answers_of(s.snapshot)):
        live = {
            (c.das_id, c.code): c
            for c in db.session.scalars(
                db.select(Criterion).where(Criterion.das_id.in_({s.das_id for s in submitted}))
            )
        }
    sources = []
    for application in submitted:
        declared = []
        for answer in _answers_of(application.snapshot):
            code = str(answer.get("code", ""))
            if answer.get("value") is None or (application.id, code) in failing:
                continue
            ground = _ground(answer, live.get((application.das_id, code)))
            if ground is None:
                continue
            declared.append(
                _Declared(
                    ground=ground,
                    value=bool(answer["value"]),
                    explanation=str(answer.get("explanation") or ""),
                    self_cleaning=str(answer.get("self_cleaning") or ""),
                    document_ids=tuple(
                        int(d["id"]) for d in answer.get("documents") or () if "id" in d
                    ),
                )
            )
        if declared:
            sources.append(_Source(application, tuple(declared)))
    return sources


def _answers_of(snapshot: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((snapshot or {}).get("answers") or ())


def _ground(answer: dict[str, Any], criterion: Criterion | None) -> Ground | None:
    """The ground a snapshot's answer was about: from the snapshot, or for an older snapshot
    from the criterion as it is now."""
    if "espd_codes" in answer and "origin" in answer:
        return ground_of(
            str(answer.get("kind", "")),
            str(answer["origin"]),
            str(answer["espd_codes"] or ""),
            str(answer.get("title", "")),
        )
    if criterion is None:
        return None
    return ground_of(
        criterion.kind.value, criterion.origin.value, criterion.espd_codes, criterion.title
    )


def target_ground(criterion: Criterion) -> Ground:
    return ground_of(
        criterion.kind.value, criterion.origin.value, criterion.espd_codes, criterion.title
    )


def carry_from_other_das(application: Application, now: datetime) -> list[int]:
    """Start every criterion of a new draft that has no answer yet (the same DAS's earlier
    answers are carried first, and win) from the newest answer in the organisation's submitted
    applications to other DAS instances that answers the same ground (grounds.covers), not judged
    failing. Its documents come along where each still counts for this criterion today
    (evidence.counts_for). Returns the ids of the source applications used. A fixed number of
    queries, however many criteria and applications."""
    das = application.das
    answered = {a.criterion_id for a in application.answers}
    wanted = [c for c in das.criteria if c.id not in answered]
    if not wanted:
        return []
    sources = _sources(das, application.organisation_id)
    if not sources:
        return []
    today = local_date(now)
    chosen: list[tuple[Criterion, _Source, _Declared]] = []
    for criterion in wanted:
        target = target_ground(criterion)
        found = next(
            (
                (source, declared)
                for source in sources
                for declared in source.answers
                if covers(declared.ground, target)
            ),
            None,
        )
        if found is not None:
            chosen.append((criterion, *found))
    if not chosen:
        return []
    document_ids = {i for _, _, declared in chosen for i in declared.document_ids}
    documents = (
        {
            d.id: d
            for d in db.session.scalars(
                db.select(EvidenceDocument).where(
                    EvidenceDocument.id.in_(document_ids),
                    EvidenceDocument.organisation_id == application.organisation_id,
                )
            )
        }
        if document_ids
        else {}
    )
    for criterion, source, declared in chosen:
        accepted = [t.value for t in criterion.evidence_types]
        application.answers.append(
            Answer(
                criterion=criterion,
                value=declared.value,
                explanation=declared.explanation,
                self_cleaning=declared.self_cleaning,
                documents=[
                    d
                    for i in declared.document_ids
                    for d in [documents.get(i)]
                    if d is not None
                    and evidence_rules.counts_for(
                        d.evidence_type.value,
                        d.issued_on,
                        d.expires_on,
                        accepted,
                        criterion.max_evidence_age_months,
                        today,
                    )
                ],
                reused_source=ReuseSource.OTHER_DAS,
                reused_from_application=source.application,
                reused_at=now,
            )
        )
    return sorted({source.application.id for _, source, _ in chosen})


# --- what was carried over, and from where ------------------------------------------------------


@dataclass(frozen=True)
class Carried:
    """Where an unchanged answer of a draft came from: another DAS's application or an ESPD."""

    source: ReuseSource
    # OTHER_DAS: the application's DAS, reference and day of submission.
    das_name: str = ""
    reference: str = ""
    # ESPD: the file's name; `on` is its issue date (else the day it was imported).
    filename: str = ""
    on: date | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source.value, self.reference, self.filename)


@dataclass(frozen=True)
class CarriedOver:
    """What a draft carries from other DAS instances and ESPDs, per criterion id."""

    by_criterion: dict[int, Carried]
    exclusion: tuple[int, int]  # carried, of how many grounds
    suitability: tuple[int, int]

    @property
    def sources(self) -> list[Carried]:
        """Each source once, in the order first met."""
        return list({c.key: c for c in self.by_criterion.values()}.values())

    def __bool__(self) -> bool:
        return bool(self.by_criterion)


def carried_over(application: Application) -> CarriedOver:
    """Per criterion of the draft, the other DAS's application or the ESPD its answer was
    carried from while the answer is unchanged. At most two queries, none when nothing was
    carried from elsewhere."""
    criteria = application.das.criteria
    answers = [
        a
        for c in criteria
        for a in [application.answer_for(c)]
        if a is not None and a.reused_source in CONFIRMED_SOURCES
    ]
    application_ids = {
        a.reused_from_application_id
        for a in answers
        if a.reused_source is ReuseSource.OTHER_DAS and a.reused_from_application_id
    }
    espd_ids = {
        a.reused_from_espd_id
        for a in answers
        if a.reused_source is ReuseSource.ESPD and a.reused_from_espd_id
    }
    sources: dict[int, tuple[str, str, date | None]] = {}
    if application_ids:
        for source_id, reference, received_at, das_name in db.session.execute(
            db.select(Application.id, Application.reference, Application.received_at, Das.name)
            .join(Das, Das.id == Application.das_id)
            .where(Application.id.in_(application_ids))
        ):
            sources[source_id] = (
                das_name,
                reference or "",
                local_date(received_at) if received_at else None,
            )
    imports: dict[int, tuple[str, date | None]] = {}
    if espd_ids:
        for import_id, filename, issue_date, imported_at in db.session.execute(
            db.select(
                EspdImport.id, EspdImport.filename, EspdImport.issue_date, EspdImport.imported_at
            ).where(EspdImport.id.in_(espd_ids))
        ):
            imports[import_id] = (filename, issue_date or local_date(imported_at))
    by_criterion: dict[int, Carried] = {}
    for answer in answers:
        if answer.reused_source is ReuseSource.OTHER_DAS:
            found = sources.get(answer.reused_from_application_id or 0)
            if found is not None:
                das_name, reference, on = found
                by_criterion[answer.criterion_id] = Carried(
                    ReuseSource.OTHER_DAS, das_name=das_name, reference=reference, on=on
                )
        else:
            espd = imports.get(answer.reused_from_espd_id or 0)
            if espd is not None:
                by_criterion[answer.criterion_id] = Carried(
                    ReuseSource.ESPD, filename=espd[0], on=espd[1]
                )

    def count(kind: CriterionKind) -> tuple[int, int]:
        ids = [c.id for c in criteria if c.kind is kind]
        return (sum(1 for i in ids if i in by_criterion), len(ids))

    return CarriedOver(
        by_criterion, count(CriterionKind.EXCLUSION), count(CriterionKind.SUITABILITY)
    )


def needs_confirmation(application: Application) -> bool:
    """Whether the draft still holds answers carried from another DAS or an ESPD unchanged: the
    provider confirms them before submitting."""
    return any(a.reused_source in CONFIRMED_SOURCES for a in application.answers)


def provenance_of(answer: Answer) -> dict[str, Any]:
    """What the snapshot records about where a carried answer came from (build_snapshot)."""
    if answer.reused_source is ReuseSource.OTHER_DAS:
        source = answer.reused_from_application
        return {
            "das_name": source.das.name if source else None,
            "das_slug": source.das.slug if source else None,
            "submitted_on": local_date(source.received_at).isoformat()
            if source and source.received_at
            else None,
        }
    if answer.reused_source is ReuseSource.ESPD:
        espd = answer.reused_from_espd
        return {
            "espd_import_id": espd.id if espd else answer.reused_from_espd_id,
            "filename": espd.filename if espd else None,
            "document_uuid": espd.document_uuid if espd else None,
            "issue_date": espd.issue_date.isoformat() if espd and espd.issue_date else None,
        }
    return {}
