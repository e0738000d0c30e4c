"""A hand-written plain-Python evaluator of four rules of the 2024 regime, for the benchmark.

It decides, for people given as parsed JSON (the batch format's person shape, canonical codes):

- Lao động tiên tiến (`rules/vn-2024`, rule `ldtt.2024`/`ldtt.2025`),
- Chiến sĩ thi đua cơ sở (`cstdcs.2024`),
- Chiến sĩ thi đua cấp tỉnh (`cstd-tinh.2024`/`.2025`),
- Bằng khen cấp tỉnh for a person (`bang-khen-tinh.2024.person`/`.2025.person`),

with the same three-valued logic as the rule files (a missing fact gives "unknown", `None`), and
then ranks the eligible Chiến sĩ thi đua cơ sở of each unit under the cap of the Cao Bằng layer
(`cstdcs_max_share_of_ldtt` = 15% of the unit's Lao động tiên tiến, rounded down) with the priority
keys of `vn-2024.default` (frontline, area, women, excellent-rating streak, initiative scope, then
candidate id). The legal numbers are written in as constants, as a hand-written evaluator would.

What it does not cover (the benchmark's data has none of it, and `check_supported` says so):
commune codes (area lists), units whose members are not all listed, unit parents, recorded
commendations of Chiến sĩ thi đua cơ sở standing in for titles, codes other than the canonical ones.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Truth = bool | None
Person = Mapping[str, Any]

RATING = {"KHTNV": 0, "HTNV": 1, "HTTNV": 2, "HTXSNV": 3}
SCOPE = {"co_so": 0, "tinh": 1, "toan_quoc": 2}
HTTNV, HTXSNV = 2, 3
LDTT, CSTDCS = "lao_dong_tien_tien", "chien_si_thi_dua_co_so"
# Parameters of vn-2024 (parameters/*.yaml) and the Cao Bằng layer, as in force in 2024–2025.
LDTT_MIN_TENURE_MONTHS = 6
CSTDCS_MIN_INITIATIVES = 1
CSTD_TINH_YEARS = 3
BK_TINH_CSTDCS_TIMES = 2
BK_TINH_HTXS_YEARS = 2
BK_TINH_MIN_INITIATIVES = 2
CAP_PERCENT = 15  # cstdcs_max_share_of_ldtt (Cao Bằng, 2024), rounding down
PRIORITY_AREAS = frozenset({"bien_gioi", "hai_dao", "khu_vuc_iii", "thon_dbkk"})


def and3(*values: Truth) -> Truth:
    unknown = False
    for v in values:
        if v is False:
            return False
        if v is None:
            unknown = True
    return None if unknown else True


def or3(*values: Truth) -> Truth:
    unknown = False
    for v in values:
        if v is True:
            return True
        if v is None:
            unknown = True
    return None if unknown else False


def at_least3(sure: int, unknown: int, need: int) -> Truth:
    if sure >= need:
        return True
    if sure + unknown < need:
        return False
    return None


def add_months(day: str, months: int) -> str:
    """ISO date `day` plus `months` calendar months, clamped to the month's end."""
    index = int(day[:4]) * 12 + int(day[5:7]) - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return f"{year:04d}-{month + 1:02d}-{min(int(day[8:10]), last):02d}"


def initiatives(
    items: Sequence[Mapping[str, Any]],
    first: int,
    last: int,
    kinds: tuple[str, ...],
    scope: int,
    applied: bool,
    need: int,
) -> Truth:
    """At least `need` initiatives of `kinds` in years first..last at `scope` or above."""
    sure = unknown = 0
    for ini in items:
        kind = ini.get("kind", "initiative")
        if not first <= ini["year"] <= last or kind not in kinds or SCOPE[ini["scope"]] < scope:
            continue
        value: Truth = True
        if kind == "research":
            value = ini.get("accepted")
        if applied and value is not False:
            a = ini.get("applied")
            value = False if a is False else (None if a is None or value is None else True)
        if value is True:
            sure += 1
        elif value is None:
            unknown += 1
    return at_least3(sure, unknown, need)


def discipline_clock(disciplines: Sequence[Mapping[str, Any]], first: int, last: int) -> Truth:
    """Every year first..last starts after each discipline decided up to `last` ended."""
    out: list[Truth] = []
    for d in disciplines:
        if int(d["decided_on"][:4]) > last:
            continue
        ends = d.get("ends_on")
        if ends is None:
            out.append(None)
            continue
        start = int(ends[:4]) if ends[5:] == "01-01" else int(ends[:4]) + 1
        out.append(first >= start)
    return and3(*out)


def decide(p: Person, year: int, day: str) -> tuple[Truth, Truth, Truth, Truth]:
    """(LĐTT, CSTĐCS, CSTĐ tỉnh, Bằng khen tỉnh) of one person judged for `year` on ISO `day`."""
    hist = {h["year"]: h for h in p.get("history", ())}
    rec = hist.get(year)
    rating = rec.get("rating") if rec is not None else None
    discs = p.get("disciplines", ())
    inis = p.get("initiatives", ())
    att = p.get("attestations", {})
    # Pending cases: open on the decision day defer every award (ND 98/2023 Điều 4).
    pending = any(
        c["opened_on"] <= day and (c.get("closed_on") is None or day < c["closed_on"])
        for c in p.get("pending_cases", ())
    )
    not_pending: Truth = None if pending else True

    # Lao động tiên tiến: effective rating ≥ HTTNV, solidarity and emulation, 6 months, no case.
    if any(int(d["decided_on"][:4]) == year for d in discs):
        rated: Truth = False
    else:
        rated = None if rating is None else RATING[rating] >= HTTNV
    recruited = p.get("recruited_on")
    tenure = None if recruited is None else add_months(recruited, LDTT_MIN_TENURE_MONTHS) <= day
    ldtt = and3(rated, and3(att.get("solidarity"), att.get("emulation")), tenure, not_pending)

    # Chiến sĩ thi đua cơ sở: this year's LĐTT, and HTXS or an initiative / accepted research.
    cstdcs = and3(
        ldtt,
        or3(
            None if rating is None else RATING[rating] >= HTXSNV,
            initiatives(inis, year, year, ("initiative",), 0, False, CSTDCS_MIN_INITIATIVES),
            initiatives(inis, year, year, ("research",), 0, False, CSTDCS_MIN_INITIATIVES),
        ),
    )

    def held(y: int) -> Truth:
        if y == year:
            return cstdcs
        r = hist.get(y)
        return (r is not None and CSTDCS in r.get("titles", ())) or any(
            c["award"] == CSTDCS and c["year"] == y for c in p.get("commendations", ())
        )

    # Chiến sĩ thi đua cấp tỉnh: 3 CSTĐCS in a row to this year, a provincial initiative, clock.
    first = year - CSTD_TINH_YEARS + 1
    tinh = and3(
        and3(*(held(y) for y in range(first, year + 1))),
        cstdcs,
        initiatives(inis, first, year, ("initiative", "research"), 1, True, 1),
        discipline_clock(discs, first, year),
    )

    # Bằng khen tỉnh, point d (points a–c, đ are not in the digest: unsettled, i.e. unknown).
    first = year - BK_TINH_HTXS_YEARS + 1
    htxs = [hist.get(y) for y in range(first, year + 1)]
    streak = and3(
        *(
            None if r is None or r.get("rating") is None else RATING[r["rating"]] >= HTXSNV
            for r in htxs
        )
    )
    n = BK_TINH_MIN_INITIATIVES
    point_d = and3(
        or3(
            and3(*(held(y) for y in range(year - BK_TINH_CSTDCS_TIMES + 1, year + 1))),
            and3(
                streak,
                or3(
                    initiatives(inis, first, year, ("initiative",), 0, True, n),
                    initiatives(inis, first, year, ("research",), 0, True, n),
                    and3(
                        initiatives(inis, first, year, ("initiative",), 0, True, 1),
                        initiatives(inis, first, year, ("research",), 0, True, 1),
                        None,  # one of each: CV 1168/BNV-BTĐKT unconfirmed
                    ),
                ),
            ),
        ),
        discipline_clock(discs, first, year),
    )
    bk = and3(or3(point_d, None), not_pending)
    return ldtt, cstdcs, tinh, bk


def priority(p: Person, year: int, unit_areas: Mapping[str, Iterable[str]]) -> tuple[int, ...]:
    """Scores of the keys of vn-2024.default, higher first."""
    own = p.get("areas", ())
    areas = own if own else unit_areas.get(p.get("unit") or "", ())
    hist = {h["year"]: h for h in p.get("history", ())}
    run = 0
    while True:
        r = hist.get(year - run)
        if r is None or r.get("rating") is None or RATING[r["rating"]] < HTXSNV:
            break
        run += 1
    best = 0
    for ini in p.get("initiatives", ()):
        if ini["year"] != year:
            continue
        if ini.get("kind", "initiative") == "research" and ini.get("accepted") is not True:
            continue
        best = max(best, SCOPE[ini["scope"]] + 1)
    return (
        int(p.get("frontline") is True),
        int(any(a in PRIORITY_AREAS for a in areas)),
        int(p.get("gender") == "nu"),
        run,
        best,
    )


def check_supported(people: Sequence[Person], units: Sequence[Mapping[str, Any]]) -> None:
    """Raise ValueError for input this evaluator does not cover (see the module docstring)."""
    sizes: dict[str, int] = {}
    for p in people:
        if p.get("commune") is not None:
            raise ValueError(f"{p['id']}: commune codes (area lists) are not covered")
        if p.get("unit") is not None:
            sizes[p["unit"]] = sizes.get(p["unit"], 0) + 1
    for u in units:
        if u.get("parent") is not None or u.get("commune") is not None:
            raise ValueError(f"{u['id']}: unit parents and communes are not covered")
        if u.get("headcount") not in (None, sizes.get(u["id"], 0)):
            raise ValueError(f"{u['id']}: members not all listed")


def rank(
    people: Sequence[Person],
    units: Sequence[Mapping[str, Any]],
    decided: Sequence[tuple[Truth, Truth, Truth, Truth]],
    year: int,
) -> list[Truth]:
    """`selected` per person under the CSTĐCS cap, from the four outcomes of each person.

    True/False for an eligible CSTĐCS (within or below the cut), False when not eligible, None
    when undetermined.
    """
    unit_areas = {u["id"]: u.get("areas", ()) for u in units}
    by_unit: dict[str | None, list[int]] = {}
    for i, p in enumerate(people):
        by_unit.setdefault(p.get("unit"), []).append(i)
    selected: list[Truth] = [None if d[1] is None else False for d in decided]
    for unit, members in by_unit.items():
        if unit is None:
            continue
        base = sum(1 for i in members if decided[i][0] is True)
        slots = base * CAP_PERCENT // 100
        eligible = [i for i in members if decided[i][1] is True]
        eligible.sort(
            key=lambda i: (
                tuple(-s for s in priority(people[i], year, unit_areas)),
                people[i]["id"],
            )
        )
        for i in eligible[:slots]:
            selected[i] = True
    return selected


def evaluate(
    people: Sequence[Person], units: Sequence[Mapping[str, Any]], year: int, day: str
) -> list[tuple[Truth, Truth, Truth, Truth, Truth]]:
    """Per person, in input order: the four outcomes and `selected` under the CSTĐCS cap."""
    decided = [decide(p, year, day) for p in people]
    selected = rank(people, units, decided, year)
    return [(*d, s) for d, s in zip(decided, selected, strict=True)]
