"""Large-batch input: people as JSON Lines or CSV, read in chunks that keep each unit whole.

JSON Lines: one person per line, in the batch format's person shape (`people[]` of a batch file).
CSV: one person per row; the header names person fields; `areas` is a `;`-separated list and the
nested fields (`history`, `initiatives`, `disciplines`, `pending_cases`, `commendations`,
`attestations`) are JSON text in their cell (what a database's `json_agg` gives).

Quotas are counted per unit (its top unit, when units have parents), so the people of a unit must
come together: the input must be grouped by unit — as a database export ordered by unit is, and as
`benchmarks/generate.py` writes. A unit that comes back after others is an error (KT751) naming
the line, rather than a wrong count. Chunks are cut only between units.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khenthuong.errors import Diagnostic, InputError, Location
from khenthuong.model.subjects import Person

# A person's line is at most this long (a hostile or broken file cannot exhaust memory).
MAX_LINE_BYTES = 1 << 20
_UNIT = re.compile(rb'"unit"\s*:\s*(?:null|"((?:[^"\\]|\\.)*)")')
PERSON_FIELDS = tuple(Person.model_fields)
JSON_CELLS = frozenset(
    {"history", "initiatives", "disciplines", "pending_cases", "commendations", "attestations"}
)
LIST_CELLS = frozenset({"areas"})
BOOL_CELLS = frozenset({"frontline"})
FORMATS = ("jsonl", "csv")


@dataclass(slots=True)
class Chunk:
    """People of whole units: their line numbers and their JSON texts (or CSV rows)."""

    index: int
    lines: list[int] = field(default_factory=list)
    texts: list[bytes] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    columns: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.lines)


def input_format(path: Path, given: str | None = None) -> str:
    """`jsonl` or `csv`, from `given` or the file's suffix (KT750 when neither says)."""
    if given is not None:
        return given
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise InputError(
        [
            Diagnostic(
                "KT750",
                f'cannot tell the input format of "{path.name}"',
                location=Location(file=str(path)),
                help="name the file .jsonl or .csv, or give --input-format jsonl|csv",
            )
        ]
    )


def _not_grouped(path: Path, line: int, scope: str) -> InputError:
    return InputError(
        [
            Diagnostic(
                "KT751",
                f'the people of unit "{scope}" do not come together: it appears again here, after '
                "other units",
                location=Location(file=str(path), line=line),
                help="sort the input by unit (quotas are counted over a whole unit), e.g. "
                "ORDER BY unit in the export",
            )
        ]
    )


class _Grouper:
    """Cuts chunks of at least `size` people, only where a new unit (scope) starts."""

    def __init__(self, path: Path, size: int, scope_of: Callable[[str | None], str | None]):
        self.path = path
        self.size = size
        self.scope_of = scope_of
        self.current: str | None = None
        self.closed: set[str] = set()
        self.chunk = Chunk(0)

    def add(self, line: int, unit: str | None) -> Chunk | None:
        """Note a person of `unit` at `line`; return the finished chunk if one ends before it."""
        scope = self.scope_of(unit)
        done = None
        if scope is not None and scope != self.current:
            if scope in self.closed:
                raise _not_grouped(self.path, line, scope)
            if self.current is not None:
                self.closed.add(self.current)
            self.current = scope
            if len(self.chunk) >= self.size:
                done = self.chunk
                self.chunk = Chunk(done.index + 1, columns=done.columns)
        self.chunk.lines.append(line)
        return done


def read_chunks(
    path: Path,
    fmt: str,
    size: int,
    scope_of: Callable[[str | None], str | None],
) -> Iterator[Chunk]:
    """The people of `path` in chunks of whole units (at least `size` people, but the last).

    Raises:
        InputError: KT750 (unreadable file or line), KT751 (not grouped by unit), KT756 (CSV).
    """
    grouper = _Grouper(path, size, scope_of)
    reader = _read_jsonl if fmt == "jsonl" else _read_csv
    for chunk in reader(path, grouper):
        if len(chunk):
            yield chunk


def _open(path: Path) -> io.BufferedReader:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(
            [
                Diagnostic(
                    "KT750",
                    f"cannot read the input: {exc.strerror or exc}",
                    location=Location(file=str(path)),
                    help="check the path: the input is a .jsonl or .csv file of people",
                )
            ]
        ) from None


def _read_jsonl(path: Path, grouper: _Grouper) -> Iterator[Chunk]:
    with _open(path) as handle:
        for number, raw in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), 1):
            if len(raw) > MAX_LINE_BYTES:
                raise InputError(
                    [
                        Diagnostic(
                            "KT750",
                            f"line longer than {MAX_LINE_BYTES} bytes",
                            location=Location(file=str(path), line=number),
                            help="one person per line: check that the file is JSON Lines",
                        )
                    ]
                )
            text = raw.strip()
            if not text:
                continue
            done = grouper.add(number, _unit_of(text))
            if done is not None:
                yield done
            grouper.chunk.texts.append(text)
    yield grouper.chunk


def _unit_of(text: bytes) -> str | None:
    """The `unit` of a person's JSON text, read without parsing the whole line."""
    found = _UNIT.search(text)
    if found is None or found.group(1) is None:
        return None
    raw = found.group(1)
    if b"\\" not in raw:
        return raw.decode("utf-8", "replace").strip()
    try:
        value = json.loads(b'"' + raw + b'"')
    except ValueError:
        return None
    return value.strip() if isinstance(value, str) else None


def _read_csv(path: Path, grouper: _Grouper) -> Iterator[Chunk]:
    with _open(path) as binary, io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as text:
        rows = csv.reader(text)
        header = next(rows, None)
        if header is None:
            return
        columns = tuple(h.strip() for h in header)
        unknown = [c for c in columns if c not in PERSON_FIELDS]
        if unknown or "id" not in columns:
            raise InputError(
                [
                    Diagnostic(
                        "KT756",
                        f"unknown column {unknown[0]!r}" if unknown else "no `id` column",
                        location=Location(file=str(path), line=1),
                        help="columns are person fields: " + ", ".join(PERSON_FIELDS),
                    )
                ]
            )
        grouper.chunk.columns = columns
        unit_at = columns.index("unit") if "unit" in columns else None
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            number = rows.line_num
            unit = (
                row[unit_at].strip() or None if unit_at is not None and unit_at < len(row) else None
            )
            done = grouper.add(number, unit)
            if done is not None:
                yield done
            grouper.chunk.rows.append(row)
    yield grouper.chunk


def csv_person(columns: tuple[str, ...], row: list[str]) -> dict[str, Any]:
    """One CSV row as a person mapping (raises ValueError naming the column at fault)."""
    if len(row) > len(columns):
        raise ValueError(f"{len(row)} cells for {len(columns)} columns")
    person: dict[str, Any] = {}
    for name, raw in zip(columns, row, strict=False):
        cell = raw.strip()
        if not cell:
            continue
        if name in JSON_CELLS:
            try:
                person[name] = json.loads(cell)
            except ValueError as exc:
                raise ValueError(f"column {name}: not JSON ({exc.args[0]})") from None
        elif name in LIST_CELLS:
            person[name] = [v.strip() for v in cell.split(";") if v.strip()]
        elif name in BOOL_CELLS:
            low = cell.lower()
            if low not in ("true", "false", "1", "0"):
                raise ValueError(f"column {name}: {cell!r} is not true/false")
            person[name] = low in ("true", "1")
        else:
            person[name] = cell
    return person
