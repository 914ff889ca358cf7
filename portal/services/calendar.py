"""The working-day calendar: statutory holidays plus equated days, kept as data in `holiday`."""

from __future__ import annotations

from datetime import date, timedelta

from portal.domain import working_days
from portal.extensions import db
from portal.models import Holiday, HolidayKind, User
from portal.services import ServiceError
from portal.services.audit import record
from portal.services.ownership import require_administrator


def holidays_between(first: date, last: date) -> set[date]:
    return set(db.session.scalars(db.select(Holiday.day).where(Holiday.day.between(first, last))))


def review_deadline(received_on: date, working_day_count: int) -> date:
    # 15 working days never span more than 6 weeks, even over Christmas.
    holidays = holidays_between(received_on, received_on + timedelta(days=60))
    return working_days.review_deadline(received_on, holidays, working_day_count)


def ensure_statutory_holidays(years: range) -> int:
    """Add the statutory holidays of these years that are not there yet; returns how many."""
    existing = holidays_between(date(years.start, 1, 1), date(years.stop - 1, 12, 31))
    added = 0
    for day, name in working_days.statutory_holidays_for_years(years).items():
        if day not in existing:
            db.session.add(Holiday(day=day, name=name, kind=HolidayKind.STATUTORY))
            added += 1
    return added


def holidays_of_year(year: int) -> list[Holiday]:
    return list(
        db.session.scalars(
            db.select(Holiday)
            .where(Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(Holiday.day)
        )
    )


def add_equated_day(admin: User, day: date, name: str) -> Holiday:
    """A day equated to a holiday by royal decree (Algemene termijnenwet art. 3(3))."""
    require_administrator(admin)
    if not name.strip():
        raise ServiceError("holiday_name_required")
    if db.session.get(Holiday, day) is not None:
        raise ServiceError("holiday_exists")
    holiday = Holiday(day=day, name=name.strip(), kind=HolidayKind.EQUATED)
    db.session.add(holiday)
    db.session.flush()
    record("holiday.added", admin, admin, day=day.isoformat(), name=name.strip())
    db.session.commit()
    return holiday


def remove_equated_day(admin: User, day: date) -> None:
    """Only equated days can be removed; the statutory ones follow from the law."""
    require_administrator(admin)
    holiday = db.session.get(Holiday, day)
    if holiday is None:
        raise ServiceError("not_found")
    if holiday.kind is not HolidayKind.EQUATED:
        raise ServiceError("statutory_holiday")
    db.session.delete(holiday)
    record("holiday.removed", admin, admin, day=day.isoformat(), name=holiday.name)
    db.session.commit()
