"""Time helpers: the portal stores UTC and reasons about dates in Europe/Amsterdam."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for stored UTC values; PostgreSQL returns aware ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The calendar date in the Netherlands at that moment (deadlines count Dutch days)."""
    return as_utc(moment).astimezone(AMSTERDAM).date()


def now() -> datetime:
    return datetime.now(UTC)
