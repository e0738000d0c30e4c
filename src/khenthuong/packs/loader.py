"""Read a rule-pack folder into checked models, collecting every diagnostic with its file and line.

A pack folder holds `pack.yaml`, `instruments/*.yaml` (one legal instrument each, with its rules),
`parameters/*.yaml` (dated legal numbers) and optionally `ranking.yaml` and `tests/*.yaml`.
Files are read in sorted order so that a pack reads the same on every machine.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from khenthuong.errors import Diagnostic, Location, PackError, Severity
from khenthuong.model.types import suggest
from khenthuong.packs.schema import (
    CONDITION_NAMES,
    PREDICATE_ARGS,
    Instrument,
    InstrumentFile,
    PackFile,
    PackManifest,
    Parameter,
    ParameterFile,
    Rule,
)
from khenthuong.sources import Limits, Positions, decode, load_yaml

M = TypeVar("M", bound=BaseModel)
PACK_FILE_LIMITS = Limits(max_bytes=4 * 1024 * 1024, max_depth=40, max_nodes=500_000)
# Other data a pack may hold, as `<name>*.yaml` beside pack.yaml or `<name>/*.yaml`.
EXTRA_FILES: tuple[str, ...] = ("ranking", "movements", "areas")


@dataclass(frozen=True, slots=True)
class Located:
    """Where a loaded item came from: file and YAML path (for diagnostics of later stages)."""

    file: str
    path: tuple[str | int, ...]
    line: int | None
    column: int | None
    positions: Positions | None = field(default=None, compare=False, repr=False)

    def at(self, sub: tuple[str | int, ...]) -> Located:
        """The place of `sub`, a path inside this item (its nearest written ancestor's position)."""
        path = (*self.path, *sub)
        pos = self.positions.find(path) if self.positions is not None and sub else None
        if pos is None:
            return Located(self.file, path, self.line, self.column, self.positions)
        return Located(self.file, path, pos[0], pos[1], self.positions)

    def location(self, rule: str | None = None) -> Location:
        return Location(self.file, self.line, self.column, yaml_path(self.path), rule)


@dataclass(slots=True)
class LoadedPack:
    """One pack folder as read: manifest, instruments, rules, parameters and raw extras."""

    root: Path
    manifest: PackManifest
    instruments: dict[str, Instrument] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    where: dict[str, Located] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    positions: dict[str, Positions] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.manifest.id


def file_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self.files: dict[str, str] = {}
        self.positions: dict[str, Positions] = {}

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def read(self, path: Path, model: type[M]) -> tuple[M | None, Positions, str]:
        name = self.rel(path)
        raw = path.read_bytes()
        self.files[path.relative_to(self.root).as_posix()] = file_digest(raw)
        try:
            data, positions = load_yaml(decode(raw, name), name, PACK_FILE_LIMITS)
        except PackError as exc:  # pragma: no cover - load_yaml raises InputError
            self.diagnostics += exc.diagnostics
            return None, Positions({}), name
        except Exception as exc:  # InputError from the shared YAML reader
            diags = getattr(exc, "diagnostics", None)
            if diags is None:
                raise
            self.diagnostics += [_as_pack_diag(d) for d in diags]
            return None, Positions({}), name
        self.positions[name] = positions
        try:
            return model.model_validate(data), positions, name
        except ValidationError as exc:
            self.diagnostics += validation_diagnostics(exc, name, positions.find, data)
            return None, positions, name


def _as_pack_diag(d: Diagnostic) -> Diagnostic:
    return Diagnostic("KT201", d.message, d.severity, d.location, d.help)


def load_pack(root: str | Path) -> LoadedPack:
    """Load one pack folder; raise PackError with every problem found.

    Example:
        >>> from khenthuong.packs.registry import bundled_rules_dir
        >>> pack = load_pack(bundled_rules_dir() / "vn-2017")
        >>> pack.id
        'vn-2017'
    """
    pack, diagnostics = read_pack(Path(root))
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors or pack is None:
        raise PackError(errors or diagnostics)
    return pack


def read_pack(root: Path) -> tuple[LoadedPack | None, list[Diagnostic]]:
    """Load one pack folder and return it (None if unusable) with all diagnostics found."""
    reader = _Reader(root)
    manifest_path = root / "pack.yaml"
    if not manifest_path.is_file():
        return None, [
            Diagnostic(
                "KT200",
                "no pack.yaml in this folder",
                location=Location(file=reader.rel(root)),
                help="a rule pack is a folder with pack.yaml, instruments/ and parameters/",
            )
        ]
    manifest_file, _, _ = reader.read(manifest_path, PackFile)
    if manifest_file is None:
        return None, reader.diagnostics
    pack = LoadedPack(root=root, manifest=manifest_file.pack)
    manifest_name = reader.rel(manifest_path)
    pack.where["pack"] = _where(
        manifest_name, ("pack",), reader.positions.get(manifest_name, Positions({}))
    )
    if pack.manifest.id != root.name:
        reader.diagnostics.append(
            Diagnostic(
                "KT202",
                f'pack id "{pack.manifest.id}" differs from its folder name "{root.name}"',
                location=pack.where["pack"].at(("id",)).location(),
                help="rename the folder or the id so that they match",
            )
        )
    for path in sorted((root / "instruments").glob("*.y*ml")):
        inst, positions, name = reader.read(path, InstrumentFile)
        if inst is None:
            continue
        _add_instrument(pack, inst, positions, name, reader.diagnostics)
    for path in sorted((root / "parameters").glob("*.y*ml")):
        params, positions, name = reader.read(path, ParameterFile)
        if params is None:
            continue
        for i, p in enumerate(params.parameters):
            where = _where(name, ("parameters", i), positions)
            if p.id in pack.parameters:
                reader.diagnostics.append(
                    _diag("KT204", f'parameter "{p.id}" is defined twice', where, "keep one")
                )
            pack.parameters[p.id] = p
            pack.where[f"param:{p.id}"] = where
            dates = [v.from_ for v in p.values]
            if dates != sorted(dates) or len(set(dates)) != len(dates):
                reader.diagnostics.append(
                    _diag(
                        "KT205",
                        f'values of parameter "{p.id}" must be in increasing date order, '
                        "one per date",
                        where,
                        "sort the values by `from` and remove duplicates",
                    )
                )
    for extra in EXTRA_FILES:
        for path in sorted(root.glob(f"{extra}*.y*ml")) + sorted(
            (root / extra).glob("*.y*ml") if (root / extra).is_dir() else []
        ):
            raw = path.read_bytes()
            reader.files[path.relative_to(root).as_posix()] = file_digest(raw)
            name = reader.rel(path)
            try:
                data, positions = load_yaml(decode(raw, name), name, PACK_FILE_LIMITS)
            except Exception as exc:
                diags = getattr(exc, "diagnostics", None)
                if diags is None:
                    raise
                reader.diagnostics += [_as_pack_diag(d) for d in diags]
                continue
            pack.extras[path.relative_to(root).as_posix()] = (data, positions, name)
    pack.files = reader.files
    pack.positions = reader.positions
    return pack, reader.diagnostics


def _add_instrument(
    pack: LoadedPack,
    inst: InstrumentFile,
    positions: Positions,
    name: str,
    diagnostics: list[Diagnostic],
) -> None:
    where_inst = _where(name, ("instrument",), positions)
    if inst.instrument.id in pack.instruments:
        diagnostics.append(
            _diag("KT204", f'instrument "{inst.instrument.id}" is declared twice', where_inst, "")
        )
    pack.instruments[inst.instrument.id] = inst.instrument
    pack.where[f"instrument:{inst.instrument.id}"] = where_inst
    for i, rule in enumerate(inst.rules):
        where = _where(name, ("rules", i), positions)
        if f"rule:{rule.id}" in pack.where:
            diagnostics.append(
                _diag(
                    "KT204",
                    f'rule id "{rule.id}" is used twice',
                    where,
                    "rule ids are stable and unique: give the new rule its own id",
                    rule=rule.id,
                )
            )
        pack.rules.append(rule)
        pack.where[f"rule:{rule.id}"] = where
        for j, crit in enumerate(rule.criteria):
            pack.where[f"criterion:{rule.id}/{crit.id}"] = _where(
                name, ("rules", i, "criteria", j), positions
            )


def _where(name: str, path: tuple[str | int, ...], positions: Positions) -> Located:
    pos = positions.find(path)
    return Located(name, path, pos[0] if pos else None, pos[1] if pos else None, positions)


def _diag(
    code: str, message: str, where: Located, help_: str, rule: str | None = None
) -> Diagnostic:
    return Diagnostic(
        code,
        message,
        location=Location(
            file=where.file,
            line=where.line,
            column=where.column,
            path=yaml_path(where.path),
            rule=rule,
        ),
        help=help_,
    )


def yaml_path(path: tuple[str | int, ...]) -> str:
    """`("rules", 3, "when")` → `$.rules[3].when`."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _strip_tags(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Remove pydantic's union tags from an error location (`when.rating.rating.x` → `when.rating.x`)."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and out and out[-1] == part and part in CONDITION_NAMES:
            continue
        if isinstance(part, str) and (part.startswith("function-") or part in ("str", "int")):
            continue
        out.append(part)
    return tuple(out)


def validation_diagnostics(
    exc: ValidationError,
    name: str,
    locate: Callable[[tuple[str | int, ...]], tuple[int, int] | None],
    data: Any,
) -> list[Diagnostic]:
    """Turn pydantic errors into located diagnostics with "did you mean" for names."""
    out: list[Diagnostic] = []
    errors = exc.errors(include_url=False)
    failed = [tuple(e["loc"]) for e in errors]
    for err in errors:
        here = tuple(err["loc"])
        if err["type"] == "too_short" and any(
            len(o) > len(here) and o[: len(here)] == here for o in failed
        ):
            continue  # a list whose items failed is reported through its items, not as "empty"
        loc = _strip_tags(here)
        # Map pydantic's alias-free names back to what is written in the file.
        loc = tuple(
            "not" if p == "not_" else "from" if p == "from_" else "in" if p == "in_" else p
            for p in loc
        )
        pos = locate(loc)
        rule_id = _rule_id_at(data, loc)
        kind = err["type"]
        if kind == "unknown_condition":
            written = err.get("input")
            keys = list(written) if isinstance(written, dict) else []
            if len(keys) == 1:
                message = (
                    f'unknown predicate "{keys[0]}"{suggest(str(keys[0]), list(CONDITION_NAMES))}'
                )
                code = "KT210"
                loc = (*loc, str(keys[0]))  # point at the misspelt name itself
                pos = locate(loc) or pos
            else:
                message = "a condition must be a mapping with exactly one key, the predicate name"
                code = "KT211"
            help_ = "predicates: " + ", ".join(sorted(CONDITION_NAMES))
        elif kind == "extra_forbidden":
            field_name = str(loc[-1])
            allowed = _allowed_here(loc)
            message = f'unknown key "{field_name}"{suggest(field_name, allowed)}'
            help_ = ("allowed here: " + ", ".join(allowed)) if allowed else "remove this key"
            code = "KT212"
        elif kind == "missing":
            message = f'missing required key "{loc[-1]}"'
            help_ = "add it; see docs/rules.md for the rule format"
            code = "KT213"
        elif kind == "enum" and isinstance(err.get("input"), str):
            choices = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
            written = str(err["input"])
            message = f'unknown {_vocabulary_name(choices)} "{written}"{suggest(written, choices)}'
            help_ = "allowed here: " + ", ".join(choices)
            code = "KT214"
        else:
            message = err["msg"].rstrip(".")
            shown = err.get("input")
            if not isinstance(shown, dict | list) and shown is not None:
                message += f" (got {shown!r})"
            help_ = "see docs/rules.md for the allowed values"
            code = "KT214"
        out.append(
            Diagnostic(
                code,
                message[:1].lower() + message[1:],
                location=Location(
                    file=name,
                    line=pos[0] if pos else None,
                    column=pos[1] if pos else None,
                    path=yaml_path(loc),
                    rule=rule_id,
                ),
                help=help_,
            )
        )
    return out


def _vocabulary_name(choices: list[str]) -> str:
    """What a closed set of codes is called in messages ("award code", "rating", …)."""
    from khenthuong.model import vocab

    names: tuple[tuple[type[StrEnum], str], ...] = (
        (vocab.Award, "award code"),
        (vocab.Rating, "rating"),
        (vocab.Scope, "scope"),
        (vocab.DisciplineForm, "discipline form"),
        (vocab.SubjectKind, "subject kind"),
        (vocab.Confidence, "confidence mark"),
        (vocab.Attestation, "attestation"),
        (vocab.Employment, "employment category"),
        (vocab.Position, "position"),
        (vocab.UnitKind, "unit kind"),
        (vocab.InitiativeKind, "initiative kind"),
        (vocab.SanctionKind, "sanction kind"),
    )
    for enum, name in names:
        if set(choices) == {e.value for e in enum}:
            return name
    return "value"


def _rule_id_at(data: Any, loc: tuple[str | int, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(data, dict):
        rules = data.get("rules")
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            rid = rules[loc[1]].get("id")
            return str(rid) if rid is not None else None
    return None


def _allowed_here(loc: tuple[str | int, ...]) -> list[str]:
    """Keys allowed at the parent of `loc`, when the parent is a predicate's arguments."""
    for part in reversed(loc[:-1]):
        if isinstance(part, str) and part in PREDICATE_ARGS:
            return [f.alias or n for n, f in PREDICATE_ARGS[part].model_fields.items()]
    parent = loc[-2] if len(loc) >= 2 else None
    table: dict[str | int | None, type[BaseModel]] = {
        "source": _source_model(),
        "instrument": Instrument,
        "pack": PackManifest,
    }
    model = table.get(parent)
    if model is not None:
        return [f.alias or n for n, f in model.model_fields.items()]
    if isinstance(parent, int) and len(loc) >= 3 and loc[-3] == "rules":
        return [f.alias or n for n, f in Rule.model_fields.items()]
    if isinstance(parent, int) and len(loc) >= 3 and loc[-3] == "parameters":
        return list(Parameter.model_fields)
    return []


def _source_model() -> type[BaseModel]:
    from khenthuong.packs.schema import Source

    return Source
