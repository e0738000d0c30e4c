"""`khenthuong explain`: the full trace of one candidate's decisions — why, why not, what is missing."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from khenthuong.cli import EXIT_OK, add_lang, add_limits, emit, limits_of


def register(sub: Any) -> None:
    p = sub.add_parser(
        "explain",
        help="explain one candidate's decisions: why, why not, what is missing",
        description="Explain the decisions of one candidate: every criterion and condition with "
        "✓/✗/?, the facts read and where they come from, parameters with their dates, "
        "citations with their passages, what is missing and the earliest year it could qualify.",
    )
    p.add_argument(
        "batch",
        help="batch file (.yaml, .json, .xlsx), folder of CSV files, or a decision record written "
        "by `check --format json` (its embedded input and pack are used)",
    )
    p.add_argument("--candidate", required=True, help="id of a person, unit or household")
    p.add_argument(
        "--award",
        help="award code (or a common name such as CSTĐCS); default: every nomination of the "
        "candidate — an award it is not nominated for can be explained too",
    )
    p.add_argument("--pack", help="national pack id (default: chosen by the batch's date)")
    p.add_argument("--province", help="provincial layer (default: the batch's province)")
    p.add_argument(
        "--format",
        default="text",
        choices=("text", "json"),
        help="text, or json: the decision record (a list of them without --award)",
    )
    p.add_argument(
        "--no-projection",
        action="store_true",
        help="do not simulate later years to find the earliest year it could qualify",
    )
    p.add_argument("--out", help="write the output to this file (atomically)")
    add_lang(p)
    add_limits(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from khenthuong.audit.explain import explain_candidate
    from khenthuong.audit.verify import looks_like_record, read_record
    from khenthuong.batch.load import load_batch

    pack, province = args.pack, args.province
    if looks_like_record(args.batch):
        # An auditor holding only a records file reads why each decision was taken.
        record = read_record(Path(args.batch), limits=limits_of(args))
        batch = record.batch
        pack, province = pack or record.pack, province or record.province
    else:
        batch = load_batch(Path(args.batch), limits=limits_of(args))
    explained = explain_candidate(
        batch,
        args.candidate,
        args.award,
        pack=pack,
        province=province,
        projection=not args.no_projection,
        source=args.batch,
    )
    if args.format == "json":
        docs = [ex.to_json(args.lang) for ex in explained]
        doc: Any = docs[0] if args.award else docs
        emit(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n", args.out)
    else:
        emit("\n\n".join(ex.text(args.lang).rstrip("\n") for ex in explained) + "\n", args.out)
    return EXIT_OK
