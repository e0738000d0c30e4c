"""`khenthuong check`: dry-run a nomination batch."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khenthuong.cli import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    add_lang,
    add_limits,
    emit,
    limits_of,
)

if TYPE_CHECKING:
    from khenthuong.model.batch import Batch
    from khenthuong.runner import BatchResult

FORMATS = ("table", "json", "xlsx", "csv", "html")
# Width of the table when written to a file with --out (on a terminal: the terminal's width).
FILE_WIDTH = 100


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="dry-run a nomination batch")
    p.add_argument("batch", help="batch file (.yaml, .json, .xlsx) or folder of CSV files")
    p.add_argument("--pack", help="national pack id (default: chosen by the batch's date)")
    p.add_argument("--province", help="provincial layer (default: the batch's province)")
    p.add_argument(
        "--format",
        default="table",
        choices=FORMATS,
        help="output format: table (terminal), json, xlsx (Excel), csv (a folder), html "
        "(printable report); xlsx and csv need --out",
    )
    p.add_argument("--out", help="write the output to this file (csv: this folder), atomically")
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar on stderr (shown on a terminal, or for runs over 200 nominations)",
    )
    p.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when some nomination is not eligible or selected (bad input still exits 2)",
    )
    add_lang(p)
    add_limits(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from khenthuong.batch.load import load_batch
    from khenthuong.model.vocab import Outcome
    from khenthuong.report.table import ProgressReporter
    from khenthuong.runner import evaluate_batch

    if args.format in ("xlsx", "csv") and not args.out:
        print(
            f"khenthuong check: error: --format {args.format} writes "
            f"{'a workbook' if args.format == 'xlsx' else 'a folder of files'}: give --out PATH",
            file=sys.stderr,
        )
        return EXIT_INPUT
    batch = load_batch(Path(args.batch), limits=limits_of(args))
    progress = ProgressReporter(sys.stderr, lang=args.lang, enabled=not args.no_progress)
    try:
        result = evaluate_batch(batch, pack=args.pack, province=args.province, progress=progress)
    finally:
        progress.close()
    if args.format == "table":
        _table(result, args)
    else:
        from khenthuong.audit.records import result_record

        record = result_record(result, args.lang)
        if args.format == "json":
            text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            emit(text, args.out)
        else:
            _report(record, result.batch, args)
    # 0 only when every nomination is eligible and within its quota (selected, or no quota) and no
    # batch-level finding is an error (spec: cli-and-records.md).
    cut = {(p.candidate, p.award) for r in result.rankings for p in r.cut}
    ok = not any(f.severity.value == "error" for f in result.findings) and all(
        d.outcome is Outcome.ELIGIBLE and (d.candidate, d.award) not in cut
        for d in result.decisions
    )
    return EXIT_OK if ok or args.exit_zero else EXIT_FINDINGS


def _table(result: BatchResult, args: argparse.Namespace) -> None:
    """The terminal table: rich when installed (fits the terminal), else the plain-text report."""
    try:
        from rich.console import Console
    except ImportError:
        from khenthuong.report.text import render

        emit(render(result, args.lang), args.out)
        return
    from khenthuong.audit.records import result_record
    from khenthuong.report.table import build, render_terminal

    report = build(result_record(result, args.lang), result.batch, args.lang)
    options: dict[str, Any] = {"highlight": False, "markup": False, "emoji": False}
    if args.out:
        buffer = io.StringIO()
        render_terminal(
            report, Console(file=buffer, width=FILE_WIDTH, color_system=None, **options)
        )
        emit(buffer.getvalue(), args.out)
    else:
        render_terminal(report, Console(**options))


def _report(record: dict[str, Any], batch: Batch, args: argparse.Namespace) -> None:
    """The Excel workbook, the CSV folder or the HTML page, written atomically."""
    if args.format == "html":
        from khenthuong.report import html

        emit(html.render(record, batch, args.lang), args.out)
    elif args.format == "xlsx":
        from khenthuong.atomic import write_bytes
        from khenthuong.report import xlsx

        write_bytes(args.out, xlsx.render(record, batch, args.lang))
    else:
        from khenthuong.report import csv_out

        csv_out.write_folder(args.out, csv_out.render(record, batch, args.lang))
