"""Rank eligible candidates under a quota, per award and scope, and say why each cut happened.

Only eligible decisions are ranked. An ineligible decision under a quota gets `selected: false`
and no rank; an undetermined one `selected: null` and no rank (it may take a place once its facts
are known, so the report lists it below the cut line as pending). Where no quota applies, every
decision keeps `selected: null` and `rank: null`, as the decision-record contract says.

For a candidate below the cut line, the deciding key is the first priority key on which it lost
to the last selected candidate; when every declared key ties, the order came from the non-legal
tie-breaker (candidate id), which the findings flag for the council to decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from khenthuong.engine.decision import Decision
from khenthuong.model.vocab import Award, Outcome, award_label
from khenthuong.ranking.policy import Cited, CompiledKey, CompiledPriority, CompiledQuota
from khenthuong.ranking.priority import KeyValue
from khenthuong.ranking.quota import QuotaArithmetic

TIE_BREAKER = "candidate_id"
TIE_BREAKER_TEXT = (
    "mã ứng viên (quy ước kỹ thuật, không phải tiêu chí pháp lý)",
    "candidate id (a technical convention, not a legal criterion)",
)


@dataclass(frozen=True, slots=True)
class Entry:
    """A rankable candidate: its id and its scores on the declared keys, in key order."""

    candidate: str
    scores: tuple[int, ...]


def order_key(entry: Entry) -> tuple[tuple[int, ...], str]:
    return tuple(-s for s in entry.scores), entry.candidate


def rank_entries(entries: Iterable[Entry], slots: int | None) -> list[tuple[Entry, int, bool]]:
    """(entry, rank from 1, selected) in rank order; `slots=None` means no cap.

    Example:
        >>> out = rank_entries([Entry("B", (1, 0)), Entry("A", (0, 3)), Entry("C", (1, 2))], 2)
        >>> [(e.candidate, rank, selected) for e, rank, selected in out]
        [('C', 1, True), ('B', 2, True), ('A', 3, False)]
    """
    ordered = sorted(entries, key=order_key)
    return [(e, i + 1, slots is None or i < slots) for i, e in enumerate(ordered)]


def deciding_key(cut: Entry, last: Entry) -> int | None:
    """Index of the first key on which `cut` lost to `last`; None when only the id separates them."""
    for i, (mine, theirs) in enumerate(zip(cut.scores, last.scores, strict=True)):
        if mine != theirs:
            return i
    return None


@dataclass(frozen=True, slots=True)
class CutReason:
    """Why a candidate is below the cut line."""

    key: str  # a key name, TIE_BREAKER, or "slots" (the quota has no places)
    title: str
    title_en: str | None
    against: str | None
    own: KeyValue | None
    theirs: KeyValue | None
    source: Cited | None
    legal: bool

    def text(self, lang: str = "vi") -> str:
        label = self.title_en if lang == "en" and self.title_en else self.title
        if self.key == "slots":
            return "the quota has no places" if lang == "en" else "hạn mức không có suất nào"
        if self.own is None or self.theirs is None or self.against is None:
            return label
        return (
            f"{label}: {self.own.text(lang)} vs {self.against} {self.theirs.text(lang)}"
            if lang == "en"
            else f"{label}: {self.own.text(lang)}, so với {self.against}: {self.theirs.text(lang)}"
        )

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title_en if lang == "en" and self.title_en else self.title,
            "against": self.against,
            "own": self.own.to_json() if self.own else None,
            "theirs": self.theirs.to_json() if self.theirs else None,
            "cite": self.source.cite if self.source else None,
            "confidence": self.source.confidence.value if self.source else None,
            "legal": self.legal,
            "text": self.text(lang),
        }


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one decision stands in its award's ranking."""

    candidate: str
    name: str
    award: Award
    outcome: Outcome
    rank: int | None
    selected: bool | None
    values: tuple[KeyValue, ...]
    cut_by: CutReason | None
    quota: QuotaArithmetic | None

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        """The fields a decision record takes from its placement."""
        return {
            "rank": self.rank,
            "selected": self.selected,
            "quota": self.quota.to_json(lang) if self.quota else None,
            "priority": [v.to_json() for v in self.values],
            "cut_by": self.cut_by.to_json(lang) if self.cut_by else None,
        }


@dataclass(frozen=True, slots=True)
class Ranking:
    """One award in one scope: its quota arithmetic, priority keys and every placement."""

    award: Award
    quota: CompiledQuota
    arithmetic: QuotaArithmetic | None
    priority: CompiledPriority
    placements: tuple[Placement, ...]

    @property
    def scope(self) -> str | None:
        return self.arithmetic.scope if self.arithmetic else None

    @property
    def ranked(self) -> tuple[Placement, ...]:
        return tuple(p for p in self.placements if p.rank is not None)

    @property
    def selected(self) -> tuple[Placement, ...]:
        return tuple(p for p in self.placements if p.selected is True)

    @property
    def cut(self) -> tuple[Placement, ...]:
        return tuple(p for p in self.ranked if p.selected is False)

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        q = self.quota
        return {
            "award": self.award.value,
            "award_name": award_label(self.award, lang),
            "scope": self.scope,
            "scope_kind": q.scope,
            "uncapped": q.uncapped,
            "quota": self.arithmetic.to_json(lang) if self.arithmetic else None,
            "note": q.note(lang),
            "cite": q.source.cite,
            "confidence": (self.arithmetic.confidence if self.arithmetic else q.confidence).value,
            "params": q.params_json(),
            "priority": {
                "id": self.priority.id,
                "layer": self.priority.layer,
                "keys": [_key_json(k, lang) for k in self.priority.keys]
                + [
                    {
                        "key": TIE_BREAKER,
                        "title": TIE_BREAKER_TEXT[1 if lang == "en" else 0],
                        "legal": False,
                    }
                ],
            },
            "cut_line": self.arithmetic.slots if self.arithmetic else None,
            "ranked": [
                {
                    "rank": p.rank,
                    "candidate": p.candidate,
                    "name": p.name,
                    "selected": p.selected,
                    "values": {v.key: v.value for v in p.values},
                    "cut_by": p.cut_by.text(lang) if p.cut_by else None,
                }
                for p in self.ranked
            ],
            "not_ranked": [
                {
                    "candidate": p.candidate,
                    "name": p.name,
                    "outcome": p.outcome.value,
                    "selected": p.selected,
                }
                for p in self.placements
                if p.rank is None
            ],
        }


def _key_json(k: CompiledKey, lang: str) -> dict[str, Any]:
    return {
        "key": k.name,
        "title": k.label(lang),
        "cite": k.source.cite,
        "confidence": k.source.confidence.value,
        "legal": k.legal,
    }


def cut_reason(
    keys: Sequence[CompiledKey],
    cut: Entry,
    last: Entry | None,
    values: dict[str, tuple[KeyValue, ...]],
) -> CutReason:
    """The reason `cut` is below the line drawn after `last` (None: the quota has no places)."""
    if last is None:
        return CutReason(
            "slots",
            "hạn mức không có suất nào",
            "the quota has no places",
            None,
            None,
            None,
            None,
            True,
        )
    i = deciding_key(cut, last)
    if i is None:
        return CutReason(
            TIE_BREAKER,
            TIE_BREAKER_TEXT[0],
            TIE_BREAKER_TEXT[1],
            last.candidate,
            None,
            None,
            None,
            False,
        )
    k = keys[i]
    return CutReason(
        k.name,
        k.title,
        k.title_en,
        last.candidate,
        values[cut.candidate][i],
        values[last.candidate][i],
        k.source,
        k.legal,
    )


def place_scope(
    decisions: Sequence[Decision],
    arithmetic: QuotaArithmetic,
    priority: CompiledPriority,
    values: dict[str, tuple[KeyValue, ...]],
) -> Ranking:
    """Rank the decisions of one award in one scope (values: priority values of the eligible)."""
    eligible = [d for d in decisions if d.outcome is Outcome.ELIGIBLE]
    entries = {
        d.candidate: Entry(d.candidate, tuple(v.score for v in values[d.candidate]))
        for d in eligible
    }
    ranked = rank_entries(entries.values(), arithmetic.slots)
    last = ranked[arithmetic.slots - 1][0] if 0 < arithmetic.slots <= len(ranked) else None
    names = {d.candidate: d.name for d in decisions}
    placements: list[Placement] = []
    for entry, rank, selected in ranked:
        reason = None if selected else cut_reason(priority.keys, entry, last, values)
        placements.append(
            Placement(
                entry.candidate,
                names[entry.candidate],
                arithmetic.quota.award,
                Outcome.ELIGIBLE,
                rank,
                selected,
                values[entry.candidate],
                reason,
                arithmetic,
            )
        )
    for d in sorted(decisions, key=lambda d: d.candidate):
        if d.outcome is Outcome.ELIGIBLE:
            continue
        outside: bool | None = False if d.outcome is Outcome.INELIGIBLE else None
        placements.append(
            Placement(d.candidate, d.name, d.award, d.outcome, None, outside, (), None, arithmetic)
        )
    return Ranking(
        arithmetic.quota.award, arithmetic.quota, arithmetic, priority, tuple(placements)
    )
