"""Dates, tenure and year windows: the one place where period arithmetic is done.

Rules of this module (documented in docs/rules.md):
- durations are compared by adding months to a date, never by counting days;
- adding months clamps to the month's last day (31/01 + 1 month = 28/02 or 29/02);
- a window of N years "ending at E" is the years E-N+1 … E, all of which must hold (a gap breaks it);
- truth values are three-valued: True, False, or None (unknown), combined as in Kleene's logic.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

Truth = bool | None


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months, clamped to the end of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def full_months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from `start` to `end` (0 if `end` is before `start`)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def window(ending: int, years: int) -> range:
    """The `years` consecutive years ending at `ending` (inclusive)."""
    return range(ending - years + 1, ending + 1)


def all3(values: Iterable[Truth]) -> Truth:
    """Three-valued AND: False wins, then unknown, else True (empty → True)."""
    unknown = False
    for v in values:
        if v is False:
            return False
        if v is None:
            unknown = True
    return None if unknown else True


def any3(values: Iterable[Truth]) -> Truth:
    """Three-valued OR: True wins, then unknown, else False (empty → False)."""
    unknown = False
    for v in values:
        if v is True:
            return True
        if v is None:
            unknown = True
    return None if unknown else False


def not3(value: Truth) -> Truth:
    return None if value is None else not value


def in_effect(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    """Whether an interval [start, end) covers `day` (open end when `end` is None)."""
    return start <= day and (end is None or day < end)
