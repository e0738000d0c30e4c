"""Lint rule packs: every problem a pack has, found before any batch is evaluated.

`lint(paths)` reads each pack with the loader (so schema problems have the same codes and places
as when a batch is checked), then checks what only a whole pack shows: parameters and their dated
values on every date of the coverage (the pack is compiled at each date where a rule or a value
starts or ends), undeclared precedence, dependency cycles, gaps and overlaps in time, citations and
confidence marks, conditions that can never hold, unused parameters, stray files, and the pack's
own scenario tests. All problems are collected; codes are documented in docs/errors.md.

Example:
    >>> from khenthuong.packs.registry import bundled_rules_dir
    >>> report = lint([bundled_rules_dir() / "vn-2017"], scenarios=False)
    >>> report.packs, report.ok
    (('vn-2017',), True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khenthuong.errors import Diagnostic, KhenthuongError, Location, PackError, Severity
from khenthuong.packs.lint_rules import Period, check_rule, check_source
from khenthuong.packs.lint_time import (
    boundaries,
    check_award_coverage,
    check_chain,
    check_overrides,
    periods,
)
from khenthuong.packs.loader import EXTRA_FILES, LoadedPack, Located, read_pack
from khenthuong.packs.registry import ResolvedPack, bundled_rules_dir, resolve_layers

LINT_SCHEMA = "khenthuong.lint/1"
# Codes that are only trustworthy when every file of that kind loaded.
_NEEDS_PARAMETERS = frozenset({"KT221", "KT222", "KT223"})
_NEEDS_INSTRUMENTS = frozenset({"KT226", "KT230", "KT231"})
_KNOWN_ENTRIES = frozenset({"pack.yaml", "pack.yml", "instruments", "parameters", "tests"})


@dataclass(frozen=True, slots=True)
class LintReport:
    """What `lint` found: the packs it read and every diagnostic, in a stable order."""

    packs: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        """No errors (warnings alone do not fail a pack)."""
        return self.errors == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": LINT_SCHEMA,
            "packs": list(self.packs),
            "errors": self.errors,
            "warnings": self.warnings,
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def find_packs(paths: Sequence[str | Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Pack folders named by `paths` (a pack folder, a folder of packs, or a file inside a pack).

    Raises:
        PackError: KT200 if a path does not exist.
    """
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise PackError(
                [
                    Diagnostic(
                        "KT200",
                        f"no such file or folder: {path.as_posix()}",
                        location=Location(file=path.as_posix()),
                        help="give a pack folder (with pack.yaml) or a folder of packs",
                    )
                ]
            )
        if path.is_file():
            hits = [p for p in path.parents if (p / "pack.yaml").is_file()][:1]
        elif (path / "pack.yaml").is_file():
            hits = [path]
        else:
            hits = sorted(c for c in path.iterdir() if (c / "pack.yaml").is_file())
        if not hits:
            problems.append(
                Diagnostic(
                    "KT200",
                    "no rule pack here: no pack.yaml in this folder or its sub-folders",
                    location=Location(file=path.as_posix()),
                    help="a rule pack is a folder with pack.yaml, instruments/ and parameters/",
                )
            )
        for hit in hits:
            if hit.resolve() not in {f.resolve() for f in found}:
                found.append(hit)
    return found, problems


def lint(paths: Sequence[str | Path] | None = None, *, scenarios: bool = True) -> LintReport:
    """Lint the packs under `paths` (default: the bundled packs) and return every diagnostic.

    Args:
        paths: pack folders, folders of packs, or files inside a pack.
        scenarios: also run each pack's scenario tests (`tests/*.yaml`) when it has no error.

    Raises:
        PackError: KT200 if a path does not exist.
    """
    folders, problems = find_packs(list(paths) if paths else [bundled_rules_dir()])
    linter = _Linter(scenarios)
    linter.out += problems
    linter.run(folders)
    seen: set[tuple[object, ...]] = set()
    unique: list[Diagnostic] = []
    for d in linter.out:
        loc = d.location
        key = (d.code, loc.file, loc.line, loc.column, loc.path, loc.rule)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    unique.sort(
        key=lambda d: (
            d.location.file or "",
            d.location.line or 0,
            d.location.column or 0,
            d.code,
        )
    )
    ids = tuple(e.pack.id for e in linter.entries if e.pack is not None)
    return LintReport(ids, tuple(unique))


@dataclass(slots=True)
class _Entry:
    folder: Path
    pack: LoadedPack | None
    failed: set[str] = field(default_factory=set)

    @property
    def broken(self) -> bool:
        return bool(self.failed)


def _param_names(data: Any) -> Iterator[str]:
    """Every plain string in the data: parameter names, however a file refers to them."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, str):
            yield item


def _file_names(pack: LoadedPack) -> set[str]:
    """The names diagnostics give to this pack's files (rules, parameters and extra data)."""
    names = set(pack.positions)
    for item in pack.extras.values():
        if isinstance(item, tuple) and len(item) == 3 and isinstance(item[2], str):
            names.add(item[2])
    return names


def _movement_checks(pack: LoadedPack) -> list[Diagnostic]:
    """The pack's emulation movements (`movements/*.yaml`) that do not validate (KT601)."""
    from khenthuong.movements.catalog import movement_diagnostics

    return movement_diagnostics(pack)


def _policy_compiler() -> Callable[[ResolvedPack, dt.date], object] | None:
    """The ranking-policy compiler, when the ranking stage is installed with the package."""
    try:
        from khenthuong.ranking.policy import compile_policy
    except ImportError:  # pragma: no cover - the ranking stage ships with the package
        return None
    return compile_policy


class _Linter:
    def __init__(self, scenarios: bool) -> None:
        self.scenarios = scenarios
        self.out: list[Diagnostic] = []
        self.entries: list[_Entry] = []
        self.by_id: dict[str, _Entry] = {}
        self._outside: dict[Path, _Entry] = {}
        # Codes not trusted for the pack being linted (some of its files did not load).
        self.skip: frozenset[str] = frozenset()

    def emit(
        self,
        code: str,
        message: str,
        where: Located,
        help_: str,
        *,
        rule: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        if code not in self.skip:
            self.out.append(Diagnostic(code, message, severity, where.location(rule), help_))

    # -- reading ---------------------------------------------------------------------------

    def read(self, folder: Path) -> tuple[_Entry, list[Diagnostic]]:
        pack, diagnostics = read_pack(folder)
        entry = _Entry(folder, pack)
        for d in diagnostics:
            if d.severity is Severity.ERROR:
                file = d.location.file or ""
                kind = next((k for k in ("instruments", "parameters") if f"/{k}/" in file), "other")
                entry.failed.add(kind)
        return entry, diagnostics

    def run(self, folders: list[Path]) -> None:
        for folder in folders:
            entry, diagnostics = self.read(folder)
            self.out += diagnostics
            self.entries.append(entry)
            if entry.pack is None:
                continue
            other = self.by_id.get(entry.pack.id)
            if other is not None:
                self.emit(
                    "KT204",
                    f'pack id "{entry.pack.id}" is also used by {other.folder.as_posix()}',
                    entry.pack.where["pack"].at(("id",)),
                    "pack ids are unique: rename one pack and its folder",
                )
                continue
            self.by_id[entry.pack.id] = entry
        for entry in self.entries:
            if entry.pack is not None and self.by_id.get(entry.pack.id) is entry:
                self.lint_pack(entry, entry.pack)
        groups: dict[Path, list[LoadedPack]] = {}
        for e in self.entries:
            p = e.pack
            if p is not None and self.by_id.get(p.id) is e and p.manifest.kind == "national":
                groups.setdefault(e.folder.resolve().parent, []).append(p)
        check_chain(list(groups.values()), self.emit)

    def base(self, entry: _Entry, pack_id: str) -> _Entry | None:
        """The pack `pack_id` that `entry` extends: linted here, a sibling, or bundled."""
        hit = self.by_id.get(pack_id)
        if hit is not None:
            return hit
        for folder in (entry.folder.parent / pack_id, bundled_rules_dir() / pack_id):
            if (folder / "pack.yaml").is_file():
                key = folder.resolve()
                if key not in self._outside:
                    self._outside[key] = self.read(folder)[0]
                return self._outside[key]
        return None

    # -- one pack --------------------------------------------------------------------------

    def lint_pack(self, entry: _Entry, pack: LoadedPack) -> None:
        skip: set[str] = set()
        if "parameters" in entry.failed:
            skip |= _NEEDS_PARAMETERS
        if "instruments" in entry.failed:
            skip |= _NEEDS_INSTRUMENTS
        self.skip = frozenset(skip)
        try:
            self.lint_checks(entry, pack)
        finally:
            self.skip = frozenset()

    def lint_checks(self, entry: _Entry, pack: LoadedPack) -> None:
        self.stray_files(pack)
        m = pack.manifest
        cov_from, cov_until = m.coverage.from_, m.coverage.until
        here = pack.where["pack"]
        if cov_until is not None and cov_until < cov_from:
            self.emit(
                "KT254",
                f"coverage ends ({cov_until.isoformat()}) before it starts "
                f"({cov_from.isoformat()})",
                here.at(("coverage", "until")),
                "`until` is the last day the pack applies, on or after `from`",
            )
            return
        combos = self.combinations(entry, pack)
        instruments = set(pack.instruments)
        for base_id in m.extends:
            base = self.base(entry, base_id)
            if base is not None and base.pack is not None:
                instruments |= set(base.pack.instruments)
        first = combos[0] if combos else None
        days = boundaries(first[0].rules, first[0], first[1], first[2]) if first else []
        for rule in pack.rules:
            where = pack.where[f"rule:{rule.id}"]
            criteria = {
                c.id: pack.where[f"criterion:{rule.id}/{c.id}"]
                for c in rule.criteria
                if f"criterion:{rule.id}/{c.id}" in pack.where
            }
            spans: list[Period] = []
            if first is not None:
                spans = periods(rule, first[0], days, first[2])
            check_rule(
                rule,
                where,
                criteria,
                coverage=(cov_from, cov_until),
                instruments=instruments,
                periods=spans,
                emit=self.emit,
            )
        self.parameters(entry, pack, instruments)
        self.out += _movement_checks(pack)
        for resolved, lo, hi in combos:
            check_overrides(pack, resolved, self.emit)
            self.compile_all(entry, pack, resolved, lo, hi)
        if "instruments" not in entry.failed:
            check_award_coverage(pack, self.emit)
        if self.scenarios and not entry.broken and not self.has_errors(pack):
            self.run_scenarios(entry, pack)

    def has_errors(self, pack: LoadedPack) -> bool:
        files = _file_names(pack)
        return any(d.severity is Severity.ERROR and (d.location.file in files) for d in self.out)

    def stray_files(self, pack: LoadedPack) -> None:
        """KT256: files the loader would silently ignore (a misspelt folder, a wrong extension)."""
        root = pack.root
        known = set(_KNOWN_ENTRIES)
        for extra in EXTRA_FILES:
            known.add(extra)
        for child in sorted(root.iterdir()):
            name = child.name
            if name.startswith((".", "_")) or name.lower().startswith("readme"):
                continue
            stem = name.split(".")[0]
            ok = name in known or (
                child.is_file()
                and (stem in EXTRA_FILES or any(name.startswith(e) for e in EXTRA_FILES))
                and child.suffix in (".yaml", ".yml")
            )
            ok = ok or (child.is_file() and child.suffix == ".md")
            if not ok:
                self.stray(pack, child, "is not part of the pack format and is ignored")
                continue
            if child.is_dir() and name in ("instruments", "parameters", *EXTRA_FILES):
                for inner in sorted(child.iterdir()):
                    if inner.name.startswith((".", "_")):
                        continue
                    if inner.suffix not in (".yaml", ".yml") or not inner.is_file():
                        self.stray(pack, inner, f"is ignored: only .yaml files are read in {name}/")

    def stray(self, pack: LoadedPack, path: Path, why: str) -> None:
        rel = path.relative_to(pack.root.parent).as_posix()
        self.out.append(
            Diagnostic(
                "KT256",
                f"{path.relative_to(pack.root).as_posix()}{'/' if path.is_dir() else ''} {why}",
                Severity.WARNING,
                Location(file=rel),
                "a pack holds pack.yaml, instruments/*.yaml, parameters/*.yaml, tests/*.yaml and "
                f"{', '.join(EXTRA_FILES)} files: rename or move it",
            )
        )

    def combinations(
        self, entry: _Entry, pack: LoadedPack
    ) -> list[tuple[ResolvedPack, dt.date, dt.date | None]]:
        """The resolved packs this pack takes part in, with the dates they apply (KT258)."""
        m = pack.manifest
        here = pack.where["pack"]
        if m.kind == "national":
            if m.extends:
                self.emit(
                    "KT258",
                    "a national pack extends nothing",
                    here.at(("extends",)),
                    "remove `extends`, or make this pack `kind: provincial` with a `province`",
                )
            return self.resolve([pack], pack, m.coverage.from_, m.coverage.until)
        if m.province is None:
            self.emit(
                "KT258",
                "a provincial layer needs `province:`",
                here.at(("kind",)),
                "add `province: <slug>` (the value batches give in batch.province)",
            )
        if not m.extends:
            self.emit(
                "KT258",
                "a provincial layer needs `extends:` naming the national packs it completes",
                here.at(("kind",)),
                "add e.g. `extends: [vn-2017, vn-2024]`",
            )
        out = []
        for i, base_id in enumerate(m.extends):
            base = self.base(entry, base_id)
            where = here.at(("extends", i))
            if base is None or base.pack is None:
                self.emit(
                    "KT258",
                    f'extends "{base_id}", which is not a readable pack',
                    where,
                    "name a national pack beside this one or a bundled one",
                )
                continue
            bm = base.pack.manifest
            if bm.kind != "national":
                self.emit(
                    "KT258",
                    f'extends "{base_id}", a provincial layer',
                    where,
                    "a layer extends national packs only",
                )
                continue
            lo = max(bm.coverage.from_, m.coverage.from_)
            ends = [d for d in (bm.coverage.until, m.coverage.until) if d is not None]
            hi = min(ends) if ends else None
            if hi is not None and hi < lo:
                self.emit(
                    "KT258",
                    f'the coverage of this layer does not meet that of "{base_id}"',
                    here.at(("coverage",)),
                    "a layer applies only while the pack it extends does: correct the dates",
                )
                continue
            if base.broken:
                continue  # its own lint reports why; nothing trustworthy can be compiled
            out += self.resolve([base.pack, pack], pack, lo, hi)
        return out

    def resolve(
        self, layers: list[LoadedPack], owner: LoadedPack, lo: dt.date, hi: dt.date | None
    ) -> list[tuple[ResolvedPack, dt.date, dt.date | None]]:
        try:
            return [(resolve_layers(layers), lo, hi)]
        except PackError as exc:
            self.out += [d for d in exc.diagnostics if self.owned(d, owner)]
            return []

    @staticmethod
    def owned(d: Diagnostic, pack: LoadedPack) -> bool:
        return d.location.file is None or d.location.file in _file_names(pack)

    def compile_all(
        self,
        entry: _Entry,
        pack: LoadedPack,
        resolved: ResolvedPack,
        lo: dt.date,
        hi: dt.date | None,
    ) -> None:
        """Compile at every boundary date; keep what this pack's files cause (KT221–KT232)."""
        from khenthuong.engine.compile import compile_pack

        skip = self.skip
        policy = _policy_compiler()
        for day in boundaries(resolved.rules, resolved, lo, hi):
            try:
                compile_pack(resolved, day)
            except PackError as exc:
                self.out += [
                    d for d in exc.diagnostics if d.code not in skip and self.owned(d, pack)
                ]
            if policy is None or entry.broken:
                continue
            try:
                policy(resolved, day)
            except PackError as exc:  # the ranking policy's own codes (KT4xx)
                self.out += [d for d in exc.diagnostics if self.owned(d, pack)]

    def parameters(self, entry: _Entry, pack: LoadedPack, instruments: set[str]) -> None:
        m = pack.manifest
        used: set[str] = set()
        family = [pack]
        for other in self.entries:
            o = other.pack
            if o is not None and o is not pack and pack.id in o.manifest.extends:
                family.append(o)
        for base_id in m.extends:
            base = self.base(entry, base_id)
            if base is not None and base.pack is not None:
                family.append(base.pack)
        for member in family:
            for rule in member.rules:
                used.update(_param_names(rule.model_dump(mode="json", by_alias=True)))
            for data, _positions, _name in member.extras.values():
                used.update(_param_names(data))
        incomplete = any(
            "instruments" in e.failed for e in self.entries if e.pack in family
        ) or bool(entry.failed)
        for pid, param in pack.parameters.items():
            where = pack.where[f"param:{pid}"]
            for i, v in enumerate(param.values):
                check_source(
                    v.source,
                    where.at(("values", i, "source")),
                    instruments,
                    self.emit,
                    what=f'value of parameter "{pid}" from {v.from_.isoformat()}',
                )
                nxt = param.values[i + 1].from_ if i + 1 < len(param.values) else None
                if nxt is not None and nxt <= v.from_:
                    continue  # out of order: KT205 says so
                starts_late = m.coverage.until is not None and v.from_ > m.coverage.until
                ends_early = nxt is not None and nxt <= m.coverage.from_
                if starts_late or ends_early:
                    self.emit(
                        "KT257",
                        f'this value of parameter "{pid}" is never in force while the pack applies',
                        where.at(("values", i, "from")),
                        "correct its date, or remove it: the pack covers "
                        f"{m.coverage.from_.isoformat()}–"
                        f"{m.coverage.until.isoformat() if m.coverage.until else '…'}",
                        severity=Severity.WARNING,
                    )
            if pid not in used and not incomplete and not param.overrides:
                self.emit(
                    "KT255",
                    f'parameter "{pid}" is defined but no rule uses it',
                    where,
                    f"refer to it as {{param: {pid}}} or remove it",
                    severity=Severity.WARNING,
                )

    def run_scenarios(self, entry: _Entry, pack: LoadedPack) -> None:
        """KT259: the pack's own scenario tests, run against the pack as linted."""
        tests = sorted((pack.root / "tests").glob("*.y*ml"))
        if not tests:
            return
        from khenthuong.packs.registry import PackRegistry
        from khenthuong.scenarios import read_scenarios, run_scenario
        from khenthuong.sources import decode, load_yaml

        roots = [pack.root]
        for base_id in pack.manifest.extends:
            base = self.base(entry, base_id)
            if base is not None:
                roots.append(base.folder)
        registry = PackRegistry([*roots, bundled_rules_dir()])
        for path in tests:
            name = path.relative_to(pack.root.parent).as_posix()
            try:
                positions = load_yaml(decode(path.read_bytes(), name), name)[1]
                items = read_scenarios(path)
            except KhenthuongError as exc:
                for d in exc.diagnostics:
                    self.emit(
                        "KT259",
                        f"the scenario file cannot be read: {d.message}",
                        Located(name, (), d.location.line, d.location.column),
                        d.help or "see docs/rules.md for the scenario format",
                    )
                continue
            for i, scenario in enumerate(items):
                try:
                    problems = run_scenario(scenario, registry)
                except KhenthuongError as exc:
                    problems = [f"cannot run: {d.message}" for d in exc.diagnostics]
                except (AttributeError, KeyError, TypeError) as exc:
                    problems = [f"cannot run: malformed scenario ({exc})"]
                if problems:
                    pos = positions.find(("scenarios", i))
                    self.emit(
                        "KT259",
                        f'scenario "{scenario.name}" fails: ' + "; ".join(problems),
                        Located(
                            name,
                            ("scenarios", i),
                            pos[0] if pos else None,
                            pos[1] if pos else None,
                        ),
                        "fix the rule or, if the law was read wrongly, the scenario's expectation",
                    )


def render_text(report: LintReport, lang: str = "vi") -> str:
    """The report as text: each diagnostic as `check` prints it, then a one-line summary."""
    blocks = [d.render() for d in report.diagnostics]
    n, e, w = len(report.packs), report.errors, report.warnings
    if lang == "en":
        summary = f"{n} pack{'s' if n != 1 else ''}: " + (
            f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"
            if e or w
            else "no problems found"
        )
    else:
        summary = f"{n} bộ quy tắc: " + (
            f"{e} lỗi, {w} cảnh báo" if e or w else "không phát hiện vấn đề nào"
        )
    return "\n\n".join([*blocks, summary]) + "\n"


__all__ = ["LINT_SCHEMA", "LintReport", "find_packs", "lint", "render_text"]
