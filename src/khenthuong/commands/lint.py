"""`khenthuong lint`: check rule packs before use (schema, references, time, citations)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from khenthuong.cli import EXIT_FINDINGS, EXIT_OK, add_lang, emit


def register(sub: Any) -> None:
    p = sub.add_parser(
        "lint",
        help="check rule packs: schema, types, references, precedence, temporal coverage, "
        "citations",
        description="Kiểm tra bộ quy tắc trước khi dùng — check rule packs before use. "
        "Exit 1 if any error is found (warnings alone exit 0).",
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="pack folder, folder of packs, or a file inside a pack (default: the bundled packs)",
    )
    p.add_argument("--format", default="text", choices=("text", "json"), help="output (text)")
    p.add_argument(
        "--no-scenarios",
        action="store_true",
        help="do not run the packs' own scenario tests (tests/*.yaml)",
    )
    p.add_argument("--out", help="write the report to this file (atomically)")
    add_lang(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from khenthuong.packs.lint import lint, render_text

    report = lint(args.paths or None, scenarios=not args.no_scenarios)
    if args.format == "json":
        text = json.dumps(report.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    else:
        text = render_text(report, args.lang)
    emit(text, args.out)
    return EXIT_OK if report.ok else EXIT_FINDINGS
