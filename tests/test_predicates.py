"""Unit tests per predicate, at and around each threshold, through the real bundled packs' plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from khenthuong.engine import predicates as preds
from khenthuong.engine.evaluate import Evaluation
from khenthuong.model.vocab import Award, DisciplineForm, InitiativeKind, Rating, Scope
from khenthuong.packs.registry import PackRegistry
from tests.helpers import batch, person

REGISTRY = PackRegistry()


def evaluation(b, day: dt.date | None = None) -> Evaluation:  # type: ignore[no-untyped-def]
    day = day or b.batch.decision_date
    return Evaluation(REGISTRY.for_date(day, None).plan(day), b)


def leaf(pred: preds.Predicate, b, cid: str = "P1"):  # type: ignore[no-untyped-def]
    ev = evaluation(b)
    return pred.evaluate(ev.index.subjects[cid], ev)


def test_rating_at_threshold_and_below_and_missing() -> None:
    b = batch(people=[person(history=[{"year": 2021, "rating": "HTTNV"}])])
    assert leaf(preds.RatingIs({}, at_least=Rating.HTTNV), b).holds is True
    assert leaf(preds.RatingIs({}, at_least=Rating.HTXSNV), b).holds is False
    result = leaf(preds.RatingIs({}, at_least=Rating.HTTNV, offset=-1), b)
    assert result.holds is None
    assert result.facts[0].path == "people[P1].history[2020].rating"


def test_rating_streak_one_year_gap_breaks_it() -> None:
    hist = [
        {"year": 2017, "rating": "HTXSNV"},
        {"year": 2018, "rating": "HTTNV"},
        {"year": 2019, "rating": "HTXSNV"},
        {"year": 2020, "rating": "HTXSNV"},
        {"year": 2021, "rating": "HTXSNV"},
    ]
    b = batch(people=[person(history=hist)])
    assert leaf(preds.RatingStreak({}, at_least=Rating.HTXSNV, years=3), b).holds is True
    four = leaf(preds.RatingStreak({}, at_least=Rating.HTXSNV, years=4), b)
    assert four.holds is False
    assert "1" in preds.RatingStreak({}, at_least=Rating.HTXSNV, years=4).missing(four)


def test_rating_streak_after_commendation() -> None:
    hist = [{"year": y, "rating": "HTXSNV"} for y in range(2016, 2022)]
    comm = [{"award": "bang_khen_tinh", "year": 2016}]
    b = batch(people=[person(history=hist, commendations=comm)])
    pred = preds.RatingStreak(
        {}, at_least=Rating.HTXSNV, years=5, since_commendation=Award.BANG_KHEN_TINH
    )
    assert leaf(pred, b).holds is True
    b2 = batch(
        people=[person(history=hist, commendations=[{"award": "bang_khen_tinh", "year": 2017}])]
    )
    assert leaf(pred, b2).holds is False


def test_title_streak_counts_recorded_years_and_missing_year_is_not_held() -> None:
    hist = [
        {"year": 2019, "titles": ["chien_si_thi_dua_co_so"]},
        {"year": 2020, "titles": ["chien_si_thi_dua_co_so"]},
    ]
    b = batch(people=[person(history=hist)])
    pred = preds.TitleStreak({}, award=Award.CHIEN_SI_THI_DUA_CO_SO, years=2, ending=-1)
    assert leaf(pred, b).holds is True
    pred3 = preds.TitleStreak({}, award=Award.CHIEN_SI_THI_DUA_CO_SO, years=3, ending=-1)
    assert leaf(pred3, b).holds is False


def test_initiatives_scope_and_research_acceptance() -> None:
    ini = [
        {"id": "A", "year": 2021, "scope": "co_so"},
        {"id": "B", "year": 2021, "scope": "tinh", "kind": "research", "accepted": None},
        {"id": "C", "year": 2020, "scope": "toan_quoc"},
    ]
    b = batch(people=[person(initiatives=ini)])
    assert leaf(preds.Initiatives({}, scope=Scope.CO_SO), b).holds is True
    tinh = leaf(preds.Initiatives({}, scope=Scope.TINH), b)
    assert tinh.holds is None  # research B's acceptance is unknown
    only_ini = leaf(preds.Initiatives({}, scope=Scope.TINH, kinds=(InitiativeKind.INITIATIVE,)), b)
    assert only_ini.holds is False
    assert only_ini.note == "below_scope"
    two_years = leaf(preds.Initiatives({}, scope=Scope.TOAN_QUOC, within_years=2), b)
    assert two_years.holds is True


@pytest.mark.parametrize(
    ("recruited", "holds"),
    [("2021-02-15", True), ("2021-02-16", False), (None, None)],
)
def test_tenure_boundary(recruited: str | None, holds: bool | None) -> None:
    b = batch(as_of="2021-12-15", people=[person(recruited_on=recruited)])
    assert leaf(preds.Tenure({}, months_at_least=10), b).holds is holds


def test_disciplined_by_form_and_year() -> None:
    d = [{"form": "khien_trach", "decided_on": "2021-03-01", "ends_on": "2022-03-01"}]
    b = batch(people=[person(disciplines=d)])
    assert leaf(preds.Disciplined({}, at_least=DisciplineForm.KHIEN_TRACH), b).holds is True
    assert leaf(preds.Disciplined({}, at_least=DisciplineForm.CANH_CAO), b).holds is False
    assert (
        leaf(preds.Disciplined({}, at_least=DisciplineForm.KHIEN_TRACH, ending=-1), b).holds
        is False
    )


def test_discipline_clock() -> None:
    ended_2019 = [{"form": "canh_cao", "decided_on": "2018-05-10", "ends_on": "2019-05-10"}]
    b = batch(people=[person(disciplines=ended_2019)])
    assert leaf(preds.DisciplineClock({}, years=2), b).holds is True
    assert leaf(preds.DisciplineClock({}, years=3), b).holds is False
    no_end = [{"form": "canh_cao", "decided_on": "2018-05-10"}]
    assert (
        leaf(preds.DisciplineClock({}, years=2), batch(people=[person(disciplines=no_end)])).holds
        is None
    )


def test_pending_case_defers_until_closed() -> None:
    open_case = [{"kind": "complaint", "opened_on": "2021-11-02"}]
    b = batch(as_of="2021-12-15", people=[person(pending_cases=open_case)])
    result = leaf(preds.NoPendingCase({}), b)
    assert (result.holds, result.note) == (None, "deferred")
    closed = [{"kind": "complaint", "opened_on": "2021-11-02", "closed_on": "2021-12-01"}]
    b2 = batch(as_of="2021-12-15", people=[person(pending_cases=closed)])
    assert leaf(preds.NoPendingCase({}), b2).holds is True


def test_member_share_strictly_more_than_half_from_listed_members() -> None:
    members = [
        person(f"P{i}", unit="U1", history=[{"year": 2021, "rating": "HTTNV" if i < 2 else "HTNV"}])
        for i in range(4)
    ]
    units = [{"id": "U1", "name": "Phòng A", "headcount": 4}]
    b = batch(as_of="2021-12-15", people=members, units=units)
    half = preds.MemberShare({}, title=Award.LAO_DONG_TIEN_TIEN, ratio=Decimal("0.5"), strict=True)
    assert leaf(half, b, "U1").holds is False  # exactly 50% is not "trên 50%"
    at_least = preds.MemberShare(
        {}, title=Award.LAO_DONG_TIEN_TIEN, ratio=Decimal("0.5"), strict=False
    )
    assert leaf(at_least, b, "U1").holds is True


def test_member_share_uses_aggregates_when_members_are_not_all_listed() -> None:
    units = [
        {
            "id": "U1",
            "name": "Phòng A",
            "headcount": 10,
            "history": [{"year": 2021, "members_lao_dong_tien_tien": 6}],
        }
    ]
    b = batch(units=units)
    pred = preds.MemberShare({}, title=Award.LAO_DONG_TIEN_TIEN, ratio=Decimal("0.5"), strict=True)
    assert leaf(pred, b, "U1").holds is True
    b2 = batch(units=[{"id": "U1", "name": "Phòng A", "headcount": 10}])
    assert leaf(pred, b2, "U1").holds is None


def test_attested_missing_is_unknown() -> None:
    b = batch(people=[person(attestations={"ethics": True})])
    assert leaf(preds.Attested({}, criterion=preds.Attestation.ETHICS), b).holds is True
    missing = leaf(preds.Attested({}, criterion=preds.Attestation.STUDY), b)
    assert missing.holds is None
    assert "học tập" in preds.Attested({}, criterion=preds.Attestation.STUDY).missing(missing)
