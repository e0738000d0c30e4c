"""Concurrency: the public API is safe to call from many threads on one shared `PackRegistry`.

Each test starts 8 threads together (a barrier) on a fresh registry, so loading, resolving and
compiling packs race as they would in a server, and compares every thread's records with a
single-threaded run.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khenthuong import explain, load_batch, result_record, verify
from khenthuong.batch.load import batch_from_data
from khenthuong.model.batch import Batch
from khenthuong.packs.registry import PackRegistry
from khenthuong.runner import evaluate_batch
from tests.strategies import batch_data

ROOT = Path(__file__).parent.parent
FIXTURES = sorted((ROOT / "fixtures" / "cao-bang-2021").glob("*.yaml"))
THREADS = 8
T = TypeVar("T")


def together(work: Callable[[int], T], threads: int = THREADS) -> list[T]:
    """Run `work(i)` on `threads` threads released at the same moment; re-raise any error."""
    barrier = threading.Barrier(threads)

    def run(i: int) -> T:
        barrier.wait(timeout=60)
        return work(i)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(run, range(threads)))


def record_text(batch: Batch, registry: PackRegistry) -> str:
    return json.dumps(
        result_record(evaluate_batch(batch, registry=registry)), sort_keys=True, ensure_ascii=False
    )


def batch_files() -> list[Path]:
    files = [f for f in FIXTURES if f.name != "expected.yaml"]
    assert files, "the Cao Bằng fixtures are the shared test batches"
    return files


def test_same_batch_on_eight_threads_matches_a_single_threaded_run() -> None:
    path = batch_files()[0]
    expected = record_text(load_batch(path), PackRegistry())
    shared = PackRegistry()  # fresh: packs are loaded and compiled while the threads race
    results = together(lambda _: record_text(load_batch(path), shared))
    assert results == [expected] * THREADS


def test_different_batches_and_years_share_one_registry() -> None:
    files = batch_files()
    expected = {f.name: record_text(load_batch(f), PackRegistry()) for f in files}
    shared = PackRegistry()

    def work(i: int) -> tuple[str, str]:
        f = files[i % len(files)]
        return f.name, record_text(load_batch(f), shared)

    for name, text in together(work):
        assert text == expected[name], name


def test_explanations_and_verification_in_parallel() -> None:
    path = batch_files()[0]
    single = PackRegistry()
    result = evaluate_batch(load_batch(path), registry=single)
    record = result_record(result)
    some = slice(0, 2)  # explaining is the slow part; two decisions exercise it
    expected = [explain(d, result.pack, "vi", within=result) for d in result.decisions[some]]
    shared = PackRegistry()

    def work(i: int) -> tuple[list[str], bool]:
        mine = evaluate_batch(load_batch(path), registry=shared)
        texts = [explain(d, mine.pack, "vi", within=mine) for d in mine.decisions[some]]
        return texts, verify(record, registry=shared).ok

    for texts, ok in together(work):
        assert texts == expected
        assert ok


SEQUENTIAL = PackRegistry()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(batch_data(max_people=4, max_units=2), min_size=THREADS, max_size=THREADS))
def test_generated_batches_on_threads_match_sequential_runs(datas: list[dict[str, Any]]) -> None:
    batches = [batch_from_data(d) for d in datas]
    expected = [record_text(b, SEQUENTIAL) for b in batches]
    shared = PackRegistry()
    assert together(lambda i: record_text(batches[i], shared)) == expected


def test_one_evaluation_result_is_read_from_many_threads() -> None:
    """A finished result is immutable: rendering it concurrently gives the same records."""
    path = batch_files()[0]
    result = evaluate_batch(load_batch(path), registry=PackRegistry())
    expected = json.dumps(result_record(result), sort_keys=True)
    texts = together(lambda _: json.dumps(result_record(result), sort_keys=True))
    assert texts == [expected] * THREADS
