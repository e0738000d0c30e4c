"""Annotated field types shared by the models: vocabulary codes that also accept Vietnamese phrases.

Board staff type "Hoàn thành xuất sắc nhiệm vụ", "HTXS" or "LĐTT"; the batch format fixes the codes.
Each type here accepts the code, its display name with or without diacritics, and the common
abbreviations, and rejects anything else with a "did you mean".
"""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints

from khenthuong.model.vocab import (
    AWARD_ALIASES,
    DISCIPLINE_ALIASES,
    RATING_ALIASES,
    SCOPE_ALIASES,
    Award,
    DisciplineForm,
    Rating,
    Scope,
    fold,
)

E = TypeVar("E", bound=StrEnum)

MAX_ID_LENGTH = 128
MAX_TEXT_LENGTH = 1000
SUGGEST_POOL = 1000
# Dates in a batch lie between these (a date outside is a typing error such as 0201-05-10).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)

FROZEN = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def suggest(word: str, choices: list[str]) -> str:
    """Return ' (did you mean "x"?)' for the nearest choice, or ''.

    With many choices only those of about the same length are compared, so that a batch with
    thousands of unknown references is still reported in bounded time.
    """
    if len(choices) > SUGGEST_POOL:
        first = word[:1].casefold()
        choices = [
            c for c in choices if abs(len(c) - len(word)) <= 2 and c[:1].casefold() == first
        ][:SUGGEST_POOL]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(fold(word), [fold(c) for c in choices], n=1, cutoff=0.6)
        if close:
            folded = {fold(c): c for c in choices}
            close = [folded[close[0]]]
    return f' (did you mean "{close[0]}"?)' if close else ""


def _vocabulary(enum: type[E], aliases: Mapping[str, E], what: str) -> Callable[[Any], Any]:
    codes = [e.value for e in enum]

    def parse(value: Any) -> Any:
        if isinstance(value, enum) or not isinstance(value, str):
            return value
        if value in codes:
            return value
        found = aliases.get(fold(value))
        if found is not None:
            return found.value
        raise ValueError(f'unknown {what} "{value}"{suggest(value, codes)}')

    return parse


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


AwardCode = Annotated[Award, BeforeValidator(_vocabulary(Award, AWARD_ALIASES, "award code"))]
RatingCode = Annotated[Rating, BeforeValidator(_vocabulary(Rating, RATING_ALIASES, "rating"))]
ScopeCode = Annotated[Scope, BeforeValidator(_vocabulary(Scope, SCOPE_ALIASES, "scope"))]
DisciplineCode = Annotated[
    DisciplineForm,
    BeforeValidator(_vocabulary(DisciplineForm, DISCIPLINE_ALIASES, "discipline form")),
]

# Ids are compared exactly (case matters) but after NFC normalisation: "Sở" typed with a combining
# hook (NFD, as some Mac and web forms produce) is the same id as "Sở" typed precomposed. The two
# look identical, so telling them apart could only produce baffling "unknown unit" errors.
Id = Annotated[
    str,
    BeforeValidator(_nfc),
    StringConstraints(min_length=1, max_length=MAX_ID_LENGTH, pattern=r"^[^\s\x00-\x1f]+$"),
    Field(description="identifier: no spaces or control characters, case-sensitive"),
]
Name = Annotated[
    str,
    BeforeValidator(_nfc),
    StringConstraints(min_length=1, max_length=MAX_TEXT_LENGTH),
]
Text = Annotated[str, BeforeValidator(_nfc), StringConstraints(max_length=MAX_TEXT_LENGTH)]
Year = Annotated[int, Field(ge=1945, le=2100, strict=True)]
Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Count = Annotated[int, Field(ge=0, le=10_000_000, strict=True)]


def _unique(values: tuple[E, ...]) -> tuple[E, ...]:
    if len(set(values)) != len(values):
        raise ValueError("a value is listed twice")
    return values


def unique_tuple() -> AfterValidator:
    return AfterValidator(_unique)
