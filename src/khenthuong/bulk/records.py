"""Decision records of a bulk run: one JSON object per line, made from cached fragments.

A bulk decisions file is JSON Lines. Its first line is the run's header (`"schema":
"khenthuong.bulk/1"`, the pack and its layers, the judged year, the decision date, the awards);
every other line is one decision:

    {"candidate": "P0000001", "name": "…", "award": "chien_si_thi_dua_co_so",
     "outcome": "eligible", "rule": "cstdcs.2024", "confidence": "secondary",
     "criteria": {"ldtt": true, "excellence-or-initiative": true}, "truths": "TTFF",
     "selected": true, "rank": 2, "quota": {"scope": "U000012", "base": 21, "slots": 3}}

`truths` has the truth of each predicate of the rule, in the rule's order (`T`, `F`, `?` for
unknown): with the batch it is the whole trace (`khenthuong explain` shows it for one person). The
part of a record that depends only on (award, truths) is the same for many people, so it is
serialised once and reused.
"""

from __future__ import annotations

import json
from typing import Any

from khenthuong.engine.compile import CompiledRule, Plan
from khenthuong.model.vocab import Award, Outcome
from khenthuong.periods import Truth

SCHEMA = "khenthuong.bulk/1"
MARKS = {True: "T", False: "F", None: "?"}
_SAFE = frozenset('"\\')


def json_string(text: str) -> str:
    """`json.dumps(text, ensure_ascii=False)`, without its cost for ordinary text."""
    if text.isprintable() and not (_SAFE & set(text)):
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


class Fragments:
    """The serialised outcome part of records, one per (award, truths) seen."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._cache: dict[tuple[Award, tuple[Truth, ...]], str] = {}

    def outcome(self, award: Award, rule: CompiledRule | None, truths: tuple[Truth, ...]) -> str:
        key = (award, truths)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._make(award, rule, truths)
        return found

    def _make(self, award: Award, rule: CompiledRule | None, truths: tuple[Truth, ...]) -> str:
        if rule is None:
            body: dict[str, Any] = {
                "award": award.value,
                "outcome": Outcome.UNDETERMINED.value,
                "rule": None,
                "confidence": None,
                "criteria": {},
                "truths": "",
                "note": f"no rule of pack {self.plan.pack.id} decides {award.value} for a person "
                f"on {self.plan.date.isoformat()}",
            }
        else:
            criteria = {c.id: c.node.value(truths) for c in rule.criteria}
            body = {
                "award": award.value,
                "outcome": {True: "eligible", False: "ineligible", None: "undetermined"}[
                    rule.outcome(truths)
                ],
                "rule": rule.id,
                "confidence": rule.confidence.value,
                "criteria": criteria,
                "truths": "".join(MARKS[t] for t in truths),
            }
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return text[1:-1]


def placement_fragment(
    selected: bool | None, rank: int | None, scope: str | None, base: int | None, slots: int | None
) -> str:
    """The ranking part of a record (`selected`, `rank`, `quota`)."""
    quota = (
        "null"
        if scope is None
        else f'{{"scope":{json_string(scope)},"base":{base},"slots":{slots}}}'
    )
    sel = "null" if selected is None else ("true" if selected else "false")
    return f'"selected":{sel},"rank":{"null" if rank is None else rank},"quota":{quota}'


NO_PLACEMENT = placement_fragment(None, None, None, None, None)


def record_prefix(candidate: str, name: str) -> str:
    """The start of every record of one person (made once per person)."""
    return f'{{"candidate":{json_string(candidate)},"name":{json_string(name)},'


def record_line(candidate: str, name: str, outcome: str, placement: str) -> str:
    return f"{record_prefix(candidate, name)}{outcome},{placement}}}\n"


def header_line(info: dict[str, Any]) -> str:
    return json.dumps({"schema": SCHEMA, **info}, ensure_ascii=False, sort_keys=True) + "\n"
