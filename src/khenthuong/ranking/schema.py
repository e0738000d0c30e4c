"""The format of ranking policy files: `ranking*.yaml` (quotas, priorities, finding rules, clusters)
and `areas/*.yaml` (area lists). Models are frozen and reject unknown keys; docs/ranking.md describes
each field. `khenthuong.ranking.policy` reads the files of every layer and compiles them by date.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from khenthuong.errors import Severity
from khenthuong.model.vocab import Area, Award, Rating, SubjectKind
from khenthuong.packs.schema import (
    STRICT,
    Instrument,
    ParamRef,
    Ratio,
    Slug,
    Source,
    Validity,
    Whole,
)

Rounding = Literal["floor", "ceil", "half_up"]
# Accepted spellings (parameters of the national packs write `down`); the canonical name first.
ROUNDING_NAMES: dict[str, Rounding] = {
    "floor": "floor",
    "down": "floor",
    "ceil": "ceil",
    "up": "ceil",
    "half_up": "half_up",
    "nearest": "half_up",
}
RoundingName = Literal["floor", "down", "ceil", "up", "half_up", "nearest"]
ScopeKind = Literal["unit", "cluster", "province", "batch"]
KeyName = Literal["frontline", "area", "women", "rating_streak", "initiative_scope", "targets"]
# Finding codes whose check rests on a legal text: they run only where a pack declares them.
LEGAL_FINDINGS: tuple[str, ...] = ("KT411", "KT412", "KT413", "KT414", "KT415", "KT416")
LegalCode = Literal["KT411", "KT412", "KT413", "KT414", "KT415", "KT416"]


class QuotaBase(BaseModel):
    """What a ratio is applied to: the subjects of the scope holding `holders` in the judged year."""

    model_config = STRICT

    holders: Award
    subjects: SubjectKind = Field(
        SubjectKind.PERSON, description="person: individuals (members of the scope's units); unit"
    )
    aggregates: bool = Field(
        True,
        description="use a unit's declared `members_…` count when its members are not all listed",
    )


class QuotaSpec(BaseModel):
    """A cap on how many candidates of a scope may receive an award."""

    model_config = STRICT

    id: Slug
    award: Award
    scope: ScopeKind | None = None
    base: QuotaBase | None = None
    ratio: Ratio | None = None
    slots: Whole | None = Field(None, description="a fixed number of places per scope")
    rounding: RoundingName | ParamRef = "floor"
    minimum: Whole = Field(0, description="at least this many places (floor), whatever the ratio")
    uncapped: bool = Field(
        False, description="declares that no cap applies; a ratio of 1 or more means the same"
    )
    valid: Validity
    source: Source
    rounding_source: Source | None = None
    overrides: Slug | None = None
    notes: str | None = Field(None, description="shown to boards, in Vietnamese")
    notes_en: str | None = None
    uncapped_note: str | None = Field(None, description="shown when no cap applies (Vietnamese)")
    uncapped_note_en: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> QuotaSpec:
        if self.uncapped:
            if any(v is not None for v in (self.scope, self.base, self.ratio, self.slots)):
                raise ValueError("an uncapped entry has no scope, base, ratio or slots")
            return self
        if self.scope is None:
            raise ValueError("a quota needs a scope: unit, cluster, province or batch")
        if (self.slots is None) == (self.ratio is None):
            raise ValueError("a quota needs exactly one of `ratio` (with `base`) or `slots`")
        if self.ratio is not None and self.base is None:
            raise ValueError("a ratio needs a `base`")
        return self


class PriorityKeySpec(BaseModel):
    """One priority key, better first: who is favoured and the text that says so."""

    model_config = STRICT

    key: KeyName
    title: str = Field(description="the key in Vietnamese")
    title_en: str | None = None
    source: Source
    legal: bool = Field(True, description="false: a reading of merit, not a priority the law sets")
    areas: tuple[Area, ...] = tuple(Area)
    collective_share: Ratio | None = Field(
        None, description="women: share of women a collective needs (e.g. 0.7)"
    )
    at_least: Rating = Rating.HTXSNV
    within_years: Whole = 1
    awards: tuple[Award, ...] | None = Field(
        None,
        description="rank by this key only for these awards (e.g. the targets key for the Cờ "
        "thi đua); absent: for every award of the list",
    )


class PrioritySpec(BaseModel):
    """An ordered list of priority keys for some awards during a period."""

    model_config = STRICT

    id: Slug
    awards: tuple[Award, ...] | Literal["all"] = "all"
    valid: Validity
    keys: tuple[PriorityKeySpec, ...]
    overrides: Slug | None = None
    notes: str | None = None


class FindingSpec(BaseModel):
    """Enables a batch-level check that rests on a legal text, with its citation and severity."""

    model_config = STRICT

    code: LegalCode
    id: Slug
    severity: Severity
    valid: Validity
    source: Source
    overrides: Slug | None = None
    notes: str | None = None


class RankingSection(BaseModel):
    model_config = STRICT

    instruments: tuple[Instrument, ...] = Field(
        (), description="instruments cited here that the pack's instruments/ do not declare"
    )
    quotas: tuple[QuotaSpec, ...] = ()
    priorities: tuple[PrioritySpec, ...] = ()
    findings: tuple[FindingSpec, ...] = ()


class ClusterSpec(BaseModel):
    """A khối or cụm thi đua: collectives compared with one another."""

    model_config = STRICT

    id: Slug
    name: str
    kind: Literal["khoi", "cum"] = "khoi"
    group: str | None = Field(None, description="the type of block, as the decision groups them")
    members: tuple[str, ...] = ()
    confirmed: bool = Field(False, description="true only where name and members are sourced")
    notes: str | None = None


class ClusterList(BaseModel):
    """The province's blocks and clusters of emulation, from the decision that sets them."""

    model_config = STRICT

    id: Slug
    title: str
    valid: Validity
    source: Source
    structure: dict[str, int] = Field(
        default_factory=dict, description="counts by type, as the decision gives them"
    )
    members_total: int | None = None
    clusters: tuple[ClusterSpec, ...] = ()
    notes: str | None = None


class PolicyFile(BaseModel):
    """A `ranking*.yaml` file: a ranking policy, a cluster list, or both."""

    model_config = STRICT

    ranking: RankingSection | None = None
    clusters: ClusterList | None = None


class Years(BaseModel):
    model_config = STRICT
    from_: int = Field(alias="from", ge=1945, le=2100)
    until: int | None = Field(None, ge=1945, le=2100)


class Commune(BaseModel):
    model_config = STRICT
    code: str = Field(min_length=1, max_length=64)
    name: str | None = None


class AreaList(BaseModel):
    """Communes classified in an area (xã khu vực III, xã biên giới…) for a span of judged years."""

    model_config = STRICT

    id: Slug
    area: Area
    title: str
    years: Years
    source: Source
    complete: bool = Field(
        False, description="true only if every commune of the area is listed (absent → not in it)"
    )
    communes: tuple[Commune, ...] = ()
    notes: str | None = None

    def covers(self, year: int) -> bool:
        return self.years.from_ <= year and (self.years.until is None or year <= self.years.until)


class AreaFile(BaseModel):
    model_config = STRICT
    area_list: AreaList
