"""The nomination batch: header, candidates and nominations (spec: batch-format.md).

`Batch` validates field types; `reference_problems` checks what crosses records (duplicate ids,
unknown units and candidates, awards that do not fit the candidate) and returns located problems
so the loader can report them all at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel, Field, model_validator

from khenthuong.model.subjects import Household, Person, Unit
from khenthuong.model.types import FROZEN, AwardCode, Id, Text, Year, suggest
from khenthuong.model.vocab import AWARD_SUBJECTS, SubjectKind, award_label


class BatchHeader(BaseModel):
    """Who submits the batch, which year's achievements it judges, and as of which date."""

    model_config = FROZEN

    id: Id
    year: Year
    as_of: dt.date | None = None
    province: Id | None = None
    movement: Id | None = None
    submitted_by: Id | None = None

    @model_validator(mode="after")
    def _as_of_not_before_year(self) -> BatchHeader:
        if self.as_of is not None and self.as_of.year < self.year:
            raise ValueError(
                f"as_of {self.as_of.isoformat()} is before the judged year {self.year}; "
                "achievements are considered during or after their year"
            )
        return self

    @property
    def decision_date(self) -> dt.date:
        """The date whose rules apply: as_of, but never past the end of the judged year.

        Achievements of year Y are judged by the rules in force when they are considered, except that
        rules which entered into force after Y ended do not reach back to Y (non-retroactivity).
        """
        year_end = dt.date(self.year, 12, 31)
        if self.as_of is None or self.as_of > year_end:
            return year_end
        return self.as_of


class Nomination(BaseModel):
    """A proposal: this candidate for this award (optionally naming the achievements it rests on)."""

    model_config = FROZEN

    candidate: Id
    award: AwardCode
    basis: tuple[Id, ...] = Field(
        (), description="ids of initiatives or achievements this nomination relies on"
    )
    note: Text | None = None


class Batch(BaseModel):
    """A whole nomination batch as read from YAML, JSON, CSV or Excel."""

    model_config = FROZEN

    batch: BatchHeader
    units: tuple[Unit, ...] = ()
    people: tuple[Person, ...] = ()
    households: tuple[Household, ...] = ()
    nominations: tuple[Nomination, ...] = ()

    def subject_kind(self, candidate: str) -> SubjectKind | None:
        return _index(self).kinds.get(candidate)


@dataclass(frozen=True, slots=True)
class Problem:
    """A cross-record problem: the field path, what is wrong, and how to fix it."""

    path: tuple[str | int, ...]
    message: str
    help: str = ""


@dataclass(frozen=True, slots=True)
class _Index:
    kinds: dict[str, SubjectKind]


def _index(batch: Batch) -> _Index:
    kinds: dict[str, SubjectKind] = {}
    for u in batch.units:
        kinds.setdefault(u.id, SubjectKind.UNIT)
    for p in batch.people:
        kinds.setdefault(p.id, SubjectKind.PERSON)
    for h in batch.households:
        kinds.setdefault(h.id, SubjectKind.HOUSEHOLD)
    return _Index(kinds)


def reference_problems(batch: Batch) -> list[Problem]:
    """Every cross-record problem in the batch, in file order."""
    return list(_problems(batch))


def _problems(batch: Batch) -> Iterator[Problem]:
    seen: dict[str, tuple[str | int, ...]] = {}
    sections: tuple[tuple[str, tuple[Unit | Person | Household, ...]], ...] = (
        ("units", batch.units),
        ("people", batch.people),
        ("households", batch.households),
    )
    for section, records in sections:
        for i, record in enumerate(records):
            path: tuple[str | int, ...] = (section, i, "id")
            if record.id in seen:
                first = ".".join(str(p) for p in seen[record.id])
                yield Problem(
                    path,
                    f'duplicate id "{record.id}"',
                    f"ids must be unique across units, people and households; first used at {first}",
                )
            else:
                seen[record.id] = path
    unit_ids = [u.id for u in batch.units]
    unit_set = set(unit_ids)
    candidates = sorted(seen)

    def unknown_unit(path: tuple[str | int, ...], ref: str | None) -> Iterator[Problem]:
        if ref is not None and ref not in unit_set:
            yield Problem(
                path,
                f'unknown unit "{ref}"{suggest(ref, unit_ids)}',
                "add the unit under `units:` or correct the id",
            )

    if batch.batch.submitted_by is not None:
        yield from unknown_unit(("batch", "submitted_by"), batch.batch.submitted_by)
    for i, u in enumerate(batch.units):
        yield from unknown_unit(("units", i, "parent"), u.parent)
        if u.parent == u.id:
            yield Problem(("units", i, "parent"), "a unit cannot be its own parent")
        yield from _history_problems(("units", i), [y.year for y in u.history], batch.batch.year)
    for i, p in enumerate(batch.people):
        yield from unknown_unit(("people", i, "unit"), p.unit)
        yield from _history_problems(("people", i), [y.year for y in p.history], batch.batch.year)
        ids: set[str] = set()
        for j, ini in enumerate(p.initiatives):
            if ini.id in ids:
                yield Problem(
                    ("people", i, "initiatives", j, "id"), f'duplicate initiative "{ini.id}"'
                )
            ids.add(ini.id)
            if ini.year > batch.batch.year:
                yield Problem(
                    ("people", i, "initiatives", j, "year"),
                    f"initiative year {ini.year} is after the judged year {batch.batch.year}",
                    "only achievements up to the judged year count",
                )
    for i, h in enumerate(batch.households):
        yield from unknown_unit(("households", i, "village"), h.village)
        yield from _history_problems(
            ("households", i), [y.year for y in h.history], batch.batch.year
        )
    kinds = _index(batch).kinds
    for i, n in enumerate(batch.nominations):
        kind = kinds.get(n.candidate)
        if kind is None:
            yield Problem(
                ("nominations", i, "candidate"),
                f'unknown candidate "{n.candidate}"{suggest(n.candidate, candidates)}',
                "nominate a person, unit or household listed in this batch",
            )
        elif kind not in AWARD_SUBJECTS[n.award]:
            allowed = ", ".join(sorted(k.value for k in AWARD_SUBJECTS[n.award]))
            yield Problem(
                ("nominations", i, "award"),
                f'"{award_label(n.award)}" ({n.award.value}) is not awarded to a {kind.value}',
                f"this award goes to: {allowed}",
            )


def _history_problems(
    where: tuple[str | int, ...], years: list[int], judged: int
) -> Iterator[Problem]:
    seen: set[int] = set()
    for j, year in enumerate(years):
        if year in seen:
            yield Problem((*where, "history", j, "year"), f"year {year} appears twice in history")
        seen.add(year)
        if year > judged:
            yield Problem(
                (*where, "history", j, "year"),
                f"history year {year} is after the judged year {judged}",
                "remove records of later years, or set batch.year to the year being judged",
            )
