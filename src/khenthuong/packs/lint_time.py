"""Lint checks about time: the dates a pack changes on, versions of a rule, chains of packs.

A pack is piecewise constant between the dates where a rule, a parameter value or a dated entry of
its data starts or stops applying (`boundaries`); compiling it on each of those dates checks it on
every date of its coverage. The checks here report gaps and overlaps between versions of a rule
(KT245, KT246), between national packs (KT243, KT244), and broken overrides (KT241, KT242).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from khenthuong.errors import Severity
from khenthuong.model.vocab import Award, SubjectKind, award_label
from khenthuong.packs.lint_rules import Emit, Period
from khenthuong.packs.loader import LoadedPack
from khenthuong.packs.registry import ResolvedPack
from khenthuong.packs.schema import Rule

DAY = dt.timedelta(days=1)


def boundaries(
    rules: Sequence[Rule], pack: ResolvedPack, lo: dt.date, hi: dt.date | None
) -> list[dt.date]:
    """Every date in [lo, hi] where a rule or a parameter value starts or stops applying."""
    days = {lo}
    for r in rules:
        days.add(r.valid.from_)
        if r.valid.until is not None:
            days.add(r.valid.until + DAY)
    for p in pack.parameters.values():
        days.update(v.from_ for v in p.values)
    for layer in pack.layers:  # ranking policies, area lists…: their `valid: {from, until}`
        for item in layer.extras.values():
            days.update(valid_days(item[0] if isinstance(item, tuple) else item))
    return sorted(d for d in days if lo <= d and (hi is None or d <= hi))


def valid_days(data: Any) -> Iterator[dt.date]:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            valid = item.get("valid")
            if isinstance(valid, dict):
                start, until = valid.get("from"), valid.get("until")
                if isinstance(start, dt.date):
                    yield start
                if isinstance(until, dt.date):
                    yield until + DAY
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def periods(
    rule: Rule, pack: ResolvedPack, days: list[dt.date], hi: dt.date | None
) -> list[Period]:
    """The spans of `days` within the rule's validity, with parameter values of each span."""
    end = rule.valid.until if hi is None else min(hi, rule.valid.until or hi)
    inside = [d for d in days if rule.valid.from_ <= d and (end is None or d <= end)]
    out = []
    for i, start in enumerate(inside):
        stop = inside[i + 1] - DAY if i + 1 < len(inside) else end

        def value(name: str, start: dt.date = start) -> Any:
            binding = pack.param(name, start)
            return None if binding is None else binding.value

        out.append(Period(start, stop, value))
    return out


def check_overrides(pack: LoadedPack, resolved: ResolvedPack, emit: Emit) -> None:
    """KT241: an override replaces a rule of another award; KT242: overrides in a cycle."""
    by_id = {r.id: r for r in resolved.rules}
    for rule in pack.rules:
        if rule.overrides is None or rule.overrides not in by_id:
            continue
        where = pack.where[f"rule:{rule.id}"].at(("overrides",))
        target = by_id[rule.overrides]
        if (target.award, target.subject) != (rule.award, rule.subject):
            emit(
                "KT241",
                f'rule "{rule.id}" grants {rule.award.value} to a {rule.subject.value} but '
                f'overrides "{target.id}", which grants {target.award.value} to a '
                f"{target.subject.value}",
                where,
                "an override replaces a rule for the same award and subject: name that rule",
                rule=rule.id,
            )
        chain = [rule.id]
        cur: Rule | None = target
        while cur is not None and cur.id not in chain:
            chain.append(cur.id)
            cur = by_id.get(cur.overrides) if cur.overrides else None
        if cur is not None and cur.id == rule.id and rule.id == min(chain):
            emit(
                "KT242",
                "rules override each other in a cycle: " + " → ".join([*chain, rule.id]),
                where,
                "precedence goes one way: remove `overrides` from one of them",
                rule=rule.id,
            )


def check_award_coverage(pack: LoadedPack, emit: Emit) -> None:
    """KT245: an award has a gap between two versions of its rule; KT246: it stops early."""
    lo, hi = pack.manifest.coverage.from_, pack.manifest.coverage.until
    groups: dict[tuple[Award, SubjectKind], list[Rule]] = {}
    for r in pack.rules:
        if r.valid.until is None or r.valid.until >= r.valid.from_:
            groups.setdefault((r.award, r.subject), []).append(r)
    for (award, subject), rules in sorted(groups.items()):
        spans = []
        for r in rules:
            start = max(r.valid.from_, lo)
            end = r.valid.until if hi is None else min(hi, r.valid.until or hi)
            if end is None or end >= start:
                spans.append((start, end, r))
        spans.sort(key=lambda s: (s[0], s[1] or dt.date.max))
        if not spans:
            continue
        reach: dt.date | None = spans[0][1]
        last = spans[0][2]
        what = f"{award.value} ({award_label(award)}) for a {subject.value}"
        for start, end, r in spans[1:]:
            if reach is not None and start > reach + DAY:
                emit(
                    "KT245",
                    f"no rule grants {what} from {(reach + DAY).isoformat()} to "
                    f'{(start - DAY).isoformat()}, between "{last.id}" and "{r.id}"',
                    pack.where[f"rule:{r.id}"].at(("valid", "from")),
                    f'start "{r.id}" the day after "{last.id}" ends, or add the rule in '
                    "force in between",
                    rule=r.id,
                )
            if reach is not None and (end is None or end > reach):
                reach, last = end, r
        if reach is not None and (hi is None or reach < hi):
            until = hi.isoformat() if hi else "…"
            emit(
                "KT246",
                f"no rule grants {what} after {reach.isoformat()}, though the pack covers "
                f"until {until}",
                pack.where[f"rule:{last.id}"].at(("valid", "until")),
                "add the version in force afterwards, or leave the end open if the rule "
                "still applies",
                rule=last.id,
                severity=Severity.WARNING,
            )


def check_chain(groups: list[list[LoadedPack]], emit: Emit) -> None:
    """KT243/KT244: national packs side by side must cover time without gap or overlap.

    `groups`: the national packs found in one folder each (as `rules/` holds vn-2017 and vn-2024).
    """
    for group in groups:
        packs = [
            p
            for p in group
            if p.manifest.coverage.until is None
            or p.manifest.coverage.until >= p.manifest.coverage.from_
        ]
        if not packs:
            continue
        packs.sort(key=lambda p: (p.manifest.coverage.from_, p.id))
        reach: dt.date | None = packs[0].manifest.coverage.until
        holder = packs[0]
        for q in packs[1:]:
            cov = q.manifest.coverage
            where = q.where["pack"].at(("coverage", "from"))
            if reach is None or reach >= cov.from_:
                end = "…" if reach is None else reach.isoformat()
                emit(
                    "KT244",
                    f"coverage overlaps that of {holder.id} ({end}): from "
                    f"{cov.from_.isoformat()} two national packs would apply",
                    where,
                    f"end {holder.id} on {(cov.from_ - DAY).isoformat()}, or start this pack "
                    "the day after it ends",
                )
            elif cov.from_ > reach + DAY:
                emit(
                    "KT243",
                    f"no national pack covers {(reach + DAY).isoformat()} to "
                    f"{(cov.from_ - DAY).isoformat()}, between {holder.id} and {q.id}",
                    where,
                    f"start this pack on {(reach + DAY).isoformat()}, the day after "
                    f"{holder.id} ends",
                )
            if reach is not None and (cov.until is None or cov.until > reach):
                reach, holder = cov.until, q
