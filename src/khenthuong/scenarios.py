"""Scenario tests that live beside the rules (`rules/<pack>/tests/*.yaml`), read like the law.

A scenario file holds named cases; each gives a batch (as in the batch format) and the expected
outcome of some of its nominations, with the rule ids that must appear in the trace:

    scenarios:
      - name: "Tuyển dụng đúng 10 tháng trước ngày xét: đủ điều kiện Lao động tiên tiến"
        batch: {batch: {id: s1, year: 2021, as_of: 2021-12-15}, people: [...], nominations: [...]}
        expect:
          - {candidate: P1, award: lao_dong_tien_tien, outcome: eligible, rule: ldtt.2017}

`pack` and `province` may be given per scenario to force a pack. Used by the test suite and by
`khenthuong lint` to run a pack's own scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khenthuong.batch.load import batch_from_data
from khenthuong.errors import Diagnostic, InputError, Location
from khenthuong.packs.registry import PackRegistry
from khenthuong.runner import evaluate_batch
from khenthuong.sources import decode, load_yaml


@dataclass(frozen=True, slots=True)
class Scenario:
    file: str
    line: int | None
    name: str
    data: dict[str, Any]


def read_scenarios(path: Path) -> list[Scenario]:
    name = path.as_posix()
    data, positions = load_yaml(decode(path.read_bytes(), name), name)
    items = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError(
            [
                Diagnostic(
                    "KT130",
                    "a scenario file needs a list under `scenarios:`",
                    location=Location(file=name, line=1),
                )
            ]
        )
    out = []
    for i, item in enumerate(items):
        pos = positions.find(("scenarios", i))
        title = item.get("name", f"scenario {i}") if isinstance(item, dict) else f"scenario {i}"
        out.append(Scenario(name, pos[0] if pos else None, str(title), item))
    return out


def run_scenario(scenario: Scenario, registry: PackRegistry) -> list[str]:
    """Evaluate a scenario; return the list of mismatches (empty when it passes)."""
    item = scenario.data
    batch = batch_from_data(item.get("batch"), f"{scenario.file} ({scenario.name})")
    result = evaluate_batch(
        batch, pack=item.get("pack"), province=item.get("province"), registry=registry
    )
    problems: list[str] = []
    if "expect_pack" in item and result.pack.id != item["expect_pack"]:
        problems.append(f"pack {result.pack.id}, expected {item['expect_pack']}")
    for exp in item.get("expect", []):
        d = result.decision(str(exp["candidate"]), str(exp["award"]))
        if d is None:
            problems.append(f"no decision for {exp['candidate']} / {exp['award']}")
            continue
        if d.outcome.value != exp["outcome"]:
            why = "; ".join(d.missing()) or "all criteria hold"
            problems.append(
                f"{exp['candidate']} / {exp['award']}: {d.outcome.value}, "
                f"expected {exp['outcome']} ({why})"
            )
        rule = exp.get("rule")
        if rule and (d.rule is None or d.rule.id != rule):
            problems.append(
                f"{exp['candidate']} / {exp['award']}: decided by "
                f"{d.rule.id if d.rule else None}, expected {rule}"
            )
        for crit in exp.get("failing", []):
            failing = {c.id for c, holds in d.criteria() if holds is not True}
            if crit not in failing:
                problems.append(
                    f"{exp['candidate']} / {exp['award']}: criterion {crit} should not hold "
                    f"(not holding: {sorted(failing)})"
                )
    return problems
