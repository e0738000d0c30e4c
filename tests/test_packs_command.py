"""`khenthuong packs`: the listing of rule packs, in text (vi, en) and JSON, and its exit codes.

The national packs are copied into a temporary folder (`--root`), so the listing under test is
exactly theirs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from khenthuong.cli import main
from khenthuong.model.vocab import AWARD_SUBJECTS, Confidence
from khenthuong.packs.loader import load_pack
from khenthuong.packs.summary import rule_confidence, summarise

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ("vn-2017", "vn-2024")


@pytest.fixture
def packs_root(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    for pack in NATIONAL:
        shutil.copytree(ROOT / "rules" / pack, root / pack)
    return root


def run_json(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["packs", "--root", str(root), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, dict)
    return data


def test_json_lists_both_regimes_with_coverage_and_every_award(
    packs_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = run_json(packs_root, capsys)
    packs = {p["id"]: p for p in data["packs"]}  # type: ignore[attr-defined]
    assert list(packs) == ["vn-2017", "vn-2024"]
    assert data["errors"] == []
    assert packs["vn-2017"]["coverage"] == {"from": "2017-10-01", "until": "2023-12-31"}
    assert packs["vn-2024"]["coverage"] == {"from": "2024-01-01", "until": None}
    for p in packs.values():
        assert p["kind"] == "national"
        assert p["extends"] == []
        got = {a["award"]: set(a["subjects"]) for a in p["awards"]}
        assert got == {a.value: {s.value for s in subj} for a, subj in AWARD_SUBJECTS.items()}
        assert "cstdcs_max_share_of_ldtt" in p["parameters"]["delegated"]


def test_rule_counts_by_confidence_match_the_rules(
    packs_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = run_json(packs_root, capsys)
    for p in data["packs"]:  # type: ignore[attr-defined]
        pack = load_pack(packs_root / p["id"])
        expected = {c.value: 0 for c in Confidence}
        for rule in pack.rules:
            expected[rule_confidence(rule).value] += 1
        counts = p["rules"]
        assert counts["total"] == len(pack.rules)
        assert {c.value: counts[c.value] for c in Confidence} == expected
        # Both regimes rest partly on secondary and unconfirmed material, and say so.
        assert counts["unconfirmed"] > 0
        assert counts["secondary"] > 0


def test_a_rule_is_as_sure_as_its_least_sure_criterion() -> None:
    pack = load_pack(ROOT / "rules" / "vn-2017")
    rules = {r.id: r for r in pack.rules}
    assert rule_confidence(rules["cstdcs.2017"]) is Confidence.SEEN
    assert rule_confidence(rules["ldtt.2017"]) is Confidence.SECONDARY  # deferral, TT 08/2017 ◑
    assert rule_confidence(rules["ldtt.2020"]) is Confidence.UNCONFIRMED  # deferral, TT 12/2019 ❓
    assert rule_confidence(rules["giay-khen.2017.person"]) is Confidence.UNCONFIRMED


def test_text_listing_in_vietnamese(packs_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "--root", str(packs_root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Bộ quy tắc (2)\n")
    assert "vn-2017 — quốc gia, phiên bản" in out
    assert "Hiệu lực: 01/10/2017 – 31/12/2023" in out
    assert "Hiệu lực: 01/01/2024 – …" in out
    assert "Danh hiệu, hình thức (14): Lao động tiên tiến [cá nhân]" in out
    assert "Giấy khen [cá nhân, tập thể, hộ gia đình]" in out
    assert "chưa xác nhận" in out
    assert "giao tỉnh quy định: cstdcs_max_share_of_ldtt" in out


def test_text_listing_in_english(packs_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "--root", str(packs_root), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Rule packs (2)\n")
    assert "In force: 2017-10-01 – 2023-12-31" in out
    assert "Cultured Family [household]" in out
    assert "Rules: " in out
    assert " · unconfirmed " in out
    assert "delegated to provinces: cstdcs_max_share_of_ldtt" in out


def test_a_provincial_layer_shows_what_it_extends(
    packs_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layer = packs_root / "tinh-x"
    (layer / "parameters").mkdir(parents=True)
    (layer / "pack.yaml").write_text(
        "pack: {id: tinh-x, title: Tỉnh X, version: '1', kind: provincial, province: tinh-x,"
        " extends: [vn-2024], coverage: {from: 2024-01-01}}\n",
        "utf-8",
    )
    data = run_json(packs_root, capsys)
    layers = [p for p in data["packs"] if p["kind"] == "provincial"]  # type: ignore[attr-defined]
    assert [(p["id"], p["province"], p["extends"]) for p in layers] == [
        ("tinh-x", "tinh-x", ["vn-2024"])
    ]
    assert layers[0]["rules"]["total"] == 0
    assert main(["packs", "--root", str(packs_root)]) == 0
    assert "tinh-x — cấp tỉnh (tinh-x), phiên bản 1, mở rộng vn-2024" in capsys.readouterr().out


def test_a_broken_pack_is_reported_and_the_others_still_listed(
    packs_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = packs_root / "hong"
    broken.mkdir()
    (broken / "pack.yaml").write_text("pack: {id: hong, title: H}\n", "utf-8")
    assert main(["packs", "--root", str(packs_root), "--format", "json"]) == 2
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert [p["id"] for p in data["packs"]] == ["vn-2017", "vn-2024"]
    assert {e["code"] for e in data["errors"]} == {"KT213"}
    assert "KT213" in captured.err


def test_out_writes_the_listing_to_a_file(packs_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "packs.json"
    assert main(["packs", "--root", str(packs_root), "--format", "json", "--out", str(out)]) == 0
    assert [p["id"] for p in json.loads(out.read_text("utf-8"))["packs"]] == list(NATIONAL)


def test_summary_of_a_loaded_pack() -> None:
    s = summarise(load_pack(ROOT / "rules" / "vn-2024"))
    assert s.id == "vn-2024"
    assert s.rule_count == sum(s.rules_by_confidence.values())
    assert "luat-tdkt-2022" in s.instruments
    assert "nd-152-2025" in s.instruments
    assert s.delegated == (
        "cstdcs_max_share_of_ldtt",
        "cstdcs_quota_rounding",
        "ttldxs_max_share_of_ttldtt",
    )


def test_the_summary_docstring_examples_run() -> None:
    import doctest

    import khenthuong.packs.summary as module

    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
