"""The four benchmark rules as a durable_rules ruleset, written by hand.

durable_rules matches conditions on the attributes of events: it has no loops over a person's
lists (history years, initiatives, disciplines). So, as a durable_rules user would, the adapter
first flattens each record into per-condition facts coded 0 (false), 1 (unknown), 2 (true) — the
rating of the judged year, the count tests on initiatives, the discipline clock… (Python, timed
with the engine) — and the ruleset does the rest: the three-valued combination of each rule (one
durable rule per outcome: eligible, ineligible, undetermined) and the chaining between awards
(LĐTT → CSTĐCS → CSTĐ tỉnh and Bằng khen tỉnh), each stage posting the next event. The CSTĐCS cap
is ranked in Python by `baseline.rank`.

Needs `durable-rules` (the `bench` extra; not on Python 3.13).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import baseline

from peers.common import CODE, Peer, Truth

_SERIAL = itertools.count()


def _code(t: Truth) -> int:
    return 1 if t is None else (2 if t else 0)


def facts(p: Mapping[str, Any], year: int, day: str) -> dict[str, Any]:
    """The per-condition facts of one person (list-valued facts reduced to one value each)."""
    hist = {h["year"]: h for h in p.get("history", ())}
    discs = p.get("disciplines", ())
    inis = p.get("initiatives", ())
    att = p.get("attestations", {})

    def rating(y: int) -> int:
        r = hist.get(y)
        return -1 if r is None or r.get("rating") is None else baseline.RATING[r["rating"]]

    def held(y: int) -> int:
        r = hist.get(y)
        got = (r is not None and baseline.CSTDCS in r.get("titles", ())) or any(
            c["award"] == baseline.CSTDCS and c["year"] == y for c in p.get("commendations", ())
        )
        return 2 if got else 0

    def htxs(y: int) -> int:
        r = rating(y)
        return 1 if r < 0 else (2 if r >= baseline.HTXSNV else 0)

    r0 = rating(year)
    recruited = p.get("recruited_on")
    pending = any(
        c["opened_on"] <= day and (c.get("closed_on") is None or day < c["closed_on"])
        for c in p.get("pending_cases", ())
    )
    ini = baseline.initiatives
    return {
        "eff": 0
        if any(int(d["decided_on"][:4]) == year for d in discs)
        else (1 if r0 < 0 else (2 if r0 >= baseline.HTTNV else 0)),
        "sol": _code(att.get("solidarity")),
        "emu": _code(att.get("emulation")),
        "ten": 1
        if recruited is None
        else _code(baseline.add_months(recruited, baseline.LDTT_MIN_TENURE_MONTHS) <= day),
        "pend": 1 if pending else 2,
        "e0": htxs(year),
        "e1": htxs(year - 1),
        "ia": _code(ini(inis, year, year, ("initiative",), 0, False, 1)),
        "ib": _code(ini(inis, year, year, ("research",), 0, False, 1)),
        "h2": held(year - 2),
        "h1": held(year - 1),
        "it": _code(ini(inis, year - 2, year, ("initiative", "research"), 1, True, 1)),
        "c3": _code(baseline.discipline_clock(discs, year - 2, year)),
        "c2": _code(baseline.discipline_clock(discs, year - 1, year)),
        "a2": _code(ini(inis, year - 1, year, ("initiative",), 0, True, 2)),
        "b2": _code(ini(inis, year - 1, year, ("research",), 0, True, 2)),
    }


class DurablePeer(Peer):
    """Posts one event per person and stage to a durable_rules ruleset (actions run inline)."""

    name = "durable_rules"

    def __init__(self) -> None:
        from durable.lang import m, post, ruleset, when_all

        self.results: dict[str, list[int]] = {}
        self.name_ = f"khenthuong_bench_{next(_SERIAL)}"
        self._post = post
        out = self.results
        name = self.name_

        def stage(c: Any, nxt: str, key: int, value: int) -> None:
            ev = dict(c.m.items())
            ev.pop("sid", None)
            ev.pop("id", None)
            out[ev["pid"]][key] = value
            if key == 1:
                ev["cs"] = value
            if nxt:
                ev["stage"] = nxt
                ev["v"] = value
                post(name, ev)

        with ruleset(name):
            # Lao động tiên tiến: min(eff, sol, emu, ten, pend)
            @when_all(
                (m.stage == "ldtt")
                & (m.eff == 2)
                & (m.sol == 2)
                & (m.emu == 2)
                & (m.ten == 2)
                & (m.pend == 2)
            )
            def ldtt_yes(c: Any) -> None:
                stage(c, "cstdcs", 0, 2)

            @when_all(
                (m.stage == "ldtt")
                & ((m.eff == 0) | (m.sol == 0) | (m.emu == 0) | (m.ten == 0) | (m.pend == 0))
            )
            def ldtt_no(c: Any) -> None:
                stage(c, "cstdcs", 0, 0)

            @when_all(
                (m.stage == "ldtt")
                & (m.eff >= 1)
                & (m.sol >= 1)
                & (m.emu >= 1)
                & (m.ten >= 1)
                & (m.pend >= 1)
                & ((m.eff == 1) | (m.sol == 1) | (m.emu == 1) | (m.ten == 1) | (m.pend == 1))
            )
            def ldtt_unknown(c: Any) -> None:
                stage(c, "cstdcs", 0, 1)

            # Chiến sĩ thi đua cơ sở: min(ldtt, max(e0, ia, ib))
            @when_all(
                (m.stage == "cstdcs") & (m.v == 2) & ((m.e0 == 2) | (m.ia == 2) | (m.ib == 2))
            )
            def cstdcs_yes(c: Any) -> None:
                stage(c, "tail", 1, 2)

            @when_all(
                (m.stage == "cstdcs") & ((m.v == 0) | ((m.e0 == 0) & (m.ia == 0) & (m.ib == 0)))
            )
            def cstdcs_no(c: Any) -> None:
                stage(c, "tail", 1, 0)

            @when_all(
                (m.stage == "cstdcs")
                & (m.v >= 1)
                & ((m.e0 >= 1) | (m.ia >= 1) | (m.ib >= 1))
                & ((m.v == 1) | ((m.e0 <= 1) & (m.ia <= 1) & (m.ib <= 1)))
            )
            def cstdcs_unknown(c: Any) -> None:
                stage(c, "tail", 1, 1)

            # CSTĐ tỉnh: min(h2, h1, v, v, it, c3) and Bằng khen tỉnh (point d, or unsettled)
            @when_all(
                (m.stage == "tail")
                & (m.h2 == 2)
                & (m.h1 == 2)
                & (m.v == 2)
                & (m.it == 2)
                & (m.c3 == 2)
            )
            def tinh_yes(c: Any) -> None:
                stage(c, "bk", 2, 2)

            @when_all(
                (m.stage == "tail")
                & ((m.h2 == 0) | (m.h1 == 0) | (m.v == 0) | (m.it == 0) | (m.c3 == 0))
            )
            def tinh_no(c: Any) -> None:
                stage(c, "bk", 2, 0)

            @when_all(
                (m.stage == "tail")
                & (m.h2 >= 1)
                & (m.h1 >= 1)
                & (m.v >= 1)
                & (m.it >= 1)
                & (m.c3 >= 1)
                & ((m.v == 1) | (m.it == 1) | (m.c3 == 1))
            )
            def tinh_unknown(c: Any) -> None:
                stage(c, "bk", 2, 1)

            # stage "bk": v is now the CSTĐ tỉnh code; the CSTĐCS code is carried as `cs`
            @when_all(
                (m.stage == "bk")
                & (m.pend == 2)
                & (m.c2 == 2)
                & (
                    ((m.h1 == 2) & (m.cs == 2))
                    | ((m.e0 == 2) & (m.e1 == 2) & ((m.a2 == 2) | (m.b2 == 2)))
                )
            )
            def bk_yes(c: Any) -> None:
                stage(c, "", 3, 2)

            @when_all(
                (m.stage == "bk")
                & (
                    (m.pend <= 1)
                    | (m.c2 <= 1)
                    | (
                        ((m.h1 <= 1) | (m.cs <= 1))
                        & ((m.e0 <= 1) | (m.e1 <= 1) | ((m.a2 <= 1) & (m.b2 <= 1)))
                    )
                )
            )
            def bk_unknown(c: Any) -> None:
                stage(c, "", 3, 1)

        del ldtt_yes, ldtt_no, ldtt_unknown, cstdcs_yes, cstdcs_no, cstdcs_unknown
        del tinh_yes, tinh_no, tinh_unknown, bk_yes, bk_unknown

    def decide(self, p: Mapping[str, Any], year: int, day: str) -> tuple[Truth, ...]:
        pid = p["id"]
        self.results[pid] = [1, 1, 1, 1]
        event = {"pid": pid, "stage": "ldtt", **facts(p, year, day)}
        self._post(self.name_, event)
        codes = self.results.pop(pid)
        return tuple(CODE[c] for c in codes)
