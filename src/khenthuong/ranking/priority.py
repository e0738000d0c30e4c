"""Priority keys: the value of each declared key for a candidate, and where it came from.

Every key gives a whole-number score, higher first. Candidates are ordered by their scores key by
key (the first key decides; the next breaks ties; …) and finally by candidate id, a documented
non-legal tie-breaker that only makes the order reproducible.

Area classification: a subject's areas are its own `areas` flags plus the areas of its `commune`
in the pack's area lists for the judged year; when these give nothing, a person takes those of
the unit they work in, and a unit those of its parent. Each area found records its source — the
flag in the batch, or the list (with its file) — so the report can say which source classified
each candidate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from khenthuong.engine.evaluate import Evaluation
from khenthuong.engine.facts import SubjectView
from khenthuong.model.movement import TargetStatus
from khenthuong.model.subjects import Household, Person, Unit, UnitYear
from khenthuong.model.vocab import (
    AREA_LABELS,
    SCOPE_ORDER,
    Area,
    Gender,
    InitiativeKind,
    SubjectKind,
    rating_at_least,
)
from khenthuong.movements.scoring import score_unit
from khenthuong.ranking.policy import CompiledKey, LocatedAreaList, RankingPlan


@dataclass(frozen=True, slots=True)
class AreaEvidence:
    """One area of a subject and the source that classified it."""

    area: Area
    via: str  # flag | list
    where: str  # the batch path of the flag, or the list's file
    list_id: str | None = None
    inherited_from: str | None = None

    def source_text(self, lang: str = "vi") -> str:
        """Which source classified it: the flag in the batch, or the list (and its file)."""
        if self.via == "flag":
            src = f"{'flag' if lang == 'en' else 'khai báo'} {self.where}"
        else:
            src = f"{'list' if lang == 'en' else 'danh sách'} {self.list_id} ({self.where})"
        if self.inherited_from:
            src += f", {'via unit' if lang == 'en' else 'theo đơn vị'} {self.inherited_from}"
        return src

    def text(self, lang: str = "vi") -> str:
        vi, en = AREA_LABELS[self.area]
        return f"{en if lang == 'en' else vi}: {self.source_text(lang)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.area.value,
            "via": self.via,
            "from": self.where,
            "list": self.list_id,
            "inherited_from": self.inherited_from,
        }


def evidence_text(evidence: Iterable[AreaEvidence], lang: str = "vi") -> str:
    """Areas grouped by the source that classified them: `biên giới, xã khu vực III (khai báo …)`."""
    groups: dict[str, list[str]] = {}
    for e in evidence:
        vi, en = AREA_LABELS[e.area]
        groups.setdefault(e.source_text(lang), []).append(en if lang == "en" else vi)
    return "; ".join(f"{', '.join(names)} ({src})" for src, names in groups.items())


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A commune code that no area list could classify for the judged year."""

    subject: str
    commune: str
    reason: str  # no_list | not_in_incomplete_list


@dataclass(frozen=True, slots=True)
class Classification:
    evidence: tuple[AreaEvidence, ...]
    unresolved: tuple[Unresolved, ...] = ()

    @property
    def areas(self) -> frozenset[Area]:
        return frozenset(e.area for e in self.evidence)


class AreaClassifier:
    """Classifies subjects by area from batch flags and the pack's area lists for the judged year."""

    def __init__(self, plan: RankingPlan, ev: Evaluation) -> None:
        self.ev = ev
        self.lists: tuple[LocatedAreaList, ...] = tuple(
            sorted(plan.area_lists, key=lambda a: (a.spec.area.value, a.spec.id))
        )
        self.by_commune: dict[str, list[LocatedAreaList]] = {}
        for located in self.lists:
            for c in located.spec.communes:
                self.by_commune.setdefault(c.code, []).append(located)
        self._memo: dict[str, Classification] = {}
        self._areas: dict[str, frozenset[Area]] = {}

    def own(self, view: SubjectView) -> Classification:
        record = view.record
        evidence = [AreaEvidence(a, "flag", f"{view.path}.areas") for a in record.areas]
        unresolved: list[Unresolved] = []
        commune = record.commune
        if commune is not None:
            hits = self.by_commune.get(commune, [])
            for located in hits:
                evidence.append(
                    AreaEvidence(located.spec.area, "list", located.file, located.spec.id)
                )
            incomplete = [a for a in self.lists if not a.spec.complete]
            if not self.lists:
                unresolved.append(Unresolved(view.id, commune, "no_list"))
            elif not hits and incomplete:
                unresolved.append(Unresolved(view.id, commune, "not_in_incomplete_list"))
        return Classification(tuple(evidence), tuple(unresolved))

    def areas_of(self, view: SubjectView) -> frozenset[Area]:
        """`classify(view).areas`, without building evidence in the common case.

        A person without a commune code is in the areas their own flags name, else in their
        unit's (whose classification is worked out once); everything else is classified in full.
        """
        record = view.record
        if view.kind is not SubjectKind.PERSON or record.commune is not None:
            return self._areas_of_classified(view)
        if record.areas:
            return frozenset(record.areas)
        unit = record.unit  # type: ignore[union-attr]
        upper = self.ev.index.subjects.get(unit) if unit else None
        return self._areas_of_classified(upper) if upper is not None else frozenset()

    def _areas_of_classified(self, view: SubjectView) -> frozenset[Area]:
        found = self._areas.get(view.id)
        if found is None:
            found = self._areas[view.id] = self.classify(view).areas
        return found

    def classify(self, view: SubjectView) -> Classification:
        done = self._memo.get(view.id)
        if done is not None:
            return done
        self._memo[view.id] = Classification(())  # guards a cycle of parents
        found = self.own(view)
        if not found.evidence:
            record = view.record
            parent = (
                record.unit
                if isinstance(record, Person)
                else record.parent
                if isinstance(record, Unit)
                else record.village
                if isinstance(record, Household)
                else None
            )
            upper = self.ev.index.subjects.get(parent) if parent else None
            if upper is not None:
                inherited = self.classify(upper)
                found = Classification(
                    tuple(
                        AreaEvidence(
                            e.area, e.via, e.where, e.list_id, e.inherited_from or upper.id
                        )
                        for e in inherited.evidence
                    ),
                    found.unresolved + inherited.unresolved,
                )
        self._memo[view.id] = found
        return found


@dataclass(frozen=True, slots=True)
class KeyValue:
    """A candidate's value on one priority key: the score ordering uses and what it shows."""

    key: str
    score: int
    value: str | int | bool | None
    evidence: tuple[AreaEvidence, ...] = ()

    def text(self, lang: str = "vi") -> str:
        if isinstance(self.value, bool):
            return (
                ("yes" if self.value else "no")
                if lang == "en"
                else ("có" if self.value else "không")
            )
        if self.value is None:
            return "?" if self.score == 0 else str(self.score)
        return str(self.value)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "score": self.score, "value": self.value}
        if self.evidence:
            out["classified_by"] = [e.to_json() for e in self.evidence]
        return out


def _women(view: SubjectView, key: CompiledKey, ev: Evaluation) -> KeyValue:
    record = view.record
    if isinstance(record, Person):
        if record.gender is None:
            return KeyValue(key.name, 0, None)
        woman = record.gender is Gender.NU
        return KeyValue(key.name, int(woman), woman)
    if not isinstance(record, Unit):
        return KeyValue(key.name, 0, None)
    need = key.collective_share if key.collective_share is not None else Decimal("0.7")
    listed = ev.index.members.get(record.id, [])
    headcount = record.headcount if record.headcount is not None else (len(listed) or None)
    if not headcount:
        return KeyValue(key.name, 0, None)
    if listed and len(listed) == headcount:
        genders = [m.record.gender for m in listed if isinstance(m.record, Person)]
        sure = sum(g is Gender.NU for g in genders)
        unknown = sum(g is None for g in genders)
    else:
        rec = view.years.get(ev.year)
        women = rec.members_women if isinstance(rec, UnitYear) else None
        if women is None:
            return KeyValue(key.name, 0, None)
        sure, unknown = women, 0
    share = f"{sure}/{headcount}" + (f" (+{unknown}?)" if unknown else "")
    if Decimal(sure) >= need * headcount:
        return KeyValue(key.name, 1, share)
    return KeyValue(key.name, 0, share if not unknown else None)


def _rating_streak(view: SubjectView, key: CompiledKey, year: int) -> KeyValue:
    run = 0
    while True:
        rec = view.years.get(year - run)
        rating = getattr(rec, "rating", None) if rec is not None else None
        if rating is None or not rating_at_least(rating, key.at_least):
            break
        run += 1
    return KeyValue(key.name, run, run)


def _initiative_scope(view: SubjectView, key: CompiledKey, year: int) -> KeyValue:
    record = view.record
    if not isinstance(record, Person):
        return KeyValue(key.name, 0, None)
    found: list[tuple[int, str, str]] = []
    for ini in record.initiatives:
        if not year - key.within_years < ini.year <= year:
            continue
        if ini.kind is InitiativeKind.RESEARCH and ini.accepted is not True:
            continue
        found.append((SCOPE_ORDER[ini.scope] + 1, ini.id, ini.scope.value))
    if not found:
        return KeyValue(key.name, 0, None)
    score, ini_id, scope = min(found, key=lambda f: (-f[0], f[1]))
    return KeyValue(key.name, score, f"{ini_id}: {scope}")


def _targets(view: SubjectView, key: CompiledKey, ev: Evaluation) -> KeyValue:
    """Targets of the batch's movement the collective exceeded in the judged year (a count)."""
    record = view.record
    if ev.movement is None or not isinstance(record, Unit):
        return KeyValue(key.name, 0, None)
    card = score_unit(ev.movement, record, ev.year)
    exceeded = card.count(TargetStatus.EXCEEDED)
    return KeyValue(key.name, exceeded, exceeded)


def key_value(
    key: CompiledKey, view: SubjectView, ev: Evaluation, areas: AreaClassifier
) -> KeyValue:
    """The value of one priority key for one candidate."""
    record = view.record
    if key.name == "frontline":
        if isinstance(record, Person):
            return KeyValue(key.name, int(record.frontline is True), record.frontline)
        return KeyValue(key.name, 0, None)
    if key.name == "area":
        found = areas.classify(view)
        hits = tuple(e for e in found.evidence if e.area in key.areas)
        value = ", ".join(sorted({e.area.value for e in hits})) or False
        return KeyValue(key.name, int(bool(hits)), value, hits)
    if key.name == "women":
        return _women(view, key, ev)
    if key.name == "rating_streak":
        return _rating_streak(view, key, ev.year)
    if key.name == "targets":
        return _targets(view, key, ev)
    return _initiative_scope(view, key, ev.year)
