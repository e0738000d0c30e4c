"""A movement's results in a batch: every unit's scorecard, and each khối/cụm's ranking.

The leading collective of each khối or cụm thi đua is the one proposed for the Cờ thi đua cấp tỉnh
(Nghị định 91/2017 Điều 12: "bình xét, đánh giá, so sánh theo các khối, cụm thi đua"; Luật 2022
Điều 26: "các tập thể dẫn đầu phong trào thi đua của cụm, khối"). The cluster ranking compares the
units of a khối/cụm that report on the movement, with the ranking policy's places and keys for
`co_thi_dua_tinh` (by default: targets exceeded, then the legal keys), explained like any other
ranking: rank, selected, the places and the key that decided each cut.

Who is ranked: a unit whose scorecard "hoàn thành vượt mức các chỉ tiêu" under the movement's
`summary_rule`. A unit that missed a target (or only met them, under `all_met_and_one_exceeded`) is
not ranked and not selected (`selected: false`); one whose results are incomplete is not ranked
either (`selected: null`): it may lead once its results are in. The ranking is of the movement's
results; whether the leader meets the legal standard of the Cờ is the decision of its nomination.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from khenthuong.engine.evaluate import Evaluation
from khenthuong.model.movement import Movement
from khenthuong.model.vocab import Award
from khenthuong.movements.scoring import (
    Scorecard,
    Summary,
    qualifies,
    score_units,
    summary_text,
    target_json,
)
from khenthuong.ranking.policy import CompiledPriority, CompiledQuota, RankingPlan
from khenthuong.ranking.priority import AreaClassifier, KeyValue, key_value
from khenthuong.ranking.quota import QuotaArithmetic, Scopes, arithmetic, count_base
from khenthuong.ranking.rank import (
    TIE_BREAKER,
    TIE_BREAKER_TEXT,
    CutReason,
    Entry,
    cut_reason,
    rank_entries,
)

FLAG = Award.CO_THI_DUA_TINH
DEFAULT_SLOTS = 1  # one leading collective per khối/cụm when the policy declares no places


@dataclass(frozen=True, slots=True)
class Standing:
    """A unit's place in its khối/cụm: rank (None when not ranked), leader or not, and why."""

    unit: str
    name: str
    summary: Summary
    rank: int | None
    selected: bool | None
    values: tuple[KeyValue, ...]
    cut_by: CutReason | None

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "rank": self.rank,
            "unit": self.unit,
            "name": self.name,
            "selected": self.selected,
            "summary": self.summary.value,
            "summary_text": summary_text(self.summary, lang),
            "values": {v.key: v.value for v in self.values},
            "priority": [v.to_json() for v in self.values],
            "cut_by": self.cut_by.to_json(lang) if self.cut_by else None,
        }


@dataclass(frozen=True, slots=True)
class ClusterRanking:
    """The units of one khối/cụm ranked on the movement's results."""

    cluster: str
    name: str | None
    kind: str | None
    found_in: str  # where the cluster is defined: movement | province list | batch
    arithmetic: QuotaArithmetic | None
    quota: CompiledQuota | None
    priority: CompiledPriority
    standings: tuple[Standing, ...]

    @property
    def slots(self) -> int:
        return self.arithmetic.slots if self.arithmetic is not None else DEFAULT_SLOTS

    @property
    def ranked(self) -> tuple[Standing, ...]:
        return tuple(s for s in self.standings if s.rank is not None)

    @property
    def leaders(self) -> tuple[Standing, ...]:
        return tuple(s for s in self.standings if s.selected is True)

    def places_text(self, lang: str = "vi") -> str:
        if self.arithmetic is not None:
            return self.arithmetic.text(lang)
        return f"{DEFAULT_SLOTS} place" if lang == "en" else f"{DEFAULT_SLOTS} suất"

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        keys = [
            {
                "key": k.name,
                "title": k.label(lang),
                "cite": k.source.cite,
                "confidence": k.source.confidence.value,
                "legal": k.legal,
            }
            for k in self.priority.keys
        ]
        keys.append(
            {
                "key": TIE_BREAKER,
                "title": TIE_BREAKER_TEXT[1 if lang == "en" else 0],
                "legal": False,
            }
        )
        return {
            "cluster": self.cluster,
            "name": self.name,
            "kind": self.kind,
            "found_in": self.found_in,
            "award": FLAG.value,
            "quota": self.arithmetic.to_json(lang) if self.arithmetic else None,
            "places": self.places_text(lang),
            "cite": self.quota.source.cite if self.quota else None,
            "confidence": self.quota.confidence.value if self.quota else None,
            "cut_line": self.slots,
            "priority": {"id": self.priority.id, "layer": self.priority.layer, "keys": keys},
            "leaders": [s.unit for s in self.leaders],
            "ranked": [s.to_json(lang) for s in self.ranked],
            "not_ranked": [s.to_json(lang) for s in self.standings if s.rank is None],
        }


@dataclass(frozen=True, slots=True)
class MovementResult:
    """What a movement gives a batch: the scorecards of its units and the cluster rankings."""

    movement: Movement
    year: int
    scorecards: tuple[Scorecard, ...]
    clusters: tuple[ClusterRanking, ...]

    def card(self, unit: str) -> Scorecard | None:
        return next((c for c in self.scorecards if c.unit == unit), None)

    def leaders(self) -> dict[str, tuple[str, ...]]:
        """Cluster id → the ids of its leading collectives."""
        return {c.cluster: tuple(s.unit for s in c.leaders) for c in self.clusters}

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        """The movement's entry in the `movements` section of `check --format json`."""
        m = self.movement
        return {
            "id": m.id,
            "title": m.title,
            "theme": m.theme,
            "issuer": m.issuer,
            "decision": m.decision,
            "decided_on": m.decided_on.isoformat(),
            "period": {"from": m.period_from.isoformat(), "until": m.period_until.isoformat()},
            "year": self.year,
            "summary_rule": m.summary_rule,
            "targets": [target_json(t, lang) for t in m.targets],
            "units": [c.to_json(m, lang) for c in self.scorecards],
            "clusters": [c.to_json(lang) for c in self.clusters],
        }


def _places(quota: CompiledQuota | None, scopes: Scopes, cluster: str) -> QuotaArithmetic | None:
    """The places of the Cờ tỉnh quota in one cluster (None: the policy declares none)."""
    if quota is None or quota.uncapped or quota.scope != "cluster":
        return None
    if quota.ratio is not None:
        return count_base(quota, scopes, "cluster", cluster)
    return arithmetic(quota, "cluster", cluster, None)


def _standings(
    cards: Iterable[Scorecard],
    movement: Movement,
    priority: CompiledPriority,
    values: dict[str, tuple[KeyValue, ...]],
    slots: int,
) -> tuple[Standing, ...]:
    cards = sorted(cards, key=lambda c: c.unit)
    entries = [
        Entry(c.unit, tuple(v.score for v in values[c.unit]))
        for c in cards
        if qualifies(movement, c)
    ]
    ranked = rank_entries(entries, slots)
    last = ranked[slots - 1][0] if 0 < slots <= len(ranked) else None
    by_id = {c.unit: c for c in cards}
    out: list[Standing] = []
    for entry, rank, selected in ranked:
        card = by_id[entry.candidate]
        reason = None if selected else cut_reason(priority.keys, entry, last, values)
        out.append(
            Standing(card.unit, card.name, card.summary, rank, selected, values[card.unit], reason)
        )
    for card in cards:
        if qualifies(movement, card):
            continue
        pending: bool | None = None if card.summary is Summary.INCOMPLETE else False
        out.append(Standing(card.unit, card.name, card.summary, None, pending, (), None))
    return tuple(out)


def movement_result(movement: Movement, ev: Evaluation, plan: RankingPlan) -> MovementResult:
    """Score every unit of the batch against `movement` and rank each khối/cụm.

    Args:
        movement: the movement the batch names.
        ev: the batch's evaluation (its `movement` is `movement`).
        plan: the ranking policy in force on the decision date (places and keys of the Cờ tỉnh).
    """
    cards = score_units(movement, ev.batch.units, ev.year)
    scopes = Scopes(ev, plan)
    areas = AreaClassifier(plan, ev)
    quota = plan.quotas.get(FLAG)
    priority = plan.priority_for(FLAG)
    own = {c.id: c for c in movement.clusters}
    listed = {c.id: c for c in plan.clusters.clusters} if plan.clusters is not None else {}
    groups: dict[str, list[Scorecard]] = {}
    for card in cards:
        cluster = scopes.cluster(card.unit)
        if cluster is not None:
            groups.setdefault(cluster, []).append(card)
    rankings: list[ClusterRanking] = []
    for cluster_id in sorted(groups):
        members = groups[cluster_id]
        values = {
            c.unit: tuple(key_value(k, ev.index.subjects[c.unit], ev, areas) for k in priority.keys)
            for c in members
        }
        places = _places(quota, scopes, cluster_id)
        slots = places.slots if places is not None else DEFAULT_SLOTS
        mine = own.get(cluster_id)
        theirs = listed.get(cluster_id)
        name, kind, found_in = (
            (mine.name, mine.kind, "movement")
            if mine is not None
            else (theirs.name, theirs.kind, "province")
            if theirs is not None
            else (None, None, "batch")
        )
        rankings.append(
            ClusterRanking(
                cluster_id,
                name,
                kind,
                found_in,
                places,
                quota if places is not None else None,
                priority,
                _standings(members, movement, priority, values, slots),
            )
        )
    return MovementResult(movement, ev.year, tuple(cards), tuple(rankings))
