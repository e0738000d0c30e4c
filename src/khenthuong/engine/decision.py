"""Decisions and their traces.

A decision keeps what evaluation produced — the rule and the result of each of its predicates with
the facts read — and builds the full trace tree (conditions as written, facts, parameters with their
dates, citations) only when asked. That keeps evaluation cheap while every decision stays fully
explainable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from khenthuong.engine.compile import CompiledCriterion, CompiledRule, Node
from khenthuong.engine.facts import Fact, LeafResult
from khenthuong.model.vocab import Award, Confidence, Outcome, SubjectKind, award_label
from khenthuong.periods import Truth

OUTCOME_OF: dict[Truth, Outcome] = {
    True: Outcome.ELIGIBLE,
    False: Outcome.INELIGIBLE,
    None: Outcome.UNDETERMINED,
}
MARK = {True: "✓", False: "✗", None: "?"}


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one (candidate, award) with everything needed to explain it."""

    candidate: str
    name: str
    kind: SubjectKind
    award: Award
    year: int
    date: dt.date
    outcome: Outcome
    rule: CompiledRule | None
    results: tuple[LeafResult, ...]
    note: str | None = None

    @property
    def truths(self) -> tuple[Truth, ...]:
        return tuple(r.holds for r in self.results)

    @property
    def confidence(self) -> Confidence:
        return self.rule.confidence if self.rule else Confidence.UNCONFIRMED

    @property
    def deferred(self) -> bool:
        return any(r.note == "deferred" for r in self.results)

    def criteria(self) -> list[tuple[CompiledCriterion, Truth]]:
        if self.rule is None:
            return []
        truths = self.truths
        return [(c, c.node.value(truths)) for c in self.rule.criteria]

    def facts(self) -> list[Fact]:
        """Every fact the decision read, deduplicated, in a stable order."""
        seen: dict[tuple[str, int | None, str], Fact] = {}
        for r in self.results:
            for f in r.facts:
                seen.setdefault((f.name, f.year, f.path), f)
        return [seen[k] for k in sorted(seen, key=lambda k: (k[2], k[0], k[1] or 0))]

    def reasons(self) -> list[dict[str, Any]]:
        """One entry per criterion: rule/criterion id, citation, confidence, holds."""
        if self.rule is None:
            return [
                {
                    "rule": None,
                    "cite": None,
                    "confidence": Confidence.UNCONFIRMED.value,
                    "holds": None,
                    "text": self.note,
                }
            ]
        return [
            {
                "rule": f"{self.rule.id}/{c.id}",
                "cite": c.cite,
                "confidence": c.source.confidence.value,
                "holds": holds,
                "text": c.title,
            }
            for c, holds in self.criteria()
        ]

    def missing(self, lang: str = "vi") -> list[str]:
        """What would have to change for this decision to be eligible (empty if it is)."""
        if self.outcome is Outcome.ELIGIBLE:
            return []
        if self.rule is None:
            return [self.note or ""]
        out: list[str] = []
        truths = self.truths
        for c, holds in self.criteria():
            if holds is True:
                continue
            for i in _failing_under(c.node, truths):
                text = _negated_text(c.node, i, self.rule.leaves[i], self.results[i], lang)
                if text not in out:
                    out.append(text)
        return out

    def summary(self, lang: str = "vi") -> str:
        label = award_label(self.award, lang)
        return f"{self.candidate} — {label}: {self.outcome.value}"


def _failing_under(node: Node, truths: tuple[Truth, ...]) -> list[int]:
    out: list[int] = []

    def walk(n: Node, want: bool) -> None:
        if n.value(truths) is want:
            return
        if n.kind == "leaf":
            out.append(n.leaf)
        elif n.kind == "not":
            walk(n.children[0], not want)
        elif n.kind == "any" and want:
            # any fails: every child fails; suggest the first that could be met
            for child in n.children:
                walk(child, want)
        else:
            for child in n.children:
                walk(child, want)

    walk(node, True)
    return out


def _under_not(node: Node, leaf: int) -> bool:
    """Whether leaf `leaf` sits under an odd number of `not`s in `node`."""

    def walk(n: Node, negated: bool) -> bool | None:
        if n.kind == "leaf":
            return negated if n.leaf == leaf else None
        for child in n.children:
            found = walk(child, not negated if n.kind == "not" else negated)
            if found is not None:
                return found
        return None

    return bool(walk(node, False))


def _negated_text(node: Node, i: int, leaf: Any, result: LeafResult, lang: str) -> str:
    if result.holds is None:
        return str(leaf.missing(result, lang))
    if _under_not(node, i):
        return ("không được: " if lang != "en" else "must not: ") + str(leaf.describe(lang))
    return str(leaf.missing(result, lang))
