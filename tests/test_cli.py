"""The command line: exit codes, the JSON contract, Vietnamese by default, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from khenthuong.cli import main

BATCH = """\
batch: {id: b1, year: 2021, as_of: 2021-12-15}
people:
  - id: P1
    name: Nông Thị Hoa
    recruited_on: 2015-01-01
    history: [{year: 2021, rating: HTTNV}]
    attestations: {ethics: true, compliance: true, emulation: true, study: true, solidarity: true}
  - {id: P2, name: Hoàng Văn Nam, history: [{year: 2021, rating: HTNV}]}
nominations:
  - {candidate: P1, award: lao_dong_tien_tien}
  - {candidate: P2, award: lao_dong_tien_tien}
"""


@pytest.fixture
def batch_file(tmp_path: Path) -> Path:
    path = tmp_path / "b.yaml"
    path.write_text(BATCH, encoding="utf-8")
    return path


def test_check_table_is_vietnamese_and_exit_1_when_some_not_eligible(
    batch_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(batch_file)]) == 1
    out = capsys.readouterr().out
    assert "Lao động tiên tiến" in out
    assert "đủ điều kiện" in out


def test_check_json_contract(batch_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(batch_file), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "khenthuong.decisions/1"
    assert set(doc) >= {"schema", "engine", "batch", "pack", "decisions", "findings"}
    assert doc["pack"]["id"] == "vn-2017"
    assert doc["batch"]["digest"].startswith("sha256:")
    d = doc["decisions"][0]
    assert set(d) >= {
        "candidate",
        "award",
        "outcome",
        "selected",
        "rank",
        "quota",
        "reasons",
        "missing",
        "trace",
        "digest",
    }
    assert d["outcome"] in {"eligible", "ineligible", "undetermined"}
    assert all(r["cite"] and r["confidence"] for r in d["reasons"])


def test_check_writes_out_file(batch_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "r.json"
    main(["check", str(batch_file), "--format", "json", "--out", str(out)])
    assert json.loads(out.read_text(encoding="utf-8"))["decisions"]
    assert not list(out.parent.glob(".*tmp"))


def test_bad_input_exit_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "batch: {id: x, year: 2021}\nnominations: [{candidate: Z, award: lao_dong_tien_tien}]\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "khenthuong", "check", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.yaml:2" in proc.stderr
    assert "unknown candidate" in proc.stderr


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["check"])
    assert info.value.code == 2
