"""`khenthuong bulk`: decide every person of a very large file (JSON Lines or CSV) to a decisions file."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from khenthuong.cli import EXIT_FINDINGS, EXIT_OK

HELP_INPUT = "people, one per line (.jsonl) or per row (.csv), grouped by unit"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "bulk",
        help="decide every person of a large JSON Lines or CSV file (streamed, all cores)",
        description="Stream people from JSON Lines or CSV (grouped by unit) through worker "
        "processes and write one decision record per person and award (JSON Lines) to --out, "
        "atomically. See docs/performance.md.",
    )
    p.add_argument("input", help=HELP_INPUT)
    p.add_argument("--out", required=True, help="decisions file to write (JSON Lines)")
    p.add_argument(
        "--header",
        help="JSON file with `batch` (id, year, as_of, province), "
        "`units` and `awards`; flags given here override it",
    )
    p.add_argument("--year", type=int, help="the judged year")
    p.add_argument("--as-of", help="the date the batch is considered (YYYY-MM-DD)")
    p.add_argument("--province", help="provincial layer, e.g. cao-bang")
    p.add_argument("--pack", help="national pack id (default: chosen by the date)")
    p.add_argument(
        "--award",
        action="append",
        help="award to decide for everyone (repeat; default: every award for a person)",
    )
    p.add_argument("--units", help="JSON Lines file of the units (headcount, parent, areas…)")
    p.add_argument("--input-format", choices=("jsonl", "csv"), help="default: from the suffix")
    p.add_argument(
        "--engine",
        choices=("auto", "vector", "record"),
        default="auto",
        help="vector (numpy, the `fast` extra) or record (per record); auto: vector if installed",
    )
    p.add_argument("--workers", type=int, default=0, help="processes (default: one per core)")
    p.add_argument("--chunk-size", type=int, default=20_000, help="people per chunk (at least)")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave out people whose record is invalid (listed on stderr) instead of stopping",
    )
    p.add_argument("--summary", help="also write the run's summary as JSON to this file")
    p.set_defaults(run=run)


def _header(args: argparse.Namespace) -> dict[str, Any]:
    if not args.header:
        return {}
    from khenthuong.errors import Diagnostic, InputError, Location

    try:
        data = json.loads(Path(args.header).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            [
                Diagnostic(
                    "KT754",
                    f"cannot read the header: {exc}",
                    location=Location(file=args.header),
                    help="a JSON object with `batch` (id, year, as_of, province), `units`, `awards`",
                )
            ]
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            [
                Diagnostic(
                    "KT754",
                    "the header is not a JSON object",
                    location=Location(file=args.header),
                    help="a JSON object with `batch` (id, year, as_of, province), `units`, `awards`",
                )
            ]
        )
    return data


def _units(args: argparse.Namespace, header: dict[str, Any]) -> tuple[Any, ...]:
    from pydantic import TypeAdapter, ValidationError

    from khenthuong.errors import Diagnostic, InputError, Location
    from khenthuong.model.subjects import Unit

    adapter = TypeAdapter(Unit)
    units: list[Unit] = []
    problems: list[Diagnostic] = []
    raw: list[tuple[Any, str, int | None]] = [
        (u, args.header, None) for u in header.get("units", []) or []
    ]
    if args.units:
        try:
            lines = Path(args.units).read_bytes().splitlines()
        except OSError as exc:
            raise InputError(
                [
                    Diagnostic(
                        "KT755",
                        f"cannot read the units: {exc.strerror or exc}",
                        location=Location(file=args.units),
                        help="a JSON Lines file, one unit per line",
                    )
                ]
            ) from None
        raw += [(line, args.units, n) for n, line in enumerate(lines, 1) if line.strip()]
    for value, name, line in raw:
        try:
            units.append(
                adapter.validate_json(value)
                if isinstance(value, bytes)
                else adapter.validate_python(value)
            )
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            path = ".".join(str(p) for p in first["loc"])
            problems.append(
                Diagnostic(
                    "KT755",
                    f"invalid unit: {path + ': ' if path else ''}{first['msg']}",
                    location=Location(file=name, line=line),
                    help="a unit in the batch format's unit shape (id, name, headcount, parent…)",
                )
            )
    if problems:
        raise InputError(problems[:100])
    return tuple(units)


def run(args: argparse.Namespace) -> int:
    from pydantic import TypeAdapter, ValidationError

    from khenthuong.bulk import BulkOptions, run_bulk
    from khenthuong.errors import Diagnostic, InputError
    from khenthuong.model.types import AwardCode

    header = _header(args)
    head = header.get("batch", {}) if isinstance(header.get("batch"), dict) else {}
    year = args.year if args.year is not None else head.get("year")
    as_of_text = args.as_of or head.get("as_of")
    problems: list[Diagnostic] = []
    if not isinstance(year, int):
        problems.append(
            Diagnostic("KT754", "no judged year", help="give --year, or `batch.year` in --header")
        )
    as_of = None
    if as_of_text is not None:
        try:
            as_of = dt.date.fromisoformat(str(as_of_text))
        except ValueError:
            problems.append(
                Diagnostic(
                    "KT754", f"--as-of {as_of_text!r} is not a date", help="write it YYYY-MM-DD"
                )
            )
    codes = args.award or header.get("awards") or []
    awards = []
    adapter = TypeAdapter(AwardCode)
    for code in codes:
        try:
            awards.append(adapter.validate_python(code))
        except ValidationError as exc:
            problems.append(
                Diagnostic(
                    "KT754",
                    exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, "),
                    help="award codes: khenthuong schema batch lists them",
                )
            )
    if problems:
        raise InputError(problems)
    assert isinstance(year, int)
    options = BulkOptions(
        year=year,
        as_of=as_of,
        province=args.province or head.get("province"),
        pack=args.pack,
        awards=tuple(awards),
        batch_id=str(head.get("id") or "bulk"),
        units=_units(args, header),
        engine=args.engine,
        workers=args.workers,
        chunk_size=args.chunk_size,
        input_format=args.input_format,
        skip_invalid=args.skip_invalid,
    )
    summary = run_bulk(args.input, args.out, options)
    for problem in summary.problems:
        print(problem.render(), file=sys.stderr)
    report = summary.to_json()
    if args.summary:
        from khenthuong.atomic import write_text

        write_text(args.summary, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(
        f"{summary.people} people, {summary.decisions} decisions in {summary.seconds:.1f} s "
        f"({summary.workers} workers, {summary.engine}) → {args.out}",
        file=sys.stderr,
    )
    for award, counts in summary.outcomes.items():
        shown = ", ".join(f"{k} {v}" for k, v in counts.items())
        picked = summary.selection.get(award)
        extra = f"; {', '.join(f'{k} {v}' for k, v in picked.items())}" if picked else ""
        print(f"  {award}: {shown}{extra}", file=sys.stderr)
    return EXIT_FINDINGS if summary.skipped else EXIT_OK
