"""Find rule packs, resolve a national pack with its provincial layers, and pick packs by date.

The bundled packs ship inside the installed package (`khenthuong/rules/`); in a source checkout
the repository's `rules/` folder is used. A `PackRegistry` caches what it loads; it holds no global
state and is safe to share between threads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khenthuong.errors import Diagnostic, EvaluationError, Location, PackError, Severity
from khenthuong.packs.loader import LoadedPack, Located, read_pack
from khenthuong.packs.schema import Instrument, Parameter, ParamValue, Rule, Source

_HERE = Path(__file__).resolve().parent


def bundled_rules_dir() -> Path:
    """The folder holding the bundled packs (installed copy first, then the source checkout)."""
    installed = _HERE.parent / "rules"
    if installed.is_dir():
        return installed
    return _HERE.parents[2] / "rules"


@dataclass(frozen=True, slots=True)
class ParamBinding:
    """A parameter's value on a date: the value, since when, its source and the pack it came from."""

    id: str
    value: ParamValue
    since: dt.date
    source: Source
    pack: str
    delegated: bool


@dataclass(slots=True)
class ResolvedPack:
    """A national pack with its provincial layers applied: what evaluation uses."""

    id: str
    layers: tuple[LoadedPack, ...]
    rules: tuple[Rule, ...]
    parameters: dict[str, Parameter]
    parameter_pack: dict[str, str]
    instruments: dict[str, Instrument]
    where: dict[str, Located]
    digest: str
    coverage_from: dt.date
    coverage_until: dt.date | None
    _plans: dict[dt.date, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def layer_ids(self) -> list[str]:
        return [p.id for p in self.layers]

    def covers(self, day: dt.date) -> bool:
        return self.coverage_from <= day and (
            self.coverage_until is None or day <= self.coverage_until
        )

    def param(self, name: str, day: dt.date) -> ParamBinding | None:
        """The value of parameter `name` in force on `day` (None if none is)."""
        p = self.parameters.get(name)
        if p is None:
            return None
        chosen = None
        for v in p.values:
            if v.from_ <= day:
                chosen = v
        if chosen is None:
            return None
        return ParamBinding(
            name, chosen.value, chosen.from_, chosen.source, self.parameter_pack[name], p.delegated
        )

    def plan(self, day: dt.date) -> Any:
        """The compiled plan for `day`, compiled once and then reused (thread-safe)."""
        with self._lock:
            cached = self._plans.get(day)
            if cached is None:
                from khenthuong.engine.compile import compile_pack

                cached = compile_pack(self, day)
                self._plans[day] = cached
            return cached

    def cite(self, source: Source) -> str:
        """A citation in legal form: "Nghị định 91/2017/NĐ-CP, Điều 10, khoản 1, điểm a"."""
        inst = self.instruments.get(source.instrument)
        parts = [inst.short or inst.title if inst else source.instrument]
        if source.article is not None:
            parts.append(f"Điều {source.article}")
        if source.clause is not None:
            parts.append(f"khoản {source.clause}")
        if source.point is not None:
            parts.append(f"điểm {source.point}")
        return ", ".join(parts)


class PackRegistry:
    """Packs found under one or more folders, loaded on first use and cached."""

    def __init__(self, roots: list[Path] | None = None) -> None:
        self.roots = roots or [bundled_rules_dir()]
        self._loaded: dict[str, LoadedPack] = {}
        self._resolved: dict[tuple[str, str | None], ResolvedPack] = {}
        self._lock = threading.RLock()

    def folders(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for root in self.roots:
            if (root / "pack.yaml").is_file():
                found.setdefault(root.name, root)
                continue
            for child in sorted(root.iterdir()) if root.is_dir() else []:
                if (child / "pack.yaml").is_file():
                    found.setdefault(child.name, child)
        return found

    def ids(self) -> list[str]:
        return sorted(self.folders())

    def load(self, pack_id: str) -> LoadedPack:
        with self._lock:
            cached = self._loaded.get(pack_id)
            if cached is not None:
                return cached
            folder = self.folders().get(pack_id)
            if folder is None:
                raise PackError(
                    [
                        Diagnostic(
                            "KT206",
                            f'no rule pack "{pack_id}"',
                            help="known packs: " + ", ".join(self.ids()),
                        )
                    ]
                )
            pack, diagnostics = read_pack(folder)
            errors = [d for d in diagnostics if d.severity is Severity.ERROR]
            if errors or pack is None:
                raise PackError(errors or diagnostics)
            self._loaded[pack_id] = pack
            return pack

    def national_packs(self) -> list[LoadedPack]:
        return [p for p in (self.load(i) for i in self.ids()) if p.manifest.kind == "national"]

    def choose(self, day: dt.date) -> str:
        """The national pack whose coverage contains `day`."""
        hits = [
            p.id
            for p in self.national_packs()
            if p.manifest.coverage.from_ <= day
            and (p.manifest.coverage.until is None or day <= p.manifest.coverage.until)
        ]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            spans = ", ".join(
                f"{p.id} ({p.manifest.coverage.from_.isoformat()}–"
                f"{p.manifest.coverage.until.isoformat() if p.manifest.coverage.until else '…'})"
                for p in self.national_packs()
            )
            raise EvaluationError(
                [
                    Diagnostic(
                        "KT301",
                        f"no rule pack covers {day.isoformat()}",
                        help=f"bundled packs cover: {spans}; check batch.year and batch.as_of",
                    )
                ]
            )
        raise EvaluationError(
            [
                Diagnostic(
                    "KT302",
                    f"packs {', '.join(hits)} all cover {day.isoformat()}",
                    help="coverage periods of national packs must not overlap; pass --pack",
                )
            ]
        )

    def layers_for(self, base: str, province: str | None) -> list[str]:
        if province is None:
            return []
        hits = [
            i
            for i in self.ids()
            if self.load(i).manifest.kind == "provincial"
            and self.load(i).manifest.province == province
            and base in self.load(i).manifest.extends
        ]
        if not hits:
            provinces = sorted(
                {
                    p.manifest.province or ""
                    for p in (self.load(i) for i in self.ids())
                    if p.manifest.kind == "provincial"
                }
            )
            raise EvaluationError(
                [
                    Diagnostic(
                        "KT303",
                        f'no provincial layer for "{province}" extends {base}',
                        help="known provinces: "
                        + (", ".join(provinces) or "none")
                        + "; omit batch.province to use the national pack alone",
                    )
                ]
            )
        return hits

    def resolve(self, pack_id: str, province: str | None = None) -> ResolvedPack:
        """The national pack `pack_id` with the layers of `province` applied."""
        key = (pack_id, province)
        with self._lock:
            cached = self._resolved.get(key)
            if cached is not None:
                return cached
            base = self.load(pack_id)
            if base.manifest.kind != "national":
                raise EvaluationError(
                    [
                        Diagnostic(
                            "KT304",
                            f'"{pack_id}" is a provincial layer, not a national pack',
                            help="pass the national pack with --pack and the province with "
                            "--province",
                        )
                    ]
                )
            layers = [base, *(self.load(i) for i in self.layers_for(pack_id, province))]
            resolved = resolve_layers(layers)
            self._resolved[key] = resolved
            return resolved

    def for_date(self, day: dt.date, province: str | None, pack: str | None = None) -> ResolvedPack:
        return self.resolve(pack or self.choose(day), province)


def resolve_layers(layers: list[LoadedPack]) -> ResolvedPack:
    """Merge layers in order: later layers add rules, override rules and parameters explicitly."""
    diagnostics: list[Diagnostic] = []
    rules: list[Rule] = []
    parameters: dict[str, Parameter] = {}
    owner: dict[str, str] = {}
    instruments: dict[str, Instrument] = {}
    where: dict[str, Located] = {}
    for layer in layers:
        instruments.update(layer.instruments)
        where.update(layer.where)
        rules.extend(layer.rules)
        for pid, p in layer.parameters.items():
            if pid in parameters and not p.overrides:
                loc = layer.where.get(f"param:{pid}")
                diagnostics.append(
                    Diagnostic(
                        "KT207",
                        f'parameter "{pid}" of {layer.id} redefines one of {owner[pid]} '
                        "without `overrides: true`",
                        location=loc.location() if loc else Location(),
                        help="set `overrides: true` to replace the national value on purpose",
                    )
                )
            parameters[pid] = p
            owner[pid] = layer.id
    if diagnostics:
        raise PackError(diagnostics)
    h = hashlib.sha256()
    for layer in layers:
        for rel, digest in sorted(layer.files.items()):
            h.update(f"{layer.id}/{rel}\0{digest}\n".encode())
    base = layers[0].manifest
    return ResolvedPack(
        id=base.id,
        layers=tuple(layers),
        rules=tuple(rules),
        parameters=parameters,
        parameter_pack=owner,
        instruments=instruments,
        where=where,
        digest="sha256:" + h.hexdigest(),
        coverage_from=base.coverage.from_,
        coverage_until=base.coverage.until,
    )
