"""Compile a resolved pack for one decision date into a plan that evaluates without re-reading YAML.

Compiling selects the rules in force on the date, applies declared overrides (an undeclared clash of
two rules for one award is an error naming both citations), resolves every `{param: …}` to its
dated value, checks each predicate against the rule's subject, and orders awards by dependency
(LĐTT before CSTĐCS before CSTĐ tỉnh; members' titles before the collective's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from khenthuong.engine import predicates as preds
from khenthuong.errors import Diagnostic, Location, PackError
from khenthuong.model.types import suggest
from khenthuong.model.vocab import (
    CONFIDENCE_ORDER,
    Award,
    Confidence,
    Scope,
    SubjectKind,
)
from khenthuong.packs.registry import ParamBinding, ResolvedPack
from khenthuong.packs.schema import (
    AllOf,
    AnyOf,
    AttestedCondition,
    Criterion,
    NotOf,
    ParamRef,
    Rule,
    Source,
)
from khenthuong.periods import Truth, all3, any3, not3

Key = tuple[Award, SubjectKind]


@dataclass(frozen=True, slots=True)
class Node:
    """A compiled condition: a combinator over children, or a leaf (index into the rule's leaves)."""

    kind: str
    children: tuple[Node, ...] = ()
    leaf: int = -1
    written: Any = None

    def value(self, results: tuple[Truth, ...]) -> Truth:
        if self.kind == "leaf":
            return results[self.leaf]
        if self.kind == "all":
            return all3(c.value(results) for c in self.children)
        if self.kind == "any":
            return any3(c.value(results) for c in self.children)
        return not3(self.children[0].value(results))


@dataclass(frozen=True, slots=True)
class CompiledCriterion:
    id: str
    title: str
    title_en: str | None
    source: Source
    cite: str
    node: Node


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to evaluate: its criteria as nodes over a flat tuple of predicates."""

    id: str
    award: Award
    subject: SubjectKind
    title: str
    source: Source
    cite: str
    criteria: tuple[CompiledCriterion, ...]
    leaves: tuple[preds.Predicate, ...]
    confidence: Confidence
    discretionary: bool
    layer: str
    valid_from: dt.date
    valid_until: dt.date | None

    def outcome(self, truths: tuple[Truth, ...]) -> Truth:
        return all3(c.node.value(truths) for c in self.criteria)


@dataclass(slots=True)
class Plan:
    """Everything needed to evaluate batches on one date with one resolved pack."""

    pack: ResolvedPack
    date: dt.date
    rules: dict[Key, CompiledRule]
    order: tuple[Key, ...]
    params: dict[str, ParamBinding] = field(default_factory=dict)

    def rule_for(self, award: Award, kind: SubjectKind) -> CompiledRule | None:
        return self.rules.get((award, kind))


def _in_force(rule: Rule, day: dt.date) -> bool:
    return rule.valid.from_ <= day and (rule.valid.until is None or day <= rule.valid.until)


class _Compiler:
    def __init__(self, pack: ResolvedPack, day: dt.date) -> None:
        self.pack = pack
        self.day = day
        self.diagnostics: list[Diagnostic] = []
        self.params: dict[str, ParamBinding] = {}
        self.origin: dict[str, str] = {r.id: layer.id for layer in pack.layers for r in layer.rules}
        # Where the condition being compiled is written: its criterion and the path inside it.
        self.here: tuple[str, tuple[str | int, ...]] = ("", ())
        self.args: Any = None

    def error(
        self,
        code: str,
        message: str,
        key: str,
        help_: str,
        rule: str | None,
        sub: tuple[str | int, ...] = (),
    ) -> None:
        where = self.pack.where.get(key)
        self.diagnostics.append(
            Diagnostic(
                code,
                message,
                location=where.at(sub).location(rule) if where else Location(rule=rule),
                help=help_,
            )
        )

    def select(self) -> list[Rule]:
        known = {r.id for r in self.pack.rules}
        active = [r for r in self.pack.rules if _in_force(r, self.day)]
        for r in self.pack.rules:
            if r.overrides and r.overrides not in known:
                self.error(
                    "KT231",
                    f'rule "{r.id}" overrides "{r.overrides}", which does not exist'
                    f"{suggest(r.overrides, sorted(known))}",
                    f"rule:{r.id}",
                    "name the id of the rule this one replaces",
                    r.id,
                    ("overrides",),
                )
        overridden = {r.overrides for r in active if r.overrides}
        active = [r for r in active if r.id not in overridden]
        groups: dict[Key, list[Rule]] = {}
        for r in active:
            groups.setdefault((r.award, r.subject), []).append(r)
        for (award, subject), rules in sorted(groups.items()):
            if len(rules) > 1:
                cites = "; ".join(f"{r.id} ({self.pack.cite(r.source)})" for r in rules)
                self.error(
                    "KT230",
                    f"rules {', '.join(r.id for r in rules)} all grant {award.value} to a "
                    f"{subject.value} on {self.day.isoformat()} with no declared precedence: {cites}",
                    f"rule:{rules[1].id}",
                    "declare `overrides: <rule id>` on the rule that prevails, or make their "
                    "validity periods not overlap",
                    rules[1].id,
                )
        return active

    def resolve(self, value: Any, expect: type, rule: Rule, used: list[ParamBinding]) -> Any:
        if not isinstance(value, ParamRef):
            return value
        binding = self.pack.param(value.param, self.day)
        key, leaf = self.here
        arg = next((n for n in type(self.args).model_fields if getattr(self.args, n) is value), "")
        sub = (*leaf, arg, "param") if arg else leaf
        if binding is None:
            if value.param in self.pack.parameters:
                self.error(
                    "KT222",
                    f'parameter "{value.param}" has no value in force on {self.day.isoformat()}',
                    key,
                    "add a dated value that covers this date",
                    rule.id,
                    sub,
                )
            else:
                self.error(
                    "KT221",
                    f'unknown parameter "{value.param}"'
                    f"{suggest(value.param, sorted(self.pack.parameters))}",
                    key,
                    "define it under parameters/ or correct the name",
                    rule.id,
                    sub,
                )
            return expect(0) if expect in (int, Decimal) else None
        raw = binding.value
        ok = (expect is int and isinstance(raw, int) and not isinstance(raw, bool)) or (
            expect is Decimal and isinstance(raw, int | Decimal) and not isinstance(raw, bool)
        )
        if not ok:
            self.error(
                "KT223",
                f'parameter "{value.param}" is {raw!r}, but this argument needs '
                f"{'a whole number' if expect is int else 'a ratio'}",
                key,
                "fix the parameter's value or the argument",
                rule.id,
                sub,
            )
            return expect(0)
        used.append(binding)
        self.params[binding.id] = binding
        return expect(raw)

    def node(
        self,
        cond: BaseModel,
        rule: Rule,
        leaves: list[preds.Predicate],
        path: tuple[str | int, ...] = (),
    ) -> Node:
        written = cond.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if isinstance(cond, AllOf | AnyOf):
            kids = cond.all if isinstance(cond, AllOf) else cond.any
            kind = "all" if isinstance(cond, AllOf) else "any"
            return Node(
                kind,
                tuple(self.node(c, rule, leaves, (*path, kind, i)) for i, c in enumerate(kids)),
                written=written,
            )
        if isinstance(cond, NotOf):
            return Node(
                "not", (self.node(cond.not_, rule, leaves, (*path, "not")),), written=written
            )
        key = self.here[0]
        self.here = (key, (*path, next(iter(type(cond).model_fields))))
        pred = self.predicate(cond, rule, written)
        if rule.subject not in pred.applies_to:
            self.error(
                "KT224",
                f'predicate "{pred.tag}" does not apply to a {rule.subject.value}',
                key,
                "it applies to: " + ", ".join(sorted(k.value for k in pred.applies_to)),
                rule.id,
                self.here[1],
            )
        leaves.append(pred)
        return Node("leaf", leaf=len(leaves) - 1, written=written)

    def predicate(self, cond: BaseModel, rule: Rule, written: dict[str, Any]) -> preds.Predicate:
        if isinstance(cond, AttestedCondition):
            return preds.Attested(written, criterion=cond.attested)
        (tag,) = type(cond).model_fields
        args = getattr(cond, tag)
        self.args = args
        used: list[ParamBinding] = []

        def whole(v: Any) -> int:
            return int(self.resolve(v, int, rule, used))

        def ratio(v: Any) -> Decimal:
            return Decimal(self.resolve(v, Decimal, rule, used))

        builders: dict[str, Callable[[], preds.Predicate]] = {
            "rating": lambda: preds.RatingIs(written, at_least=args.at_least, offset=args.year),
            "rating_streak": lambda: preds.RatingStreak(
                written,
                at_least=args.at_least,
                years=whole(args.years),
                ending=args.ending,
                since_commendation=args.since_commendation,
            ),
            "title": lambda: preds.TitleHeld(written, award=args.award, offset=args.year),
            "title_streak": lambda: preds.TitleStreak(
                written, award=args.award, years=whole(args.years), ending=args.ending
            ),
            "title_count": lambda: preds.TitleCount(
                written,
                award=args.award,
                at_least=whole(args.at_least),
                within_years=whole(args.within_years),
                ending=args.ending,
                since_commendation=args.since_commendation,
            ),
            "initiatives": lambda: preds.Initiatives(
                written,
                at_least=whole(args.at_least),
                scope=Scope(args.scope),
                kinds=tuple(args.kinds),
                within_years=whole(args.within_years),
                ending=args.ending,
                research_accepted=args.research_accepted,
                applied=args.applied,
                since_commendation=args.since_commendation,
            ),
            "commendation": lambda: preds.CommendationHeld(
                written,
                award=args.award,
                within_years=None if args.within_years is None else whole(args.within_years),
                ending=args.ending,
            ),
            "tenure": lambda: preds.Tenure(written, months_at_least=whole(args.months_at_least)),
            "disciplined": lambda: preds.Disciplined(
                written,
                at_least=args.at_least,
                within_years=whole(args.within_years),
                ending=args.ending,
            ),
            "discipline_clock": lambda: preds.DisciplineClock(
                written, years=whole(args.years), ending=args.ending
            ),
            "no_pending_case": lambda: preds.NoPendingCase(written),
            "employment": lambda: preds.FieldIn(
                written, field_name="employment", allowed=tuple(v.value for v in args.in_)
            ),
            "position": lambda: preds.FieldIn(
                written, field_name="position", allowed=tuple(v.value for v in args.in_)
            ),
            "unit_kind": lambda: preds.FieldIn(
                written, field_name="unit_kind", allowed=tuple(v.value for v in args.in_)
            ),
            "member_share": lambda: self.member_share(args, written, rule, ratio),
            "member_count": lambda: preds.MemberCount(
                written, title=args.title, at_least=whole(args.at_least)
            ),
            "members_disciplined": lambda: preds.MembersDisciplined(
                written, at_least=args.at_least
            ),
            "sanctions": lambda: preds.Sanctions(
                written,
                kinds=tuple(k.value for k in args.kinds),
                within_years=whole(args.within_years),
            ),
            "effective_rating": lambda: preds.EffectiveRating(
                written, at_least=args.at_least, offset=args.year
            ),
            "unsettled": lambda: preds.Unsettled(
                written, reason=args.reason, reason_en=args.reason_en
            ),
            "targets": lambda: preds.TargetsMet(written, status=args.status),
        }
        pred = builders[tag]()
        pred.params = tuple(used)
        return pred

    def member_share(
        self, args: Any, written: dict[str, Any], rule: Rule, ratio: Callable[[Any], Decimal]
    ) -> preds.Predicate:
        if (args.title is None) == (args.rated_at_least is None) or (
            (args.more_than is None) == (args.at_least is None)
        ):
            self.error(
                "KT225",
                "member_share needs exactly one of `title`/`rated_at_least` and exactly one of "
                "`more_than`/`at_least`",
                self.here[0],
                "e.g. {member_share: {title: lao_dong_tien_tien, more_than: {param: …}}}",
                rule.id,
                self.here[1],
            )
        strict = args.more_than is not None
        return preds.MemberShare(
            written,
            title=args.title,
            rated_at_least=args.rated_at_least,
            ratio=ratio(args.more_than if strict else args.at_least),
            strict=strict,
        )

    def criterion(
        self, c: Criterion, rule: Rule, leaves: list[preds.Predicate]
    ) -> CompiledCriterion:
        key = f"criterion:{rule.id}/{c.id}"
        if c.source.instrument not in self.pack.instruments:
            self.error(
                "KT226",
                f'criterion "{c.id}" cites unknown instrument "{c.source.instrument}"'
                f"{suggest(c.source.instrument, sorted(self.pack.instruments))}",
                key,
                "declare the instrument in instruments/ or correct the id",
                rule.id,
                ("source", "instrument"),
            )
        self.here = (key, ())
        return CompiledCriterion(
            c.id,
            c.title,
            c.title_en,
            c.source,
            self.pack.cite(c.source),
            self.node(c.when, rule, leaves, ("when",)),
        )

    def rule(self, r: Rule) -> CompiledRule:
        leaves: list[preds.Predicate] = []
        criteria = tuple(self.criterion(c, r, leaves) for c in r.criteria)
        ids = [c.id for c in r.criteria]
        if len(set(ids)) != len(ids):
            twice = next(i for i in ids if ids.count(i) > 1)
            self.error(
                "KT227",
                f'rule "{r.id}" has two criteria with the id "{twice}"',
                f"criterion:{r.id}/{twice}",
                "criterion ids are unique within a rule: rename one",
                r.id,
                ("id",),
            )
        confidence = max(
            [r.source.confidence, *(c.source.confidence for c in r.criteria)],
            key=CONFIDENCE_ORDER.__getitem__,
        )
        return CompiledRule(
            id=r.id,
            award=r.award,
            subject=r.subject,
            title=r.title,
            source=r.source,
            cite=self.pack.cite(r.source),
            criteria=criteria,
            leaves=tuple(leaves),
            confidence=confidence,
            discretionary=r.discretionary,
            layer=self.origin.get(r.id, self.pack.id),
            valid_from=r.valid.from_,
            valid_until=r.valid.until,
        )


def dependency_order(rules: dict[Key, CompiledRule]) -> tuple[list[Key], list[list[Key]]]:
    """Topological order of (award, subject) by the titles each rule reads; and any cycles."""
    edges: dict[Key, set[Key]] = {}
    for key, rule in rules.items():
        deps: set[Key] = set()
        for leaf in rule.leaves:
            for award, members in leaf.reads_titles():
                deps.add((award, SubjectKind.PERSON if members else rule.subject))
        edges[key] = {d for d in deps if d in rules}
    order: list[Key] = []
    state: dict[Key, int] = {}
    cycles: list[list[Key]] = []

    def visit(k: Key, trail: list[Key]) -> None:
        if state.get(k) == 2:
            return
        if state.get(k) == 1:
            cycles.append([*trail[trail.index(k) :], k])
            return
        state[k] = 1
        for d in sorted(edges.get(k, ())):
            visit(d, [*trail, k])
        state[k] = 2
        order.append(k)

    for k in sorted(edges):
        visit(k, [])
    return order, cycles


def compile_pack(pack: ResolvedPack, day: dt.date) -> Plan:
    """Compile `pack` for decisions on `day`; raise PackError with every problem found."""
    if not pack.covers(day):
        until = pack.coverage_until.isoformat() if pack.coverage_until else "…"
        raise PackError(
            [
                Diagnostic(
                    "KT300",
                    f"pack {pack.id} covers {pack.coverage_from.isoformat()}–{until}, "
                    f"not {day.isoformat()}",
                    help="choose the pack in force on that date (omit --pack to choose it "
                    "automatically)",
                )
            ]
        )
    c = _Compiler(pack, day)
    compiled = {(r.award, r.subject): c.rule(r) for r in c.select()}
    order, cycles = dependency_order(compiled)
    for cycle in cycles:
        names = " → ".join(f"{a.value}" for a, _ in cycle)
        c.error(
            "KT232",
            f"awards depend on each other in a cycle: {names}",
            f"rule:{compiled[cycle[0]].id}",
            "a title of the judged year cannot require itself; use `ending: -1` for earlier years",
            compiled[cycle[0]].id,
        )
    if c.diagnostics:
        raise PackError(c.diagnostics)
    return Plan(pack, day, compiled, tuple(order), c.params)
