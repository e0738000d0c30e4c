"""Load a nomination batch from YAML or JSON into the model, reporting every problem with its place.

Spreadsheet formats (CSV folders, Excel workbooks) are read by `khenthuong.batch.tabular` and come
through `batch_from_data` like YAML and JSON do.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from khenthuong.errors import Diagnostic, InputError, Location, Severity
from khenthuong.model.batch import Batch, problem_count, reference_problems
from khenthuong.model.types import suggest
from khenthuong.sources import (
    DEFAULT_LIMITS,
    Limits,
    Positions,
    check_size,
    decode,
    load_json,
    load_yaml,
)

LocateFn = Callable[[tuple[str | int, ...]], tuple[int, int] | None]
TABULAR_SUFFIXES = (".xlsx", ".xlsm")


def load_batch(source: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Batch:
    """Read a batch file (.yaml, .yml, .json, .xlsx) or a folder of CSV files.

    Raises:
        InputError: with one diagnostic per problem (file, line, field path and a fix).
    """
    path = Path(source)
    name = str(source)
    if path.is_dir() or path.suffix.lower() in TABULAR_SUFFIXES:
        return _load_tabular(path, name, limits)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise InputError(
            [
                Diagnostic(
                    "KT100",
                    f'unsupported file type "{path.suffix}"' if path.suffix else "no file type",
                    location=Location(file=name),
                    help="use .yaml, .yml, .json, .xlsx, or a folder of .csv files",
                )
            ]
        )
    text = decode(read_bounded(path, name, limits), name)
    return batch_from_text(text, name, kind="json" if suffix == ".json" else "yaml", limits=limits)


def read_bounded(path: Path, name: str, limits: Limits) -> bytes:
    """The bytes of `path`, reading at most `limits.max_bytes` (a pipe or device cannot hang us)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise InputError(
            [
                Diagnostic(
                    "KT100",
                    "no such file",
                    location=Location(file=name),
                    help="check the path; a batch is a .yaml, .json or .xlsx file or a CSV folder",
                )
            ]
        ) from None
    except OSError as exc:
        raise InputError(
            [
                Diagnostic(
                    "KT100",
                    f"cannot read the file: {exc.strerror or exc}",
                    location=Location(file=name),
                    help="check that the path is a readable file",
                )
            ]
        ) from None
    if len(data) > limits.max_bytes:
        # A regular file's size is known; a pipe or device was read only up to the limit.
        size = path.stat().st_size if path.is_file() else 0
        check_size(max(size, len(data)), name, limits, exact=size >= len(data))
    return data


def _load_tabular(path: Path, name: str, limits: Limits) -> Batch:
    # Spreadsheets need the `reports` extra; the module says which package is missing.
    try:
        tabular = importlib.import_module("khenthuong.batch.tabular")
    except ModuleNotFoundError as exc:
        if exc.name != "khenthuong.batch.tabular":
            raise
        raise InputError(
            [
                Diagnostic(
                    "KT100",
                    "this version of khenthuong cannot read spreadsheets or CSV folders",
                    location=Location(file=name),
                    help="save the batch as .yaml or .json",
                )
            ]
        ) from None
    loaded: Batch = tabular.load_tabular(path, limits=limits)
    return loaded


def batch_from_text(
    text: str, name: str = "<input>", *, kind: str = "yaml", limits: Limits = DEFAULT_LIMITS
) -> Batch:
    """Parse and validate batch text (`kind` is "yaml" or "json")."""
    data, positions = (
        load_json(text, name, limits) if kind == "json" else load_yaml(text, name, limits)
    )
    return batch_from_data(data, name, positions.find, limits=limits)


SECTIONS = ("units", "people", "households", "nominations")
# At most this many problems are reported at once; the rest are counted (KT164).
MAX_DIAGNOSTICS = 100


def batch_from_data(
    data: Any,
    name: str = "<input>",
    locate: LocateFn | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Batch:
    """Validate already-parsed data; `locate` maps a field path to (line, column) for messages."""
    where: LocateFn = locate or Positions({}).find
    if not isinstance(data, dict):
        raise InputError(
            [
                Diagnostic(
                    "KT110",
                    "the file is empty or not a mapping"
                    if data is None
                    else f"the top level must be a mapping, not a {_kind_of(data)}",
                    location=Location(file=name, line=1, column=1),
                    help="a batch starts with `batch:`, then `units:`, `people:`, `nominations:`",
                )
            ]
        )
    too_many = [
        _located(
            "KT160",
            f"{section} has {len(data[section]):,} records, over the limit of {limits.max_rows:,}",
            (section,),
            name,
            where,
            "split the batch, or raise the limit with --max-rows if it is genuine",
        )
        for section in SECTIONS
        if isinstance(data.get(section), list | tuple) and len(data[section]) > limits.max_rows
    ]
    if too_many:
        raise InputError(too_many)
    try:
        batch = Batch.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            _capped(_validation_diagnostics(exc, name, where), exc.error_count(), name)
        ) from None
    problems = reference_problems(batch, limit=MAX_DIAGNOSTICS + 1)
    if problems:
        shown = [_located(p.code, p.message, p.path, name, where, p.help) for p in problems]
        more = problem_count(batch) if len(problems) > MAX_DIAGNOSTICS else len(shown)
        raise InputError(_capped(shown, more, name))
    return batch


def _capped(diagnostics: list[Diagnostic], total: int, name: str) -> list[Diagnostic]:
    if total <= MAX_DIAGNOSTICS:
        return diagnostics
    return [
        *diagnostics[:MAX_DIAGNOSTICS],
        Diagnostic(
            "KT164",
            f"{total - MAX_DIAGNOSTICS:,} more problems are not shown",
            Severity.INFO,
            Location(file=name),
            help="fix the problems above and check the batch again",
        ),
    ]


def _kind_of(value: Any) -> str:
    return {list: "list", str: "text", int: "number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _located(
    code: str,
    message: str,
    path: tuple[str | int, ...],
    name: str,
    where: LocateFn,
    help_: str = "",
) -> Diagnostic:
    pos = where(path)
    return Diagnostic(
        code,
        message,
        location=Location(
            file=name,
            line=pos[0] if pos else None,
            column=pos[1] if pos else None,
            path=format_path(path),
        ),
        help=help_,
    )


def format_path(path: tuple[str | int, ...]) -> str:
    """`("people", 3, "history", 0, "rating")` → `people[3].history[0].rating`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _validation_diagnostics(exc: ValidationError, name: str, where: LocateFn) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    for err in itertools.islice(exc.errors(include_url=False), MAX_DIAGNOSTICS):
        loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
        kind = err["type"]
        if kind == "extra_forbidden":
            field = str(loc[-1])
            known = _known_fields(loc[:-1])
            message = f'unknown field "{field}"{suggest(field, known)}'
            help_ = "allowed here: " + ", ".join(known) if known else "remove this field"
            code = "KT111"
        elif kind == "missing":
            message = f'missing required field "{loc[-1]}"'
            help_ = "add this field"
            code = "KT112"
        else:
            value = err.get("input")
            shown = _short(value)
            message = _plain_message(kind, err.get("ctx") or {}, value) or err["msg"].rstrip(".")
            if shown and kind != "value_error":
                message += f" (got {shown})"
            message = message.removeprefix("Value error, ")
            help_ = _help_for(kind)
            code = "KT113"
        diagnostics.append(
            _located(code, message[:1].lower() + message[1:], loc, name, where, help_)
        )
    return diagnostics


def _plain_message(kind: str, ctx: dict[str, Any], value: Any) -> str | None:
    """Board-staff wording for the pydantic errors whose own wording is technical."""
    if kind in ("too_long", "string_too_long") and isinstance(value, str):
        return f"the text has {len(value):,} characters, more than {ctx.get('max_length', 0):,}"
    if kind == "string_pattern_mismatch":
        return "an id cannot contain spaces or control characters"
    if kind in ("tuple_type", "list_type"):
        return "a list is expected here"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "a mapping of fields is expected here"
    return None


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and (
        part.startswith("function-") or part in {"str", "int", "bool", "decimal", "lax-or-strict"}
    )


def _short(value: Any) -> str:
    if isinstance(value, dict | list):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value) if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _help_for(kind: str) -> str:
    if kind.startswith("date"):
        return "write dates as YYYY-MM-DD, e.g. 2021-12-15; the date must exist"
    if kind.startswith("int"):
        return "write a whole number without quotes"
    if kind.startswith("bool"):
        return "write true or false"
    if kind in ("enum", "literal_error"):
        return "use one of the codes listed in the batch format (docs/batch-format.md)"
    if kind in ("too_long", "string_too_long"):
        return "shorten the text: ids have at most 128 characters, names and notes 1000"
    if kind == "string_pattern_mismatch":
        return "use letters, digits, '-', '_' or '.', e.g. P-001; put the full name under `name`"
    if kind in ("tuple_type", "list_type"):
        return "write one `- item` per line under the field, or [a, b] on one line"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "write `field: value` pairs under this entry (see docs/batch-format.md)"
    if kind.startswith(("greater_than", "less_than")):
        return "the value is out of the allowed range"
    return "see docs/batch-format.md for this field"


def _known_fields(loc: tuple[str | int, ...]) -> list[str]:
    """Field names allowed at `loc` (navigating the model's annotations), for "did you mean"."""
    current: Any = Batch
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp
        else:
            return tp
