"""Emulation movements (phong trào thi đua), their numeric targets (chỉ tiêu) and clusters (cụm, khối).

A movement is data published by an issuer (e.g. Chỉ thị 01/CT-UBND of Cao Bằng, 18/01/2021). Each
target points at its place in the directive; units report their result for a target per year in
`UnitYear.targets`, keyed by the target id.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from khenthuong.model.types import FROZEN, Id, Name, Text
from khenthuong.model.vocab import UnitKind


class Comparison(StrEnum):
    """How a reported value is compared with the target."""

    AT_LEAST = "at_least"  # ≥ threshold ("… trở lên", "đạt …", "duy trì …")
    AT_MOST = "at_most"  # ≤ threshold
    BELOW = "below"  # < threshold ("dưới …")
    RANGE = "range"  # within [low, high]; above high is exceeded ("tăng 7,5 - 8%")
    QUALITATIVE = "qualitative"  # attested true/false ("Xây dựng Đảng … vững mạnh")


class TargetStatus(StrEnum):
    MET = "met"
    EXCEEDED = "exceeded"
    MISSED = "missed"
    NOT_REPORTED = "not_reported"
    NOT_APPLICABLE = "not_applicable"


class Target(BaseModel):
    """One numeric or qualitative target of a movement."""

    model_config = FROZEN

    id: Id
    text: Text = Field(description="the target as written in the directive")
    metric: Text
    unit: Text | None = Field(None, description="unit of measure, e.g. %, tỷ đồng")
    comparison: Comparison
    threshold: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    weight: Decimal | None = None
    source: Text = Field(description="the point of the directive, e.g. 'Mục II, điểm 3'")
    applies_to: tuple[UnitKind, ...] = Field(
        (), description="unit kinds that report this target; empty = every unit"
    )
    parent: Id | None = Field(None, description="the target this one details (sub-target)")

    @model_validator(mode="after")
    def _bounds(self) -> Target:
        if self.comparison is Comparison.RANGE:
            if self.low is None or self.high is None or self.low > self.high:
                raise ValueError("a range target needs low ≤ high")
        elif self.comparison is not Comparison.QUALITATIVE and self.threshold is None:
            raise ValueError(f"a {self.comparison.value} target needs a threshold")
        return self


class Cluster(BaseModel):
    """A cụm or khối thi đua: collectives compared with one another for the Cờ thi đua."""

    model_config = FROZEN

    id: Id
    name: Name
    kind: Annotated[str, Field(pattern=r"^(cum|khoi)$")] = "khoi"
    members: tuple[Id, ...] = ()
    source: Text | None = None
    confirmed: bool = Field(True, description="false where names or members could not be sourced")


class Movement(BaseModel):
    """A movement: its identity, period, targets and the clusters it is run in."""

    model_config = FROZEN

    id: Id
    title: Name
    theme: Text | None = None
    issuer: Name
    decision: Text = Field(description="number of the launching decision, e.g. 01/CT-UBND")
    decided_on: dt.date
    period_from: dt.date
    period_until: dt.date
    year: int
    targets: tuple[Target, ...]
    clusters: tuple[Cluster, ...] = ()
    summary_rule: Annotated[str, Field(pattern=r"^(all_met_and_one_exceeded|all_met)$")] = (
        "all_met_and_one_exceeded"
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> Movement:
        ids = [t.id for t in self.targets]
        if len(ids) != len(set(ids)):
            raise ValueError("target ids must be unique")
        unknown = [t.parent for t in self.targets if t.parent and t.parent not in ids]
        if unknown:
            raise ValueError(f"unknown parent target(s): {', '.join(unknown)}")
        return self
