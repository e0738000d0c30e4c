"""Load a nomination batch from YAML or JSON into the model, reporting every problem with its place.

Spreadsheet formats (CSV folders, Excel workbooks) are read by `khenthuong.batch.tabular` and come
through `batch_from_data` like YAML and JSON do.
"""

from __future__ import annotations

import importlib
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from khenthuong.errors import Diagnostic, InputError, Location
from khenthuong.model.batch import Batch, reference_problems
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
        # Spreadsheets need the `reports` extra; the module says which package is missing.
        tabular = importlib.import_module("khenthuong.batch.tabular")
        loaded: Batch = tabular.load_tabular(path, limits=limits)
        return loaded
    if not path.exists():
        raise InputError(
            [
                Diagnostic(
                    "KT100",
                    "no such file",
                    location=Location(file=name),
                    help="check the path; a batch is a .yaml, .json or .xlsx file or a CSV folder",
                )
            ]
        )
    check_size(path.stat().st_size, name, limits)
    text = decode(path.read_bytes(), name)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return batch_from_text(text, name, kind="json", limits=limits)
    if suffix in (".yaml", ".yml"):
        return batch_from_text(text, name, kind="yaml", limits=limits)
    raise InputError(
        [
            Diagnostic(
                "KT100",
                f'unsupported file type "{path.suffix}"',
                location=Location(file=name),
                help="use .yaml, .yml, .json, .xlsx, or a folder of .csv files",
            )
        ]
    )


def batch_from_text(
    text: str, name: str = "<input>", *, kind: str = "yaml", limits: Limits = DEFAULT_LIMITS
) -> Batch:
    """Parse and validate batch text (`kind` is "yaml" or "json")."""
    data, positions = (
        load_json(text, name, limits) if kind == "json" else load_yaml(text, name, limits)
    )
    return batch_from_data(data, name, positions.find)


def batch_from_data(data: Any, name: str = "<input>", locate: LocateFn | None = None) -> Batch:
    """Validate already-parsed data; `locate` maps a field path to (line, column) for messages."""
    where: LocateFn = locate or Positions({}).find
    if not isinstance(data, dict):
        raise InputError(
            [
                Diagnostic(
                    "KT110",
                    "the file is empty or not a mapping"
                    if data is None
                    else f"the top level must be a mapping, not a {type(data).__name__}",
                    location=Location(file=name, line=1, column=1),
                    help="a batch starts with `batch:`, then `units:`, `people:`, `nominations:`",
                )
            ]
        )
    try:
        batch = Batch.model_validate(data)
    except ValidationError as exc:
        raise InputError(_validation_diagnostics(exc, name, where)) from None
    problems = reference_problems(batch)
    if problems:
        raise InputError(
            [
                _located(
                    "KT120" if "duplicate" in p.message else "KT121",
                    p.message,
                    p.path,
                    name,
                    where,
                    p.help,
                )
                for p in problems
            ]
        )
    return batch


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
    for err in exc.errors(include_url=False):
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
            message = f"{err['msg'].rstrip('.')}" + (
                f" (got {shown})" if shown and kind != "value_error" else ""
            )
            message = message.removeprefix("Value error, ")
            help_ = _help_for(kind)
            code = "KT113"
        diagnostics.append(
            _located(code, message[:1].lower() + message[1:], loc, name, where, help_)
        )
    return diagnostics


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and (
        part.startswith("function-") or part in {"str", "int", "bool", "decimal", "lax-or-strict"}
    )


def _short(value: Any) -> str:
    if isinstance(value, dict | list):
        return ""
    text = repr(value)
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
    if kind.startswith("string_too_long"):
        return "shorten the text"
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
