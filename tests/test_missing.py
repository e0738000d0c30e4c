"""What is missing: structured changes on the condition tree, applying them, and the projection.

The property at the end is the contract of `missing`: applying the changes it proposes makes the
decision eligible. It is checked for every decision whose changes are all applicable to data
(ratings, attestations, initiatives, commendations, titles of earlier years, absent facts).
Excluded, because no change of the batch data can honestly bring them: deferrals for an open case
(the case must be closed), tenure (only time brings it — the projection covers it), disciplines,
criteria the law leaves open (`unsettled`), fields such as employment or position when they are
known, and members' results of a collective.
Those changes carry no edits (`Change.applicable` is False), and the property checks that.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from khenthuong.audit.missing import (
    Change,
    ChangeKind,
    Edit,
    EditOp,
    apply_changes,
    apply_edits,
    missing,
    project,
)
from khenthuong.batch.load import batch_from_data
from khenthuong.model.vocab import AWARD_SUBJECTS, Award, Outcome, SubjectKind
from khenthuong.packs.registry import PackRegistry
from khenthuong.runner import BatchResult, evaluate_batch
from tests.helpers import ATTESTED, batch, person

REGISTRY = PackRegistry()


def decide(b: Any, candidate: str = "P1", award: str = "lao_dong_tien_tien") -> BatchResult:
    return evaluate_batch(b, registry=REGISTRY)


def only(result: BatchResult, award: str, candidate: str = "P1") -> Any:
    d = result.decision(candidate, award)
    assert d is not None
    return d


def test_eligible_decision_needs_nothing() -> None:
    b = batch(
        people=[person(history=[{"year": 2021, "rating": "HTTNV"}])],
        nominations=[("P1", "lao_dong_tien_tien")],
    )
    r = decide(b)
    d = only(r, "lao_dong_tien_tien")
    assert d.outcome is Outcome.ELIGIBLE
    assert missing(d, r) == []
    assert d.missing() == []


def test_missing_attestation_is_named_and_applicable() -> None:
    att = {k: v for k, v in ATTESTED.items() if k != "ethics"}
    b = batch(
        people=[person(history=[{"year": 2021, "rating": "HTTNV"}], attestations=att)],
        nominations=[("P1", "lao_dong_tien_tien")],
    )
    r = decide(b)
    (change,) = missing(only(r, "lao_dong_tien_tien"), r)
    assert change.kind is ChangeKind.ATTESTATION
    assert change.text_vi == "thiếu xác nhận: đạo đức, lối sống lành mạnh"
    assert change.text("en") == "attestation missing: ethics and a healthy way of life"
    assert change.criterion is not None
    assert change.criterion.startswith("ldtt.")
    assert change.criterion.endswith("/ethics")
    assert change.path == "people[P1].attestations.ethics"
    assert change.edits == (Edit(EditOp.SET_ATTESTATION, "P1", key="ethics"),)
    assert change.applicable


def test_streak_names_the_missing_consecutive_year() -> None:
    hist = [
        {"year": 2019, "rating": "HTXSNV", "titles": ["chien_si_thi_dua_co_so"]},
        {"year": 2020, "rating": "HTXSNV", "titles": ["lao_dong_tien_tien"]},
        {"year": 2021, "rating": "HTXSNV"},
    ]
    ini = [
        {"id": "SK1", "year": 2021, "scope": "tinh"},
    ]
    b = batch(
        people=[person(history=hist, initiatives=ini)],
        nominations=[("P1", "chien_si_thi_dua_tinh")],
    )
    r = decide(b)
    changes = missing(only(r, "chien_si_thi_dua_tinh"), r)
    texts = [c.text_vi for c in changes]
    assert texts == ["cần thêm 1 năm liên tục đạt «Chiến sĩ thi đua cơ sở» (chưa đạt: 2020)"]
    assert changes[0].edits == (Edit(EditOp.ADD_TITLE, "P1", 2020, value="chien_si_thi_dua_co_so"),)


def test_initiative_below_scope_asks_for_provincial_recognition() -> None:
    hist = [
        {"year": 2019, "rating": "HTXSNV", "titles": ["chien_si_thi_dua_co_so"]},
        {"year": 2020, "rating": "HTXSNV", "titles": ["chien_si_thi_dua_co_so"]},
        {"year": 2021, "rating": "HTXSNV"},
    ]
    b = batch(
        people=[person(history=hist, initiatives=[{"id": "SK1", "year": 2021, "scope": "co_so"}])],
        nominations=[("P1", "chien_si_thi_dua_tinh")],
    )
    r = decide(b)
    (change,) = missing(only(r, "chien_si_thi_dua_tinh"), r)
    assert change.kind is ChangeKind.INITIATIVE
    assert "phải được công nhận ở phạm vi bộ, ban, ngành, tỉnh" in change.text_vi
    assert change.edits[0] == Edit(EditOp.RAISE_SCOPE, "P1", key="SK1", value="tinh")
    after = evaluate_batch(apply_changes(b, [change]), registry=REGISTRY)
    assert only(after, "chien_si_thi_dua_tinh").outcome is Outcome.ELIGIBLE


def test_any_takes_the_cheapest_branch() -> None:
    # CSTĐCS 2024: HTXS, or an initiative, or research. Rated HTTNV with no initiative: raising
    # the rating is one edit, as is adding an initiative; the first branch wins the tie.
    b = batch(
        year=2024,
        people=[person(history=[{"year": 2024, "rating": "HTTNV"}])],
        nominations=[("P1", "chien_si_thi_dua_co_so")],
    )
    r = decide(b)
    (change,) = missing(only(r, "chien_si_thi_dua_co_so"), r)
    assert change.kind is ChangeKind.RATING
    assert change.edits == (Edit(EditOp.SET_RATING, "P1", 2024, value="HTXSNV"),)
    # An initiative whose acceptance is unknown costs one edit too, and an applicable branch
    # always beats a change that data cannot make.
    assert all(c.applicable for c in missing(only(r, "chien_si_thi_dua_co_so"), r))


def test_not_requires_the_negation_and_data_cannot_undo_a_discipline() -> None:
    b = batch(
        people=[
            person(
                history=[{"year": 2021, "rating": "HTTNV"}],
                disciplines=[{"form": "khien_trach", "decided_on": "2021-03-01"}],
            )
        ],
        nominations=[("P1", "lao_dong_tien_tien")],
    )
    r = decide(b)
    (change,) = missing(only(r, "lao_dong_tien_tien"), r)
    assert change.kind is ChangeKind.DISCIPLINE
    assert change.text_vi.startswith("không được: bị kỷ luật")
    assert not change.applicable


def test_all_takes_the_union_and_derived_titles_expand_into_their_own_decision() -> None:
    att = {k: v for k, v in ATTESTED.items() if k != "study"}
    b = batch(
        people=[person(history=[{"year": 2021, "rating": "HTXSNV"}], attestations=att)],
        nominations=[("P1", "chien_si_thi_dua_co_so")],
    )
    r = decide(b)
    d = only(r, "chien_si_thi_dua_co_so")
    changes = missing(d, r)
    kinds = [c.kind for c in changes]
    assert kinds == [ChangeKind.ATTESTATION, ChangeKind.INITIATIVE]
    assert changes[0].via == (Award.LAO_DONG_TIEN_TIEN,)
    assert changes[0].text_vi.endswith("— để đạt «Lao động tiên tiến» năm 2021")
    assert changes[0].criterion is not None
    assert changes[0].criterion.endswith("/study")
    # without the batch result, the derived title is one change pointing at its decision
    alone = missing(d)
    assert alone[0].kind is ChangeKind.TITLE
    assert not alone[0].applicable
    assert alone[0].text_vi == (
        "cần đạt «Lao động tiên tiến» năm 2021 (xem quyết định «Lao động tiên tiến» của P1)"
    )
    # Decision.missing() is the texts of the structured version
    assert d.missing() == [c.text_vi for c in alone]
    assert d.missing("en") == [c.text_en for c in alone]


def test_pending_case_is_a_deferral_not_a_data_change() -> None:
    b = batch(
        people=[
            person(
                history=[{"year": 2021, "rating": "HTTNV"}],
                pending_cases=[{"kind": "disciplinary_review", "opened_on": "2021-10-01"}],
            )
        ],
        nominations=[("P1", "lao_dong_tien_tien")],
    )
    r = decide(b)
    d = only(r, "lao_dong_tien_tien")
    (change,) = missing(d, r)
    assert change.kind is ChangeKind.DEFERRAL
    assert not change.applicable
    projection = project(d, r, registry=REGISTRY)
    assert projection.first_year is None
    assert projection.note == "deferred"
    assert "hoãn xét" in projection.text()


def test_changes_serialise_to_plain_json() -> None:
    change = Change(
        ChangeKind.RATING,
        "r/c",
        "vi",
        "en",
        "people[P1].history[2021].rating",
        (Edit(EditOp.SET_RATING, "P1", 2021, value="HTTNV"),),
    )
    assert change.to_json() == {
        "kind": "rating",
        "criterion": "r/c",
        "text": {"vi": "vi", "en": "en"},
        "path": "people[P1].history[2021].rating",
        "applicable": True,
        "edits": [
            {
                "op": "set_rating",
                "subject": "P1",
                "year": 2021,
                "key": None,
                "value": "HTTNV",
                "index": 0,
            }
        ],
        "via": [],
    }


def test_edits_merge_to_the_higher_rating_and_apply_once() -> None:
    b = batch(people=[person(history=[{"year": 2021, "rating": "HTNV"}])])
    edits = [
        Edit(EditOp.SET_RATING, "P1", 2021, value="HTXSNV"),
        Edit(EditOp.SET_RATING, "P1", 2021, value="HTTNV"),
        Edit(EditOp.ADD_TITLE, "P1", 2019, value="lao_dong_tien_tien"),
        Edit(EditOp.ADD_TITLE, "P1", 2019, value="lao_dong_tien_tien"),
        Edit(EditOp.ADD_INITIATIVE, "P1", 2021, key="initiative", value="co_so", index=0),
        Edit(EditOp.ADD_INITIATIVE, "P1", 2021, key="initiative", value="co_so", index=1),
        Edit(EditOp.ADD_COMMENDATION, "P1", 2018, value="bang_khen_tinh"),
        Edit(EditOp.SET_FIELD, "P1", key="employment", value="cong_chuc"),
    ]
    p = apply_edits(b, edits).people[0]
    years = {y.year: y for y in p.history}
    assert years[2021].rating is not None
    assert years[2021].rating.value == "HTXSNV"
    assert [t.value for t in years[2019].titles] == ["lao_dong_tien_tien"]
    assert [i.id for i in p.initiatives] == ["SK-2021-1", "SK-2021-2"]
    assert all(i.accepted and i.applied for i in p.initiatives)
    assert [(c.award.value, c.year) for c in p.commendations] == [("bang_khen_tinh", 2018)]
    assert p.employment is not None
    assert p.employment.value == "cong_chuc"
    with pytest.raises(KeyError):
        apply_edits(b, [Edit(EditOp.SET_ATTESTATION, "NOBODY", key="ethics")])


# --------------------------------------------------------------------------- projection


def test_projection_finds_the_year_tenure_is_reached() -> None:
    b = batch(
        people=[person(recruited_on="2021-05-01", history=[{"year": 2021, "rating": "HTTNV"}])],
        nominations=[("P1", "lao_dong_tien_tien")],
    )
    r = decide(b)
    d = only(r, "lao_dong_tien_tien")
    (change,) = missing(d, r)
    assert change.kind is ChangeKind.TENURE
    assert not change.applicable
    assert "đủ từ ngày 01/03/2022" in change.text_vi
    p = project(d, r, registry=REGISTRY)
    assert p.first_year == 2022
    assert [(y.year, y.outcome) for y in p.years] == [(2022, Outcome.ELIGIBLE)]
    assert p.years[0].date == dt.date(2022, 12, 31)
    assert "sớm nhất năm 2022" in p.text()
    assert "ước tính" in p.text()
    assert p.to_json()["projection"] is True


def test_projection_carries_titles_forward_for_a_streak() -> None:
    # One CSTĐCS so far (2021, derived); with the same record the streak of three is reached in
    # 2023 — the year the third consecutive CSTĐCS is earned.
    hist = [{"year": 2021, "rating": "HTXSNV"}]
    ini = [{"id": "SK1", "year": 2021, "scope": "tinh"}]
    b = batch(
        people=[person(history=hist, initiatives=ini)],
        nominations=[("P1", "chien_si_thi_dua_tinh")],
    )
    r = decide(b)
    d = only(r, "chien_si_thi_dua_tinh")
    p = project(d, r, registry=REGISTRY)
    assert p.first_year == 2023
    assert [y.pack for y in p.years] == ["vn-2017", "vn-2017"]


def test_projection_reports_none_within_the_horizon() -> None:
    b = batch(
        people=[person(history=[{"year": 2021, "rating": "HTNV"}])],
        nominations=[("P1", "lao_dong_tien_tien")],
    )
    r = decide(b)
    p = project(only(r, "lao_dong_tien_tien"), r, registry=REGISTRY, horizon=3)
    assert p.first_year is None
    assert [y.year for y in p.years] == [2022, 2023, 2024]
    assert "không đủ điều kiện đến hết năm 2024" in p.text()
    assert "would not qualify by 2024" in p.text("en")


# --------------------------------------------------------------------------- the property

PERSON_AWARDS = sorted(
    a.value for a, kinds in AWARD_SUBJECTS.items() if SubjectKind.PERSON in kinds
)
RATINGS = ["HTXSNV", "HTTNV", "HTNV", "KHTNV", None]
ATTESTATION_KEYS = list(ATTESTED)


@st.composite
def candidates(draw: st.DrawFn) -> dict[str, Any]:
    year = draw(st.sampled_from([2020, 2021, 2023, 2024, 2025]))
    history = []
    for y in range(year - 6, year + 1):
        rec: dict[str, Any] = {"year": y}
        rating = draw(st.sampled_from(RATINGS))
        if rating:
            rec["rating"] = rating
        if y < year:
            rec["titles"] = draw(
                st.lists(
                    st.sampled_from(["lao_dong_tien_tien", "chien_si_thi_dua_co_so"]), unique=True
                )
            )
        history.append(rec)
    initiatives = [
        {
            "id": f"SK{k}",
            "kind": draw(st.sampled_from(["initiative", "research"])),
            "year": draw(st.integers(year - 3, year)),
            "scope": draw(st.sampled_from(["co_so", "tinh", "toan_quoc"])),
            **(
                {"accepted": v}
                if (v := draw(st.sampled_from([True, False, None]))) is not None
                else {}
            ),
            **(
                {"applied": v}
                if (v := draw(st.sampled_from([True, False, None]))) is not None
                else {}
            ),
        }
        for k in range(draw(st.integers(0, 3)))
    ]
    attestations = {
        k: v
        for k in ATTESTATION_KEYS
        if (v := draw(st.sampled_from([True, True, False, None]))) is not None
    }
    commendations = [
        {
            "award": draw(st.sampled_from(["bang_khen_tinh", "giay_khen"])),
            "year": draw(st.integers(year - 8, year - 1)),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    p = person(
        "P1",
        history=history,
        initiatives=initiatives,
        attestations=attestations,
        commendations=commendations,
        recruited_on=draw(st.sampled_from(["2005-01-01", f"{year}-08-01", None])),
    )
    if draw(st.booleans()):
        p["employment"] = draw(st.sampled_from(["cong_chuc", "vien_chuc", "nguoi_lao_dong", None]))
    return {
        "batch": {"id": "h", "year": year, "as_of": f"{year}-12-15"},
        "people": [p],
        "nominations": [
            {"candidate": "P1", "award": a}
            for a in draw(
                st.lists(st.sampled_from(PERSON_AWARDS), min_size=1, max_size=4, unique=True)
            )
        ],
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(candidates())
def test_applying_the_changes_missing_proposes_makes_the_candidate_eligible(
    data: dict[str, Any],
) -> None:
    b = batch_from_data(data)
    result = evaluate_batch(b, registry=REGISTRY)
    checked = 0
    for d in result.decisions:
        if d.outcome is Outcome.ELIGIBLE:
            continue
        changes = missing(d, result)
        assert changes, f"{d.summary()}: not eligible but nothing is missing"
        for c in changes:
            assert c.text_vi
            assert c.text_en
            # what data cannot express carries no edits; what it can, does
            if c.kind in (
                ChangeKind.DEFERRAL,
                ChangeKind.TENURE,
                ChangeKind.DISCIPLINE,
                ChangeKind.UNSETTLED,
            ):
                assert not c.applicable
        if not all(c.applicable for c in changes):
            continue
        after = evaluate_batch(apply_changes(b, changes), registry=REGISTRY)
        fixed = after.decision(d.candidate, d.award.value)
        assert fixed is not None
        assert fixed.outcome is Outcome.ELIGIBLE, (
            f"{d.summary()}: still {fixed.outcome.value} after {[c.text_vi for c in changes]}; "
            f"now missing {fixed.missing()}"
        )
        checked += 1
    assume(checked > 0)
