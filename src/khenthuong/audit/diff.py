"""Compare two packs on one batch: every (candidate, award) whose outcome differs, and why.

`diff(batch, pack_a, pack_b)` decides the batch's nominations under each pack and, for each pair
whose outcome differs, shows on each side the criteria that made the difference: on a side that is
not eligible, the criteria that do not hold; on an eligible side, the criteria that correspond to
the other side's failures (same criterion id, or reading the same facts), each with the conditions
that decided it and the facts they read.

The decision date stays the batch's on both sides. A pack that does not cover that date is still
usable: its rules are compiled for the nearest date it covers (its first day, or its last) and
applied on the batch's date, and the result says so — a hypothetical comparison ("what if the new
law had applied"), not a decision. A batch's provincial layer is used with each pack it extends and
left out, with a note, for a pack it does not extend.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khenthuong.audit.explain import OUTCOME_WORDS, fact_label, fact_value
from khenthuong.audit.missing import resolve_for
from khenthuong.batch.load import load_batch
from khenthuong.engine.compile import CompiledCriterion, Node
from khenthuong.engine.decision import MARK, Decision
from khenthuong.engine.evaluate import evaluate_nominations
from khenthuong.engine.facts import Fact
from khenthuong.model.batch import Batch
from khenthuong.model.vocab import Award, Outcome, award_label
from khenthuong.movements.catalog import movement_for
from khenthuong.packs.registry import PackRegistry, ResolvedPack
from khenthuong.periods import Truth


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition that decided a criterion: its truth, its text and the facts it read."""

    holds: Truth
    text_vi: str
    text_en: str
    facts: tuple[Fact, ...]
    leaf: Any = dataclasses.field(repr=False, compare=False, default=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "holds": self.holds,
            "text": {"vi": self.text_vi, "en": self.text_en},
            "facts": [f.to_json() for f in self.facts],
        }


@dataclass(frozen=True, slots=True)
class Reason:
    """A criterion that made the difference on one side."""

    criterion: str
    title_vi: str
    title_en: str
    cite: str
    confidence: str
    holds: Truth
    conditions: tuple[Condition, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "title": {"vi": self.title_vi, "en": self.title_en},
            "cite": self.cite,
            "confidence": self.confidence,
            "holds": self.holds,
            "conditions": [c.to_json() for c in self.conditions],
        }


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a changed outcome."""

    pack: str
    outcome: Outcome
    rule: str | None
    reasons: tuple[Reason, ...]
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "outcome": self.outcome.value,
            "rule": self.rule,
            "reasons": [r.to_json() for r in self.reasons],
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class OutcomeChange:
    """A (candidate, award) decided differently by the two packs."""

    candidate: str
    name: str
    award: Award
    before: Side
    after: Side

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "name": self.name,
            "award": self.award.value,
            "from": self.before.to_json(),
            "to": self.after.to_json(),
        }


@dataclass(frozen=True, slots=True)
class PackUse:
    """How one pack was used: its layers and digest, and the date its rules were compiled for."""

    id: str
    layers: tuple[str, ...]
    digest: str
    compiled_for: dt.date
    notes: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "layers": list(self.layers),
            "digest": self.digest,
            "compiled_for": self.compiled_for.isoformat(),
            "notes": [{"vi": vi, "en": en} for vi, en in self.notes],
        }


@dataclass(frozen=True, slots=True)
class PackDiff:
    """The result of `diff`: the two packs as used, how many decisions, and the changed ones."""

    batch: str
    year: int
    date: dt.date
    before: PackUse
    after: PackUse
    compared: int
    changes: tuple[OutcomeChange, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "batch": {"id": self.batch, "year": self.year, "decision_date": self.date.isoformat()},
            "from": self.before.to_json(),
            "to": self.after.to_json(),
            "compared": self.compared,
            "changed": len(self.changes),
            "changes": [c.to_json() for c in self.changes],
        }

    def text(self, lang: str = "vi") -> str:
        return "\n".join(_render(self, lang)) + "\n"


def diff(
    batch: Batch | str | Path,
    pack_a: str | ResolvedPack,
    pack_b: str | ResolvedPack,
    *,
    province: str | None = None,
    registry: PackRegistry | None = None,
) -> PackDiff:
    """Decide `batch` under `pack_a` and `pack_b`; return the pairs whose outcome differs.

    Args:
        batch: a loaded batch or the path of a batch file.
        pack_a, pack_b: national pack ids ("vn-2017") or resolved packs.
        province: the provincial layer to apply; by default the batch's, left out (with a note)
            for a pack it does not extend. Given explicitly, it must extend both packs.
        registry: where packs come from (default: the bundled packs).

    Example:
        >>> from khenthuong import batch_from_text
        >>> from khenthuong.audit.diff import diff
        >>> b = batch_from_text('''
        ... batch: {id: vd, year: 2023, as_of: 2023-12-15}
        ... people:
        ...   - {id: P1, name: Hà Văn Tú, recruited_on: 2023-05-01,
        ...      history: [{year: 2023, rating: HTTNV}],
        ...      attestations: {ethics: true, compliance: true, emulation: true, study: true,
        ...                     solidarity: true}}
        ... nominations: [{candidate: P1, award: lao_dong_tien_tien}]
        ... ''')
        >>> d = diff(b, "vn-2017", "vn-2024")
        >>> [(c.candidate, c.before.outcome.value, c.after.outcome.value) for c in d.changes]
        [('P1', 'ineligible', 'eligible')]
        >>> d.changes[0].before.reasons[0].criterion.split("/")[1]
        'tenure'
    """
    if not isinstance(batch, Batch):
        batch = load_batch(batch)
    registry = registry or PackRegistry()
    left, use_a = _decide(batch, pack_a, province, registry)
    right, use_b = _decide(batch, pack_b, province, registry)
    changes: list[OutcomeChange] = []
    for key, a in left.items():
        b = right.get(key)
        if b is None or a.outcome is b.outcome:
            continue
        side_a, side_b = _sides(a, b, use_a.id, use_b.id)
        changes.append(OutcomeChange(a.candidate, a.name, a.award, side_a, side_b))
    return PackDiff(
        batch.batch.id,
        batch.batch.year,
        batch.batch.decision_date,
        use_a,
        use_b,
        len(left),
        tuple(changes),
    )


def _decide(
    batch: Batch,
    pack: str | ResolvedPack,
    province: str | None,
    registry: PackRegistry,
) -> tuple[dict[tuple[Award, str], Decision], PackUse]:
    day = batch.batch.decision_date
    notes: list[tuple[str, str]] = []
    if isinstance(pack, ResolvedPack):
        resolved = pack
    elif province is not None:
        resolved = registry.resolve(pack, province)
    else:
        resolved, note = resolve_for(registry, day, batch.batch.province, pack)
        if note:
            notes.append(note)
    compiled_for = day
    if not resolved.covers(day):
        compiled_for = (
            resolved.coverage_from
            if day < resolved.coverage_from
            else resolved.coverage_until or resolved.coverage_from
        )
        vi_day, vi_then = day.strftime("%d/%m/%Y"), compiled_for.strftime("%d/%m/%Y")
        notes.append(
            (
                f"{resolved.id} không áp dụng cho ngày {vi_day}: các quy tắc có hiệu lực ngày "
                f"{vi_then} được áp dụng cho ngày xét {vi_day} (so sánh giả định)",
                f"{resolved.id} does not cover {day.isoformat()}: the rules it has in force on "
                f"{compiled_for.isoformat()} are applied on {day.isoformat()} (a hypothetical "
                "comparison)",
            )
        )
    # The rules of `compiled_for`, the dates of the batch (tenure, open cases) on `day`.
    plan = dataclasses.replace(resolved.plan(compiled_for), date=day)
    # The movement the batch names, from this pack's layers (its targets decide `targets`).
    evaluated = evaluate_nominations(plan, batch, movement=movement_for(resolved, batch))
    decided = {(d.award, d.candidate): d for d in evaluated.decisions}
    use = PackUse(
        resolved.id, tuple(resolved.layer_ids), resolved.digest, compiled_for, tuple(notes)
    )
    return decided, use


def _sides(a: Decision, b: Decision, pack_a: str, pack_b: str) -> tuple[Side, Side]:
    failing_a = [c for c, holds in a.criteria() if holds is not True]
    failing_b = [c for c, holds in b.criteria() if holds is not True]
    reasons_a = failing_a or _matching(a, failing_b, b)
    reasons_b = failing_b or _matching(b, failing_a, a)
    return (
        Side(pack_a, a.outcome, a.rule.id if a.rule else None, _reasons(a, reasons_a), a.note),
        Side(pack_b, b.outcome, b.rule.id if b.rule else None, _reasons(b, reasons_b), b.note),
    )


def _matching(
    d: Decision, other: list[CompiledCriterion], other_d: Decision
) -> list[CompiledCriterion]:
    """Criteria of `d` that correspond to `other` (criteria of `other_d`): same id or same facts."""
    ids = {c.id for c in other}
    paths = {f.path for c in other for i in _leaves(c.node) for f in other_d.results[i].facts}
    out = []
    for c, _ in d.criteria():
        read = {f.path for i in _leaves(c.node) for f in d.results[i].facts}
        if c.id in ids or read & paths:
            out.append(c)
    return out


def _leaves(node: Node) -> Iterator[int]:
    if node.kind == "leaf":
        yield node.leaf
    for child in node.children:
        yield from _leaves(child)


def _witnesses(node: Node, truths: tuple[Truth, ...]) -> Iterator[int]:
    """The leaves that justify `node`'s value (the first true branch of a true `any`)."""
    value = node.value(truths)
    if node.kind == "leaf":
        yield node.leaf
    elif node.kind == "not":
        yield from _witnesses(node.children[0], truths)
    elif node.kind == "any" and value is True:
        first = next(c for c in node.children if c.value(truths) is True)
        yield from _witnesses(first, truths)
    elif (node.kind == "all" and value is True) or (node.kind == "any" and value is False):
        for child in node.children:
            yield from _witnesses(child, truths)
    else:  # a false `all`, or an unknown: the children that carry that value
        for child in node.children:
            if child.value(truths) is value:
                yield from _witnesses(child, truths)


def _reasons(d: Decision, criteria: list[CompiledCriterion]) -> tuple[Reason, ...]:
    if d.rule is None:
        return ()
    truths = d.truths
    out = []
    for c in criteria:
        conditions = tuple(
            Condition(
                d.results[i].holds,
                d.rule.leaves[i].describe("vi"),
                d.rule.leaves[i].describe("en"),
                d.results[i].facts,
                d.rule.leaves[i],
            )
            for i in dict.fromkeys(_witnesses(c.node, truths))
        )
        out.append(
            Reason(
                f"{d.rule.id}/{c.id}",
                c.title,
                c.title_en or c.title,
                c.cite,
                c.source.confidence.value,
                c.node.value(truths),
                conditions,
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- rendering


def _render(pd: PackDiff, lang: str) -> list[str]:
    en = lang == "en"
    day = pd.date.isoformat() if en else pd.date.strftime("%d/%m/%Y")
    a, b = pd.before, pd.after
    out = [
        (
            f"Comparing {' + '.join(a.layers)} → {' + '.join(b.layers)} on batch {pd.batch} "
            f"(year {pd.year}, decision date {day})"
            if en
            else f"So sánh bộ quy tắc {' + '.join(a.layers)} → {' + '.join(b.layers)} trên đợt "
            f"xét {pd.batch} (năm {pd.year}, ngày xét {day})"
        )
    ]
    for use in (a, b):
        for vi, en_note in use.notes:
            out.append(f"Note: {en_note}" if en else f"Lưu ý: {vi}")
    out.append(
        f"{pd.compared} decisions compared, {len(pd.changes)} change outcome"
        if en
        else f"{pd.compared} đề nghị được so sánh, {len(pd.changes)} đề nghị đổi kết quả"
    )
    for c in pd.changes:
        out.append("")
        out.append(
            f"{c.candidate} {c.name} — {award_label(c.award, lang)}: "
            f"{_word(c.before.outcome, lang)} → {_word(c.after.outcome, lang)}"
        )
        for side in (c.before, c.after):
            out += _side(side, lang)
    return out


def _word(o: Outcome, lang: str) -> str:
    vi, en = OUTCOME_WORDS[o]
    return en if lang == "en" else vi


def _side(side: Side, lang: str) -> list[str]:
    en = lang == "en"
    head = f"  {side.pack}: {_word(side.outcome, lang)}"
    if side.rule is None:
        return [head + f" — {side.note or ''}"]
    out = [head + f" ({side.rule})"]
    if not side.reasons:
        out.append(
            "    no corresponding criterion; every criterion of this rule holds"
            if en
            else "    không có tiêu chuẩn tương ứng; mọi tiêu chuẩn của quy tắc này đều đạt"
        )
    for r in side.reasons:
        title = r.title_en if en else r.title_vi
        out.append(f"    {MARK[r.holds]} [{r.criterion}] {title} — {r.cite}")
        for cond in r.conditions:
            facts = "; ".join(
                f"{fact_label(f, cond.leaf, lang)}{f' {f.year}' if f.year is not None else ''}: "
                f"{fact_value(f.value, lang)}"
                for f in cond.facts
            )
            text = cond.text_en if en else cond.text_vi
            out.append(f"        {MARK[cond.holds]} {text}" + (f" ({facts})" if facts else ""))
    return out


__all__ = [
    "Condition",
    "OutcomeChange",
    "PackDiff",
    "PackUse",
    "Reason",
    "Side",
    "diff",
]
