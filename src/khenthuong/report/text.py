"""Plain-text dry-run report for the terminal, Vietnamese by default."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from khenthuong.engine.decision import Decision
from khenthuong.model.vocab import Award, Outcome, award_label
from khenthuong.ranking import Finding, Ranking
from khenthuong.ranking.priority import evidence_text
from khenthuong.ranking.quota import ROUNDING_TEXT, SCOPE_TEXT
from khenthuong.ranking.rank import TIE_BREAKER_TEXT
from khenthuong.report.movements import lines as movement_lines
from khenthuong.runner import BatchResult

OUTCOME_TEXT = {
    Outcome.ELIGIBLE: ("✓ đủ điều kiện", "✓ eligible"),
    Outcome.INELIGIBLE: ("✗ không đủ điều kiện", "✗ not eligible"),
    Outcome.UNDETERMINED: ("? chưa xác định", "? undetermined"),
}
CONFIDENCE_TEXT = {
    "seen": ("", ""),
    "secondary": (" [căn cứ thứ cấp ◑]", " [secondary source ◑]"),
    "unconfirmed": (" [chưa xác nhận ❓]", " [unconfirmed ❓]"),
}


def t(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def outcome_text(o: Outcome, lang: str) -> str:
    vi, en = OUTCOME_TEXT[o]
    return en if lang == "en" else vi


def render(result: BatchResult, lang: str = "vi") -> str:
    b = result.batch.batch
    lines = [
        t(
            lang,
            f"Đợt xét: {b.id} — năm {b.year}, ngày xét {result.date:%d/%m/%Y}",
            f"Batch: {b.id} — year {b.year}, decision date {result.date.isoformat()}",
        ),
        t(lang, "Bộ quy tắc: ", "Rule pack: ")
        + " + ".join(result.pack.layer_ids)
        + f" ({result.pack.digest[:19]}…)",
        "",
    ]
    by_award: dict[Award, list[Decision]] = {}
    for d in result.decisions:
        by_award.setdefault(d.award, []).append(d)
    for award, decisions in by_award.items():
        lines += _award_block(award, decisions, lang)
        for ranking in (r for r in result.rankings if r.award is award):
            lines += ranking_lines(ranking, lang)
    for movement in result.movements:  # scorecards and khối/cụm rankings (report.movements)
        lines += movement_lines(movement.to_json(lang), lang)
    lines += findings_lines(result.findings, lang)
    return "\n".join(lines).rstrip() + "\n"


def _award_block(award: Award, decisions: list[Decision], lang: str) -> list[str]:
    counts = {o: sum(d.outcome is o for d in decisions) for o in Outcome}
    head = t(
        lang,
        f"{award_label(award)} — {len(decisions)} đề nghị: {counts[Outcome.ELIGIBLE]} đủ điều kiện, "
        f"{counts[Outcome.INELIGIBLE]} không đủ, {counts[Outcome.UNDETERMINED]} chưa xác định",
        f"{award_label(award, 'en')} — {len(decisions)} nominations: {counts[Outcome.ELIGIBLE]} eligible, "
        f"{counts[Outcome.INELIGIBLE]} not eligible, {counts[Outcome.UNDETERMINED]} undetermined",
    )
    out = [head, "─" * min(78, max(20, len(head)))]
    for d in decisions:
        conf = CONFIDENCE_TEXT[d.confidence.value][1 if lang == "en" else 0]
        out.append(
            f"  {d.candidate:<12} {_clip(d.name, 28):<28} {outcome_text(d.outcome, lang)}{conf}"
        )
        for why in _why(d, lang):
            out.append(f"      – {why}")
    out.append("")
    return out


def _why(d: Decision, lang: str) -> Iterable[str]:
    if d.outcome is Outcome.ELIGIBLE:
        return []
    return d.missing(lang)[:4]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------- ranking and findings

FINDING_SEVERITY = {
    "error": ("lỗi", "error"),
    "warning": ("cảnh báo", "warning"),
    "info": ("lưu ý", "note"),
}


def ranking_lines(ranking: Ranking, lang: str = "vi") -> list[str]:
    """One award's ranked list in one scope, with the quota arithmetic and the cut line."""
    q = ranking.quota
    conf = CONFIDENCE_TEXT[q.confidence.value][1 if lang == "en" else 0]
    arith = ranking.arithmetic
    if arith is None:
        return [
            t(lang, "  Hạn mức: ", "  Quota: ") + (q.note(lang) or t(lang, "không có", "none")),
            f"    {t(lang, 'căn cứ', 'source')}: {q.source.cite}{conf}",
            "",
        ]
    scope_vi, scope_en = SCOPE_TEXT.get(arith.scope_kind, (arith.scope_kind, arith.scope_kind))
    conf = CONFIDENCE_TEXT[arith.confidence.value][1 if lang == "en" else 0]
    rounding = ROUNDING_TEXT[q.rounding][1 if lang == "en" else 0]
    how = f" ({rounding})" if arith.product is not None else ""
    out = [
        t(lang, f"  Hạn mức — {scope_vi} {arith.scope}: ", f"  Quota — {scope_en} {arith.scope}: ")
        + arith.text(lang)
        + t(lang, " suất", " place(s)")
        + how
        + conf,
        f"    {t(lang, 'căn cứ', 'source')}: {q.source.cite}",
    ]
    keys = [k.label(lang) for k in ranking.priority.keys]
    keys.append(TIE_BREAKER_TEXT[1 if lang == "en" else 0])
    out += textwrap.wrap(
        f"{t(lang, 'thứ tự ưu tiên', 'priority')}: "
        + "; ".join(f"{i + 1}) {k}" for i, k in enumerate(keys)),
        width=96,
        initial_indent="    ",
        subsequent_indent="      ",
    )
    ranked = ranking.ranked
    for p in ranked:
        if p.rank == arith.slots + 1 or (arith.slots == 0 and p.rank == 1):
            out.append(_cut_line(arith.slots, lang))
        mark = (
            t(lang, "✓ được chọn", "✓ selected")
            if p.selected
            else t(lang, "✗ ngoài hạn mức", "✗ outside the quota")
        )
        line = f"    {p.rank:>2}. {p.candidate:<12} {_clip(p.name, 26):<26} {mark}"
        if p.cut_by is not None:
            line += f" — {p.cut_by.text(lang)}"
        out.append(line)
    if ranked and arith.slots >= len(ranked):
        out.append(_cut_line(arith.slots, lang))
    for p in ranking.placements:
        if p.rank is None and p.selected is None:
            out.append(
                f"     –  {p.candidate:<12} {_clip(p.name, 26):<26} "
                + t(lang, "? chưa xác định, chưa xếp thứ tự", "? undetermined, not ranked")
            )
    for p in ranked:
        evidence = [e for v in p.values for e in v.evidence]
        if evidence:
            out.append(
                f"    {t(lang, 'địa bàn', 'area')} {p.candidate}: {evidence_text(evidence, lang)}"
            )
    out.append("")
    return out


def _cut_line(slots: int, lang: str) -> str:
    label = t(lang, f" vạch hạn mức: {slots} suất ", f" cut line: {slots} place(s) ")
    return "    " + label.center(70, "┄")


def findings_lines(findings: Iterable[Finding], lang: str = "vi") -> list[str]:
    """The batch-level findings, most severe first."""
    items = sorted(
        findings, key=lambda f: (["error", "warning", "info"].index(f.severity.value), f.code)
    )
    if not items:
        return []
    head = t(
        lang, f"Phát hiện khi kiểm tra cả đợt — {len(items)}", f"Batch findings — {len(items)}"
    )
    out = [head, "─" * min(78, max(20, len(head)))]
    for f in items:
        sev = FINDING_SEVERITY[f.severity.value][1 if lang == "en" else 0]
        out.append(f"  {f.code} {sev}: {f.message(lang)}")
        if f.cite:
            conf = (
                CONFIDENCE_TEXT[f.confidence.value][1 if lang == "en" else 0]
                if f.confidence
                else ""
            )
            out.append(f"      {t(lang, 'căn cứ', 'source')}: {f.cite}{conf}")
    out.append("")
    return out
