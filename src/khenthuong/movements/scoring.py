"""Score units against a movement's targets: met, exceeded, missed, not reported, not applicable.

Rules (documented in docs/movements.md):
- at_least / at_most: exactly at the threshold is met; strictly better is exceeded;
- below: a strict bound ("dưới 3,45%"): met when strictly below, never "exceeded";
- range: met inside [low, high], exceeded above high, missed below low;
- qualitative: true is met, false is missed;
- a target whose `applies_to` excludes the unit's kind, or that the unit reports as `null`,
  is not applicable; a target the unit does not report at all is not reported (never missed).
A unit "hoàn thành vượt mức các chỉ tiêu" when every applicable target is met or exceeded and at
least one is exceeded (`summary_rule: all_met_and_one_exceeded`), or when all are met (`all_met`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from khenthuong.model.movement import Comparison, Movement, Target, TargetStatus
from khenthuong.model.subjects import Unit

Reported = Decimal | bool | None


class Summary(StrEnum):
    EXCEEDED = "exceeded"  # hoàn thành vượt mức các chỉ tiêu
    MET = "met"  # hoàn thành các chỉ tiêu
    MISSED = "missed"  # không hoàn thành chỉ tiêu
    INCOMPLETE = "incomplete"  # chưa báo cáo đủ chỉ tiêu


SUMMARY_TEXT: dict[Summary, tuple[str, str]] = {
    Summary.EXCEEDED: ("hoàn thành vượt mức các chỉ tiêu", "met every target, exceeded some"),
    Summary.MET: ("hoàn thành các chỉ tiêu", "met every target"),
    Summary.MISSED: ("không hoàn thành chỉ tiêu", "missed a target"),
    Summary.INCOMPLETE: ("chưa báo cáo đủ chỉ tiêu", "results not all reported"),
}
STATUS_TEXT: dict[TargetStatus, tuple[str, str]] = {
    TargetStatus.EXCEEDED: ("vượt", "exceeded"),
    TargetStatus.MET: ("đạt", "met"),
    TargetStatus.MISSED: ("không đạt", "missed"),
    TargetStatus.NOT_REPORTED: ("chưa báo cáo", "not reported"),
    TargetStatus.NOT_APPLICABLE: ("không áp dụng", "not applicable"),
}
STATUS_ORDER: tuple[TargetStatus, ...] = (
    TargetStatus.EXCEEDED,
    TargetStatus.MET,
    TargetStatus.MISSED,
    TargetStatus.NOT_REPORTED,
    TargetStatus.NOT_APPLICABLE,
)


def summary_text(summary: Summary, lang: str = "vi") -> str:
    vi, en = SUMMARY_TEXT[summary]
    return en if lang == "en" else vi


def status_text(status: TargetStatus, lang: str = "vi") -> str:
    vi, en = STATUS_TEXT[status]
    return en if lang == "en" else vi


def number_text(value: Decimal, lang: str = "vi") -> str:
    """A reported number as boards write it: `2.000`, `56,54`, `7,5` (English: `2,000`, `56.54`).

    Example:
        >>> number_text(Decimal("2000")), number_text(Decimal("56.54")), number_text(Decimal("2370.5"), "en")
        ('2.000', '56,54', '2,370.5')
    """
    text = format(value.normalize(), "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    thousands, point = (",", ".") if lang == "en" else (".", ",")
    return sign + thousands.join(groups) + (point + frac if frac else "")


def value_text(value: Reported, lang: str = "vi") -> str:
    """A reported value for people: a number as boards write it, yes/no, or a dash."""
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("có" if value else "không")
    if value is None:
        return "—"
    return number_text(value, lang)


def bound_text(target: Target, lang: str = "vi") -> str:
    """The target as a comparison: `≥ 2.000 tỷ đồng`, `7,5–8 %`, `< 3,45 %`, `đạt`.

    Example:
        >>> t = Target(id="t", text="t", metric="m", unit="%", comparison=Comparison.RANGE,
        ...            low=Decimal("7.5"), high=Decimal("8"), source="II.1")
        >>> bound_text(t), bound_text(t, "en")
        ('7,5–8 %', '7.5–8 %')
    """
    unit = f" {target.unit}" if target.unit else ""
    c = target.comparison
    if c is Comparison.QUALITATIVE:
        return "attained" if lang == "en" else "đạt"
    if c is Comparison.RANGE:
        assert target.low is not None
        assert target.high is not None
        return f"{number_text(target.low, lang)}–{number_text(target.high, lang)}{unit}"
    assert target.threshold is not None
    sign = {Comparison.AT_LEAST: "≥", Comparison.AT_MOST: "≤", Comparison.BELOW: "<"}[c]
    return f"{sign} {number_text(target.threshold, lang)}{unit}"


def decimal_json(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def reported_json(value: Reported) -> str | bool | None:
    """A reported value in JSON: numbers as exact decimal strings, yes/no as booleans."""
    return value if isinstance(value, bool) or value is None else format(value, "f")


def target_json(target: Target, lang: str = "vi") -> dict[str, Any]:
    """A target as `check --format json` lists it under `movements[].targets`."""
    return {
        "id": target.id,
        "text": target.text,
        "metric": target.metric,
        "unit": target.unit,
        "comparison": target.comparison.value,
        "threshold": decimal_json(target.threshold),
        "low": decimal_json(target.low),
        "high": decimal_json(target.high),
        "weight": decimal_json(target.weight),
        "source": target.source,
        "applies_to": [k.value for k in target.applies_to],
        "parent": target.parent,
        "bound": bound_text(target, lang),
    }


@dataclass(frozen=True, slots=True)
class TargetResult:
    target: Target
    status: TargetStatus
    value: Reported


@dataclass(frozen=True, slots=True)
class Scorecard:
    """A unit's results against every target of a movement in one year."""

    unit: str
    name: str
    cluster: str | None
    year: int
    results: tuple[TargetResult, ...]
    summary: Summary

    def count(self, status: TargetStatus) -> int:
        return sum(r.status is status for r in self.results)

    def ids(self, status: TargetStatus) -> tuple[str, ...]:
        """The ids of the targets with this status, in the movement's order."""
        return tuple(r.target.id for r in self.results if r.status is status)

    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in STATUS_ORDER}

    def to_json(self, movement: Movement, lang: str = "vi") -> dict[str, Any]:
        """The unit's line of `movements[].units`: each target's status and reported value."""
        return {
            "unit": self.unit,
            "name": self.name,
            "cluster": self.cluster,
            "year": self.year,
            "summary": self.summary.value,
            "summary_text": summary_text(self.summary, lang),
            "qualifies": qualifies(movement, self),
            "counts": self.counts(),
            "targets": {
                r.target.id: {"status": r.status.value, "value": reported_json(r.value)}
                for r in self.results
            },
        }


def score_value(target: Target, value: Reported) -> TargetStatus:
    """The status of one reported value against one target."""
    if target.comparison is Comparison.QUALITATIVE:
        if not isinstance(value, bool):
            return TargetStatus.NOT_REPORTED
        return TargetStatus.MET if value else TargetStatus.MISSED
    if isinstance(value, bool) or value is None:
        return TargetStatus.NOT_REPORTED
    if target.comparison is Comparison.RANGE:
        assert target.low is not None
        assert target.high is not None
        if value < target.low:
            return TargetStatus.MISSED
        return TargetStatus.EXCEEDED if value > target.high else TargetStatus.MET
    threshold = target.threshold
    assert threshold is not None
    if target.comparison is Comparison.AT_LEAST:
        if value < threshold:
            return TargetStatus.MISSED
        return TargetStatus.EXCEEDED if value > threshold else TargetStatus.MET
    if target.comparison is Comparison.AT_MOST:
        if value > threshold:
            return TargetStatus.MISSED
        return TargetStatus.EXCEEDED if value < threshold else TargetStatus.MET
    return TargetStatus.MET if value < threshold else TargetStatus.MISSED


def score_unit(movement: Movement, unit: Unit, year: int | None = None) -> Scorecard:
    """Score `unit`'s reported results for `year` (default: the movement's year)."""
    year = year or movement.year
    record = next((y for y in unit.history if y.year == year), None)
    reported = record.targets if record is not None else {}
    results = []
    for target in movement.targets:
        if target.applies_to and unit.kind not in target.applies_to:
            results.append(TargetResult(target, TargetStatus.NOT_APPLICABLE, None))
        elif target.id not in reported:
            results.append(TargetResult(target, TargetStatus.NOT_REPORTED, None))
        elif reported[target.id] is None:
            results.append(TargetResult(target, TargetStatus.NOT_APPLICABLE, None))
        else:
            value = reported[target.id]
            results.append(TargetResult(target, score_value(target, value), value))
    return Scorecard(unit.id, unit.name, unit.cluster, year, tuple(results), summarise(results))


def summarise(results: list[TargetResult]) -> Summary:
    statuses = [r.status for r in results if r.status is not TargetStatus.NOT_APPLICABLE]
    if TargetStatus.MISSED in statuses:
        return Summary.MISSED
    if TargetStatus.NOT_REPORTED in statuses or not statuses:
        return Summary.INCOMPLETE
    return Summary.EXCEEDED if TargetStatus.EXCEEDED in statuses else Summary.MET


def qualifies(movement: Movement, card: Scorecard) -> bool:
    """Whether the card counts as "hoàn thành vượt mức các chỉ tiêu" under the movement's rule."""
    if movement.summary_rule == "all_met":
        return card.summary in (Summary.EXCEEDED, Summary.MET)
    return card.summary is Summary.EXCEEDED


def score_units(movement: Movement, units: tuple[Unit, ...], year: int) -> list[Scorecard]:
    """Scorecards of every unit that reports targets or belongs to one of the movement's clusters."""
    members = {m for c in movement.clusters for m in c.members}
    cards = [
        score_unit(movement, u, year)
        for u in units
        if u.id in members
        or u.cluster is not None
        or any(y.year == year and y.targets for y in u.history)
    ]
    return sorted(cards, key=lambda c: c.unit)
