"""Batch-level findings: one test per code (KT410–KT422), with candidates, rule and citation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from khenthuong.audit.records import result_record
from khenthuong.batch.load import batch_from_data
from khenthuong.errors import Severity
from khenthuong.model.vocab import Award, Confidence
from khenthuong.ranking import Finding
from khenthuong.runner import BatchResult, evaluate_batch
from tests.ranking_packs import AREA_LIST, CLUSTERS, RANKING, initiative, person, write_packs


def run(
    tmp_path: Path,
    people: list[dict[str, Any]],
    nominations: list[dict[str, Any] | tuple[str, str]],
    units: list[dict[str, Any]] | None = None,
    **packs: Any,
) -> BatchResult:
    header: dict[str, Any] = {"id": "b", "year": 2021, "as_of": "2021-12-15"}
    if {"layer", "areas", "clusters"} & set(packs):
        header["province"] = "tp"
    data = {
        "batch": header,
        "units": units if units is not None else [{"id": "U1", "name": "Phòng"}],
        "people": people,
        "nominations": [
            n if isinstance(n, dict) else {"candidate": n[0], "award": n[1]} for n in nominations
        ],
    }
    return evaluate_batch(batch_from_data(data), registry=write_packs(tmp_path / "rules", **packs))


def only(result: BatchResult, code: str) -> Finding:
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, [f.message() for f in result.findings]
    return found[0]


def test_kt410_duplicate_nomination(tmp_path: Path) -> None:
    result = run(tmp_path, [person("P1")], [("P1", "lao_dong_tien_tien")] * 2)
    f = only(result, "KT410")
    assert (f.candidates, f.awards, f.severity) == (
        ("P1",),
        (Award.LAO_DONG_TIEN_TIEN,),
        Severity.WARNING,
    )
    assert f.details["nominations"] == [0, 1]
    assert "2 lần" in f.message()
    assert "2 times" in f.message("en")


def test_kt411_one_achievement_as_the_basis_of_two_awards(tmp_path: Path) -> None:
    p = person("P1", initiatives=[initiative("SK1")])
    result = run(
        tmp_path,
        [p],
        [
            {"candidate": "P1", "award": "chien_si_thi_dua_co_so", "basis": ["SK1"]},
            {"candidate": "P1", "award": "bang_khen_tinh", "basis": ["SK1"]},
        ],
    )
    f = only(result, "KT411")
    assert f.candidates == ("P1",)
    assert set(f.awards) == {Award.CHIEN_SI_THI_DUA_CO_SO, Award.BANG_KHEN_TINH}
    assert (f.severity, f.rule, f.cite) == (Severity.ERROR, "t.kt411", "Luật thử, Điều 1")
    assert f.details["basis"] == "SK1"
    # The same shared initiative is not reported a second time as an inferred reuse.
    assert not [g for g in result.findings if g.code == "KT412"]


def test_kt412_one_initiative_counted_by_two_awards_of_the_year(tmp_path: Path) -> None:
    history = [
        {"year": 2019, "rating": "HTXSNV", "titles": ["lao_dong_tien_tien", "chien_si_thi_dua_co_so"]},
        {"year": 2020, "rating": "HTXSNV", "titles": ["lao_dong_tien_tien", "chien_si_thi_dua_co_so"]},
        {"year": 2021, "rating": "HTXSNV"},
    ]  # fmt: skip
    p = person("P1", history=history, initiatives=[initiative("SK-T", "tinh")])
    people = [p] + [person(f"Z{i}") for i in range(6)]
    result = run(
        tmp_path, people, [("P1", "chien_si_thi_dua_co_so"), ("P1", "chien_si_thi_dua_tinh")]
    )
    f = only(result, "KT412")
    assert f.details["initiative"] == "SK-T"
    assert f.awards == (Award.CHIEN_SI_THI_DUA_CO_SO, Award.CHIEN_SI_THI_DUA_TINH)
    assert f.severity is Severity.WARNING


def test_kt413_two_state_level_forms_in_one_year(tmp_path: Path) -> None:
    p = person("P1", commendations=[{"award": "bang_khen_thu_tuong", "year": 2021}])
    result = run(tmp_path, [p], [("P1", "huan_chuong_lao_dong_hang_ba")])
    f = only(result, "KT413")
    assert f.awards == (Award.BANG_KHEN_THU_TUONG, Award.HUAN_CHUONG_LAO_DONG_HANG_BA)
    assert f.details["received"] == ["bang_khen_thu_tuong"]
    assert "đột xuất" in f.message()  # the exceptions of TT 12/2019 Điều 3 are named
    assert f.severity is Severity.ERROR
    # One state-level form a year is fine.
    alone = run(tmp_path / "alone", [person("P1")], [("P1", "huan_chuong_lao_dong_hang_ba")])
    assert not [g for g in alone.findings if g.code == "KT413"]


def test_kt414_nomination_above_the_level_the_facts_support(tmp_path: Path) -> None:
    p = person("P1", initiatives=[initiative("SK1")])  # CSTĐCS yes, CSTĐ tỉnh no
    people = [p] + [person(f"Z{i}") for i in range(6)]
    result = run(tmp_path, people, [("P1", "chien_si_thi_dua_tinh")])
    f = only(result, "KT414")
    assert f.details["supported"] == "chien_si_thi_dua_co_so"
    assert f.severity is Severity.WARNING
    assert "chỉ đủ «Chiến sĩ thi đua cơ sở»" in f.message()
    # When the supported level is nominated too, the finding is only a note.
    both = run(
        tmp_path / "both",
        people,
        [("P1", "chien_si_thi_dua_tinh"), ("P1", "chien_si_thi_dua_co_so")],
    )
    assert only(both, "KT414").severity is Severity.INFO


def test_kt415_deferred_while_a_case_is_open(tmp_path: Path) -> None:
    p = person("P1", pending_cases=[{"kind": "complaint", "opened_on": "2021-11-02"}])
    result = run(tmp_path, [p], [("P1", "lao_dong_tien_tien")])
    f = only(result, "KT415")
    assert f.details["cases"] == ["complaint (2021-11-02)"]
    closed = person(
        "P1",
        pending_cases=[{"kind": "complaint", "opened_on": "2021-03-01", "closed_on": "2021-06-01"}],
    )
    assert not run(tmp_path / "c", [closed], [("P1", "lao_dong_tien_tien")]).findings


def test_kt416_discipline_in_the_year_with_a_rating_above_khtnv(tmp_path: Path) -> None:
    p = person("P1", disciplines=[{"form": "khien_trach", "decided_on": "2021-05-10"}])
    result = run(tmp_path, [p], [("P1", "lao_dong_tien_tien")])
    f = only(result, "KT416")
    assert (f.candidates, f.details["rating"]) == (("P1",), "HTTNV")
    rated_khtnv = person(
        "P1",
        history=[{"year": 2021, "rating": "KHTNV"}],
        disciplines=[{"form": "khien_trach", "decided_on": "2021-05-10"}],
    )
    assert not run(tmp_path / "k", [rated_khtnv], [("P1", "lao_dong_tien_tien")]).findings


def test_legal_findings_run_only_where_the_pack_declares_them(tmp_path: Path) -> None:
    ranking = copy.deepcopy(RANKING)
    ranking["ranking"]["findings"] = []
    p = person("P1", disciplines=[{"form": "khien_trach", "decided_on": "2021-05-10"}])
    result = run(tmp_path, [p], [("P1", "lao_dong_tien_tien")] * 2, ranking=ranking)
    assert [f.code for f in result.findings] == ["KT410"]  # the data check still runs


def test_kt417_member_aggregates_that_disagree_with_listed_members(tmp_path: Path) -> None:
    units = [
        {
            "id": "U1",
            "name": "Phòng",
            "headcount": 3,
            "history": [{"year": 2021, "members_lao_dong_tien_tien": 1, "members_women": 2}],
        },
        {"id": "U2", "name": "Ban", "headcount": 1},
    ]
    people = [person("P1", gender="nu"), person("P2", gender="nu"), person("P3", gender="nam")]
    people += [person("Q1", "U2"), person("Q2", "U2")]
    result = run(tmp_path, people, [("U1", "tap_the_lao_dong_tien_tien")], units=units)
    found = sorted(
        (f.candidates[0], f.details["field"]) for f in result.findings if f.code == "KT417"
    )
    assert found == [("U1", "members_lao_dong_tien_tien"), ("U2", "headcount")]
    f = next(f for f in result.findings if f.details.get("field") == "members_lao_dong_tien_tien")
    assert (f.details["declared"], f.details["derived"]) == (1, "3")


def test_kt418_unit_names_a_cluster_not_in_the_province_list(tmp_path: Path) -> None:
    units = [{"id": "U1", "name": "Sở", "cluster": "khoi-z"}]
    result = run(
        tmp_path, [person("P1")], [("P1", "lao_dong_tien_tien")], units=units,
        clusters=copy.deepcopy(CLUSTERS),
    )  # fmt: skip
    f = only(result, "KT418")
    assert (f.candidates, f.rule, f.cite) == (("U1",), "tp.clusters", "Luật thử, Điều 1")


def test_kt419_candidate_that_cannot_be_placed_in_a_quota_scope(tmp_path: Path) -> None:
    p = person("P1", None, initiatives=[initiative("SK1")])
    result = run(tmp_path, [p], [("P1", "chien_si_thi_dua_co_so")])
    f = only(result, "KT419")
    assert (f.candidates, f.details["scope"]) == (("P1",), "unit")
    assert result.placement("P1", "chien_si_thi_dua_co_so") is None


def test_kt420_commune_code_no_area_list_classifies(tmp_path: Path) -> None:
    people = [person("P1", commune="X-777", initiatives=[initiative("SK1")])]
    people += [person(f"Z{i}") for i in range(6)]
    result = run(
        tmp_path, people, [("P1", "chien_si_thi_dua_co_so")], areas=copy.deepcopy(AREA_LIST)
    )
    f = only(result, "KT420")
    assert (f.candidates, f.severity, f.details["commune"]) == (("P1",), Severity.INFO, "X-777")


def test_kt421_eligibility_that_rests_on_a_title_cut_by_the_quota(tmp_path: Path) -> None:
    # U2's only CSTĐCS member (B1) loses the single place to A1: U2's TTLĐXS rests on a cut title.
    units = [
        {"id": "U-ROOT", "name": "Sở"},
        {"id": "U1", "name": "Phòng 1", "parent": "U-ROOT"},
        {"id": "U2", "name": "Phòng 2", "parent": "U-ROOT"},
    ]
    people = [person("A1", "U1", frontline=True, initiatives=[initiative("S1")])]
    people += [person("B1", "U2", frontline=False, initiatives=[initiative("S2")])]
    people += [person(f"Z{i}", "U1") for i in range(5)]
    result = run(
        tmp_path,
        people,
        [
            ("A1", "chien_si_thi_dua_co_so"),
            ("B1", "chien_si_thi_dua_co_so"),
            ("U2", "tap_the_lao_dong_xuat_sac"),
        ],
        units=units,
    )
    f = only(result, "KT421")
    assert f.candidates == ("B1", "U2")
    assert f.details["outside_quota"] == ["B1"]


def test_kt422_tie_at_the_cut_line_decided_by_candidate_id(tmp_path: Path) -> None:
    people = [
        person("P1", initiatives=[initiative("S1")]),
        person("P2", initiatives=[initiative("S2")]),
    ]
    people += [person(f"Z{i}") for i in range(5)]
    result = run(
        tmp_path, people, [("P1", "chien_si_thi_dua_co_so"), ("P2", "chien_si_thi_dua_co_so")]
    )
    f = only(result, "KT422")
    assert (f.candidates, f.details["scope"]) == (("P1", "P2"), "U1")
    assert "Hội đồng quyết định" in f.message()


def test_findings_are_in_the_json_record_with_rule_and_citation(tmp_path: Path) -> None:
    p = person("P1", commendations=[{"award": "bang_khen_thu_tuong", "year": 2021}])
    record = result_record(run(tmp_path, [p], [("P1", "huan_chuong_lao_dong_hang_ba")]))
    (f,) = record["findings"]
    assert {k: f[k] for k in ("code", "severity", "candidates", "rule", "cite", "confidence")} == {
        "code": "KT413",
        "severity": "error",
        "candidates": ["P1"],
        "rule": "t.kt413",
        "cite": "Luật thử, Điều 1",
        "confidence": Confidence.SEEN.value,
    }
    assert f["message"] == f["messages"]["vi"]
    assert f["messages"]["en"].startswith("P1: 2 state-level awards in 2021")


def test_bundled_fixture_reports_deferral_and_initiative_reuse() -> None:
    from khenthuong.packs.registry import bundled_rules_dir

    fixture = bundled_rules_dir().parent / "fixtures" / "cao-bang-2021" / "ttyt-ha-quang.yaml"
    result = evaluate_batch(fixture)
    deferred = only(result, "KT415")
    assert deferred.candidates == ("P-032",)
    assert deferred.cite == "Thông tư 12/2019/TT-BNV"
    assert deferred.confidence is Confidence.UNCONFIRMED
    reused = {
        f.candidates[0]: f.details["initiative"] for f in result.findings if f.code == "KT412"
    }
    assert reused == {"P-037": "SK-CB-2021-037", "P-044": "DT-CB-2021-019"}
