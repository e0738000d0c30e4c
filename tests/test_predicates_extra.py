"""Unit tests of the predicates added for the full legal packs: `effective_rating` and `unsettled`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from khenthuong.engine import predicates as preds
from khenthuong.engine.evaluate import Evaluation
from khenthuong.errors import PackError
from khenthuong.model.batch import Batch
from khenthuong.model.vocab import Rating
from khenthuong.packs.registry import PackRegistry
from khenthuong.packs.schema import PREDICATE_ARGS, PREDICATE_MODELS, Criterion
from khenthuong.sources import load_yaml
from tests.helpers import batch, person

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = PackRegistry([ROOT / "rules"])


def leaf(pred: preds.Predicate, b: Batch, cid: str = "P1") -> Any:
    day = b.batch.decision_date
    ev = Evaluation(REGISTRY.for_date(day, None).plan(day), b)
    return pred.evaluate(ev.index.subjects[cid], ev)


def disciplined(form: str, decided: str, rating: str | None = "HTTNV", year: int = 2024) -> Batch:
    history = [{"year": year, "rating": rating}] if rating else []
    return batch(
        year=year,
        as_of=f"{year}-12-15",
        people=[
            person(history=history, disciplines=[{"form": form, "decided_on": decided}]),
        ],
    )


# ---------------------------------------------------------------- effective_rating


def test_effective_rating_without_discipline_is_the_recorded_rating() -> None:
    b = batch(
        year=2024, as_of="2024-12-15", people=[person(history=[{"year": 2024, "rating": "HTTNV"}])]
    )
    assert leaf(preds.EffectiveRating({}, at_least=Rating.HTTNV), b).holds is True
    assert leaf(preds.EffectiveRating({}, at_least=Rating.HTXSNV), b).holds is False
    missing = leaf(preds.EffectiveRating({}, at_least=Rating.HTTNV, offset=-1), b)
    assert missing.holds is None
    assert missing.note is None


def test_effective_rating_a_discipline_in_the_year_makes_it_khtnv_and_says_so() -> None:
    pred = preds.EffectiveRating({}, at_least=Rating.HTTNV)
    result = leaf(pred, disciplined("khien_trach", "2024-03-02"))
    assert result.holds is False
    assert result.note == "inconsistent_rating"
    names = {f.name: f.value for f in result.facts}
    assert names["rating"] == "HTTNV"
    assert names["discipline"] == "khien_trach 2024-03-02"
    assert names["rating inconsistent with discipline"] == "HTTNV → KHTNV"
    vi = pred.missing(result, "vi")
    en = pred.missing(result, "en")
    assert "Hoàn thành tốt nhiệm vụ" in vi
    assert "Không hoàn thành nhiệm vụ" in vi
    assert "Nghị định 48/2023" in vi
    assert "did not complete tasks" in en
    assert "khien_trach 2024-03-02" in en


def test_effective_rating_discipline_decides_even_when_the_rating_is_missing() -> None:
    pred = preds.EffectiveRating({}, at_least=Rating.HTNV)
    result = leaf(pred, disciplined("canh_cao", "2024-05-01", rating=None))
    assert result.holds is False
    assert result.note == "disciplined"
    assert "rating inconsistent with discipline" not in {f.name for f in result.facts}
    assert "bị kỷ luật trong năm" in pred.missing(result, "vi")
    assert "disciplined in the year" in pred.missing(result, "en")


def test_effective_rating_a_recorded_khtnv_is_consistent() -> None:
    result = leaf(
        preds.EffectiveRating({}, at_least=Rating.KHTNV),
        disciplined("khien_trach", "2024-03-02", rating="KHTNV"),
    )
    assert result.holds is True
    assert result.note == "disciplined"


def test_effective_rating_ignores_a_discipline_of_another_year() -> None:
    pred = preds.EffectiveRating({}, at_least=Rating.HTTNV)
    assert leaf(pred, disciplined("khien_trach", "2023-12-31")).holds is True
    b = disciplined("khien_trach", "2023-06-01")
    prior = preds.EffectiveRating({}, at_least=Rating.KHTNV, offset=-1)
    assert leaf(prior, b).note == "disciplined"


def test_effective_rating_describes_itself_in_both_languages() -> None:
    pred = preds.EffectiveRating({}, at_least=Rating.HTTNV)
    assert "Hoàn thành tốt nhiệm vụ" in pred.describe("vi")
    assert "kỷ luật" in pred.describe("vi")
    assert "completed tasks well" in pred.describe("en")
    assert pred.reads_titles() == set()


# ---------------------------------------------------------------- unsettled


def test_unsettled_is_always_undetermined_with_its_reason() -> None:
    pred = preds.Unsettled({}, reason="tiêu chuẩn chưa rõ", reason_en="criteria unknown")
    result = leaf(pred, batch(people=[person()]))
    assert result.holds is None
    assert result.note == "unsettled"
    assert result.facts == ()
    assert pred.describe("vi") == "tiêu chuẩn chưa rõ"
    assert pred.describe("en") == "criteria unknown"
    assert pred.missing(result, "vi") == "chưa xác định được: tiêu chuẩn chưa rõ"
    assert pred.missing(result, "en") == "cannot be decided: criteria unknown"
    assert pred.reads_titles() == set()


def test_unsettled_without_english_reason_falls_back_to_vietnamese() -> None:
    pred = preds.Unsettled({}, reason="chưa rõ")
    assert pred.describe("en") == "chưa rõ"
    assert pred.missing(preds.LeafResult(None, ()), "en") == "cannot be decided: chưa rõ"


def test_unsettled_applies_to_every_kind_of_subject() -> None:
    b = batch(
        units=[{"id": "U1", "name": "Đơn vị"}],
        people=[person()],
    )
    pred = preds.Unsettled({}, reason="chưa rõ")
    assert leaf(pred, b, "U1").holds is None
    assert {k.value for k in pred.applies_to} == {"person", "unit", "household"}


# ---------------------------------------------------------------- schema and compiler


def test_both_are_in_the_closed_vocabulary() -> None:
    for name in ("effective_rating", "unsettled"):
        assert name in PREDICATE_ARGS
        assert name in PREDICATE_MODELS


def _criterion(when: str) -> Criterion:
    text = f"""
id: c
title: t
source: {{instrument: luat-tdkt-2022, confidence: unconfirmed, note: n}}
when: {when}
"""
    data, _ = load_yaml(text, "c.yaml")
    return Criterion.model_validate(data)


def test_rule_file_conditions_parse() -> None:
    c = _criterion("{effective_rating: {at_least: HTTNV, year: -1}}")
    assert c.when.effective_rating.year == -1  # type: ignore[union-attr]
    u = _criterion('{unsettled: {reason: "chưa rõ", reason_en: "unknown"}}')
    assert u.when.unsettled.reason_en == "unknown"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "when",
    [
        "{unsettled: {}}",
        '{unsettled: {reason: ""}}',
        '{unsettled: {reason: "x", why: "y"}}',
        "{effective_rating: {at_least: HTTNV, year: 1}}",
        "{effective_rating: {}}",
    ],
)
def test_bad_arguments_are_rejected(when: str) -> None:
    with pytest.raises(ValidationError):
        _criterion(when)


def _pack(tmp_path: Path, subject: str, when: str) -> Path:
    root = tmp_path / "p"
    (root / "instruments").mkdir(parents=True)
    (root / "pack.yaml").write_text(
        "pack: {id: p, title: P, version: '1', coverage: {from: 2024-01-01}}\n", "utf-8"
    )
    award = "tap_the_lao_dong_tien_tien" if subject == "unit" else "lao_dong_tien_tien"
    (root / "instruments" / "law.yaml").write_text(
        f"""
instrument: {{id: law, title: Law}}
rules:
  - id: r
    award: {award}
    subject: {subject}
    title: R
    valid: {{from: 2024-01-01}}
    source: {{instrument: law, confidence: unconfirmed, note: n}}
    criteria:
      - id: c
        title: C
        source: {{instrument: law, confidence: unconfirmed, note: n}}
        when: {when}
""",
        "utf-8",
    )
    return root


def test_effective_rating_on_a_collective_is_a_compile_error(tmp_path: Path) -> None:
    root = _pack(tmp_path, "unit", "{effective_rating: {at_least: HTTNV}}")
    resolved = PackRegistry([root.parent]).resolve("p")
    with pytest.raises(PackError) as err:
        resolved.plan(dt.date(2024, 6, 1))
    assert [d.code for d in err.value.diagnostics] == ["KT224"]


def test_compiled_unsettled_rule_decides_undetermined_with_the_reason(tmp_path: Path) -> None:
    root = _pack(tmp_path, "person", '{unsettled: {reason: "chưa rõ", reason_en: "unknown"}}')
    registry = PackRegistry([root.parent])
    plan = registry.resolve("p").plan(dt.date(2024, 12, 31))
    b = batch(year=2024, people=[person()], nominations=[("P1", "lao_dong_tien_tien")])
    decision = Evaluation(plan, b).decide("P1", next(iter(plan.rules))[0])
    assert decision.outcome.value == "undetermined"
    assert decision.rule is not None
    leaf0 = decision.rule.leaves[0]
    assert isinstance(leaf0, preds.Unsettled)
    assert leaf0.missing(decision.results[0], "en") == "cannot be decided: unknown"
