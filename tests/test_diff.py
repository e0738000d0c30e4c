"""`diff`: outcome changes between two packs on one batch, with the criterion behind each side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from khenthuong import diff
from khenthuong.batch.load import batch_from_data
from khenthuong.cli import main
from khenthuong.errors import EvaluationError
from khenthuong.model.batch import Batch
from khenthuong.packs.registry import PackRegistry
from tests.helpers import ATTESTED, person

REGISTRY = PackRegistry()


def make(
    year: int, people: list[dict[str, Any]], noms: list[tuple[str, str]], **header: Any
) -> Batch:
    return batch_from_data(
        {
            "batch": {"id": "d", "year": year, "as_of": f"{year}-12-15", **header},
            "people": people,
            "nominations": [{"candidate": c, "award": a} for c, a in noms],
        }
    )


@pytest.fixture(scope="module")
def batch_2023() -> Batch:
    # Judged in 2023 (vn-2017 in force). Under vn-2024: 6 months' tenure instead of 10, and
    # CSTĐCS can rest on an excellent rating alone.
    return make(
        2023,
        [
            person("P1", recruited_on="2023-05-01", history=[{"year": 2023, "rating": "HTTNV"}]),
            person("P2", history=[{"year": 2023, "rating": "HTXSNV"}]),
            person("P3", history=[{"year": 2023, "rating": "HTTNV"}]),
        ],
        [
            ("P1", "lao_dong_tien_tien"),
            ("P2", "chien_si_thi_dua_co_so"),
            ("P3", "lao_dong_tien_tien"),
        ],
    )


def test_changes_name_the_criterion_on_each_side(batch_2023: Batch) -> None:
    d = diff(batch_2023, "vn-2017", "vn-2024", registry=REGISTRY)
    assert d.compared == 3
    changes = {(c.candidate, c.award.value): c for c in d.changes}
    assert set(changes) == {("P1", "lao_dong_tien_tien"), ("P2", "chien_si_thi_dua_co_so")}

    tenure = changes[("P1", "lao_dong_tien_tien")]
    assert (tenure.before.outcome.value, tenure.after.outcome.value) == ("ineligible", "eligible")
    assert [r.criterion.split("/")[1] for r in tenure.before.reasons] == ["tenure"]
    assert [r.criterion.split("/")[1] for r in tenure.after.reasons] == ["tenure"]
    assert tenure.before.reasons[0].holds is False
    assert tenure.after.reasons[0].holds is True
    assert "10 tháng" in tenure.before.reasons[0].conditions[0].text_vi
    assert "6 tháng" in tenure.after.reasons[0].conditions[0].text_vi

    excellent = changes[("P2", "chien_si_thi_dua_co_so")]
    (before,) = excellent.before.reasons
    assert before.holds is False
    assert "sáng kiến" in before.conditions[0].text_vi
    # on the eligible side: the criterion reading the same facts, held by the excellent rating
    (after,) = excellent.after.reasons
    assert after.holds is True
    assert [c.text_vi for c in after.conditions] == [
        "xếp loại năm xét từ «Hoàn thành xuất sắc nhiệm vụ» trở lên"
    ]


def test_a_pack_that_does_not_cover_the_date_is_compiled_for_its_nearest_date(
    batch_2023: Batch,
) -> None:
    d = diff(batch_2023, "vn-2017", "vn-2024", registry=REGISTRY)
    assert d.date.isoformat() == "2023-12-15"
    assert d.before.compiled_for.isoformat() == "2023-12-15"
    assert d.before.notes == ()
    assert d.after.compiled_for.isoformat() == "2024-01-01"
    (note,) = d.after.notes
    assert "so sánh giả định" in note[0]
    assert "hypothetical" in note[1]
    # and the other way round: a 2025 batch under vn-2017 uses its last day
    later = make(
        2025,
        [person("P1", history=[{"year": 2025, "rating": "HTTNV"}])],
        [("P1", "lao_dong_tien_tien")],
    )
    back = diff(later, "vn-2024", "vn-2017", registry=REGISTRY)
    assert back.after.compiled_for.isoformat() == "2023-12-31"


def test_same_pack_on_both_sides_changes_nothing(batch_2023: Batch) -> None:
    d = diff(batch_2023, "vn-2017", "vn-2017", registry=REGISTRY)
    assert d.changes == ()
    assert "0 đề nghị đổi kết quả" in d.text()


def test_undetermined_to_eligible_with_no_counterpart_criterion() -> None:
    att = {k: v for k, v in ATTESTED.items() if k != "ethics"}
    b = make(
        2023,
        [person("P1", history=[{"year": 2023, "rating": "HTTNV"}], attestations=att)],
        [("P1", "lao_dong_tien_tien")],
    )
    (change,) = diff(b, "vn-2017", "vn-2024", registry=REGISTRY).changes
    assert change.before.outcome.value == "undetermined"
    assert [r.criterion.split("/")[1] for r in change.before.reasons] == ["ethics"]
    assert change.after.outcome.value == "eligible"
    assert change.after.reasons == ()
    assert (
        "không có tiêu chuẩn tương ứng" in diff(b, "vn-2017", "vn-2024", registry=REGISTRY).text()
    )


def test_provincial_layer_of_the_batch_is_used_where_it_extends_the_pack(batch_2023: Batch) -> None:
    with_province = make(
        2023,
        [person("P1", recruited_on="2023-05-01", history=[{"year": 2023, "rating": "HTTNV"}])],
        [("P1", "lao_dong_tien_tien")],
        province="cao-bang",
    )
    d = diff(with_province, "vn-2017", "vn-2024", registry=REGISTRY)
    assert d.before.layers == ("vn-2017", "cao-bang")
    assert d.after.layers == ("vn-2024", "cao-bang")
    with pytest.raises(EvaluationError):
        diff(batch_2023, "vn-2017", "vn-2024", province="no-such-province", registry=REGISTRY)


def test_text_and_json(batch_2023: Batch) -> None:
    d = diff(batch_2023, "vn-2017", "vn-2024", registry=REGISTRY)
    vi = d.text()
    assert vi.startswith("So sánh bộ quy tắc vn-2017 → vn-2024 trên đợt xét d (năm 2023")
    assert "P1 Người P1 — Lao động tiên tiến: ✗ không đủ điều kiện → ✓ đủ điều kiện" in vi
    en = d.text("en")
    assert "P1 Người P1 — Advanced Worker: ✗ not eligible → ✓ eligible" in en
    doc = d.to_json()
    assert doc["changed"] == 2
    assert doc["to"]["compiled_for"] == "2024-01-01"
    first = doc["changes"][0]
    assert first["from"]["reasons"][0]["conditions"][0]["facts"][0]["from"] == (
        "people[P1].recruited_on"
    )
    json.dumps(doc)  # plain JSON


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(
        "batch: {id: d, year: 2023, as_of: 2023-12-15}\n"
        "people:\n"
        "  - {id: P1, name: Hà Văn Tú, recruited_on: 2023-05-01,"
        " history: [{year: 2023, rating: HTTNV}],"
        " attestations: {ethics: true, compliance: true, emulation: true, study: true,"
        " solidarity: true}}\n"
        "nominations: [{candidate: P1, award: lao_dong_tien_tien}]\n",
        encoding="utf-8",
    )
    assert main(["diff", "--from", "vn-2017", "--to", "vn-2024", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Hà Văn Tú — Lao động tiên tiến" in out
    assert (
        main(["diff", "--from", "vn-2017", "--to", "vn-2017", str(path), "--format", "json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["changed"] == 0
    assert main(["diff", "--from", "vn-2017", "--to", "vn-1999", str(path)]) == 2
    assert "[KT206]" in capsys.readouterr().err
