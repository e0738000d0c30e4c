"""Columnar evaluation of a batch's people with numpy (the `fast` extra).

`evaluate_vector(plan, batch, awards)` reads the people of a batch once into columns
(`PeopleColumns`: ratings and titles by year, and flat arrays of initiatives, disciplines, pending
cases and commendations), then decides each award for everyone at once: every predicate (leaf) of
the rule gives one array of truths, and the rule's criteria combine those arrays. The result keeps
the truth of every leaf for every person, so any decision can be rebuilt as a normal `Decision`
(`VectorResult.decision`), whose facts are read again from the batch when its trace is shown, as
for the per-record path.

Truths are coded as small integers, `F = 0`, `U = 1` (unknown), `T = 2`, so that three-valued AND
is `minimum`, OR is `maximum` and NOT is `2 - x` (Kleene's logic, as in `khenthuong.periods`).

Vectorised predicates: see `VECTORISED`. Any other predicate (one added later, or one reading a
unit's members) is evaluated person by person with its `holds` for that leaf only: correct, slower.
Only people are decided here; units and households take the per-record path.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from khenthuong.engine import predicates as preds
from khenthuong.engine.compile import CompiledRule, Node, Plan
from khenthuong.engine.decision import Decision
from khenthuong.engine.facts import BatchIndex, Fact, SubjectView
from khenthuong.model.batch import Batch
from khenthuong.model.subjects import Attestations, Person
from khenthuong.model.vocab import (
    DISCIPLINE_ORDER,
    RATING_ORDER,
    SCOPE_ORDER,
    Area,
    Award,
    InitiativeKind,
    Outcome,
    Rating,
    SubjectKind,
)
from khenthuong.periods import Truth

try:
    import numpy as np
except ModuleNotFoundError as exc:  # pragma: no cover - exercised only without the extra
    raise ModuleNotFoundError(
        "the vectorised path needs numpy: pip install 'khenthuong[fast]'", name=exc.name
    ) from None

if TYPE_CHECKING:
    import numpy.typing as npt

    Codes = npt.NDArray[np.uint8]
    Ints = npt.NDArray[np.int64]
    Bools = npt.NDArray[np.bool_]

F, U, T = 0, 1, 2
TRUTH_CODE: dict[Truth, int] = {False: F, None: U, True: T}
CODE_TRUTH: tuple[Truth, Truth, Truth] = (False, None, True)
CODE_OUTCOME = (Outcome.INELIGIBLE, Outcome.UNDETERMINED, Outcome.ELIGIBLE)
AWARD_CODE: dict[Award, int] = {a: i for i, a in enumerate(Award)}
AREA_CODE: dict[Area, int] = {a: i for i, a in enumerate(Area)}
_NO_DAY = np.iinfo(np.int64).max


def _ints(values: list[int]) -> Ints:
    return np.asarray(values, dtype=np.int64)


@dataclass(slots=True)
class PeopleColumns:
    """What the vectorised predicates read, one row per person (flat arrays carry an `owner` row).

    Unknown values are -1 (ratings, attestations, accepted/applied flags, recruitment) so that no
    fact the batch lacks is ever read as False.
    """

    n: int
    ratings: dict[int, Ints]  # year → RATING_ORDER of the recorded rating, -1 unknown
    t_owner: Ints  # recorded titles (history[].titles): owner, year, AWARD_CODE
    t_year: Ints
    t_award: Ints
    c_owner: Ints  # commendations: owner, year, AWARD_CODE
    c_year: Ints
    c_award: Ints
    i_owner: Ints  # initiatives: owner, year, research?, SCOPE_ORDER, accepted, applied (-1/0/1)
    i_year: Ints
    i_research: Bools
    i_scope: Ints
    i_accepted: Ints
    i_applied: Ints
    d_owner: Ints  # disciplines: owner, year decided, DISCIPLINE_ORDER, year the clock starts (-1)
    d_year: Ints
    d_form: Ints
    d_clock: Ints
    p_owner: Ints  # pending cases: owner, opened and closed as ordinals (closed: max if open)
    p_open: Ints
    p_close: Ints
    r_month: Ints  # recruited_on: year*12 + month-1, and day; -1 if unknown
    r_day: Ints
    frontline: Ints = field(default_factory=lambda: _ints([]))  # 1, 0, -1 unknown
    a_owner: Ints = field(default_factory=lambda: _ints([]))  # own `areas` flags: owner, code
    a_area: Ints = field(default_factory=lambda: _ints([]))
    attested: dict[str, Ints] = field(default_factory=dict)
    fields: dict[str, list[str | None]] = field(default_factory=dict)

    @classmethod
    def from_people(cls, people: Sequence[Person]) -> PeopleColumns:
        """Read `people` into columns (one pass in Python; everything after it is numpy)."""
        n = len(people)
        h_owner: list[int] = []
        h_year: list[int] = []
        h_rating: list[int] = []
        t: tuple[list[int], list[int], list[int]] = ([], [], [])
        c: tuple[list[int], list[int], list[int]] = ([], [], [])
        ini: tuple[list[int], list[int], list[bool], list[int], list[int], list[int]] = (
            [],
            [],
            [],
            [],
            [],
            [],
        )
        d: tuple[list[int], list[int], list[int], list[int]] = ([], [], [], [])
        pend: tuple[list[int], list[int], list[int]] = ([], [], [])
        r_month: list[int] = []
        r_day: list[int] = []
        att_names = tuple(Attestations.model_fields)
        att: dict[str, list[int]] = {a: [] for a in att_names}
        employment: list[str | None] = []
        position: list[str | None] = []
        gender: list[str | None] = []
        unit: list[str | None] = []
        commune: list[str | None] = []
        frontline: list[int] = []
        a_owner: list[int] = []
        a_area: list[int] = []
        flag = {True: 1, False: 0, None: -1}
        research = InitiativeKind.RESEARCH
        for i, p in enumerate(people):
            for h in p.history:
                h_owner.append(i)
                h_year.append(h.year)
                h_rating.append(-1 if h.rating is None else RATING_ORDER[h.rating])
                for a in h.titles:
                    t[0].append(i)
                    t[1].append(h.year)
                    t[2].append(AWARD_CODE[a])
            for cm in p.commendations:
                c[0].append(i)
                c[1].append(cm.year)
                c[2].append(AWARD_CODE[cm.award])
            for x in p.initiatives:
                ini[0].append(i)
                ini[1].append(x.year)
                ini[2].append(x.kind is research)
                ini[3].append(SCOPE_ORDER[x.scope])
                ini[4].append(flag[x.accepted])
                ini[5].append(flag[x.applied])
            for dd in p.disciplines:
                d[0].append(i)
                d[1].append(dd.decided_on.year)
                d[2].append(DISCIPLINE_ORDER[dd.form])
                ends = dd.ends_on
                d[3].append(
                    -1
                    if ends is None
                    else (ends.year if (ends.month, ends.day) == (1, 1) else ends.year + 1)
                )
            for pc in p.pending_cases:
                pend[0].append(i)
                pend[1].append(pc.opened_on.toordinal())
                pend[2].append(_NO_DAY if pc.closed_on is None else pc.closed_on.toordinal())
            r = p.recruited_on
            r_month.append(-1 if r is None else r.year * 12 + r.month - 1)
            r_day.append(-1 if r is None else r.day)
            attestations = p.attestations
            for name in att_names:
                att[name].append(flag[getattr(attestations, name)])
            employment.append(None if p.employment is None else p.employment.value)
            position.append(None if p.position is None else p.position.value)
            gender.append(None if p.gender is None else p.gender.value)
            unit.append(p.unit)
            commune.append(p.commune)
            frontline.append(flag[p.frontline])
            for area in p.areas:
                a_owner.append(i)
                a_area.append(AREA_CODE[area])
        owners, years, codes = _ints(h_owner), _ints(h_year), _ints(h_rating)
        ratings: dict[int, Ints] = {}
        for y in np.unique(years).tolist():
            column = np.full(n, -1, dtype=np.int64)
            pick = years == y
            column[owners[pick]] = codes[pick]
            ratings[int(y)] = column
        return cls(
            n=n,
            ratings=ratings,
            t_owner=_ints(t[0]),
            t_year=_ints(t[1]),
            t_award=_ints(t[2]),
            c_owner=_ints(c[0]),
            c_year=_ints(c[1]),
            c_award=_ints(c[2]),
            i_owner=_ints(ini[0]),
            i_year=_ints(ini[1]),
            i_research=np.asarray(ini[2], dtype=np.bool_),
            i_scope=_ints(ini[3]),
            i_accepted=_ints(ini[4]),
            i_applied=_ints(ini[5]),
            d_owner=_ints(d[0]),
            d_year=_ints(d[1]),
            d_form=_ints(d[2]),
            d_clock=_ints(d[3]),
            p_owner=_ints(pend[0]),
            p_open=_ints(pend[1]),
            p_close=_ints(pend[2]),
            r_month=_ints(r_month),
            r_day=_ints(r_day),
            frontline=_ints(frontline),
            a_owner=_ints(a_owner),
            a_area=_ints(a_area),
            attested={k: _ints(v) for k, v in att.items()},
            fields={
                "employment": employment,
                "position": position,
                "gender": gender,
                "unit": unit,
                "commune": commune,
            },
        )

    # ------------------------------------------------------------------ reductions

    def any_of(self, owners: Ints) -> Bools:
        """Per person: whether `owners` (rows of flat items passing a test) names it."""
        out = np.zeros(self.n, dtype=np.bool_)
        out[owners] = True
        return out

    def count_of(self, owners: Ints) -> Ints:
        return np.bincount(owners, minlength=self.n).astype(np.int64)

    def rating(self, year: int) -> Ints:
        found = self.ratings.get(year)
        return found if found is not None else np.full(self.n, -1, dtype=np.int64)

    def recorded(self, award: Award, year: int) -> Bools:
        """`Evaluation.title` for a year not derived: the title recorded in history or received."""
        code = AWARD_CODE[award]
        held = self.any_of(self.t_owner[(self.t_year == year) & (self.t_award == code)])
        held |= self.any_of(self.c_owner[(self.c_year == year) & (self.c_award == code)])
        return held

    def since(self, award: Award | None, first: int) -> Bools:
        """`predicates.since_truth` for everyone."""
        if award is None:
            return np.ones(self.n, dtype=np.bool_)
        code = AWARD_CODE[award]
        held = self.any_of(self.c_owner[(self.c_year < first) & (self.c_award == code)])
        held |= self.any_of(self.t_owner[(self.t_year < first) & (self.t_award == code)])
        return held


def _codes(truth: Bools) -> Codes:
    return np.where(truth, T, F).astype(np.uint8)


def _with_unknown(known: Bools, truth: Bools) -> Codes:
    return np.where(known, np.where(truth, T, F), U).astype(np.uint8)


def _at_least(sure: Ints, unknown: Ints, need: int) -> Codes:
    """`predicates.at_least3` for everyone."""
    return np.where(sure >= need, T, np.where(sure + unknown < need, F, U)).astype(np.uint8)


def _gate(since: Bools, codes: Codes) -> Codes:
    """all3([since, codes]) with `since` definite."""
    return np.where(since, codes, F).astype(np.uint8)


def _rating_codes(cols: PeopleColumns, year: int, level: int) -> Codes:
    r = cols.rating(year)
    return _with_unknown(r >= 0, r >= level)


def _all(parts: Iterable[Codes], n: int) -> Codes:
    out = np.full(n, T, dtype=np.uint8)
    for p in parts:
        np.minimum(out, p, out=out)
    return out


class _Kernels:
    """The vectorised predicates: one method per predicate class, giving a truth-code array."""

    def __init__(self, cols: PeopleColumns, year: int, day: dt.date, titles: TitleSource) -> None:
        self.cols = cols
        self.year = year
        self.day = day
        self.titles = titles

    def run(self, leaf: preds.Predicate) -> Codes | None:
        method: Callable[[Any], Codes] | None = getattr(self, f"_{type(leaf).__name__}", None)
        return None if method is None else method(leaf)

    def _RatingIs(self, p: preds.RatingIs) -> Codes:  # noqa: N802 - named after the class
        return _rating_codes(self.cols, self.year + p.offset, RATING_ORDER[p.at_least])

    def _EffectiveRating(self, p: preds.EffectiveRating) -> Codes:  # noqa: N802
        year = self.year + p.offset
        cols = self.cols
        hit = cols.any_of(cols.d_owner[cols.d_year == year])
        recorded = _rating_codes(cols, year, RATING_ORDER[p.at_least])
        forced = T if RATING_ORDER[Rating.KHTNV] >= RATING_ORDER[p.at_least] else F
        return np.where(hit, forced, recorded).astype(np.uint8)

    def _RatingStreak(self, p: preds.RatingStreak) -> Codes:  # noqa: N802
        first = self.year + p.ending - p.years + 1
        level = RATING_ORDER[p.at_least]
        codes = _all(
            (_rating_codes(self.cols, y, level) for y in range(first, first + p.years)), self.cols.n
        )
        return _gate(self.cols.since(p.since_commendation, first), codes)

    def _TitleHeld(self, p: preds.TitleHeld) -> Codes:  # noqa: N802
        return self.titles.codes(p.award, self.year + p.offset)

    def _TitleStreak(self, p: preds.TitleStreak) -> Codes:  # noqa: N802
        span = range(self.year + p.ending - p.years + 1, self.year + p.ending + 1)
        return _all((self.titles.codes(p.award, y) for y in span), self.cols.n)

    def _TitleCount(self, p: preds.TitleCount) -> Codes:  # noqa: N802
        last = self.year + p.ending
        first = last - p.within_years + 1
        sure = np.zeros(self.cols.n, dtype=np.int64)
        unknown = np.zeros(self.cols.n, dtype=np.int64)
        for y in range(first, last + 1):
            codes = self.titles.codes(p.award, y)
            sure += codes == T
            unknown += codes == U
        return _gate(
            self.cols.since(p.since_commendation, first), _at_least(sure, unknown, p.at_least)
        )

    def _Initiatives(self, p: preds.Initiatives) -> Codes:  # noqa: N802
        cols = self.cols
        last = self.year + p.ending
        first = last - p.within_years + 1
        kinds = set(p.kinds)
        pick = (
            (cols.i_year >= first) & (cols.i_year <= last) & (cols.i_scope >= SCOPE_ORDER[p.scope])
        )
        if InitiativeKind.RESEARCH not in kinds:
            pick &= ~cols.i_research
        if InitiativeKind.INITIATIVE not in kinds:
            pick &= cols.i_research
        # value = all3(accepted (research, if required), applied (if required)); -1 is unknown
        value = np.ones(len(cols.i_owner), dtype=np.int64)
        if p.research_accepted:
            value = np.where(cols.i_research, np.minimum(value, cols.i_accepted), value)
        if p.applied:
            value = np.minimum(value, cols.i_applied)
        # three-valued minimum with -1 as unknown: False (0) wins over unknown (-1)
        is_false = pick & (
            ((cols.i_research & p.research_accepted) & (cols.i_accepted == 0))
            | ((cols.i_applied == 0) & p.applied)
        )
        is_true = pick & (value == 1)
        is_unknown = pick & ~is_false & ~is_true
        sure = cols.count_of(cols.i_owner[is_true])
        unknown = cols.count_of(cols.i_owner[is_unknown])
        return _gate(cols.since(p.since_commendation, first), _at_least(sure, unknown, p.at_least))

    def _CommendationHeld(self, p: preds.CommendationHeld) -> Codes:  # noqa: N802
        cols = self.cols
        end = self.year + p.ending
        start = end - p.within_years + 1 if p.within_years else -10_000
        code = AWARD_CODE[p.award]
        c = (cols.c_year >= start) & (cols.c_year <= end) & (cols.c_award == code)
        t = (cols.t_year >= start) & (cols.t_year <= end) & (cols.t_award == code)
        return _codes(cols.any_of(cols.c_owner[c]) | cols.any_of(cols.t_owner[t]))

    def _Tenure(self, p: preds.Tenure) -> Codes:  # noqa: N802
        cols = self.cols
        day = self.day
        target = cols.r_month + p.months_at_least
        now = day.year * 12 + day.month - 1
        last = calendar.monthrange(day.year, day.month)[1]
        # add_months(start, m) <= day: by month first; in the same month by the (clamped) day
        same = np.minimum(cols.r_day, last) <= day.day
        ok = (target < now) | ((target == now) & same)
        return _with_unknown(cols.r_month >= 0, ok)

    def _Disciplined(self, p: preds.Disciplined) -> Codes:  # noqa: N802
        cols = self.cols
        last = self.year + p.ending
        first = last - p.within_years + 1
        pick = (cols.d_year >= first) & (cols.d_year <= last)
        if pick.any():
            pick &= cols.d_form >= DISCIPLINE_ORDER[p.at_least]
        return _codes(cols.any_of(cols.d_owner[pick]))

    def _DisciplineClock(self, p: preds.DisciplineClock) -> Codes:  # noqa: N802
        cols = self.cols
        last = self.year + p.ending
        first = last - p.years + 1
        counted = cols.d_year <= last
        unknown = counted & (cols.d_clock < 0)
        failed = counted & (cols.d_clock >= 0) & (first < cols.d_clock)
        out = np.full(cols.n, T, dtype=np.uint8)
        out[cols.d_owner[unknown]] = U
        out[cols.d_owner[failed]] = F
        return out

    def _NoPendingCase(self, p: preds.NoPendingCase) -> Codes:  # noqa: N802
        cols = self.cols
        day = self.day.toordinal()
        open_ = (cols.p_open <= day) & (day < cols.p_close)
        return np.where(cols.any_of(cols.p_owner[open_]), U, T).astype(np.uint8)

    def _Attested(self, p: preds.Attested) -> Codes:  # noqa: N802
        column = self.cols.attested[p.criterion.value]
        return _with_unknown(column >= 0, column == 1)

    def _FieldIn(self, p: preds.FieldIn) -> Codes | None:  # noqa: N802
        values = self.cols.fields.get(p.field_name)
        if values is None:
            return None
        allowed = set(p.allowed)
        return np.fromiter(
            (U if v is None else (T if v in allowed else F) for v in values),
            dtype=np.uint8,
            count=len(values),
        )

    def _Unsettled(self, p: preds.Unsettled) -> Codes:  # noqa: N802
        return np.full(self.cols.n, U, dtype=np.uint8)


VECTORISED: tuple[str, ...] = tuple(
    sorted(name[1:] for name in vars(_Kernels) if name[:1] == "_" and name[1:2].isupper())
)


class TitleSource:
    """Titles by year for everyone: derived (from this evaluation) for the judged year, else recorded."""

    def __init__(self, cols: PeopleColumns, year: int, plan: Plan) -> None:
        self.cols = cols
        self.year = year
        self.plan = plan
        self.derived: dict[Award, Codes] = {}

    def codes(self, award: Award, year: int) -> Codes:
        if year == self.year and (award, SubjectKind.PERSON) in self.plan.rules:
            return self.derived[award]
        return _codes(self.cols.recorded(award, year))


class VectorContext:
    """The `Context` that rebuilt (and fallback) leaves read: titles come from the arrays.

    Its `index` (a `BatchIndex`, needed only to rebuild traces or run a leaf that has no
    vectorised form) is built on first use.
    """

    def __init__(
        self,
        plan: Plan,
        batch: Batch,
        year: int,
        rows: dict[str, int],
        titles: TitleSource,
        index: BatchIndex | None = None,
    ) -> None:
        self.plan = plan
        self.batch = batch
        self.year = year
        self.date = plan.date
        self.rows = rows
        self.titles = titles
        self._index = index

    @property
    def index(self) -> BatchIndex:
        if self._index is None:
            self._index = BatchIndex(self.batch)
        return self._index

    def title_truth(self, view: SubjectView, award: Award, year: int) -> Truth:
        if year == self.year and (award, view.kind) in self.plan.rules:
            row = self.rows.get(view.id)
            if (
                view.kind is not SubjectKind.PERSON
                or row is None
                or award not in self.titles.derived
            ):
                raise KeyError(
                    f"{award.value} for {view.id} was not decided by the vectorised path"
                )
            return CODE_TRUTH[int(self.titles.derived[award][row])]
        rec = view.years.get(year)
        if rec is not None and award in rec.titles:
            return True
        return any(c.award == award and c.year == year for c in view.record.commendations)

    def title(self, view: SubjectView, award: Award, year: int) -> tuple[Truth, Fact]:
        truth = self.title_truth(view, award, year)
        if year == self.year and (award, view.kind) in self.plan.rules:
            return truth, Fact("title", year, truth, f"derived:{award.value}[{view.id}]")
        return truth, Fact("title", year, truth, f"{view.path}.history[{year}].titles")


@dataclass(slots=True)
class AwardArrays:
    """One award decided for everyone: the rule, each leaf's truth codes, and the outcome codes."""

    rule: CompiledRule
    leaves: Codes  # shape (people, leaves)
    outcome: Codes
    vectorised: tuple[bool, ...]


@dataclass(slots=True)
class VectorResult:
    """Decisions of every person for the awards asked, kept as arrays; decisions rebuilt on demand."""

    plan: Plan
    batch: Batch
    columns: PeopleColumns
    ids: list[str]
    rows: dict[str, int]
    awards: dict[Award, AwardArrays]
    context: VectorContext

    @property
    def index(self) -> BatchIndex:
        return self.context.index

    def outcomes(self, award: Award) -> list[Outcome]:
        """The outcome of `award` for each person, in the batch's order."""
        return [CODE_OUTCOME[c] for c in self.awards[award].outcome.tolist()]

    def truths(self, row: int, award: Award) -> tuple[Truth, ...]:
        return tuple(CODE_TRUTH[c] for c in self.awards[award].leaves[row].tolist())

    def decision(self, who: int | str, award: Award) -> Decision:
        """A normal `Decision` (truths from the arrays; facts read again when asked)."""
        row = self.rows[who] if isinstance(who, str) else who
        arrays = self.awards[award]
        view = self.index.subjects[self.ids[row]]
        return Decision(
            view.id,
            view.record.name,
            view.kind,
            award,
            self.context.year,
            self.plan.date,
            CODE_OUTCOME[int(arrays.outcome[row])],
            arrays.rule,
            None,
            None,
            self.truths(row, award),
            (view, self.context),
        )

    def decisions(self, award: Award) -> list[Decision]:
        return [self.decision(i, award) for i in range(len(self.ids))]

    def vectorised(self) -> dict[str, bool]:
        """For each predicate tag used: whether it ran vectorised (else per person)."""
        out: dict[str, bool] = {}
        for arrays in self.awards.values():
            for leaf, fast in zip(arrays.rule.leaves, arrays.vectorised, strict=True):
                out[leaf.tag] = out.get(leaf.tag, True) and fast
        return out


def combine(node: Node, leaves: Codes, n: int) -> Codes:
    """`node.value` for everyone, from the leaf truth codes."""
    if node.kind == "leaf":
        return leaves[:, node.leaf]
    parts = [combine(c, leaves, n) for c in node.children]
    if node.kind == "all":
        return _all(parts, n)
    if node.kind == "any":
        out = np.full(n, F, dtype=np.uint8)
        for p in parts:
            np.maximum(out, p, out=out)
        return out
    return (T - parts[0]).astype(np.uint8)


def needed_awards(plan: Plan, awards: Iterable[Award]) -> list[Award]:
    """`awards` for people and the titles of the judged year they read, in dependency order."""
    want: set[Award] = set()
    stack = [a for a in awards if (a, SubjectKind.PERSON) in plan.rules]
    while stack:
        a = stack.pop()
        if a in want:
            continue
        want.add(a)
        for leaf in plan.rules[(a, SubjectKind.PERSON)].leaves:
            for dep, members in leaf.reads_titles():
                if not members and (dep, SubjectKind.PERSON) in plan.rules:
                    stack.append(dep)
    return [a for a, kind in plan.order if kind is SubjectKind.PERSON and a in want]


def evaluate_vector(
    plan: Plan,
    batch: Batch,
    awards: Iterable[Award],
    columns: PeopleColumns | None = None,
    index: BatchIndex | None = None,
) -> VectorResult:
    """Decide `awards` for every person of `batch` with `plan`, column by column.

    Args:
        plan: the compiled pack.
        batch: the batch (its people are decided; units and households are not).
        awards: the awards to decide (the titles they read are decided too).
        columns: `PeopleColumns.from_people(batch.people)` if already built.
        index: the batch's `BatchIndex` if already built (fallback leaves and traces read it).
    """
    people = batch.people
    cols = columns or PeopleColumns.from_people(people)
    year = batch.batch.year
    ids = [p.id for p in people]
    rows = {pid: i for i, pid in enumerate(ids)}
    titles = TitleSource(cols, year, plan)
    ctx = VectorContext(plan, batch, year, rows, titles, index)
    kernels = _Kernels(cols, year, plan.date, titles)
    views: list[SubjectView] | None = None
    decided: dict[Award, AwardArrays] = {}
    for award in needed_awards(plan, awards):
        rule = plan.rules[(award, SubjectKind.PERSON)]
        matrix = np.empty((cols.n, len(rule.leaves)), dtype=np.uint8)
        fast: list[bool] = []
        for j, leaf in enumerate(rule.leaves):
            codes = kernels.run(leaf)
            if codes is None:
                if views is None:
                    views = [ctx.index.subjects[pid] for pid in ids]
                holds = leaf.bind(ctx)
                codes = np.fromiter(
                    (TRUTH_CODE[holds(v, ctx)] for v in views), dtype=np.uint8, count=cols.n
                )
            matrix[:, j] = codes
            fast.append(type(leaf).__name__ in VECTORISED)
        outcome = _all((combine(c.node, matrix, cols.n) for c in rule.criteria), cols.n)
        titles.derived[award] = outcome
        decided[award] = AwardArrays(rule, matrix, outcome, tuple(fast))
    return VectorResult(plan, batch, cols, ids, rows, decided, ctx)
