"""`khenthuong packs`: list the rule packs with their period, awards and confidence of their rules."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from khenthuong.cli import EXIT_INPUT, EXIT_OK, add_lang, emit


def register(sub: Any) -> None:
    p = sub.add_parser(
        "packs",
        help="list rule packs: coverage period, awards, rules by confidence",
        description="Liệt kê các bộ quy tắc — list the rule packs with their coverage period, "
        "kind, the packs they extend, the awards they decide and the count of rules by "
        "confidence (seen, secondary, unconfirmed).",
    )
    p.add_argument(
        "--format", default="text", choices=("text", "json"), help="output format (text)"
    )
    p.add_argument(
        "--root",
        metavar="DIR",
        help="folder holding the packs (default: the bundled packs)",
    )
    p.add_argument("--out", help="write the output to this file (atomically)")
    add_lang(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from khenthuong.packs.registry import PackRegistry
    from khenthuong.packs.summary import summarise_all

    registry = PackRegistry([Path(args.root)]) if args.root else PackRegistry()
    summaries, problems = summarise_all(registry)
    if args.format == "json":
        doc = {
            "packs": [s.to_json() for s in summaries],
            "errors": [d.to_json() for d in problems],
        }
        emit(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n", args.out)
    else:
        emit(render(summaries, args.lang), args.out)
    for d in problems:
        print(d.render(), file=sys.stderr)
    return EXIT_INPUT if problems else EXIT_OK


_CONFIDENCE = {
    "seen": ("đã đối chiếu văn bản", "seen"),
    "secondary": ("nguồn thứ cấp", "secondary"),
    "unconfirmed": ("chưa xác nhận", "unconfirmed"),
}
_SUBJECT = {
    "person": ("cá nhân", "person"),
    "unit": ("tập thể", "collective"),
    "household": ("hộ gia đình", "household"),
}
_KIND = {"national": ("quốc gia", "national"), "provincial": ("cấp tỉnh", "provincial")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _day(day: dt.date | None, lang: str) -> str:
    if day is None:
        return "…"
    return day.isoformat() if lang == "en" else day.strftime("%d/%m/%Y")


def render(summaries: list[Any], lang: str = "vi") -> str:
    """The plain-text listing of `summaries` (`khenthuong.packs.summary.PackSummary`)."""
    from khenthuong.model.vocab import award_label

    en = lang == "en"
    lines = [f"{'Rule packs' if en else 'Bộ quy tắc'} ({len(summaries)})", ""]
    for s in summaries:
        kind = _pick(_KIND.get(s.kind, (s.kind, s.kind)), lang)
        if s.province:
            kind += f" ({s.province})"
        head = f"{s.id} — {kind}, {'version' if en else 'phiên bản'} {s.version}"
        if s.extends:
            head += f", {'extends' if en else 'mở rộng'} {', '.join(s.extends)}"
        lines.append(head)
        lines.append(f"  {s.title}")
        span = f"{_day(s.coverage_from, lang)} – {_day(s.coverage_until, lang)}"
        lines.append(f"  {'In force' if en else 'Hiệu lực'}: {span}")
        awards = "; ".join(
            f"{award_label(a.award, lang)} [{', '.join(_pick(_SUBJECT[k.value], lang) for k in a.subjects)}]"
            for a in s.awards
        )
        label = "Awards" if en else "Danh hiệu, hình thức"
        lines.append(f"  {label} ({len(s.awards)}): {awards or '—'}")
        marks = " · ".join(
            f"{_pick(_CONFIDENCE[c.value], lang)} {n}" for c, n in s.rules_by_confidence.items()
        )
        lines.append(f"  {'Rules' if en else 'Quy tắc'}: {s.rule_count} — {marks}")
        params = f"  {'Parameters' if en else 'Tham số'}: {len(s.parameters)}"
        if s.delegated:
            params += (
                "; delegated to provinces: " if en else "; giao tỉnh quy định: "
            ) + ", ".join(s.delegated)
        lines.append(params)
        lines.append("")
    return "\n".join(lines)
