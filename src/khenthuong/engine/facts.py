"""What evaluation reads: an index of the batch, the facts a condition read, and its result.

Facts carry the place they came from as an id-based path (`people[P-001].history[2021].rating`),
which stays the same whatever the order of records in the batch — so traces are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from khenthuong.model.batch import Batch
from khenthuong.model.subjects import (
    Household,
    HouseholdYear,
    Person,
    PersonYear,
    Unit,
    UnitYear,
)
from khenthuong.model.vocab import SubjectKind
from khenthuong.periods import Truth

FactValue = str | int | bool | Decimal | None


@dataclass(frozen=True, slots=True)
class Fact:
    """One value read from the batch (or derived this run), with its year and its place."""

    name: str
    year: int | None
    value: FactValue
    path: str

    def to_json(self) -> dict[str, object]:
        value: object = self.value
        if isinstance(value, Decimal):
            value = str(value)
        return {"name": self.name, "year": self.year, "value": value, "from": self.path}


@dataclass(frozen=True, slots=True)
class LeafResult:
    """The result of one predicate for one candidate: truth, the facts read, and a note."""

    holds: Truth
    facts: tuple[Fact, ...]
    note: str | None = None


class SubjectView:
    """A candidate with its history indexed by year, and the path prefix of its record."""

    __slots__ = ("id", "kind", "path", "record", "years")

    def __init__(self, record: Person | Unit | Household, kind: SubjectKind) -> None:
        self.id = record.id
        self.kind = kind
        self.record = record
        section = {"person": "people", "unit": "units", "household": "households"}[kind.value]
        self.path = f"{section}[{record.id}]"
        self.years: dict[int, PersonYear | UnitYear | HouseholdYear] = {
            y.year: y for y in record.history
        }


class BatchIndex:
    """Candidates by id and the listed members of each unit; built once per batch."""

    __slots__ = ("batch", "members", "subjects")

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.subjects: dict[str, SubjectView] = {}
        for u in batch.units:
            self.subjects[u.id] = SubjectView(u, SubjectKind.UNIT)
        for p in batch.people:
            self.subjects[p.id] = SubjectView(p, SubjectKind.PERSON)
        for h in batch.households:
            self.subjects[h.id] = SubjectView(h, SubjectKind.HOUSEHOLD)
        self.members: dict[str, list[SubjectView]] = {}
        for p in batch.people:
            if p.unit is not None:
                self.members.setdefault(p.unit, []).append(self.subjects[p.id])
        for listed in self.members.values():
            listed.sort(key=lambda v: v.id)
