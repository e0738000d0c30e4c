"""Rank an evaluated batch under the pack's policy and run the batch-level checks.

`rank_batch` is what `evaluate_batch` calls after deciding every nomination: it compiles the
ranking policy in force on the decision date, groups each capped award's decisions by scope, counts
each scope's base, orders the eligible candidates by the declared priority keys, and then runs the
findings over the whole batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from khenthuong.engine.decision import Decision
from khenthuong.engine.evaluate import AWARD_ORDER, Evaluation
from khenthuong.model.vocab import Award, Outcome
from khenthuong.packs.registry import ResolvedPack
from khenthuong.ranking.findings import Finding, FindingChecks
from khenthuong.ranking.policy import RankingPlan, compile_policy
from khenthuong.ranking.priority import AreaClassifier, KeyValue, Unresolved, key_value
from khenthuong.ranking.quota import Scopes, arithmetic, count_base
from khenthuong.ranking.rank import Ranking, place_scope


@dataclass(frozen=True, slots=True)
class Ranked:
    """What ranking adds to a batch result."""

    plan: RankingPlan
    rankings: tuple[Ranking, ...]
    findings: tuple[Finding, ...]


def rank_batch(pack: ResolvedPack, ev: Evaluation, decisions: tuple[Decision, ...]) -> Ranked:
    """Rankings per capped award and scope, and the batch's findings.

    Args:
        pack: the resolved pack the decisions were taken under.
        ev: the evaluation that took them (its memo is reused to count bases).
        decisions: the decisions of the batch's nominations.

    Raises:
        PackError: the pack's ranking policy is wrong (KT400–KT404).
    """
    plan = compile_policy(pack, ev.date)
    unresolved: list[Unresolved] = []
    unplaced: list[tuple[str, Award, str]] = []
    rankings = rank_decisions(pack, ev, decisions, plan, unresolved=unresolved, unplaced=unplaced)
    checks = FindingChecks(plan, ev, decisions, rankings)
    findings = checks.run(unresolved, unplaced)
    return Ranked(plan, rankings, tuple(findings))


def rank_decisions(
    pack: ResolvedPack,
    ev: Evaluation,
    decisions: Sequence[Decision],
    plan: RankingPlan | None = None,
    *,
    unresolved: list[Unresolved] | None = None,
    unplaced: list[tuple[str, Award, str]] | None = None,
) -> tuple[Ranking, ...]:
    """The rankings of `decisions` per capped award and scope, without the batch's findings.

    Args:
        pack: the resolved pack the decisions were taken under.
        ev: the evaluation that took them.
        decisions: the decisions to rank.
        plan: the compiled ranking policy (compiled from `pack` for `ev.date` if not given).
        unresolved: if given, receives the area lookups of ranked candidates that could not be
            resolved (for the findings).
        unplaced: if given, receives (candidate, award, scope kind) of the candidates not
            ineligible that no scope could hold (for the findings).
    """
    plan = plan or compile_policy(pack, ev.date)
    scopes = Scopes(ev, plan)
    areas = AreaClassifier(plan, ev)
    by_award: dict[Award, list[Decision]] = defaultdict(list)
    for d in decisions:
        by_award[d.award].append(d)
    rankings: list[Ranking] = []
    subjects = ev.index.subjects
    for award in sorted(by_award, key=AWARD_ORDER.__getitem__):
        quota = plan.quotas.get(award)
        if quota is None:
            continue
        priority = plan.priority_for(award)
        if quota.uncapped or quota.scope is None:
            rankings.append(Ranking(award, quota, None, priority, ()))
            continue
        by_area = unresolved is not None and any(k.name == "area" for k in priority.keys)
        groups: dict[str, list[Decision]] = defaultdict(list)
        for d in by_award[award]:
            scope = scopes.scope_of(quota.scope, subjects[d.candidate])
            if scope is not None:
                groups[scope].append(d)
            elif unplaced is not None and d.outcome is not Outcome.INELIGIBLE:
                unplaced.append((d.candidate, award, quota.scope))
        for scope, members in sorted(groups.items()):
            values: dict[str, tuple[KeyValue, ...]] = {}
            for d in members:
                if d.outcome is not Outcome.ELIGIBLE:
                    continue
                view = subjects[d.candidate]
                values[d.candidate] = tuple(key_value(k, view, ev, areas) for k in priority.keys)
                if by_area and unresolved is not None:
                    unresolved += areas.classify(view).unresolved
            counted = (
                count_base(quota, scopes, quota.scope, scope)
                if quota.ratio is not None
                else arithmetic(quota, quota.scope, scope, None)
            )
            rankings.append(place_scope(members, counted, priority, values))
    return tuple(rankings)
