"""The rule-pack file format: what a pack, an instrument file, a rule and a condition may say.

Conditions are a closed vocabulary. Each condition is a mapping with exactly one key, the
predicate's name, whose value holds its arguments:

    - rating: {at_least: HTTNV}
    - title_streak: {award: chien_si_thi_dua_co_so, years: {param: cstd_tinh_streak_years}}
    - not: {disciplined: {at_least: khien_trach}}

Numbers that come from the law are written as `{param: name}` and resolved by date.
The JSON Schema of these models is what editors use to check rule files as they are typed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from khenthuong.model.vocab import (
    Attestation,
    Award,
    Confidence,
    DisciplineForm,
    Employment,
    InitiativeKind,
    Position,
    Rating,
    SanctionKind,
    Scope,
    SubjectKind,
    UnitKind,
)

STRICT = ConfigDict(frozen=True, extra="forbid")
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=96)]
YearOffset = Annotated[int, Field(le=0, ge=-50, description="years relative to the judged year")]


class ParamRef(BaseModel):
    """A reference to a dated parameter of the pack: `{param: name}`."""

    model_config = STRICT
    param: Slug


Whole = Annotated[int, Field(ge=0, le=100)] | ParamRef
Ratio = Annotated[Decimal, Field(ge=0, le=1)] | ParamRef


class _Args(BaseModel):
    model_config = STRICT


class RatingArgs(_Args):
    """Rated at least `at_least` in the judged year (or `year` years before it)."""

    at_least: Rating
    year: YearOffset = 0


class RatingStreakArgs(_Args):
    """Rated at least `at_least` in each of `years` consecutive years ending at `ending`."""

    at_least: Rating
    years: Whole
    ending: YearOffset = 0
    since_commendation: Award | None = Field(
        None, description="the years must all come after the year this commendation was received"
    )


class TitleArgs(_Args):
    """Holds `award` in the judged year (derived) or `year` years before it (recorded)."""

    award: Award
    year: YearOffset = 0


class TitleStreakArgs(_Args):
    """Held `award` in each of `years` consecutive years ending at `ending`."""

    award: Award
    years: Whole
    ending: YearOffset = 0


class TitleCountArgs(_Args):
    """Held `award` at least `at_least` times within `within_years` years ending at `ending`."""

    award: Award
    at_least: Whole
    within_years: Whole
    ending: YearOffset = 0
    since_commendation: Award | None = None


class InitiativesArgs(_Args):
    """At least `at_least` initiatives/research of scope ≥ `scope` within the window."""

    at_least: Whole = 1
    scope: Scope = Scope.CO_SO
    kinds: tuple[InitiativeKind, ...] = (InitiativeKind.INITIATIVE, InitiativeKind.RESEARCH)
    within_years: Whole = 1
    ending: YearOffset = 0
    research_accepted: bool = Field(True, description="research must be accepted (nghiệm thu)")
    applied: bool = Field(False, description="must have been applied (áp dụng)")
    since_commendation: Award | None = None


class CommendationArgs(_Args):
    """Received `award` (in `commendations` or titles) in any earlier year, or within a window."""

    award: Award
    within_years: Whole | None = None
    ending: YearOffset = 0


class TenureArgs(_Args):
    """Employed at least `months_at_least` months at the decision date (from `recruited_on`)."""

    months_at_least: Whole


class DisciplinedArgs(_Args):
    """Disciplined at `at_least` or more severe, decided within the window."""

    at_least: DisciplineForm
    within_years: Whole = 1
    ending: YearOffset = 0


class DisciplineClockArgs(_Args):
    """Every year of the window starts after the end of any discipline (the clock restarts)."""

    years: Whole
    ending: YearOffset = 0


class NoPendingCaseArgs(_Args):
    """No investigation, review or complaint is open on the decision date (else: deferred)."""


class InSetArgs(_Args):
    in_: tuple[str, ...] = Field(alias="in", min_length=1)


class EmploymentArgs(_Args):
    in_: tuple[Employment, ...] = Field(alias="in", min_length=1)


class PositionArgs(_Args):
    in_: tuple[Position, ...] = Field(alias="in", min_length=1)


class UnitKindArgs(_Args):
    in_: tuple[UnitKind, ...] = Field(alias="in", min_length=1)


class MemberShareArgs(_Args):
    """Share of the collective's members holding `title` (or rated ≥ `rated_at_least`)."""

    title: Award | None = None
    rated_at_least: Rating | None = None
    more_than: Ratio | None = None
    at_least: Ratio | None = None


class MemberCountArgs(_Args):
    """At least `at_least` members hold `title` in the judged year."""

    title: Award
    at_least: Whole = 1


class MembersDisciplinedArgs(_Args):
    """Some member was disciplined at `at_least` or more severe in the judged year."""

    at_least: DisciplineForm


class SanctionsArgs(_Args):
    """A household member was prosecuted or sanctioned (of `kinds`) within the window."""

    kinds: tuple[SanctionKind, ...] = tuple(SanctionKind)
    within_years: Whole = 1


class EffectiveRatingArgs(_Args):
    """Rated at least `at_least` in the year, a discipline decided that year counting as KHTNV.

    Nghị định 90/2020 as amended by Nghị định 48/2023: whoever is disciplined in the year of
    assessment is rated "không hoàn thành nhiệm vụ", whatever the batch records.
    """

    at_least: Rating
    year: YearOffset = 0


class TargetsArgs(_Args):
    """The collective met the targets of the batch's emulation movement (`batch.movement`).

    `all_met_and_one_exceeded` ("hoàn thành vượt mức các chỉ tiêu"): every applicable target met
    and at least one exceeded; `all_met`: every applicable target met. Unknown without a movement.
    """

    status: Literal["all_met_and_one_exceeded", "all_met"] = "all_met_and_one_exceeded"


class UnsettledArgs(_Args):
    """A criterion the legal digest does not settle: always undetermined, with the reason."""

    reason: str = Field(min_length=1, max_length=1000, description="why, in Vietnamese")
    reason_en: str | None = Field(None, max_length=1000, description="why, in English")


class AllOf(BaseModel):
    model_config = STRICT
    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(BaseModel):
    model_config = STRICT
    any: tuple[Condition, ...] = Field(min_length=1)


class NotOf(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    not_: Condition = Field(alias="not")


class RatingCondition(BaseModel):
    model_config = STRICT
    rating: RatingArgs


class RatingStreakCondition(BaseModel):
    model_config = STRICT
    rating_streak: RatingStreakArgs


class TitleCondition(BaseModel):
    model_config = STRICT
    title: TitleArgs


class TitleStreakCondition(BaseModel):
    model_config = STRICT
    title_streak: TitleStreakArgs


class TitleCountCondition(BaseModel):
    model_config = STRICT
    title_count: TitleCountArgs


class InitiativesCondition(BaseModel):
    model_config = STRICT
    initiatives: InitiativesArgs


class CommendationCondition(BaseModel):
    model_config = STRICT
    commendation: CommendationArgs


class TenureCondition(BaseModel):
    model_config = STRICT
    tenure: TenureArgs


class DisciplinedCondition(BaseModel):
    model_config = STRICT
    disciplined: DisciplinedArgs


class DisciplineClockCondition(BaseModel):
    model_config = STRICT
    discipline_clock: DisciplineClockArgs


class NoPendingCaseCondition(BaseModel):
    model_config = STRICT
    no_pending_case: NoPendingCaseArgs


class EmploymentCondition(BaseModel):
    model_config = STRICT
    employment: EmploymentArgs


class PositionCondition(BaseModel):
    model_config = STRICT
    position: PositionArgs


class UnitKindCondition(BaseModel):
    model_config = STRICT
    unit_kind: UnitKindArgs


class MemberShareCondition(BaseModel):
    model_config = STRICT
    member_share: MemberShareArgs


class MemberCountCondition(BaseModel):
    model_config = STRICT
    member_count: MemberCountArgs


class MembersDisciplinedCondition(BaseModel):
    model_config = STRICT
    members_disciplined: MembersDisciplinedArgs


class SanctionsCondition(BaseModel):
    model_config = STRICT
    sanctions: SanctionsArgs


class EffectiveRatingCondition(BaseModel):
    model_config = STRICT
    effective_rating: EffectiveRatingArgs


class UnsettledCondition(BaseModel):
    model_config = STRICT
    unsettled: UnsettledArgs


class TargetsCondition(BaseModel):
    model_config = STRICT
    targets: TargetsArgs


# The closed vocabulary: predicate name → argument model.
PREDICATE_ARGS: dict[str, type[BaseModel]] = {
    "rating": RatingArgs,
    "rating_streak": RatingStreakArgs,
    "title": TitleArgs,
    "title_streak": TitleStreakArgs,
    "title_count": TitleCountArgs,
    "initiatives": InitiativesArgs,
    "commendation": CommendationArgs,
    "tenure": TenureArgs,
    "disciplined": DisciplinedArgs,
    "discipline_clock": DisciplineClockArgs,
    "no_pending_case": NoPendingCaseArgs,
    "employment": EmploymentArgs,
    "position": PositionArgs,
    "unit_kind": UnitKindArgs,
    "member_share": MemberShareArgs,
    "member_count": MemberCountArgs,
    "members_disciplined": MembersDisciplinedArgs,
    "sanctions": SanctionsArgs,
    "effective_rating": EffectiveRatingArgs,
    "unsettled": UnsettledArgs,
    "targets": TargetsArgs,
}
PREDICATE_MODELS: dict[str, type[BaseModel]] = {
    "rating": RatingCondition,
    "rating_streak": RatingStreakCondition,
    "title": TitleCondition,
    "title_streak": TitleStreakCondition,
    "title_count": TitleCountCondition,
    "initiatives": InitiativesCondition,
    "commendation": CommendationCondition,
    "tenure": TenureCondition,
    "disciplined": DisciplinedCondition,
    "discipline_clock": DisciplineClockCondition,
    "no_pending_case": NoPendingCaseCondition,
    "employment": EmploymentCondition,
    "position": PositionCondition,
    "unit_kind": UnitKindCondition,
    "member_share": MemberShareCondition,
    "member_count": MemberCountCondition,
    "members_disciplined": MembersDisciplinedCondition,
    "sanctions": SanctionsCondition,
    "effective_rating": EffectiveRatingCondition,
    "unsettled": UnsettledCondition,
    "targets": TargetsCondition,
}


class AttestedCondition(BaseModel):
    """The nominating unit attests this qualitative criterion (missing → undetermined)."""

    model_config = STRICT
    attested: Attestation


COMBINATORS = ("all", "any", "not")
CONDITION_NAMES: tuple[str, ...] = (*COMBINATORS, "attested", *PREDICATE_ARGS)


def condition_tag(value: Any) -> str | None:
    """The predicate name of a condition mapping (its single key), for the tagged union."""
    if isinstance(value, dict):
        keys = list(value)
        if len(keys) == 1 and keys[0] in CONDITION_NAMES:
            return str(keys[0])
        return None
    if isinstance(value, BaseModel):
        for name in CONDITION_NAMES:
            if name in type(value).model_fields or (name == "not" and isinstance(value, NotOf)):
                return name
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[AttestedCondition, Tag("attested")]
    | Annotated[RatingCondition, Tag("rating")]
    | Annotated[RatingStreakCondition, Tag("rating_streak")]
    | Annotated[TitleCondition, Tag("title")]
    | Annotated[TitleStreakCondition, Tag("title_streak")]
    | Annotated[TitleCountCondition, Tag("title_count")]
    | Annotated[InitiativesCondition, Tag("initiatives")]
    | Annotated[CommendationCondition, Tag("commendation")]
    | Annotated[TenureCondition, Tag("tenure")]
    | Annotated[DisciplinedCondition, Tag("disciplined")]
    | Annotated[DisciplineClockCondition, Tag("discipline_clock")]
    | Annotated[NoPendingCaseCondition, Tag("no_pending_case")]
    | Annotated[EmploymentCondition, Tag("employment")]
    | Annotated[PositionCondition, Tag("position")]
    | Annotated[UnitKindCondition, Tag("unit_kind")]
    | Annotated[MemberShareCondition, Tag("member_share")]
    | Annotated[MemberCountCondition, Tag("member_count")]
    | Annotated[MembersDisciplinedCondition, Tag("members_disciplined")]
    | Annotated[SanctionsCondition, Tag("sanctions")]
    | Annotated[EffectiveRatingCondition, Tag("effective_rating")]
    | Annotated[UnsettledCondition, Tag("unsettled")]
    | Annotated[TargetsCondition, Tag("targets")],
    Discriminator(
        condition_tag,
        custom_error_type="unknown_condition",
        custom_error_message="a condition must have exactly one key naming a predicate",
    ),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Source(BaseModel):
    """The legal source a rule or criterion implements, with the digest's confidence mark."""

    model_config = STRICT

    instrument: Slug = Field(description="id of an instrument declared in the pack")
    article: Annotated[int, Field(ge=1)] | None = None
    clause: Annotated[int, Field(ge=1)] | None = None
    point: Annotated[str, Field(max_length=4)] | None = None
    text: str | None = Field(None, description="the verbatim passage, in Vietnamese")
    url: str | None = None
    confidence: Confidence
    note: str | None = None


class Validity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    from_: dt.date = Field(alias="from")
    until: dt.date | None = None


class Criterion(BaseModel):
    """One legal criterion of a rule: its condition and the passage it implements."""

    model_config = STRICT

    id: Slug
    title: str = Field(description="the criterion in Vietnamese")
    title_en: str | None = None
    source: Source
    when: Condition


class Rule(BaseModel):
    """A rule grants an award when all its criteria hold, during its validity period."""

    model_config = STRICT

    id: Slug
    award: Award
    subject: SubjectKind
    title: str
    valid: Validity
    source: Source
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    overrides: Slug | None = None
    archived: bool = False
    discretionary: bool = Field(
        False, description="the law says 'được lựa chọn': eligible means eligible to be proposed"
    )
    notes: str | None = None


class Instrument(BaseModel):
    """A legal instrument (law, decree, circular, provincial decision)."""

    model_config = STRICT

    id: Slug
    title: str
    short: str | None = None
    signed: dt.date | None = None
    effective: dt.date | None = None
    until: dt.date | None = None
    url: str | None = None
    confidence: Confidence = Confidence.SEEN


class InstrumentFile(BaseModel):
    """`instruments/<slug>.yaml`: one instrument and the rules resting on it."""

    model_config = STRICT

    instrument: Instrument
    rules: tuple[Rule, ...] = ()


ParamValue = bool | int | Decimal | str


class DatedValue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    from_: dt.date = Field(alias="from")
    value: ParamValue
    source: Source


class Parameter(BaseModel):
    """A legal number with its values by effective date, each cited."""

    model_config = STRICT

    id: Slug
    title: str
    unit: str | None = None
    delegated: bool = Field(False, description="the law leaves this number to provinces")
    overrides: bool = Field(False, description="a layer replacing the base pack's values")
    values: tuple[DatedValue, ...] = Field(min_length=1)


class ParameterFile(BaseModel):
    model_config = STRICT
    parameters: tuple[Parameter, ...]


class Coverage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    from_: dt.date = Field(alias="from")
    until: dt.date | None = None


class PackManifest(BaseModel):
    """`pack.yaml`: identity, coverage and what the pack extends."""

    model_config = STRICT

    id: Slug
    title: str
    version: str
    kind: Literal["national", "provincial"] = "national"
    extends: tuple[Slug, ...] = ()
    province: Slug | None = None
    coverage: Coverage
    description: str | None = None


class PackFile(BaseModel):
    model_config = STRICT
    pack: PackManifest
