"""Translate the person rules of a compiled plan into durable_rules conditions (pure Python).

The durable_rules backend keeps one *profile* fact per person: the attributes the rules read
(`rt_2021` the 2021 rating as a rank, `hd_chien_si_thi_dua_co_so_2020` whether that title was held
in 2020, `rc` the recruitment date as an ordinal…), and one *derived* fact per title the pack
decides for the judged year, asserted by the rule that decided it. A rule's conditions become
conditions on those facts, so durable_rules' Rete network does the deciding and the chaining
(LĐTT → CSTĐCS → CSTĐ tỉnh → CSTĐ toàn quốc in the same firing).

Three-valued logic is kept by translating every condition twice: T (it certainly holds) and F (it
certainly fails), by Kleene's rules (T(all) = ∧T, F(all) = ∨F, T(not x) = F(x)…). A missing
attribute matches neither, so a missing fact leaves the outcome undetermined, as in the native
engine. For each award the ruleset has "eligible" rules (T of the rule, in disjunctive form over
the derived titles it joins on) and "ineligible" rules (F); when neither fires the outcome is
undetermined.

Predicates durable_rules' condition language cannot express (counting initiatives with unknown
acceptance, the discipline clock, predicates added to the vocabulary later) are computed by the
predicate itself and enter the profile as a derived fact (`lf3 = 1/0`, absent when unknown); the
decision still comes from a durable rule firing on it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from khenthuong.engine import predicates as preds
from khenthuong.engine.compile import CompiledRule, Node, Plan
from khenthuong.engine.facts import SubjectView
from khenthuong.model.vocab import (
    DISCIPLINE_ORDER,
    RATING_ORDER,
    Attestation,
    Award,
    Rating,
    SubjectKind,
)
from khenthuong.periods import add_months, in_effect, window
from khenthuong.stream.errors import stream_error

Cond = dict[str, Any]
Value = int | str
# durable_rules keeps at most 255 properties per fact; four are ours (t, pid, id, sid).
MAX_ATTRIBUTES = 250
NEVER = 9999  # "first year held" of a title never held: after every judged year


# --- formulas -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Const:
    value: bool


@dataclass(frozen=True, slots=True, eq=False)
class Prof:
    """A condition on the person's profile fact (a durable_rules expression)."""

    cond: Cond


@dataclass(frozen=True, slots=True, order=True)
class Derived:
    """The title `award` the pack decides for the judged year came out `value` (joined fact)."""

    award: Award
    value: bool


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Formula, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Formula, ...]


Formula = Const | Prof | Derived | And | Or
TRUE = Const(True)
FALSE = Const(False)


def conj(*parts: Formula) -> Formula:
    """Conjunction, flattened, with constants folded."""
    kept: list[Formula] = []
    for p in parts:
        if p == FALSE:
            return FALSE
        if p == TRUE:
            continue
        kept.extend(p.parts if isinstance(p, And) else (p,))
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else And(tuple(kept))


def disj(*parts: Formula) -> Formula:
    """Disjunction, flattened, with constants folded."""
    kept: list[Formula] = []
    for p in parts:
        if p == TRUE:
            return TRUE
        if p == FALSE:
            continue
        kept.extend(p.parts if isinstance(p, Or) else (p,))
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else Or(tuple(kept))


def _cmp(op: str, name: str, value: Value) -> Prof:
    return Prof({name: value} if op == "$eq" else {op: {name: value}})


def _cond_and(a: Cond | None, b: Cond | None) -> Cond | None:
    if a is None:
        return b
    if b is None:
        return a
    items = _unique([*a.get("$and", [a]), *b.get("$and", [b])])
    return items[0] if len(items) == 1 else {"$and": items}


def _cond_or(a: Cond | None, b: Cond | None) -> Cond | None:
    if a is None or b is None:
        return None
    items = _unique([*a.get("$or", [a]), *b.get("$or", [b])])
    return items[0] if len(items) == 1 else {"$or": items}


def _unique(items: list[Cond]) -> list[Cond]:
    out: list[Cond] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


Terms = dict[frozenset[Derived], Cond | None]


def dnf(f: Formula) -> Terms:
    """`f` as a disjunction of terms: derived titles to join on, and a profile condition.

    A term's condition `None` means "always"; a formula with no terms never holds. Only derived
    literals are distributed; conditions on the profile stay nested (durable_rules accepts
    `$and`/`$or` trees on one fact).
    """
    if isinstance(f, Const):
        return {frozenset(): None} if f.value else {}
    if isinstance(f, Prof):
        return {frozenset(): f.cond}
    if isinstance(f, Derived):
        return {frozenset({f}): None}
    if isinstance(f, Or):
        out: Terms = {}
        for part in f.parts:
            for key, cond in dnf(part).items():
                out[key] = _cond_or(out[key], cond) if key in out else cond
        return _minimal(out)
    acc: Terms = {frozenset(): None}
    for part in f.parts:
        nxt: Terms = {}
        for k1, c1 in acc.items():
            for k2, c2 in dnf(part).items():
                key = k1 | k2
                if any(Derived(d.award, not d.value) in key for d in key):
                    continue  # a title cannot be both eligible and ineligible
                cond = _cond_and(c1, c2)
                nxt[key] = _cond_or(nxt[key], cond) if key in nxt else cond
        acc = nxt
    return _minimal(acc)


def _minimal(terms: Terms) -> Terms:
    """Drop terms implied by an unconditional term that joins on fewer titles."""
    always = [k for k, c in terms.items() if c is None]
    return {k: c for k, c in terms.items() if not any(a < k for a in always)}


# --- attributes of the profile fact ----------------------------------------------------------


class Reader:
    """What attributes are read from: the person's view, the decision date, a native context."""

    def __init__(self, view: SubjectView, date: dt.date, context: Callable[[], Any]) -> None:
        self.view = view
        self.date = date
        self._context = context
        self._held: dict[Award, frozenset[int]] = {}

    def held(self, award: Award) -> frozenset[int]:
        """Years `award` was received (titles or commendations), as the predicates read them."""
        years = self._held.get(award)
        if years is None:
            years = self._held[award] = frozenset(preds.commendation_years(self.view, award))
        return years

    def context(self) -> Any:
        return self._context()


class Attribute(Protocol):
    @property
    def name(self) -> str: ...

    def read(self, r: Reader) -> Value | None: ...


@dataclass(frozen=True, slots=True)
class RatingRank:
    year: int

    @property
    def name(self) -> str:
        return f"rt_{self.year}"

    def read(self, r: Reader) -> Value | None:
        rec = r.view.years.get(self.year)
        rating = getattr(rec, "rating", None) if rec is not None else None
        return None if rating is None else RATING_ORDER[rating]


@dataclass(frozen=True, slots=True)
class HeldIn:
    award: Award
    year: int

    @property
    def name(self) -> str:
        return f"hd_{self.award.value}_{self.year}"

    def read(self, r: Reader) -> Value | None:
        return int(self.year in r.held(self.award))


@dataclass(frozen=True, slots=True)
class FirstHeld:
    award: Award

    @property
    def name(self) -> str:
        return f"hm_{self.award.value}"

    def read(self, r: Reader) -> Value | None:
        return min(r.held(self.award), default=NEVER)


@dataclass(frozen=True, slots=True)
class HeldCount:
    award: Award
    years: tuple[int, ...]

    @property
    def name(self) -> str:
        return f"hc_{self.award.value}_{'_'.join(str(y) for y in self.years)}"

    def read(self, r: Reader) -> Value | None:
        held = r.held(self.award)
        return sum(1 for y in self.years if y in held)


@dataclass(frozen=True, slots=True)
class DisciplineSeverity:
    year: int

    @property
    def name(self) -> str:
        return f"ds_{self.year}"

    def read(self, r: Reader) -> Value | None:
        forms = [
            DISCIPLINE_ORDER[d.form]
            for d in getattr(r.view.record, "disciplines", ())
            if d.decided_on.year == self.year
        ]
        return max(forms, default=-1)


@dataclass(frozen=True, slots=True)
class Recruited:
    @property
    def name(self) -> str:
        return "rc"

    def read(self, r: Reader) -> Value | None:
        day = getattr(r.view.record, "recruited_on", None)
        return None if day is None else day.toordinal()


@dataclass(frozen=True, slots=True)
class FieldValue:
    field_name: str

    @property
    def name(self) -> str:
        return f"fi_{self.field_name}"

    def read(self, r: Reader) -> Value | None:
        attr = "kind" if self.field_name == "unit_kind" else self.field_name
        raw = getattr(r.view.record, attr, None)
        return None if raw is None else str(raw.value)


@dataclass(frozen=True, slots=True)
class AttestedValue:
    criterion: Attestation

    @property
    def name(self) -> str:
        return f"at_{self.criterion.value}"

    def read(self, r: Reader) -> Value | None:
        value = getattr(r.view.record.attestations, self.criterion.value)
        return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class OpenCases:
    @property
    def name(self) -> str:
        return "pc"

    def read(self, r: Reader) -> Value | None:
        cases = getattr(r.view.record, "pending_cases", ())
        return sum(1 for c in cases if in_effect(c.opened_on, c.closed_on, r.date))


@dataclass(frozen=True, slots=True)
class NativeLeaf:
    """A predicate durable_rules cannot express, computed by the predicate itself (1/0/absent)."""

    index: int
    leaf: preds.Predicate = field(compare=False, hash=False)

    @property
    def name(self) -> str:
        return f"lf{self.index}"

    def read(self, r: Reader) -> Value | None:
        # `holds` (the engine's fast path, where the vocabulary has it) agrees with `evaluate`.
        fast = getattr(self.leaf, "holds", None)
        holds = fast(r.view, r.context()) if fast else self.leaf.evaluate(r.view, r.context()).holds
        return None if holds is None else int(holds)


# --- translation -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """One durable rule: join the profile (matching `cond`) with these derived titles."""

    derived: tuple[Derived, ...]
    cond: Cond | None


@dataclass(frozen=True, slots=True)
class Translation:
    """The person rules of a plan as durable_rules terms over a profile fact."""

    plan: Plan
    year: int
    awards: tuple[Award, ...]
    attributes: tuple[Attribute, ...]
    formulas: dict[Award, tuple[Formula, Formula]]
    terms: dict[tuple[Award, bool], tuple[Term, ...]]
    reads: frozenset[Derived]
    native: tuple[str, ...]

    def profile(self, view: SubjectView, context: Callable[[], Any]) -> dict[str, Value]:
        """The person's profile attributes (unknown values left out)."""
        reader = Reader(view, self.plan.date, context)
        out: dict[str, Value] = {}
        for attr in self.attributes:
            value = attr.read(reader)
            if value is not None:
                out[attr.name] = value
        return out


def latest_start(day: dt.date, months: int) -> dt.date:
    """The latest start date from which `months` months have passed by `day` (periods rule)."""
    start = add_months(day, -months)
    step = dt.timedelta(days=1)
    while add_months(start + step, months) <= day:
        start += step
    return start


def _fields(leaf: preds.Predicate) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(leaf)) - {"written", "params"}


class _Translator:
    def __init__(self, plan: Plan, year: int) -> None:
        self.plan = plan
        self.year = year
        self.derived = frozenset(a for a, kind in plan.rules if kind is SubjectKind.PERSON)
        self.attributes: dict[str, Attribute] = {}
        self.native: list[str] = []
        self.table: dict[type[preds.Predicate], tuple[frozenset[str], Callable[[Any], Pair]]] = {
            preds.RatingIs: (frozenset({"at_least", "offset"}), self.rating),
            preds.RatingStreak: (
                frozenset({"at_least", "years", "ending", "since_commendation"}),
                self.rating_streak,
            ),
            preds.TitleHeld: (frozenset({"award", "offset"}), self.title_held),
            preds.TitleStreak: (frozenset({"award", "years", "ending"}), self.title_streak),
            preds.TitleCount: (
                frozenset({"award", "at_least", "within_years", "ending", "since_commendation"}),
                self.title_count,
            ),
            preds.CommendationHeld: (
                frozenset({"award", "within_years", "ending"}),
                self.commendation,
            ),
            preds.Tenure: (frozenset({"months_at_least"}), self.tenure),
            preds.Disciplined: (
                frozenset({"at_least", "within_years", "ending"}),
                self.disciplined,
            ),
            preds.NoPendingCase: (frozenset(), self.no_pending_case),
            preds.FieldIn: (frozenset({"field_name", "allowed"}), self.field_in),
            preds.Attested: (frozenset({"criterion"}), self.attested),
        }
        # Predicates newer than this module are looked up by name: a vocabulary without them
        # still translates (their leaves, if any, are computed natively).
        for cls_name, fields, method in (
            ("EffectiveRating", frozenset({"at_least", "offset"}), self.effective_rating),
            ("Unsettled", frozenset({"reason", "reason_en"}), self.unsettled),
        ):
            cls = getattr(preds, cls_name, None)
            if isinstance(cls, type) and issubclass(cls, preds.Predicate):
                self.table[cls] = (fields, method)

    def attr(self, a: Attribute) -> str:
        self.attributes.setdefault(a.name, a)
        return a.name

    # One method per predicate: (T, F), mirroring the predicate's evaluate().

    def rating(self, p: preds.RatingIs) -> Pair:
        name = self.attr(RatingRank(self.year + p.offset))
        k = RATING_ORDER[p.at_least]
        return _cmp("$gte", name, k), _cmp("$lt", name, k)

    def since(self, award: Award | None, first_year: int) -> Pair:
        if award is None:
            return TRUE, FALSE
        name = self.attr(FirstHeld(award))
        return _cmp("$lt", name, first_year), _cmp("$gte", name, first_year)

    def rating_streak(self, p: preds.RatingStreak) -> Pair:
        span = window(self.year + p.ending, p.years)
        since_t, since_f = self.since(p.since_commendation, span.start)
        k = RATING_ORDER[p.at_least]
        names = [self.attr(RatingRank(y)) for y in span]
        return (
            conj(since_t, *(_cmp("$gte", n, k) for n in names)),
            disj(since_f, *(_cmp("$lt", n, k) for n in names)),
        )

    def title(self, award: Award, year: int) -> Pair:
        if year == self.year and award in self.derived:
            return Derived(award, True), Derived(award, False)
        name = self.attr(HeldIn(award, year))
        return _cmp("$eq", name, 1), _cmp("$eq", name, 0)

    def title_held(self, p: preds.TitleHeld) -> Pair:
        return self.title(p.award, self.year + p.offset)

    def title_streak(self, p: preds.TitleStreak) -> Pair:
        pairs = [self.title(p.award, y) for y in window(self.year + p.ending, p.years)]
        return conj(*(t for t, _ in pairs)), disj(*(f for _, f in pairs))

    def title_count(self, p: preds.TitleCount) -> Pair:
        span = window(self.year + p.ending, p.within_years)
        since_t, since_f = self.since(p.since_commendation, span.start)
        judged = self.year in span and p.award in self.derived
        recorded = tuple(y for y in span if not (judged and y == self.year))
        name = self.attr(HeldCount(p.award, recorded)) if recorded else None
        k = p.at_least

        def count(op: str, n: int) -> Formula:
            if name is None:  # no recorded year: the count is 0
                return Const(n <= 0 if op == "$gte" else n > 0)
            return _cmp(op, name, n)

        if judged:  # the judged year's title is derived: it may be true, false or unknown
            holds = disj(count("$gte", k), conj(count("$gte", k - 1), Derived(p.award, True)))
            fails = disj(count("$lt", k - 1), conj(count("$lt", k), Derived(p.award, False)))
        else:
            holds, fails = count("$gte", k), count("$lt", k)
        return conj(since_t, holds), disj(since_f, fails)

    def commendation(self, p: preds.CommendationHeld) -> Pair:
        end = self.year + p.ending
        if not p.within_years:  # any earlier year, as the predicate reads it
            name = self.attr(FirstHeld(p.award))
            return _cmp("$lte", name, end), _cmp("$gt", name, end)
        names = [self.attr(HeldIn(p.award, y)) for y in window(end, p.within_years)]
        return disj(*(_cmp("$eq", n, 1) for n in names)), conj(*(_cmp("$eq", n, 0) for n in names))

    def tenure(self, p: preds.Tenure) -> Pair:
        name = self.attr(Recruited())
        last = latest_start(self.plan.date, p.months_at_least).toordinal()
        return _cmp("$lte", name, last), _cmp("$gt", name, last)

    def disciplined(self, p: preds.Disciplined) -> Pair:
        k = DISCIPLINE_ORDER[p.at_least]
        names = [
            self.attr(DisciplineSeverity(y)) for y in window(self.year + p.ending, p.within_years)
        ]
        return disj(*(_cmp("$gte", n, k) for n in names)), conj(*(_cmp("$lt", n, k) for n in names))

    def no_pending_case(self, p: preds.NoPendingCase) -> Pair:
        return _cmp("$eq", self.attr(OpenCases()), 0), FALSE

    def field_in(self, p: preds.FieldIn) -> Pair:
        name = self.attr(FieldValue(p.field_name))
        present = Prof({"$ex": {name: 1}})
        return (
            disj(*(_cmp("$eq", name, v) for v in p.allowed)),
            conj(present, *(_cmp("$neq", name, v) for v in p.allowed)),
        )

    def attested(self, p: preds.Attested) -> Pair:
        name = self.attr(AttestedValue(p.criterion))
        return _cmp("$eq", name, 1), _cmp("$eq", name, 0)

    def effective_rating(self, p: Any) -> Pair:
        # A discipline decided in the year makes the rating KHTNV, whatever was recorded.
        year = self.year + p.offset
        rated, severity = self.attr(RatingRank(year)), self.attr(DisciplineSeverity(year))
        k = RATING_ORDER[p.at_least]
        as_khtnv = RATING_ORDER[Rating.KHTNV] >= k
        clean, disciplined = _cmp("$lt", severity, 0), _cmp("$gte", severity, 0)
        return (
            disj(conj(clean, _cmp("$gte", rated, k)), conj(disciplined, Const(as_khtnv))),
            disj(conj(clean, _cmp("$lt", rated, k)), conj(disciplined, Const(not as_khtnv))),
        )

    def unsettled(self, p: Any) -> Pair:
        return FALSE, FALSE  # never true nor false: always undetermined

    def native_leaf(self, leaf: preds.Predicate, rule: CompiledRule) -> Pair:
        reads = {award for award, _ in leaf.reads_titles()} & self.derived
        if reads:
            names = ", ".join(sorted(a.value for a in reads))
            raise stream_error(
                "KT704",
                f'rule {rule.id}: predicate "{leaf.tag}" reads the judged year\'s {names}, which '
                "the durable_rules backend can only read through a translation it does not have",
                "teach khenthuong.stream.translate this predicate, or use "
                '`Watcher(..., backend="native")`',
            )
        name = self.attr(NativeLeaf(len(self.native), leaf))
        self.native.append(f"{rule.id}: {leaf.tag or type(leaf).__name__} ({name})")
        return _cmp("$eq", name, 1), _cmp("$eq", name, 0)

    def leaf(self, leaf: preds.Predicate, rule: CompiledRule) -> Pair:
        known = self.table.get(type(leaf))
        if known is not None and known[0] == _fields(leaf):
            return known[1](leaf)
        return self.native_leaf(leaf, rule)

    def node(self, n: Node, leaves: list[Pair]) -> Pair:
        if n.kind == "leaf":
            return leaves[n.leaf]
        kids = [self.node(c, leaves) for c in n.children]
        if n.kind == "all":
            return conj(*(t for t, _ in kids)), disj(*(f for _, f in kids))
        if n.kind == "any":
            return disj(*(t for t, _ in kids)), conj(*(f for _, f in kids))
        (t, f), *_ = kids  # not
        return f, t

    def rule(self, rule: CompiledRule) -> Pair:
        leaves = [self.leaf(leaf, rule) for leaf in rule.leaves]
        crits = [self.node(c.node, leaves) for c in rule.criteria]
        return conj(*(t for t, _ in crits)), disj(*(f for _, f in crits))


Pair = tuple[Formula, Formula]


def translate(plan: Plan, year: int) -> Translation:
    """Translate the person rules of `plan` (judging `year`) for the durable_rules backend.

    Raises:
        StreamError: KT704 when a rule cannot be translated or needs too many attributes.
    """
    tr = _Translator(plan, year)
    awards = tuple(a for a, kind in plan.order if kind is SubjectKind.PERSON)
    if not awards:
        raise stream_error(
            "KT704",
            f"pack {plan.pack.id} decides no award for a person on {plan.date.isoformat()}",
            "the watcher follows individual titles; choose a pack and year that have person rules",
        )
    formulas = {a: tr.rule(plan.rules[(a, SubjectKind.PERSON)]) for a in awards}
    if len(tr.attributes) > MAX_ATTRIBUTES:
        raise stream_error(
            "KT704",
            f"the person rules of pack {plan.pack.id} read {len(tr.attributes)} attributes; "
            f"durable_rules allows {MAX_ATTRIBUTES} per fact",
            'shorten the windows the rules read, or use `Watcher(..., backend="native")`',
        )
    terms: dict[tuple[Award, bool], tuple[Term, ...]] = {}
    reads: set[Derived] = set()
    for award, pair in formulas.items():
        for outcome, formula in zip((True, False), pair, strict=True):
            found = dnf(formula)
            terms[(award, outcome)] = tuple(
                Term(tuple(sorted(key)), cond)
                for key, cond in sorted(found.items(), key=lambda kv: sorted(kv[0]))
            )
            reads.update(*found)
    return Translation(
        plan=plan,
        year=year,
        awards=awards,
        attributes=tuple(tr.attributes.values()),
        formulas=formulas,
        terms=terms,
        reads=frozenset(reads),
        native=tuple(tr.native),
    )


def describe_terms(translation: Translation) -> Iterable[str]:
    """One line per durable rule: award, outcome, joined titles and the profile condition."""
    for (award, outcome), terms in translation.terms.items():
        for term in terms:
            joins = " ".join(f"{d.award.value}={'T' if d.value else 'F'}" for d in term.derived)
            yield (
                f"{award.value} {'eligible' if outcome else 'ineligible'}"
                f"{' ⋈ ' + joins if joins else ''}: {term.cond if term.cond is not None else 'always'}"
            )
