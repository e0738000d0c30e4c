"""Ranking under quotas and priorities: order, cut reasons, areas, the policy files and the outputs."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from khenthuong.audit.records import result_record
from khenthuong.batch.load import batch_from_data
from khenthuong.cli import main
from khenthuong.errors import PackError
from khenthuong.model.vocab import Award, Confidence
from khenthuong.packs.registry import PackRegistry, bundled_rules_dir
from khenthuong.ranking import compile_policy
from khenthuong.ranking.rank import Entry, deciding_key, rank_entries
from khenthuong.report.text import render
from khenthuong.runner import BatchResult, evaluate_batch
from tests.ranking_packs import AREA_LIST, RANKING, SEEN, initiative, person, write_packs

CSTDCS = "chien_si_thi_dua_co_so"
FIXTURES = bundled_rules_dir().parent / "fixtures" / "cao-bang-2021"


def run(tmp_path: Path, data: dict[str, Any], **packs: Any) -> BatchResult:
    return evaluate_batch(batch_from_data(data), registry=write_packs(tmp_path / "rules", **packs))


def cstdcs_batch(people: list[dict[str, Any]], **header: Any) -> dict[str, Any]:
    """One unit; every listed person with an initiative is nominated for CSTĐCS."""
    return {
        "batch": {"id": "b", "year": 2021, "as_of": "2021-12-15", **header},
        "units": [{"id": "U1", "name": "Phòng"}],
        "people": people,
        "nominations": [
            {"candidate": p["id"], "award": CSTDCS} for p in people if p.get("initiatives")
        ],
    }


def padded(people: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    """Add plain LĐTT members so that the unit has `total` people (sets the quota base)."""
    return people + [person(f"Z{i:02}") for i in range(total - len(people))]


# --------------------------------------------------------------------------- order and cuts


def test_rank_entries_orders_by_keys_then_candidate_id() -> None:
    out = rank_entries([Entry("P2", (1, 0)), Entry("P1", (1, 0)), Entry("P3", (0, 5))], 1)
    assert [(e.candidate, r, s) for e, r, s in out] == [
        ("P1", 1, True),
        ("P2", 2, False),
        ("P3", 3, False),
    ]
    assert deciding_key(Entry("P3", (0, 5)), Entry("P1", (1, 0))) == 0
    assert deciding_key(Entry("P2", (1, 0)), Entry("P1", (1, 0))) is None
    assert all(s for _, _, s in rank_entries([Entry("A", (0,)), Entry("B", (1,))], None))


def test_frontline_worker_takes_the_place_and_the_cut_names_the_key(tmp_path: Path) -> None:
    # 7 LĐTT → 15% × 7 = 1,05 → 1 place; two eligible candidates.
    people = padded(
        [
            person("P1", frontline=False, gender="nu", initiatives=[initiative("S1", "tinh")]),
            person("P2", frontline=True, gender="nam", initiatives=[initiative("S2")]),
        ],
        7,
    )
    result = run(tmp_path, cstdcs_batch(people))
    (ranking,) = result.rankings
    assert [p.candidate for p in ranking.selected] == ["P2"]
    cut = result.placement("P1", CSTDCS)
    assert cut is not None
    assert cut.rank == 2
    assert cut.selected is False
    assert cut.cut_by is not None
    assert (cut.cut_by.key, cut.cut_by.against, cut.cut_by.legal) == ("frontline", "P2", True)
    assert cut.cut_by.text() == "Trực tiếp: không, so với P2: có"


def test_women_break_a_tie_on_the_keys_before_them(tmp_path: Path) -> None:
    people = padded(
        [
            person("P1", frontline=True, gender="nam", initiatives=[initiative("S1")]),
            person("P2", frontline=True, gender="nu", initiatives=[initiative("S2")]),
        ],
        7,
    )
    result = run(tmp_path, cstdcs_batch(people))
    cut = result.placement("P1", CSTDCS)
    assert cut is not None
    assert cut.cut_by is not None
    assert cut.cut_by.key == "women"


def test_merit_keys_follow_the_legal_ones(tmp_path: Path) -> None:
    streak = [{"year": y, "rating": "HTXSNV"} for y in (2019, 2020, 2021)]
    people = padded(
        [
            person("P1", frontline=True, gender="nu", initiatives=[initiative("S1")]),
            person(
                "P2", frontline=True, gender="nu", history=streak, initiatives=[initiative("S2")]
            ),
        ],
        7,
    )
    result = run(tmp_path, cstdcs_batch(people))
    cut = result.placement("P1", CSTDCS)
    assert cut is not None
    assert cut.cut_by is not None
    assert (cut.cut_by.key, cut.cut_by.legal) == ("rating_streak", False)
    assert cut.cut_by.own is not None
    assert cut.cut_by.theirs is not None
    assert (cut.cut_by.own.value, cut.cut_by.theirs.value) == (0, 3)


def test_a_full_tie_is_broken_by_candidate_id_and_flagged(tmp_path: Path) -> None:
    people = padded(
        [
            person("P2", frontline=True, initiatives=[initiative("S2")]),
            person("P1", frontline=True, initiatives=[initiative("S1")]),
        ],
        7,
    )
    result = run(tmp_path, cstdcs_batch(people))
    cut = result.placement("P2", CSTDCS)
    assert cut is not None
    assert cut.cut_by is not None
    assert (cut.cut_by.key, cut.cut_by.legal) == ("candidate_id", False)
    (tie,) = [f for f in result.findings if f.code == "KT422"]
    assert tie.candidates == ("P1", "P2")


def test_ineligible_and_undetermined_are_not_ranked(tmp_path: Path) -> None:
    people = padded(
        [
            person("P1", initiatives=[initiative("S1")]),
            person(
                "P2", history=[{"year": 2021, "rating": "HTNV"}], initiatives=[initiative("S2")]
            ),
            person("P3", history=[], initiatives=[initiative("S3")]),
        ],
        9,  # 7 reach LĐTT: one place
    )
    result = run(tmp_path, cstdcs_batch(people))
    places = {c: result.placement(c, CSTDCS) for c in ("P1", "P2", "P3")}
    assert [(p.rank, p.selected) for p in places.values() if p] == [
        (1, True),
        (None, False),
        (None, None),
    ]


def test_no_places_cuts_everyone_with_the_quota_as_reason(tmp_path: Path) -> None:
    people = padded([person("P1", initiatives=[initiative("S1")])], 6)  # 15% × 6 = 0,9 → 0
    result = run(tmp_path, cstdcs_batch(people))
    cut = result.placement("P1", CSTDCS)
    assert cut is not None
    assert cut.cut_by is not None
    assert (cut.selected, cut.cut_by.key) == (False, "slots")


def test_awards_without_quota_have_no_rank_and_no_selection(tmp_path: Path) -> None:
    people = [person("P1"), person("P2")]
    data = cstdcs_batch(people)
    data["nominations"] = [{"candidate": "P1", "award": "lao_dong_tien_tien"}]
    result = run(tmp_path, data)
    assert result.rankings == ()
    record = result_record(result)
    assert [(d["rank"], d["selected"], d["quota"]) for d in record["decisions"]] == [
        (None, None, None)
    ]


# --------------------------------------------------------------------------- areas


def test_area_flags_classify_and_say_where_they_came_from(tmp_path: Path) -> None:
    people = padded(
        [
            person("P1", initiatives=[initiative("S1")]),
            person("P2", areas=["bien_gioi"], initiatives=[initiative("S2")]),
        ],
        7,
    )
    result = run(tmp_path, cstdcs_batch(people))
    top = result.placement("P2", CSTDCS)
    assert top is not None
    assert top.selected is True
    area = next(v for v in top.values if v.key == "area")
    assert area.value == "bien_gioi"
    assert [(e.via, e.where) for e in area.evidence] == [("flag", "people[P2].areas")]
    cut = result.placement("P1", CSTDCS)
    assert cut is not None
    assert cut.cut_by is not None
    assert cut.cut_by.key == "area"


def test_commune_codes_are_looked_up_in_the_layer_area_list(tmp_path: Path) -> None:
    people = padded(
        [
            person("P1", commune="X-999", initiatives=[initiative("S1")]),
            person("P2", commune="X-002", initiatives=[initiative("S2")]),
        ],
        7,
    )
    result = run(tmp_path, cstdcs_batch(people, province="tp"), areas=copy.deepcopy(AREA_LIST))
    top = result.placement("P2", CSTDCS)
    assert top is not None
    assert top.rank == 1
    (evidence,) = next(v for v in top.values if v.key == "area").evidence
    assert (evidence.via, evidence.list_id, evidence.where) == (
        "list",
        "tp.kv3",
        "t-prov/areas/kv3.yaml",
    )
    assert "danh sách tp.kv3 (t-prov/areas/kv3.yaml)" in render(result)
    # X-999 is not in the list, which is incomplete: not "outside khu vực III" but unclassified.
    (note,) = [f for f in result.findings if f.code == "KT420"]
    assert note.candidates == ("P1",)
    assert note.details["reason"] == "not_in_incomplete_list"


def test_area_lists_apply_only_to_their_years(tmp_path: Path) -> None:
    people = padded([person("P2", commune="X-002", initiatives=[initiative("S2", year=2020)])], 7)
    for p in people:
        p["history"] = [{"year": 2020, "rating": "HTTNV"}]
    data = cstdcs_batch(people, province="tp")
    data["batch"].update(year=2020, as_of="2020-12-15")
    result = run(tmp_path, data, areas=copy.deepcopy(AREA_LIST))
    top = result.placement("P2", CSTDCS)
    assert top is not None
    assert next(v for v in top.values if v.key == "area").score == 0
    assert [f.details["reason"] for f in result.findings if f.code == "KT420"] == ["no_list"]


def test_a_person_takes_the_areas_of_their_unit(tmp_path: Path) -> None:
    data = cstdcs_batch(padded([person("P1", initiatives=[initiative("S1")])], 7))
    data["units"] = [{"id": "U1", "name": "Trạm y tế xã", "areas": ["khu_vuc_iii"]}]
    result = run(tmp_path, data)
    top = result.placement("P1", CSTDCS)
    assert top is not None
    (evidence,) = next(v for v in top.values if v.key == "area").evidence
    assert (evidence.where, evidence.inherited_from) == ("units[U1].areas", "U1")


def test_women_share_of_a_collective_from_listed_members_or_the_aggregate(tmp_path: Path) -> None:
    ranking = copy.deepcopy(RANKING)
    ranking["ranking"]["quotas"].append(
        {
            "id": "t.ttldtt",
            "award": "tap_the_lao_dong_tien_tien",
            "scope": "batch",
            "slots": 1,
            "valid": {"from": "2017-10-01"},
            "source": SEEN,
        }
    )
    units = [
        {"id": "U-L", "name": "Liệt kê"},
        {
            "id": "U-A",
            "name": "Tổng hợp",
            "headcount": 10,
            "history": [{"year": 2021, "members_lao_dong_tien_tien": 8, "members_women": 7}],
        },
    ]
    people = [person(f"L{i}", "U-L", gender="nu" if i < 6 else "nam") for i in range(10)]
    data = {
        "batch": {"id": "b", "year": 2021, "as_of": "2021-12-15"},
        "units": units,
        "people": people,
        "nominations": [
            {"candidate": "U-L", "award": "tap_the_lao_dong_tien_tien"},
            {"candidate": "U-A", "award": "tap_the_lao_dong_tien_tien"},
        ],
    }
    result = run(tmp_path, data, ranking=ranking)
    (ranking_,) = result.rankings
    assert [p.candidate for p in ranking_.selected] == ["U-A"]  # 7/10 women ≥ 70%; U-L 6/10
    women = {p.candidate: next(v for v in p.values if v.key == "women") for p in ranking_.ranked}
    assert (women["U-A"].value, women["U-L"].value) == ("7/10", "6/10")


# --------------------------------------------------------------------------- bundled policies


@pytest.fixture(scope="module")
def bundled() -> PackRegistry:
    return PackRegistry()


def test_vn_2017_caps_cstdcs_at_15_percent_with_its_citation(bundled: PackRegistry) -> None:
    plan = compile_policy(bundled.resolve("vn-2017"), dt.date(2021, 12, 15))
    q = plan.quotas[Award.CHIEN_SI_THI_DUA_CO_SO]
    assert (str(q.ratio), q.rounding, q.minimum, q.scope) == ("0.15", "floor", 0, "unit")
    assert q.source.cite == "Nghị định 91/2017/NĐ-CP, Điều 9, khoản 3"
    assert q.source.confidence is Confidence.SEEN
    # The ratio and the rounding come from the pack's delegated parameters, the rounding unconfirmed.
    assert [(p.id, p.delegated) for p in q.params] == [("cstdcs_max_share_of_ldtt", True)]
    assert [p.source.confidence for p in q.rounding_params] == [Confidence.UNCONFIRMED]
    cp = plan.quotas[Award.CO_THI_DUA_CHINH_PHU]
    assert (cp.ratio, cp.scope, cp.source.cite) == (
        Decimal("0.2"),
        "province",
        "Nghị định 91/2017/NĐ-CP, Điều 11, khoản 1",
    )
    keys = [k.name for k in plan.priority_for(Award.CHIEN_SI_THI_DUA_CO_SO).keys]
    assert keys == ["frontline", "women", "rating_streak", "initiative_scope"]  # no area in 2017


def test_vn_2024_has_no_national_cstdcs_cap_and_puts_areas_in_the_law(
    bundled: PackRegistry,
) -> None:
    plan = compile_policy(bundled.resolve("vn-2024"), dt.date(2024, 12, 31))
    q = plan.quotas[Award.CHIEN_SI_THI_DUA_CO_SO]
    assert q.uncapped  # the delegated parameter is 1: no national cap
    assert q.note() == "Không có hạn mức chung của Trung ương: tỷ lệ do bộ, ngành, tỉnh quy định."
    keys = {k.name: k for k in plan.priority_for(Award.CHIEN_SI_THI_DUA_CO_SO).keys}
    assert list(keys) == ["frontline", "area", "women", "rating_streak", "initiative_scope"]
    assert keys["area"].source.cite == "Luật Thi đua, khen thưởng 2022, Điều 5, khoản 2, điểm d"
    assert keys["women"].source.confidence is Confidence.UNCONFIRMED
    assert "KT416" in plan.findings


def test_cao_bang_adds_areas_in_2021_and_a_provincial_cap_from_2024(bundled: PackRegistry) -> None:
    plan_2021 = compile_policy(bundled.resolve("vn-2017", "cao-bang"), dt.date(2021, 12, 15))
    prio = plan_2021.priority_for(Award.CHIEN_SI_THI_DUA_CO_SO)
    assert prio.id == "cao-bang.2021"
    area = next(k for k in prio.keys if k.name == "area")
    assert area.source.cite.startswith("Chỉ thị 01/CT-UBND")
    assert plan_2021.clusters is not None
    assert sum(plan_2021.clusters.structure.values()) == 17
    assert plan_2021.clusters.members_total == 137
    assert "khoi-noi-chinh" in {c.id for c in plan_2021.clusters.clusters}
    assert [a.spec.id for a in plan_2021.area_lists] == [
        "cao-bang.bien-gioi",
        "cao-bang.khu-vuc-iii.2021-2025",
    ]
    plan_2022 = compile_policy(bundled.resolve("vn-2017", "cao-bang"), dt.date(2022, 12, 31))
    assert plan_2022.priority_for(Award.CHIEN_SI_THI_DUA_CO_SO).id == "vn-2017.default"
    plan_2024 = compile_policy(bundled.resolve("vn-2024", "cao-bang"), dt.date(2024, 12, 31))
    q = plan_2024.quotas[Award.CHIEN_SI_THI_DUA_CO_SO]
    assert (q.uncapped, str(q.ratio), q.confidence) == (False, "0.15", Confidence.UNCONFIRMED)
    assert [(p.id, p.pack, p.delegated) for p in q.params] == [
        ("cstdcs_max_share_of_ldtt", "cao-bang", True)
    ]
    plan_2026 = compile_policy(bundled.resolve("vn-2024", "cao-bang"), dt.date(2026, 12, 31))
    assert [a.spec.id for a in plan_2026.area_lists] == [
        "cao-bang.bien-gioi",
        "cao-bang.khu-vuc-iii.2026-2030",
    ]
    assert plan_2026.clusters is None  # districts were abolished on 01/07/2025


# --------------------------------------------------------------------------- policy errors


def _policy_error(tmp_path: Path, ranking: dict[str, Any]) -> list[str]:
    registry = write_packs(tmp_path / "rules", ranking=ranking)
    with pytest.raises(PackError) as info:
        compile_policy(registry.resolve("t-nat"), dt.date(2021, 12, 15))
    return [d.code for d in info.value.diagnostics]


def test_policy_schema_errors_are_located(tmp_path: Path) -> None:
    ranking = copy.deepcopy(RANKING)
    ranking["ranking"]["quotas"][0]["ratoi"] = 0.1
    registry = write_packs(tmp_path / "rules", ranking=ranking)
    with pytest.raises(PackError) as info:
        compile_policy(registry.resolve("t-nat"), dt.date(2021, 12, 15))
    (diag,) = info.value.diagnostics
    assert diag.code == "KT400"
    assert diag.location.file == "t-nat/ranking.yaml"
    assert diag.location.line is not None
    assert 'did you mean "ratio"' in diag.message


def test_a_quota_needs_a_scope_and_one_of_ratio_or_slots(tmp_path: Path) -> None:
    ranking = copy.deepcopy(RANKING)
    ranking["ranking"]["quotas"][0]["slots"] = 2
    assert _policy_error(tmp_path, ranking) == ["KT400"]


def test_two_quotas_for_one_award_without_precedence(tmp_path: Path) -> None:
    ranking = copy.deepcopy(RANKING)
    twin = copy.deepcopy(ranking["ranking"]["quotas"][0])
    twin["id"] = "t.cstdcs.twin"
    ranking["ranking"]["quotas"].append(twin)
    assert _policy_error(tmp_path, ranking) == ["KT401"]
    twin["overrides"] = "t.cstdcs"
    registry = write_packs(tmp_path / "ok", ranking=ranking)
    plan = compile_policy(registry.resolve("t-nat"), dt.date(2021, 12, 15))
    assert plan.quotas[Award.CHIEN_SI_THI_DUA_CO_SO].id == "t.cstdcs.twin"


def test_unknown_parameter_and_bad_rounding(tmp_path: Path) -> None:
    ranking = copy.deepcopy(RANKING)
    ranking["ranking"]["quotas"][0]["ratio"] = {"param": "nowhere"}
    assert _policy_error(tmp_path / "a", ranking) == ["KT402"]


def test_unknown_instrument_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    ranking = copy.deepcopy(RANKING)
    ranking["ranking"]["quotas"][0]["source"] = {"instrument": "lwa", "confidence": "seen"}
    registry = write_packs(tmp_path / "rules", ranking=ranking)
    with pytest.raises(PackError) as info:
        compile_policy(registry.resolve("t-nat"), dt.date(2021, 12, 15))
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.location.rule) == ("KT403", "t.cstdcs")
    assert 'did you mean "law"' in diag.message


def test_duplicate_ids_and_unknown_override_targets(tmp_path: Path) -> None:
    ranking = copy.deepcopy(RANKING)
    ranking["ranking"]["priorities"].append(copy.deepcopy(ranking["ranking"]["priorities"][0]))
    assert "KT404" in _policy_error(tmp_path / "a", ranking)
    ranking = copy.deepcopy(RANKING)
    ranking["ranking"]["quotas"][0]["overrides"] = "no-such-quota"
    assert _policy_error(tmp_path / "b", ranking) == ["KT404"]


# --------------------------------------------------------------------------- outputs


def test_json_record_carries_rank_selection_quota_and_the_cut(tmp_path: Path) -> None:
    people = padded(
        [
            person("P1", frontline=False, initiatives=[initiative("S1")]),
            person("P2", frontline=True, initiatives=[initiative("S2")]),
        ],
        7,
    )
    record = result_record(run(tmp_path, cstdcs_batch(people)))
    by_id = {d["candidate"]: d for d in record["decisions"] if d["award"] == CSTDCS}
    top, cut = by_id["P2"], by_id["P1"]
    assert (top["rank"], top["selected"], top["cut_by"]) == (1, True, None)
    assert (cut["rank"], cut["selected"], cut["cut_by"]["key"]) == (2, False, "frontline")
    quota = top["quota"]
    assert {k: quota[k] for k in ("scope", "base", "ratio", "rounding", "slots", "text")} == {
        "scope": "U1",
        "base": 7,
        "ratio": "0.15",
        "rounding": "floor",
        "slots": 1,
        "text": "15% × 7 = 1,05 → 1",
    }
    (ranking,) = record["rankings"]
    assert ranking["cut_line"] == 1
    assert [r["candidate"] for r in ranking["ranked"]] == ["P2", "P1"]
    assert ranking["priority"]["keys"][-1]["key"] == "candidate_id"
    json.dumps(record)  # serialisable as is


def test_table_shows_the_ranked_list_with_the_cut_line(tmp_path: Path) -> None:
    people = padded(
        [
            person("P1", frontline=False, initiatives=[initiative("S1")]),
            person("P2", frontline=True, initiatives=[initiative("S2")]),
        ],
        7,
    )
    result = run(tmp_path, cstdcs_batch(people))
    text = render(result)
    assert "Hạn mức — đơn vị U1: 15% × 7 = 1,05 → 1 suất (làm tròn xuống)" in text
    lines = text.splitlines()
    cut_line = next(i for i, line in enumerate(lines) if "vạch hạn mức: 1 suất" in line)
    assert "P2" in lines[cut_line - 1]
    assert "✓ được chọn" in lines[cut_line - 1]
    assert "P1" in lines[cut_line + 1]
    assert "✗ ngoài hạn mức — Trực tiếp" in lines[cut_line + 1]
    english = render(result, "en")
    assert "cut line: 1 place(s)" in english
    assert "15% × 7 = 1.05 → 1" in english


def test_cli_exits_1_when_an_eligible_candidate_is_cut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = write_packs(tmp_path / "rules")
    monkeypatch.setattr("khenthuong.runner.PackRegistry", lambda: registry)
    import yaml

    one = tmp_path / "one.yaml"
    one.write_text(
        yaml.safe_dump(cstdcs_batch(padded([person("P1", initiatives=[initiative("S1")])], 7))),
        encoding="utf-8",
    )
    assert main(["check", str(one)]) == 0
    two = tmp_path / "two.yaml"
    two.write_text(
        yaml.safe_dump(
            cstdcs_batch(
                padded(
                    [
                        person("P1", initiatives=[initiative("S1")]),
                        person("P2", initiatives=[initiative("S2")]),
                    ],
                    7,
                )
            )
        ),
        encoding="utf-8",
    )
    assert main(["check", str(two)]) == 1
    assert main(["check", str(two), "--exit-zero"]) == 0
    capsys.readouterr()


# --------------------------------------------------------------------------- the fixture


def test_so_noi_vu_fixture_selects_the_three_frontline_candidates() -> None:
    result = evaluate_batch(FIXTURES / "so-noi-vu.yaml")
    (ranking,) = [r for r in result.rankings if r.award is Award.CHIEN_SI_THI_DUA_CO_SO]
    assert ranking.arithmetic is not None
    assert (ranking.scope, ranking.arithmetic.text()) == ("U-SNV", "15% × 20 = 3,0 → 3")
    assert sorted(p.candidate for p in ranking.selected) == ["P-006", "P-007", "P-015"]
    cut = {p.candidate: p.cut_by.key for p in ranking.cut if p.cut_by}
    assert cut == {"P-002": "frontline", "P-004": "frontline"}
