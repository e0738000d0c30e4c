"""The nomination batch: header, candidates and nominations (spec: batch-format.md).

`Batch` validates field types; `reference_problems` checks what crosses records (duplicate ids,
unknown units and candidates, awards that do not fit the candidate) and returns located problems
so the loader can report them all at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel, Field, model_validator

from khenthuong.model.subjects import Commendation, Household, PendingCase, Person, Unit
from khenthuong.model.types import FROZEN, AwardCode, Day, Id, Text, Year, suggest
from khenthuong.model.vocab import AWARD_SUBJECTS, SubjectKind, award_label


class BatchHeader(BaseModel):
    """Who submits the batch, which year's achievements it judges, and as of which date."""

    model_config = FROZEN

    id: Id
    year: Year
    as_of: Day | None = None
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
    """A cross-record problem: the field path, what is wrong, how to fix it, and its code.

    Codes (docs/errors.md): KT120 duplicate, KT121 unknown reference or misfit, KT161 a member
    count above the headcount, KT162 a record dated after the batch, KT163 a cycle of parents.
    """

    path: tuple[str | int, ...]
    message: str
    help: str = ""
    code: str = "KT121"


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


def reference_problems(batch: Batch, limit: int | None = None) -> list[Problem]:
    """Every cross-record problem in the batch (at most `limit` of them), in file order."""
    return list(itertools.islice(_problems(batch, hints=True), limit))


def problem_count(batch: Batch) -> int:
    """How many cross-record problems the batch has (cheap: no "did you mean" is computed)."""
    return sum(1 for _ in _problems(batch, hints=False))


_MEMBER_COUNTS = (
    "members_rated_htnv_or_better",
    "members_lao_dong_tien_tien",
    "members_chien_si_thi_dua_co_so",
    "members_women",
)


def _problems(batch: Batch, *, hints: bool) -> Iterator[Problem]:
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
                yield Problem(
                    path,
                    f'duplicate id "{record.id}"',
                    "ids must be unique across units, people and households; first used at "
                    + _dotted(seen[record.id]),
                    "KT120",
                )
            else:
                seen[record.id] = path
    unit_ids = [u.id for u in batch.units]
    unit_set = set(unit_ids)
    candidates = sorted(seen)
    judged = batch.batch.year
    as_of = batch.batch.as_of

    def hint(word: str, choices: list[str]) -> str:
        return suggest(word, choices) if hints else ""

    def unknown_unit(path: tuple[str | int, ...], ref: str | None) -> Iterator[Problem]:
        if ref is not None and ref not in unit_set:
            yield Problem(
                path,
                f'unknown unit "{ref}"{hint(ref, unit_ids)}',
                "add the unit under `units:` or correct the id",
            )

    def after_as_of(path: tuple[str | int, ...], day: dt.date | None) -> Iterator[Problem]:
        if as_of is not None and day is not None and day > as_of:
            yield Problem(
                path,
                f"{path[-1]} {day.isoformat()} is after the batch's as_of date {as_of.isoformat()}",
                "a batch can only record what happened by its as_of date: correct the date "
                "(day and month swapped?) or batch.as_of",
                "KT162",
            )

    def commendations(
        where: tuple[str | int, ...], items: tuple[Commendation, ...]
    ) -> Iterator[Problem]:
        for j, c in enumerate(items):
            if c.year > judged:
                yield Problem(
                    (*where, "commendations", j, "year"),
                    f"commendation year {c.year} is after the judged year {judged}",
                    "only commendations received up to the judged year can be recorded",
                    "KT162",
                )

    def pending(where: tuple[str | int, ...], items: tuple[PendingCase, ...]) -> Iterator[Problem]:
        for j, case in enumerate(items):
            yield from after_as_of((*where, "pending_cases", j, "opened_on"), case.opened_on)
            yield from after_as_of((*where, "pending_cases", j, "closed_on"), case.closed_on)

    if batch.batch.submitted_by is not None:
        yield from unknown_unit(("batch", "submitted_by"), batch.batch.submitted_by)
    for i, u in enumerate(batch.units):
        yield from unknown_unit(("units", i, "parent"), u.parent)
        if u.parent == u.id:
            yield Problem(
                ("units", i, "parent"),
                "a unit cannot be its own parent",
                "give the id of the unit above it, or leave parent empty",
            )
        yield from _history_problems(("units", i), [y.year for y in u.history], judged)
        for j, uy in enumerate(u.history):
            for field in _MEMBER_COUNTS:
                count = getattr(uy, field)
                if count is not None and u.headcount is not None and count > u.headcount:
                    yield Problem(
                        ("units", i, "history", j, field),
                        f"{field} is {count}, more than the unit's headcount {u.headcount} "
                        f"(a share above 100%)",
                        "members counted in a year cannot exceed the headcount: correct the count "
                        "or units[].headcount",
                        "KT161",
                    )
        yield from pending(("units", i), u.pending_cases)
        yield from commendations(("units", i), u.commendations)
    yield from _parent_cycles(batch.units)
    for i, p in enumerate(batch.people):
        yield from unknown_unit(("people", i, "unit"), p.unit)
        yield from _history_problems(("people", i), [y.year for y in p.history], judged)
        yield from after_as_of(("people", i, "recruited_on"), p.recruited_on)
        ids: set[str] = set()
        for j, ini in enumerate(p.initiatives):
            if ini.id in ids:
                yield Problem(
                    ("people", i, "initiatives", j, "id"),
                    f'duplicate initiative "{ini.id}"',
                    "each initiative of a person is listed once",
                    "KT120",
                )
            ids.add(ini.id)
            if ini.year > judged:
                yield Problem(
                    ("people", i, "initiatives", j, "year"),
                    f"initiative year {ini.year} is after the judged year {judged}",
                    "only achievements up to the judged year count",
                    "KT162",
                )
        for j, d in enumerate(p.disciplines):
            yield from after_as_of(("people", i, "disciplines", j, "decided_on"), d.decided_on)
        yield from pending(("people", i), p.pending_cases)
        yield from commendations(("people", i), p.commendations)
    for i, h in enumerate(batch.households):
        yield from unknown_unit(("households", i, "village"), h.village)
        yield from _history_problems(("households", i), [y.year for y in h.history], judged)
        for j, sanction in enumerate(h.sanctions):
            if sanction.year > judged:
                yield Problem(
                    ("households", i, "sanctions", j, "year"),
                    f"sanction year {sanction.year} is after the judged year {judged}",
                    "only events up to the judged year can be recorded",
                    "KT162",
                )
        yield from pending(("households", i), h.pending_cases)
        yield from commendations(("households", i), h.commendations)
    kinds = _index(batch).kinds
    for i, n in enumerate(batch.nominations):
        kind = kinds.get(n.candidate)
        if kind is None:
            yield Problem(
                ("nominations", i, "candidate"),
                f'unknown candidate "{n.candidate}"{hint(n.candidate, candidates)}',
                "nominate a person, unit or household listed in this batch",
            )
        elif kind not in AWARD_SUBJECTS[n.award]:
            allowed = ", ".join(sorted(k.value for k in AWARD_SUBJECTS[n.award]))
            yield Problem(
                ("nominations", i, "award"),
                f'"{award_label(n.award)}" ({n.award.value}) is not awarded to a {kind.value}',
                f"this award goes to: {allowed}",
            )


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path)
    )


def _parent_cycles(units: tuple[Unit, ...]) -> Iterator[Problem]:
    """Units whose `parent` chain comes back to them (A → B → A); each cycle reported once."""
    parent = {u.id: u.parent for u in units}
    position = {u.id: i for i, u in enumerate(units)}
    reported: set[str] = set()
    for u in units:
        chain: list[str] = []
        on_chain: set[str] = set()
        current: str | None = u.id
        while current is not None and current in parent and current not in on_chain:
            if current in reported:
                break
            chain.append(current)
            on_chain.add(current)
            current = parent[current]
        if current is None or current not in on_chain or current in reported:
            reported.update(chain)
            continue
        cycle = chain[chain.index(current) :]
        reported.update(chain)
        if len(cycle) < 2:  # a unit that is its own parent is reported on its own
            continue
        first = min(cycle, key=position.__getitem__)
        shown = " → ".join([*cycle[cycle.index(first) :], *cycle[: cycle.index(first)], first])
        yield Problem(
            ("units", position[first], "parent"),
            f"units form a cycle of parents: {shown}",
            "a unit's parent chain must end at a unit without a parent",
            "KT163",
        )


def _history_problems(
    where: tuple[str | int, ...], years: list[int], judged: int
) -> Iterator[Problem]:
    seen: set[int] = set()
    for j, year in enumerate(years):
        if year in seen:
            yield Problem(
                (*where, "history", j, "year"),
                f"year {year} appears twice in history",
                "keep one record per year: merge the two",
            )
        seen.add(year)
        if year > judged:
            yield Problem(
                (*where, "history", j, "year"),
                f"history year {year} is after the judged year {judged}",
                "remove records of later years, or set batch.year to the year being judged",
                "KT162",
            )
