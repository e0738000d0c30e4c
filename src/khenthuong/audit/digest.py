"""Canonical JSON and digests: the bytes that are hashed are the same on every machine.

Canonical JSON here: keys sorted, no insignificant whitespace, UTF-8 without escaping, decimals
as strings, no timestamps. A decision's digest covers the facts it used, the pack digest, the engine
version and its outcome — so changing any of them changes the digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from khenthuong._version import __version__
from khenthuong.engine.decision import Decision, fact_order
from khenthuong.model.batch import Batch

ENGINE = f"khenthuong {__version__}"


def canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical(value)).hexdigest()


def _sort_subject(record: dict[str, Any]) -> None:
    # Only lists whose order the engine never shows are sorted: a year's record is looked up by
    # year and titles and areas by membership. Initiatives, disciplines, cases and sanctions keep
    # their order, so re-evaluating the canonical batch reproduces the trace byte for byte.
    record["history"] = sorted(record.get("history", []), key=lambda y: y["year"])
    for year in record["history"]:
        if "titles" in year:
            year["titles"] = sorted(year["titles"])
    if "areas" in record:
        record["areas"] = sorted(record["areas"])


def canonical_batch(batch: Batch) -> dict[str, Any]:
    """The batch as plain data with every section sorted, so that input order does not matter.

    This is what a decision record embeds as its `input`: `batch_from_data` reads it back into an
    equal batch, and evaluating that batch reproduces the record's decisions.
    """
    data = batch.model_dump(mode="json")
    for section in ("units", "people", "households"):
        data[section] = sorted(data[section], key=lambda r: r["id"])
        for record in data[section]:
            _sort_subject(record)
    data["nominations"] = sorted(
        data["nominations"],
        key=lambda n: (n["candidate"], n["award"], n.get("basis") or [], n.get("note") or ""),
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


def trace_facts(trace: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The facts of a recorded trace, deduplicated and ordered as `Decision.facts()` orders them."""
    seen: dict[tuple[str, str, int, str], dict[str, Any]] = {}

    def walk(node: Mapping[str, Any]) -> None:
        for f in node.get("facts") or ():
            key = fact_order(f["name"], f["year"], f["from"], f["value"])
            seen.setdefault(key, {k: f[k] for k in ("name", "year", "value", "from")})
        for child in node.get("children") or ():
            walk(child)

    for criterion in trace.get("criteria") or ():
        walk(criterion["condition"])
    return [seen[k] for k in sorted(seen)]


def recorded_core(record: Mapping[str, Any], pack_digest: str, engine: str) -> dict[str, Any]:
    """`decision_core` rebuilt from a decision record alone (no evaluation).

    Comparing its digest with the record's `digest` tells whether the record's own content was
    altered after it was written, independently of whether today's engine still agrees with it.
    Raises KeyError or TypeError when the record lacks a field the core needs.
    """
    trace = record["trace"]
    rule = trace.get("rule")
    return {
        "candidate": record["candidate"],
        "award": record["award"],
        "year": record["year"],
        "decision_date": record["decision_date"],
        "outcome": record["outcome"],
        "rule": rule["id"] if rule else None,
        "facts": trace_facts(trace),
        "pack": pack_digest,
        "engine": engine,
    }


def run_digest(decision_digests: Iterable[str]) -> str:
    """The digest of a run: over its decisions' digests, in the record's order."""
    return sha256(list(decision_digests))
