"""Quota arithmetic, rounding, minimum, scopes and the base a ratio is applied to."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from khenthuong.batch.load import batch_from_data
from khenthuong.model.vocab import Award, Confidence
from khenthuong.ranking.policy import Cited, CompiledQuota
from khenthuong.ranking.quota import arithmetic, decimal_text, percent_text, round_places
from khenthuong.runner import BatchResult, evaluate_batch
from tests.ranking_packs import CLUSTERS, RANKING, initiative, person, write_packs

CSTDCS = Award.CHIEN_SI_THI_DUA_CO_SO


def quota(ratio: str = "0.15", rounding: str = "floor", minimum: int = 0) -> CompiledQuota:
    return CompiledQuota(
        "q", CSTDCS, "t", "unit", None, Decimal(ratio), None, rounding, minimum, False,
        Cited("Nghị định 91/2017/NĐ-CP, Điều 9, khoản 3", Confidence.SEEN), None, (), None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("base", "rounding", "minimum", "slots", "text"),
    [
        (40, "floor", 0, 6, "15% × 40 = 6,0 → 6"),
        (47, "floor", 0, 7, "15% × 47 = 7,05 → 7"),
        (47, "half_up", 0, 7, "15% × 47 = 7,05 → 7"),
        (47, "ceil", 0, 8, "15% × 47 = 7,05 → 8"),
        (5, "floor", 1, 1, "15% × 5 = 0,75 → 0; tối thiểu 1 → 1"),
        (5, "floor", 0, 0, "15% × 5 = 0,75 → 0"),
        (5, "half_up", 0, 1, "15% × 5 = 0,75 → 1"),
        (10, "half_up", 0, 2, "15% × 10 = 1,5 → 2"),
        (0, "floor", 1, 1, "15% × 0 = 0,0 → 0; tối thiểu 1 → 1"),
        (20, "floor", 0, 3, "15% × 20 = 3,0 → 3"),
    ],
)
def test_quota_arithmetic_and_rounding(
    base: int, rounding: str, minimum: int, slots: int, text: str
) -> None:
    counted = arithmetic(quota(rounding=rounding, minimum=minimum), "unit", "U1", base)
    assert counted.slots == slots
    assert counted.text() == text


def test_arithmetic_is_exact_decimal_not_float() -> None:
    # 0.15 × 40 in binary floating point is 6.000000000000001; the quota must be exactly 6.
    counted = arithmetic(quota(), "unit", "U1", 40)
    assert counted.product == Decimal("6.00")
    assert round_places(Decimal("0.15") * 20, "ceil") == 3


def test_english_text_uses_a_decimal_point() -> None:
    assert arithmetic(quota(), "unit", "U1", 47).text("en") == "15% × 47 = 7.05 → 7"
    assert decimal_text(Decimal("0.75"), "en") == "0.75"
    assert percent_text(Decimal("0.125")) == "12,5%"
    assert percent_text(Decimal("0.2")) == "20%"


def test_rounding_counts_towards_confidence_only_when_it_changed_the_result() -> None:
    q = CompiledQuota(
        "q", CSTDCS, "t", "unit", None, Decimal("0.15"), None, "floor", 0, False,
        Cited("c", Confidence.SEEN), Cited("r", Confidence.UNCONFIRMED), (), None,
    )  # fmt: skip
    assert arithmetic(q, "unit", "U1", 40).confidence is Confidence.SEEN
    assert arithmetic(q, "unit", "U1", 47).confidence is Confidence.UNCONFIRMED


def _run(tmp_path: Path, data: dict[str, Any], **packs: Any) -> BatchResult:
    registry = write_packs(tmp_path / "rules", **packs)
    return evaluate_batch(batch_from_data(data), registry=registry)


def _batch(
    people: list[dict[str, Any]],
    units: list[dict[str, Any]],
    nominations: list[tuple[str, str]],
    **header: Any,
) -> dict[str, Any]:
    return {
        "batch": {"id": "b", "year": 2021, "as_of": "2021-12-15", **header},
        "units": units,
        "people": people,
        "nominations": [{"candidate": c, "award": a} for c, a in nominations],
    }


def test_unit_scope_counts_listed_members_of_the_whole_unit_tree(tmp_path: Path) -> None:
    # 20 LĐTT under U-ROOT (spread over two sub-units), 1 rated HTNV: 15% × 20 = 3,0 → 3.
    units = [
        {"id": "U-ROOT", "name": "Sở"},
        {"id": "U-A", "name": "Phòng A", "parent": "U-ROOT"},
        {"id": "U-B", "name": "Phòng B", "parent": "U-ROOT"},
    ]
    people = [person(f"A{i:02}", "U-A") for i in range(12)]
    people += [person(f"B{i:02}", "U-B") for i in range(8)]
    people.append(person("B99", "U-B", history=[{"year": 2021, "rating": "HTNV"}]))
    people[0]["initiatives"] = [initiative("SK1")]
    result = _run(tmp_path, _batch(people, units, [("A00", "chien_si_thi_dua_co_so")]))
    (ranking,) = [r for r in result.rankings if r.award is CSTDCS]
    assert ranking.scope == "U-ROOT"
    assert ranking.arithmetic is not None
    assert (ranking.arithmetic.base, ranking.arithmetic.slots) == (20, 3)
    assert ranking.arithmetic.text() == "15% × 20 = 3,0 → 3"


def test_unit_aggregate_is_used_when_members_are_not_all_listed(tmp_path: Path) -> None:
    # U-AGG lists nobody and declares 27 LĐTT; U-ROOT lists 3 people: 15% × 30 = 4,5 → 4.
    units = [
        {"id": "U-ROOT", "name": "Trung tâm", "headcount": 3},
        {
            "id": "U-AGG",
            "name": "Khoa",
            "parent": "U-ROOT",
            "headcount": 30,
            "history": [{"year": 2021, "members_lao_dong_tien_tien": 27}],
        },
    ]
    people = [person(f"P{i}", "U-ROOT") for i in range(3)]
    people[0]["initiatives"] = [initiative("SK1")]
    result = _run(tmp_path, _batch(people, units, [("P0", "chien_si_thi_dua_co_so")]))
    arith = result.rankings[0].arithmetic
    assert arith is not None
    assert arith.base == 30
    assert {p.unit: p.how for p in arith.parts} == {"U-ROOT": "listed", "U-AGG": "aggregate"}
    assert arith.slots == 4


def test_undetermined_members_are_left_out_of_the_base_and_counted_apart(tmp_path: Path) -> None:
    units = [{"id": "U1", "name": "Phòng"}]
    people = [person(f"P{i}", "U1") for i in range(7)]
    people.append(person("P7", "U1", history=[]))  # no 2021 rating: LĐTT undetermined
    people[0]["initiatives"] = [initiative("SK1")]
    result = _run(tmp_path, _batch(people, units, [("P0", "chien_si_thi_dua_co_so")]))
    arith = result.rankings[0].arithmetic
    assert arith is not None
    assert (arith.base, arith.base_unknown, arith.slots) == (7, 1, 1)
    assert arith.to_json()["base_unknown"] == 1


def test_minimum_raises_the_places_of_a_small_unit(tmp_path: Path) -> None:
    ranking = copy.deepcopy(RANKING)
    ranking["ranking"]["quotas"][0]["minimum"] = 1
    units = [{"id": "U1", "name": "Trạm"}]
    people = [person(f"P{i}", "U1", initiatives=[initiative(f"SK{i}")]) for i in range(5)]
    result = _run(
        tmp_path,
        _batch(people, units, [(f"P{i}", "chien_si_thi_dua_co_so") for i in range(5)]),
        ranking=ranking,
    )
    arith = result.rankings[0].arithmetic
    assert arith is not None
    assert arith.text() == "15% × 5 = 0,75 → 0; tối thiểu 1 → 1"
    assert len(result.rankings[0].selected) == 1
    assert len(result.rankings[0].cut) == 4


def test_province_scope_counts_collectives_meeting_the_provincial_flag_standard(
    tmp_path: Path,
) -> None:
    # 10 units meet the Cờ tỉnh standard (rated HTXSNV): Cờ CP ≤ 20% × 10 = 2,0 → 2.
    units = [
        {"id": f"U{i}", "name": f"Đơn vị {i}", "history": [{"year": 2021, "rating": "HTXSNV"}]}
        for i in range(10)
    ]
    units.append(
        {"id": "U-LOW", "name": "Đơn vị thấp", "history": [{"year": 2021, "rating": "HTTNV"}]}
    )
    result = _run(
        tmp_path,
        _batch([], units, [(f"U{i}", "co_thi_dua_chinh_phu") for i in range(4)], province="tp"),
        layer={"ranking": {}},
    )
    (ranking,) = [r for r in result.rankings if r.award is Award.CO_THI_DUA_CHINH_PHU]
    assert ranking.scope == "tp"
    assert ranking.arithmetic is not None
    assert ranking.arithmetic.text() == "20% × 10 = 2,0 → 2"
    # No rule decides Cờ CP in the test pack: the nominations are undetermined, none ranked.
    assert all(p.rank is None and p.selected is None for p in ranking.placements)


def test_cluster_scope_gives_fixed_places_per_cluster(tmp_path: Path) -> None:
    units = [
        {"id": "U1", "name": "Sở 1", "cluster": "khoi-a", "history": [{"year": 2021, "rating": "HTXSNV"}]},
        {"id": "U2", "name": "Sở 2", "cluster": "khoi-a", "history": [{"year": 2021, "rating": "HTXSNV"}]},
        {"id": "U3", "name": "Sở 3", "cluster": "khoi-b", "history": [{"year": 2021, "rating": "HTXSNV"}]},
        {"id": "U4", "name": "Sở 4", "history": [{"year": 2021, "rating": "HTXSNV"}]},
    ]  # fmt: skip
    result = _run(
        tmp_path,
        _batch([], units, [(u["id"], "co_thi_dua_tinh") for u in units], province="tp"),
        clusters=copy.deepcopy(CLUSTERS),
    )
    by_scope = {r.scope: r for r in result.rankings if r.award is Award.CO_THI_DUA_TINH}
    assert set(by_scope) == {"khoi-a", "khoi-b"}
    assert [p.candidate for p in by_scope["khoi-a"].selected] == ["U1"]
    assert [p.candidate for p in by_scope["khoi-a"].cut] == ["U2"]
    assert by_scope["khoi-a"].arithmetic is not None
    assert by_scope["khoi-a"].arithmetic.text() == "1 suất"
    # U4 names no cluster: it is not placed, and a finding says so.
    assert result.placement("U4", "co_thi_dua_tinh") is None
    assert [f.candidates for f in result.findings if f.code == "KT419"] == [("U4",)]


def test_quota_ratio_from_a_dated_parameter_of_the_layer(tmp_path: Path) -> None:
    layer = {
        "parameters": [
            {
                "id": "cstdcs_ratio",
                "title": "Tỷ lệ",
                "delegated": True,
                "values": [
                    {"from": "2017-10-01", "value": 0.15, "source": {"instrument": "law", "confidence": "seen"}},
                    {"from": "2021-01-01", "value": 0.1, "source": {"instrument": "law", "confidence": "unconfirmed"}},
                ],
            }
        ],
        "ranking": {
            "quotas": [
                {
                    "id": "tp.cstdcs",
                    "award": "chien_si_thi_dua_co_so",
                    "scope": "unit",
                    "base": {"holders": "lao_dong_tien_tien"},
                    "ratio": {"param": "cstdcs_ratio"},
                    "rounding": "half_up",
                    "valid": {"from": "2017-10-01"},
                    "overrides": "t.cstdcs",
                    "source": {"instrument": "law", "confidence": "unconfirmed"},
                }
            ]
        },
    }  # fmt: skip
    units = [{"id": "U1", "name": "Phòng"}]
    people = [person(f"P{i:02}", "U1") for i in range(25)]
    people[0]["initiatives"] = [initiative("SK1")]
    result = _run(
        tmp_path,
        _batch(people, units, [("P00", "chien_si_thi_dua_co_so")], province="tp"),
        layer=layer,
    )
    arith = result.rankings[0].arithmetic
    assert arith is not None
    assert arith.quota.id == "tp.cstdcs"
    assert arith.text() == "10% × 25 = 2,5 → 3"
    assert arith.confidence is Confidence.UNCONFIRMED
    assert [p.id for p in arith.quota.params] == ["cstdcs_ratio"]
