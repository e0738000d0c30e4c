"""Properties of ranking: places never exceed the quota, priority is monotone, order is irrelevant."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khenthuong.audit.records import result_record
from khenthuong.batch.load import batch_from_data
from khenthuong.packs.registry import PackRegistry
from khenthuong.ranking.rank import Entry, rank_entries
from khenthuong.runner import BatchResult, evaluate_batch
from tests.ranking_packs import AREA_LIST, person, write_packs

KEYS = 4
scores = st.tuples(*[st.integers(0, 3)] * KEYS)
entries = st.lists(
    st.builds(Entry, st.text("ABCDEFGH", min_size=1, max_size=3), scores),
    max_size=12,
    unique_by=lambda e: e.candidate,
)
slots = st.one_of(st.none(), st.integers(0, 14))


@given(entries, slots)
def test_selected_never_exceeds_the_places(items: list[Entry], places: int | None) -> None:
    out = rank_entries(items, places)
    chosen = sum(selected for _, _, selected in out)
    assert chosen == (len(items) if places is None else min(places, len(items)))
    assert [rank for _, rank, _ in out] == list(range(1, len(items) + 1))


@given(entries, slots, st.randoms(use_true_random=False))
def test_ranking_is_independent_of_input_order(
    items: list[Entry], places: int | None, rnd: random.Random
) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert rank_entries(items, places) == rank_entries(shuffled, places)


@given(entries, slots, st.data())
def test_raising_a_priority_never_lowers_the_rank(
    items: list[Entry], places: int | None, data: st.DataObject
) -> None:
    if not items:
        return
    who = data.draw(st.sampled_from(items))
    key = data.draw(st.integers(0, KEYS - 1))
    raised = Entry(who.candidate, tuple(s + 1 if i == key else s for i, s in enumerate(who.scores)))
    before = {e.candidate: (rank, sel) for e, rank, sel in rank_entries(items, places)}
    after = {
        e.candidate: (rank, sel)
        for e, rank, sel in rank_entries([raised if e is who else e for e in items], places)
    }
    assert after[who.candidate][0] <= before[who.candidate][0]
    assert after[who.candidate][1] >= before[who.candidate][1]  # selected stays selected


@given(entries)
def test_with_no_quota_everyone_eligible_is_selected(items: list[Entry]) -> None:
    assert all(selected for _, _, selected in rank_entries(items, None))


# --------------------------------------------------------------------------- whole batches

ratings = st.sampled_from(["HTXSNV", "HTTNV", "HTNV", None])
people_st = st.lists(
    st.fixed_dictionaries(
        {
            "unit": st.sampled_from(["U-A", "U-B", "U-C"]),
            "rating": ratings,
            "frontline": st.sampled_from([True, False, None]),
            "gender": st.sampled_from(["nu", "nam", None]),
            "areas": st.lists(
                st.sampled_from(["bien_gioi", "khu_vuc_iii"]), unique=True, max_size=2
            ),
            "initiative": st.sampled_from([None, "co_so", "tinh"]),
            "nominated": st.booleans(),
        }
    ),
    min_size=1,
    max_size=24,
)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> PackRegistry:
    return write_packs(tmp_path_factory.mktemp("rules"))


def make_batch(drawn: list[dict[str, Any]], order: random.Random | None = None) -> dict[str, Any]:
    people: list[dict[str, Any]] = []
    nominations: list[dict[str, Any]] = []
    for i, p in enumerate(drawn):
        pid = f"P{i:02}"
        record: dict[str, Any] = {
            "id": pid,
            "name": f"Người {i}",
            "unit": p["unit"],
            "recruited_on": "2010-01-01",
            "areas": p["areas"],
            "history": [{"year": 2021, "rating": p["rating"]}] if p["rating"] else [],
        }
        if p["frontline"] is not None:
            record["frontline"] = p["frontline"]
        if p["gender"] is not None:
            record["gender"] = p["gender"]
        if p["initiative"]:
            record["initiatives"] = [{"id": f"SK{i}", "year": 2021, "scope": p["initiative"]}]
        people.append(record)
        nominations.append({"candidate": pid, "award": "lao_dong_tien_tien"})
        if p["nominated"]:
            nominations.append({"candidate": pid, "award": "chien_si_thi_dua_co_so"})
    units = [
        {"id": "U-ROOT", "name": "Sở"},
        {"id": "U-A", "name": "Phòng A", "parent": "U-ROOT"},
        {"id": "U-B", "name": "Phòng B", "parent": "U-ROOT"},
        {"id": "U-C", "name": "Phòng C"},
    ]
    if order is not None:
        order.shuffle(people)
        order.shuffle(nominations)
        order.shuffle(units)
    return {
        "batch": {"id": "b", "year": 2021, "as_of": "2021-12-15"},
        "units": units,
        "people": people,
        "nominations": nominations,
    }


def evaluate(data: dict[str, Any], registry: PackRegistry) -> BatchResult:
    return evaluate_batch(batch_from_data(data), registry=registry)


@settings(max_examples=40, deadline=None)
@given(people_st)
def test_every_quota_holds_in_whole_batches(
    registry: PackRegistry, drawn: list[dict[str, Any]]
) -> None:
    result = evaluate(make_batch(drawn), registry)
    for ranking in result.rankings:
        assert ranking.arithmetic is not None
        assert len(ranking.selected) <= ranking.arithmetic.slots
        assert all(p.outcome.value == "eligible" for p in ranking.selected)
        # Eligible candidates fill the places before anyone is cut.
        if ranking.cut:
            assert len(ranking.selected) == ranking.arithmetic.slots
    for record in result_record(result)["decisions"]:
        if record["award"] == "lao_dong_tien_tien":  # no quota: no rank, no selection
            assert (record["rank"], record["selected"]) == (None, None)


@settings(max_examples=30, deadline=None)
@given(people_st, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_order(
    registry: PackRegistry, drawn: list[dict[str, Any]], rnd: random.Random
) -> None:
    first = result_record(evaluate(make_batch(drawn), registry))
    again = result_record(evaluate(make_batch(drawn, rnd), registry))
    assert first["rankings"] == again["rankings"]
    assert first["findings"] == again["findings"]
    placed = {(d["candidate"], d["award"]): (d["rank"], d["selected"]) for d in first["decisions"]}
    assert placed == {
        (d["candidate"], d["award"]): (d["rank"], d["selected"]) for d in again["decisions"]
    }


@settings(max_examples=30, deadline=None)
@given(people_st, st.data())
def test_becoming_a_frontline_worker_never_lowers_a_rank(
    registry: PackRegistry, drawn: list[dict[str, Any]], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(drawn) - 1))
    before = evaluate(make_batch(drawn), registry).placement(f"P{i:02}", "chien_si_thi_dua_co_so")
    raised = [dict(p, frontline=True) if j == i else p for j, p in enumerate(drawn)]
    after = evaluate(make_batch(raised), registry).placement(f"P{i:02}", "chien_si_thi_dua_co_so")
    if before is None or before.rank is None:
        return
    assert after is not None
    assert after.rank is not None
    assert after.rank <= before.rank
    assert not (before.selected and not after.selected)


# --------------------------------------------------------------------------- lean area reading

AREAS = ["bien_gioi", "hai_dao", "khu_vuc_iii", "thon_dbkk"]


@st.composite
def area_batch(draw: st.DrawFn) -> dict[str, Any]:
    """People with or without area flags and commune codes, in units that may carry areas."""
    units = []
    for i in range(draw(st.integers(1, 4))):
        unit: dict[str, Any] = {"id": f"U{i}", "name": f"Đơn vị {i}"}
        if i and draw(st.booleans()):
            unit["parent"] = f"U{draw(st.integers(0, i - 1))}"
        if draw(st.booleans()):
            unit["areas"] = draw(st.lists(st.sampled_from(AREAS), unique=True, max_size=2))
        if draw(st.booleans()):
            unit["commune"] = draw(st.sampled_from(["X-001", "X-002", "X-999"]))
        units.append(unit)
    people = []
    for i in range(draw(st.integers(0, 6))):
        fields: dict[str, Any] = {}
        if draw(st.booleans()):
            fields["areas"] = draw(st.lists(st.sampled_from(AREAS), unique=True, max_size=2))
        if draw(st.booleans()):
            fields["commune"] = draw(st.sampled_from(["X-001", "X-002", "X-999"]))
        unit_id = draw(st.one_of(st.none(), st.sampled_from([u["id"] for u in units])))
        people.append(person(f"P{i}", unit_id, **fields))
    return {
        "batch": {"id": "b", "year": 2021, "as_of": "2021-12-15", "province": "tp"},
        "units": units,
        "people": people,
        "nominations": [{"candidate": p["id"], "award": "lao_dong_tien_tien"} for p in people],
    }


@settings(max_examples=60, deadline=None)
@given(area_batch(), st.booleans())
def test_the_lean_area_reading_equals_the_full_classification(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any], listed: bool
) -> None:
    from khenthuong.engine.evaluate import Evaluation
    from khenthuong.ranking.policy import compile_policy
    from khenthuong.ranking.priority import AreaClassifier

    root = tmp_path_factory.mktemp("areas")
    registry = write_packs(root, areas=copy.deepcopy(AREA_LIST) if listed else None, layer={})
    batch = batch_from_data(data)
    day = batch.batch.decision_date
    pack = registry.for_date(day, "tp", None)
    ev = Evaluation(pack.plan(day), batch)
    plan = compile_policy(pack, day)
    lean, full = AreaClassifier(plan, ev), AreaClassifier(plan, ev)
    for view in ev.index.subjects.values():
        assert lean.areas_of(view) == full.classify(view).areas, view.id
