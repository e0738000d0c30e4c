"""Temporal coverage of the national packs: no gap and no overlap between rule versions.

The dates checked run from 01/10/2017 (Nghị định 91/2017) to 28/11/2026: the 1st and the 15th of
every month, plus the first and last day of every rule, the day before its first day and the day
after its last. On each date inside a pack's coverage:

- **overlap**: two rules in force for one award and one kind of subject, neither overriding the
  other, is an error (the compiler would refuse it too, KT230);
- **gap**: an award and subject decided before and after the date but not on it is an error;
- **completeness**: every award of the digest's §6 table is decided, for every kind of subject it
  is given to, on every date (Regime A and Regime B alike), and the plan compiles (every parameter
  has a value in force).

Across packs, exactly one national pack covers every date. Provincial layers are not checked here:
they are other packs' business, and `khenthuong lint` checks their coverage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from khenthuong.model.vocab import AWARD_SUBJECTS, Award, SubjectKind
from khenthuong.packs.registry import PackRegistry, ResolvedPack
from khenthuong.packs.schema import Rule

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = PackRegistry([ROOT / "rules"])
NATIONAL = ("vn-2017", "vn-2024")
FIRST = dt.date(2017, 10, 1)
LAST = dt.date(2026, 11, 28)
Key = tuple[Award, SubjectKind]


def twice_a_month(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        for day in (1, 15):
            d = dt.date(year, month, day)
            if first <= d <= last:
                yield d
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def rule_edges(rules: Iterable[Rule]) -> Iterator[dt.date]:
    one = dt.timedelta(days=1)
    for r in rules:
        yield r.valid.from_
        yield r.valid.from_ - one
        if r.valid.until is not None:
            yield r.valid.until
            yield r.valid.until + one


def dates(rules: Iterable[Rule]) -> list[dt.date]:
    return sorted(
        {d for d in [*twice_a_month(FIRST, LAST), *rule_edges(rules)] if FIRST <= d <= LAST}
    )


def in_force(rule: Rule, day: dt.date) -> bool:
    return rule.valid.from_ <= day and (rule.valid.until is None or day <= rule.valid.until)


def active(rules: Iterable[Rule], day: dt.date) -> dict[Key, list[str]]:
    """Rules in force on `day` by award and subject, after declared overrides."""
    live = [r for r in rules if in_force(r, day)]
    overridden = {r.overrides for r in live if r.overrides}
    out: dict[Key, list[str]] = {}
    for r in live:
        if r.id not in overridden:
            out.setdefault((r.award, r.subject), []).append(r.id)
    return out


def problems(rules: list[Rule], days: list[dt.date]) -> list[str]:
    """Every overlap and every gap of `rules` over `days` (which must be sorted)."""
    found: list[str] = []
    covered: dict[Key, list[bool]] = {}
    for i, day in enumerate(days):
        by_key = active(rules, day)
        for key, ids in sorted(by_key.items()):
            if len(ids) > 1:
                found.append(f"overlap on {day}: {key[0].value}/{key[1].value} by {sorted(ids)}")
        for key in {(r.award, r.subject) for r in rules}:
            covered.setdefault(key, [False] * len(days))[i] = key in by_key
    for key, flags in sorted(covered.items()):
        hits = [i for i, f in enumerate(flags) if f]
        if not hits:
            continue
        for i in range(hits[0], hits[-1] + 1):
            if not flags[i]:
                found.append(f"gap on {days[i]}: {key[0].value}/{key[1].value}")
    return found


def pack_days(pack: ResolvedPack) -> list[dt.date]:
    return [d for d in dates(pack.rules) if pack.covers(d)]


@pytest.mark.parametrize("pack_id", NATIONAL)
def test_no_gap_and_no_overlap(pack_id: str) -> None:
    pack = REGISTRY.resolve(pack_id)
    assert problems(list(pack.rules), pack_days(pack)) == []


@pytest.mark.parametrize("pack_id", NATIONAL)
def test_every_award_and_subject_is_decided_on_every_date(pack_id: str) -> None:
    pack = REGISTRY.resolve(pack_id)
    wanted = {(a, s) for a, subjects in AWARD_SUBJECTS.items() for s in subjects}
    for day in pack_days(pack):
        plan = pack.plan(day)  # raises PackError if a parameter has no value in force
        assert set(plan.rules) == wanted, f"{pack_id} on {day}: {wanted ^ set(plan.rules)}"


def test_exactly_one_national_pack_on_every_date() -> None:
    every_day = [FIRST + dt.timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    for day in every_day:
        hits = [p for p in NATIONAL if REGISTRY.resolve(p).covers(day)]
        assert len(hits) == 1, f"{day}: {hits}"
        assert REGISTRY.choose(day) == hits[0]


def test_the_regime_and_decree_switches_are_where_the_law_puts_them() -> None:
    old, new = REGISTRY.resolve("vn-2017"), REGISTRY.resolve("vn-2024")
    assert old.coverage_until == dt.date(2023, 12, 31)
    assert new.coverage_from == dt.date(2024, 1, 1)

    def rule_id(pack: ResolvedPack, day: dt.date, award: Award) -> str:
        return pack.plan(day).rules[(award, SubjectKind.PERSON)].id

    ldtt = Award.LAO_DONG_TIEN_TIEN
    assert rule_id(old, dt.date(2019, 12, 31), ldtt) == "ldtt.2017"
    assert rule_id(old, dt.date(2020, 1, 1), ldtt) == "ldtt.2020"
    assert rule_id(new, dt.date(2025, 6, 30), ldtt) == "ldtt.2024"
    assert rule_id(new, dt.date(2025, 7, 1), ldtt) == "ldtt.2025"
    gdvh = (Award.GIA_DINH_VAN_HOA, SubjectKind.HOUSEHOLD)
    assert old.plan(dt.date(2018, 11, 4)).rules[gdvh].id == "gia-dinh-van-hoa.2017"
    assert old.plan(dt.date(2018, 11, 5)).rules[gdvh].id == "gia-dinh-van-hoa.2018"
    assert new.plan(dt.date(2024, 1, 29)).rules[gdvh].id == "gia-dinh-van-hoa.2024"
    assert new.plan(dt.date(2024, 1, 30)).rules[gdvh].id == "gia-dinh-van-hoa.2024-nd86"


def test_the_2025_versions_cite_decree_152_and_the_2024_ones_decree_98() -> None:
    pack = REGISTRY.resolve("vn-2024")
    for day, decree in ((dt.date(2025, 6, 30), "nd-98-2023"), (dt.date(2025, 7, 1), "nd-152-2025")):
        for rule in pack.plan(day).rules.values():
            cited = {c.source.instrument for c in rule.criteria}
            other = {"nd-98-2023", "nd-152-2025"} - {decree}
            assert not cited & other, f"{rule.id} on {day} cites {sorted(cited & other)}"


# ---------------------------------------------------------------- the checker itself


def _rule(rid: str, start: dt.date, until: dt.date | None, overrides: str | None = None) -> Rule:
    return Rule.model_validate(
        {
            "id": rid,
            "award": "lao_dong_tien_tien",
            "subject": "person",
            "title": rid,
            "valid": {"from": start, "until": until},
            "source": {"instrument": "x", "confidence": "seen"},
            "criteria": [
                {
                    "id": "c",
                    "title": "c",
                    "source": {"instrument": "x", "confidence": "seen"},
                    "when": {"no_pending_case": {}},
                }
            ],
            "overrides": overrides,
        }
    )


def test_the_checker_finds_a_one_day_gap() -> None:
    rules = [
        _rule("a", dt.date(2024, 1, 1), dt.date(2025, 6, 29)),
        _rule("b", dt.date(2025, 7, 1), None),
    ]
    found = problems(rules, [d for d in dates(rules) if d >= dt.date(2024, 1, 1)])
    assert found == ["gap on 2025-06-30: lao_dong_tien_tien/person"]


def test_the_checker_finds_a_one_day_overlap_unless_declared() -> None:
    a = _rule("a", dt.date(2024, 1, 1), dt.date(2025, 7, 1))
    rules = [a, _rule("b", dt.date(2025, 7, 1), None)]
    found = problems(rules, [d for d in dates(rules) if d >= dt.date(2024, 1, 1)])
    assert found == ["overlap on 2025-07-01: lao_dong_tien_tien/person by ['a', 'b']"]
    declared = [a, _rule("b", dt.date(2025, 7, 1), None, overrides="a")]
    assert problems(declared, [d for d in dates(declared) if d >= dt.date(2024, 1, 1)]) == []
