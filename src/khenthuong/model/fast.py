"""Fast loading of people from JSON: the same models, validated without Python per field.

`Person` (model/subjects.py) accepts what board staff type: Vietnamese phrases and abbreviations for
codes, ids in any Unicode normal form. That takes a Python function per field, which dominates the
cost of loading millions of people. The classes here are subclasses of those models (so everything
that reads a `Person` reads them, `isinstance` included) whose fields accept only the canonical
form — codes as the batch format writes them, text already in NFC — so pydantic validates them
entirely in Rust. `PeopleLoader` uses them for whole chunks of JSON and falls back, line by line,
to the ordinary models for anything they reject, so the result (values and error messages) is the
one `Person` gives; only the speed differs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, StringConstraints, TypeAdapter, ValidationError

from khenthuong.model.subjects import (
    Commendation,
    Discipline,
    Initiative,
    Person,
    PersonYear,
)
from khenthuong.model.types import MAX_ID_LENGTH, MAX_TEXT_LENGTH
from khenthuong.model.vocab import Area, Award, DisciplineForm, Rating, Scope

# The canonical forms: the constraints of model/types.py without their Python pre-processing.
FastId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_ID_LENGTH, pattern=r"^[^\s\x00-\x1f]+$"),
    Field(description="identifier: no spaces or control characters, case-sensitive"),
]
FastName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_LENGTH)]
FastText = Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH)]


class FastPersonYear(PersonYear):
    rating: Rating | None = None
    titles: tuple[Award, ...] = ()  # uniqueness: checked once per person (FastPerson)


class FastInitiative(Initiative):
    id: FastId
    scope: Scope
    recognized_by: FastId | None = None
    title: FastText | None = None


class FastDiscipline(Discipline):
    form: DisciplineForm


class FastCommendation(Commendation):
    award: Award
    decision: FastText | None = None


class FastPerson(Person):
    """A `Person` validated from its canonical form only (see the module docstring).

    The lists that `Person` requires to be free of repeats (`areas`, each year's `titles`) are not
    checked here but by `PeopleLoader`, once per person, which is cheaper than a validator.
    """

    id: FastId
    name: FastName
    unit: FastId | None = None
    commune: FastId | None = None
    areas: tuple[Area, ...] = ()
    history: tuple[FastPersonYear, ...] = ()
    initiatives: tuple[FastInitiative, ...] = ()
    disciplines: tuple[FastDiscipline, ...] = ()
    commendations: tuple[FastCommendation, ...] = ()


def repeats(person: Person) -> bool:
    """Whether `areas` or some year's `titles` lists a value twice (what `Person` rejects)."""
    areas = person.areas
    if len(areas) > 1 and len(set(areas)) != len(areas):
        return True
    for y in person.history:
        titles = y.titles
        if len(titles) > 1 and len(set(titles)) != len(titles):
            return True
    return False


# Model classes and their fast twins: tests pin that the twins have the same fields and defaults.
TWINS: tuple[tuple[type[Any], type[Any]], ...] = (
    (Person, FastPerson),
    (PersonYear, FastPersonYear),
    (Initiative, FastInitiative),
    (Discipline, FastDiscipline),
    (Commendation, FastCommendation),
)


@dataclass(frozen=True, slots=True)
class LineError:
    """A person that did not validate: its position in the chunk and pydantic's errors."""

    position: int
    errors: tuple[dict[str, Any], ...]


class PeopleLoader:
    """Validates chunks of people given as JSON texts (one person each), fast path first.

    Reuse one loader: it holds the compiled validators.
    """

    def __init__(self) -> None:
        self.fast_many: TypeAdapter[list[FastPerson]] = TypeAdapter(list[FastPerson])
        self.fast_one: TypeAdapter[FastPerson] = TypeAdapter(FastPerson)
        self.full_one: TypeAdapter[Person] = TypeAdapter(Person)
        self.fallbacks = 0

    def load(self, lines: Sequence[bytes]) -> tuple[list[Person | None], list[LineError]]:
        """The people of `lines` in order (None where a line is invalid), and the errors."""
        if not lines:
            return [], []
        data = b"[" + b",".join(lines) + b"]"
        if _canonical_text(data):
            try:
                fast = self.fast_many.validate_json(data)
            except ValidationError:
                pass
            else:
                people: list[Person | None] = list(fast)
                errors: list[LineError] = []
                for i, checked in enumerate(fast):
                    if repeats(checked):
                        people[i], error = self._full(lines[i], i)
                        errors += error
                return people, errors
        out: list[Person | None] = []
        errors = []
        for i, line in enumerate(lines):
            person: Person | None = None
            if _canonical_text(line):
                try:
                    person = self.fast_one.validate_json(line)
                except ValidationError:
                    person = None
                if person is not None and repeats(person):
                    person = None
            if person is None:
                person, error = self._full(line, i)
                errors += error
            out.append(person)
        return out, errors

    def _full(self, line: bytes, position: int) -> tuple[Person | None, list[LineError]]:
        """Validate one line with the ordinary model (aliases, NFC, its error messages)."""
        self.fallbacks += 1
        try:
            return self.full_one.validate_json(line), []
        except ValidationError as exc:
            details = tuple(dict(e) for e in exc.errors(include_url=False))
            return None, [LineError(position, details)]


def _canonical_text(data: bytes) -> bool:
    """Whether every string in the JSON text `data` is already in NFC (so NFC changes nothing).

    ASCII text is; otherwise the decoded text must be NFC and carry no `\\u` escape (an escape
    could spell a decomposed character that the text-level check does not see).
    """
    if data.isascii():
        return b"\\u" not in data
    if b"\\u" in data:
        return False
    try:
        return unicodedata.is_normalized("NFC", data.decode("utf-8"))
    except UnicodeDecodeError:
        return False
