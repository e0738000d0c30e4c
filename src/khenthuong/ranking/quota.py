"""Quota scopes and arithmetic: who competes with whom, and how many places there are.

A quota's scope groups candidates: `unit` (the top unit of the candidate's unit tree in the batch,
whose head decides), `cluster` (the khối/cụm thi đua of the unit or its nearest parent that names
one), `province` and `batch` (everyone in the batch). Its base counts the subjects of the scope
holding a title in the judged year — for individuals, from the listed members' derived decisions, or
from a unit's declared `members_…` aggregate when its members are not all listed. The number of
places is `ratio × base`, rounded as declared, never below the declared minimum; the arithmetic is
kept and written out ("15% × 47 = 7,05 → 7") so a board can check it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from khenthuong.engine.evaluate import Evaluation
from khenthuong.engine.facts import SubjectView
from khenthuong.engine.predicates import count3, members_basis
from khenthuong.model.subjects import Household, Person, Unit, UnitYear
from khenthuong.model.vocab import Award, Confidence, SubjectKind
from khenthuong.periods import Truth
from khenthuong.ranking.policy import CompiledQuota, RankingPlan

AGGREGATE_FIELDS: dict[Award, str] = {
    Award.LAO_DONG_TIEN_TIEN: "members_lao_dong_tien_tien",
    Award.CHIEN_SI_THI_DUA_CO_SO: "members_chien_si_thi_dua_co_so",
}
_ROUNDING = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "half_up": ROUND_HALF_UP}
ROUNDING_TEXT = {
    "floor": ("làm tròn xuống", "rounded down"),
    "ceil": ("làm tròn lên", "rounded up"),
    "half_up": ("làm tròn đến số gần nhất", "rounded to nearest"),
}
SCOPE_TEXT = {
    "unit": ("đơn vị", "unit"),
    "cluster": ("khối, cụm thi đua", "emulation cluster"),
    "province": ("tỉnh", "province"),
    "batch": ("đợt xét", "batch"),
}


def decimal_text(value: Decimal, lang: str = "vi") -> str:
    """A decimal as board staff write it: `6,0`, `7,05`, `0,75` (English: `6.0`, `7.05`).

    Example:
        >>> decimal_text(Decimal("6.00")), decimal_text(Decimal("7.05")), decimal_text(Decimal("7.05"), "en")
        ('6,0', '7,05', '7.05')
    """
    if value == value.to_integral_value():
        text = f"{int(value)}.0"
    else:
        text = format(value.normalize(), "f")
    return text.replace(".", "." if lang == "en" else ",")


def percent_text(ratio: Decimal, lang: str = "vi") -> str:
    """`Decimal("0.15")` → `15%`; `Decimal("0.125")` → `12,5%`."""
    pct = (ratio * 100).normalize()
    text = format(pct, "f") if pct != pct.to_integral_value() else str(int(pct))
    return text.replace(".", "." if lang == "en" else ",") + "%"


def round_places(product: Decimal, rounding: str) -> int:
    """`product` rounded to a whole number of places by the declared rule."""
    return int(product.to_integral_value(rounding=_ROUNDING[rounding]))


@dataclass(frozen=True, slots=True)
class BasePart:
    """What one unit (or the unaffiliated people) contributes to a base, and how it was counted."""

    unit: str | None
    count: int
    unknown: int
    how: str  # listed | aggregate | partial | people | collective

    def to_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "count": self.count, "unknown": self.unknown, "how": self.how}


@dataclass(frozen=True, slots=True)
class QuotaArithmetic:
    """The places of one quota in one scope, with every number that produced them."""

    quota: CompiledQuota
    scope_kind: str
    scope: str
    base: int | None
    base_unknown: int
    parts: tuple[BasePart, ...]
    product: Decimal | None
    rounded: int | None
    slots: int

    @property
    def confidence(self) -> Confidence:
        """The weakest source mark of these places; the rounding counts only if it changed them."""
        exact = self.product is not None and self.product == self.product.to_integral_value()
        return self.quota.marks(rounding_matters=not exact)

    def text(self, lang: str = "vi") -> str:
        """`15% × 40 = 6,0 → 6`, with the minimum when it raises the result."""
        q = self.quota
        if self.product is None or q.ratio is None or self.base is None:
            return f"{self.slots} suất" if lang != "en" else f"{self.slots} place(s)"
        out = (
            f"{percent_text(q.ratio, lang)} × {self.base} = {decimal_text(self.product, lang)} → "
            f"{self.rounded}"
        )
        if self.rounded is not None and self.slots > self.rounded:
            out += f"; {'minimum' if lang == 'en' else 'tối thiểu'} {q.minimum} → {self.slots}"
        return out

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        q = self.quota
        return {
            "id": q.id,
            "scope": self.scope,
            "scope_kind": self.scope_kind,
            "base": self.base,
            "base_unknown": self.base_unknown,
            "base_holders": q.base.holders.value if q.base else None,
            "base_parts": [p.to_json() for p in self.parts],
            "ratio": str(q.ratio) if q.ratio is not None else None,
            "rounding": q.rounding,
            "minimum": q.minimum,
            "slots": self.slots,
            "text": self.text(lang),
            "cite": q.source.cite,
            "confidence": self.confidence.value,
            "rounding_cite": q.rounding_source.cite if q.rounding_source else None,
            "params": q.params_json(),
            "layer": q.layer,
        }


class Scopes:
    """Where each subject of a batch sits: its top unit, its cluster, the province, the batch."""

    def __init__(self, ev: Evaluation, plan: RankingPlan) -> None:
        self.ev = ev
        self.batch = ev.batch
        self.units: dict[str, Unit] = {u.id: u for u in self.batch.units}
        self.children: dict[str, list[str]] = {}
        for u in sorted(self.batch.units, key=lambda u: u.id):
            if u.parent is not None and u.parent in self.units:
                self.children.setdefault(u.parent, []).append(u.id)
        self.listed_cluster: dict[str, str] = {}
        if ev.movement is not None:  # the movement's own khối/cụm come before the province's list
            for mc in ev.movement.clusters:
                for member in mc.members:
                    self.listed_cluster.setdefault(member, mc.id)
        if plan.clusters is not None:
            for c in plan.clusters.clusters:
                for member in c.members:
                    self.listed_cluster.setdefault(member, c.id)

    def _chain(self, unit_id: str | None) -> list[Unit]:
        chain: list[Unit] = []
        seen: set[str] = set()
        while unit_id is not None and unit_id in self.units and unit_id not in seen:
            seen.add(unit_id)
            unit = self.units[unit_id]
            chain.append(unit)
            unit_id = unit.parent
        return chain

    def unit_of(self, view: SubjectView) -> str | None:
        record = view.record
        if isinstance(record, Person):
            return record.unit
        if isinstance(record, Household):
            return record.village
        return record.id

    def root(self, unit_id: str | None) -> str | None:
        chain = self._chain(unit_id)
        return chain[-1].id if chain else None

    def cluster(self, unit_id: str | None) -> str | None:
        for unit in self._chain(unit_id):
            if unit.cluster is not None:
                return unit.cluster
            listed = self.listed_cluster.get(unit.id)
            if listed is not None:
                return listed
        return None

    def scope_of(self, kind: str, view: SubjectView) -> str | None:
        """The id of the scope `view` competes in, or None when it cannot be placed."""
        if kind == "batch":
            return self.batch.batch.id
        if kind == "province":
            return self.batch.batch.province or self.batch.batch.id
        unit = self.unit_of(view)
        return self.root(unit) if kind == "unit" else self.cluster(unit)

    def population(self, kind: str, scope: str) -> tuple[list[str], list[str]]:
        """(unit ids, ids of people with no unit) that make up a scope, in id order."""
        if kind in ("batch", "province"):
            loose = sorted(
                p.id for p in self.batch.people if p.unit is None or p.unit not in self.units
            )
            return sorted(self.units), loose
        if kind == "cluster":
            return sorted(u for u in self.units if self.cluster(u) == scope), []
        out: set[str] = set()
        stack = [scope]
        while stack:
            uid = stack.pop()
            if uid in out:
                continue
            out.add(uid)
            stack.extend(self.children.get(uid, []))
        return sorted(out), []


def _unit_year(view: SubjectView, year: int) -> UnitYear | None:
    rec = view.years.get(year)
    return rec if isinstance(rec, UnitYear) else None


def count_base(quota: CompiledQuota, scopes: Scopes, kind: str, scope: str) -> QuotaArithmetic:
    """Count the base of `quota` in one scope and compute its places."""
    ev = scopes.ev
    year = ev.year
    index = ev.index
    assert quota.base is not None
    holders = quota.base.holders
    units, loose = scopes.population(kind, scope)
    parts: list[BasePart] = []

    def derived(views: list[SubjectView]) -> tuple[int, int]:
        truths: list[Truth] = ev.title_truths(views, holders, year)
        return count3(truths)

    if quota.base.subjects is SubjectKind.UNIT:
        sure, unknown = derived([index.subjects[u] for u in units])
        parts.append(BasePart(None, sure, unknown, "collective"))
    else:
        for uid in units:
            view = index.subjects[uid]
            listed, headcount, all_listed = members_basis(view, ev)
            attr = AGGREGATE_FIELDS.get(holders)
            uy = _unit_year(view, year)
            aggregate = getattr(uy, attr) if (uy is not None and attr) else None
            if not all_listed and aggregate is not None and quota.base.aggregates:
                parts.append(BasePart(uid, aggregate, 0, "aggregate"))
            elif listed:
                s, u = derived(listed)
                partial = headcount is not None and headcount > len(listed)
                parts.append(BasePart(uid, s, u, "partial" if partial else "listed"))
        if loose:
            s, u = derived([index.subjects[p] for p in loose])
            parts.append(BasePart(None, s, u, "people"))
    base = sum(p.count for p in parts)
    base_unknown = sum(p.unknown for p in parts)
    return arithmetic(quota, kind, scope, base, base_unknown, tuple(parts))


def arithmetic(
    quota: CompiledQuota,
    kind: str,
    scope: str,
    base: int | None,
    base_unknown: int = 0,
    parts: tuple[BasePart, ...] = (),
) -> QuotaArithmetic:
    """The places of `quota` for a counted base (or its fixed places).

    Example:
        >>> from khenthuong.ranking.policy import Cited, CompiledQuota
        >>> from khenthuong.model.vocab import Confidence
        >>> q = CompiledQuota("q", Award.CHIEN_SI_THI_DUA_CO_SO, "t", "unit", None, Decimal("0.15"),
        ...     None, "floor", 1, False, Cited("c", Confidence.SEEN), None, (), None)
        >>> arithmetic(q, "unit", "U1", 47).text(), arithmetic(q, "unit", "U1", 5).text("en")
        ('15% × 47 = 7,05 → 7', '15% × 5 = 0.75 → 0; minimum 1 → 1')
    """
    if quota.ratio is None or base is None:
        slots = max(quota.slots or 0, quota.minimum)
        return QuotaArithmetic(quota, kind, scope, None, 0, parts, None, None, slots)
    product = quota.ratio * base
    rounded = round_places(product, quota.rounding)
    return QuotaArithmetic(
        quota, kind, scope, base, base_unknown, parts, product, rounded, max(rounded, quota.minimum)
    )
