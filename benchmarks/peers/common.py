"""What the peer adapters share: truth codes, and ranking their decisions as the baseline does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import baseline

Truth = bool | None
# The peers' truth codes: 0 false, 1 unknown, 2 true (as in khenthuong's vectorised path).
CODE: dict[int, Truth] = {0: False, 1: None, 2: True}


class Peer:
    """A peer engine: `decide` gives one person's four outcomes; `evaluate` ranks them all."""

    def decide(self, p: Mapping[str, Any], year: int, day: str) -> tuple[Truth, ...]:
        raise NotImplementedError

    def evaluate(
        self,
        people: Sequence[Mapping[str, Any]],
        units: Sequence[Mapping[str, Any]],
        year: int,
        day: str,
    ) -> list[tuple[Truth, ...]]:
        """Per person, in input order: the four outcomes and `selected` under the CSTĐCS cap."""
        decided = [self.decide(p, year, day) for p in people]
        selected = baseline.rank(people, units, decided, year)  # type: ignore[arg-type]
        return [(*d, s) for d, s in zip(decided, selected, strict=True)]
