"""Bad batches fail with one clear, located diagnostic per problem."""

from __future__ import annotations

import pytest

from khenthuong import InputError, batch_from_text

GOOD = """\
batch: {id: b1, year: 2021, as_of: 2021-12-15}
units:
  - {id: U1, name: Sở Nội vụ}
people:
  - id: P1
    name: Nông Thị Hoa
    unit: U1
    history: [{year: 2021, rating: Hoàn thành xuất sắc nhiệm vụ}]
nominations:
  - {candidate: P1, award: LĐTT}
"""


def errors(text: str, kind: str = "yaml") -> list:  # type: ignore[type-arg]
    with pytest.raises(InputError) as info:
        batch_from_text(text, "b.yaml", kind=kind)
    return info.value.diagnostics


def test_good_batch_accepts_vietnamese_phrases_and_abbreviations() -> None:
    b = batch_from_text(GOOD, "b.yaml")
    assert b.people[0].history[0].rating.value == "HTXSNV"
    assert b.nominations[0].award.value == "lao_dong_tien_tien"


def test_unknown_field_names_line_path_and_suggestion() -> None:
    (d,) = errors(GOOD.replace("    unit: U1", "    unnit: U1"))
    assert d.code == "KT111"
    assert d.location.line == 7
    assert d.location.path == "people[0].unnit"
    assert 'did you mean "unit"' in d.message


def test_unknown_unit_and_candidate_with_did_you_mean() -> None:
    text = GOOD.replace("    unit: U1", "    unit: U2").replace("candidate: P1", "candidate: P11")
    found = {d.location.path: d for d in errors(text)}
    assert "unknown unit" in found["people[0].unit"].message
    assert 'did you mean "P1"' in found["nominations[0].candidate"].message
    assert found["nominations[0].candidate"].location.line == 10


def test_duplicate_id_is_reported_at_the_second_use() -> None:
    text = GOOD.replace(
        "units:\n  - {id: U1, name: Sở Nội vụ}",
        "units:\n  - {id: U1, name: A}\n  - {id: U1, name: B}",
    )
    (d,) = errors(text)
    assert d.code == "KT120"
    assert d.location.path == "units[1].id"


def test_unknown_award_code_and_wrong_type() -> None:
    text = GOOD.replace("award: LĐTT", "award: lao_dong_tien_tienn").replace(
        "year: 2021, as_of", "year: 'abc', as_of"
    )
    found = {d.location.path: d for d in errors(text)}
    assert 'did you mean "lao_dong_tien_tien"' in found["nominations[0].award"].message
    assert "batch.year" in found


def test_bad_yaml_has_a_line() -> None:
    (d,) = errors("batch: {id: b1, year: 2021\npeople: [")
    assert d.code == "KT102"
    assert d.location.line is not None


def test_award_that_does_not_fit_the_candidate() -> None:
    (d,) = errors(GOOD.replace("candidate: P1, award: LĐTT", "candidate: U1, award: LĐTT"))
    assert "not awarded to a unit" in d.message


def test_yaml_11_booleans_stay_strings() -> None:
    b = batch_from_text(GOOD.replace("    unit: U1", "    unit: U1\n    commune: off"), "b.yaml")
    assert b.people[0].commune == "off"


def test_python_tags_are_rejected_not_executed() -> None:
    (d,) = errors(GOOD.replace("name: Sở Nội vụ", "name: !!python/object/apply:os.system ['true']"))
    assert d.code == "KT103"


def test_json_errors_have_lines() -> None:
    (d,) = errors('{"batch": {"id": "b", "year": 2021},\n "peple": []}', kind="json")
    assert d.code == "KT111"
    assert d.location.line == 2
