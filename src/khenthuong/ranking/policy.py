"""The ranking policy of a pack: quotas, priority keys, finding rules, clusters and area lists.

A pack declares its policy in `ranking.yaml` (and any `ranking/*.yaml`) and its area lists in
`areas/*.yaml`. Provincial layers add to the national policy and replace parts of it only where they
say so (`overrides: <id>`), as rules do. `compile_policy(pack, day)` selects what is in force on a
date, resolves `{param: …}` references and checks citations, returning a `RankingPlan`.

    ranking:
      quotas:
        - id: vn-2017.cstdcs
          award: chien_si_thi_dua_co_so
          scope: unit                      # unit | cluster | province | batch
          base: {holders: lao_dong_tien_tien}
          ratio: "0.15"                    # or {param: name}
          rounding: floor                  # floor | ceil | half_up (or {param: name})
          minimum: 0
          valid: {from: 2017-10-01, until: 2023-12-31}
          source: {instrument: nd-91-2017, article: 9, clause: 3, confidence: seen}
      priorities:
        - id: vn-2017.default
          awards: all
          valid: {from: 2017-10-01, until: 2023-12-31}
          keys:
            - {key: frontline, title: "…", source: {…}}
      findings:
        - {code: KT413, id: vn-2017.two-state-forms, severity: error, valid: {…}, source: {…}}
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from khenthuong.errors import Diagnostic, Location, PackError, Severity
from khenthuong.model.types import suggest
from khenthuong.model.vocab import CONFIDENCE_ORDER, Area, Award, Confidence, Rating
from khenthuong.packs.loader import validation_diagnostics
from khenthuong.packs.registry import ParamBinding, ResolvedPack
from khenthuong.packs.schema import Instrument, ParamRef, Source, Validity
from khenthuong.ranking.schema import (
    ROUNDING_NAMES,
    AreaFile,
    AreaList,
    ClusterList,
    FindingSpec,
    KeyName,
    PolicyFile,
    PriorityKeySpec,
    PrioritySpec,
    QuotaBase,
    QuotaSpec,
    Rounding,
    ScopeKind,
)
from khenthuong.sources import Positions

# --------------------------------------------------------------------------- compiled policy


@dataclass(frozen=True, slots=True)
class Cited:
    """A citation in legal form with its confidence and the verbatim text, if any."""

    cite: str
    confidence: Confidence
    text: str | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "cite": self.cite,
            "confidence": self.confidence.value,
            "text": self.text,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class CompiledQuota:
    id: str
    award: Award
    layer: str
    scope: ScopeKind | None
    base: QuotaBase | None
    ratio: Decimal | None
    slots: int | None
    rounding: Rounding
    minimum: int
    uncapped: bool
    source: Cited
    rounding_source: Cited | None
    params: tuple[ParamBinding, ...]
    notes: str | None
    notes_en: str | None = None
    uncapped_note: str | None = None
    uncapped_note_en: str | None = None
    rounding_params: tuple[ParamBinding, ...] = ()

    def note(self, lang: str = "vi") -> str | None:
        """What boards read about this quota (the "no cap" note when no cap applies)."""
        vi, en = (
            (self.uncapped_note, self.uncapped_note_en)
            if self.uncapped and self.uncapped_note
            else (self.notes, self.notes_en)
        )
        return en if lang == "en" and en else vi

    def marks(self, rounding_matters: bool = True) -> Confidence:
        """The weakest mark among the sources the places rest on (the rounding's only if it
        changed the result)."""
        marks = [self.source.confidence]
        marks += [p.source.confidence for p in self.params]
        if self.ratio is not None and rounding_matters:
            if self.rounding_source is not None:
                marks.append(self.rounding_source.confidence)
            marks += [p.source.confidence for p in self.rounding_params]
        return max(marks, key=CONFIDENCE_ORDER.__getitem__)

    def params_json(self) -> list[dict[str, Any]]:
        return [
            {
                "name": p.id,
                "value": str(p.value),
                "since": p.since.isoformat(),
                "pack": p.pack,
                "delegated": p.delegated,
                "confidence": p.source.confidence.value,
                "note": p.source.note,
            }
            for p in (*self.params, *self.rounding_params)
        ]

    @property
    def confidence(self) -> Confidence:
        return self.marks()


@dataclass(frozen=True, slots=True)
class CompiledKey:
    name: KeyName
    title: str
    title_en: str | None
    source: Cited
    legal: bool
    areas: frozenset[Area]
    collective_share: Decimal | None
    at_least: Rating
    within_years: int
    params: tuple[ParamBinding, ...] = ()
    awards: frozenset[Award] | None = None  # None: the key ranks every award of its list

    def label(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title


@dataclass(frozen=True, slots=True)
class CompiledPriority:
    id: str
    layer: str
    keys: tuple[CompiledKey, ...]
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledFinding:
    code: str
    id: str
    layer: str
    severity: Severity
    source: Cited


@dataclass(frozen=True, slots=True)
class LocatedAreaList:
    spec: AreaList
    file: str
    layer: str
    source: Cited


@dataclass(frozen=True, slots=True)
class RankingPlan:
    """The ranking policy in force on one date."""

    date: dt.date
    quotas: dict[Award, CompiledQuota]
    priorities: dict[Award, CompiledPriority]
    findings: dict[str, CompiledFinding]
    clusters: ClusterList | None
    cluster_source: Cited | None
    area_lists: tuple[LocatedAreaList, ...]
    instruments: dict[str, Instrument] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.date.year

    def priority_for(self, award: Award) -> CompiledPriority:
        return self.priorities.get(award) or CompiledPriority("none", "", ())


# --------------------------------------------------------------------------- loading


@dataclass(slots=True)
class _Item:
    """A policy entry with the layer and file it came from, and where in the file it is."""

    spec: Any
    layer: str
    file: str
    where: tuple[str | int, ...]
    positions: Positions

    def sub(self, *parts: str | int) -> _Item:
        """The same entry, pointing at one of its fields (for the diagnostic's position)."""
        return _Item(self.spec, self.layer, self.file, (*self.where, *parts), self.positions)

    def location(self) -> Location:
        hit = self.positions.find(self.where)
        dotted = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.where)
        return Location(
            file=self.file,
            line=hit[0] if hit else None,
            column=hit[1] if hit else None,
            path=dotted,
            rule=getattr(self.spec, "id", None),
        )


@dataclass(slots=True)
class _Collected:
    instruments: dict[str, Instrument] = field(default_factory=dict)
    quotas: list[_Item] = field(default_factory=list)
    priorities: list[_Item] = field(default_factory=list)
    findings: list[_Item] = field(default_factory=list)
    clusters: list[_Item] = field(default_factory=list)
    areas: list[_Item] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _model_at(model: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model that holds the last key of `path` inside `model` (None if not a model)."""
    current: type[BaseModel] | None = model
    for part in path[:-1]:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            info = next((f for f in current.model_fields.values() if f.alias == part), None)
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _suggest_keys(model: type[BaseModel], diag: Diagnostic) -> Diagnostic:
    """Add "did you mean" and the allowed keys to an unknown-key diagnostic of a policy file."""
    path = diag.location.path or ""
    if diag.code != "KT212" or not path.startswith("$"):
        return diag
    parts: list[str | int] = [
        int(index) if index else key for key, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path)
    ]
    holder = _model_at(model, tuple(parts))
    if holder is None:
        return diag
    allowed = [f.alias or n for n, f in holder.model_fields.items()]
    key = str(parts[-1])
    return Diagnostic(
        diag.code,
        f'unknown key "{key}"{suggest(key, allowed)}',
        diag.severity,
        diag.location,
        "allowed here: " + ", ".join(allowed),
    )


def _validate(model: type[BaseModel], data: Any, positions: Positions, name: str) -> Any:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        diags = [
            _suggest_keys(model, d) for d in validation_diagnostics(exc, name, positions.find, data)
        ]
        raise PackError(
            [Diagnostic("KT400", d.message, d.severity, d.location, d.help) for d in diags]
        ) from None


def _collect(pack: ResolvedPack) -> _Collected:
    out = _Collected()
    for layer in pack.layers:
        for rel, extra in sorted(layer.extras.items()):
            data, positions, name = extra
            is_area = rel.startswith("areas")
            if not (rel.startswith("ranking") or is_area):
                continue
            try:
                parsed = _validate(AreaFile if is_area else PolicyFile, data, positions, name)
            except PackError as exc:
                out.diagnostics += exc.diagnostics
                continue

            def item(
                spec: Any,
                path: tuple[str | int, ...],
                pos: Positions = positions,
                layer_id: str = layer.id,
                name: str = name,
            ) -> _Item:
                return _Item(spec, layer_id, name, path, pos)

            if isinstance(parsed, AreaFile):
                out.areas.append(item(parsed.area_list, ("area_list",)))
                continue
            if parsed.clusters is not None:
                out.clusters.append(item(parsed.clusters, ("clusters",)))
            section = parsed.ranking
            if section is None:
                continue
            for inst in section.instruments:
                out.instruments.setdefault(inst.id, inst)
            for i, q in enumerate(section.quotas):
                out.quotas.append(item(q, ("ranking", "quotas", i)))
            for i, p in enumerate(section.priorities):
                out.priorities.append(item(p, ("ranking", "priorities", i)))
            for i, f in enumerate(section.findings):
                out.findings.append(item(f, ("ranking", "findings", i)))
    return out


def _diag(code: str, message: str, it: _Item, help_: str) -> Diagnostic:
    return Diagnostic(code, message, location=it.location(), help=help_)


def _in_force(valid: Validity, day: dt.date) -> bool:
    return valid.from_ <= day and (valid.until is None or day <= valid.until)


def _select(items: list[_Item], day: dt.date, what: str, diags: list[Diagnostic]) -> list[_Item]:
    """Entries in force on `day`, without those another entry in force overrides by id."""
    ids: dict[str, _Item] = {}
    for it in items:
        first = ids.get(it.spec.id)
        if first is not None:
            diags.append(
                _diag(
                    "KT404",
                    f'{what} id "{it.spec.id}" is declared twice (first in {first.file})',
                    it,
                    "ids are stable and unique across layers: give this entry its own id and "
                    "`overrides:` the one it replaces",
                )
            )
        ids.setdefault(it.spec.id, it)
    active = [it for it in items if _in_force(it.spec.valid, day)]
    for it in active:  # a layer over two national packs may name an entry of the other one
        target = it.spec.overrides
        if target is not None and target not in ids:
            diags.append(
                _diag(
                    "KT404",
                    f'{what} "{it.spec.id}" overrides "{target}", which does not exist',
                    it.sub("overrides"),
                    "name the id of the entry this one replaces: " + ", ".join(sorted(ids)),
                )
            )
    replaced = {it.spec.overrides for it in active if it.spec.overrides}
    return [it for it in active if it.spec.id not in replaced]


class _Compiler:
    def __init__(self, pack: ResolvedPack, day: dt.date, collected: _Collected) -> None:
        self.pack = pack
        self.day = day
        self.diags = collected.diagnostics
        self.instruments = dict(collected.instruments)
        self.instruments.update(pack.instruments)

    def cited(self, source: Source, it: _Item) -> Cited:
        inst = self.instruments.get(source.instrument)
        if inst is None:
            known = sorted(self.instruments)
            self.diags.append(
                _diag(
                    "KT403",
                    f'unknown instrument "{source.instrument}"{suggest(source.instrument, known)}',
                    it,
                    "declare it in instruments/ or under `ranking: instruments:`",
                )
            )
        parts = [(inst.short or inst.title) if inst else source.instrument]
        if source.article is not None:
            parts.append(f"Điều {source.article}")
        if source.clause is not None:
            parts.append(f"khoản {source.clause}")
        if source.point is not None:
            parts.append(f"điểm {source.point}")
        return Cited(", ".join(parts), source.confidence, source.text, source.note)

    def param(self, ref: ParamRef, it: _Item, used: list[ParamBinding]) -> Any:
        binding = self.pack.param(ref.param, self.day)
        if binding is None:
            known = ref.param in self.pack.parameters
            self.diags.append(
                _diag(
                    "KT402",
                    f'parameter "{ref.param}" '
                    + (
                        f"has no value in force on {self.day.isoformat()}"
                        if known
                        else "is not defined by any layer"
                    ),
                    it,
                    "add a dated value under parameters/ or correct the name",
                )
            )
            return None
        used.append(binding)
        return binding.value

    def ratio(
        self, value: Decimal | ParamRef | None, it: _Item, used: list[ParamBinding]
    ) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        raw = self.param(value, it, used)
        if raw is None:
            return None
        if isinstance(raw, str):
            with contextlib.suppress(ArithmeticError):
                raw = Decimal(raw)
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal) or not 0 <= raw <= 1:
            self.diags.append(
                _diag(
                    "KT402",
                    f'parameter "{value.param}" is {raw!r}, not a ratio between 0 and 1',
                    it,
                    "",
                )
            )
            return None
        return Decimal(raw)

    def whole(
        self, value: int | ParamRef | None, it: _Item, used: list[ParamBinding]
    ) -> int | None:
        if value is None or isinstance(value, int):
            return value
        raw = self.param(value, it, used)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            self.diags.append(
                _diag("KT402", f'parameter "{value.param}" is {raw!r}, not a whole number', it, "")
            )
            return None
        return raw

    def rounding(self, value: str | ParamRef, it: _Item, used: list[ParamBinding]) -> Rounding:
        raw: Any = value
        if isinstance(value, ParamRef):
            raw = self.param(value, it, used)
        chosen = ROUNDING_NAMES.get(raw) if isinstance(raw, str) else None
        if chosen is None:
            if raw is not None:
                self.diags.append(
                    _diag(
                        "KT402",
                        f"rounding {raw!r} is not one of: {', '.join(ROUNDING_NAMES)}",
                        it,
                        "use floor (down), ceil (up) or half_up (nearest)",
                    )
                )
            return "floor"
        return chosen

    def quota(self, it: _Item) -> CompiledQuota:
        q: QuotaSpec = it.spec
        used: list[ParamBinding] = []
        rounding_used: list[ParamBinding] = []
        ratio = self.ratio(q.ratio, it.sub("ratio"), used)
        return CompiledQuota(
            id=q.id,
            award=q.award,
            layer=it.layer,
            scope=q.scope,
            base=q.base,
            ratio=ratio,
            slots=self.whole(q.slots, it.sub("slots"), used),
            rounding=self.rounding(q.rounding, it.sub("rounding"), rounding_used),
            minimum=self.whole(q.minimum, it.sub("minimum"), used) or 0,
            # A ratio of 1 or more cannot cap anything: packs use 1 for "no cap" (delegated numbers).
            uncapped=q.uncapped or (ratio is not None and ratio >= 1),
            source=self.cited(q.source, it.sub("source", "instrument")),
            rounding_source=(
                self.cited(q.rounding_source, it.sub("rounding_source", "instrument"))
                if q.rounding_source
                else None
            ),
            params=tuple(used),
            notes=q.notes,
            notes_en=q.notes_en,
            uncapped_note=q.uncapped_note,
            uncapped_note_en=q.uncapped_note_en,
            rounding_params=tuple(rounding_used),
        )

    def key(self, k: PriorityKeySpec, it: _Item) -> CompiledKey:
        used: list[ParamBinding] = []
        share = self.ratio(k.collective_share, it.sub("collective_share"), used)
        if k.key == "women" and share is None:
            share = Decimal("0.7")
        return CompiledKey(
            name=k.key,
            title=k.title,
            title_en=k.title_en,
            source=self.cited(k.source, it.sub("source", "instrument")),
            legal=k.legal,
            areas=frozenset(k.areas),
            collective_share=share,
            at_least=k.at_least,
            within_years=self.whole(k.within_years, it.sub("within_years"), used) or 1,
            params=tuple(used),
            awards=frozenset(k.awards) if k.awards is not None else None,
        )


def _per_award(
    items: list[_Item], awards_of: Any, what: str, day: dt.date, diags: list[Diagnostic]
) -> dict[Award, _Item]:
    out: dict[Award, _Item] = {}
    for it in items:
        for award in awards_of(it.spec):
            first = out.get(award)
            if first is not None:
                diags.append(
                    _diag(
                        "KT401",
                        f'{what}s "{first.spec.id}" ({first.layer}) and "{it.spec.id}" ({it.layer}) '
                        f"both apply to {award.value} on {day.isoformat()} with no declared precedence",
                        it,
                        f"declare `overrides: {first.spec.id}` on the one that prevails, or make "
                        "their validity periods not overlap",
                    )
                )
                continue
            out[award] = it
    return out


def _awards(spec: PrioritySpec) -> Iterable[Award]:
    return tuple(Award) if spec.awards == "all" else spec.awards


def compile_policy(pack: ResolvedPack, day: dt.date) -> RankingPlan:
    """The ranking policy of `pack` in force on `day`; PackError lists every problem found.

    Example:
        >>> import datetime as dt
        >>> from khenthuong.packs.registry import PackRegistry
        >>> plan = compile_policy(PackRegistry().resolve("vn-2017"), dt.date(2021, 12, 15))
        >>> quota = plan.quotas[Award.CHIEN_SI_THI_DUA_CO_SO]
        >>> quota.ratio, quota.rounding, quota.source.cite
        (Decimal('0.15'), 'floor', 'Nghị định 91/2017/NĐ-CP, Điều 9, khoản 3')
    """
    collected = _collect(pack)
    comp = _Compiler(pack, day, collected)
    diags = collected.diagnostics
    quotas_in_force = _select(collected.quotas, day, "quota", diags)
    priorities_in_force = _select(collected.priorities, day, "priority list", diags)
    findings_in_force = _select(collected.findings, day, "finding rule", diags)
    quotas = {
        award: comp.quota(it)
        for award, it in _per_award(
            quotas_in_force, lambda s: (s.award,), "quota", day, diags
        ).items()
    }
    priorities = {
        award: CompiledPriority(
            it.spec.id,
            it.layer,
            tuple(
                comp.key(k, it.sub("keys", j))
                for j, k in enumerate(it.spec.keys)
                if k.awards is None or award in k.awards  # a key for some awards only
            ),
            it.spec.notes,
        )
        for award, it in _per_award(
            priorities_in_force, _awards, "priority list", day, diags
        ).items()
    }
    findings: dict[str, CompiledFinding] = {}
    for it in findings_in_force:
        f: FindingSpec = it.spec
        if f.code in findings:
            diags.append(
                _diag(
                    "KT401",
                    f"two finding rules for {f.code} apply on {day.isoformat()} with no declared "
                    "precedence",
                    it,
                    f"declare `overrides: {findings[f.code].id}` on the one that prevails",
                )
            )
            continue
        findings[f.code] = CompiledFinding(
            f.code, f.id, it.layer, f.severity, comp.cited(f.source, it.sub("source", "instrument"))
        )
    clusters_in_force = [it for it in collected.clusters if _in_force(it.spec.valid, day)]
    if len(clusters_in_force) > 1:
        diags.append(
            _diag(
                "KT401",
                f"cluster lists {', '.join(it.spec.id for it in clusters_in_force)} are all in force "
                f"on {day.isoformat()}",
                clusters_in_force[1],
                "keep one list of khối/cụm per period: close the older one with `valid.until`",
            )
        )
    cluster_item = clusters_in_force[0] if clusters_in_force else None
    cluster_source = (
        comp.cited(cluster_item.spec.source, cluster_item.sub("source", "instrument"))
        if cluster_item
        else None
    )
    area_lists = tuple(
        LocatedAreaList(
            it.spec, it.file, it.layer, comp.cited(it.spec.source, it.sub("source", "instrument"))
        )
        for it in collected.areas
        if it.spec.covers(day.year)
    )
    errors = [d for d in diags if d.severity is Severity.ERROR]
    if errors:
        raise PackError(errors)
    return RankingPlan(
        date=day,
        quotas=quotas,
        priorities=priorities,
        findings=findings,
        clusters=cluster_item.spec if cluster_item else None,
        cluster_source=cluster_source,
        area_lists=area_lists,
        instruments=comp.instruments,
    )
