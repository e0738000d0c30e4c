"""Fuzzing: valid and near-valid batches never raise anything but the library's own errors.

The budget is bounded (40 to 200 examples per target, no deadline) so the whole file runs in well
under a minute in CI; set KHENTHUONG_FUZZ=N to run N times as many random examples. Any exception that is not a `KhenthuongError` fails the test: a crash is a
bug even when the input is nonsense.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khenthuong.audit.records import result_record
from khenthuong.batch.load import batch_from_data, batch_from_text
from khenthuong.errors import InputError, KhenthuongError
from khenthuong.model.batch import Batch
from khenthuong.packs.registry import PackRegistry
from khenthuong.runner import evaluate_batch
from tests.strategies import batch_data, batch_texts, near_valid_batch_data, to_json, to_yaml

REGISTRY = PackRegistry()
# CI runs a fixed, derandomised budget (the same examples every run: no flaky failures).
# KHENTHUONG_FUZZ=10 runs ten times as many random examples, for a longer hunt on a workstation.
SCALE = int(os.environ.get("KHENTHUONG_FUZZ", "0") or 0)
BUDGET = settings(
    max_examples=200 * max(SCALE, 1),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not SCALE,
)


def budget(examples: int) -> settings:
    return settings(BUDGET, max_examples=examples * max(SCALE, 1))


def _assert_located(exc: InputError) -> None:
    """Every diagnostic has a code, a message, and a file."""
    assert exc.diagnostics
    for d in exc.diagnostics:
        assert d.code.startswith("KT1"), d
        assert d.message
        assert d.location.file is not None


@budget(60)
@given(batch_data())
def test_valid_batches_load_and_evaluate(data: dict[str, Any]) -> None:
    batch = batch_from_data(data, "valid.yaml")
    assert isinstance(batch, Batch)
    result = evaluate_batch(batch, registry=REGISTRY)
    record = result_record(result)
    assert len(record["decisions"]) == len({(n.candidate, n.award) for n in batch.nominations})
    json.dumps(record, ensure_ascii=False, allow_nan=False)


@budget(40)
@given(batch_data(max_people=3, max_units=2))
def test_valid_batches_survive_yaml_and_json_round_trips(data: dict[str, Any]) -> None:
    from_yaml = batch_from_text(to_yaml(data), "b.yaml", kind="yaml")
    from_json = batch_from_text(to_json(data), "b.json", kind="json")
    assert from_yaml == from_json == batch_from_data(data)


@BUDGET
@given(near_valid_batch_data())
def test_near_valid_batches_load_or_fail_with_located_input_errors(data: dict[str, Any]) -> None:
    try:
        batch = batch_from_data(data, "near.yaml")
    except InputError as exc:
        _assert_located(exc)
        return
    try:
        evaluate_batch(batch, registry=REGISTRY)
    except KhenthuongError as exc:  # e.g. a year no pack covers
        problems = exc.diagnostics
        assert problems


@budget(120)
@given(st.sampled_from(["yaml", "json"]).flatmap(lambda k: st.tuples(st.just(k), batch_texts(k))))
def test_damaged_text_fails_only_with_input_errors(kind_text: tuple[str, str]) -> None:
    kind, text = kind_text
    try:
        batch_from_text(text, f"fuzz.{kind}", kind=kind)
    except InputError as exc:
        _assert_located(exc)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@budget(150)
@given(
    st.dictionaries(
        st.sampled_from(["batch", "units", "people", "households", "nominations", "x"]),
        JSONISH,
        max_size=5,
    )
    | JSONISH
)
def test_arbitrary_structures_fail_only_with_input_errors(data: Any) -> None:
    try:
        batch_from_data(data, "any.json")
    except InputError as exc:
        _assert_located(exc)


@budget(100)
@given(st.text(max_size=200))
def test_arbitrary_text_fails_only_with_input_errors(text: str) -> None:
    for kind in ("yaml", "json"):
        try:
            batch_from_text(text, f"t.{kind}", kind=kind)
        except InputError as exc:
            _assert_located(exc)
