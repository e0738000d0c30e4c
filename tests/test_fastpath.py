"""The fast paths keep their promises: cheap traces rebuild exactly, fast loading gives the same people.

- every predicate's fast `holds` agrees with `evaluate(...).holds`, so a decision's stored truths
  are its trace's (the facts are rebuilt lazily and must give the same truths);
- `Decision`'s public API works on lazily rebuilt results (deferred, facts, reasons, missing);
- `model.fast` twins have the fields of `model.subjects` and load the same values, falling back
  to the ordinary models (aliases, NFD text, repeats, errors) where they must;
- `paused_gc` never leaves the collector disabled.
"""

from __future__ import annotations

import gc
import json
import unicodedata
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khenthuong.batch.load import batch_from_data
from khenthuong.bulk.gcpause import paused_gc
from khenthuong.engine.evaluate import Evaluation
from khenthuong.model.fast import TWINS, PeopleLoader
from khenthuong.model.subjects import Person
from khenthuong.model.vocab import AWARD_SUBJECTS, Award
from khenthuong.packs.registry import PackRegistry
from tests.strategies import batch_data

REGISTRY = PackRegistry()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _every_decision(data: dict[str, Any]) -> tuple[Evaluation, list[Any]]:
    batch = batch_from_data(data)
    day = batch.batch.decision_date
    ev = Evaluation(REGISTRY.for_date(day, None).plan(day), batch)
    decisions = [
        ev.decide(view.id, award)
        for view in ev.index.subjects.values()
        for award in Award
        if view.kind in AWARD_SUBJECTS[award]
    ]
    return ev, decisions


@SETTINGS
@given(batch_data(max_people=8))
def test_stored_truths_are_the_rebuilt_traces(data: dict[str, Any]) -> None:
    _, decisions = _every_decision(data)
    for d in decisions:
        if d.rule is None:
            continue
        stored = d.truths
        rebuilt = tuple(r.holds for r in d.results)
        assert rebuilt == stored, (d.candidate, d.award, d.rule.id)
        assert (
            d.outcome.value
            == {True: "eligible", False: "ineligible", None: "undetermined"}[d.rule.outcome(stored)]
        )


@SETTINGS
@given(batch_data(max_people=8))
def test_each_fast_holds_agrees_with_evaluate(data: dict[str, Any]) -> None:
    ev, decisions = _every_decision(data)
    for d in decisions:
        if d.rule is None:
            continue
        view = ev.index.subjects[d.candidate]
        for leaf in d.rule.leaves:
            assert leaf.holds(view, ev) == leaf.evaluate(view, ev).holds, (leaf.tag, d.candidate)


@SETTINGS
@given(batch_data(max_people=8))
def test_deferred_from_truths_equals_deferred_from_results(data: dict[str, Any]) -> None:
    _, decisions = _every_decision(data)
    for d in decisions:
        fast = d.deferred  # before the results are rebuilt: read from the truths
        assert fast == any(r.note == "deferred" for r in d.results)
        assert d.deferred == fast  # after: read from the results


def test_a_lazy_decision_explains_itself() -> None:
    data = {
        "batch": {"id": "b", "year": 2024, "as_of": "2024-12-15"},
        "people": [
            {
                "id": "P1",
                "name": "Nông Thị Hoa",
                "recruited_on": "2024-10-01",
                "history": [{"year": 2024, "rating": "HTXSNV"}],
                "attestations": {"solidarity": True, "emulation": True},
            }
        ],
    }
    _, decisions = _every_decision(data)
    ldtt = next(d for d in decisions if d.award is Award.LAO_DONG_TIEN_TIEN)
    assert ldtt.outcome.value == "ineligible"
    assert ldtt._results is None  # nothing rebuilt yet
    assert [r["holds"] for r in ldtt.reasons()] == [True, True, False, True]
    assert any("tháng" in text for text in ldtt.missing())
    assert {f.name for f in ldtt.facts()} >= {"rating", "recruited_on"}
    assert ldtt._results is not None
    again = next(d for d in _every_decision(data)[1] if d.award is Award.LAO_DONG_TIEN_TIEN)
    assert again == ldtt
    assert hash(again) == hash(ldtt)
    assert "lao_dong_tien_tien" in repr(ldtt)


def test_a_decision_needs_results_or_truths_and_source() -> None:
    from khenthuong.engine.decision import Decision
    from khenthuong.model.vocab import Outcome, SubjectKind

    with pytest.raises(ValueError, match="truths and their source"):
        Decision(
            "P1",
            "A",
            SubjectKind.PERSON,
            Award.GIAY_KHEN,
            2024,
            None,  # type: ignore[arg-type]
            Outcome.ELIGIBLE,
            None,
            None,
        )


# --------------------------------------------------------------------------- fast models


MODEL_OF = {twin: model for model, twin in TWINS}


def _base(annotation: Any) -> Any:
    """The type under `Annotated[...]` (recursively in `X | None`, `tuple[X, ...]`), with each
    fast twin replaced by its model."""
    if get_origin(annotation) is Annotated:
        return _base(get_args(annotation)[0])
    args = get_args(annotation)
    if args:
        origin = get_origin(annotation)
        kind = "union" if origin in (Union, UnionType) else origin
        return (kind, tuple(_base(a) for a in args))
    return MODEL_OF.get(annotation, annotation)


@pytest.mark.parametrize(("model", "twin"), TWINS, ids=lambda c: c.__name__)
def test_fast_twins_have_the_same_fields(model: Any, twin: Any) -> None:
    assert issubclass(twin, model)
    assert list(twin.model_fields) == list(model.model_fields)
    for name, field in model.model_fields.items():
        fast = twin.model_fields[name]
        assert fast.is_required() == field.is_required(), name
        assert fast.default == field.default, name
        assert _base(fast.annotation) == _base(field.annotation), name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch_data(max_people=10))
def test_the_loader_gives_what_person_gives(data: dict[str, Any]) -> None:
    lines = [json.dumps(p, ensure_ascii=False).encode() for p in data["people"]]
    loader = PeopleLoader()
    people, errors = loader.load(lines)
    assert errors == []
    for line, person in zip(lines, people, strict=True):
        assert isinstance(person, Person)
        assert person.model_dump() == Person.model_validate_json(line).model_dump()


@given(st.sampled_from(["HTXS", "Hoàn thành xuất sắc nhiệm vụ", " HTXSNV "]))
def test_aliases_and_decomposed_text_fall_back_to_the_ordinary_model(rating: str) -> None:
    name = unicodedata.normalize("NFD", "Nông Thị Hoa")
    raw = {"id": "P1", "name": name, "history": [{"year": 2024, "rating": rating}]}
    line = json.dumps(raw, ensure_ascii=False).encode()
    loader = PeopleLoader()
    (person,), errors = loader.load([line])
    assert errors == []
    assert loader.fallbacks == 1
    assert person is not None
    assert person.model_dump() == Person.model_validate(raw).model_dump()
    assert person.name == "Nông Thị Hoa"  # NFC, as Person normalises it


def test_invalid_people_are_located_and_repeats_are_refused() -> None:
    good = json.dumps({"id": "P1", "name": "A"}).encode()
    bad = json.dumps({"id": "P2", "name": "B", "history": [{"year": "x"}]}).encode()
    twice = json.dumps(
        {"id": "P3", "name": "C", "history": [{"year": 2024, "titles": ["giay_khen", "giay_khen"]}]}
    ).encode()
    people, errors = PeopleLoader().load([good, bad, twice, b"{not json"])
    assert people[0] is not None
    assert people[1:] == [None, None, None]
    assert [e.position for e in errors] == [1, 2, 3]
    assert "listed twice" in errors[1].errors[0]["msg"]


def test_paused_gc_restores_the_collector_even_on_error() -> None:
    assert gc.isenabled()
    seen: list[bool] = []

    def fail() -> None:
        with paused_gc(collect=True):
            seen.append(gc.isenabled())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail()
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
