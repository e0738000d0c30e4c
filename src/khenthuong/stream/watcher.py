"""The Watcher: post HR events one at a time, be told when a person's eligibility changes.

A watcher judges one year under one rule pack, like a batch. Each event updates one person's
record; the person's individual titles are then decided again — by a durable_rules ruleset
compiled from the pack (`backend="durable"`, the optional extra) or by the native engine
(`backend="native"`) — and every outcome that differs from the last one reported is emitted as a
`Change`. The native engine stays the source of truth: `explain()` returns its `Decision`,
`cross_check()` compares every outcome with a batch evaluation of the same records, and
`verify=True` does that after every event.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from khenthuong.engine.compile import Plan
from khenthuong.engine.decision import OUTCOME_OF, Decision
from khenthuong.engine.evaluate import Evaluation, evaluate_nominations
from khenthuong.engine.facts import SubjectView
from khenthuong.model.batch import Batch, BatchHeader, Nomination
from khenthuong.model.subjects import Person
from khenthuong.model.vocab import Award, Outcome, SubjectKind
from khenthuong.packs.registry import PackRegistry, ResolvedPack
from khenthuong.stream.durable_backend import DurableRuleset, load_durable
from khenthuong.stream.errors import stream_error
from khenthuong.stream.events import Event, PersonRegistered, parse_event
from khenthuong.stream.state import PersonState
from khenthuong.stream.translate import Translation, translate

Backend = Literal["durable", "native"]
BACKENDS: tuple[str, ...] = ("durable", "native")


@dataclass(frozen=True, slots=True)
class Change:
    """An outcome that changed: `candidate` is now `outcome` for `award` in the judged `year`."""

    candidate: str
    award: Award
    year: int
    outcome: Outcome
    previous: Outcome = Outcome.UNDETERMINED

    def to_json(self) -> dict[str, object]:
        return {
            "candidate": self.candidate,
            "award": self.award.value,
            "year": self.year,
            "outcome": self.outcome.value,
            "previous": self.previous.value,
        }


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A (candidate, award) on which the watcher and the native engine disagree."""

    candidate: str
    award: Award
    watcher: Outcome
    native: Outcome


class Watcher:
    """Decide individual titles as HR events arrive; report each change of outcome.

    Args:
        pack: a national pack id, a `ResolvedPack`, a compiled `Plan` (its date must be the
            decision date), or None to choose the pack by date.
        year: the judged year (its achievements are decided, as `batch.year` in a batch).
        as_of: the decision date (default: the end of `year`; never later than that).
        registry: where packs come from (default: the bundled packs).
        province: a provincial layer to apply.
        backend: "durable" (durable_rules, `pip install 'khenthuong[durable]'`) or "native".
        on_change: called with every `Change`, in order, while the watcher's lock is held.
        verify: after every event, check the person's outcomes against the native engine
            (raises KT707 on a disagreement).

    Raises:
        StreamError: KT701 when the durable_rules backend is asked for but unavailable; KT704
            when the pack cannot be translated; KT709 for invalid arguments.

    Example:
        >>> from khenthuong.stream import Watcher, PersonRegistered, RatingRecorded
        >>> w = Watcher("vn-2017", year=2021, backend="native")
        >>> attested = dict.fromkeys(["ethics", "compliance", "emulation", "study", "solidarity"], True)
        >>> _ = w.post(PersonRegistered(person="P1", recruited_on="2015-03-01", attestations=attested))
        >>> changes = w.post(RatingRecorded(person="P1", year=2021, rating="HTTNV"))
        >>> [(c.award.value, c.previous.value, c.outcome.value) for c in changes][:1]
        [('lao_dong_tien_tien', 'undetermined', 'eligible')]
        >>> w.explain("P1", "lao_dong_tien_tien").outcome.value
        'eligible'
    """

    def __init__(
        self,
        pack: str | ResolvedPack | Plan | None = None,
        *,
        year: int,
        as_of: dt.date | None = None,
        registry: PackRegistry | None = None,
        province: str | None = None,
        backend: Backend = "durable",
        on_change: Callable[[Change], None] | None = None,
        verify: bool = False,
    ) -> None:
        if backend not in BACKENDS:
            raise stream_error(
                "KT709",
                f'unknown backend "{backend}"',
                "use backend=" + " or ".join(f'"{b}"' for b in BACKENDS),
            )
        try:
            self.header = BatchHeader(
                id=f"stream-{year}", year=year, as_of=as_of, province=province
            )
        except ValidationError as exc:
            problems = "; ".join(e["msg"] for e in exc.errors())
            raise stream_error(
                "KT709",
                f"invalid watcher settings: {problems}",
                "year is the judged year (1945–2100); as_of, if given, is on or after its start",
            ) from None
        if backend == "durable":
            load_durable()  # fail before any work, with KT701
        self.year: int = year
        self.date: dt.date = self.header.decision_date
        self.pack: ResolvedPack
        self.plan: Plan
        if isinstance(pack, Plan):
            if pack.date != self.date:
                raise stream_error(
                    "KT709",
                    f"the plan is compiled for {pack.date.isoformat()}, the watcher decides on "
                    f"{self.date.isoformat()}",
                    "compile the plan for the decision date, or pass the pack instead",
                )
            self.pack, self.plan = pack.pack, pack
        else:
            if isinstance(pack, ResolvedPack):
                self.pack = pack
            else:
                self.pack = (registry or PackRegistry()).for_date(self.date, province, pack)
            self.plan = self.pack.plan(self.date)
        self.awards: tuple[Award, ...] = tuple(
            a for a, kind in self.plan.order if kind is SubjectKind.PERSON
        )
        self.backend: Backend = backend
        self.verify = verify
        self._on_change = on_change
        self._lock = threading.RLock()
        self._people: dict[str, PersonState] = {}
        self._closed = False
        self.translation: Translation | None = None
        self._durable: DurableRuleset | None = None
        if backend == "durable":
            self.translation = translate(self.plan, year)
            self._durable = DurableRuleset(self.translation)

    # --- events ------------------------------------------------------------------------------

    def post(self, event: Event | Mapping[str, Any] | BaseModel) -> tuple[Change, ...]:
        """Apply one event and return the changes of outcome it caused (often none).

        Raises:
            StreamError: KT702 unknown person, KT703 a year after the judged year, KT705
                durable_rules failed, KT706 closed, KT707 disagreement (verify), KT708 invalid.
        """
        parsed = parse_event(event)
        with self._lock:
            self._check_open()
            state = self._people.get(parsed.person)
            if state is None:
                if not isinstance(parsed, PersonRegistered):
                    raise stream_error(
                        "KT702",
                        f'{parsed.type} for unknown person "{parsed.person}"',
                        "post person_registered for this person first",
                    )
                state = PersonState.registered(parsed)
                self._people[parsed.person] = state
            else:
                state.apply(parsed, self.year)
            changes = self._refresh(state)
            if self._on_change is not None:
                for change in changes:
                    self._on_change(change)
            return changes

    def post_many(self, events: Iterable[Event | Mapping[str, Any] | BaseModel]) -> list[Change]:
        """Apply events in order; all the changes they caused, in order."""
        return list(self.stream(events))

    def stream(self, events: Iterable[Event | Mapping[str, Any] | BaseModel]) -> Iterator[Change]:
        """Consume `events` lazily, yielding each change as soon as the event causing it is in."""
        for event in events:
            yield from self.post(event)

    def _context(self, person: Person) -> Callable[[], Evaluation]:
        made: list[Evaluation] = []

        def context() -> Evaluation:
            if not made:
                made.append(Evaluation(self.plan, self._solo(person)))
            return made[0]

        return context

    def _solo(self, person: Person) -> Batch:
        """A batch of this one person: person rules read nobody else."""
        return Batch.model_construct(
            batch=self.header, units=(), people=(person,), households=(), nominations=()
        )

    def _refresh(self, state: PersonState) -> tuple[Change, ...]:
        person = state.record()
        context = self._context(person)
        if self._durable is not None and self.translation is not None:
            profile = self.translation.profile(SubjectView(person, SubjectKind.PERSON), context)
            if profile == state.profile:
                return ()  # nothing the rules read has changed
            state.profile = None
            fired = self._durable.decide(person.id, profile)
            state.profile = profile
            outcomes = {a: OUTCOME_OF[fired.get(a)] for a in self.awards}
        else:
            ev = context()
            outcomes = {a: ev.decide(person.id, a).outcome for a in self.awards}
        if self.verify:
            self._verify(person, outcomes, context())
        changes = tuple(
            Change(
                person.id, a, self.year, outcomes[a], state.outcomes.get(a, Outcome.UNDETERMINED)
            )
            for a in self.awards
            if outcomes[a] is not state.outcomes.get(a, Outcome.UNDETERMINED)
        )
        state.outcomes = outcomes
        return changes

    def _verify(self, person: Person, outcomes: dict[Award, Outcome], ev: Evaluation) -> None:
        for award in self.awards:
            decision = ev.decide(person.id, award)
            if decision.outcome is not outcomes[award]:
                raise stream_error(
                    "KT707",
                    f"the {self.backend} backend decided {award.value} for {person.id} "
                    f"{outcomes[award].value}, the native engine {decision.outcome.value}",
                    "the native engine is the source of truth: use its decision "
                    "(watcher.explain) and report the events that led here",
                )

    # --- reading -----------------------------------------------------------------------------

    def _state(self, candidate: str) -> PersonState:
        state = self._people.get(candidate)
        if state is None:
            raise stream_error(
                "KT702",
                f'unknown person "{candidate}"',
                "the watcher knows only people registered with person_registered",
            )
        return state

    def outcome(self, candidate: str, award: Award | str) -> Outcome:
        """The current outcome for (candidate, award); undetermined for an award not decided."""
        with self._lock:
            return self._state(candidate).outcomes.get(Award(award), Outcome.UNDETERMINED)

    def outcomes(self) -> dict[tuple[str, Award], Outcome]:
        """Every current outcome, by (candidate, award)."""
        with self._lock:
            return {
                (pid, a): state.outcomes.get(a, Outcome.UNDETERMINED)
                for pid, state in self._people.items()
                for a in self.awards
            }

    def people(self) -> tuple[str, ...]:
        """Ids of the registered people, in order of registration."""
        with self._lock:
            return tuple(self._people)

    def record(self, candidate: str) -> Person:
        """The person as the events so far describe them (the batch-format `Person`)."""
        with self._lock:
            return self._state(candidate).record()

    def explain(self, candidate: str, award: Award | str) -> Decision:
        """The native engine's decision for (candidate, award) on the current facts.

        The backend never explains itself: this is the decision `khenthuong check` would give
        for a batch holding this person's record, with its trace, citations and what is missing.
        """
        with self._lock:
            person = self._state(candidate).record()
            return Evaluation(self.plan, self._solo(person)).decide(candidate, Award(award))

    def to_batch(self, *, nominate: bool = True) -> Batch:
        """The records so far as a batch (nominating everyone for every decided award)."""
        with self._lock:
            people = tuple(state.record() for state in self._people.values())
            nominations = tuple(
                Nomination(candidate=p.id, award=a) for p in people for a in self.awards
            )
            return Batch(
                batch=self.header, people=people, nominations=nominations if nominate else ()
            )

    def cross_check(self) -> list[Mismatch]:
        """Outcomes on which this watcher and a native batch evaluation disagree (none, normally)."""
        with self._lock:
            native = evaluate_nominations(self.plan, self.to_batch())
            current = self.outcomes()
            return [
                Mismatch(d.candidate, d.award, current[(d.candidate, d.award)], d.outcome)
                for d in native.decisions
                if current[(d.candidate, d.award)] is not d.outcome
            ]

    @property
    def ruleset_name(self) -> str | None:
        """The durable_rules ruleset's name (None for the native backend)."""
        return self._durable.name if self._durable is not None else None

    # --- lifetime ----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise stream_error("KT706", "the watcher is closed", "create a new Watcher")

    def close(self) -> None:
        """Free the durable_rules ruleset; the watcher accepts no more events."""
        with self._lock:
            self._closed = True
            if self._durable is not None:
                self._durable.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Watcher(pack={self.pack.id!r}, year={self.year}, date={self.date.isoformat()}, "
            f"backend={self.backend!r}, people={len(self._people)})"
        )
