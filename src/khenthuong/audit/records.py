"""Decision records: the JSON shape of `check --format json` (spec: cli-and-records.md).

`result_record` builds the whole document; `decision_record` one decision with its full trace.
Records are deterministic: decisions are sorted, keys are sorted when written, and nothing in them
depends on the clock, the machine or the order of the input.
"""

from __future__ import annotations

from typing import Any

from khenthuong.audit.digest import ENGINE, batch_digest, canonical_batch, decision_digest, sha256
from khenthuong.engine.compile import CompiledRule, Node
from khenthuong.engine.decision import Decision
from khenthuong.model.vocab import award_label
from khenthuong.packs.registry import ParamBinding, ResolvedPack
from khenthuong.runner import BatchResult

SCHEMA = "khenthuong.decisions/1"


def param_json(p: ParamBinding, pack: ResolvedPack) -> dict[str, Any]:
    value: Any = p.value
    if not isinstance(value, bool | int | str):
        value = str(value)
    return {
        "name": p.id,
        "value": value,
        "since": p.since.isoformat(),
        "cite": pack.cite(p.source),
        "confidence": p.source.confidence.value,
        "pack": p.pack,
        "delegated": p.delegated,
    }


def node_json(node: Node, d: Decision, pack: ResolvedPack, lang: str) -> dict[str, Any]:
    truths = d.truths
    out: dict[str, Any] = {"holds": node.value(truths), "condition": node.written}
    if node.kind == "leaf":
        assert d.rule is not None
        leaf = d.rule.leaves[node.leaf]
        result = d.results[node.leaf]
        out["predicate"] = leaf.tag
        out["text"] = leaf.describe(lang)
        out["facts"] = [f.to_json() for f in result.facts]
        if leaf.params:
            out["params"] = [param_json(p, pack) for p in leaf.params]
        if result.note:
            out["note"] = result.note
    else:
        out["op"] = node.kind
        out["children"] = [node_json(c, d, pack, lang) for c in node.children]
    return out


def rule_json(rule: CompiledRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title,
        "cite": rule.cite,
        "confidence": rule.confidence.value,
        "layer": rule.layer,
        "discretionary": rule.discretionary,
        "valid": {
            "from": rule.valid_from.isoformat(),
            "until": rule.valid_until.isoformat() if rule.valid_until else None,
        },
    }


def trace_json(d: Decision, pack: ResolvedPack, lang: str = "vi") -> dict[str, Any]:
    """The whole trace: rule, each criterion with its citation and condition tree, facts, params."""
    if d.rule is None:
        return {"rule": None, "note": d.note}
    criteria = []
    for c, holds in d.criteria():
        criteria.append(
            {
                "id": c.id,
                "title": c.title_en if lang == "en" and c.title_en else c.title,
                "cite": c.cite,
                "text": c.source.text,
                "note": c.source.note,
                "url": c.source.url,
                "confidence": c.source.confidence.value,
                "holds": holds,
                "condition": node_json(c.node, d, pack, lang),
            }
        )
    return {"rule": rule_json(d.rule), "criteria": criteria}


def decision_record(d: Decision, pack: ResolvedPack, lang: str = "vi") -> dict[str, Any]:
    reasons = d.reasons()
    if lang == "en" and d.rule is not None:
        for r, (c, _) in zip(reasons, d.criteria(), strict=True):
            r["text"] = c.title_en or c.title
    return {
        "candidate": d.candidate,
        "name": d.name,
        "kind": d.kind.value,
        "award": d.award.value,
        "award_name": award_label(d.award, lang),
        "year": d.year,
        "decision_date": d.date.isoformat(),
        "outcome": d.outcome.value,
        "confidence": d.confidence.value,
        "deferred": d.deferred,
        "selected": None,
        "rank": None,
        "quota": None,
        "reasons": reasons,
        "missing": d.missing(lang),
        "trace": trace_json(d, pack, lang),
        "digest": decision_digest(d, pack.digest),
    }


def result_record(result: BatchResult, lang: str = "vi") -> dict[str, Any]:
    """The `check --format json` document for a batch result."""
    decisions = [decision_record(d, result.pack, lang) for d in result.decisions]
    placements = {(p.candidate, p.award.value): p for r in result.rankings for p in r.placements}
    for rec in decisions:  # rank, selected, quota, priority, cut_by: see khenthuong.ranking
        placed = placements.get((rec["candidate"], rec["award"]))
        if placed is not None:
            rec.update(placed.to_json(lang))
    return {
        "schema": SCHEMA,
        "engine": ENGINE,
        "lang": lang,
        "batch": {
            "id": result.batch.batch.id,
            "year": result.batch.batch.year,
            "as_of": result.batch.batch.as_of.isoformat() if result.batch.batch.as_of else None,
            "decision_date": result.date.isoformat(),
            "province": result.batch.batch.province,
            "movement": result.batch.batch.movement,
            "digest": batch_digest(result.batch),
        },
        "pack": {
            "id": result.pack.id,
            "layers": result.pack.layer_ids,
            "digest": result.pack.digest,
        },
        # The batch itself, canonical, so that `khenthuong verify` can recompute every decision.
        "input": canonical_batch(result.batch),
        "decisions": decisions,
        "rankings": [r.to_json(lang) for r in result.rankings],
        "findings": [f.to_json(lang) for f in result.findings],
        # The movement the batch names: its targets, each unit's status per target, and the
        # khối/cụm rankings (khenthuong.movements; docs/movements.md).
        "movements": [m.to_json(lang) for m in result.movements],
        "digest": sha256([d["digest"] for d in decisions]),
    }
