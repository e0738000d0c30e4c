"""Ranking under quotas for a `VectorResult`, as arrays (numpy, the `fast` extra).

`rank_vector` gives, for every person and each capped award, the rank and whether the person is
within the places — what `rank_batch` gives through `Placement`s — for quotas counted per unit
over people (the Chiến sĩ thi đua cơ sở cap). Where a quota or the data is outside what it covers
(`vector_rankable` says why), rank the decisions with `khenthuong.bulk.rank.rank_decisions`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from khenthuong.engine.facts import SubjectView
from khenthuong.engine.vector import AREA_CODE, T, U, VectorContext, VectorResult
from khenthuong.model.batch import Batch
from khenthuong.model.vocab import RATING_ORDER, Award, SubjectKind
from khenthuong.packs.registry import ResolvedPack
from khenthuong.ranking.policy import CompiledKey, CompiledQuota, RankingPlan, compile_policy
from khenthuong.ranking.priority import AreaClassifier
from khenthuong.ranking.quota import QuotaArithmetic, arithmetic

if TYPE_CHECKING:
    from khenthuong.engine.vector import Ints

RANKED_KEYS = frozenset({"frontline", "area", "women", "rating_streak", "initiative_scope"})


@dataclass(slots=True)
class VectorPlacements:
    """One capped award ranked for everyone of a `VectorResult`, as arrays (rows = people).

    `selected` is 1 (within the places), 0 (below the cut, or not eligible) or -1 (null: the
    decision is undetermined, or no scope could be found for the person); `rank` is 0 where there
    is none. `quotas` has the arithmetic of each scope's places.
    """

    award: Award
    quota: CompiledQuota
    scope: list[str | None]
    rank: Ints
    selected: Ints
    quotas: dict[str, QuotaArithmetic]


def vector_rankable(
    result: VectorResult, quota: CompiledQuota, keys: Sequence[CompiledKey], batch: Batch
) -> str | None:
    """Why the vectorised ranking cannot rank this quota exactly (None: it can)."""
    if quota.uncapped or quota.scope != "unit" or quota.ratio is None:
        return "the quota is not a ratio over units"
    if quota.base is None or quota.base.subjects is not SubjectKind.PERSON:
        return "the base does not count people"
    if quota.base.holders not in result.awards:
        return "the base title was not decided for everyone"
    if any(k.name not in RANKED_KEYS for k in keys):
        return "a priority key has no vectorised form"
    if any(c is not None for c in result.columns.fields["commune"]):
        return "people carry commune codes (area lists)"
    listed: dict[str, int] = defaultdict(int)
    for member_of in result.columns.fields["unit"]:
        if member_of is not None:
            listed[member_of] += 1
    for u in batch.units:
        if u.headcount is not None and u.headcount != listed.get(u.id, 0):
            return f"unit {u.id} does not list all its members"
    return None


def rank_vector(
    pack: ResolvedPack, result: VectorResult, plan: RankingPlan | None = None
) -> dict[Award, VectorPlacements]:
    """Rank the capped awards of `result` (people, scope `unit`) without building decisions.

    Gives the places `rank_batch` gives (tests pin it). Raises ValueError naming the reason when a
    quota is not one the vectorised ranking covers (`vector_rankable`): rank those decisions with
    `rank_decisions` instead.
    """
    plan = plan or compile_policy(pack, result.plan.date)
    batch = result.batch
    cols = result.columns
    n = cols.n
    ctx = result.context
    out: dict[Award, VectorPlacements] = {}
    unit_ids = {u.id for u in batch.units}
    parent = {u.id: u.parent for u in batch.units}

    def root(unit: str | None) -> str | None:
        seen: set[str] = set()
        last = None
        while unit is not None and unit in unit_ids and unit not in seen:
            seen.add(unit)
            last = unit
            unit = parent[unit]
        return last

    roots = {u: root(u) for u in unit_ids}
    scope_of = [None if u is None else roots.get(u) for u in cols.fields["unit"]]
    names = sorted({s for s in scope_of if s is not None})
    code = {s: i for i, s in enumerate(names)}
    scope_code = np.fromiter(
        (-1 if s is None else code[s] for s in scope_of), dtype=np.int64, count=n
    )
    placed = scope_code >= 0
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[sorted(range(n), key=result.ids.__getitem__)] = np.arange(n)
    for award in result.awards:
        quota = plan.quotas.get(award)
        if quota is None or quota.uncapped or quota.scope is None:
            continue  # no cap: nobody is placed (as in `rank_batch`)
        keys = plan.priority_for(award).keys
        why = vector_rankable(result, quota, keys, batch)
        if why is not None:
            raise ValueError(f"{award.value}: {why}")
        assert quota.base is not None
        holders = result.awards[quota.base.holders].outcome
        base = np.bincount(scope_code[placed], weights=holders[placed] == T, minlength=len(names))
        unknown = np.bincount(
            scope_code[placed], weights=holders[placed] == U, minlength=len(names)
        )
        quotas = {
            s: arithmetic(quota, "unit", s, int(base[i]), int(unknown[i]))
            for i, s in enumerate(names)
        }
        slots = np.asarray([quotas[s].slots for s in names], dtype=np.int64)
        outcome = result.awards[award].outcome
        eligible = np.flatnonzero((outcome == T) & placed)
        scores = [_scores(k, result, ctx, plan) for k in keys]
        order = np.lexsort(
            (
                id_rank[eligible],
                *(-s[eligible] for s in reversed(scores)),
                scope_code[eligible],
            )
        )
        ranked = eligible[order]
        scopes_ranked = scope_code[ranked]
        starts = np.searchsorted(scopes_ranked, scopes_ranked, side="left")
        rank = np.zeros(n, dtype=np.int64)
        rank[ranked] = np.arange(len(ranked)) - starts + 1
        selected = np.where(outcome == U, -1, 0).astype(np.int64)
        selected[~placed] = -1
        within = rank[ranked] <= slots[scopes_ranked]
        selected[ranked] = within.astype(np.int64)
        out[award] = VectorPlacements(award, quota, scope_of, rank, selected, quotas)
    return out


def _scores(key: CompiledKey, result: VectorResult, ctx: VectorContext, plan: RankingPlan) -> Ints:
    """The score of one priority key for everyone (`ranking.priority.key_value`'s score)."""
    cols = result.columns
    n = cols.n
    year = ctx.year
    if key.name == "frontline":
        front: Ints = (cols.frontline == 1).astype(np.int64)
        return front
    if key.name == "women":
        return np.fromiter((g == "nu" for g in cols.fields["gender"]), dtype=np.int64, count=n)
    if key.name == "rating_streak":
        level = RATING_ORDER[key.at_least]
        run = np.zeros(n, dtype=np.int64)
        alive = np.ones(n, dtype=np.bool_)
        back = 0
        while alive.any():
            alive &= cols.rating(year - back) >= level
            run += alive
            back += 1
        return run
    if key.name == "initiative_scope":
        pick = (cols.i_year > year - key.within_years) & (cols.i_year <= year)
        pick &= ~cols.i_research | (cols.i_accepted == 1)
        best = np.zeros(n, dtype=np.int64)
        np.maximum.at(best, cols.i_owner[pick], cols.i_scope[pick] + 1)
        return best
    # area: a person's own flags; with none, the areas of its unit (classified as `rank_batch`
    # does: the unit's flags and area lists, else its parent's)
    wanted = np.asarray([AREA_CODE[a] for a in key.areas], dtype=np.int64)
    own = np.zeros(n, dtype=np.bool_)
    own[cols.a_owner] = True
    hit = np.zeros(n, dtype=np.bool_)
    hit[cols.a_owner[np.isin(cols.a_area, wanted)]] = True
    units = _UnitsOnly(result.batch)
    classifier = AreaClassifier(plan, units)  # type: ignore[arg-type]
    unit_hit: dict[str | None, bool] = {None: False}
    for u in {u for u in cols.fields["unit"] if u is not None}:
        view = units.index.subjects.get(u)
        found = classifier.classify(view).areas if view is not None else frozenset()
        unit_hit[u] = bool(found & key.areas)
    inherited = np.fromiter(
        (unit_hit.get(u, False) for u in cols.fields["unit"]), dtype=np.bool_, count=n
    )
    return np.where(own, hit, inherited).astype(np.int64)


class _UnitsOnly:
    """What `AreaClassifier` reads of an evaluation, for the units of a batch only."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.index = SimpleNamespace(
            subjects={u.id: SubjectView(u, SubjectKind.UNIT) for u in batch.units}
        )
