"""Framework agreements for their whole life: drawn up on admission, signed by the
provider and countersigned, varied (more lots, new tariffs, a later end date), extended for
everyone at once, suspended or ended. Dates: portal.domain.contract_dates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.domain import contract_dates
from portal.extensions import db
from portal.infra import jobs, mail
from portal.infra.timeutil import as_utc, local_date
from portal.models import (
    AgreementLot,
    AgreementState,
    AgreementVariation,
    Application,
    ApplicationLot,
    Das,
    EndDateChange,
    FrameworkAgreement,
    Lot,
    LotOutcome,
    Organisation,
    Product,
    User,
    VariationKind,
    application_product,
)
from portal.models.labels import label
from portal.services import (
    ServiceError,
    das_terms,
    documents,
    refuses_stale,
    tariffs,
    transaction,
)
from portal.services.audit import record
from portal.services.ownership import require_administrator, require_provider_of
from portal.services.recipients import provider_recipients

# --- reading ---------------------------------------------------------------------------------


def agreement_of(das_id: int, organisation_id: int) -> FrameworkAgreement | None:
    return db.session.scalar(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.das_id == das_id,
            FrameworkAgreement.organisation_id == organisation_id,
        )
    )


def variations_of(agreement: FrameworkAgreement) -> list[AgreementVariation]:
    return list(
        db.session.scalars(
            db.select(AgreementVariation)
            .where(AgreementVariation.agreement_id == agreement.id)
            .order_by(AgreementVariation.created_at, AgreementVariation.id)
        )
    )


def end_date_history(das_id: int, agreement_id: int | None = None) -> list[EndDateChange]:
    query = db.select(EndDateChange).where(EndDateChange.das_id == das_id)
    query = query.where(
        EndDateChange.agreement_id.is_(None)
        if agreement_id is None
        else EndDateChange.agreement_id == agreement_id
    )
    return list(db.session.scalars(query.order_by(EndDateChange.id)))


def products_of(agreement: FrameworkAgreement) -> list[Product]:
    """The products the provider chose in the applications admitted for its current lots."""
    lot_ids = [al.lot_id for al in agreement.lots if al.is_current]
    if not lot_ids:
        return []
    return list(
        db.session.scalars(
            db.select(Product)
            .join(application_product, application_product.c.product_id == Product.id)
            .join(Application, Application.id == application_product.c.application_id)
            .join(ApplicationLot, ApplicationLot.application_id == Application.id)
            .where(
                Application.das_id == agreement.das_id,
                Application.organisation_id == agreement.organisation_id,
                ApplicationLot.lot_id == Product.lot_id,
                ApplicationLot.outcome == LotOutcome.ADMITTED,
                Product.lot_id.in_(lot_ids),
            )
            .distinct()
            .order_by(Product.code)
        )
    )


# --- the document ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LotLine:
    """A lot in the agreement, with the date the provider was admitted (None in a model)."""

    lot: Lot
    admitted_on: date | None


def agreement_document(
    das: Das,
    organisation: Organisation | None,
    lots: Iterable[Lot | AgreementLot],
    agreement: FrameworkAgreement | None = None,
    products: list[Product] | None = None,
    today: date | None = None,
) -> str:
    """The agreement's HTML, in Dutch: for a provider's agreement as it stands, or as the model
    agreement of the announcement (`organisation` and `agreement` None: placeholders for the
    provider, the term start and end as dates). The terms come from the DAS's settings
    (portal.services.das_terms): indexation weights, KPIs, SROI rule, client allocation and the
    privacy arrangement. Render it as a PDF with documents.render_pdf (or store it with
    documents.store_pdf)."""
    start = agreement.start_date if agreement else das.term_start
    end = agreement.end_date if agreement else das.common_end_date
    year = start.year if today is None else max(start.year, today.year)
    sheet = tariffs.sheet_for_today(das.id, year)
    amounts = {t.product_id: t.amount_cents for t in sheet.tariffs} if sheet else {}
    lines = [
        LotLine(item.lot, item.admitted_on)
        if isinstance(item, AgreementLot)
        else LotLine(item, None)
        for item in lots
    ]
    if products is None:
        lot_ids = {line.lot.id for line in lines}
        products = [p for line in lines for p in line.lot.products if p.lot_id in lot_ids]
    with force_locale("nl"):  # the agreement is signed as a Dutch legal document
        return render_template(
            "letters/agreement.html",
            agreement=agreement,
            organisation=organisation,
            das=das,
            lot_lines=lines,
            start_date=start,
            end_date=end,
            products=products,
            sheet=sheet,
            amounts=amounts,
            terms=das_terms.terms_of(das, date(year, 1, 1)),
        )


def model_agreement_pdf(das: Das, organisation: Organisation | None, lots: Iterable[Lot]) -> bytes:
    """The model agreement as a PDF, for the announcement (not stored: it follows the settings)."""
    return documents.render_pdf(agreement_document(das, organisation, lots))


def _draw_up(agreement: FrameworkAgreement) -> None:
    """Have the agreement's PDF rendered (as drawn up, or as signed once countersigned) by the
    render_agreement job once the caller's transaction commits; part of that transaction."""
    agreement.document_pending = True
    db.session.flush()
    jobs.after_commit(render_agreement, agreement.id)


@transaction
def render(agreement_id: int) -> bool:
    """Render the agreement as it stands and store its PDF (services/documents.py): the signed
    PDF once it is countersigned, else the one drawn up; fill its hash, in one transaction. An
    agreement with nothing pending is left alone (a retried job): False."""
    agreement = db.session.get(FrameworkAgreement, agreement_id)
    if agreement is None or not agreement.document_pending:
        db.session.rollback()
        return False
    html = agreement_document(
        agreement.das,
        agreement.organisation,
        [al for al in agreement.lots if al.is_current],
        agreement=agreement,
        products=products_of(agreement),
    )
    sha256 = documents.store_pdf(html, documents.AGREEMENTS)
    signed = agreement.authority_signed_at is not None
    column = "signed_document_sha256" if signed else "document_sha256"
    if not documents.fill_once(
        FrameworkAgreement,
        agreement.id,
        FrameworkAgreement.document_pending.is_(True),
        document_pending=False,
        **{column: sha256},
    ):
        db.session.rollback()  # another run of the job filled it meanwhile
        return False
    if signed:
        # The countersignature's event was recorded before the PDF existed; its hash follows.
        record(
            "agreement.signed_document_stored",
            agreement,
            None,
            organisation_id=agreement.organisation_id,
            das_id=agreement.das_id,
            signed_sha256=sha256,
        )
    db.session.commit()
    return True


@jobs.task(retries=5)
def render_agreement(agreement_id: int) -> None:
    render(agreement_id)


def document(agreement: FrameworkAgreement) -> tuple[bytes, str]:
    """The signed PDF when there is one, else the agreement as drawn up; hash-checked.
    DocumentPending while a job renders it."""
    if agreement.document_pending:
        raise documents.DocumentPending()
    sha256 = agreement.signed_document_sha256 or agreement.document_sha256
    if not sha256:
        raise ServiceError("not_found")
    content = documents.read(sha256, documents.AGREEMENTS)
    signed = "ondertekend-" if agreement.signed_document_sha256 else ""
    return content, f"raamovereenkomst-{signed}{agreement.reference}.pdf"


# --- admission -------------------------------------------------------------------------------


def admit_lots(
    application: Application, lot_ids: Iterable[int], admission_date: date, actor: User
) -> FrameworkAgreement:
    """Add admitted lots to the provider's agreement for this DAS, drawing one up if needed.

    Part of the caller's transaction (the decision); does not commit."""
    das = application.das
    agreement = agreement_of(das.id, application.organisation_id)
    created = agreement is None
    if agreement is None:
        start, end = contract_dates.agreement_period(
            admission_date, das.term_start, das.common_end_date
        )
        agreement = FrameworkAgreement(
            das=das,
            organisation_id=application.organisation_id,
            reference=f"RO-{das.reference}-{application.organisation_id:05d}",
            state=AgreementState.AWAITING_SIGNATURE,
            start_date=start,
            end_date=end,
        )
        db.session.add(agreement)
        record(
            "agreement.created",
            agreement,
            actor,
            organisation_id=application.organisation_id,
            das_id=das.id,
            start_date=start.isoformat(),
            end_date=end.isoformat(),
        )
    present = {al.lot_id: al for al in agreement.lots}
    added = [
        lot_id for lot_id in lot_ids if lot_id not in present or not present[lot_id].is_current
    ]
    for lot_id in added:
        if lot_id in present:  # admitted again after an earlier admission ended
            agreement_lot = present[lot_id]
            agreement_lot.ended_on = None
            agreement_lot.end_reason = ""
            agreement_lot.admitted_on = admission_date
            agreement_lot.application_id = application.id
        else:
            agreement.lots.append(
                AgreementLot(
                    lot_id=lot_id, admitted_on=admission_date, application_id=application.id
                )
            )
    if added:
        record(
            "agreement.lots_added",
            agreement,
            actor,
            organisation_id=application.organisation_id,
            das_id=das.id,
            lots=added,
        )
    db.session.flush()
    if created:
        _draw_up(agreement)
    elif added:
        names = ", ".join(lot.name for lot in das.lots if lot.id in added)
        db.session.add(
            AgreementVariation(
                agreement_id=agreement.id,
                kind=VariationKind.LOTS_ADDED,
                description=f"Toelating voor: {names}",
                effective_on=admission_date,
            )
        )
    return agreement


def end_lots(
    application: Application, lot_ids: Iterable[int], ended_on: date, reason: str, actor: User
) -> None:
    """End the admission for these lots (an updated declaration was rejected). Part of the
    caller's transaction."""
    agreement = agreement_of(application.das_id, application.organisation_id)
    if agreement is None:
        return
    ended = []
    for agreement_lot in agreement.lots:
        if agreement_lot.lot_id in set(lot_ids) and agreement_lot.is_current:
            agreement_lot.ended_on = ended_on
            agreement_lot.end_reason = reason
            ended.append(agreement_lot.lot_id)
    if ended:
        record(
            "agreement.lots_ended",
            agreement,
            actor,
            organisation_id=application.organisation_id,
            das_id=application.das_id,
            lots=ended,
            reason=reason,
        )


# --- signing ---------------------------------------------------------------------------------


@transaction
@refuses_stale("changed_meanwhile")
def sign(agreement: FrameworkAgreement, user: User, password: str, ip: str, now: datetime) -> None:
    """The provider's authorised signatory signs, confirming with their password."""
    require_provider_of(user, agreement.organisation_id)
    if not user.may_submit:
        raise ServiceError("not_a_signatory")
    if agreement.state is not AgreementState.AWAITING_SIGNATURE or agreement.provider_signed_at:
        raise ServiceError("agreement_not_awaiting_signature")
    if not user.check_password(password):
        raise ServiceError("wrong_password")
    organisation = user.organisation
    agreement.provider_signed_by_id = user.id
    agreement.provider_signed_name = user.name
    agreement.provider_signed_role = (
        organisation.signatory_role
        if organisation and organisation.signatory_name == user.name and organisation.signatory_role
        else "Tekenbevoegde"
    )
    agreement.provider_signed_at = now
    agreement.provider_signed_ip = ip
    record(
        "agreement.signed",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        ip=ip,
    )
    _commit()


@transaction
@refuses_stale("changed_meanwhile")
def countersign(
    agreement: FrameworkAgreement, admin: User, password: str, ip: str, now: datetime
) -> None:
    """An administrator countersigns for the municipalities; only then is the agreement live."""
    require_administrator(admin)
    if agreement.state is not AgreementState.AWAITING_SIGNATURE:
        raise ServiceError("agreement_not_awaiting_signature")
    if agreement.provider_signed_at is None:
        raise ServiceError("provider_has_not_signed")
    if not admin.check_password(password):
        raise ServiceError("wrong_password")
    agreement.authority_signed_by_id = admin.id
    agreement.authority_signed_name = admin.name
    agreement.authority_signed_at = now
    agreement.authority_signed_ip = ip
    agreement.state = AgreementState.LIVE
    agreement.state_changed_on = local_date(now)
    _draw_up(agreement)  # the signed PDF's hash is recorded by the job that renders it
    record(
        "agreement.countersigned",
        agreement,
        admin,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        ip=ip,
    )
    _notify(
        agreement,
        _l("Raamovereenkomst %(reference)s is ondertekend", reference=agreement.reference),
        "agreement_live",
    )
    _commit()


def send_signature_reminders(
    now: datetime, remind_every_days: int, suspend_after_days: int
) -> tuple[int, int]:
    """Remind providers who have not signed; suspend those who have not signed in time.
    Returns (reminded, suspended). Run daily (`flask reminders`)."""
    reminded = suspended = 0
    waiting = db.session.scalars(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.state == AgreementState.AWAITING_SIGNATURE,
            FrameworkAgreement.provider_signed_at.is_(None),
        )
    ).all()
    for agreement in waiting:
        age = now - as_utc(agreement.created_at)
        if age >= timedelta(days=suspend_after_days):
            agreement.state = AgreementState.SUSPENDED
            agreement.state_reason = (
                f"Niet ondertekend binnen {suspend_after_days} dagen na het opstellen."
            )
            agreement.state_changed_on = local_date(now)
            record(
                "agreement.suspended",
                agreement,
                None,
                organisation_id=agreement.organisation_id,
                das_id=agreement.das_id,
                reason=agreement.state_reason,
            )
            _notify(
                agreement,
                _l("Raamovereenkomst %(reference)s is opgeschort", reference=agreement.reference),
                "agreement_state",
                reason=agreement.state_reason,
            )
            db.session.commit()
            suspended += 1
            continue
        last = (
            as_utc(agreement.last_reminder_at)
            if agreement.last_reminder_at
            else as_utc(agreement.created_at)
        )
        if now - last >= timedelta(days=remind_every_days):
            agreement.reminders_sent += 1
            agreement.last_reminder_at = now
            _notify(
                agreement,
                _l(
                    "Herinnering: onderteken raamovereenkomst %(reference)s",
                    reference=agreement.reference,
                ),
                "agreement_reminder",
                suspend_on=local_date(
                    as_utc(agreement.created_at) + timedelta(days=suspend_after_days)
                ),
            )
            db.session.commit()
            reminded += 1
    return reminded, suspended


# --- extension options -----------------------------------------------------------------------


@transaction
@refuses_stale("changed_meanwhile")
def exercise_option(admin: User, das: Das, decision_date: date, now: datetime) -> date:
    """Exercise the DAS's next extension option: the common end date moves by the option's
    length, and so does every live (or not yet signed) agreement's end date; suspended and ended
    agreements keep theirs (seed 003 §4.1)."""
    require_administrator(admin)
    current_end = das.common_end_date
    try:
        new_end = contract_dates.next_option_end_date(
            current_end,
            das.extension_option_years,
            das.extension_options_exercised,
            das.extension_options_total,
            decision_date,
        )
    except contract_dates.NoOptionLeftError as error:
        raise ServiceError("no_option_left") from error
    except contract_dates.OptionTooLateError as error:
        raise ServiceError("option_too_late") from error
    das.extension_options_exercised += 1
    number = das.extension_options_exercised
    db.session.add(
        EndDateChange(
            das_id=das.id,
            old_end=current_end,
            new_end=new_end,
            decided_on=decision_date,
            option_number=number,
            actor_id=admin.id,
        )
    )
    moving = db.session.scalars(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.das_id == das.id,
            FrameworkAgreement.state.in_((AgreementState.LIVE, AgreementState.AWAITING_SIGNATURE)),
        )
    ).all()
    for agreement in moving:
        _move_end_date(
            agreement,
            new_end,
            decision_date,
            number,
            admin,
            f"Verlengingsoptie {number} gelicht: einddatum "
            f"{agreement.end_date:%d-%m-%Y} wordt {new_end:%d-%m-%Y}.",
        )
    record(
        "das.option_exercised",
        das,
        admin,
        das_id=das.id,
        option=number,
        old_end=current_end.isoformat(),
        new_end=new_end.isoformat(),
        agreements=len(moving),
        agreement_ids=[agreement.id for agreement in moving],  # whose end date moved (verify)
    )
    for agreement in moving:
        _notify(
            agreement,
            _l("%(das)s: de einddatum wordt %(end)s", das=das.name, end=f"{new_end:%d-%m-%Y}"),
            "agreement_extended",
            new_end=new_end,
        )
    _commit()
    return new_end


# --- variations, suspension and ending -------------------------------------------------------


@transaction
def accept_variation(user: User, variation: AgreementVariation, now: datetime) -> None:
    agreement = variation.agreement
    require_provider_of(user, agreement.organisation_id)
    if not user.may_submit:
        raise ServiceError("not_a_signatory")
    if variation.accepted_at is not None:
        raise ServiceError("variation_already_accepted")
    variation.accepted_at = now
    variation.accepted_by_id = user.id
    record(
        "agreement.variation_accepted",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        variation=variation.id,
    )
    db.session.commit()


@transaction
@refuses_stale("changed_meanwhile")
def change_state(
    admin: User, agreement: FrameworkAgreement, state: AgreementState, reason: str, on: date
) -> None:
    """Suspend, resume or end an agreement, with a reason and a date; the provider is told."""
    require_administrator(admin)
    if not reason.strip():
        raise ServiceError("state_reason_required")
    allowed = {
        AgreementState.SUSPENDED: (AgreementState.LIVE, AgreementState.AWAITING_SIGNATURE),
        AgreementState.LIVE: (AgreementState.SUSPENDED,),
        AgreementState.ENDED: (
            AgreementState.LIVE,
            AgreementState.SUSPENDED,
            AgreementState.AWAITING_SIGNATURE,
        ),
    }
    if agreement.state not in allowed.get(state, ()):
        raise ServiceError("state_change_not_allowed")
    if state is AgreementState.LIVE and agreement.authority_signed_at is None:
        state = AgreementState.AWAITING_SIGNATURE  # resuming an unsigned one: back to signing
    old = agreement.state
    agreement.state = state
    agreement.state_reason = reason.strip()
    agreement.state_changed_on = on
    if state is not AgreementState.ENDED:
        follow_common_end_date(agreement, on, admin)
    if state is AgreementState.ENDED and on < agreement.end_date:
        agreement.end_date = max(on, agreement.start_date)
    record(
        f"agreement.{state.value}",
        agreement,
        admin,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        reason=reason.strip(),
        on=on.isoformat(),
        old=old.value,
        end_date=agreement.end_date.isoformat(),
    )
    _notify(
        agreement,
        _l(
            "Raamovereenkomst %(reference)s: %(state)s",
            reference=agreement.reference,
            state=label(state),
        ),
        "agreement_state",
        reason=reason.strip(),
    )
    _commit()


def follow_common_end_date(agreement: FrameworkAgreement, on: date, actor: User) -> None:
    """An agreement back to running (resumed, or an update accepted) ends on the DAS's current
    common end date, which an option may have moved while it was suspended (seed 003 §4.1:
    every running agreement ends on the common end date). The move is recorded as a variation
    and in the end-date history. Part of the caller's transaction."""
    das = agreement.das
    new_end = das.common_end_date
    if agreement.end_date == new_end:
        return
    old_end = agreement.end_date
    _move_end_date(
        agreement,
        new_end,
        on,
        das.extension_options_exercised,
        actor,
        f"Hervat na opschorting: einddatum {old_end:%d-%m-%Y} wordt "
        f"{new_end:%d-%m-%Y}, de gemeenschappelijke einddatum van het DAS.",
    )
    record(
        "agreement.end_date_followed",
        agreement,
        actor,
        organisation_id=agreement.organisation_id,
        das_id=das.id,
        old_end=old_end.isoformat(),
        new_end=new_end.isoformat(),
    )


def _move_end_date(
    agreement: FrameworkAgreement,
    new_end: date,
    on: date,
    option_number: int,
    actor: User,
    description: str,
) -> None:
    """Move one agreement's end date: in the end-date history and as a variation (stored in
    Dutch, as every variation's description is). Part of the caller's transaction."""
    db.session.add(
        EndDateChange(
            das_id=agreement.das_id,
            agreement_id=agreement.id,
            old_end=agreement.end_date,
            new_end=new_end,
            decided_on=on,
            option_number=option_number,
            actor_id=actor.id,
        )
    )
    db.session.add(
        AgreementVariation(
            agreement_id=agreement.id,
            kind=VariationKind.END_DATE,
            effective_on=on,
            description=description,
        )
    )
    agreement.end_date = new_end


def _notify(
    agreement: FrameworkAgreement, subject: object, template: str, **context: object
) -> None:
    """Put the mail to the provider's people in the outbox, in the caller's transaction: call it
    before the commit of the change it tells of (sent once that commits, dropped if not)."""
    for user in provider_recipients(agreement.organisation_id):
        mail.queue(
            user.email,
            subject,
            template,
            user=user,
            agreement=agreement,
            link=mail.link("supplier.agreement", agreement_id=agreement.id),
            attachments=None,  # so that `context` is all for the template
            **context,
        )


def _commit() -> None:
    from sqlalchemy.orm.exc import StaleDataError

    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise ServiceError("changed_meanwhile") from error
