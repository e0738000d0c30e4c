"""`khenthuong check`: dry-run a nomination batch."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from khenthuong.cli import EXIT_FINDINGS, EXIT_OK, add_lang, emit


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="dry-run a nomination batch")
    p.add_argument("batch", help="batch file (.yaml, .json, .xlsx) or folder of CSV files")
    p.add_argument("--pack", help="national pack id (default: chosen by the batch's date)")
    p.add_argument("--province", help="provincial layer (default: the batch's province)")
    p.add_argument(
        "--format", default="table", choices=("table", "json"), help="output format (table)"
    )
    p.add_argument("--out", help="write the output to this file (atomically)")
    p.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when some nomination is not eligible (bad input still exits 2)",
    )
    add_lang(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from khenthuong.model.vocab import Outcome
    from khenthuong.runner import evaluate_batch

    result = evaluate_batch(Path(args.batch), pack=args.pack, province=args.province)
    if args.format == "json":
        from khenthuong.audit.records import result_record

        record = result_record(result, args.lang)
        emit(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n", args.out)
    else:
        from khenthuong.report.text import render

        emit(render(result, args.lang), args.out)
    ok = all(d.outcome is Outcome.ELIGIBLE for d in result.decisions)
    return EXIT_OK if ok or args.exit_zero else EXIT_FINDINGS
