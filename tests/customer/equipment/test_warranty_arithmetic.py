"""Calendar-month arithmetic of warranties (app/customer/equipment/warranty.py): month ends,
leap days, and the rule that a warranty of n months has n months left on the day it was
installed and 0 from its expiry date on."""

from __future__ import annotations

from datetime import date

import pytest

from app.customer.equipment.warranty import Warranty, add_months, months_left, months_of, resolve
from app.errors import ValidationFailed


@pytest.mark.parametrize(
    ("installed", "months", "expires"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # the last day of a short month
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # ... of a leap February
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a leap day a year on
        (date(2028, 2, 29), 48, date(2032, 2, 29)),  # ... four years on
        (date(2027, 3, 31), 1, date(2027, 4, 30)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # over the year end
    ],
)
def test_months_from_installation_end_on_the_same_day_or_the_months_last(
    installed: date, months: int, expires: date
) -> None:
    assert add_months(installed, months) == expires
    assert resolve(installed, months, None) == Warranty(months=months, expires_on=expires)
    # The same warranty given by its date: the months are derived back.
    given_by_date = resolve(installed, None, expires)
    assert given_by_date == Warranty(expires_on=expires)
    assert months_of(installed, given_by_date) == months
    # On the day of installation the whole warranty is left.
    assert months_left(expires, installed) == months


@pytest.mark.parametrize(
    ("today", "expires", "left"),
    [
        (date(2027, 1, 31), date(2027, 2, 28), 1),  # Jan 31 + 1 month is Feb 28
        (date(2027, 1, 30), date(2027, 2, 28), 1),
        (date(2027, 2, 1), date(2027, 2, 28), 0),
        (date(2027, 2, 28), date(2027, 3, 31), 1),
        (date(2027, 3, 1), date(2027, 3, 31), 0),
        (date(2028, 2, 29), date(2029, 2, 28), 12),  # a leap day to the year's Feb end
        (date(2028, 3, 1), date(2029, 2, 28), 11),
        (date(2028, 2, 28), date(2029, 2, 27), 11),
        (date(2027, 2, 28), date(2028, 2, 29), 12),
        (date(2027, 6, 15), date(2027, 6, 16), 0),  # a day left: no whole month
        (date(2027, 6, 15), date(2027, 6, 15), 0),  # the expiry date: expired
        (date(2027, 6, 15), date(2020, 1, 1), 0),  # long expired: 0, never negative
    ],
)
def test_months_left_are_whole_calendar_months(today: date, expires: date, left: int) -> None:
    assert months_left(expires, today) == left


def test_no_warranty_has_no_months_left() -> None:
    assert months_left(None, date(2027, 1, 1)) is None
    assert months_of(date(2027, 1, 1), Warranty()) is None


def test_an_expiry_that_is_not_whole_months_after_installation_has_no_months() -> None:
    warranty = resolve(date(2027, 1, 10), None, date(2027, 7, 1))
    assert warranty == Warranty(expires_on=date(2027, 7, 1))
    assert months_of(date(2027, 1, 10), warranty) is None
    # Without an installation date there is nothing to count from.
    assert months_of(None, warranty) is None


def _field(error: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [e.field for e in error.value.errors]


def test_months_and_date_must_agree_and_months_need_the_installation() -> None:
    assert resolve(date(2027, 1, 31), 1, date(2027, 2, 28)).expires_on == date(2027, 2, 28)
    with pytest.raises(ValidationFailed) as disagree:
        resolve(date(2027, 1, 31), 1, date(2027, 3, 1))
    assert _field(disagree) == ["warranty_expires_on"]
    with pytest.raises(ValidationFailed) as uninstalled:
        resolve(None, 12, None)
    assert _field(uninstalled) == ["installed_on"]
    for expires in (date(2027, 1, 31), date(2026, 1, 1)):
        with pytest.raises(ValidationFailed) as before:
            resolve(date(2027, 1, 31), None, expires)
        assert _field(before) == ["warranty_expires_on"]
