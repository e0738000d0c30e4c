"""`khenthuong verify`: recompute a decision record and report anything that differs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from khenthuong.cli import EXIT_FINDINGS, EXIT_OK, add_lang, add_limits, emit, limits_of


def register(sub: Any) -> None:
    p = sub.add_parser(
        "verify",
        help="recompute digests and decisions of a record; report any mismatch",
        description="Verify a decision record written by `check --format json`: recompute every "
        "decision from the record's embedded input with the pack it names, and compare every "
        "field and digest. Exit 0 only if everything matches, 1 if something differs, 2 if the "
        "record cannot be read.",
    )
    p.add_argument("records", help="the JSON written by `khenthuong check --format json`")
    p.add_argument("--format", default="text", choices=("text", "json"), help="output format")
    p.add_argument("--out", help="write the report to this file (atomically)")
    add_lang(p)
    add_limits(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from khenthuong.audit.verify import verify

    result = verify(Path(args.records), limits=limits_of(args))
    if args.format == "json":
        text = json.dumps(result.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    else:
        text = result.text(args.lang)
    emit(text, args.out)
    return EXIT_OK if result.ok else EXIT_FINDINGS
