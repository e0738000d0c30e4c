"""JSON Schemas: generated from the models, committed under schemas/, and obeyed by what we read and write.

A standard validator (jsonschema, draft 2020-12) checks every fixture batch, every scenario batch
beside the rules, every bundled rule file and every `check --format json` document of the fixtures.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings

from khenthuong.cli import main
from khenthuong.schemas import KINDS, file_name, schema, schema_text
from khenthuong.sources import decode, load_yaml
from tests.strategies import batch_data

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
RULES = ROOT / "rules"
FIXTURES = ROOT / "fixtures"


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema(kind), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _plain(data: Any) -> Any:
    """YAML data as a JSON document sees it: dates as ISO text (editors read them so too)."""
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    if isinstance(data, Decimal):
        return str(data)
    return data


def _yaml(path: Path) -> Any:
    return _plain(load_yaml(decode(path.read_bytes(), path.name), path.name)[0])


def _errors(kind: str, doc: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in _validator(kind).iter_errors(doc)
    ]


def _fixture_batches() -> list[Path]:
    found = []
    for path in sorted(FIXTURES.glob("**/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "batch" in data:
            found.append(path)
    return found


def _rule_files() -> list[Path]:
    out: list[Path] = []
    for pack in sorted(p for p in RULES.iterdir() if (p / "pack.yaml").is_file()):
        out.append(pack / "pack.yaml")
        out += sorted((pack / "instruments").glob("*.yaml"))
        out += sorted((pack / "parameters").glob("*.yaml"))
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_committed_schema_is_the_generated_one(kind: str) -> None:
    committed = (SCHEMAS / file_name(kind)).read_text(encoding="utf-8")
    assert committed == schema_text(kind), (
        f"schemas/{file_name(kind)} is out of date: run `khenthuong schema --write schemas/`"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_is_a_valid_draft_2020_12_schema(kind: str) -> None:
    jsonschema.Draft202012Validator.check_schema(schema(kind))
    assert schema(kind)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_cli_prints_and_writes_the_schemas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "rules"]) == 0
    assert capsys.readouterr().out == schema_text("rules")
    assert main(["schema"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == set(KINDS)
    assert main(["schema", "--write", str(tmp_path)]) == 0
    for kind in KINDS:
        assert (tmp_path / file_name(kind)).read_text(encoding="utf-8") == schema_text(kind)
    assert main(["schema", "batch", "--out", str(tmp_path / "b.json")]) == 0
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["required"] == ["batch"]
    with pytest.raises(ValueError, match="unknown schema"):
        schema("nope")


def test_editor_settings_map_the_rules_schema_to_rule_files() -> None:
    settings_file = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings_file["yaml.schemas"]
    globs = mapping["./schemas/rules.schema.json"]
    assert "rules/*/instruments/*.yaml" in globs
    assert "rules/*/parameters/*.yaml" in globs
    assert "rules/*/pack.yaml" in globs
    assert (ROOT / "schemas" / "rules.schema.json").is_file()


@pytest.mark.parametrize("path", _rule_files(), ids=lambda p: p.relative_to(RULES).as_posix())
def test_every_bundled_rule_file_obeys_the_rules_schema(path: Path) -> None:
    assert _errors("rules", _yaml(path)) == []


def test_the_rules_schema_rejects_what_the_loader_rejects() -> None:
    broken = ROOT / "tests" / "packs_broken"
    for slug in ("kt210-unknown-predicate", "kt212-unknown-key", "kt214-wrong-value"):
        assert _errors("rules", _yaml(broken / slug / "instruments" / "luat.yaml")), slug
    assert _errors("rules", _yaml(broken / "kt213-missing-key" / "instruments" / "luat.yaml"))
    minimal = ROOT / "tests" / "packs_ok" / "minimal"
    for path in [minimal / "pack.yaml", *minimal.glob("*/*.yaml")]:
        assert _errors("rules", _yaml(path)) == [], path


def test_there_are_fixture_batches() -> None:
    assert _fixture_batches(), "fixtures/**/*.yaml holds no batch"


@pytest.mark.parametrize("path", _fixture_batches(), ids=lambda p: p.name)
def test_every_fixture_batch_obeys_the_batch_schema(path: Path) -> None:
    assert _errors("batch", _yaml(path)) == []


def _scenario_batches() -> list[tuple[str, Any]]:
    out = []
    for path in sorted(RULES.glob("*/tests/*.yaml")):
        data = _yaml(path)
        for item in data.get("scenarios", []) if isinstance(data, dict) else []:
            out.append((f"{path.relative_to(RULES).as_posix()}: {item.get('name')}", item["batch"]))
    return out


def test_every_scenario_batch_obeys_the_batch_schema() -> None:
    problems = {name: e for name, batch in _scenario_batches() if (e := _errors("batch", batch))}
    assert problems == {}


@settings(max_examples=40, deadline=None)
@given(batch_data())
def test_any_batch_the_loader_accepts_obeys_the_schema(data: dict[str, Any]) -> None:
    from khenthuong.batch.load import batch_from_data

    batch_from_data(data, "generated")
    doc = json.loads(json.dumps(_plain(data), default=str))
    assert _errors("batch", doc) == []


@pytest.mark.parametrize("path", _fixture_batches(), ids=lambda p: p.name)
def test_check_json_of_every_fixture_obeys_the_decision_schema(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "decisions.json"
    for lang in ("vi", "en"):
        code = main(["check", str(path), "--format", "json", "--lang", lang, "--out", str(out)])
        assert code in (0, 1), capsys.readouterr().err
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert doc["decisions"]
        assert _errors("decision", doc) == []


def test_the_decision_schema_is_not_vacuous(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "b.yaml"
    batch.write_text(
        "batch: {id: b, year: 2021, as_of: 2021-12-15}\n"
        "people: [{id: P1, name: A, history: [{year: 2021, rating: HTTNV}]}]\n"
        "nominations: [{candidate: P1, award: lao_dong_tien_tien}]\n",
        encoding="utf-8",
    )
    main(["check", str(batch), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert _errors("decision", doc) == []
    # more fields may be added (spec), but the fixed ones keep their types
    doc["decisions"][0]["extra_field_from_a_later_version"] = {"any": "thing"}
    assert _errors("decision", doc) == []
    for field, bad in (("outcome", "maybe"), ("rank", 0), ("selected", "yes"), ("digest", "x")):
        changed = json.loads(json.dumps(doc))
        changed["decisions"][0][field] = bad
        assert _errors("decision", changed), field
    changed = json.loads(json.dumps(doc))
    changed["decisions"][0]["quota"] = {"scope": "U", "base": 40, "ratio": 0.15}
    assert _errors("decision", changed)
    changed["decisions"][0]["quota"] = {
        "scope": "U-SNV",
        "base": 40,
        "ratio": "0.15",
        "rounding": "floor",
        "slots": 6,
    }
    assert _errors("decision", changed) == []
    del changed["decisions"][0]["outcome"]
    assert _errors("decision", changed)
