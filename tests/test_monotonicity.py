"""Property: a better record never costs an award.

Improving a candidate's ratings (raising a recorded rating) or adding an initiative never turns an
eligible decision ineligible — in fact it keeps every eligible decision eligible, for every award
of both national packs, including the collective titles that count the members' titles and the
titles of later years that read the titles of the judged year.

Exceptions: none in the bundled national packs. Every `not` in them negates something a better
rating or a new initiative cannot create (a discipline, a member's discipline, a commendation
already received, a household sanction), and the timing test of Chiến sĩ thi đua toàn quốc (vn-2024)
only combines titles positively. A rule that deliberately rewards a *lower* record would have to be
listed here with its reason.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from khenthuong.batch.load import batch_from_data
from khenthuong.engine.evaluate import evaluate_nominations
from khenthuong.model.vocab import AWARD_SUBJECTS, Outcome, SubjectKind
from khenthuong.packs.registry import PackRegistry

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = PackRegistry([ROOT / "rules"])
RATINGS = ["KHTNV", "HTNV", "HTTNV", "HTXSNV"]
PERSON_AWARDS = sorted(a.value for a, s in AWARD_SUBJECTS.items() if SubjectKind.PERSON in s)
UNIT_AWARDS = sorted(a.value for a, s in AWARD_SUBJECTS.items() if SubjectKind.UNIT in s)
# (judged year, as_of): Regime A; Regime B under Nghị định 98/2023; Regime B under Nghị định 152/2025.
MOMENTS = [(2021, "2021-12-15"), (2025, "2025-06-30"), (2025, "2025-12-15")]

# Records are biased towards good ones, so that eligible decisions are common enough to lose.
maybe_bool = st.sampled_from([True, True, True, True, None, False])
good_rating = st.sampled_from(
    ["HTXSNV", "HTXSNV", "HTXSNV", "HTTNV", "HTTNV", "HTNV", "KHTNV", None]
)
# The judged year's rating is the one most improvements touch: often "well", so it can be raised.
judged_rating = st.sampled_from(["HTTNV", "HTTNV", "HTXSNV", "HTNV", None])


@st.composite
def initiative(draw: st.DrawFn, year: int, n: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["initiative", "initiative", "research"]))
    item: dict[str, Any] = {
        "id": f"SK{n}",
        "kind": kind,
        "year": draw(st.sampled_from([year, year, year - 1, *range(year - 6, year)])),
        "scope": draw(st.sampled_from(["co_so", "co_so", "tinh", "toan_quoc"])),
        "applied": draw(maybe_bool),
    }
    if kind == "research":
        item["accepted"] = draw(maybe_bool)
    return item


@st.composite
def member(draw: st.DrawFn, pid: str, year: int) -> dict[str, Any]:
    # Titles of earlier years: Lao động tiên tiến, a run of Chiến sĩ thi đua cơ sở ending the year
    # before, and Chiến sĩ thi đua cấp tỉnh in some of those years.
    run = draw(st.integers(0, 6))
    provincial = draw(st.sets(st.integers(year - 6, year - 1), max_size=2))
    history = []
    for y in range(year - 6, year + 1):
        titles: list[str] = []
        if y < year:
            titles = ["lao_dong_tien_tien"] if draw(st.integers(0, 5)) else []
            titles += ["chien_si_thi_dua_co_so"] if y >= year - run else []
            titles += ["chien_si_thi_dua_tinh"] if y in provincial else []
        rating = draw(judged_rating if y == year else good_rating)
        history.append({"year": y, "rating": rating, "titles": titles})
    person: dict[str, Any] = {
        "id": pid,
        "name": f"Người {pid}",
        "unit": "U1",
        "recruited_on": draw(
            st.sampled_from(["2005-01-01", "2005-01-01", f"{year}-01-20", f"{year}-06-16"])
        ),
        "history": history,
        "initiatives": [draw(initiative(year, n)) for n in range(draw(st.integers(0, 3)))]
        + draw(
            st.sampled_from([[], [{"id": "SK-Y", "year": year, "scope": "co_so", "applied": True}]])
        ),
        "commendations": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "award": st.sampled_from(["bang_khen_tinh", "bang_khen_thu_tuong"]),
                        "year": st.integers(year - 7, year - 1),
                    }
                ),
                max_size=2,
            )
        ),
        "attestations": {
            k: draw(st.sampled_from([True] * 19 + [None]))
            for k in ("ethics", "compliance", "emulation", "study", "solidarity")
        },
    }
    if draw(st.integers(0, 3)) == 0:
        decided = f"{draw(st.integers(year - 3, year))}-0{draw(st.integers(1, 5))}-10"
        ends = draw(st.sampled_from([None, "+1"]))
        person["disciplines"] = [
            {
                "form": draw(st.sampled_from(["khien_trach", "canh_cao"])),
                "decided_on": decided,
                "ends_on": None if ends is None else f"{int(decided[:4]) + 1}{decided[4:]}",
            }
        ]
    if draw(st.integers(0, 9)) == 0:
        person["pending_cases"] = [{"kind": "complaint", "opened_on": f"{year}-01-05"}]
    return person


@st.composite
def batches(draw: st.DrawFn) -> dict[str, Any]:
    year, as_of = draw(st.sampled_from(MOMENTS))
    people = [draw(member(f"P{i}", year)) for i in range(draw(st.integers(1, 4)))]
    unit = {
        "id": "U1",
        "name": "Đơn vị",
        "kind": "agency",
        "headcount": len(people),
        "history": [{"year": year, "rating": draw(st.sampled_from(["HTXSNV", "HTTNV", "HTNV"]))}],
        "attestations": {"emulation": True, "solidarity": True, "compliance": True},
    }
    nominations = [{"candidate": p["id"], "award": a} for p in people for a in PERSON_AWARDS]
    nominations += [{"candidate": "U1", "award": a} for a in UNIT_AWARDS]
    return {
        "batch": {"id": "prop", "year": year, "as_of": as_of},
        "units": [unit],
        "people": people,
        "nominations": nominations,
    }


def _raise(rating: str) -> list[str]:
    return RATINGS[RATINGS.index(rating) + 1 :]


@st.composite
def improvements(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with recorded ratings raised and/or initiatives added (one to three changes).

    A change is one of: raise one recorded rating (the judged year's, half of the time), raise
    every recorded rating of one person by one level, or add an initiative.
    """
    better = copy.deepcopy(data)
    year = better["batch"]["year"]
    for _ in range(draw(st.integers(1, 3))):
        person = draw(st.sampled_from(better["people"]))
        rated = [h for h in person["history"] if h["rating"] is not None and _raise(h["rating"])]
        change = draw(st.sampled_from(["one", "one", "all", "initiative"]))
        if change == "one" and rated:
            judged = [h for h in rated if h["year"] == year]
            pool = judged if judged and draw(st.booleans()) else rated
            h = draw(st.sampled_from(pool))
            h["rating"] = draw(st.sampled_from(_raise(h["rating"])))
        elif change == "all" and rated:
            for h in rated:
                h["rating"] = _raise(h["rating"])[0]
        else:
            n = len(person["initiatives"]) + 100
            person["initiatives"].append(draw(initiative(year, n)))
    return better


def outcomes(data: dict[str, Any]) -> dict[tuple[str, str], Outcome]:
    """Eligibility of every nomination (the engine alone: ranking does not enter the property)."""
    b = batch_from_data(data)
    day = b.batch.decision_date
    plan = REGISTRY.resolve(REGISTRY.choose(day)).plan(day)
    return {
        (d.candidate, d.award.value): d.outcome for d in evaluate_nominations(plan, b).decisions
    }


def single_steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    """For each person: the judged year's rating one level up, every rating one level up, and a
    new recognised and applied initiative of the judged year (at grassroots, provincial and
    nationwide scope)."""
    year = data["batch"]["year"]
    out: list[dict[str, Any]] = []
    for i, person in enumerate(data["people"]):
        for h in person["history"]:
            if h["year"] == year and h["rating"] is not None and _raise(h["rating"]):
                better = copy.deepcopy(data)
                better["people"][i]["history"][person["history"].index(h)]["rating"] = _raise(
                    h["rating"]
                )[0]
                out.append(better)
        if any(h["rating"] is not None and _raise(h["rating"]) for h in person["history"]):
            better = copy.deepcopy(data)
            for h in better["people"][i]["history"]:
                if h["rating"] is not None and _raise(h["rating"]):
                    h["rating"] = _raise(h["rating"])[0]
            out.append(better)
        for scope in ("co_so", "tinh", "toan_quoc"):
            better = copy.deepcopy(data)
            better["people"][i]["initiatives"].append(
                {"id": f"NEW-{scope}", "year": year, "scope": scope, "applied": True}
            )
            out.append(better)
    return out


def _lost(before: dict[Any, Outcome], after: dict[Any, Outcome]) -> dict[Any, Any]:
    return {
        k: (v, after[k])
        for k, v in before.items()
        if v is Outcome.ELIGIBLE and after[k] is not Outcome.ELIGIBLE
    }


# Shrinking re-evaluates a batch some fifteen times per attempt: it is left out, and a failure shows
# the whole batch (as JSON) with the decisions it lost instead.
@settings(
    max_examples=60,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.data())
def test_a_better_record_never_loses_an_eligible_decision(data: st.DataObject) -> None:
    before_data = data.draw(batches())
    before = outcomes(before_data)
    for better in [data.draw(improvements(before_data)), *single_steps(before_data)]:
        lost = _lost(before, outcomes(better))
        assert lost == {}, (
            f"lost {lost}\nbefore: {json.dumps(before_data, ensure_ascii=False)}\n"
            f"after: {json.dumps(better, ensure_ascii=False)}"
        )


def test_the_generator_reaches_eligible_decisions() -> None:
    """The property above is only worth something if eligible decisions occur in it."""
    data = {
        "batch": {"id": "prop", "year": 2021, "as_of": "2021-12-15"},
        "units": [
            {
                "id": "U1",
                "name": "Đơn vị",
                "kind": "agency",
                "headcount": 1,
                "history": [{"year": 2021, "rating": "HTXSNV"}],
                "attestations": {"emulation": True, "solidarity": True, "compliance": True},
            }
        ],
        "people": [
            {
                "id": "P0",
                "name": "Người P0",
                "unit": "U1",
                "recruited_on": "2005-01-01",
                "history": [{"year": 2021, "rating": "HTXSNV", "titles": []}],
                "initiatives": [{"id": "SK1", "year": 2021, "scope": "co_so"}],
                "attestations": dict.fromkeys(
                    ("ethics", "compliance", "emulation", "study", "solidarity"), True
                ),
            }
        ],
        "nominations": [{"candidate": "P0", "award": a} for a in PERSON_AWARDS]
        + [{"candidate": "U1", "award": a} for a in UNIT_AWARDS],
    }
    got = outcomes(data)
    eligible = {k for k, v in got.items() if v is Outcome.ELIGIBLE}
    assert {
        ("P0", "lao_dong_tien_tien"),
        ("P0", "chien_si_thi_dua_co_so"),
        ("U1", "tap_the_lao_dong_tien_tien"),
        ("U1", "tap_the_lao_dong_xuat_sac"),
    } <= eligible
