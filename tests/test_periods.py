import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khenthuong.periods import add_months, all3, any3, full_months_between, not3, window


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2021, 2, 15), 10, dt.date(2021, 12, 15)),
        (dt.date(2021, 1, 31), 1, dt.date(2021, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 12, 31), 2, dt.date(2024, 2, 29)),
        (dt.date(2021, 3, 1), -1, dt.date(2021, 2, 1)),
    ],
)
def test_add_months_clamps_to_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@given(st.dates(dt.date(1950, 1, 1), dt.date(2090, 1, 1)), st.integers(0, 240))
def test_full_months_between_inverts_add_months(day: dt.date, months: int) -> None:
    assert full_months_between(day, add_months(day, months)) == months


def test_window_is_inclusive_and_ends_at_the_given_year() -> None:
    assert list(window(2021, 3)) == [2019, 2020, 2021]
    assert list(window(2021, 1)) == [2021]


@pytest.mark.parametrize(
    ("values", "conj", "disj"),
    [
        ([True, True], True, True),
        ([True, None], None, True),
        ([False, None], False, None),
        ([None, None], None, None),
        ([], True, False),
    ],
)
def test_kleene_logic(values: list[bool | None], conj: bool | None, disj: bool | None) -> None:
    assert all3(values) is conj
    assert any3(values) is disj


def test_not3_keeps_unknown() -> None:
    assert not3(None) is None
    assert not3(True) is False
