"""`explain`: golden explanations in Vietnamese and English, the JSON record, and the CLI.

Golden files live in tests/golden/explain/. Digests and the engine version are redacted, so the
files change only when the wording, the rules or the law's citations change. After such a change,
regenerate them and review the diff:

    KHENTHUONG_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_explain.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from khenthuong import explain
from khenthuong.audit.digest import ENGINE
from khenthuong.audit.explain import Explanation, explain_candidate, parse_award
from khenthuong.audit.records import result_record
from khenthuong.batch.load import load_batch
from khenthuong.cli import main
from khenthuong.errors import InputError
from khenthuong.packs.registry import PackRegistry
from khenthuong.runner import evaluate_batch

GOLDEN = Path(__file__).parent / "golden"
BATCH = GOLDEN / "batch.yaml"
REGEN = os.environ.get("KHENTHUONG_REGEN_GOLDEN") == "1"
REGISTRY = PackRegistry()

CASES = {
    "eligible": ("P-01", "chien_si_thi_dua_co_so"),
    "ineligible": ("P-02", "chien_si_thi_dua_tinh"),
    "ineligible-tenure": ("P-05", "lao_dong_tien_tien"),
    "undetermined": ("P-03", "lao_dong_tien_tien"),
    "deferred": ("P-04", "lao_dong_tien_tien"),
}


def redact(text: str) -> str:
    """Remove what changes with every release or pack edit: digests and the engine version."""
    text = re.sub(r"sha256:[0-9a-f]{64}", "sha256:<digest>", text)
    return text.replace(ENGINE, "khenthuong <version>")


def golden(name: str, text: str) -> None:
    path = GOLDEN / "explain" / name
    text = redact(text)
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path}: run with KHENTHUONG_REGEN_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{path.name} differs from the rendered explanation; if the change is intended, "
        "regenerate with KHENTHUONG_REGEN_GOLDEN=1 and review the diff"
    )


def explained(candidate: str, award: str) -> Explanation:
    (ex,) = explain_candidate(BATCH, candidate, award, registry=REGISTRY)
    return ex


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_text(case: str, lang: str) -> None:
    ex = explained(*CASES[case])
    golden(f"{case}.{lang}.txt", ex.text(lang))


def test_golden_json() -> None:
    ex = explained(*CASES["ineligible"])
    doc = ex.to_json("vi")
    golden(
        "ineligible.vi.json", json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )


def test_outcomes_of_the_golden_cases() -> None:
    outcomes = {case: explained(*pair).decision.outcome.value for case, pair in CASES.items()}
    assert outcomes == {
        "eligible": "eligible",
        "ineligible": "ineligible",
        "ineligible-tenure": "ineligible",
        "undetermined": "undetermined",
        "deferred": "undetermined",
    }
    assert explained(*CASES["deferred"]).decision.deferred


def test_text_shows_marks_facts_with_places_params_and_citations() -> None:
    vi = explained(*CASES["ineligible-tenure"]).text("vi")
    assert "Kết quả: ✗ không đủ điều kiện" in vi
    assert "✓ [rating]" in vi
    assert "people[P-05].history[2021].rating" in vi
    assert "ngày tuyển dụng: 2021-05-01 — people[P-05].recruited_on" in vi
    assert re.search(r"tham số ldtt_min_tenure_months = 10, hiệu lực từ \d\d/\d\d/\d{4}", vi)
    assert "Căn cứ: Nghị định 91/2017/NĐ-CP" in vi
    assert "«" in vi  # the verbatim passage
    assert "Còn thiếu (để đủ điều kiện):" in vi
    assert "sớm nhất năm 2022" in vi


def test_derived_title_points_to_its_sub_decision() -> None:
    ex = explained(*CASES["eligible"])
    assert [(d.candidate, d.award.value) for d in ex.derived] == [("P-01", "lao_dong_tien_tien")]
    text = ex.text("vi")
    assert "suy ra trong đợt: P-01 / Lao động tiên tiến ✓ đủ điều kiện" in text
    assert "Danh hiệu năm xét được suy ra trong đợt:" in text


def test_json_is_the_check_record_of_the_decision_plus_explanations() -> None:
    result = evaluate_batch(load_batch(BATCH), registry=REGISTRY)
    record = result_record(result)
    from_check = next(
        d for d in record["decisions"] if (d["candidate"], d["award"]) == CASES["ineligible"]
    )
    doc = explained(*CASES["ineligible"]).to_json("vi")
    assert {k: doc[k] for k in from_check} == from_check
    assert set(doc) - set(from_check) == {"changes", "projection", "derived", "nominated"}
    assert doc["changes"][0]["kind"] == "title"
    assert doc["projection"]["projection"] is True


def test_python_api_explain_renders_text() -> None:
    result = evaluate_batch(load_batch(BATCH), registry=REGISTRY)
    d = result.decision("P-03", "lao_dong_tien_tien")
    assert d is not None
    text = explain(d, result.pack, "en")
    assert text.startswith("Nông Thị Hạnh (P-03) — Advanced Worker\nOutcome: ? undetermined")
    assert "attestation missing: ethics and a healthy way of life" in text
    assert "Projection" not in text  # no projection without the batch result
    assert "Projection" in explain(d, result.pack, "en", within=result, registry=REGISTRY)


def test_award_names_are_accepted_and_unknown_ones_suggest() -> None:
    assert parse_award("CSTĐCS").value == "chien_si_thi_dua_co_so"
    assert parse_award("lao_dong_tien_tien").value == "lao_dong_tien_tien"
    with pytest.raises(InputError) as err:
        parse_award("lao_dong_tien_tienn")
    assert err.value.diagnostics[0].code == "KT511"
    assert 'did you mean "lao_dong_tien_tien"' in err.value.diagnostics[0].message


def test_an_award_not_nominated_is_still_explained() -> None:
    (ex,) = explain_candidate(BATCH, "P-05", "chien_si_thi_dua_co_so", registry=REGISTRY)
    assert not ex.nominated
    assert "Không có trong danh sách đề nghị" in ex.text("vi")
    assert ex.to_json()["nominated"] is False


def test_without_award_every_nomination_is_explained() -> None:
    found = explain_candidate(BATCH, "P-01", registry=REGISTRY, projection=False)
    assert [ex.decision.award.value for ex in found] == [
        "lao_dong_tien_tien",
        "chien_si_thi_dua_co_so",
    ]
    assert all(ex.projection is None for ex in found)


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["--candidate", "P-1"], "KT510", 'did you mean "P-01"'),
        (["--candidate", "P-01", "--award", "chien_si"], "KT511", "unknown award"),
        (
            ["--candidate", "U-01", "--award", "lao_dong_tien_tien"],
            "KT512",
            "not awarded to a unit",
        ),
        (["--candidate", "U-01"], "KT513", "has no nomination"),
    ],
)
def test_cli_bad_candidate_or_award_exits_2(
    args: list[str], code: str, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", str(BATCH), *args]) == 2
    err = capsys.readouterr().err
    assert f"[{code}]" in err
    assert text in err
    assert "Traceback" not in err


def test_cli_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(BATCH), "--candidate", "P-05", "--award", "LĐTT"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Vi Thị Mai (P-05) — Lao động tiên tiến\n")
    assert (
        main(["explain", str(BATCH), "--candidate", "P-05", "--award", "LĐTT", "--format", "json"])
        == 0
    )
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert doc["candidate"] == "P-05"
    assert doc["trace"]["rule"]["id"].startswith("ldtt.")
    args = ["explain", str(BATCH), "--candidate", "P-01", "--format", "json", "--no-projection"]
    assert main(args) == 0
    docs = json.loads(capsys.readouterr().out)
    assert isinstance(docs, list)
    assert len(docs) == 2
    assert main(["explain", str(BATCH), "--candidate", "P-01", "--lang", "en"]) == 0
    assert "Outcome: ✓ eligible" in capsys.readouterr().out


@pytest.mark.parametrize(
    "module",
    [
        "khenthuong.audit.explain",
        "khenthuong.audit.missing",
        "khenthuong.audit.verify",
        "khenthuong.audit.diff",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    found = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert found.attempted > 0
    assert found.failed == 0


def test_docs_audit_examples_run() -> None:
    import doctest

    path = Path(__file__).resolve().parent.parent / "docs" / "audit.md"
    found = doctest.testfile(str(path), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert found.attempted > 10
    assert found.failed == 0


def test_cli_explains_from_a_records_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An auditor holding only the records file reads why a decision was taken.
    out = tmp_path / "records.json"
    assert main(["check", str(BATCH), "--format", "json", "--out", str(out)]) == 1
    assert main(["explain", str(out), "--candidate", "P-05", "--award", "lao_dong_tien_tien"]) == 0
    from_record = capsys.readouterr().out
    assert (
        main(["explain", str(BATCH), "--candidate", "P-05", "--award", "lao_dong_tien_tien"]) == 0
    )
    assert from_record == capsys.readouterr().out
