"""What a watcher knows of one person: the facts events have delivered, as a batch `Person`.

The state is the single place events are applied. It is turned into the same frozen `Person` a
batch file would give (`record()`), so the native engine explains and cross-checks a streamed
person exactly as it would judge them in a batch dry-run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from khenthuong.model.subjects import (
    Attestations,
    Commendation,
    Discipline,
    Initiative,
    PendingCase,
    Person,
    PersonYear,
)
from khenthuong.model.vocab import Award, Employment, Gender, Outcome, Position, Rating
from khenthuong.stream.errors import stream_error
from khenthuong.stream.events import (
    DisciplineDecided,
    Event,
    InitiativeRecognised,
    PendingCaseClosed,
    PendingCaseOpened,
    PersonRegistered,
    RatingRecorded,
    TitleAwarded,
    invalid_event,
)

# Forms of commendation (hình thức khen thưởng) go to `commendations`; titles (danh hiệu) to the
# year's `titles`. Predicates read both alike (khenthuong.engine.predicates.commendation_years).
COMMENDATION_FORMS: frozenset[Award] = frozenset(
    {
        Award.GIAY_KHEN,
        Award.BANG_KHEN_TINH,
        Award.BANG_KHEN_THU_TUONG,
        Award.HUAN_CHUONG_LAO_DONG_HANG_BA,
    }
)
_AWARD_ORDER = {a: i for i, a in enumerate(Award)}


@dataclass(slots=True)
class PersonState:
    """One person's facts as delivered so far, and the outcomes last reported for them."""

    id: str
    name: str
    gender: Gender | None = None
    unit: str | None = None
    employment: Employment | None = None
    position: Position | None = None
    recruited_on: dt.date | None = None
    attestations: Attestations = field(default_factory=Attestations)
    ratings: dict[int, Rating] = field(default_factory=dict)
    titles: dict[int, set[Award]] = field(default_factory=dict)
    commendations: dict[tuple[Award, int], str | None] = field(default_factory=dict)
    initiatives: dict[str, Initiative] = field(default_factory=dict)
    disciplines: list[Discipline] = field(default_factory=list)
    cases: dict[str, PendingCase] = field(default_factory=dict)
    outcomes: dict[Award, Outcome] = field(default_factory=dict)
    profile: dict[str, Any] | None = None
    _record: Person | None = None

    @classmethod
    def registered(cls, event: PersonRegistered) -> PersonState:
        state = cls(event.person, event.name or event.person)
        state.apply(event, judged=None)
        return state

    def apply(self, event: Event, judged: int | None) -> None:
        """Apply `event` (already known to be about this person).

        Raises:
            StreamError: KT703 for a year after `judged`; KT708 for an event that does not fit
                the record (dates in the wrong order, closing a case that was never opened).
        """
        year = getattr(event, "year", None)
        if judged is not None and isinstance(year, int) and year > judged:
            raise stream_error(
                "KT703",
                f"{event.type} for {self.id} records year {year}, after the judged year {judged}",
                "post it to a watcher for that year; a watcher judges one year, as a batch does",
            )
        try:
            self._apply(event)
        except ValidationError as exc:
            raise invalid_event(exc, event.model_dump(mode="json")) from None
        self._record = None

    def _apply(self, event: Event) -> None:
        if isinstance(event, PersonRegistered):
            self.name = event.name or event.person
            self.gender = event.gender
            self.unit = event.unit
            self.employment = event.employment
            self.position = event.position
            self.recruited_on = event.recruited_on
            self.attestations = event.attestations
        elif isinstance(event, RatingRecorded):
            self.ratings[event.year] = event.rating
        elif isinstance(event, TitleAwarded):
            if event.award in COMMENDATION_FORMS:
                self.commendations[(event.award, event.year)] = event.decision
            else:
                self.titles.setdefault(event.year, set()).add(event.award)
        elif isinstance(event, InitiativeRecognised):
            self.initiatives[event.initiative] = Initiative(
                id=event.initiative,
                kind=event.kind,
                year=event.year,
                scope=event.scope,
                accepted=event.accepted,
                applied=event.applied,
                title=event.title,
            )
        elif isinstance(event, DisciplineDecided):
            self.disciplines.append(
                Discipline(form=event.form, decided_on=event.decided_on, ends_on=event.ends_on)
            )
        elif isinstance(event, PendingCaseOpened):
            self.cases[event.case] = PendingCase(kind=event.kind, opened_on=event.opened_on)
        elif isinstance(event, PendingCaseClosed):
            opened = self.cases.get(event.case)
            if opened is None:
                raise stream_error(
                    "KT708",
                    f'pending_case_closed for {self.id}: no case "{event.case}" was opened',
                    "post pending_case_opened with this case id first, or correct the id",
                )
            self.cases[event.case] = PendingCase(
                kind=opened.kind, opened_on=opened.opened_on, closed_on=event.closed_on
            )

    def record(self) -> Person:
        """The person as a batch would hold them (built once per change)."""
        if self._record is None:
            years = sorted(set(self.ratings) | set(self.titles))
            self._record = Person(
                id=self.id,
                name=self.name,
                gender=self.gender,
                unit=self.unit,
                employment=self.employment,
                position=self.position,
                recruited_on=self.recruited_on,
                attestations=self.attestations,
                history=tuple(
                    PersonYear(
                        year=y,
                        rating=self.ratings.get(y),
                        titles=tuple(sorted(self.titles.get(y, ()), key=_AWARD_ORDER.__getitem__)),
                    )
                    for y in years
                ),
                initiatives=tuple(self.initiatives.values()),
                disciplines=tuple(self.disciplines),
                pending_cases=tuple(self.cases.values()),
                commendations=tuple(
                    Commendation(award=a, year=y, decision=d)
                    for (a, y), d in sorted(
                        self.commendations.items(),
                        key=lambda kv: (kv[0][1], _AWARD_ORDER[kv[0][0]]),
                    )
                ),
            )
        return self._record
