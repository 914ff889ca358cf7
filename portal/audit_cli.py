"""`flask audit verify`: is the audit trail still as it was recorded?"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.domain.audit_chain import Problem, ProblemKind

audit = AppGroup("audit", help="De audittrail.")


def describe(problem: Problem) -> str:
    """The problem in Dutch, for whoever runs the command."""
    event = f"gebeurtenis #{problem.sequence} (id {problem.event_id})"
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


@audit.command("verify")
def verify() -> None:
    """Recompute the hash chain; exit 1 and name every event that was changed, removed or moved."""
    from portal.services.audit import verify as verify_chain

    result = verify_chain()
    if result.intact:
        click.echo(f"Audittrail intact: {result.events} gebeurtenissen.")
        if result.last_hash:
            click.echo(f"Laatste hash: {result.last_hash} (bewaar die buiten de database).")
        return
    for problem in result.problems:
        click.echo(describe(problem))
    count = len(result.problems)
    click.echo(f"Audittrail NIET intact: {count} {'probleem' if count == 1 else 'problemen'}.")
    raise SystemExit(1)
