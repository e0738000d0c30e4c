"""Evaluate a batch with a compiled plan: decisions for every nomination, in a stable order.

Titles of the judged year that a rule reads (this year's LĐTT for CSTĐCS, members' LĐTT for a
collective) are decided by the same plan first and memoised, so each is evaluated once per batch.
An `Evaluation` is local to one call: nothing is shared between threads except the read-only plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from khenthuong.engine.compile import Plan
from khenthuong.engine.decision import OUTCOME_OF, Decision
from khenthuong.engine.facts import BatchIndex, Fact, SubjectView
from khenthuong.errors import EvaluationError
from khenthuong.model.batch import Batch
from khenthuong.model.vocab import AWARD_SUBJECTS, Award, Outcome
from khenthuong.periods import Truth

_TRUTH_OF: dict[Outcome, Truth] = {
    Outcome.ELIGIBLE: True,
    Outcome.INELIGIBLE: False,
    Outcome.UNDETERMINED: None,
}
AWARD_ORDER = {a: i for i, a in enumerate(Award)}


class Evaluation:
    """One batch under one plan; decides (candidate, award) pairs on demand, each once."""

    def __init__(self, plan: Plan, batch: Batch, index: BatchIndex | None = None) -> None:
        self.plan = plan
        self.batch = batch
        self.year: int = batch.batch.year
        self.date: dt.date = plan.date
        self.index = index or BatchIndex(batch)
        self._memo: dict[tuple[str, Award], Decision] = {}
        self._busy: set[tuple[str, Award]] = set()

    def title(self, view: SubjectView, award: Award, year: int) -> tuple[Truth, Fact]:
        """Whether `view` holds `award` in `year`: derived for the judged year, else recorded."""
        if year == self.year and (award, view.kind) in self.plan.rules:
            truth = _TRUTH_OF[self.decide(view.id, award).outcome]
            return truth, Fact("title", year, truth, f"derived:{award.value}[{view.id}]")
        rec = view.years.get(year)
        held = (rec is not None and award in rec.titles) or any(
            c.award == award and c.year == year for c in view.record.commendations
        )
        return held, Fact("title", year, held, f"{view.path}.history[{year}].titles")

    def decide(self, candidate: str, award: Award) -> Decision:
        key = (candidate, award)
        done = self._memo.get(key)
        if done is not None:
            return done
        if key in self._busy:  # the compiler rejects cycles; this guards hand-built plans
            raise EvaluationError(f"cyclic dependency while deciding {award.value} for {candidate}")
        self._busy.add(key)
        try:
            decision = self._decide(candidate, award)
        finally:
            self._busy.discard(key)
        self._memo[key] = decision
        return decision

    def _decide(self, candidate: str, award: Award) -> Decision:
        view = self.index.subjects[candidate]
        rule = self.plan.rule_for(award, view.kind)
        name = view.record.name
        if rule is None:
            return Decision(
                candidate,
                name,
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
        results = tuple(leaf.evaluate(view, self) for leaf in rule.leaves)
        outcome = OUTCOME_OF[rule.outcome(tuple(r.holds for r in results))]
        return Decision(
            candidate, name, view.kind, award, self.year, self.date, outcome, rule, results
        )


@dataclass(frozen=True, slots=True)
class Evaluated:
    """Decisions for a batch's nominations, in a stable order (award, then candidate)."""

    plan: Plan
    decisions: tuple[Decision, ...]
    evaluation: Evaluation


def evaluate_nominations(
    plan: Plan, batch: Batch, progress: Callable[[int, int], None] | None = None
) -> Evaluated:
    """Decide every nomination of `batch` (duplicates decided once) with `plan`.

    `progress`, if given, is called with (decided, total) after each decision (for progress bars).
    """
    ev = Evaluation(plan, batch)
    pairs = sorted(
        {
            (n.award, n.candidate)
            for n in batch.nominations
            if ev.index.subjects[n.candidate].kind in AWARD_SUBJECTS[n.award]
        },
        key=lambda p: (AWARD_ORDER[p[0]], p[1]),
    )
    decisions = []
    for done, (a, c) in enumerate(pairs, start=1):
        decisions.append(ev.decide(c, a))
        if progress is not None:
            progress(done, len(pairs))
    return Evaluated(plan, tuple(decisions), ev)
