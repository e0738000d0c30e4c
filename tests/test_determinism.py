"""Determinism: the same batch gives byte-identical JSON whatever the input order, the process,
PYTHONHASHSEED or the locale; ratios are decimals, so 15% × 40 is exactly 6.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khenthuong.audit.records import result_record
from khenthuong.batch.load import batch_from_data, batch_from_text, load_batch
from khenthuong.engine import predicates as preds
from khenthuong.engine.evaluate import Evaluation
from khenthuong.model.vocab import Award
from khenthuong.packs.registry import PackRegistry
from khenthuong.runner import evaluate_batch
from khenthuong.sources import load_json, load_yaml
from tests.strategies import batch_data, shuffled, to_json, to_yaml

ROOT = Path(__file__).parent.parent
FIXTURE = ROOT / "fixtures" / "cao-bang-2021" / "so-noi-vu.yaml"
REGISTRY = PackRegistry()


def check_json(data: dict[str, Any]) -> bytes:
    """The bytes `khenthuong check --format json` writes for this batch data."""
    record = result_record(evaluate_batch(batch_from_data(data), registry=REGISTRY))
    return (json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


# --- input order --------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch_data(), st.randoms(use_true_random=False))
def test_input_order_does_not_change_a_byte(data: dict[str, Any], rnd: random.Random) -> None:
    assert check_json(shuffled(data, rnd)) == check_json(data)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch_data(max_people=3, max_units=2))
def test_yaml_and_json_of_the_same_batch_give_the_same_bytes(data: dict[str, Any]) -> None:
    as_yaml = batch_from_text(to_yaml(data), "b.yaml")
    as_json = batch_from_text(to_json(data), "b.json", kind="json")
    assert as_yaml == as_json
    first = result_record(evaluate_batch(as_yaml, registry=REGISTRY))
    second = result_record(evaluate_batch(as_json, registry=REGISTRY))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_repeated_runs_in_one_process_are_identical() -> None:
    batch = load_batch(FIXTURE)
    runs = {
        json.dumps(result_record(evaluate_batch(batch, registry=PackRegistry())), sort_keys=True)
        for _ in range(3)
    }
    assert len(runs) == 1


# --- processes, hash seeds, locales -------------------------------------------------------------

ENVIRONMENTS = [
    {"PYTHONHASHSEED": "0", "LC_ALL": "C"},
    {"PYTHONHASHSEED": "12345", "LC_ALL": "C.UTF-8", "TZ": "Asia/Ho_Chi_Minh"},
    {"PYTHONHASHSEED": "random", "LC_ALL": "POSIX", "TZ": "America/Los_Angeles"},
    # A locale the machine may not have: Python falls back, the output must not move.
    {"PYTHONHASHSEED": "4242", "LC_ALL": "vi_VN.UTF-8", "LANG": "vi_VN.UTF-8"},
]


def _run_check(batch: Path, out: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONHASHSEED"))}
    env.pop("LANG", None)
    env.pop("PYTHONIOENCODING", None)
    env.update(extra)
    command = [sys.executable, "-m", "khenthuong", "check", batch, "--format", "json"]
    return subprocess.run(
        [*command, "--out", out, "--exit-zero"],
        env=env,
        capture_output=True,
        timeout=180,
        check=False,
    )


def test_json_is_byte_identical_across_processes_hash_seeds_and_locales(tmp_path: Path) -> None:
    # The same batch, reordered and rewritten as JSON, for one of the runs.
    data, _ = load_yaml(FIXTURE.read_text(encoding="utf-8"), FIXTURE.name)
    reordered = tmp_path / "reordered.json"
    reordered.write_text(to_json(shuffled(data, random.Random(7))), encoding="utf-8")
    inputs = [FIXTURE, FIXTURE, FIXTURE, reordered]
    outputs = []
    for i, (batch, env) in enumerate(zip(inputs, ENVIRONMENTS, strict=True)):
        out = tmp_path / f"run-{i}.json"
        proc = _run_check(batch, out, env)
        assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
        assert b"Traceback" not in proc.stderr
        outputs.append(out.read_bytes())
    in_process = check_json(load_json(to_json(data), "fixture")[0])
    for i, output in enumerate([*outputs, in_process]):
        assert output == outputs[0], _first_difference(outputs[0], output, i)
    record = json.loads(outputs[0])
    assert record["decisions"], "the fixture should decide something"


def _first_difference(a: bytes, b: bytes, run: int) -> str:
    lines = difflib.unified_diff(
        a.decode().splitlines(), b.decode().splitlines(), "run-0", f"run-{run}", lineterm=""
    )
    return "\n".join(list(lines)[:40])


def test_stdout_json_is_utf8_even_in_the_c_locale(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.pop("PYTHONIOENCODING", None)
    env.update({"LC_ALL": "C", "PYTHONIOENCODING": "ascii"})
    proc = subprocess.run(
        [sys.executable, "-m", "khenthuong", "check", str(FIXTURE), "--format", "json"],
        env=env,
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    out = tmp_path / "file.json"
    assert _run_check(FIXTURE, out, {"LC_ALL": "C.UTF-8"}).returncode == 0
    assert proc.stdout == out.read_bytes()
    assert "Nông".encode() in proc.stdout or "ố".encode() in proc.stdout


# --- decimals, never floats ---------------------------------------------------------------------


def test_fifteen_percent_of_forty_is_exactly_six() -> None:
    ratio = load_yaml("ratio: 0.15\n", "p.yaml")[0]["ratio"]
    assert ratio == Decimal("0.15")
    assert ratio * 40 == 6
    assert math.ceil(ratio * 40) == 6
    # The surprises decimals avoid: in binary floating point 7% × 100 is 7.000000000000001
    # (one place more when rounding up) and 70% × 90 is 62.99999999999999 (one fewer rounding
    # down). Written as decimals, both are exact.
    assert math.ceil(0.07 * 100) == 8
    assert math.floor(0.7 * 90) == 62
    assert math.ceil(Decimal("0.07") * 100) == 7
    assert math.floor(Decimal("0.7") * 90) == 63


def test_json_fractions_are_decimals_too() -> None:
    data, _ = load_json('{"a": 0.15, "b": 7.90, "c": 1e-2}', "p.json")
    assert data == {"a": Decimal("0.15"), "b": Decimal("7.90"), "c": Decimal("0.01")}
    assert all(isinstance(v, Decimal) for v in data.values())


def _unit_batch(members: int) -> Any:
    return batch_from_data(
        {
            "batch": {"id": "q", "year": 2021, "as_of": "2021-12-15"},
            "units": [
                {
                    "id": "U1",
                    "name": "Phòng",
                    "headcount": 40,
                    "history": [{"year": 2021, "members_lao_dong_tien_tien": members}],
                }
            ],
        }
    )


@pytest.mark.parametrize(("members", "holds"), [(6, True), (5, False)])
def test_member_share_of_fifteen_percent_at_forty(members: int, holds: bool) -> None:
    batch = _unit_batch(members)
    day = batch.batch.decision_date
    ev = Evaluation(REGISTRY.for_date(day, None).plan(day), batch)
    share = preds.MemberShare(
        {}, title=Award.LAO_DONG_TIEN_TIEN, ratio=load_yaml("r: 0.15", "r")[0]["r"]
    )
    assert share.evaluate(ev.index.subjects["U1"], ev).holds is holds


def _numbers(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list | tuple):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, int | float | Decimal) else []


def test_no_bundled_pack_holds_a_float() -> None:
    for pack_id in REGISTRY.ids():
        pack = REGISTRY.load(pack_id)
        for parameter in pack.parameters.values():
            for dated in parameter.values:
                assert not isinstance(dated.value, float), (pack_id, parameter.id)
        for rule in pack.rules:
            dumped = rule.model_dump(mode="python")
            assert not any(isinstance(n, float) for n in _numbers(dumped)), (pack_id, rule.id)
