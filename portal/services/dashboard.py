"""The facts behind a provider's dashboard: what to do next (portal.domain.next_step) and the
decision per lot of its applications. A fixed number of queries, however many rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy.orm import joinedload, selectinload

from portal.domain import next_step as rules
from portal.extensions import db
from portal.models import (
    AgreementLot,
    AgreementState,
    Answer,
    Application,
    ApplicationLot,
    ApplicationState,
    Clarification,
    Das,
    FrameworkAgreement,
    Lot,
    Organisation,
    User,
)
from portal.services.applications import OPEN_STATES, sections_of
from portal.services.organisations import PROFILE_FIELDS


def profile_gaps(organisation: Organisation) -> tuple[str, ...]:
    """The organisation details still to fill in before applying (rules.REQUIRED_PROFILE_FIELDS)."""
    return rules.profile_gaps({name: getattr(organisation, name) for name in PROFILE_FIELDS})


def lands_on_profile(user: User, first_log_in: bool) -> bool:
    """One path for a new provider: the first log-in of the administrator of an organisation
    whose details are incomplete goes to those details, not to the dashboard."""
    return (
        first_log_in
        and user.is_organisation_admin
        and user.organisation is not None
        and bool(profile_gaps(user.organisation))
    )


def _clarifications(organisation_id: int) -> tuple[rules.OpenClarification, ...]:
    rows = db.session.execute(
        db.select(Clarification, Application.id, Das.name)
        .join(Application, Application.id == Clarification.application_id)
        .join(Das, Das.id == Application.das_id)
        .where(
            Application.organisation_id == organisation_id,
            Application.state == ApplicationState.CLARIFICATION,
            Clarification.answered_at.is_(None),
        )
    ).tuples()
    return tuple(
        rules.OpenClarification(application_id, c.id, das_name, c.reply_due_on)
        for c, application_id, das_name in rows
    )


def _agreements_to_sign(
    agreements: Iterable[FrameworkAgreement],
) -> tuple[rules.AgreementToSign, ...]:
    return tuple(
        rules.AgreementToSign(a.id, a.reference, a.das.name)
        for a in agreements
        if a.state is AgreementState.AWAITING_SIGNATURE and a.provider_signed_at is None
    )


def _open_applications(organisation_id: int) -> list[Application]:
    """The organisation's applications still open (drafts and those in review), with what the
    completeness check of a draft reads: four queries, however many drafts, answers and
    documents."""
    return list(
        db.session.scalars(
            db.select(Application)
            .where(
                Application.organisation_id == organisation_id,
                Application.state.in_(OPEN_STATES),
            )
            .options(
                joinedload(Application.das).selectinload(Das.criteria),
                joinedload(Application.lots),
                selectinload(Application.answers).joinedload(Answer.documents),
                # A draft's section "lots" is started once it has products (sections_of): one
                # query for every draft, not one each (found by `make bench` at scale 1).
                selectinload(Application.products),
            )
        ).unique()
    )


def _drafts(applications: Iterable[Application], today: date) -> tuple[rules.Draft, ...]:
    found = []
    for draft in applications:
        if draft.state is not ApplicationState.DRAFT:
            continue
        sections = sections_of(draft, today)
        found.append(
            rules.Draft(draft.id, draft.das.name, sum(s.complete for s in sections), len(sections))
        )
    return tuple(found)


def _das_to_apply(
    organisation_id: int, open_das: Sequence[Das], busy_das_ids: set[int]
) -> tuple[rules.OpenDas, ...]:
    """The open DAS instances where the organisation has no open application and is not yet
    admitted for every lot (one query: each lot with whether the organisation holds it now)."""
    candidates = [das for das in open_das if das.id not in busy_das_ids]
    if not candidates:
        return ()
    held = (
        db.select(AgreementLot.lot_id)
        .join(FrameworkAgreement, FrameworkAgreement.id == AgreementLot.agreement_id)
        .where(
            FrameworkAgreement.organisation_id == organisation_id,
            AgreementLot.ended_on.is_(None),
        )
    )
    not_held = set(
        db.session.scalars(
            db.select(Lot.das_id)
            .where(Lot.das_id.in_([das.id for das in candidates]), Lot.id.not_in(held))
            .distinct()
        )
    )
    return tuple(rules.OpenDas(das.slug, das.name) for das in candidates if das.id in not_held)


def provider_facts(
    organisation: Organisation,
    agreements: Iterable[FrameworkAgreement],
    open_das: Sequence[Das],
    today: date,
) -> rules.ProviderFacts:
    """Everything the next step depends on. `agreements` and `open_das` are the lists the
    dashboard loads anyway."""
    open_applications = _open_applications(organisation.id)
    return rules.ProviderFacts(
        profile_gaps=profile_gaps(organisation),
        clarifications=_clarifications(organisation.id),
        agreements_to_sign=_agreements_to_sign(agreements),
        drafts=_drafts(open_applications, today),
        das_to_apply=_das_to_apply(
            organisation.id, open_das, {a.das_id for a in open_applications}
        ),
    )


def lot_outcomes(application_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """Per application, (lot code, outcome) in the lots' order: one query for a page of them."""
    ids = list(application_ids)
    found: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = db.session.execute(
        db.select(ApplicationLot.application_id, Lot.code, ApplicationLot.outcome)
        .join(Lot, Lot.id == ApplicationLot.lot_id)
        .where(ApplicationLot.application_id.in_(ids))
        .order_by(ApplicationLot.application_id, Lot.position, Lot.code)
    ).tuples()
    for application_id, code, outcome in rows:
        found[application_id].append((code, outcome.value))
    return found
