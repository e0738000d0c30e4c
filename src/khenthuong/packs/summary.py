"""What a rule pack covers: its period, the awards it decides, and how sure its rules are.

`summarise(pack)` reads a loaded pack (no compiling) and returns a `PackSummary`: coverage, kind,
the packs it extends, every award with the subjects it has a rule for, the count of rules by
confidence (a rule is as sure as the least sure of its own source and its criteria' sources, as
`khenthuong.engine.compile` computes it) and the parameters a province may replace (`delegated`).
It is what `khenthuong packs` prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khenthuong.errors import Diagnostic, Severity
from khenthuong.model.vocab import (
    CONFIDENCE_ORDER,
    Award,
    Confidence,
    SubjectKind,
    award_label,
)
from khenthuong.packs.loader import LoadedPack, read_pack
from khenthuong.packs.registry import PackRegistry
from khenthuong.packs.schema import Rule

AWARD_ORDER = {a: i for i, a in enumerate(Award)}
SUBJECT_ORDER = {s: i for i, s in enumerate(SubjectKind)}


def rule_confidence(rule: Rule) -> Confidence:
    """The least sure of the rule's source and its criteria' sources (seen < secondary < unconfirmed).

    Example:
        >>> from khenthuong.packs.registry import PackRegistry
        >>> pack = PackRegistry().load("vn-2017")
        >>> rule = next(r for r in pack.rules if r.id == "cstdcs.2017")
        >>> rule_confidence(rule).value
        'seen'
    """
    marks = [rule.source.confidence, *(c.source.confidence for c in rule.criteria)]
    return max(marks, key=CONFIDENCE_ORDER.__getitem__)


@dataclass(frozen=True, slots=True)
class AwardCoverage:
    """One award a pack decides, and for which kinds of subject it has a rule."""

    award: Award
    subjects: tuple[SubjectKind, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "award": self.award.value,
            "label": {"vi": award_label(self.award), "en": award_label(self.award, "en")},
            "subjects": [s.value for s in self.subjects],
        }


@dataclass(frozen=True, slots=True)
class PackSummary:
    """The overview of one pack, as `khenthuong packs` shows it."""

    id: str
    title: str
    version: str
    kind: str
    province: str | None
    extends: tuple[str, ...]
    coverage_from: dt.date
    coverage_until: dt.date | None
    awards: tuple[AwardCoverage, ...]
    rules_by_confidence: dict[Confidence, int]
    instruments: tuple[str, ...]
    parameters: tuple[str, ...]
    delegated: tuple[str, ...]

    @property
    def rule_count(self) -> int:
        return sum(self.rules_by_confidence.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "kind": self.kind,
            "province": self.province,
            "extends": list(self.extends),
            "coverage": {
                "from": self.coverage_from.isoformat(),
                "until": self.coverage_until.isoformat() if self.coverage_until else None,
            },
            "awards": [a.to_json() for a in self.awards],
            "rules": {
                "total": self.rule_count,
                **{c.value: self.rules_by_confidence[c] for c in Confidence},
            },
            "instruments": list(self.instruments),
            "parameters": {"total": len(self.parameters), "delegated": list(self.delegated)},
        }


def summarise(pack: LoadedPack) -> PackSummary:
    """The summary of one loaded pack.

    Example:
        >>> from khenthuong.packs.registry import PackRegistry
        >>> s = summarise(PackRegistry().load("vn-2024"))
        >>> s.coverage_from.isoformat(), s.coverage_until, len(s.awards)
        ('2024-01-01', None, 14)
    """
    m = pack.manifest
    subjects: dict[Award, set[SubjectKind]] = {}
    counts = dict.fromkeys(Confidence, 0)
    for rule in pack.rules:
        subjects.setdefault(rule.award, set()).add(rule.subject)
        counts[rule_confidence(rule)] += 1
    awards = tuple(
        AwardCoverage(a, tuple(sorted(subjects[a], key=SUBJECT_ORDER.__getitem__)))
        for a in sorted(subjects, key=AWARD_ORDER.__getitem__)
    )
    return PackSummary(
        id=m.id,
        title=m.title,
        version=m.version,
        kind=m.kind,
        province=m.province,
        extends=m.extends,
        coverage_from=m.coverage.from_,
        coverage_until=m.coverage.until,
        awards=awards,
        rules_by_confidence=counts,
        instruments=tuple(sorted(pack.instruments)),
        parameters=tuple(sorted(pack.parameters)),
        delegated=tuple(sorted(p for p, v in pack.parameters.items() if v.delegated)),
    )


def summarise_all(
    registry: PackRegistry | None = None,
) -> tuple[list[PackSummary], list[Diagnostic]]:
    """Summaries of every pack the registry finds, and the errors of the packs that do not load.

    A pack with errors is left out of the summaries; its diagnostics are returned instead, so one
    broken pack does not hide the others.
    """
    registry = registry or PackRegistry()
    summaries: list[PackSummary] = []
    problems: list[Diagnostic] = []
    for _, folder in sorted(registry.folders().items()):
        pack, diagnostics = read_pack(Path(folder))
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        if pack is None or errors:
            problems += errors or diagnostics
            continue
        summaries.append(summarise(pack))
    summaries.sort(key=lambda s: (s.kind != "national", s.coverage_from, s.id))
    return summaries, problems
