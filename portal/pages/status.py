"""An application's status as the provider reads it: for a decided one the outcome per lot
("Toegelaten", "Afgewezen", "Toegelaten voor perceel A, afgewezen voor perceel B"), not the
workflow's word "Besloten" (portal.domain.next_step.decision_summary decides which)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.domain.next_step import Verdict, decision_summary
from portal.models import ApplicationState
from portal.models.labels import label


def _lots(codes: Sequence[str]) -> str:
    if len(codes) == 1:
        return codes[0]
    return _("%(first)s en %(last)s", first=", ".join(codes[:-1]), last=codes[-1])


def application_status(state: ApplicationState, outcomes: Iterable[tuple[str, str]]) -> str:
    """The status sentence for an application in `state` with (lot code, outcome) pairs."""
    if state is not ApplicationState.DECIDED:
        return label(state)
    summary = decision_summary(outcomes)
    if summary.verdict is Verdict.ADMITTED:
        return _("Toegelaten")
    if summary.verdict is Verdict.REJECTED:
        return _("Afgewezen")
    if summary.verdict is Verdict.MIXED:
        admitted = ngettext(
            "Toegelaten voor perceel %(lots)s",
            "Toegelaten voor percelen %(lots)s",
            len(summary.admitted),
            lots=_lots(summary.admitted),
        )
        rejected = ngettext(
            "afgewezen voor perceel %(lots)s",
            "afgewezen voor percelen %(lots)s",
            len(summary.rejected),
            lots=_lots(summary.rejected),
        )
        return _("%(admitted)s, %(rejected)s", admitted=admitted, rejected=rejected)
    return label(state)
