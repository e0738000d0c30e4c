"""docs/rules.md and docs/glossary.md stay true: every example is valid, every name is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from khenthuong.batch.load import batch_from_data
from khenthuong.model import vocab
from khenthuong.packs.registry import PackRegistry
from khenthuong.packs.schema import CONDITION_NAMES, InstrumentFile, PackFile, ParameterFile
from khenthuong.scenarios import Scenario, run_scenario
from khenthuong.sources import load_yaml

ROOT = Path(__file__).resolve().parent.parent
RULES_MD = ROOT / "docs" / "rules.md"
GLOSSARY_MD = ROOT / "docs" / "glossary.md"
FENCE = re.compile(r"^```yaml[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _yaml_blocks() -> list[Any]:
    return [
        load_yaml(text, "docs/rules.md")[0] for text in FENCE.findall(RULES_MD.read_text("utf-8"))
    ]


def _model_for(data: dict[str, Any]) -> type[BaseModel] | None:
    if "pack" in data:
        return PackFile
    if "instrument" in data:
        return InstrumentFile
    if "parameters" in data:
        return ParameterFile
    if "ranking" in data:
        from khenthuong.ranking.policy import PolicyFile

        return PolicyFile
    return None


def test_every_condition_is_in_the_table() -> None:
    text = RULES_MD.read_text(encoding="utf-8")
    table = text[text.index("| Điều kiện / predicate |") :].split("\n\n")[0]
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE))
    assert set(CONDITION_NAMES) - rows == set(), "add these conditions to docs/rules.md §3"
    assert rows - set(CONDITION_NAMES) == set(), (
        "docs/rules.md §3 lists conditions that do not exist"
    )


def test_the_rule_file_examples_are_valid() -> None:
    checked = 0
    for data in _yaml_blocks():
        assert isinstance(data, dict)
        model = _model_for(data)
        if model is not None:
            model.model_validate(data)
            checked += 1
    assert checked >= 6


def test_the_scenario_example_passes_against_the_bundled_packs() -> None:
    (block,) = [d for d in _yaml_blocks() if "scenarios" in d]
    registry = PackRegistry()
    for i, item in enumerate(block["scenarios"]):
        batch_from_data(item["batch"], "docs/rules.md")
        scenario = Scenario("docs/rules.md", None, item["name"], item)
        assert run_scenario(scenario, registry) == [], i


VOCABULARIES = [
    vocab.Award,
    vocab.Rating,
    vocab.Scope,
    vocab.DisciplineForm,
    vocab.Attestation,
    vocab.Area,
    vocab.SubjectKind,
    vocab.Employment,
    vocab.Position,
    vocab.UnitKind,
    vocab.InitiativeKind,
    vocab.PendingKind,
    vocab.SanctionKind,
    vocab.Confidence,
    vocab.Outcome,
    vocab.Gender,
]


@pytest.mark.parametrize("enum", VOCABULARIES, ids=lambda e: e.__name__)
def test_the_glossary_maps_every_code(enum: type[vocab.StrEnum]) -> None:
    text = GLOSSARY_MD.read_text(encoding="utf-8")
    missing = [e.value for e in enum if f"`{e.value}`" not in text]
    assert missing == [], f"docs/glossary.md lacks these {enum.__name__} codes: {missing}"


def test_the_glossary_names_awards_as_the_model_does() -> None:
    text = GLOSSARY_MD.read_text(encoding="utf-8")
    for award, (vi, en) in vocab.AWARD_LABELS.items():
        row = next(line for line in text.splitlines() if f"`{award.value}`" in line)
        assert vi in row
        assert en in row
