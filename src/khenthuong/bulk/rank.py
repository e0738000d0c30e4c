"""Ranking under quotas without the batch-level findings, kept lean for very large batches.

`rank_batch` (khenthuong.ranking.run) ranks and then runs the findings over the whole batch; the bulk
path and the benchmark need the rankings of very large batches, chunk by chunk, where those
batch-wide checks are not wanted. `rank_decisions` (re-exported from `khenthuong.ranking.run`)
gives the same rankings; `rank_lean` the same places and order as plain values, from which
`LeanRanking.ranking()` rebuilds the full `Ranking` of a scope when it is shown (tests pin both).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import Any, cast

from khenthuong.engine.decision import Decision
from khenthuong.engine.evaluate import AWARD_ORDER, Evaluation
from khenthuong.engine.facts import SubjectView
from khenthuong.model.subjects import Person
from khenthuong.model.vocab import (
    RATING_ORDER,
    SCOPE_ORDER,
    Award,
    Gender,
    InitiativeKind,
    Outcome,
    SubjectKind,
)
from khenthuong.packs.registry import ResolvedPack
from khenthuong.ranking.policy import CompiledKey, CompiledQuota, RankingPlan, compile_policy
from khenthuong.ranking.priority import AreaClassifier, key_value
from khenthuong.ranking.quota import QuotaArithmetic, Scopes, arithmetic, count_base
from khenthuong.ranking.rank import Ranking, place_scope
from khenthuong.ranking.run import rank_decisions

__all__ = ["LeanRanking", "rank_decisions", "rank_lean"]

# --------------------------------------------------------------------------- lean ranking


@dataclass(frozen=True, slots=True)
class LeanRanking:
    """One capped award in one scope, ranked: what `Ranking` says, kept as plain values.

    `order` has the eligible candidates in rank order with their key scores; the first `slots`
    are selected. `ranking()` rebuilds the full `Ranking` (key values with their evidence, cut
    reasons) from the decisions when it is to be shown, as a decision rebuilds its facts.
    """

    award: Award
    quota: CompiledQuota
    arithmetic: QuotaArithmetic
    order: tuple[tuple[str, tuple[int, ...]], ...]
    members: tuple[str, ...]

    @property
    def slots(self) -> int:
        return self.arithmetic.slots

    def selected(self) -> frozenset[str]:
        return frozenset(c for c, _ in self.order[: self.slots])

    def rank_of(self, candidate: str) -> int | None:
        for i, (c, _) in enumerate(self.order):
            if c == candidate:
                return i + 1
        return None

    def ranking(
        self, pack: ResolvedPack, ev: Evaluation, plan: RankingPlan | None = None
    ) -> Ranking:
        """The full `Ranking` of this scope (as `rank_batch` gives it)."""
        plan = plan or compile_policy(pack, ev.date)
        priority = plan.priority_for(self.award)
        areas = AreaClassifier(plan, ev)
        decisions = [ev.decide(c, self.award) for c in self.members]
        values = {
            d.candidate: tuple(
                key_value(k, ev.index.subjects[d.candidate], ev, areas) for k in priority.keys
            )
            for d in decisions
            if d.outcome is Outcome.ELIGIBLE
        }
        return place_scope(decisions, self.arithmetic, priority, values)


Scorer = Callable[[SubjectView], int]


def _person_scorer(key: CompiledKey, ev: Evaluation, areas: AreaClassifier) -> Scorer:
    """A function giving a person's `key_value(key, view, ev, areas).score`, building no value.

    Worked out once per key, so scoring a person runs only that key's test; keys this module
    does not know go through `key_value`.
    """
    name = key.name
    year = ev.year
    if name == "frontline":
        return lambda view: int(view.record.frontline is True)  # type: ignore[union-attr]
    if name == "area":
        wanted = key.areas
        return lambda view: int(bool(areas.areas_of(view) & wanted))
    if name == "women":
        return lambda view: int(view.record.gender is Gender.NU)  # type: ignore[union-attr]
    if name == "rating_streak":
        level = RATING_ORDER[key.at_least]

        def streak(view: SubjectView) -> int:
            run = 0
            years = view.years
            while True:
                rec = years.get(year - run)
                rating = getattr(rec, "rating", None) if rec is not None else None
                if rating is None or RATING_ORDER[rating] < level:
                    return run
                run += 1

        return streak
    if name == "initiative_scope":
        first = year - key.within_years

        def scope(view: SubjectView) -> int:
            best = 0
            for ini in cast(Person, view.record).initiatives:
                if not first < ini.year <= year:
                    continue
                if ini.kind is InitiativeKind.RESEARCH and ini.accepted is not True:
                    continue
                best = max(best, SCOPE_ORDER[ini.scope] + 1)
            return best

        return scope
    return lambda view: key_value(key, view, ev, areas).score


_MISSING: Any = object()


def rank_lean(
    pack: ResolvedPack,
    ev: Evaluation,
    decisions: Sequence[Decision],
    plan: RankingPlan | None = None,
) -> tuple[LeanRanking, ...]:
    """The rankings `rank_decisions` gives, kept lean (`LeanRanking`): same places, same order.

    Capped awards only (an uncapped quota places nobody, as in `rank_batch`).
    """
    plan = plan or compile_policy(pack, ev.date)
    scopes = Scopes(ev, plan)
    areas = AreaClassifier(plan, ev)
    by_award: dict[Award, list[Decision]] = defaultdict(list)
    for award, group in groupby(decisions, key=attrgetter("award")):  # usually one run per award
        by_award[award].extend(group)
    out: list[LeanRanking] = []
    subjects = ev.index.subjects
    for award in sorted(by_award, key=AWARD_ORDER.__getitem__):
        quota = plan.quotas.get(award)
        if quota is None or quota.uncapped or quota.scope is None:
            continue
        keys = plan.priority_for(award).keys
        scorers = [_person_scorer(k, ev, areas) for k in keys]
        groups: dict[str, list[Decision]] = defaultdict(list)
        roots: dict[str | None, str | None] = {}
        by_unit = quota.scope == "unit"
        for d in by_award[award]:
            view = subjects[d.candidate]
            if by_unit and view.kind is SubjectKind.PERSON:
                unit = view.record.unit  # type: ignore[union-attr]
                scope = roots.get(unit, _MISSING)
                if scope is _MISSING:
                    scope = roots[unit] = scopes.root(unit)
            else:
                scope = scopes.scope_of(quota.scope, view)
            if scope is not None:
                groups[scope].append(d)
        for scope, members in sorted(groups.items()):
            # (negated scores, candidate, scores): sorting the entries ranks higher scores first,
            # then by candidate id (ids are unique, so the scores never decide a tie)
            entries: list[tuple[tuple[int, ...], str, tuple[int, ...]]] = []
            for d in members:
                if d.outcome is Outcome.ELIGIBLE:
                    view = subjects[d.candidate]
                    if view.kind is SubjectKind.PERSON:
                        scores = tuple([score(view) for score in scorers])
                    else:
                        scores = tuple([key_value(k, view, ev, areas).score for k in keys])
                    entries.append((tuple([-x for x in scores]), d.candidate, scores))
            entries.sort()
            counted = (
                count_base(quota, scopes, quota.scope, scope)
                if quota.ratio is not None
                else arithmetic(quota, quota.scope, scope, None)
            )
            out.append(
                LeanRanking(
                    award,
                    quota,
                    counted,
                    tuple([(c, scores) for _, c, scores in entries]),
                    tuple([d.candidate for d in members]),
                )
            )
    return tuple(out)
