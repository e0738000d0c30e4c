"""JSON Schemas of the public formats, generated from the models so that they never drift.

- `batch`: a nomination batch (spec: batch-format.md), from `khenthuong.model.batch.Batch`;
- `rules`: any rule-pack file (`pack.yaml`, `instruments/*.yaml`, `parameters/*.yaml`), from the
  models of `khenthuong.packs.schema` — editors use it to check rule files as they are typed;
- `decision`: the document `khenthuong check --format json` prints (spec: cli-and-records.md),
  from the models below, which follow `khenthuong.audit.records`. The spec says "more fields may be
  added": the document, a decision, its quota, a finding and the trace accept more fields.

The repository keeps the generated files in `schemas/`; a test fails when they differ from what
this module generates (`khenthuong schema --write schemas/` refreshes them).

Example:
    >>> schema("rules")["anyOf"][0]
    {'$ref': '#/$defs/PackFile'}
    >>> schema("batch")["required"]
    ['batch']
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from khenthuong.errors import Severity
from khenthuong.model.vocab import Award, Confidence, Outcome, SubjectKind

KINDS: tuple[str, ...] = ("batch", "decision", "rules")
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_OPEN = ConfigDict(extra="allow", frozen=True)
_CLOSED = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

Truth = bool | None
Digest = str  # "sha256:<64 hex>"
_DIGEST = Field(pattern=r"^sha256:[0-9a-f]{64}$")


class FactRecord(BaseModel):
    """One value a condition read, with its year and where in the batch it came from."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)
    name: str
    year: int | None
    value: str | int | bool | None
    from_: str = Field(alias="from", description="id-based path in the batch, or derived:…")


class ParamRecord(BaseModel):
    """A parameter value a condition used, with the date it took effect and its citation."""

    model_config = _OPEN
    name: str
    value: bool | int | str = Field(description="decimals are written as strings")
    since: dt.date
    cite: str
    confidence: Confidence
    pack: str
    delegated: bool


class ConditionTrace(BaseModel):
    """A condition as written, whether it held, and (for a predicate) the facts it read."""

    model_config = _OPEN
    holds: Truth
    condition: Any = Field(description="the condition as written in the rule file")
    op: Literal["all", "any", "not"] | None = None
    children: list[ConditionTrace] | None = None
    predicate: str | None = None
    text: str | None = None
    facts: list[FactRecord] | None = None
    params: list[ParamRecord] | None = None
    note: str | None = None


class Validity(BaseModel):
    model_config = _CLOSED
    from_: dt.date = Field(alias="from")
    until: dt.date | None


class RuleTrace(BaseModel):
    model_config = _OPEN
    id: str
    title: str
    cite: str
    confidence: Confidence
    layer: str
    discretionary: bool
    valid: Validity


class CriterionTrace(BaseModel):
    model_config = _OPEN
    id: str
    title: str
    cite: str
    text: str | None = None
    note: str | None = None
    url: str | None = None
    confidence: Confidence
    holds: Truth
    condition: ConditionTrace


class Trace(BaseModel):
    """The rule that decided, each criterion with its citation and condition tree."""

    model_config = _OPEN
    rule: RuleTrace | None
    criteria: list[CriterionTrace] | None = None
    note: str | None = None


class Reason(BaseModel):
    """One criterion's outcome: `rule` is `<rule id>/<criterion id>`."""

    model_config = _OPEN
    rule: str | None
    cite: str | None
    confidence: Confidence
    holds: Truth
    text: str | None = None


class Quota(BaseModel):
    """The quota arithmetic: `slots` = `ratio` × `base` rounded by `rounding`, or fixed `slots`
    (e.g. one Cờ thi đua per khối/cụm), where `base` and `ratio` are null."""

    model_config = _OPEN
    scope: str
    base: int | None = Field(ge=0)
    ratio: str | None = Field(description='an exact decimal, e.g. "0.15"', pattern=r"^\d+(\.\d+)?$")
    rounding: str
    slots: int = Field(ge=0)


class DecisionRecord(BaseModel):
    """One (candidate, award): outcome, selection under quota, reasons, what is missing, trace."""

    model_config = _OPEN
    candidate: str
    name: str
    kind: SubjectKind
    award: Award
    award_name: str
    year: int
    decision_date: dt.date
    outcome: Outcome
    confidence: Confidence
    deferred: bool
    selected: bool | None = Field(description="within quota after ranking; null without quota")
    rank: int | None = Field(ge=1)
    quota: Quota | None
    reasons: list[Reason]
    missing: list[str | dict[str, Any]] = Field(description="what would have to change")
    trace: Trace
    digest: Digest = _DIGEST


class Finding(BaseModel):
    """A batch-level compliance finding."""

    model_config = _OPEN
    code: str = Field(pattern=r"^KT\d{3}$")
    severity: Severity
    message: str
    candidates: list[str]


class BatchInfo(BaseModel):
    model_config = _OPEN
    id: str
    year: int
    as_of: dt.date | None = None
    decision_date: dt.date | None = None
    province: str | None = None
    digest: Digest = _DIGEST


class PackInfo(BaseModel):
    model_config = _OPEN
    id: str
    layers: list[str]
    digest: Digest = _DIGEST


TargetStatus = Literal["met", "exceeded", "missed", "not_reported", "not_applicable"]


class TargetRecord(BaseModel):
    """A target of the movement, as the directive words it, with its point in the directive."""

    model_config = _OPEN
    id: str
    text: str
    source: str
    comparison: Literal["at_least", "at_most", "below", "range", "qualitative"]
    threshold: str | None = None
    low: str | None = None
    high: str | None = None
    unit: str | None = None


class TargetResult(BaseModel):
    """One unit's result for one target: its status and the value reported (decimal as text)."""

    model_config = _OPEN
    status: TargetStatus
    value: str | bool | None


class UnitScorecard(BaseModel):
    """One unit's results against every target of the movement, keyed by target id."""

    model_config = _OPEN
    unit: str
    summary: Literal["exceeded", "met", "missed", "incomplete"]
    targets: dict[str, TargetResult]


class MovementSection(BaseModel):
    """A movement the batch names: its targets, each unit's scorecard, the khối/cụm rankings."""

    model_config = _OPEN
    id: str
    targets: list[TargetRecord]
    units: list[UnitScorecard]
    clusters: list[dict[str, Any]]


class DecisionDocument(BaseModel):
    """The document `khenthuong check --format json` prints."""

    model_config = _OPEN
    schema_: Literal["khenthuong.decisions/1"] = Field(alias="schema")
    engine: str
    lang: Literal["vi", "en"] | None = None
    batch: BatchInfo
    pack: PackInfo
    decisions: list[DecisionRecord]
    findings: list[Finding]
    movements: list[MovementSection] = Field(
        default_factory=list, description="the emulation movement the batch names, if any"
    )
    digest: Digest | None = Field(None, pattern=r"^sha256:[0-9a-f]{64}$")


def _rules_schema() -> dict[str, Any]:
    from khenthuong.packs.schema import InstrumentFile, PackFile, ParameterFile

    adapter: TypeAdapter[PackFile | InstrumentFile | ParameterFile] = TypeAdapter(
        PackFile | InstrumentFile | ParameterFile
    )
    out = adapter.json_schema(by_alias=True)
    out["title"] = "khenthuong rule-pack file"
    out["description"] = (
        "pack.yaml (`pack:`), instruments/*.yaml (`instrument:` and `rules:`) or "
        "parameters/*.yaml (`parameters:`); see docs/rules.md"
    )
    return out


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `kind`: "batch", "decision" or "rules".

    Raises:
        ValueError: for another kind.
    """
    if kind == "batch":
        from khenthuong.model.batch import Batch

        body = Batch.model_json_schema(by_alias=True)
        body["title"] = "khenthuong nomination batch"
    elif kind == "decision":
        body = DecisionDocument.model_json_schema(by_alias=True)
        body["title"] = "khenthuong decisions (check --format json)"
    elif kind == "rules":
        body = _rules_schema()
    else:
        raise ValueError(f"unknown schema {kind!r}: choose one of {', '.join(KINDS)}")
    return {"$schema": DIALECT, **body}


def schema_text(kind: str) -> str:
    """`schema(kind)` as the text committed under `schemas/<kind>.schema.json`."""
    return json.dumps(schema(kind), ensure_ascii=False, indent=2) + "\n"


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"
