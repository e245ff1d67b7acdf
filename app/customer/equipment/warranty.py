"""Warranty arithmetic in calendar months (python-dateutil's relativedelta): a month after
Jan 31 is the last day of February (29th in a leap year), a year after Feb 29 is Feb 28.
"Whole months from a to b" is the largest n with a + n months <= b, the same rule read
backwards, so that a warranty of n months from installation has n months left on the day it
was installed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from app.errors import ValidationFailed


@dataclass(frozen=True)
class Warranty:
    """What is stored: `months` only when the warranty was given in months (so that a new
    installation date moves the expiry), `expires_on` always when there is one."""

    months: int | None = None
    expires_on: date | None = None


def add_months(day: date, months: int) -> date:
    return day + relativedelta(months=months)


def whole_months(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end`; 0 when `end` is not after `start`."""
    if end <= start:
        return 0
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


def months_left(expires_on: date | None, today: date) -> int | None:
    """Whole months from `today` to the expiry; 0 once expired (on the expiry date and
    after); None without a warranty."""
    if expires_on is None:
        return None
    return whole_months(today, expires_on)


def months_of(installed_on: date | None, warranty: Warranty) -> int | None:
    """The warranty in months as shown: as given, or the whole months from installation
    to the expiry when the expiry falls exactly that many months after it."""
    if warranty.months is not None:
        return warranty.months
    if installed_on is None or warranty.expires_on is None:
        return None
    months = whole_months(installed_on, warranty.expires_on)
    if months and add_months(installed_on, months) == warranty.expires_on:
        return months
    return None


def resolve(installed_on: date | None, months: int | None, expires_on: date | None) -> Warranty:
    """The warranty from what was given: months from installation (which it then needs),
    an expiry date, or both when they agree. 422 naming the field otherwise."""
    if months is not None:
        if installed_on is None:
            raise ValidationFailed.field(
                "installed_on",
                "required with warranty_months, which count from installation; or give "
                "warranty_expires_on instead",
            )
        derived = add_months(installed_on, months)
        if expires_on is not None and expires_on != derived:
            raise ValidationFailed.field(
                "warranty_expires_on",
                f"{months} month(s) from installation ({installed_on}) end on {derived}, not "
                f"{expires_on}: send one of them, or both agreeing",
            )
        return Warranty(months=months, expires_on=derived)
    if expires_on is not None and installed_on is not None and expires_on <= installed_on:
        raise ValidationFailed.field(
            "warranty_expires_on", f"must be after installed_on ({installed_on})"
        )
    return Warranty(expires_on=expires_on)


def remind_on(expires_on: date | None, reminder_days: int) -> date | None:
    """The day the expiry is notified: `reminder_days` before it."""
    return None if expires_on is None else expires_on - timedelta(days=reminder_days)
