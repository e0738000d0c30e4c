"""People, collectives (units) and households, with their yearly records, as frozen pydantic models.

These mirror `shared/spec/batch-format.md`; unknown fields are rejected. Derived facts (streaks,
counts, tenure) are not stored here: see `khenthuong.model.facts`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from khenthuong.model.types import (
    FROZEN,
    AwardCode,
    Count,
    Day,
    DisciplineCode,
    Id,
    Name,
    RatingCode,
    ScopeCode,
    Text,
    Year,
    unique_tuple,
)
from khenthuong.model.vocab import (
    Area,
    Employment,
    Gender,
    InitiativeKind,
    PendingKind,
    Position,
    SanctionKind,
    UnitKind,
)

Titles = Annotated[tuple[AwardCode, ...], unique_tuple()]
Areas = Annotated[tuple[Area, ...], unique_tuple()]


class Attestations(BaseModel):
    """Qualitative criteria attested by the nominating unit; absent means not attested (unknown)."""

    model_config = FROZEN

    ethics: bool | None = Field(None, description="đạo đức, lối sống lành mạnh")
    compliance: bool | None = Field(None, description="chấp hành tốt chủ trương, chính sách")
    emulation: bool | None = Field(None, description="tích cực tham gia phong trào thi đua")
    study: bool | None = Field(None, description="tích cực học tập chính trị, chuyên môn")
    solidarity: bool | None = Field(None, description="đoàn kết, tương trợ")
    # Households (Gia đình văn hóa) and villages (thôn, tổ dân phố văn hóa); see docs/batch-format.md.
    family: bool | None = Field(
        None, description="hộ gia đình: no ấm, hòa thuận, tiến bộ, hạnh phúc, văn minh"
    )
    livelihood: bool | None = Field(
        None, description="hộ gia đình: lao động, sản xuất, học tập đạt năng suất, hiệu quả"
    )
    economy: bool | None = Field(None, description="thôn: đời sống kinh tế ổn định, phát triển")
    culture: bool | None = Field(None, description="thôn: đời sống văn hóa, tinh thần lành mạnh")
    environment: bool | None = Field(None, description="thôn: môi trường an toàn, sạch đẹp")


class PersonYear(BaseModel):
    """One year of a person's record: task rating and titles actually awarded."""

    model_config = FROZEN

    year: Year
    rating: RatingCode | None = None
    titles: Titles = ()


class Initiative(BaseModel):
    """A sáng kiến (initiative) or đề tài (research) and the scope at which it was recognised."""

    model_config = FROZEN

    id: Id
    kind: InitiativeKind = InitiativeKind.INITIATIVE
    year: Year
    scope: ScopeCode
    recognized_by: Id | None = None
    accepted: bool | None = Field(None, description="research: nghiệm thu (accepted)")
    applied: bool | None = Field(None, description="applied in practice (áp dụng)")
    title: Text | None = None


class Discipline(BaseModel):
    """A discipline decision (kỷ luật): form, date decided and date its effect ends."""

    model_config = FROZEN

    form: DisciplineCode
    decided_on: Day
    ends_on: Day | None = None

    @model_validator(mode="after")
    def _ends_after_decided(self) -> Discipline:
        if self.ends_on is not None and self.ends_on < self.decided_on:
            raise ValueError("ends_on is before decided_on")
        return self


class PendingCase(BaseModel):
    """An open investigation, review, inspection or complaint: the decision is deferred."""

    model_config = FROZEN

    kind: PendingKind
    opened_on: Day
    closed_on: Day | None = None

    @model_validator(mode="after")
    def _closes_after_opened(self) -> PendingCase:
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise ValueError("closed_on is before opened_on")
        return self


class Commendation(BaseModel):
    """A form of commendation received before (Giấy khen, Bằng khen, Huân chương…)."""

    model_config = FROZEN

    award: AwardCode
    year: Year
    decision: Text | None = None


class Person(BaseModel):
    """An individual candidate (cá nhân)."""

    model_config = FROZEN

    id: Id
    name: Name
    gender: Gender | None = None
    unit: Id | None = None
    employment: Employment | None = None
    recruited_on: Day | None = None
    position: Position | None = None
    frontline: bool | None = None
    commune: Id | None = None
    areas: Areas = ()
    history: tuple[PersonYear, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    disciplines: tuple[Discipline, ...] = ()
    pending_cases: tuple[PendingCase, ...] = ()
    commendations: tuple[Commendation, ...] = ()
    attestations: Attestations = Attestations()


class UnitYear(BaseModel):
    """One year of a collective's record, with member aggregates for unlisted members."""

    model_config = FROZEN

    year: Year
    rating: RatingCode | None = None
    titles: Titles = ()
    members_rated_htnv_or_better: Count | None = None
    members_lao_dong_tien_tien: Count | None = None
    members_chien_si_thi_dua_co_so: Count | None = None
    members_women: Count | None = None
    members_disciplined: tuple[DisciplineCode, ...] = ()
    targets: dict[Id, Decimal | bool | None] = Field(default_factory=dict)


class Unit(BaseModel):
    """A collective (tập thể): agency, school, enterprise, commune, village…"""

    model_config = FROZEN

    id: Id
    name: Name
    kind: UnitKind = UnitKind.OTHER
    parent: Id | None = None
    cluster: Id | None = None
    commune: Id | None = None
    areas: Areas = ()
    headcount: Count | None = None
    history: tuple[UnitYear, ...] = ()
    pending_cases: tuple[PendingCase, ...] = ()
    commendations: tuple[Commendation, ...] = ()
    attestations: Attestations = Attestations()


class HouseholdYear(BaseModel):
    """One year of a household's record (titles such as Gia đình văn hóa)."""

    model_config = FROZEN

    year: Year
    titles: Titles = ()


class Household(BaseModel):
    """A household (hộ gia đình), for Gia đình văn hóa and household Giấy khen."""

    model_config = FROZEN

    id: Id
    name: Name
    village: Id | None = None
    commune: Id | None = None
    areas: Areas = ()
    history: tuple[HouseholdYear, ...] = ()
    sanctions: tuple[HouseholdSanction, ...] = ()
    pending_cases: tuple[PendingCase, ...] = ()
    commendations: tuple[Commendation, ...] = ()
    attestations: Attestations = Attestations()


class HouseholdSanction(BaseModel):
    """A member's prosecution or administrative sanction that disqualifies a household (ND 86/2023)."""

    model_config = FROZEN

    kind: SanctionKind
    year: Year
    note: Text | None = None


HouseholdSanction.model_rebuild()
Household.model_rebuild()
