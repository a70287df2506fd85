"""Shenzhen local time (the app's Babel time zone): times are typed and read in it and stored in UTC; `today()` is
the Shenzhen calendar day, whatever the server's time zone. One place for it: features import portal.local_time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import get_timezone


def parse_local(text: str | None) -> datetime | None:
    """An aware UTC datetime from a `datetime-local` input ("2026-12-03T09:30"); None when it is not one."""
    try:
        naive = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return get_timezone().localize(naive).astimezone(UTC)


def input_value(moment: datetime | None) -> str:
    """The value of a `datetime-local` input showing `moment` in Shenzhen time."""
    return moment.astimezone(get_timezone()).strftime("%Y-%m-%dT%H:%M") if moment else ""


def text(moment: datetime) -> str:
    """"2026-12-03 09:30" in Shenzhen time, for files read outside the portal."""
    return moment.astimezone(get_timezone()).strftime("%Y-%m-%d %H:%M")


def local_day(moment: datetime) -> date:
    return moment.astimezone(get_timezone()).date()


def today() -> date:
    return datetime.now(get_timezone()).date()


def parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None
