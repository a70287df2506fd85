"""Working days: Monday to Friday, except the public holidays the admins entered, plus the weekend days the
official arrangement makes working days. Periods counted in working days (a public notice's objection period)
use this one function."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import locale_format
from portal.audit.services import record_event
from portal.errors import ServiceError
from portal.extensions import db
from portal.workdays.models import DAY_KINDS, CalendarDay

# Long enough for any notice period the programme sets (weeks), with room for the longest holiday (a week).
LOOKAHEAD_DAYS = 120
LONGEST_RANGE_DAYS = 31


def _adjustments(start: date, end: date) -> dict[date, str]:
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind).where(CalendarDay.day.between(start, end)))
    return {day: kind for day, kind in rows}


def is_working_day(day: date, adjustments: dict[date, str]) -> bool:
    kind = adjustments.get(day)
    if kind is not None:
        return kind == "workday"
    return day.weekday() < 5


def add_working_days(start_day: date, days: int) -> date:
    """The last day of a period of `days` working days beginning on `start_day` (counted from it when it is a
    working day)."""
    adjustments = _adjustments(start_day, start_day + timedelta(days=LOOKAHEAD_DAYS + days * 2))
    day, counted = start_day, 0
    while True:
        if is_working_day(day, adjustments):
            counted += 1
            if counted == days:
                return day
        day += timedelta(days=1)


def year_entered(year: int) -> bool:
    """Whether any adjustment of that year is on record (a year without one is probably not entered yet)."""
    return db.session.scalar(select(CalendarDay.day).where(
        CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))).limit(1)) is not None


def days_of(year: int) -> list[CalendarDay]:
    return list(db.session.scalars(select(CalendarDay).where(
        CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(CalendarDay.day)))


def add_days(first: date, last: date, kind: str, name: str, *, actor) -> list[date]:
    """Records every day from `first` to `last` as a holiday or a working day; all or nothing."""
    if kind not in DAY_KINDS:
        raise ServiceError(_l("Choose holiday or working day."), field="kind")
    if not name:
        raise ServiceError(_l("Name the holiday or the reason, as the official notice does."), field="name")
    if last < first:
        raise ServiceError(_l("The last day comes before the first."), field="last")
    if (last - first).days >= LONGEST_RANGE_DAYS:
        raise ServiceError(_l("Enter at most %(days)s days at a time.", days=LONGEST_RANGE_DAYS), field="last")
    wanted = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if kind == "workday" and (weekdays := [d for d in wanted if d.weekday() < 5]):
        # 调休: only a Saturday or a Sunday is made a working day; Monday to Friday already are.
        raise ServiceError(_l("Only a Saturday or a Sunday can be made a working day; Monday to Friday already are. "
                              "Not a weekend: %(days)s.", days=", ".join(locale_format.day(d) for d in weekdays)),
                           field="first" if first in weekdays else "last")
    if taken := sorted(_adjustments(first, last)):
        raise ServiceError(_l("Already in the calendar: %(days)s. Remove them first to change them.",
                              days=", ".join(d.isoformat() for d in taken)), field="first")
    db.session.add_all(CalendarDay(day=d, kind=kind, name=name, created_by_id=actor.id) for d in wanted)
    record_event("calendar.days_added", None, actor=actor,
                 summary={"first": first.isoformat(), "last": last.isoformat(), "kind": kind, "name": name})
    return wanted


def remove_day(day: date, *, actor) -> None:
    found = db.session.get(CalendarDay, day)
    if found is None:
        raise ServiceError(_l("That day is not in the calendar."))
    db.session.delete(found)
    record_event("calendar.day_removed", None, actor=actor,
                 summary={"day": day.isoformat(), "kind": found.kind, "name": found.name})
