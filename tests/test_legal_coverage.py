"""The national packs against the legal digest: docs/legal-coverage.md names every rule, decisions
carry the confidence of what they rest on, and delegated numbers are marked as such."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from khenthuong.batch.load import batch_from_data
from khenthuong.model.vocab import AWARD_SUBJECTS, Confidence, Outcome
from khenthuong.packs.loader import load_pack
from khenthuong.packs.registry import PackRegistry
from khenthuong.packs.summary import rule_confidence
from khenthuong.runner import evaluate_batch

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = PackRegistry([ROOT / "rules"])
NATIONAL = ("vn-2017", "vn-2024")
DOC = (ROOT / "docs" / "legal-coverage.md").read_text(encoding="utf-8")
ATTESTED = dict.fromkeys(("ethics", "compliance", "emulation", "study", "solidarity"), True)


@pytest.mark.parametrize("pack_id", NATIONAL)
def test_the_coverage_page_names_every_rule_of_both_halves(pack_id: str) -> None:
    vi, en = DOC.split("## Legal coverage")
    for rule in load_pack(ROOT / "rules" / pack_id).rules:
        assert f"`{rule.id}`" in vi, f"docs/legal-coverage.md (tiếng Việt) does not name {rule.id}"
        assert f"`{rule.id}`" in en, f"docs/legal-coverage.md (English) does not name {rule.id}"


@pytest.mark.parametrize("pack_id", NATIONAL)
def test_every_delegated_parameter_is_documented_and_marked(pack_id: str) -> None:
    pack = load_pack(ROOT / "rules" / pack_id)
    delegated = sorted(p for p, v in pack.parameters.items() if v.delegated)
    assert delegated == [
        "cstdcs_max_share_of_ldtt",
        "cstdcs_quota_rounding",
        "ttldxs_max_share_of_ttldtt",
    ]
    for pid in delegated:
        assert f"`{pid}`" in DOC
        for value in pack.parameters[pid].values:
            assert value.source.note, f"{pid}: the national default must say where it comes from"


@pytest.mark.parametrize("pack_id", NATIONAL)
def test_every_award_of_the_table_has_a_rule_for_every_subject(pack_id: str) -> None:
    pack = load_pack(ROOT / "rules" / pack_id)
    got = {(r.award, r.subject) for r in pack.rules}
    wanted = {(a, s) for a, subjects in AWARD_SUBJECTS.items() for s in subjects}
    assert wanted <= got


def test_nothing_unconfirmed_is_presented_as_settled() -> None:
    """A rule citing any secondary or unconfirmed source is not `seen`, and says why."""
    for pack_id in NATIONAL:
        for rule in load_pack(ROOT / "rules" / pack_id).rules:
            marks = [rule.source, *(c.source for c in rule.criteria)]
            if any(s.confidence is not Confidence.SEEN for s in marks):
                assert rule_confidence(rule) is not Confidence.SEEN
            for s in marks:
                if s.confidence is not Confidence.SEEN:
                    assert s.note, f"{rule.id}: a {s.confidence.value} source needs a note"


def test_decisions_carry_the_confidence_of_their_rule_in_reasons() -> None:
    data = {
        "batch": {"id": "c", "year": 2021, "as_of": "2021-12-15"},
        "people": [
            {
                "id": "P1",
                "name": "Nông Văn A",
                "recruited_on": "2010-01-01",
                "history": [{"year": 2021, "rating": "HTTNV"}],
                "attestations": ATTESTED,
            }
        ],
        "nominations": [
            {"candidate": "P1", "award": "lao_dong_tien_tien"},
            {"candidate": "P1", "award": "giay_khen"},
        ],
    }
    result = evaluate_batch(batch_from_data(data), registry=REGISTRY)
    ldtt = result.decision("P1", "lao_dong_tien_tien")
    assert ldtt is not None
    assert ldtt.outcome is Outcome.ELIGIBLE
    # Eligible, but the deferral rests on Thông tư 12/2019, unconfirmed: the decision says so.
    assert ldtt.confidence is Confidence.UNCONFIRMED
    marks = {r["rule"]: r["confidence"] for r in ldtt.reasons()}
    assert marks["ldtt.2020/rating"] == "seen"
    assert marks["ldtt.2020/not-pending"] == "unconfirmed"
    giay = result.decision("P1", "giay_khen")
    assert giay is not None
    assert giay.outcome is Outcome.UNDETERMINED
    assert giay.confidence is Confidence.UNCONFIRMED
    assert any("Giấy khen" in m for m in giay.missing("vi"))
    assert any("Giấy khen" in m for m in giay.missing("en"))


def test_rule_ids_are_stable_slugs_naming_award_and_version() -> None:
    pattern = re.compile(
        r"^[a-z-]+\.(2017|2018|2020|2024|2025)(-nd86)?(\.(person|unit|household))?$"
    )
    for pack_id in NATIONAL:
        for rule in load_pack(ROOT / "rules" / pack_id).rules:
            assert pattern.match(rule.id), rule.id


@pytest.mark.parametrize("pack_id", NATIONAL)
def test_at_least_three_scenarios_per_award_beside_the_rules(pack_id: str) -> None:
    from khenthuong.scenarios import read_scenarios

    counts = dict.fromkeys((a.value for a in AWARD_SUBJECTS), 0)
    for path in sorted((ROOT / "rules" / pack_id / "tests").glob("*.yaml")):
        for scenario in read_scenarios(path):
            for award in {str(e["award"]) for e in scenario.data.get("expect", [])}:
                counts[award] += 1
    assert {a: n for a, n in counts.items() if n < 3} == {}
