"""Plain-text dry-run report for the terminal, Vietnamese by default."""

from __future__ import annotations

from collections.abc import Iterable

from khenthuong.engine.decision import Decision
from khenthuong.model.vocab import Award, Outcome, award_label
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
