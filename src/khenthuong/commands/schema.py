"""`khenthuong schema`: print the JSON Schema of a batch, of the decision JSON or of rule files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from khenthuong.cli import EXIT_OK, add_lang, emit


def register(sub: Any) -> None:
    from khenthuong.schemas import KINDS

    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of the batch format, the decision JSON or rule files",
        description="In lược đồ JSON Schema — print a JSON Schema generated from the models. "
        "Without KIND, print all three in one object keyed by kind.",
    )
    p.add_argument("kind", nargs="?", choices=KINDS, help="batch | decision | rules")
    p.add_argument("--out", help="write the schema to this file (atomically)")
    p.add_argument(
        "--write",
        metavar="DIR",
        help="write <kind>.schema.json into DIR (every kind when KIND is omitted)",
    )
    add_lang(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from khenthuong.atomic import write_text
    from khenthuong.schemas import KINDS, file_name, schema, schema_text

    kinds = [args.kind] if args.kind else list(KINDS)
    if args.write:
        folder = Path(args.write)
        folder.mkdir(parents=True, exist_ok=True)
        for kind in kinds:
            write_text(folder / file_name(kind), schema_text(kind))
        return EXIT_OK
    if args.kind:
        emit(schema_text(args.kind), args.out)
    else:
        both = {kind: schema(kind) for kind in kinds}
        emit(json.dumps(both, ensure_ascii=False, indent=2) + "\n", args.out)
    return EXIT_OK
