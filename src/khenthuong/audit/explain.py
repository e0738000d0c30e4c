"""Explain a decision for people: the decision tree in Vietnamese or English, with every fact read,
every parameter and its effective date, every citation with its passage and confidence, what is
missing, and — for a candidate not yet eligible — the earliest year it could qualify.

`explain(decision, pack, lang)` renders one decision as text; `explanation(...)` returns the
`Explanation` behind it (also as JSON: the decision record of `check --format json` plus the
structured changes, the projection and the titles of the judged year it was derived from);
`explain_candidate(batch, candidate, award)` is what `khenthuong explain` runs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khenthuong.audit.missing import Change, Projection, missing, project
from khenthuong.audit.records import decision_record
from khenthuong.batch.load import load_batch
from khenthuong.engine.compile import Node
from khenthuong.engine.decision import MARK, Decision
from khenthuong.engine.evaluate import Evaluation
from khenthuong.engine.facts import Fact
from khenthuong.errors import Diagnostic, InputError, Location
from khenthuong.model.batch import Batch
from khenthuong.model.types import suggest
from khenthuong.model.vocab import (
    AWARD_ALIASES,
    AWARD_SUBJECTS,
    Attestation,
    Award,
    Confidence,
    Outcome,
    award_label,
    fold,
    label,
)
from khenthuong.packs.registry import PackRegistry, ParamBinding, ResolvedPack
from khenthuong.packs.schema import Source
from khenthuong.runner import BatchResult, evaluate_batch

OUTCOME_WORDS: dict[Outcome, tuple[str, str]] = {
    Outcome.ELIGIBLE: ("✓ đủ điều kiện", "✓ eligible"),
    Outcome.INELIGIBLE: ("✗ không đủ điều kiện", "✗ not eligible"),
    Outcome.UNDETERMINED: ("? chưa xác định", "? undetermined"),
}
CONFIDENCE_WORDS: dict[Confidence, tuple[str, str]] = {
    Confidence.SEEN: ("✅ đã đối chiếu văn bản", "✅ seen in the official text"),
    Confidence.SECONDARY: ("◑ nguồn thứ cấp", "◑ secondary source"),
    Confidence.UNCONFIRMED: ("❓ chưa xác nhận", "❓ unconfirmed"),
}
_DERIVED = re.compile(r"^derived:([a-z_]+)\[(.+)\]$")


def _t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _day(day: dt.date, lang: str) -> str:
    return day.isoformat() if lang == "en" else day.strftime("%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class Explanation:
    """One decision with everything needed to explain it to a person or an auditor.

    Attributes:
        decision: the decision explained.
        pack: the resolved pack that decided it (for citations and parameters).
        changes: what is missing (`khenthuong.audit.missing.missing`), empty when eligible.
        projection: the earliest year it could qualify, or None when not computed.
        derived: decisions of the judged year's titles that it read (e.g. its Lao động tiên
            tiến for Chiến sĩ thi đua cơ sở), each once, nearest first.
        nominated: False when the batch does not nominate the candidate for this award.
        result: the batch result it came from, if any (for ranking fields).
    """

    decision: Decision
    pack: ResolvedPack
    changes: tuple[Change, ...] = ()
    projection: Projection | None = None
    derived: tuple[Decision, ...] = ()
    nominated: bool = True
    result: BatchResult | None = None

    def text(self, lang: str = "vi") -> str:
        """The explanation as plain text (Vietnamese by default)."""
        return "\n".join(_render(self, lang)) + "\n"

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        """The decision record (as in `check --format json`) plus changes, projection, derived."""
        d = self.decision
        rec = decision_record(d, self.pack, lang)
        if self.result is not None:
            placed = self.result.placement(d.candidate, d.award.value)
            if placed is not None:
                rec.update(placed.to_json(lang))
        rec["nominated"] = self.nominated
        rec["changes"] = [c.to_json() for c in self.changes]
        rec["projection"] = self.projection.to_json() if self.projection else None
        rec["derived"] = [
            {
                "candidate": s.candidate,
                "award": s.award.value,
                "outcome": s.outcome.value,
                "rule": s.rule.id if s.rule else None,
                "missing": s.missing(lang),
                "changes": [c.to_json() for c in missing(s, self.result)],
            }
            for s in self.derived
        ]
        return rec


def explanation(
    decision: Decision,
    pack: ResolvedPack,
    *,
    within: BatchResult | None = None,
    registry: PackRegistry | None = None,
    projection: bool = True,
    nominated: bool = True,
) -> Explanation:
    """Build the `Explanation` of `decision`.

    Args:
        decision: the decision to explain.
        pack: the resolved pack that decided it (`BatchResult.pack`).
        within: the batch result it came from; needed to expand titles of the judged year into
            their own decisions and to compute the projection.
        registry: where the packs of later years come from for the projection (default: bundled).
        projection: whether to compute the earliest year (needs `within`).
        nominated: whether the batch nominated the candidate for this award.
    """
    changes = tuple(missing(decision, within))
    proj = (
        project(decision, within, registry=registry)
        if projection and within is not None and decision.outcome is not Outcome.ELIGIBLE
        else None
    )
    derived = tuple(_derived(decision, within.evaluation)) if within is not None else ()
    return Explanation(decision, pack, changes, proj, derived, nominated, within)


def explain(
    decision: Decision,
    pack: ResolvedPack,
    lang: str = "vi",
    *,
    within: BatchResult | None = None,
    registry: PackRegistry | None = None,
) -> str:
    """The decision tree of `decision` in readable Vietnamese (`lang="vi"`) or English.

    Each criterion and condition is marked ✓ (holds), ✗ (does not) or ? (unknown), with the facts
    it read (their years and places in the batch), the parameters it used (value, effective date,
    source) and the citation with its verbatim passage and confidence; then what is missing and,
    given `within`, the titles of the judged year it was derived from and a projection.

    Example:
        >>> from khenthuong import batch_from_text, evaluate_batch
        >>> from khenthuong.audit.explain import explain
        >>> result = evaluate_batch(batch_from_text('''
        ... batch: {id: vd, year: 2021, as_of: 2021-12-15}
        ... people:
        ...   - {id: P1, name: Nông Thị Hoa, recruited_on: 2015-01-01,
        ...      history: [{year: 2021, rating: HTNV}]}
        ... nominations: [{candidate: P1, award: lao_dong_tien_tien}]
        ... '''))
        >>> text = explain(result.decisions[0], result.pack)
        >>> print(text.splitlines()[0])
        Nông Thị Hoa (P1) — Lao động tiên tiến
        >>> "✗ [rating]" in text and "people[P1].history[2021].rating" in text
        True
    """
    ex = explanation(decision, pack, within=within, registry=registry)
    return ex.text(lang)


def _derived(d: Decision, ev: Evaluation) -> Iterator[Decision]:
    """Decisions of the candidate's own titles of the judged year that `d` read, transitively."""
    seen: set[tuple[str, Award]] = {(d.candidate, d.award)}
    todo = [d]
    while todo:
        current = todo.pop(0)
        for f in current.facts():
            match = _DERIVED.match(f.path)
            if match is None or match.group(2) != d.candidate:
                continue
            key = (match.group(2), Award(match.group(1)))
            if key in seen:
                continue
            seen.add(key)
            sub = ev.decide(*key)
            todo.append(sub)
            yield sub


# --------------------------------------------------------------------------- the command's work


def explain_candidate(
    batch: Batch | str | Path,
    candidate: str,
    award: str | None = None,
    *,
    pack: str | None = None,
    province: str | None = None,
    registry: PackRegistry | None = None,
    projection: bool = True,
    source: str | None = None,
) -> list[Explanation]:
    """Explain `candidate`'s nominations in `batch` (or the one `award`, nominated or not).

    Args:
        batch: a loaded batch or the path of a batch file.
        candidate: the id of a person, unit or household of the batch.
        award: an award code (or a common name such as "CSTĐCS"); None for every nomination.
        pack, province, registry: as for `evaluate_batch`.
        projection: whether to compute the earliest year for decisions not eligible.
        source: the batch's file name, for messages (default: the path given, or "<batch>").

    Raises:
        InputError: KT510 unknown candidate, KT511 unknown award, KT512 an award that does not
            go to this kind of candidate, KT513 no nomination and no award given.
    """
    if not isinstance(batch, Batch):
        source = source or str(batch)
        batch = load_batch(batch)
    source = source or "<batch>"
    registry = registry or PackRegistry()
    result = evaluate_batch(batch, pack=pack, province=province, registry=registry)
    view = result.evaluation.index.subjects.get(candidate)
    if view is None:
        known = sorted(result.evaluation.index.subjects)
        raise InputError(
            [
                Diagnostic(
                    "KT510",
                    f'unknown candidate "{candidate}"{suggest(candidate, known)}',
                    location=Location(file=source, path="--candidate"),
                    help="pass the id of a person, unit or household listed in the batch",
                )
            ]
        )
    nominated = {n.award for n in batch.nominations if n.candidate == candidate}
    if award is None:
        if not nominated:
            decided = sorted(a.value for a, k in result.plan.rules if k is view.kind)
            raise InputError(
                [
                    Diagnostic(
                        "KT513",
                        f'"{candidate}" has no nomination in this batch',
                        location=Location(file=source, path="--candidate"),
                        help="pass --award CODE to explain one award anyway; the pack decides "
                        f"for a {view.kind.value}: {', '.join(decided) or 'nothing'}",
                    )
                ]
            )
        awards = sorted(
            (a for a in nominated if view.kind in AWARD_SUBJECTS[a]), key=list(Award).index
        )
    else:
        chosen = parse_award(award, source)
        if view.kind not in AWARD_SUBJECTS[chosen]:
            allowed = ", ".join(sorted(k.value for k in AWARD_SUBJECTS[chosen]))
            raise InputError(
                [
                    Diagnostic(
                        "KT512",
                        f'"{award_label(chosen)}" ({chosen.value}) is not awarded to a '
                        f"{view.kind.value}",
                        location=Location(file=source, path="--award"),
                        help=f"this award goes to: {allowed}",
                    )
                ]
            )
        awards = [chosen]
    return [
        explanation(
            result.evaluation.decide(candidate, a),
            result.pack,
            within=result,
            registry=registry,
            projection=projection,
            nominated=a in nominated,
        )
        for a in awards
    ]


def parse_award(text: str, source: str | None = None) -> Award:
    """An award from its code or a common name ("CSTĐCS", "Lao động tiên tiến"); KT511 if none."""
    if text in Award._value2member_map_:
        return Award(text)
    found = AWARD_ALIASES.get(fold(text))
    if found is not None:
        return found
    codes = [a.value for a in Award]
    raise InputError(
        [
            Diagnostic(
                "KT511",
                f'unknown award "{text}"{suggest(text, codes)}',
                location=Location(file=source, path="--award"),
                help="use an award code of the batch format, e.g. lao_dong_tien_tien",
            )
        ]
    )


# --------------------------------------------------------------------------- rendering


def _render(ex: Explanation, lang: str) -> list[str]:
    d = ex.decision
    out = [f"{d.name} ({d.candidate}) — {award_label(d.award, lang)}"]
    verdict = _t(lang, "Kết quả: ", "Outcome: ") + _pick(OUTCOME_WORDS[d.outcome], lang)
    if d.deferred:
        verdict += _t(lang, " — hoãn xét: có vụ việc đang xem xét", " — deferred: a case is open")
    if d.rule is not None:
        verdict += _t(lang, " · độ tin cậy: ", " · confidence: ") + _pick(
            CONFIDENCE_WORDS[d.confidence], lang
        )
    out.append(verdict)
    out.append(
        _t(
            lang,
            f"Năm xét {d.year} · ngày xét {_day(d.date, lang)} · bộ quy tắc "
            f"{' + '.join(ex.pack.layer_ids)} ({ex.pack.digest})",
            f"Judged year {d.year} · decision date {_day(d.date, lang)} · rule pack "
            f"{' + '.join(ex.pack.layer_ids)} ({ex.pack.digest})",
        )
    )
    if not ex.nominated:
        out.append(
            _t(
                lang,
                "Không có trong danh sách đề nghị của đợt: xét thử theo yêu cầu.",
                "Not nominated in this batch: evaluated on request.",
            )
        )
    out += _placement(ex, lang)
    out.append("")
    rule = d.rule
    if rule is None:
        out.append(_t(lang, "Không có quy tắc: ", "No rule: ") + (d.note or ""))
    else:
        out.append(_t(lang, f"Quy tắc {rule.id}: {rule.title}", f"Rule {rule.id}: {rule.title}"))
        out += _source(rule.cite, rule.source, lang, "  ")
        until = _day(rule.valid_until, lang) if rule.valid_until else "…"
        valid = (
            _t(lang, "  Hiệu lực: ", "  In force: ") + f"{_day(rule.valid_from, lang)} – {until}"
        )
        valid += _t(lang, f" · lớp {rule.layer}", f" · layer {rule.layer}")
        if rule.discretionary:
            valid += _t(
                lang,
                " · xét chọn: đủ điều kiện là đủ điều kiện để đề nghị",
                " · discretionary: eligible means eligible to be proposed",
            )
        out.append(valid)
        out.append("")
        out.append(_t(lang, "Tiêu chuẩn:", "Criteria:"))
        for c, holds in d.criteria():
            title = c.title_en if lang == "en" and c.title_en else c.title
            out.append(f"{MARK[holds]} [{c.id}] {title}")
            out += _source(c.cite, c.source, lang, "  ")
            out += _tree(c.node, ex, lang, "  ")
            out.append("")
    out += _missing_block(ex, lang)
    if ex.projection is not None:
        out.append(ex.projection.text(lang))
        out += [f"  ({en if lang == 'en' else vi})" for vi, en in ex.projection.notes]
        out.append("")
    if ex.derived:
        out.append(
            _t(
                lang,
                "Danh hiệu năm xét được suy ra trong đợt:",
                "Titles of the judged year derived:",
            )
        )
        for s in ex.derived:
            line = (
                f"  {s.candidate} — {award_label(s.award, lang)}"
                f"{f' ({s.rule.id})' if s.rule else ''}: {_pick(OUTCOME_WORDS[s.outcome], lang)}"
            )
            out.append(line)
            for change in missing(s, ex.result):
                out.append(f"      – {change.text(lang)}")
        out.append("")
    while out and out[-1] == "":
        out.pop()
    return out


def _placement(ex: Explanation, lang: str) -> list[str]:
    if ex.result is None:
        return []
    placed = ex.result.placement(ex.decision.candidate, ex.decision.award.value)
    if placed is None or placed.rank is None:
        return []
    chosen = {
        True: ("trong hạn mức", "within the quota"),
        False: ("ngoài hạn mức", "outside the quota"),
        None: ("không áp dụng hạn mức", "no quota applies"),
    }[placed.selected]
    return [
        _t(lang, f"Xếp hạng: {placed.rank} — ", f"Rank: {placed.rank} — ") + _pick(chosen, lang)
    ]


def _source(cite: str, source: Source, lang: str, indent: str) -> list[str]:
    out = [
        f"{indent}{_t(lang, 'Căn cứ', 'Source')}: {cite} "
        f"[{_pick(CONFIDENCE_WORDS[source.confidence], lang)}]"
    ]
    if source.text:
        out.append(f"{indent}«{source.text}»")
    if source.note:
        out.append(f"{indent}{_t(lang, 'Ghi chú', 'Note')}: {source.note}")
    if source.url:
        out.append(f"{indent}{source.url}")
    return out


def _tree(node: Node, ex: Explanation, lang: str, prefix: str) -> list[str]:
    """The condition `node` as a tree under `prefix` (its first line is the only child)."""
    return _branch(node, ex, lang, prefix, last=True)


def _branch(node: Node, ex: Explanation, lang: str, prefix: str, last: bool) -> list[str]:
    d = ex.decision
    assert d.rule is not None
    holds = node.value(d.truths)
    joint = "└─ " if last else "├─ "
    below = prefix + ("   " if last else "│  ")
    if node.kind != "leaf":
        head = {
            "all": ("tất cả các điều kiện sau:", "all of:"),
            "any": ("một trong các điều kiện sau:", "any of:"),
            "not": ("không được xảy ra:", "must not hold:"),
        }[node.kind]
        out = [f"{prefix}{joint}{MARK[holds]} {_pick(head, lang)}"]
        for i, child in enumerate(node.children):
            out += _branch(child, ex, lang, below, i == len(node.children) - 1)
        return out
    leaf = d.rule.leaves[node.leaf]
    result = d.results[node.leaf]
    line = f"{prefix}{joint}{MARK[holds]} {leaf.describe(lang)}"
    if result.note == "deferred":
        line += _t(lang, " (hoãn xét)", " (deferred)")
    out = [line]
    for f in result.facts:
        out.append(f"{below}   • {_fact(f, leaf, ex, lang)}")
    for p in leaf.params:
        first, *rest = _param(p, ex.pack, lang)
        out += [f"{below}   • {first}", *(f"{below}     {text}" for text in rest)]
    return out


def _fact(f: Fact, leaf: Any, ex: Explanation, lang: str) -> str:
    what = fact_label(f, leaf, lang)
    year = f" {f.year}" if f.year is not None else ""
    match = _DERIVED.match(f.path)
    if match is None:
        return f"{what}{year}: {fact_value(f.value, lang)} — {f.path}"
    value = (
        _t(lang, "chưa xác định", "undetermined") if f.value is None else fact_value(f.value, lang)
    )
    award, subject = Award(match.group(1)), match.group(2)
    sub = next((s for s in ex.derived if s.candidate == subject and s.award is award), None)
    if sub is None:
        where = _t(lang, "suy ra trong đợt", "derived in this batch")
    else:
        where = _t(
            lang,
            f"suy ra trong đợt: {subject} / {award_label(award)} "
            f"{_pick(OUTCOME_WORDS[sub.outcome], lang)} (xem bên dưới)",
            f"derived in this batch: {subject} / {award_label(award, 'en')} "
            f"{_pick(OUTCOME_WORDS[sub.outcome], lang)} (see below)",
        )
    return f"{what}{year}: {value} — {where}"


_FACT_NAMES: dict[str, tuple[str, str]] = {
    "rating": ("xếp loại", "rating"),
    "initiative": ("sáng kiến/đề tài", "initiative"),
    "initiatives": ("số sáng kiến/đề tài được tính", "initiatives counted"),
    "recruited_on": ("ngày tuyển dụng", "recruited on"),
    "discipline": ("kỷ luật", "discipline"),
    "disciplines": ("số lần bị kỷ luật", "disciplines"),
    "pending_case": ("vụ việc đang xem xét", "open case"),
    "pending_cases": ("số vụ việc đang xem xét", "open cases"),
    "employment": ("đối tượng", "employment"),
    "position": ("chức vụ", "position"),
    "unit_kind": ("loại đơn vị", "unit kind"),
    "members": ("số thành viên được liệt kê", "members listed"),
    "headcount": ("tổng số thành viên", "headcount"),
    "sanction": ("vi phạm", "sanction"),
    "sanctions": ("số vi phạm", "sanctions"),
    "member discipline": ("thành viên bị kỷ luật", "member disciplined"),
    "member disciplines": ("số thành viên bị kỷ luật", "members disciplined"),
}


def fact_label(f: Fact, leaf: Any, lang: str) -> str:
    name = f.name
    if name == "title":
        award = getattr(leaf, "award", None) or getattr(leaf, "title", None)
        if isinstance(award, Award):
            return _t(lang, f"danh hiệu «{award_label(award)}»", f"“{award_label(award, 'en')}”")
        return _t(lang, "danh hiệu", "title")
    if name.startswith("attestation:"):
        criterion = Attestation(name.split(":", 1)[1])
        return _t(lang, f"xác nhận «{label(criterion)}»", f"attested “{label(criterion, 'en')}”")
    if name.startswith("commendation:"):
        award = Award(name.split(":", 1)[1])
        return _t(
            lang, f"đã được tặng «{award_label(award)}»", f"received “{award_label(award, 'en')}”"
        )
    if name.startswith("discipline ") and name.endswith(" ends_on"):
        return _t(lang, "kỷ luật chấp hành xong ngày", "discipline ended on")
    pair = _FACT_NAMES.get(name)
    return _pick(pair, lang) if pair else name


def fact_value(value: Any, lang: str) -> str:
    if value is True:
        return _t(lang, "có", "yes")
    if value is False:
        return _t(lang, "không", "no")
    if value is None:
        return _t(lang, "không có dữ liệu", "no data")
    return str(value)


def _param(p: ParamBinding, pack: ResolvedPack, lang: str) -> list[str]:
    where = _t(lang, f"lớp {p.pack}", f"layer {p.pack}")
    if p.delegated:
        where += _t(lang, ", do tỉnh quy định", ", set by the province")
    head = _t(
        lang,
        f"tham số {p.id} = {p.value}, hiệu lực từ {_day(p.since, lang)} — {pack.cite(p.source)} "
        f"[{_pick(CONFIDENCE_WORDS[p.source.confidence], lang)}] ({where})",
        f"parameter {p.id} = {p.value}, in force since {_day(p.since, lang)} — "
        f"{pack.cite(p.source)} [{_pick(CONFIDENCE_WORDS[p.source.confidence], lang)}] ({where})",
    )
    return [head, f"«{p.source.text}»"] if p.source.text else [head]


def _missing_block(ex: Explanation, lang: str) -> list[str]:
    if ex.decision.outcome is Outcome.ELIGIBLE:
        return []
    out = [_t(lang, "Còn thiếu (để đủ điều kiện):", "Missing (to become eligible):")]
    for c in ex.changes:
        line = f"  – {c.text(lang)}"
        if c.criterion:
            line += f" [{c.criterion}]"
        if not c.applicable:
            line += _t(lang, " (không bổ sung được bằng dữ liệu)", " (not a change of data)")
        out.append(line)
        if c.path:
            out.append(f"      {_t(lang, 'dữ liệu', 'data')}: {c.path}")
    out.append("")
    return out


__all__ = ["Explanation", "explain", "explain_candidate", "explanation", "parse_award"]
