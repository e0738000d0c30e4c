"""Lint checks on one rule: award and subject, validity, citations, overrides, impossible conditions.

The pack-level driver (`khenthuong.packs.lint`) calls `check_rule` for every rule a pack declares,
with the periods over which the rule's parameters keep one value; each problem goes to `emit` with
the exact place it is written (file, line, column, YAML path).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel

from khenthuong.errors import Severity
from khenthuong.model.vocab import (
    AWARD_SUBJECTS,
    DISCIPLINE_ORDER,
    RATING_ORDER,
    Award,
    Confidence,
    SubjectKind,
    award_label,
)
from khenthuong.packs.loader import Located
from khenthuong.packs.schema import AllOf, AnyOf, AttestedCondition, NotOf, ParamRef, Rule, Source

EARLIEST_YEAR = 1945  # no batch holds an earlier year (`khenthuong.model.types.Year`)
LATEST_YEAR = 2100  # nor a later one: the judged year of an open-ended rule is at most this


class Emit(Protocol):
    def __call__(
        self,
        code: str,
        message: str,
        where: Located,
        help_: str,
        *,
        rule: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Period:
    """Dates over which a rule's parameters keep one value: [start, end], `end` None if open."""

    start: dt.date
    end: dt.date | None
    value: Callable[[str], Any]

    @property
    def last_year(self) -> int:
        return self.end.year if self.end is not None else LATEST_YEAR


@dataclass(frozen=True, slots=True)
class Leaf:
    """One predicate of a condition tree, where it is written, and how it takes part in the rule."""

    tag: str
    cond: BaseModel
    where: Located
    negated: bool
    conjunctive: bool

    @property
    def args(self) -> Any:
        return getattr(self.cond, self.tag) if self.tag != "attested" else self.cond.attested  # type: ignore[attr-defined]


def leaves(
    cond: BaseModel, where: Located, negated: bool = False, conjunctive: bool = True
) -> Iterator[Leaf]:
    """Every predicate under `cond`; `conjunctive` when the rule needs it to hold (or, negated, to
    fail) — that is, it is reached only through `all` (or through `any` under a `not`)."""
    if isinstance(cond, AllOf | AnyOf):
        kind = "all" if isinstance(cond, AllOf) else "any"
        kids = cond.all if isinstance(cond, AllOf) else cond.any
        keeps = (kind == "all") != negated
        for i, kid in enumerate(kids):
            yield from leaves(kid, where.at((kind, i)), negated, conjunctive and keeps)
    elif isinstance(cond, NotOf):
        yield from leaves(cond.not_, where.at(("not",)), not negated, conjunctive)
    else:
        tag = (
            "attested"
            if isinstance(cond, AttestedCondition)
            else next(iter(type(cond).model_fields))
        )
        yield Leaf(tag, cond, where.at((tag,)), negated, conjunctive)


def check_rule(
    rule: Rule,
    where: Located,
    criteria: dict[str, Located],
    *,
    coverage: tuple[dt.date, dt.date | None],
    instruments: set[str],
    periods: list[Period],
    emit: Emit,
) -> None:
    """Run every rule-level check on `rule` (written at `where`, criteria at `criteria`)."""
    _award_subject(rule, where, emit)
    _validity(rule, where, coverage, emit)
    _citations(rule, where, criteria, instruments, emit)
    found = [
        leaf
        for c in rule.criteria
        if c.id in criteria
        for leaf in leaves(c.when, criteria[c.id].at(("when",)))
    ]
    for leaf in found:
        _leaf_awards(rule, leaf, emit)
    for period in periods:
        for leaf in found:
            _impossible(rule, leaf, period, emit)
    _contradictions(rule, [f for f in found if f.conjunctive], periods, emit)


def _award_subject(rule: Rule, where: Located, emit: Emit) -> None:
    allowed = AWARD_SUBJECTS[rule.award]
    if rule.subject not in allowed:
        emit(
            "KT240",
            f"{rule.award.value} ({award_label(rule.award)}) is not awarded to a {rule.subject.value}",
            where.at(("subject",)),
            "subject may be: " + ", ".join(sorted(s.value for s in allowed)),
            rule=rule.id,
        )


def _leaf_awards(rule: Rule, leaf: Leaf, emit: Emit) -> None:
    """Awards a condition reads must be ones its subject (or, for members, a person) can hold."""
    args = leaf.args
    checks: list[tuple[str, Award | None, SubjectKind]] = []
    if leaf.tag in ("title", "title_streak", "title_count", "commendation"):
        checks.append(("award", args.award, rule.subject))
    if leaf.tag in ("rating_streak", "title_count", "initiatives"):
        checks.append(("since_commendation", args.since_commendation, rule.subject))
    if leaf.tag in ("member_share", "member_count"):
        checks.append(("title", args.title, SubjectKind.PERSON))
    for field, award, subject in checks:
        if award is not None and subject not in AWARD_SUBJECTS[award]:
            who = "a member" if field == "title" else f"a {subject.value}"
            emit(
                "KT240",
                f"{award.value} ({award_label(award)}) is never held by {who}: "
                "this condition can never hold",
                leaf.where.at((field,)),
                f"{award.value} is awarded to: "
                + ", ".join(sorted(s.value for s in AWARD_SUBJECTS[award])),
                rule=rule.id,
            )


def _validity(
    rule: Rule, where: Located, coverage: tuple[dt.date, dt.date | None], emit: Emit
) -> None:
    start, until = rule.valid.from_, rule.valid.until
    if until is not None and until < start:
        emit(
            "KT254",
            f"validity ends ({until.isoformat()}) before it starts ({start.isoformat()})",
            where.at(("valid", "until")),
            "`until` is the last day the rule applies, on or after `from`",
            rule=rule.id,
        )
        return
    cov_from, cov_until = coverage
    outside = (until is not None and until < cov_from) or (
        cov_until is not None and start > cov_until
    )
    if outside and not rule.archived:
        span = f"{cov_from.isoformat()}–{cov_until.isoformat() if cov_until else '…'}"
        emit(
            "KT247",
            f"the rule is valid {start.isoformat()}–{until.isoformat() if until else '…'}, "
            f"entirely outside the pack's coverage {span}: it can never apply",
            where.at(("valid",)),
            "correct the dates, move the rule to the pack that covers them, or mark it "
            "`archived: true`",
            rule=rule.id,
        )


def check_source(
    source: Source,
    where: Located,
    instruments: set[str],
    emit: Emit,
    *,
    rule: str | None = None,
    what: str,
    noted: bool = False,
    verbatim: bool = True,
) -> None:
    """Citation checks on one `source:` mapping (`where` points at it).

    `noted`: an enclosing source already explains its confidence; `verbatim`: this source is one
    whose passage should be quoted (criteria and parameter values).
    """
    if source.instrument not in instruments:
        from khenthuong.model.types import suggest

        emit(
            "KT226",
            f'{what} cites unknown instrument "{source.instrument}"'
            f"{suggest(source.instrument, sorted(instruments))}",
            where.at(("instrument",)),
            "declare the instrument in instruments/ or correct the id",
            rule=rule,
        )
    conf = source.confidence
    if verbatim and conf is Confidence.SEEN and not source.text:
        emit(
            "KT248",
            f"{what} is marked `seen` but quotes no passage",
            where.at(("confidence",)),
            "copy the passage as published into `text:`, or lower the mark to `secondary`",
            rule=rule,
            severity=Severity.WARNING,
        )
    if conf is not Confidence.SEEN and not source.note and not noted:
        emit(
            "KT249",
            f"{what} is marked `{conf.value}` but has no note saying where it comes from",
            where.at(("confidence",)),
            "add `note:` naming the secondary source or what is unconfirmed (digest tag, e.g. [B9])",
            rule=rule,
            severity=Severity.WARNING,
        )
    if (
        source.article is None
        and not source.text
        and not source.url
        and (conf is Confidence.SEEN or not (source.note or noted))
    ):
        emit(
            "KT250",
            f"{what} names only the instrument: no article, passage or address",
            where,
            "add `article:` (and `clause:`, `point:`), the verbatim `text:` or the `url:`",
            rule=rule,
            severity=Severity.WARNING,
        )


def _citations(
    rule: Rule,
    where: Located,
    criteria: dict[str, Located],
    instruments: set[str],
    emit: Emit,
) -> None:
    check_source(
        rule.source,
        where.at(("source",)),
        instruments,
        emit,
        rule=rule.id,
        what=f'rule "{rule.id}"',
        verbatim=False,
    )
    for c in rule.criteria:
        if c.id not in criteria:
            continue
        # The compiler reports an unknown instrument here too (KT226), in the same words.
        check_source(
            c.source,
            criteria[c.id].at(("source",)),
            instruments,
            emit,
            rule=rule.id,
            what=f'criterion "{c.id}"',
            noted=bool(rule.source.note),
        )


def _whole(value: Any, period: Period) -> int | None:
    if isinstance(value, ParamRef):
        got = period.value(value.param)
        return got if isinstance(got, int) and not isinstance(got, bool) else None
    return value if isinstance(value, int) else None


def _ratio(value: Any, period: Period) -> Decimal | None:
    if isinstance(value, ParamRef):
        value = period.value(value.param)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value)


def _impossible(rule: Rule, leaf: Leaf, period: Period, emit: Emit) -> None:
    """A predicate whose arguments no batch can meet (KT251 before 1945, KT252 out of reach)."""
    args: Any = leaf.args
    last = period.last_year
    if not isinstance(leaf.args, BaseModel):
        return  # `attested` has no arguments that could be out of reach
    dated = any(isinstance(getattr(args, f), ParamRef) for f in type(args).model_fields)
    when = f" (parameter values in force from {period.start.isoformat()})" if dated else ""

    def early(first: int, what: str, field: str) -> None:
        emit(
            "KT251",
            f"{what} needs records from {first}, before {EARLIEST_YEAR}: it can never hold, "
            f"even in {last}, the last year the rule judges{when}",
            leaf.where.at((field,)),
            "shorten the window, or check `ending`/`year` (years relative to the judged year)",
            rule=rule.id,
        )

    def unreachable(message: str, field: str, help_: str) -> None:
        emit("KT252", message + when, leaf.where.at((field,)), help_, rule=rule.id)

    if leaf.tag in ("rating", "effective_rating", "title"):
        if last + args.year < EARLIEST_YEAR:
            early(last + args.year, f"{leaf.tag} of year {args.year:+d}", "year")
    elif leaf.tag in ("rating_streak", "title_streak"):
        years = _whole(args.years, period)
        if years is not None and years > 0 and last + args.ending - years + 1 < EARLIEST_YEAR:
            early(last + args.ending - years + 1, f"a {years}-year {leaf.tag}", "years")
    elif leaf.tag == "title_count":
        need = _whole(args.at_least, period)
        span = _whole(args.within_years, period)
        if need is None or span is None:
            return
        if need > span:
            unreachable(
                f"title_count needs {args.award.value} {need} times within {span} year(s), "
                "which can never happen: a title is awarded at most once a year",
                "at_least",
                "`at_least` must not exceed `within_years`",
            )
        elif need > last + args.ending - max(EARLIEST_YEAR, last + args.ending - span + 1) + 1:
            early(last + args.ending - span + 1, f"{need} times {args.award.value}", "within_years")
    elif leaf.tag in ("initiatives", "commendation"):
        span = None if args.within_years is None else _whole(args.within_years, period)
        need = _whole(args.at_least, period) if leaf.tag == "initiatives" else 1
        if span == 0 and need:
            unreachable(
                f"{leaf.tag} within 0 years can never hold: the window is empty",
                "within_years",
                "use `within_years: 1` for the judged year alone",
            )
    elif leaf.tag == "member_share":
        for field in ("more_than", "at_least"):
            raw = getattr(args, field)
            share = None if raw is None else _ratio(raw, period)
            if share is not None and (share > 1 or (field == "more_than" and share >= 1)):
                unreachable(
                    f"a share of members {field.replace('_', ' ')} {share} can never hold: "
                    "a share is at most 1",
                    field,
                    "write the share as a ratio between 0 and 1 (e.g. 0.7 for 70%)",
                )


def _canon(cond: BaseModel) -> str:
    return json.dumps(cond.model_dump(mode="json", by_alias=True), sort_keys=True)


def flow(value: Any) -> str:
    """A condition as written, in compact YAML flow style: `{rating: {at_least: HTXSNV}}`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shown(leaf: Leaf) -> str:
    return flow(leaf.cond.model_dump(mode="json", by_alias=True, exclude_unset=True))


def _contains(outer: tuple[int, int], inner: tuple[int, int]) -> bool:
    """Whether the window of `inner` (years, ending) lies inside that of `outer`."""
    (oy, oe), (iy, ie) = outer, inner
    return ie <= oe and ie - iy >= oe - oy


def implies(p: Leaf, n: Leaf, period: Period) -> bool:
    """Whether `p` holding makes `n` hold, for any candidate (a sound, incomplete check)."""
    if _canon(p.cond) == _canon(n.cond):
        return True
    if p.tag != n.tag:
        return False
    a, b = p.args, n.args
    if p.tag in ("rating", "effective_rating"):
        return bool(a.year == b.year and RATING_ORDER[a.at_least] >= RATING_ORDER[b.at_least])
    if p.tag in ("employment", "position", "unit_kind"):
        return set(a.in_) <= set(b.in_)
    if p.tag == "disciplined":
        pw = (_whole(a.within_years, period), a.ending)
        nw = (_whole(b.within_years, period), b.ending)
        if pw[0] is None or nw[0] is None:
            return False
        return DISCIPLINE_ORDER[a.at_least] >= DISCIPLINE_ORDER[b.at_least] and _contains(
            (nw[0], nw[1]), (pw[0], pw[1])
        )
    if p.tag in ("rating_streak", "title_streak"):
        pw = (_whole(a.years, period), a.ending)
        nw = (_whole(b.years, period), b.ending)
        if pw[0] is None or nw[0] is None:
            return False
        if p.tag == "title_streak":
            same = a.award == b.award
        else:
            same = RATING_ORDER[a.at_least] >= RATING_ORDER[b.at_least] and (
                b.since_commendation is None
            )
        return bool(same and _contains((pw[0], pw[1]), (nw[0], nw[1])))
    return False


def _contradictions(rule: Rule, found: list[Leaf], periods: list[Period], emit: Emit) -> None:
    """KT253: conditions the rule needs all at once that exclude each other."""
    period = periods[0] if periods else Period(rule.valid.from_, rule.valid.until, lambda _: None)
    positive = [f for f in found if not f.negated]
    negative = [f for f in found if f.negated]
    for n in negative:
        for p in positive:
            if implies(p, n, period):
                emit(
                    "KT253",
                    f"the rule can never apply: it needs {_shown(p)} (line {p.where.line}) and "
                    f"also not {_shown(n)}, which exclude each other",
                    n.where,
                    "remove one of the two conditions, or put them under `any`",
                    rule=rule.id,
                )
                break
    for i, p in enumerate(positive):
        if p.tag not in ("employment", "position", "unit_kind"):
            continue
        for q in positive[i + 1 :]:
            if q.tag == p.tag and not set(p.args.in_) & set(q.args.in_):
                emit(
                    "KT253",
                    f"the rule can never apply: {_shown(p)} (line {p.where.line}) and "
                    f"{_shown(q)} have no value in common",
                    q.where,
                    "merge the two lists into one condition, or put them under `any`",
                    rule=rule.id,
                )
