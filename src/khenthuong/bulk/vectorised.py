"""A bulk chunk decided by the vectorised path (numpy): arrays in, record fragments out."""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING

import numpy as np

from khenthuong.bulk.records import NO_PLACEMENT, Fragments, placement_fragment
from khenthuong.bulk.vector_rank import rank_vector, vector_rankable
from khenthuong.engine.vector import CODE_OUTCOME, CODE_TRUTH, PeopleColumns, evaluate_vector
from khenthuong.model.batch import Batch
from khenthuong.model.subjects import Person

if TYPE_CHECKING:
    from khenthuong.bulk.run import Setup, Worker
    from khenthuong.engine.vector import Codes, Ints

SELECTED = {1: True, 0: False, -1: None}


def decide_vector(
    setup: Setup, fragments: Fragments, batch: Batch, people: list[Person]
) -> Worker.Columns | None:
    """The records' columns for `people`, or None if a quota needs the per-record ranking."""
    columns = PeopleColumns.from_people(people)
    result = evaluate_vector(setup.plan, batch, setup.awards, columns=columns)
    for award in setup.awards:
        quota = setup.policy.quotas.get(award)
        if quota is None or quota.uncapped or quota.scope is None:
            continue
        keys = setup.policy.priority_for(award).keys
        if vector_rankable(result, quota, keys, batch) is not None:
            return None
    placements = rank_vector(setup.resolved, result, setup.policy)
    n = len(people)
    out: Worker.Columns = []
    for award in setup.awards:
        arrays = result.awards.get(award)
        if arrays is None:
            text = fragments.outcome(award, None, ())
            counts = collections.Counter({CODE_OUTCOME[1].value: n})
            out.append(([text] * n, [NO_PLACEMENT] * n, counts, collections.Counter()))
            continue
        unique, inverse = _distinct_rows(arrays.leaves)
        texts = [
            fragments.outcome(award, arrays.rule, tuple(CODE_TRUTH[c] for c in row))
            for row in unique.tolist()
        ]
        outs = [texts[k] for k in inverse.tolist()]
        codes, tally = np.unique(arrays.outcome, return_counts=True)
        counts = collections.Counter(
            {CODE_OUTCOME[c].value: k for c, k in zip(codes.tolist(), tally.tolist(), strict=True)}
        )
        placed = placements.get(award)
        picked: collections.Counter[str] = collections.Counter()
        if placed is None:
            places = [NO_PLACEMENT] * n
        else:
            places = []
            for scope, sel, rank in zip(
                placed.scope, placed.selected.tolist(), placed.rank.tolist(), strict=True
            ):
                if scope is None:
                    places.append(NO_PLACEMENT)
                    continue
                q = placed.quotas[scope]
                places.append(
                    placement_fragment(SELECTED[sel], rank or None, scope, q.base, q.slots)
                )
            ranked = placed.rank > 0
            chosen = int(np.count_nonzero(placed.selected[ranked] == 1))
            picked.update({"selected": chosen, "cut": int(np.count_nonzero(ranked)) - chosen})
        out.append((outs, places, counts, picked))
    return out


def _distinct_rows(leaves: Codes) -> tuple[Codes, Ints]:
    """The distinct rows of a truth-code matrix, and each row's index among them.

    Rows of up to 31 codes (0–2) are packed into one integer, which sorts much faster than rows.
    """
    n, k = leaves.shape
    if k > 31:
        unique, inverse = np.unique(leaves, axis=0, return_inverse=True)
        return unique, inverse.reshape(-1)
    packed = np.zeros(n, dtype=np.int64)
    for j in range(k):
        packed = packed * 4 + leaves[:, j]
    keys, first, inverse = np.unique(packed, return_index=True, return_inverse=True)
    del keys
    return leaves[first], inverse.reshape(-1)
