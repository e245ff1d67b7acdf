"""Dates as a company sees them: "today" is today in the company's timezone, so that an
invoice falls due (or a report's day begins) at the company's midnight, not the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> tzinfo:
    """The named IANA timezone; UTC for a name this system does not know (signup stores
    the name as given, and a report must not fail over it)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def today_in(timezone: str, *, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(zone(timezone)).date()


def day_bounds(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) instants covering the days first..last inclusive in `timezone`."""
    tz = zone(timezone)
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return start, end
