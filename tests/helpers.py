"""Small builders shared by tests: a batch from a few keyword arguments, the benchmark's generator."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from khenthuong.batch.load import batch_from_data
from khenthuong.model.batch import Batch

ATTESTED = {
    "ethics": True,
    "compliance": True,
    "emulation": True,
    "study": True,
    "solidarity": True,
}


def person(pid: str = "P1", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": pid,
        "name": f"Người {pid}",
        "recruited_on": "2010-01-01",
        "attestations": dict(ATTESTED),
    }
    base.update(fields)
    return base


def batch(
    *,
    year: int = 2021,
    as_of: str | None = None,
    people: list[dict[str, Any]] | None = None,
    units: list[dict[str, Any]] | None = None,
    nominations: list[tuple[str, str]] | None = None,
    **header: Any,
) -> Batch:
    data: dict[str, Any] = {
        "batch": {"id": "t", "year": year, **({"as_of": as_of} if as_of else {}), **header},
        "people": people or [],
        "units": units or [],
        "nominations": [{"candidate": c, "award": a} for c, a in (nominations or [])],
    }
    return batch_from_data(data)


def bench_generator() -> ModuleType:
    """`benchmarks/generate.py` (seeded realistic people and units), loaded as a module."""
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
