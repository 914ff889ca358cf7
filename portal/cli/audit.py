"""`flask audit verify`: is the audit trail still as it was recorded, and do the decisions beside
it still say what it says? `flask audit anchor`: keep the head of the chain outside the database.

The command's output is for the operator, in Dutch, as the other commands' is."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.domain.audit_chain import Problem, ProblemKind
from portal.domain.audit_facts import FactKind, Mismatch

audit = AppGroup("audit", help="De audittrail.")


def describe(problem: Problem) -> str:
    """The problem in Dutch, for whoever runs the command."""
    event = f"gebeurtenis #{problem.sequence} (id {problem.event_id})"
    anchor = f"anker {problem.anchor}"
    missing = ""
    if problem.missing is not None:
        first, last = problem.missing
        missing = f"#{first} ontbreekt" if first == last else f"#{first} t/m #{last} ontbreken"
    match problem.kind:
        case ProblemKind.CHANGED:
            return f"Gewijzigd: de inhoud van {event} past niet meer bij de hash."
        case ProblemKind.REMOVED:
            return f"Verwijderd: {missing} vóór {event}."
        case ProblemKind.REORDERED:
            return (
                f"Volgorde gewijzigd: {event} sluit niet aan op de gebeurtenis ervoor "
                "(verplaatst, verwisseld of een voorganger vervangen)."
            )
        case ProblemKind.DUPLICATE:
            return f"Dubbel: er is nog een gebeurtenis met volgnummer #{problem.sequence}."
        case ProblemKind.TRUNCATED:
            return f"Verwijderd aan het eind: {missing}."
        case ProblemKind.HEAD:
            if problem.sequence is None:
                return "Het begin of einde van de keten (audit_chain_head) ontbreekt of klopt niet."
            return (
                f"Het einde van de keten (audit_chain_head) past niet bij de laatste {event}: "
                "gebeurtenissen toegevoegd buiten de portal om, of de laatste vervangen."
            )
        case ProblemKind.ANCHOR_CHANGED:
            return (
                f"Herschreven: gebeurtenis #{problem.sequence} heeft niet meer de hash die het "
                f"{anchor} vastlegde."
            )
        case ProblemKind.ANCHOR_TRUNCATED:
            return (
                f"Verwijderd aan het eind: {missing}; het {anchor} legde de keten tot en met "
                f"#{problem.missing[1] if problem.missing else '?'} vast."
            )
        case ProblemKind.ANCHOR_INVALID:
            return (
                f"Ongeldig {anchor}: onleesbaar, of het zegel (HMAC) past niet bij de sleutel "
                "(AUDIT_KEY)."
            )
        case ProblemKind.LEGACY:
            return (
                f"Bij het sleutelen van de keten (migratie 0013, {event}) was de keten van "
                "daarvoor al niet intact; zie de details van die gebeurtenis."
            )
    raise AssertionError(problem.kind)


_OUTCOMES = {"pending": "nog niet besloten", "admitted": "toegelaten", "rejected": "afgewezen"}
_STATES = {
    "awaiting_signature": "wacht op ondertekening",
    "live": "lopend",
    "suspended": "opgeschort",
    "ended": "beëindigd",
}


def _value(value: str | None, names: dict[str, str] | None = None) -> str:
    if value is None:
        return "niets"
    return f"'{names.get(value, value) if names else value}'"


def describe_mismatch(mismatch: Mismatch) -> str:
    """A decisive fact that differs from the audit trail, in Dutch."""
    by = f" (gebeurtenis #{mismatch.sequence})" if mismatch.sequence else ""
    recorded, current = mismatch.recorded, mismatch.current
    match mismatch.kind:
        case FactKind.LOT_OUTCOME:
            where = f"Aanmelding {mismatch.object_id}, perceel {mismatch.part}"
            if current is None:
                return (
                    f"{where}: de audittrail zegt {_value(recorded, _OUTCOMES)}{by}, maar het "
                    "perceel staat niet meer in de database."
                )
            return (
                f"{where}: de database zegt {_value(current, _OUTCOMES)}, de audittrail "
                f"{_value(recorded, _OUTCOMES)}{by}."
            )
        case FactKind.AGREEMENT_UNRECORDED:
            return (
                f"Raamovereenkomst {mismatch.object_id} staat in de database "
                f"({_value(current, _STATES)}), maar geen gebeurtenis heeft haar opgesteld."
            )
        case FactKind.AGREEMENT_MISSING:
            return (
                f"Raamovereenkomst {mismatch.object_id} is opgesteld volgens de audittrail{by}, "
                "maar staat niet meer in de database."
            )
        case FactKind.AGREEMENT_STATE:
            return (
                f"Raamovereenkomst {mismatch.object_id}: de database zegt "
                f"{_value(current, _STATES)}, de audittrail {_value(recorded, _STATES)}{by}."
            )
        case FactKind.AGREEMENT_END_DATE:
            return (
                f"Raamovereenkomst {mismatch.object_id}: einddatum {_value(current)} in de "
                f"database, {_value(recorded)} volgens de audittrail{by}."
            )
        case FactKind.SHEET_UNRECORDED:
            return (
                f"Tarievenblad {mismatch.object_id} ({current}) staat in de database, maar geen "
                "gebeurtenis heeft het gepubliceerd."
            )
        case FactKind.SHEET_MISSING:
            return (
                f"Tarievenblad {mismatch.object_id} ({recorded}) is gepubliceerd volgens de "
                f"audittrail{by}, maar staat niet meer in de database."
            )
        case FactKind.SHEET_CHANGED:
            return (
                f"Tarievenblad {mismatch.object_id}, {mismatch.part}: {_value(current)} in de "
                f"database, {_value(recorded)} bij publicatie{by}."
            )
        case FactKind.TARIFF_AMOUNT:
            return (
                f"Tarievenblad {mismatch.object_id}, product {mismatch.part}: "
                f"{_cents(current)} in de database, {_cents(recorded)} bij publicatie{by}."
            )
    raise AssertionError(mismatch.kind)


def _cents(value: str | None) -> str:
    if value is None:
        return "geen tarief"
    euros, cents = divmod(int(value), 100)
    return f"€ {euros:,}".replace(",", ".") + f",{cents:02d}"


@audit.command("verify")
def verify() -> None:
    """Recompute the keyed hash chain, hold it to the anchors in the store, and compare the lot
    outcomes, agreements and tariff sheets with the events that set them; exit 1 and name every
    problem."""
    from portal.services.audit import verify as verify_trail

    result = verify_trail()
    if result.intact:
        click.echo(f"Audittrail intact: {result.events} gebeurtenissen.")
        click.echo(
            f"Getoetst aan {result.anchors} {'anker' if result.anchors == 1 else 'ankers'}; de "
            "besluiten per perceel, de raamovereenkomsten en de tarievenbladen komen overeen "
            "met de audittrail."
        )
        if result.anchors == 0 and result.events:
            click.echo("Nog geen anker: draai `flask audit anchor` geregeld (zie README).")
        return
    for problem in result.problems:
        click.echo(describe(problem))
    for mismatch in result.mismatches:
        click.echo(describe_mismatch(mismatch))
    changed = sum(1 for problem in result.problems if problem.kind is ProblemKind.CHANGED)
    if result.events and changed == result.events:
        click.echo(
            "Geen enkele gebeurtenis past bij zijn hash: de keten is herberekend, of AUDIT_KEY "
            "is niet de sleutel waarmee hij is vastgelegd."
        )
    count = len(result.problems) + len(result.mismatches)
    click.echo(f"Audittrail NIET intact: {count} {'probleem' if count == 1 else 'problemen'}.")
    raise SystemExit(1)


@audit.command("anchor")
def anchor() -> None:
    """Write the head of the chain (sequence, hash, time, HMAC) to the store as a new object;
    exit 1 without writing when the chain is not intact. The schedule runs it hourly (README)."""
    from portal.infra.timeutil import now
    from portal.services.audit import AnchorRefused
    from portal.services.audit import anchor as anchor_head

    try:
        done = anchor_head(now())
    except AnchorRefused as refused:
        for problem in refused.verification.problems:
            click.echo(describe(problem), err=True)
        click.echo(
            "Geen anker geschreven: de audittrail is niet intact. Zoek eerst uit wat er "
            "gebeurde (`flask audit verify`).",
            err=True,
        )
        raise SystemExit(1) from refused
    sealed = done.anchor
    moment = sealed.anchored_at.isoformat(timespec="seconds")
    if done.written:
        click.echo(
            f"Anker geschreven: {sealed.name} (gebeurtenis #{sealed.sequence}, hash "
            f"{sealed.hash}, {moment})."
        )
    else:
        click.echo(
            f"Geen nieuw anker nodig: het laatste ({sealed.name}, {moment}) legt de keten al "
            f"vast tot en met #{sealed.sequence}."
        )
