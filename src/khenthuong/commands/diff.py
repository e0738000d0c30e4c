"""`khenthuong diff`: outcome changes between two packs on the same batch, and why."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from khenthuong.cli import EXIT_FINDINGS, EXIT_OK, add_lang, add_limits, emit, limits_of


def register(sub: Any) -> None:
    p = sub.add_parser(
        "diff",
        help="outcome changes between two packs on the same batch, each with its reason",
        description="Decide a batch under two packs and list every (candidate, award) whose "
        "outcome differs, with the criteria and conditions that made the difference on each "
        "side. The decision date stays the batch's; a pack that does not cover it is compiled "
        "for its nearest covered date (said in the output). Exit 0 when no outcome differs, 1 "
        "when some do, 2 on bad input.",
    )
    p.add_argument("batch", help="batch file (.yaml, .json, .xlsx) or folder of CSV files")
    p.add_argument("--from", dest="pack_from", required=True, metavar="PACK", help="first pack")
    p.add_argument("--to", dest="pack_to", required=True, metavar="PACK", help="second pack")
    p.add_argument(
        "--province",
        help="provincial layer for both packs (default: the batch's, where it extends the pack)",
    )
    p.add_argument("--format", default="text", choices=("text", "json"), help="output format")
    p.add_argument("--out", help="write the output to this file (atomically)")
    add_lang(p)
    add_limits(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from khenthuong.audit.diff import diff
    from khenthuong.batch.load import load_batch

    batch = load_batch(Path(args.batch), limits=limits_of(args))
    result = diff(batch, args.pack_from, args.pack_to, province=args.province)
    if args.format == "json":
        text = json.dumps(result.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    else:
        text = result.text(args.lang)
    emit(text, args.out)
    return EXIT_FINDINGS if result.changes else EXIT_OK
