"""Canonical JSON and digests: the bytes that are hashed are the same on every machine.

Canonical JSON here: keys sorted, no insignificant whitespace, UTF-8 without escaping, decimals
as strings, no timestamps. A decision's digest covers the facts it used, the pack digest, the engine
version and its outcome — so changing any of them changes the digest.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from khenthuong._version import __version__
from khenthuong.engine.decision import Decision
from khenthuong.model.batch import Batch

ENGINE = f"khenthuong {__version__}"


def canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical(value)).hexdigest()


def canonical_batch(batch: Batch) -> dict[str, Any]:
    """The batch as plain data with every section sorted, so that input order does not matter."""
    data = batch.model_dump(mode="json")
    for section in ("units", "people", "households"):
        data[section] = sorted(data[section], key=lambda r: r["id"])
    data["nominations"] = sorted(
        data["nominations"], key=lambda n: (n["candidate"], n["award"], n.get("basis") or [])
    )
    return data


def batch_digest(batch: Batch) -> str:
    return sha256(canonical_batch(batch))


def decision_core(d: Decision, pack_digest: str, engine: str = ENGINE) -> dict[str, Any]:
    """The hashed part of a decision: what was decided, from which facts, by which pack and engine."""
    return {
        "candidate": d.candidate,
        "award": d.award.value,
        "year": d.year,
        "decision_date": d.date.isoformat(),
        "outcome": d.outcome.value,
        "rule": d.rule.id if d.rule else None,
        "facts": [f.to_json() for f in d.facts()],
        "pack": pack_digest,
        "engine": engine,
    }


def decision_digest(d: Decision, pack_digest: str, engine: str = ENGINE) -> str:
    return sha256(decision_core(d, pack_digest, engine))
