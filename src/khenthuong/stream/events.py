"""Typed HR events a watcher consumes: each one changes one fact of one person's record.

Events are frozen pydantic models tagged by `type`, so a feed of JSON objects parses with
`parse_event`. Vocabulary fields accept what the batch format accepts (codes, Vietnamese names,
abbreviations such as "HTXS" or "LĐTT").

    >>> parse_event({"type": "rating_recorded", "person": "P1", "year": 2021, "rating": "HTXS"})
    RatingRecorded(type='rating_recorded', person='P1', year=2021, rating=<Rating.HTXSNV: 'HTXSNV'>)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from khenthuong.model.subjects import Attestations
from khenthuong.model.types import (
    AwardCode,
    DisciplineCode,
    Id,
    Name,
    RatingCode,
    ScopeCode,
    Text,
    Year,
)
from khenthuong.model.vocab import Employment, Gender, InitiativeKind, PendingKind, Position
from khenthuong.stream.errors import StreamError, stream_error

EVENT_CONFIG = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class PersonRegistered(BaseModel):
    """A person enters the watch (or their profile is replaced: every field is set again)."""

    model_config = EVENT_CONFIG

    type: Literal["person_registered"] = "person_registered"
    person: Id
    name: Name | None = Field(None, description="display name (default: the person id)")
    gender: Gender | None = None
    unit: Id | None = None
    employment: Employment | None = None
    position: Position | None = None
    recruited_on: dt.date | None = None
    attestations: Attestations = Attestations()


class RatingRecorded(BaseModel):
    """The yearly task rating (xếp loại chất lượng) of a year, replacing any earlier one."""

    model_config = EVENT_CONFIG

    type: Literal["rating_recorded"] = "rating_recorded"
    person: Id
    year: Year
    rating: RatingCode


class TitleAwarded(BaseModel):
    """A title or form of commendation actually received in a year (a decision was signed)."""

    model_config = EVENT_CONFIG

    type: Literal["title_awarded"] = "title_awarded"
    person: Id
    year: Year
    award: AwardCode
    decision: Text | None = Field(None, description="number of the decision, e.g. 1234/QĐ-UBND")


class InitiativeRecognised(BaseModel):
    """A sáng kiến or đề tài recognised at a scope (posting the same id again replaces it)."""

    model_config = EVENT_CONFIG

    type: Literal["initiative_recognised"] = "initiative_recognised"
    person: Id
    initiative: Id
    year: Year
    scope: ScopeCode
    kind: InitiativeKind = InitiativeKind.INITIATIVE
    accepted: bool | None = Field(None, description="research: nghiệm thu (accepted)")
    applied: bool | None = Field(None, description="applied in practice (áp dụng)")
    title: Text | None = None


class DisciplineDecided(BaseModel):
    """A discipline decision (kỷ luật): its form, when it was decided and when its effect ends."""

    model_config = EVENT_CONFIG

    type: Literal["discipline_decided"] = "discipline_decided"
    person: Id
    form: DisciplineCode
    decided_on: dt.date
    ends_on: dt.date | None = None


class PendingCaseOpened(BaseModel):
    """An investigation, review, inspection, audit or complaint is opened (decisions defer)."""

    model_config = EVENT_CONFIG

    type: Literal["pending_case_opened"] = "pending_case_opened"
    person: Id
    case: Id
    kind: PendingKind
    opened_on: dt.date


class PendingCaseClosed(BaseModel):
    """A case opened earlier (same `case` id) is concluded."""

    model_config = EVENT_CONFIG

    type: Literal["pending_case_closed"] = "pending_case_closed"
    person: Id
    case: Id
    closed_on: dt.date


Event = Annotated[
    PersonRegistered
    | RatingRecorded
    | TitleAwarded
    | InitiativeRecognised
    | DisciplineDecided
    | PendingCaseOpened
    | PendingCaseClosed,
    Field(discriminator="type"),
]
EVENT_TYPES: tuple[type[BaseModel], ...] = (
    PersonRegistered,
    RatingRecorded,
    TitleAwarded,
    InitiativeRecognised,
    DisciplineDecided,
    PendingCaseOpened,
    PendingCaseClosed,
)
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Event)


def parse_event(data: Mapping[str, Any] | BaseModel) -> Event:
    """An event from a mapping tagged by `type` (as JSON feeds send them), or the event itself.

    Raises:
        StreamError: KT708 when the mapping is not a valid event.
    """
    if isinstance(data, EVENT_TYPES):
        return data  # type: ignore[return-value]
    if isinstance(data, BaseModel):
        raise stream_error(
            "KT708",
            f"{type(data).__name__} is not an event",
            "post one of: " + ", ".join(t.__name__ for t in EVENT_TYPES),
        )
    try:
        event: Event = _ADAPTER.validate_python(dict(data))
    except ValidationError as exc:
        raise invalid_event(exc, data) from None
    return event


def invalid_event(exc: ValidationError, data: Any) -> StreamError:
    """KT708 naming every field pydantic rejected."""
    kind = data.get("type") if isinstance(data, Mapping) else type(data).__name__
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'event'}: {e['msg']}" for e in exc.errors()
    )
    tags = ", ".join(str(t.model_fields["type"].default) for t in EVENT_TYPES)
    return stream_error(
        "KT708",
        f"invalid {kind or 'event'}: {problems}",
        f"an event is a mapping with `type` one of {tags} and the fields of that event",
    )


__all__ = [
    "EVENT_TYPES",
    "DisciplineDecided",
    "Event",
    "InitiativeRecognised",
    "PendingCaseClosed",
    "PendingCaseOpened",
    "PersonRegistered",
    "RatingRecorded",
    "TitleAwarded",
    "parse_event",
]
