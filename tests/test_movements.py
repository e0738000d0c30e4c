"""Scoring of every comparison kind at and around its threshold; the seed movement as data; the
`targets` predicate that rules use for "hoàn thành vượt mức các chỉ tiêu thi đua"."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from khenthuong.engine.facts import SubjectView
from khenthuong.engine.predicates import TargetsMet
from khenthuong.model.movement import Comparison, Movement, Target, TargetStatus
from khenthuong.model.subjects import Unit
from khenthuong.model.vocab import SubjectKind
from khenthuong.movements.scoring import Summary, qualifies, score_unit, score_value
from khenthuong.packs.schema import Criterion

SEED = Path(__file__).parents[1] / "rules" / "cao-bang" / "movements" / "cao-bang-2021.yaml"
D = Decimal


def target(comparison: Comparison, **kw: object) -> Target:
    return Target.model_validate(
        {"id": "t", "text": "t", "metric": "m", "comparison": comparison, "source": "II.1", **kw}
    )


@pytest.mark.parametrize(
    ("value", "status"),
    [(D("1999.9"), "missed"), (D("2000"), "met"), (D("2000.1"), "exceeded")],
)
def test_at_least(value: Decimal, status: str) -> None:
    assert score_value(target(Comparison.AT_LEAST, threshold="2000"), value) == status


@pytest.mark.parametrize(
    ("value", "status"), [(D("3.46"), "missed"), (D("3.45"), "met"), (D("3.44"), "exceeded")]
)
def test_at_most(value: Decimal, status: str) -> None:
    assert score_value(target(Comparison.AT_MOST, threshold="3.45"), value) == status


@pytest.mark.parametrize(
    ("value", "status"), [(D("3.45"), "missed"), (D("3.44"), "met"), (D("0"), "met")]
)
def test_below_is_strict(value: Decimal, status: str) -> None:
    assert score_value(target(Comparison.BELOW, threshold="3.45"), value) == status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (D("7.49"), "missed"),
        (D("7.5"), "met"),
        (D("7.9"), "met"),
        (D("8"), "met"),
        (D("8.01"), "exceeded"),
    ],
)
def test_range_met_inside_exceeded_above(value: Decimal, status: str) -> None:
    assert score_value(target(Comparison.RANGE, low="7.5", high="8"), value) == status


def test_qualitative_and_unreported() -> None:
    q = target(Comparison.QUALITATIVE)
    assert score_value(q, True) is TargetStatus.MET
    assert score_value(q, False) is TargetStatus.MISSED
    assert score_value(q, D(1)) is TargetStatus.NOT_REPORTED
    assert (
        score_value(target(Comparison.AT_LEAST, threshold="1"), None) is TargetStatus.NOT_REPORTED
    )


def test_targets_need_their_bounds() -> None:
    with pytest.raises(ValueError, match="low ≤ high"):
        target(Comparison.RANGE, low="8", high="7")
    with pytest.raises(ValueError, match="needs a threshold"):
        target(Comparison.AT_LEAST)


def seed() -> Movement:
    return Movement.model_validate(yaml.safe_load(SEED.read_text(encoding="utf-8"))["movement"])


def test_seed_movement_has_all_18_points_of_section_ii() -> None:
    m = seed()
    points = {t.source for t in m.targets}
    assert points == {f"Mục II, điểm {i}" for i in range(1, 19)}
    by_id = {t.id: t for t in m.targets}
    assert (by_id["grdp_growth_pct"].low, by_id["grdp_growth_pct"].high) == (D("7.5"), D("8"))
    assert by_id["budget_revenue"].threshold == D("2000")
    assert by_id["forest_cover_pct"].threshold == D("56.54")
    assert by_id["party_building"].comparison is Comparison.QUALITATIVE
    assert m.period_until.isoformat() == "2021-12-31"


def unit(targets: dict[str, object], kind: str = "commune") -> Unit:
    return Unit.model_validate(
        {
            "id": "U",
            "name": "Huyện A",
            "kind": kind,
            "history": [{"year": 2021, "targets": targets}],
        }
    )


def test_unit_summary_and_not_applicable() -> None:
    m = Movement.model_validate(
        {
            "id": "m",
            "title": "m",
            "issuer": "UBND",
            "decision": "01/CT-UBND",
            "decided_on": "2021-01-18",
            "period_from": "2021-01-18",
            "period_until": "2021-12-31",
            "year": 2021,
            "targets": [
                {
                    "id": "a",
                    "text": "a",
                    "metric": "a",
                    "comparison": "at_least",
                    "threshold": "10",
                    "source": "II.1",
                },
                {
                    "id": "b",
                    "text": "b",
                    "metric": "b",
                    "comparison": "at_least",
                    "threshold": "5",
                    "source": "II.2",
                },
                {
                    "id": "c",
                    "text": "c",
                    "metric": "c",
                    "comparison": "at_least",
                    "threshold": "1",
                    "source": "II.3",
                    "applies_to": ["commune"],
                },
            ],
        }
    )
    card = score_unit(m, unit({"a": "11", "b": "5", "c": "1"}))
    assert card.summary is Summary.EXCEEDED
    assert qualifies(m, card)
    assert score_unit(m, unit({"a": "10", "b": "5", "c": "1"})).summary is Summary.MET
    assert score_unit(m, unit({"a": "9", "b": "5", "c": "1"})).summary is Summary.MISSED
    assert score_unit(m, unit({"a": "11"})).summary is Summary.INCOMPLETE
    agency = score_unit(m, unit({"a": "11", "b": "6"}, kind="agency"))
    assert agency.results[2].status is TargetStatus.NOT_APPLICABLE
    assert agency.summary is Summary.EXCEEDED
    declared_na = score_unit(m, unit({"a": "11", "b": "6", "c": None}))
    assert declared_na.results[2].status is TargetStatus.NOT_APPLICABLE


# ---------------------------------------------------------------- the `targets` predicate


def small_movement(**extra: object) -> Movement:
    """Three targets: at_least 10, range 7.5–8 and a qualitative one."""
    return Movement.model_validate(
        {
            "id": "m",
            "title": "m",
            "issuer": "UBND",
            "decision": "01/CT-UBND",
            "decided_on": "2021-01-18",
            "period_from": "2021-01-18",
            "period_until": "2021-12-31",
            "year": 2021,
            "targets": [
                {"id": "a", "text": "a", "metric": "a", "comparison": "at_least", "threshold": "10", "source": "II.1"},
                {"id": "g", "text": "g", "metric": "g", "comparison": "range", "low": "7.5", "high": "8", "source": "II.2"},
                {"id": "q", "text": "q", "metric": "q", "comparison": "qualitative", "source": "II.18"},
            ],
            **extra,
        }
    )  # fmt: skip


def judge(
    targets: dict[str, object], status: str = "all_met_and_one_exceeded", movement: bool = True
) -> tuple[object, str | None, str, str]:
    """(holds, note, missing vi, missing en) of `targets` for a unit reporting `targets` in 2021."""
    view = SubjectView(unit(targets), SubjectKind.UNIT)
    ctx = SimpleNamespace(year=2021, movement=small_movement() if movement else None)
    pred = TargetsMet({"status": status}, status=status)
    result = pred.evaluate(view, ctx)
    assert pred.holds(view, ctx) == result.holds
    return result.holds, result.note, pred.missing(result), pred.missing(result, "en")


def test_targets_all_met_and_one_exceeded() -> None:
    assert judge({"a": "11", "g": "7.8", "q": True})[0] is True
    holds, note, vi, en = judge({"a": "10", "g": "7.5", "q": True})
    assert (holds, note) == (False, "none_exceeded")
    assert vi == "đạt mọi chỉ tiêu nhưng không vượt chỉ tiêu nào"
    assert en == "met every target but exceeded none"
    assert judge({"a": "10", "g": "7.5", "q": True}, status="all_met")[0] is True


def test_targets_a_missed_target_is_false_whatever_else_is_missing() -> None:
    holds, note, vi, en = judge({"a": "9.9", "q": False})
    assert (holds, note) == (False, "missed")
    assert vi == "không đạt chỉ tiêu: a, q"
    assert en == "missed targets: a, q"
    assert judge({"a": "9", "g": "8", "q": True}, status="all_met")[0] is False


def test_targets_unreported_is_unknown_and_named() -> None:
    holds, note, vi, en = judge({"a": "12", "q": True})
    assert (holds, note) == (None, "incomplete")
    assert vi == "chưa báo cáo kết quả chỉ tiêu: g"
    assert en == "results not reported for targets: g"


def test_targets_not_applicable_is_left_out() -> None:
    assert judge({"a": "12", "g": None, "q": True})[0] is True
    holds, note, _, en = judge({"a": None, "g": None, "q": None})
    assert (holds, note) == (None, "no_applicable_targets")
    assert en == "no target of the movement applies to the unit"


def test_targets_without_a_movement_is_unknown() -> None:
    holds, note, vi, en = judge({"a": "12"}, movement=False)
    assert (holds, note) == (None, "no_movement")
    assert "batch.movement" in vi
    assert en.startswith("the batch names no emulation movement")


def test_targets_facts_name_each_value_and_its_place() -> None:
    view = SubjectView(unit({"a": "11", "g": None, "q": True}), SubjectKind.UNIT)
    ctx = SimpleNamespace(year=2021, movement=small_movement())
    result = TargetsMet({}).evaluate(view, ctx)
    facts = {f.name: (f.value, f.path) for f in result.facts}
    assert facts["target:a"] == (D("11"), "units[U].history[2021].targets.a")
    assert facts["target:q"] == (True, "units[U].history[2021].targets.q")
    assert "target:g" not in facts  # not applicable: listed, not read as a value
    assert facts["targets:not_applicable"] == ("g", "movement:m")
    assert facts["targets:exceeded"] == ("a", "movement:m")


def test_targets_describes_itself_in_both_languages() -> None:
    assert TargetsMet({}).describe().startswith("hoàn thành vượt mức các chỉ tiêu thi đua")
    assert TargetsMet({}).describe("en").startswith("exceeds the movement's emulation targets")
    assert "vượt" not in TargetsMet({}, status="all_met").describe()


reported = st.one_of(
    st.none(),
    st.booleans(),
    st.decimals(min_value=0, max_value=20, places=2, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["a", "g", "q"]), reported),
    st.sampled_from(["all_met", "all_met_and_one_exceeded"]),
)
def test_targets_agrees_with_the_scorecard(targets: dict[str, object], status: str) -> None:
    m = small_movement(summary_rule=status)
    card = score_unit(m, unit(targets))
    holds = judge(targets, status)[0]
    assert (holds is True) == qualifies(m, card)
    assert (holds is False) == (
        card.summary is Summary.MISSED
        or (status == "all_met_and_one_exceeded" and card.summary is Summary.MET)
    )  # fmt: skip


def test_targets_condition_in_a_rule_file() -> None:
    crit = {"id": "c", "title": "c", "source": {"instrument": "law", "confidence": "seen"}}
    ok = Criterion.model_validate({**crit, "when": {"targets": {"status": "all_met"}}})
    assert ok.when.targets.status == "all_met"  # type: ignore[union-attr]
    assert Criterion.model_validate({**crit, "when": {"targets": {}}}).when.targets.status == (  # type: ignore[union-attr]
        "all_met_and_one_exceeded"
    )
    with pytest.raises(ValueError, match="all_met"):
        Criterion.model_validate({**crit, "when": {"targets": {"status": "most"}}})


def test_summary_and_value_texts() -> None:
    from khenthuong.movements.scoring import bound_text, summary_text, value_text

    assert summary_text(Summary.EXCEEDED) == "hoàn thành vượt mức các chỉ tiêu"
    assert summary_text(Summary.INCOMPLETE, "en") == "results not all reported"
    assert value_text(D("2370.5")) == "2.370,5"
    assert value_text(True, "en") == "yes"
    assert value_text(None) == "—"
    assert bound_text(target(Comparison.BELOW, threshold="3.45", unit="%")) == "< 3,45 %"
    assert (
        bound_text(target(Comparison.AT_LEAST, threshold="2000", unit="tỷ đồng"))
        == "≥ 2.000 tỷ đồng"
    )
    assert bound_text(target(Comparison.AT_MOST, threshold="1.5"), "en") == "≤ 1.5"
    assert bound_text(target(Comparison.QUALITATIVE)) == "đạt"
