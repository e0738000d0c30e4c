"""What evaluation reads: an index of the batch, the facts a condition read, and its result.

Facts carry the place they came from as an id-based path (`people[P-001].history[2021].rating`),
which stays the same whatever the order of records in the batch — so traces are deterministic.
"""

from __future__ import annotations

import operator
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


class Fact:
    """One value read from the batch (or derived this run), with its year and its place.

    A plain class with slots rather than a frozen dataclass: facts are made by the thousand when
    traces are shown, and a frozen dataclass's `__init__` is several times slower. Treat it as
    immutable; it compares and hashes by value.
    """

    __slots__ = ("name", "path", "value", "year")
    __match_args__ = ("name", "year", "value", "path")

    def __init__(self, name: str, year: int | None, value: FactValue, path: str) -> None:
        self.name = name
        self.year = year
        self.value = value
        self.path = path

    def _key(self) -> tuple[str, int | None, FactValue, str]:
        return (self.name, self.year, self.value, self.path)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fact) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Fact(name={self.name!r}, year={self.year!r}, value={self.value!r}, path={self.path!r})"

    def to_json(self) -> dict[str, object]:
        value: object = self.value
        if isinstance(value, Decimal):
            value = str(value)
        return {"name": self.name, "year": self.year, "value": value, "from": self.path}


class LeafResult:
    """The result of one predicate for one candidate: truth, the facts read, and a note."""

    __slots__ = ("facts", "holds", "note")
    __match_args__ = ("holds", "facts", "note")

    def __init__(self, holds: Truth, facts: tuple[Fact, ...], note: str | None = None) -> None:
        self.holds = holds
        self.facts = facts
        self.note = note

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LeafResult)
            and self.holds == other.holds
            and self.facts == other.facts
            and self.note == other.note
        )

    def __hash__(self) -> int:
        return hash((self.holds, self.facts, self.note))

    def __repr__(self) -> str:
        return f"LeafResult(holds={self.holds!r}, facts={self.facts!r}, note={self.note!r})"


SECTIONS: dict[SubjectKind, str] = {
    SubjectKind.PERSON: "people",
    SubjectKind.UNIT: "units",
    SubjectKind.HOUSEHOLD: "households",
}


class SubjectView:
    """A candidate with its history indexed by year, and the path prefix of its record.

    Built once per candidate of a batch, so it does only what every evaluation needs; the path
    (read only when facts are shown) is made on demand.
    """

    __slots__ = ("id", "kind", "record", "years")

    def __init__(self, record: Person | Unit | Household, kind: SubjectKind) -> None:
        self.id = record.id
        self.kind = kind
        self.record = record
        # A plain loop: histories are short, and a comprehension's own frame is not free.
        years: dict[int, PersonYear | UnitYear | HouseholdYear] = {}
        for y in record.history:
            years[y.year] = y
        self.years = years

    @property
    def path(self) -> str:
        """Where the record sits in the batch, by id: `people[P-001]`."""
        return f"{SECTIONS[self.kind]}[{self.id}]"


class BatchIndex:
    """Candidates by id and the listed members of each unit; built once per batch."""

    __slots__ = ("batch", "members", "subjects")

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.subjects: dict[str, SubjectView] = {}
        self.members: dict[str, list[SubjectView]] = {}
        subjects = self.subjects
        members = self.members
        for u in batch.units:
            subjects[u.id] = SubjectView(u, SubjectKind.UNIT)
        for p in batch.people:
            view = subjects[p.id] = SubjectView(p, SubjectKind.PERSON)
            unit = p.unit
            if unit is not None:
                listed = members.get(unit)
                if listed is None:
                    members[unit] = [view]
                else:
                    listed.append(view)
        for h in batch.households:
            subjects[h.id] = SubjectView(h, SubjectKind.HOUSEHOLD)
        by_id = operator.attrgetter("id")
        for listed in self.members.values():
            listed.sort(key=by_id)
