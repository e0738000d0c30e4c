"""Evaluate a batch with a compiled plan: decisions for every nomination, in a stable order.

Titles of the judged year that a rule reads (this year's LĐTT for CSTĐCS, members' LĐTT for a
collective) are decided by the same plan first and memoised, so each is evaluated once per batch.
An `Evaluation` is local to one call: nothing is shared between threads except the read-only plan.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from khenthuong.engine.compile import CompiledRule, Node, Plan
from khenthuong.engine.decision import OUTCOME_OF, Decision
from khenthuong.engine.facts import BatchIndex, Fact, SubjectView
from khenthuong.engine.predicates import Context
from khenthuong.errors import EvaluationError
from khenthuong.model.batch import Batch
from khenthuong.model.movement import Movement
from khenthuong.model.vocab import AWARD_SUBJECTS, Award, Outcome, SubjectKind
from khenthuong.periods import Truth

_FIRST = operator.itemgetter(0)
_TRUTH_OF: dict[Outcome, Truth] = {
    Outcome.ELIGIBLE: True,
    Outcome.INELIGIBLE: False,
    Outcome.UNDETERMINED: None,
}
AWARD_ORDER = {a: i for i, a in enumerate(Award)}


Combiner = Callable[[tuple[Truth, ...]], Truth]
Kernel = tuple[
    CompiledRule,
    tuple[Callable[[SubjectView, Context], Truth], ...],
    Callable[[tuple[Truth, ...]], tuple[tuple[Truth, ...], Outcome]],
]


def _all_of(parts: tuple[Combiner, ...]) -> Combiner:
    """Three-valued AND of the parts (the children's truths are all computed: no short cut)."""
    if len(parts) == 1:
        return parts[0]

    def value(truths: tuple[Truth, ...]) -> Truth:
        vals = [p(truths) for p in parts]
        if False in vals:
            return False
        return None if None in vals else True

    return value


def _any_of(parts: tuple[Combiner, ...]) -> Combiner:
    def value(truths: tuple[Truth, ...]) -> Truth:
        vals = [p(truths) for p in parts]
        if True in vals:
            return True
        return None if None in vals else False

    return value


def _not_of(part: Combiner) -> Combiner:
    def value(truths: tuple[Truth, ...]) -> Truth:
        v = part(truths)
        return None if v is None else not v

    return value


def combiner(node: Node) -> Combiner:
    """A function computing `node.value(truths)`, with the tree walked once, here."""
    if node.kind == "leaf":
        return operator.itemgetter(node.leaf)
    parts = tuple(combiner(c) for c in node.children)
    if node.kind == "all":
        return _all_of(parts)
    if node.kind == "any":
        return _any_of(parts)
    return _not_of(parts[0])


# Outcomes remembered per rule for this many distinct combinations of leaf truths (few occur).
OUTCOME_CACHE = 4096


def kernel(rule: CompiledRule, ctx: Context) -> Kernel:
    """What deciding with `rule` in `ctx` runs: each leaf's `holds` bound to `ctx`, the outcome.

    The outcome depends only on the tuple of leaf truths, and few distinct tuples occur in a batch,
    so it is remembered per tuple (up to `OUTCOME_CACHE` of them), with one shared copy of the
    tuple that decisions keep (a large batch then holds a few hundred tuples, not millions).
    """
    combine = _all_of(tuple(combiner(c.node) for c in rule.criteria))
    cache: dict[tuple[Truth, ...], tuple[tuple[Truth, ...], Outcome]] = {}

    def outcome(truths: tuple[Truth, ...]) -> tuple[tuple[Truth, ...], Outcome]:
        found = cache.get(truths)
        if found is None:
            found = (truths, OUTCOME_OF[combine(truths)])
            if len(cache) < OUTCOME_CACHE:
                cache[truths] = found
        return found

    return rule, tuple(leaf.bind(ctx) for leaf in rule.leaves), outcome


# Sentinels: a memo entry being decided, and a rule not yet looked up (typed Any to share the
# dictionaries of decisions and kernels).
_BUSY: Any = object()
_MISSING: Any = object()


class Evaluation:
    """One batch under one plan; decides (candidate, award) pairs on demand, each once.

    Each decision keeps the truth of each predicate of its rule (computed by the predicates' fast
    `holds`), from which its outcome follows; the facts behind them are read again only when a
    trace is asked for (`Decision.results`).
    """

    def __init__(
        self,
        plan: Plan,
        batch: Batch,
        index: BatchIndex | None = None,
        movement: Movement | None = None,
    ) -> None:
        self.plan = plan
        self.batch = batch
        # The emulation movement the batch names (`batch.movement`), read by the `targets`
        # predicate and the ranking's `targets` key; None when the batch names none.
        self.movement = movement
        self.year: int = batch.batch.year
        self.date: dt.date = plan.date
        self.index = index or BatchIndex(batch)
        # Decisions by award and candidate; `_BUSY` while one is being decided (cycle guard).
        self._memo: dict[Award, dict[str, Decision]] = {}
        self._kernels: dict[tuple[Award, SubjectKind], Kernel | None] = {}

    def title(self, view: SubjectView, award: Award, year: int) -> tuple[Truth, Fact]:
        """Whether `view` holds `award` in `year`: derived for the judged year, else recorded."""
        if year == self.year and (award, view.kind) in self.plan.rules:
            truth = _TRUTH_OF[self.decide(view.id, award).outcome]
            return truth, Fact("title", year, truth, f"derived:{award.value}[{view.id}]")
        held = self.title_truth(view, award, year)
        return held, Fact("title", year, held, f"{view.path}.history[{year}].titles")

    def title_truth(self, view: SubjectView, award: Award, year: int) -> Truth:
        """`title(...)[0]` without its fact (what predicates' fast path reads)."""
        if year == self.year:
            decided = self._memo.get(award)
            done = decided.get(view.id) if decided is not None else None
            if done is not None and done is not _BUSY and done.rule is not None:
                return _TRUTH_OF[done.outcome]
            if (award, view.kind) in self.plan.rules:
                return _TRUTH_OF[self.decide(view.id, award).outcome]
        rec = view.years.get(year)
        if rec is not None and award in rec.titles:
            return True
        commendations = view.record.commendations
        if commendations:
            for c in commendations:
                if c.award == award and c.year == year:
                    return True
        return False

    def title_truths(self, views: Iterable[SubjectView], award: Award, year: int) -> list[Truth]:
        """`title_truth` of each of `views` for one award and year (counting a quota's base).

        Titles already decided are read straight from the memo.
        """
        if year != self.year:
            return [self.title_truth(v, award, year) for v in views]
        memo = self.memo_for(award)
        out: list[Truth] = []
        for v in views:
            done = memo.get(v.id)
            if done is None or done is _BUSY or done.rule is None:
                out.append(self.title_truth(v, award, year))
            else:
                out.append(_TRUTH_OF[done.outcome])
        return out

    def decide(self, candidate: str, award: Award) -> Decision:
        memo = self._memo.get(award)
        if memo is None:
            memo = self._memo[award] = {}
        done = memo.get(candidate)
        if done is not None:
            if done is _BUSY:  # the compiler rejects cycles; this guards hand-built plans
                raise EvaluationError(
                    f"cyclic dependency while deciding {award.value} for {candidate}"
                )
            return done
        return self._take(self.index.subjects[candidate], award, memo)

    def memo_for(self, award: Award) -> dict[str, Decision]:
        """The decisions of `award` taken so far, by candidate (live: grows as more are taken)."""
        memo = self._memo.get(award)
        if memo is None:
            memo = self._memo[award] = {}
        return memo

    def _take(self, view: SubjectView, award: Award, memo: dict[str, Decision]) -> Decision:
        """Decide `award` for `view`, not yet in `memo` (the award's decisions), and remember it."""
        candidate = view.id
        memo[candidate] = _BUSY
        try:
            found = self._kernels.get((award, view.kind), _MISSING)
            if found is _MISSING:
                found = self._kernel(award, view.kind)
            if found is None:
                decision = self._undecided(view, award)
            else:
                rule, holds, outcome = found
                truths, result = outcome(tuple([h(view, self) for h in holds]))
                decision = Decision(
                    candidate,
                    view.record.name,
                    view.kind,
                    award,
                    self.year,
                    self.date,
                    result,
                    rule,
                    None,
                    None,
                    truths,
                    (view, self),
                )
        except BaseException:
            del memo[candidate]
            raise
        memo[candidate] = decision
        return decision

    def clear(self) -> None:
        """Forget the decisions taken (they refer back to this evaluation, a reference cycle).

        For long runs that evaluate batch after batch: memory is then freed at once, without
        waiting for the cyclic garbage collector. Decisions already handed out keep working.
        """
        self._memo.clear()

    def _kernel(self, award: Award, kind: SubjectKind) -> Kernel | None:
        key = (award, kind)
        try:
            return self._kernels[key]
        except KeyError:
            rule = self.plan.rule_for(award, kind)
            found = self._kernels[key] = kernel(rule, self) if rule is not None else None
            return found

    def _undecided(self, view: SubjectView, award: Award) -> Decision:
        """The decision when no rule of the plan decides `award` for this kind of subject."""
        return Decision(
            view.id,
            view.record.name,
            view.kind,
            award,
            self.year,
            self.date,
            Outcome.UNDETERMINED,
            None,
            (),
            note=f"no rule of pack {self.plan.pack.id} decides {award.value} for a "
            f"{view.kind.value} on {self.date.isoformat()}",
        )


# One award to decide for a candidate: the award, its decisions so far, its nominated pairs.
_Step = tuple[Award, dict[str, Decision], list[tuple[str, Decision]]]


@dataclass(frozen=True, slots=True)
class Evaluated:
    """Decisions for a batch's nominations, in a stable order (award, then candidate)."""

    plan: Plan
    decisions: tuple[Decision, ...]
    evaluation: Evaluation


def evaluate_nominations(
    plan: Plan,
    batch: Batch,
    progress: Callable[[int, int], None] | None = None,
    *,
    movement: Movement | None = None,
) -> Evaluated:
    """Decide every nomination of `batch` (duplicates decided once) with `plan`.

    `progress`, if given, is called with (nominations done, nominations) as each is decided (for
    progress bars); `movement` is the emulation movement the batch names
    (`movements.catalog.movement_for`).
    """
    ev = Evaluation(plan, batch, movement=movement)
    subjects = ev.index.subjects
    # Nominations read in one pass, each run of one candidate's nominations kept together: the
    # candidate's awards are then decided one after another while that record is in the CPU's
    # cache (deciding award by award would re-read every record from memory once per award).
    # Decisions do not depend on the order they are taken in: each is memoised, and what one
    # reads (this year's titles) is decided on demand.
    runs: list[tuple[str, list[Award]]] = []
    last: str | None = None
    awards: list[Award] = []
    for n in batch.nominations:
        if n.candidate != last:
            last = n.candidate
            awards = [n.award]
            runs.append((last, awards))
        else:
            awards.append(n.award)
    # Per award: its decisions so far, the (candidate, decision) pairs nominated, and whether a
    # candidate may appear twice among them (a nomination repeated, or decided before it came up).
    memos: dict[Award, dict[str, Decision]] = {}
    taken: dict[Award, list[tuple[str, Decision]]] = {}
    repeated: set[Award] = set()
    # What to decide for a (kind, nominated awards) pair, worked out once: the awards for that
    # kind of subject, in dependency order, with their memo and pairs.
    steps_for: dict[tuple[SubjectKind, tuple[Award, ...]], tuple[_Step, ...]] = {}
    total = len(batch.nominations) if progress is not None else 0
    take = ev._take
    done = 0
    for candidate, wanted in runs:
        view = subjects[candidate]
        key = (view.kind, tuple(wanted))
        steps = steps_for.get(key)
        if steps is None:
            fitting = sorted(
                {a for a in wanted if view.kind in AWARD_SUBJECTS[a]}, key=AWARD_ORDER.__getitem__
            )
            for a in fitting:
                if a not in memos:
                    memos[a] = ev.memo_for(a)
                    taken[a] = []
            steps = steps_for[key] = tuple((a, memos[a], taken[a]) for a in fitting)
        for award, memo, pairs in steps:
            decision = memo.get(candidate)
            if decision is None:
                decision = take(view, award, memo)
            else:
                repeated.add(award)
            pairs.append((candidate, decision))
        if progress is not None:
            for _ in wanted:
                done += 1
                progress(done, total)
    decisions: list[Decision] = []
    for award in sorted(taken, key=AWARD_ORDER.__getitem__):
        pairs = taken[award]
        pairs.sort(key=_FIRST)  # stable: a candidate nominated twice keeps its first pair
        if award not in repeated:
            decisions += [d for _, d in pairs]
            continue
        previous: str | None = None
        for candidate, decision in pairs:
            if candidate != previous:
                decisions.append(decision)
                previous = candidate
    return Evaluated(plan, tuple(decisions), ev)
