"""The four benchmark rules as a zen-engine (GoRules JDM) decision graph, written by hand.

One expression node computes every condition of the four rules from the person's record (the
batch format's person shape, as parsed JSON) and combines them. Truths are coded 0 (false),
1 (unknown), 2 (true): three-valued AND is `min`, OR is `max` — the same logic as the rule files
and `benchmarks/baseline.py`. The CSTĐCS cap is then ranked in Python by `baseline.rank` (a
decision graph evaluates one input at a time; ranking is across people).

Needs `zen-engine` (the `bench` extra).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from peers.common import CODE, Peer, Truth


def _rank(expr: str) -> str:
    return (
        f"({expr}) == 'HTXSNV' ? 3 : (({expr}) == 'HTTNV' ? 2 : "
        f"(({expr}) == 'HTNV' ? 1 : (({expr}) == 'KHTNV' ? 0 : null)))"
    )


def _rating(year: str) -> str:
    return f"filter(p.history ?? [], #.year == {year})[0].rating"


def _att(name: str) -> str:
    return f"p.attestations.{name} == true ? 2 : (p.attestations.{name} == false ? 0 : 1)"


def _at_least(sure: str, unknown: str, need: str) -> str:
    return f"{sure} >= {need} ? 2 : ({sure} + {unknown} < {need} ? 0 : 1)"


def _held(year: str) -> str:
    """A CSTĐCS title recorded for an earlier year (history titles or a commendation)."""
    award = "'chien_si_thi_dua_co_so'"
    return (
        f"(some(p.history ?? [], #.year == {year} and {award} in (#.titles ?? [])) or "
        f"some(p.commendations ?? [], #.award == {award} and #.year == {year})) ? 2 : 0"
    )


def _clock(first: str) -> str:
    """discipline_clock: every year from `first` starts after each discipline ended."""
    counted = "d(#.decided_on).year() <= year"
    start = (
        "(d(#.ends_on).month() == 1 and d(#.ends_on).day() == 1 ? d(#.ends_on).year() : "
        "d(#.ends_on).year() + 1)"
    )
    return (
        f"some(p.disciplines ?? [], {counted} and #.ends_on != null and {first} < {start}) ? 0 : "
        f"(some(p.disciplines ?? [], {counted} and #.ends_on == null) ? 1 : 2)"
    )


def _initiatives(
    kinds: tuple[str, ...], scope: int, first: str, applied: bool, need: str
) -> list[tuple[str, str]]:
    """Counts of sure and unknown initiatives, then the three-valued "at least `need`"."""
    window = first.replace(" ", "").replace("-", "m")
    tag = "_".join(k[:3] for k in kinds) + f"_{scope}_{window}_{'a' if applied else 'x'}{need}"
    kind = "(#.kind ?? 'initiative')"
    scope_rank = "(#.scope == 'toan_quoc' ? 2 : (#.scope == 'tinh' ? 1 : 0))" if scope else "0"
    pick = (
        f"#.year >= {first} and #.year <= year and {scope_rank} >= {scope} and "
        f"({' or '.join(f'{kind} == {k!r}' for k in kinds)})"
    )
    accepted = f"({kind} != 'research' or #.accepted == true)"
    refused = f"({kind} == 'research' and #.accepted == false)"
    if applied:
        sure = f"{accepted} and #.applied == true"
        false = f"({refused} or #.applied == false)"
    else:
        sure = accepted
        false = refused
    inis = "p.initiatives ?? []"
    return [
        (f"s_{tag}", f"len(filter({inis}, {pick} and {sure}))"),
        (f"u_{tag}", f"len(filter({inis}, {pick} and not ({sure}) and not {false}))"),
        (f"i_{tag}", _at_least(f"$.s_{tag}", f"$.u_{tag}", need)),
    ]


def expressions() -> list[tuple[str, str]]:
    """The expression node: (key, ZEN expression), in evaluation order."""
    pending = (
        "some(p.pending_cases ?? [], d(#.opened_on).isSameOrBefore(d(day)) and "
        "(#.closed_on == null or d(day).isBefore(d(#.closed_on)))) ? 1 : 2"
    )
    out: list[tuple[str, str]] = [
        ("rk", _rank(_rating("year"))),
        ("rk1", _rank(_rating("year - 1"))),
        (
            "eff",
            "some(p.disciplines ?? [], d(#.decided_on).year() == year) ? 0 : "
            "($.rk == null ? 1 : ($.rk >= 2 ? 2 : 0))",
        ),
        ("spirit", f"min([{_att('solidarity')}, {_att('emulation')}])"),
        (
            "tenure",
            "p.recruited_on == null ? 1 : "
            "(d(p.recruited_on).add(6, 'M').isSameOrBefore(d(day)) ? 2 : 0)",
        ),
        ("pending", pending),
        ("ldtt", "min([$.eff, $.spirit, $.tenure, $.pending])"),
        ("htxs", "$.rk == null ? 1 : ($.rk >= 3 ? 2 : 0)"),
        ("htxs1", "$.rk1 == null ? 1 : ($.rk1 >= 3 ? 2 : 0)"),
    ]
    out += _initiatives(("initiative",), 0, "year", False, "1")
    out += _initiatives(("research",), 0, "year", False, "1")
    out.append(("cstdcs", "min([$.ldtt, max([$.htxs, $.i_ini_0_year_x1, $.i_res_0_year_x1])])"))
    out += _initiatives(("initiative", "research"), 1, "year - 2", True, "1")
    out += [
        ("held2", _held("year - 2")),
        ("held1", _held("year - 1")),
        ("clock3", _clock("year - 2")),
        ("clock2", _clock("year - 1")),
        (
            "tinh",
            "min([min([$.held2, $.held1, $.cstdcs]), $.cstdcs, $.i_ini_res_1_yearm2_a1, $.clock3])",
        ),
    ]
    out += _initiatives(("initiative",), 0, "year - 1", True, "2")
    out += _initiatives(("research",), 0, "year - 1", True, "2")
    out += _initiatives(("initiative",), 0, "year - 1", True, "1")
    out += _initiatives(("research",), 0, "year - 1", True, "1")
    out += [
        ("mix", "min([$.i_ini_0_yearm1_a1, $.i_res_0_yearm1_a1, 1])"),
        ("streak2", "min([$.held1, $.cstdcs])"),
        ("excellent2", "min([$.htxs1, $.htxs])"),
        ("ini2", "max([$.i_ini_0_yearm1_a2, $.i_res_0_yearm1_a2, $.mix])"),
        ("point_d", "min([max([$.streak2, min([$.excellent2, $.ini2])]), $.clock2])"),
        ("bk", "min([max([$.point_d, 1]), $.pending])"),
    ]
    return out


def _graph() -> dict[str, Any]:
    exprs = expressions()
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "person", "position": {"x": 0, "y": 0}},
            {
                "id": "rules",
                "type": "expressionNode",
                "name": "four rules",
                "position": {"x": 200, "y": 0},
                "content": {
                    "expressions": [
                        {"id": str(i), "key": k, "value": v} for i, (k, v) in enumerate(exprs)
                    ]
                },
            },
            {
                "id": "out",
                "type": "outputNode",
                "name": "decisions",
                "position": {"x": 400, "y": 0},
            },
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "rules", "type": "edge"},
            {"id": "e2", "sourceId": "rules", "targetId": "out", "type": "edge"},
        ],
    }


class ZenPeer(Peer):
    """Evaluates people one by one with a compiled zen-engine decision."""

    name = "zen-engine"

    def __init__(self) -> None:
        import zen

        self.engine = zen.ZenEngine()
        self.decision = self.engine.create_decision(json.dumps(_graph()))

    def decide(self, p: Mapping[str, Any], year: int, day: str) -> tuple[Truth, ...]:
        r = self.decision.evaluate({"p": p, "year": year, "day": day})["result"]
        return tuple(CODE[int(r[k])] for k in ("ldtt", "cstdcs", "tinh", "bk"))
