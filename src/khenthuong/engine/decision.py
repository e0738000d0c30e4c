"""Decisions and their traces.

A decision keeps what evaluation produced — the rule and the truth of each of its predicates — and
reads the facts behind them again, and builds the full trace tree (conditions as written, facts,
parameters with their dates, citations), only when asked. That keeps evaluation cheap while every
decision stays fully explainable: the batch does not change, so the rebuilt facts are the ones read.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from khenthuong.engine.compile import CompiledCriterion, CompiledRule
from khenthuong.engine.facts import Fact, LeafResult, SubjectView
from khenthuong.model.vocab import Award, Confidence, Outcome, SubjectKind, award_label
from khenthuong.periods import Truth

if TYPE_CHECKING:
    from khenthuong.engine.predicates import Context

OUTCOME_OF: dict[Truth, Outcome] = {
    True: Outcome.ELIGIBLE,
    False: Outcome.INELIGIBLE,
    None: Outcome.UNDETERMINED,
}
MARK = {True: "✓", False: "✗", None: "?"}


def fact_order(name: str, year: int | None, path: str, value: Any) -> tuple[str, str, int, str]:
    """Sort and deduplication key of a fact: place, name, year, then its JSON value.

    `value` is the fact's JSON value (`Fact.to_json()["value"]`), so a fact read back from a
    record orders exactly like the fact it was written from.
    """
    shown = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return (path, name, year if year is not None else 0, shown)


class Decision:
    """The outcome of one (candidate, award) with everything needed to explain it.

    Evaluation keeps only the truth of each of the rule's predicates (`truths`); the facts they
    read (`results`) are read again from the batch, which does not change, the first time they are
    asked for. Build one with `results` (eagerly), or with `truths` and `source` — the
    `(view, context)` the truths were computed in — to rebuild them on demand. Treat a decision as
    immutable: it only caches its rebuilt results.
    """

    __slots__ = (
        "_results",
        "_source",
        "_truths",
        "award",
        "candidate",
        "date",
        "kind",
        "name",
        "note",
        "outcome",
        "rule",
        "year",
    )

    def __init__(
        self,
        candidate: str,
        name: str,
        kind: SubjectKind,
        award: Award,
        year: int,
        date: dt.date,
        outcome: Outcome,
        rule: CompiledRule | None,
        results: tuple[LeafResult, ...] | None = (),
        note: str | None = None,
        truths: tuple[Truth, ...] | None = None,
        source: tuple[SubjectView, Context] | None = None,
    ) -> None:
        self.candidate = candidate
        self.name = name
        self.kind = kind
        self.award = award
        self.year = year
        self.date = date
        self.outcome = outcome
        self.rule = rule
        self.note = note
        if results is None and (truths is None or source is None):
            raise ValueError("a decision needs its results, or its truths and their source")
        self._results = results
        self._truths = truths
        self._source = source

    @property
    def results(self) -> tuple[LeafResult, ...]:
        """Each predicate's result with the facts it read (rebuilt on first use)."""
        results = self._results
        if results is None:
            assert self.rule is not None
            assert self._source is not None
            view, ctx = self._source
            results = tuple(leaf.evaluate(view, ctx) for leaf in self.rule.leaves)
            self._results = results
        return results

    @property
    def truths(self) -> tuple[Truth, ...]:
        truths = self._truths
        if truths is None:
            truths = tuple(r.holds for r in self.results)
            self._truths = truths
        return truths

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return (
            self.candidate == other.candidate
            and self.award == other.award
            and self.outcome == other.outcome
            and self.name == other.name
            and self.kind == other.kind
            and self.year == other.year
            and self.date == other.date
            and self.note == other.note
            and (self.rule is other.rule or self.rule == other.rule)
            and self.truths == other.truths
        )

    def __hash__(self) -> int:
        return hash((self.candidate, self.award, self.outcome))

    def __repr__(self) -> str:
        return (
            f"Decision(candidate={self.candidate!r}, award={self.award.value!r}, "
            f"outcome={self.outcome.value!r}, rule={self.rule.id if self.rule else None!r})"
        )

    @property
    def confidence(self) -> Confidence:
        return self.rule.confidence if self.rule else Confidence.UNCONFIRMED

    @property
    def deferred(self) -> bool:
        """Whether a pending case defers the decision (read from the truths when not rebuilt)."""
        if self._results is not None:
            return any(r.note == "deferred" for r in self._results)
        if self.rule is None:
            return False
        truths = self.truths
        return any(leaf.defers and truths[i] is None for i, leaf in enumerate(self.rule.leaves))

    def criteria(self) -> list[tuple[CompiledCriterion, Truth]]:
        if self.rule is None:
            return []
        truths = self.truths
        return [(c, c.node.value(truths)) for c in self.rule.criteria]

    def facts(self) -> list[Fact]:
        """Every fact the decision read, deduplicated, in a stable order (see `fact_order`)."""
        seen: dict[tuple[str, str, int, str], Fact] = {}
        for r in self.results:
            for f in r.facts:
                seen.setdefault(fact_order(f.name, f.year, f.path, f.to_json()["value"]), f)
        return [seen[k] for k in sorted(seen)]

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
        """What would have to change for this decision to be eligible (empty if it is).

        The texts of the structured changes computed by `khenthuong.audit.missing.missing`
        (cheapest branch of each `any`, union under `all`, negation under `not`).
        """
        # Imported here: the audit layer builds on the engine, not the other way round.
        from khenthuong.audit.missing import missing

        out: list[str] = []
        for change in missing(self):
            text = change.text(lang)
            if text not in out:
                out.append(text)
        return out

    def summary(self, lang: str = "vi") -> str:
        label = award_label(self.award, lang)
        return f"{self.candidate} — {label}: {self.outcome.value}"
