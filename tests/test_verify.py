"""`verify`: an untouched record verifies; any change to a decision, its input or its seal fails.

The byte-level test serialises the record canonically (no insignificant whitespace), so that every
byte of the decision is significant: changing one then either breaks the JSON (a malformed record,
exit 2) or changes a value, a key or a string that verification must notice (exit 1). In the
indented form `check` writes, a space changed into a tab would be the same JSON, which no
verification can or should reject.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from khenthuong import verify
from khenthuong.audit.records import result_record
from khenthuong.batch.load import load_batch
from khenthuong.cli import main
from khenthuong.errors import InputError, KhenthuongError
from khenthuong.packs.registry import PackRegistry, bundled_rules_dir
from khenthuong.runner import evaluate_batch

BATCH = Path(__file__).parent / "golden" / "batch.yaml"
REGISTRY = PackRegistry()


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return result_record(evaluate_batch(load_batch(BATCH), registry=REGISTRY))


def canonical_bytes(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def fails(doc: Any) -> bool:
    """Whether verification rejects `doc` (a mismatch, or a record too broken to read)."""
    try:
        return not verify(doc, registry=REGISTRY).ok
    except KhenthuongError:
        return True


def test_untouched_record_verifies(record: dict[str, Any], tmp_path: Path) -> None:
    result = verify(record, registry=REGISTRY)
    assert result.ok, result.text()
    assert result.decisions == 6
    path = tmp_path / "r.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True), "utf-8")
    assert verify(path, registry=REGISTRY).ok
    assert verify(path.read_bytes(), registry=REGISTRY).ok
    assert "✓ khớp" in verify(str(path), registry=REGISTRY).text()


def test_record_embeds_a_canonical_input_that_reproduces_the_batch(record: dict[str, Any]) -> None:
    from khenthuong.audit.digest import batch_digest, canonical_batch
    from khenthuong.batch.load import batch_from_data

    again = batch_from_data(record["input"])
    assert canonical_batch(again) == record["input"]
    assert batch_digest(again) == record["batch"]["digest"]


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict) and value:
        for k in value:
            yield from leaves(value[k], (*path, k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from leaves(v, (*path, i))
    else:
        yield path, value


def changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if value is None:
        return "x"
    if isinstance(value, list):
        return ["x"]
    return {"x": 1}


def set_at(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def test_changing_any_field_of_a_decision_fails(record: dict[str, Any]) -> None:
    # P-05's decision: not eligible, with parameters, citations and a projection-free trace.
    index = next(i for i, d in enumerate(record["decisions"]) if d["candidate"] == "P-05")
    decision = record["decisions"][index]
    paths = list(leaves(decision))
    assert len(paths) > 50
    for path, value in paths:
        doc = copy.deepcopy(record)
        set_at(doc["decisions"][index], path, changed(value))
        assert fails(doc), f"changing decisions[{index}]{list(path)} went unnoticed"
    for key in decision:
        doc = copy.deepcopy(record)
        del doc["decisions"][index][key]
        assert fails(doc), f"removing {key} went unnoticed"
    doc = copy.deepcopy(record)
    doc["decisions"][index]["note"] = "added by hand"
    assert fails(doc)


def test_changing_any_byte_of_a_decision_fails(record: dict[str, Any]) -> None:
    data = canonical_bytes(record)
    decision = canonical_bytes(record["decisions"][-1])
    start = data.find(decision)
    assert start > 0
    assert data.count(decision) == 1
    rnd = random.Random(20211215)
    positions = sorted(
        {start, start + len(decision) - 1}
        | set(range(start, start + len(decision), max(1, len(decision) // 60)))
        | {rnd.randrange(start, start + len(decision)) for _ in range(40)}
    )
    for pos in positions:
        for new in {(data[pos] + 1) % 256, ord("0") if data[pos] != ord("0") else ord("1")}:
            tampered = data[:pos] + bytes([new]) + data[pos + 1 :]
            assert fails(tampered), f"byte {pos - start} of the decision changed to {new} unnoticed"
    assert verify(data, registry=REGISTRY).ok


def test_reports_which_decision_and_field(record: dict[str, Any]) -> None:
    doc = copy.deepcopy(record)
    target = next(d for d in doc["decisions"] if d["candidate"] == "P-03")
    target["outcome"] = "eligible"
    result = verify(doc, registry=REGISTRY)
    found = {(m.candidate, m.award, m.field, m.reason) for m in result.mismatches}
    assert ("P-03", "lao_dong_tien_tien", "outcome", "differs") in found
    assert ("P-03", "lao_dong_tien_tien", "digest", "altered") in found
    assert all(m.candidate == "P-03" for m in result.mismatches)
    text = result.text()
    assert 'P-03 / Lao động tiên tiến (lao_dong_tien_tien): outcome — hồ sơ: "eligible"' in text
    assert "hồ sơ đã bị sửa sau khi lập" in text
    assert 'outcome — recorded: "eligible" · recomputed: "undetermined"' in result.text("en")
    as_json = result.to_json()
    assert as_json["ok"] is False
    assert {"candidate": "P-03", "award": "lao_dong_tien_tien", "field": "outcome"}.items() <= (
        next(m for m in as_json["mismatches"] if m["field"] == "outcome").items()
    )


def test_a_changed_input_shows_in_the_batch_digest_and_the_decisions(
    record: dict[str, Any],
) -> None:
    doc = copy.deepcopy(record)
    p05 = next(p for p in doc["input"]["people"] if p["id"] == "P-05")
    p05["recruited_on"] = "2010-01-01"
    result = verify(doc, registry=REGISTRY)
    fields = {(m.candidate, m.field, m.reason) for m in result.mismatches}
    assert (None, "batch.digest", "altered") in fields
    assert ("P-05", "outcome", "differs") in fields


def test_removed_and_reordered_decisions(record: dict[str, Any]) -> None:
    doc = copy.deepcopy(record)
    gone = doc["decisions"].pop(0)
    result = verify(doc, registry=REGISTRY)
    reasons = {(m.candidate, m.reason) for m in result.mismatches}
    assert (gone["candidate"], "absent") in reasons
    assert (None, "altered") in reasons  # the run digest no longer matches its decisions
    doc = copy.deepcopy(record)
    doc["decisions"].reverse()
    assert "order" in {m.reason for m in verify(doc, registry=REGISTRY).mismatches}


def test_another_engine_is_named(record: dict[str, Any]) -> None:
    doc = copy.deepcopy(record)
    doc["engine"] = "khenthuong 0.0.1"
    result = verify(doc, registry=REGISTRY)
    assert result.mismatches[0].reason == "engine"
    assert "khenthuong 0.0.1" in result.text()


def test_a_changed_pack_is_reported_once_and_decisions_still_compared(
    record: dict[str, Any], tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules_dir(), rules)
    manifest = rules / "vn-2017" / "pack.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    result = verify(record, registry=PackRegistry([rules]))
    assert [(m.field, m.reason) for m in result.mismatches] == [("pack.digest", "pack")]
    assert result.pack_changed
    assert "bộ quy tắc đã thay đổi kể từ khi lập hồ sơ" in result.text()
    assert "the pack has changed since the record was made" in result.text("en")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", "KT500"),
        (b"[1, 2]", "KT501"),
        (b'{"decisions": []}', "KT501"),
        (b'{"schema": "khenthuong.decisions/1", "schema": "x"}', "KT504"),
        (b'{"schema": "other/9"}', "KT501"),
    ],
)
def test_unreadable_records_are_input_errors(content: bytes, code: str) -> None:
    with pytest.raises(InputError) as err:
        verify(content, registry=REGISTRY)
    assert err.value.diagnostics[0].code == code


def test_missing_sections_are_named(record: dict[str, Any]) -> None:
    doc = copy.deepcopy(record)
    del doc["input"]
    with pytest.raises(InputError) as err:
        verify(doc, registry=REGISTRY)
    assert err.value.diagnostics[0].code == "KT502"
    assert "`input` is missing" in err.value.diagnostics[0].message
    doc = copy.deepcopy(record)
    doc["pack"]["layers"] = []
    with pytest.raises(InputError) as err:
        verify(doc, registry=REGISTRY)
    assert err.value.diagnostics[0].code == "KT503"


def test_cli_exit_codes(
    record: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "records.json"
    assert main(["check", str(BATCH), "--format", "json", "--out", str(out)]) == 1
    assert main(["verify", str(out)]) == 0
    assert "✓ khớp" in capsys.readouterr().out
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["decisions"][0]["reasons"][0]["holds"] = not doc["decisions"][0]["reasons"][0]["holds"]
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["verify", str(out), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["mismatches"][0]["field"] == "reasons[0].holds"
    out.write_text("{", encoding="utf-8")
    assert main(["verify", str(out)]) == 2
    assert "[KT500]" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "none.json")]) == 2
