"""The sentences that say what was carried over into an application and from where (issue 22):
for the provider from its draft (services.reuse.carried_over), for reviewers from the submitted
snapshot's `reused_from`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _

from portal.models import ReuseSource
from portal.services.reuse import Carried, CarriedOver


def _day(on: date | str | None) -> str:
    if on is None or on == "":
        return "–"
    day = on if isinstance(on, date) else date.fromisoformat(on)
    return day.strftime("%d-%m-%Y")


def _source(carried: Carried) -> str:
    if carried.source is ReuseSource.ESPD:
        return _(
            "het ESPD %(filename)s van %(date)s", filename=carried.filename, date=_day(carried.on)
        )
    return _(
        "uw aanmelding voor %(das)s (%(reference)s) van %(date)s",
        das=carried.das_name,
        reference=carried.reference,
        date=_day(carried.on),
    )


def answer_text(carried: Carried) -> str:
    """Under one answer: where it came from."""
    if carried.source is ReuseSource.ESPD:
        return _(
            "Overgenomen uit het ESPD %(filename)s van %(date)s.",
            filename=carried.filename,
            date=_day(carried.on),
        )
    return _(
        "Overgenomen uit uw aanmelding voor %(das)s (%(reference)s) van %(date)s.",
        das=carried.das_name,
        reference=carried.reference,
        date=_day(carried.on),
    )


def summary_text(carried: CarriedOver) -> str:
    """ "12 van 13 uitsluitingsgronden en 4 van 5 geschiktheidseisen zijn overgenomen uit ...";
    empty when nothing was carried from another DAS or an ESPD."""
    if not carried:
        return ""
    parts = []
    done, total = carried.exclusion
    if done:
        parts.append(_("%(done)s van %(total)s uitsluitingsgronden", done=done, total=total))
    done, total = carried.suitability
    if done:
        parts.append(_("%(done)s van %(total)s geschiktheidseisen", done=done, total=total))
    what = (
        parts[0]
        if len(parts) == 1
        else _("%(first)s en %(second)s", first=parts[0], second=parts[1])
    )
    sources = carried.sources
    if len(sources) == 1:
        return _("%(what)s zijn overgenomen uit %(source)s.", what=what, source=_source(sources[0]))
    return _(
        "%(what)s zijn overgenomen uit eerdere verklaringen: %(sources)s.",
        what=what,
        sources="; ".join(_source(s) for s in sources),
    )


# --- for reviewers, from the snapshot -----------------------------------------------------------


def snapshot_answer_text(reused_from: Mapping[str, Any] | None) -> str:
    """Where a submitted answer was carried from, as the snapshot recorded it; empty when the
    provider gave it itself."""
    if not reused_from:
        return ""
    source = reused_from.get("source")
    if source == ReuseSource.OTHER_DAS.value:
        return _(
            "Overgenomen uit de aanmelding bij %(das)s (%(reference)s) van %(date)s.",
            das=reused_from.get("das_name") or "–",
            reference=reused_from.get("reference") or "–",
            date=_day(reused_from.get("submitted_on")),
        )
    if source == ReuseSource.ESPD.value:
        return _(
            "Overgenomen uit het ESPD %(filename)s van %(date)s.",
            filename=reused_from.get("filename") or "–",
            date=_day(reused_from.get("issue_date")),
        )
    if reused_from.get("reference"):
        return _("Overgenomen uit aanmelding %(reference)s.", reference=reused_from["reference"])
    return _("Overgenomen uit een eerdere aanmelding.")


def snapshot_summary_text(snapshot: Mapping[str, Any] | None) -> str:
    """A line above the review grid: how many answers came from elsewhere, and whether the
    provider confirmed them."""
    answers: Iterable[Mapping[str, Any]] = (snapshot or {}).get("answers") or ()
    sources = [(a.get("reused_from") or {}).get("source") for a in answers]
    elsewhere = sum(
        1 for s in sources if s in (ReuseSource.OTHER_DAS.value, ReuseSource.ESPD.value)
    )
    earlier = sum(1 for s in sources if s == ReuseSource.EARLIER_APPLICATION.value)
    if not elsewhere and not earlier:
        return ""
    parts = []
    if elsewhere:
        parts.append(
            _(
                "%(count)s van %(total)s antwoorden zijn overgenomen uit een aanmelding bij een "
                "ander aankoopsysteem of uit een ESPD.",
                count=elsewhere,
                total=len(sources),
            )
        )
    if earlier:
        parts.append(
            _(
                "%(count)s van %(total)s antwoorden zijn overgenomen uit een eerdere aanmelding "
                "bij dit aankoopsysteem.",
                count=earlier,
                total=len(sources),
            )
        )
    confirmed = (snapshot or {}).get("carried_confirmation")
    if elsewhere and confirmed:
        parts.append(
            _(
                "De aanbieder heeft bij het indienen bevestigd dat de overgenomen antwoorden en "
                "documenten juist en actueel zijn."
            )
        )
    return " ".join(parts)


def answer_texts(carried: CarriedOver) -> dict[int, str]:
    """Per criterion id, the sentence under its answer."""
    return {criterion_id: answer_text(c) for criterion_id, c in carried.by_criterion.items()}
