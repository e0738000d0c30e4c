"""Run a batch end to end: choose the pack by date, compile it (once, cached), decide every nomination.

This is the stage the CLI, the reports and other systems call. It holds no global state: pass a
`PackRegistry` to share loaded packs between calls (it is thread-safe), or let each call make one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from khenthuong.batch.load import load_batch
from khenthuong.engine.compile import Plan
from khenthuong.engine.decision import Decision
from khenthuong.engine.evaluate import Evaluation, evaluate_nominations
from khenthuong.model.batch import Batch
from khenthuong.movements.catalog import movement_for
from khenthuong.movements.standings import MovementResult, movement_result
from khenthuong.packs.registry import PackRegistry, ResolvedPack
from khenthuong.ranking import Finding, Placement, Ranking, rank_batch


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Decisions for a batch, with the pack and plan that produced them."""

    batch: Batch
    pack: ResolvedPack
    plan: Plan
    decisions: tuple[Decision, ...]
    evaluation: Evaluation = field(repr=False, compare=False)
    rankings: tuple[Ranking, ...] = ()
    findings: tuple[Finding, ...] = ()
    # The movement the batch names (`batch.movement`): scorecards and khối/cụm rankings.
    movements: tuple[MovementResult, ...] = ()

    @property
    def date(self) -> dt.date:
        return self.plan.date

    def placement(self, candidate: str, award: str) -> Placement | None:
        """Where a decision stands under its award's quota (None: no quota applies to it)."""
        for r in self.rankings:
            for p in r.placements:
                if p.candidate == candidate and p.award.value == award:
                    return p
        return None

    def decision(self, candidate: str, award: str) -> Decision | None:
        for d in self.decisions:
            if d.candidate == candidate and d.award.value == award:
                return d
        return None


def evaluate_batch(
    batch: Batch | str | Path,
    *,
    pack: str | None = None,
    province: str | None = None,
    registry: PackRegistry | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Decide every nomination of `batch` under the pack in force on its decision date.

    Args:
        batch: a loaded `Batch`, or the path of a batch file.
        pack: a national pack id to use instead of the one chosen by date.
        province: a provincial layer to apply (default: the batch's `province`).
        registry: where packs come from (default: the bundled packs).
        progress: called with (decided, total) after each decision, e.g. for a progress bar.

    Example:
        >>> from khenthuong import evaluate_batch, load_batch
        >>> from khenthuong.packs.registry import bundled_rules_dir
        >>> fixture = bundled_rules_dir().parent / "fixtures" / "cao-bang-2021" / "so-noi-vu.yaml"
        >>> result = evaluate_batch(load_batch(fixture))
        >>> result.pack.id
        'vn-2017'
    """
    if not isinstance(batch, Batch):
        batch = load_batch(batch)
    registry = registry or PackRegistry()
    day = batch.batch.decision_date
    resolved = registry.for_date(day, province or batch.batch.province, pack)
    plan: Plan = resolved.plan(day)
    movement = movement_for(resolved, batch)  # KT602–KT605 when it does not fit
    evaluated = evaluate_nominations(plan, batch, progress, movement=movement)
    ranked = rank_batch(resolved, evaluated.evaluation, evaluated.decisions)
    movements = (movement_result(movement, evaluated.evaluation, ranked.plan),) if movement else ()
    return BatchResult(
        batch,
        resolved,
        plan,
        evaluated.decisions,
        evaluated.evaluation,
        ranked.rankings,
        ranked.findings,
        movements,
    )
