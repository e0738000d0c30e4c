"""What is missing: the smallest set of changes that would make a decision eligible, and when.

`missing(decision)` walks the decision's condition tree. A criterion that does not hold needs its
condition made true: under `all` every failing child must change (the union of their changes),
under `any` the cheapest failing child is chosen, and under `not` the child must become false. Each
leaf says what would change it as a `Change`: a kind, the criterion, a text in Vietnamese and
English, the fact it concerns and — where the batch data can express it — the `Edit`s that apply it.

A change with no edits is not applicable to data: a deferral for an open case, tenure that only
time brings, a discipline that cannot be undone, a criterion the law leaves open (unsettled),
members' results, a title of the judged year that comes from another decision when that decision
is not at hand. Applicable changes cost one per
edit, inapplicable ones far more, so the cheapest branch is the one data can reach when there is
one.

`project(decision, result)` answers the other question — the earliest year the candidate could
qualify if its record continues unchanged — by simulating the next years (see its docstring). It is
a projection, not a decision.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from khenthuong.audit.digest import canonical_batch
from khenthuong.batch.load import batch_from_data
from khenthuong.engine import predicates as preds
from khenthuong.engine.compile import Node
from khenthuong.engine.decision import Decision
from khenthuong.engine.evaluate import Evaluation
from khenthuong.engine.facts import Fact, LeafResult
from khenthuong.errors import EvaluationError, KhenthuongError
from khenthuong.model.batch import Batch
from khenthuong.model.vocab import (
    RATING_ORDER,
    SCOPE_ORDER,
    Award,
    InitiativeKind,
    Outcome,
    Rating,
    Scope,
    award_label,
    label,
    rating_at_least,
)
from khenthuong.packs.registry import PackRegistry, ResolvedPack
from khenthuong.periods import add_months
from khenthuong.runner import BatchResult


class ChangeKind(StrEnum):
    """What a change is about."""

    RATING = "rating"
    TITLE = "title"
    INITIATIVE = "initiative"
    ATTESTATION = "attestation"
    COMMENDATION = "commendation"
    DATA = "data"
    TENURE = "tenure"
    DISCIPLINE = "discipline"
    DEFERRAL = "deferral"
    MEMBERS = "members"
    SANCTION = "sanction"
    FIELD = "field"
    RULE = "rule"
    UNSETTLED = "unsettled"
    OTHER = "other"


class EditOp(StrEnum):
    """The operations an `Edit` applies to a batch."""

    SET_RATING = "set_rating"
    ADD_TITLE = "add_title"
    SET_ATTESTATION = "set_attestation"
    ADD_INITIATIVE = "add_initiative"
    RAISE_SCOPE = "raise_scope"
    CONFIRM_INITIATIVE = "confirm_initiative"
    ADD_COMMENDATION = "add_commendation"
    SET_FIELD = "set_field"


@dataclass(frozen=True, slots=True)
class Edit:
    """One change to the batch data.

    `op` says what is done to candidate `subject`:
    set_rating (year, value = rating code, never lowering one), add_title (year, value = award),
    set_attestation (key = criterion), add_initiative (year, key = kind, value = scope; accepted and
    applied; `index` tells apart several additions), raise_scope (key = initiative id, value = scope),
    confirm_initiative (key = initiative id: accepted and applied), add_commendation (year,
    value = award), set_field (key = field name, value).
    """

    op: EditOp
    subject: str
    year: int | None = None
    key: str | None = None
    value: str | None = None
    index: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op.value,
            "subject": self.subject,
            "year": self.year,
            "key": self.key,
            "value": self.value,
            "index": self.index,
        }


@dataclass(frozen=True, slots=True)
class Change:
    """One thing that would have to change for a decision to become eligible.

    Attributes:
        kind: what it is about (rating, title, initiative, attestation, …).
        criterion: the criterion it serves, as "rule id/criterion id".
        text_vi, text_en: the change in words.
        path: the fact it concerns, as in traces (`people[P-001].history[2021].rating`).
        edits: how to apply it to the batch data; empty when data cannot express it.
        via: titles of the judged year this change serves, innermost first, when it comes from
            the decision of such a title (e.g. an attestation that Lao động tiên tiến needs).
    """

    kind: ChangeKind
    criterion: str | None
    text_vi: str
    text_en: str
    path: str | None = None
    edits: tuple[Edit, ...] = ()
    via: tuple[Award, ...] = ()

    @property
    def applicable(self) -> bool:
        """Whether changing the batch data (with `edits`) can make this change."""
        return bool(self.edits)

    def text(self, lang: str = "vi") -> str:
        return self.text_en if lang == "en" else self.text_vi

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "criterion": self.criterion,
            "text": {"vi": self.text_vi, "en": self.text_en},
            "path": self.path,
            "applicable": self.applicable,
            "edits": [e.to_json() for e in self.edits],
            "via": [a.value for a in self.via],
        }


INAPPLICABLE_COST = 1000


@dataclass(frozen=True, slots=True)
class _Plan:
    cost: int
    changes: tuple[Change, ...]


def _cost(changes: Iterable[Change]) -> int:
    return sum(len(c.edits) if c.applicable else INAPPLICABLE_COST for c in changes)


def _plan(changes: Iterable[Change]) -> _Plan:
    unique = _dedupe(changes)
    return _Plan(_cost(unique), unique)


def _dedupe(changes: Iterable[Change]) -> tuple[Change, ...]:
    seen: dict[tuple[Any, ...], Change] = {}
    for c in changes:
        seen.setdefault((c.kind, c.criterion, c.text_vi, c.edits, c.via), c)
    return tuple(seen.values())


def _both(pred: preds.Predicate, result: LeafResult) -> tuple[str, str]:
    return pred.missing(result, "vi"), pred.missing(result, "en")


_DERIVED = re.compile(r"^derived:([a-z_]+)\[(.+)\]$")


def missing(decision: Decision, within: BatchResult | Evaluation | None = None) -> list[Change]:
    """The smallest set of changes that would make `decision` eligible (empty if it is).

    Args:
        decision: a decision from `evaluate_batch` (or `Evaluation.decide`).
        within: the result or evaluation the decision came from. With it, a title of the judged
            year that the decision reads (Lao động tiên tiến for Chiến sĩ thi đua cơ sở) is
            expanded into what that title's own decision lacks; without it, such a title is one
            change that data cannot apply directly.

    Returns:
        The changes, in the order of the rule's criteria; each with its texts, the fact it
        concerns and, where data can express it, the edits that `apply_changes` applies.

    Example:
        >>> from khenthuong import batch_from_text, evaluate_batch
        >>> from khenthuong.audit.missing import missing
        >>> b = batch_from_text('''
        ... batch: {id: vd, year: 2021, as_of: 2021-12-15}
        ... people:
        ...   - id: P1
        ...     name: Nông Thị Hoa
        ...     recruited_on: 2015-01-01
        ...     history: [{year: 2021, rating: HTTNV}]
        ...     attestations: {compliance: true, emulation: true, study: true, solidarity: true}
        ... nominations: [{candidate: P1, award: lao_dong_tien_tien}]
        ... ''')
        >>> result = evaluate_batch(b)
        >>> [c.text_vi for c in missing(result.decisions[0], result)]
        ['thiếu xác nhận: đạo đức, lối sống lành mạnh']
    """
    if decision.outcome is Outcome.ELIGIBLE:
        return []
    evaluation = within.evaluation if isinstance(within, BatchResult) else within
    return list(_Planner(evaluation).decision(decision))


class _Planner:
    def __init__(self, evaluation: Evaluation | None) -> None:
        self.evaluation = evaluation
        self.memo: dict[tuple[str, Award], tuple[Change, ...]] = {}

    def decision(self, d: Decision) -> tuple[Change, ...]:
        key = (d.candidate, d.award)
        done = self.memo.get(key)
        if done is not None:
            return done
        self.memo[key] = ()  # guards against a cycle in a hand-built plan
        if d.outcome is Outcome.ELIGIBLE:
            out: tuple[Change, ...] = ()
        elif d.rule is None:
            note = d.note or ""
            out = (Change(ChangeKind.RULE, None, note, note),)
        else:
            changes: list[Change] = []
            for c, holds in d.criteria():
                if holds is not True:
                    changes += self.node(d, f"{d.rule.id}/{c.id}", c.node, True).changes
            out = _dedupe(changes)
        self.memo[key] = out
        return out

    def node(self, d: Decision, cid: str, node: Node, want: bool) -> _Plan:
        truths = d.truths
        if node.value(truths) is want:
            return _Plan(0, ())
        if node.kind == "leaf":
            return self.leaf(d, cid, node.leaf, want)
        if node.kind == "not":
            return self.node(d, cid, node.children[0], not want)
        todo = [c for c in node.children if c.value(truths) is not want]
        plans = [self.node(d, cid, c, want) for c in todo]
        if (node.kind == "all") == want:
            # all must hold / any must fail: every child that is not yet so must change
            return _plan(c for p in plans for c in p.changes)
        # any must hold / all must fail: one child is enough, the cheapest (first on a tie)
        return min(plans, key=lambda p: p.cost)

    def leaf(self, d: Decision, cid: str, i: int, want: bool) -> _Plan:
        assert d.rule is not None
        pred = d.rule.leaves[i]
        result = d.results[i]
        path = result.facts[0].path if result.facts else None
        if not want:
            return _plan([_negated(pred, result, cid, path)])
        subject = d.candidate
        if isinstance(pred, preds.NoPendingCase):
            return _plan([Change(ChangeKind.DEFERRAL, cid, *_both(pred, result), path)])
        if isinstance(pred, preds.Attested):
            edit = Edit(EditOp.SET_ATTESTATION, subject, key=pred.criterion.value)
            return _plan([Change(ChangeKind.ATTESTATION, cid, *_both(pred, result), path, (edit,))])
        if isinstance(pred, preds.EffectiveRating) and result.note is not None:
            # disciplined in the year: the rating the law recognises is KHTNV whatever is recorded
            return _plan([Change(ChangeKind.DISCIPLINE, cid, *_both(pred, result), path)])
        if isinstance(pred, preds.RatingIs | preds.EffectiveRating):
            year = d.year + pred.offset
            edit = Edit(EditOp.SET_RATING, subject, year, value=pred.at_least.value)
            return _plan([Change(ChangeKind.RATING, cid, *_both(pred, result), path, (edit,))])
        if isinstance(pred, preds.RatingStreak):
            return self.rating_streak(d, cid, pred, result)
        if isinstance(pred, preds.TitleHeld | preds.TitleStreak | preds.TitleCount):
            return self.titles(d, cid, pred, result)
        if isinstance(pred, preds.Initiatives):
            return self.initiatives(d, cid, pred, result)
        if isinstance(pred, preds.CommendationHeld):
            edit = Edit(
                EditOp.ADD_COMMENDATION, subject, d.year + pred.ending, value=pred.award.value
            )
            return _plan(
                [Change(ChangeKind.COMMENDATION, cid, *_both(pred, result), path, (edit,))]
            )
        if isinstance(pred, preds.Tenure):
            if result.holds is None:
                since = add_months(d.date, -pred.months_at_least)
                edit = Edit(EditOp.SET_FIELD, subject, key="recruited_on", value=since.isoformat())
                return _plan([Change(ChangeKind.DATA, cid, *_both(pred, result), path, (edit,))])
            return _plan([Change(ChangeKind.TENURE, cid, *_both(pred, result), path)])
        if isinstance(pred, preds.FieldIn):
            if result.holds is None and pred.allowed:
                name = "kind" if pred.field_name == "unit_kind" else pred.field_name
                edit = Edit(EditOp.SET_FIELD, subject, key=name, value=pred.allowed[0])
                return _plan([Change(ChangeKind.DATA, cid, *_both(pred, result), path, (edit,))])
            return _plan([Change(ChangeKind.FIELD, cid, *_both(pred, result), path)])
        if isinstance(pred, preds.DisciplineClock):
            return _plan([Change(ChangeKind.DISCIPLINE, cid, *_both(pred, result), path)])
        if isinstance(pred, preds.Unsettled):
            return _plan([Change(ChangeKind.UNSETTLED, cid, *_both(pred, result), path)])
        if isinstance(pred, preds.MemberShare | preds.MemberCount):
            return _plan([Change(ChangeKind.MEMBERS, cid, *_both(pred, result), path)])
        return _plan([Change(ChangeKind.OTHER, cid, *_both(pred, result), path)])

    def rating_streak(
        self, d: Decision, cid: str, pred: preds.RatingStreak, result: LeafResult
    ) -> _Plan:
        def ok(v: Any) -> bool:
            return isinstance(v, str) and rating_at_least(Rating(v), pred.at_least)

        changes: list[Change] = []
        short = [f for f in result.facts if f.name == "rating" and not ok(f.value)]
        if short:
            edits = tuple(
                Edit(EditOp.SET_RATING, d.candidate, f.year, value=pred.at_least.value)
                for f in short
            )
            shown = LeafResult(False if result.holds is False else None, result.facts)
            changes.append(
                Change(ChangeKind.RATING, cid, *_both(pred, shown), short[0].path, edits)
            )
        changes += _since(d, cid, pred.since_commendation, pred.ending, pred.years, result)
        return _plan(changes)

    def titles(
        self,
        d: Decision,
        cid: str,
        pred: preds.TitleHeld | preds.TitleStreak | preds.TitleCount,
        result: LeafResult,
    ) -> _Plan:
        award = pred.award
        short = [f for f in result.facts if f.name == "title" and f.value is not True]
        since: list[Change] = []
        if isinstance(pred, preds.TitleCount):
            held = sum(1 for f in result.facts if f.name == "title" and f.value is True)
            ranked = sorted(
                ((self.title_year(d, cid, pred, f), f) for f in short),
                key=lambda o: (o[0].cost, -(o[1].year or 0)),
            )
            short = [f for _, f in ranked[: max(pred.at_least - held, 0)]]
            since = _since(d, cid, pred.since_commendation, pred.ending, pred.within_years, result)
        derived = [f for f in short if f.path.startswith("derived:")]
        recorded = [f for f in short if not f.path.startswith("derived:")]
        changes: list[Change] = []
        if recorded:
            edits = tuple(
                Edit(EditOp.ADD_TITLE, d.candidate, f.year, value=award.value) for f in recorded
            )
            if isinstance(pred, preds.TitleCount):
                vi, en = _title_count_text(award, recorded)
            else:
                vi, en = _both(pred, LeafResult(False, tuple(recorded)))
            changes.append(Change(ChangeKind.TITLE, cid, vi, en, recorded[0].path, edits))
        for f in derived:
            changes += self.title_year(d, cid, pred, f).changes
        return _plan(changes + since)

    def title_year(self, d: Decision, cid: str, pred: preds.Predicate, fact: Fact) -> _Plan:
        """What would give the candidate the title that `fact` says it lacks in `fact.year`."""
        award = getattr(pred, "award", None)
        assert isinstance(award, Award)
        match = _DERIVED.match(fact.path)
        if match is None:
            edit = Edit(EditOp.ADD_TITLE, d.candidate, fact.year, value=award.value)
            vi, en = _title_count_text(award, [fact])
            return _plan([Change(ChangeKind.TITLE, cid, vi, en, fact.path, (edit,))])
        subject = match.group(2)
        ev = self.evaluation
        if ev is None or subject not in ev.index.subjects:
            vi = (
                f"cần đạt «{award_label(award)}» năm {fact.year} "
                f"(xem quyết định «{award_label(award)}» của {subject})"
            )
            en = (
                f"needs “{award_label(award, 'en')}” for {fact.year} "
                f"(see the “{award_label(award, 'en')}” decision of {subject})"
            )
            return _plan([Change(ChangeKind.TITLE, cid, vi, en, fact.path)])
        sub = ev.decide(subject, award)
        wrapped = []
        for c in self.decision(sub):
            if c.via:
                wrapped.append(
                    Change(
                        c.kind, c.criterion, c.text_vi, c.text_en, c.path, c.edits, (*c.via, award)
                    )
                )
                continue
            wrapped.append(
                Change(
                    c.kind,
                    c.criterion,
                    f"{c.text_vi} — để đạt «{award_label(award)}» năm {fact.year}",
                    f"{c.text_en} — to obtain “{award_label(award, 'en')}” for {fact.year}",
                    c.path,
                    c.edits,
                    (award,),
                )
            )
        return _plan(wrapped)

    def initiatives(
        self, d: Decision, cid: str, pred: preds.Initiatives, result: LeafResult
    ) -> _Plan:
        subject = d.candidate
        counted = 0
        unconfirmed: list[Change] = []
        rejected: list[Change] = []
        below: list[Change] = []
        for f in result.facts:
            if f.name != "initiative":
                continue
            ini = _initiative_id(f.path)
            confirm = Edit(EditOp.CONFIRM_INITIATIVE, subject, key=ini)
            if isinstance(f.value, str) and f.value.endswith("(below scope)"):
                raise_ = Edit(EditOp.RAISE_SCOPE, subject, key=ini, value=pred.scope.value)
                fix: tuple[Edit, ...] = (
                    (raise_, confirm) if _needs_confirmation(pred, f.value) else (raise_,)
                )
                vi, en = _both(pred, LeafResult(False, (), "below_scope"))
                below.append(
                    Change(
                        ChangeKind.INITIATIVE, cid, f"{vi} ({ini})", f"{en} ({ini})", f.path, fix
                    )
                )
            elif f.value is None or (isinstance(f.value, str) and f.value.endswith("applied)")):
                vi, en = _confirm_text(pred, ini, unknown=f.value is None)
                change = Change(ChangeKind.INITIATIVE, cid, vi, en, f.path, (confirm,))
                (unconfirmed if f.value is None else rejected).append(change)
            else:
                counted += 1
        need = max(pred.at_least - counted, 0)
        # Use what the candidate already did before asking for more: confirm an initiative whose
        # acceptance is unknown, then one not accepted, then raise the scope of one below it.
        changes = [*unconfirmed, *rejected, *below][:need]
        extra = need - len(changes)
        if extra > 0:
            year = d.year + pred.ending
            edits = tuple(
                Edit(
                    EditOp.ADD_INITIATIVE,
                    subject,
                    year,
                    key=pred.kinds[0].value,
                    value=pred.scope.value,
                    index=n,
                )
                for n in range(extra)
            )
            vi, en = _more_initiatives_text(pred, extra)
            path = f"people[{subject}].initiatives"
            changes.append(Change(ChangeKind.INITIATIVE, cid, vi, en, path, edits))
        changes += _since(d, cid, pred.since_commendation, pred.ending, pred.within_years, result)
        return _plan(changes)


def _negated(pred: preds.Predicate, result: LeafResult, cid: str, path: str | None) -> Change:
    kind = ChangeKind.OTHER
    if isinstance(pred, preds.Disciplined | preds.DisciplineClock):
        kind = ChangeKind.DISCIPLINE
    elif isinstance(pred, preds.MembersDisciplined):
        kind = ChangeKind.MEMBERS
    elif isinstance(pred, preds.Sanctions):
        kind = ChangeKind.SANCTION
    if result.holds is None:
        return Change(kind, cid, *_both(pred, result), path)
    return Change(
        kind,
        cid,
        f"không được: {pred.describe('vi')}",
        f"must not: {pred.describe('en')}",
        path,
    )


def _since(
    d: Decision,
    cid: str,
    award: Award | None,
    ending: int,
    years: int,
    result: LeafResult,
) -> list[Change]:
    """The change for a failed `since_commendation`: that commendation before the window."""
    if award is None:
        return []
    fact = next((f for f in result.facts if f.name == f"commendation:{award.value}"), None)
    if fact is None or fact.value is not False:
        return []
    start = d.year + ending - years + 1
    edit = Edit(EditOp.ADD_COMMENDATION, d.candidate, start - 1, value=award.value)
    return [
        Change(
            ChangeKind.COMMENDATION,
            cid,
            f"cần đã được tặng «{award_label(award)}» trước năm {start}",
            f"needs “{award_label(award, 'en')}” received before {start}",
            fact.path,
            (edit,),
        )
    ]


def _initiative_id(path: str) -> str:
    match = re.search(r"\.initiatives\[(.+)\]$", path)
    return match.group(1) if match else path


def _needs_confirmation(pred: preds.Initiatives, shown: str) -> bool:
    research = f": {InitiativeKind.RESEARCH.value}," in shown
    return pred.applied or (research and pred.research_accepted)


def _confirm_text(pred: preds.Initiatives, ini: str, unknown: bool) -> tuple[str, str]:
    what_vi = "đã được áp dụng" if pred.applied else "đã được nghiệm thu"
    what_en = "applied" if pred.applied else "accepted"
    if unknown:
        return (
            f"thiếu dữ liệu: {ini} {what_vi} hay chưa",
            f"missing facts: whether {ini} was {what_en}",
        )
    return (f"cần: {ini} {what_vi}", f"needs: {ini} {what_en}")


def _more_initiatives_text(pred: preds.Initiatives, n: int) -> tuple[str, str]:
    kinds = tuple(pred.kinds)
    if kinds == (InitiativeKind.RESEARCH,):
        vi, en = "đề tài khoa học", "research result(s)"
    elif kinds == (InitiativeKind.INITIATIVE,):
        vi, en = "sáng kiến", "initiative(s)"
    else:
        vi, en = "sáng kiến hoặc đề tài", "initiative(s) or research"
    window_vi = preds.window_phrase(pred.within_years, pred.ending, "vi")
    window_en = preds.window_phrase(pred.within_years, pred.ending, "en")
    return (
        f"cần thêm {n} {vi} được công nhận phạm vi từ «{label(pred.scope)}» trở lên {window_vi}",
        f"needs {n} more {en} recognised at “{label(pred.scope, 'en')}” scope or above {window_en}",
    )


def _title_count_text(award: Award, facts: Sequence[Fact]) -> tuple[str, str]:
    years = ", ".join(str(f.year) for f in sorted(facts, key=lambda f: f.year or 0))
    n = len(facts)
    return (
        f"cần thêm {n} lần đạt «{award_label(award)}» (năm {years})",
        f"needs “{award_label(award, 'en')}” {n} more time(s) ({years})",
    )


# --------------------------------------------------------------------------- applying changes


def apply_changes(batch: Batch, changes: Iterable[Change]) -> Batch:
    """The batch with the edits of `changes` applied (inapplicable changes are skipped).

    Edits are merged first: a rating or a scope asked for twice is set to the higher of the two,
    identical edits are applied once. The result is validated like any batch.

    Example:
        >>> from khenthuong import batch_from_text, evaluate_batch
        >>> from khenthuong.audit.missing import apply_changes, missing
        >>> b = batch_from_text('''
        ... batch: {id: vd, year: 2021, as_of: 2021-12-15}
        ... people:
        ...   - {id: P1, name: Lò Văn Pó, recruited_on: 2015-01-01,
        ...      history: [{year: 2021, rating: HTNV}],
        ...      attestations: {ethics: true, compliance: true, emulation: true, study: true,
        ...                     solidarity: true}}
        ... nominations: [{candidate: P1, award: lao_dong_tien_tien}]
        ... ''')
        >>> before = evaluate_batch(b)
        >>> after = evaluate_batch(apply_changes(b, missing(before.decisions[0], before)))
        >>> after.decisions[0].outcome.value
        'eligible'
    """
    return apply_edits(batch, [e for c in changes for e in c.edits])


def apply_edits(batch: Batch, edits: Iterable[Edit]) -> Batch:
    """The batch with `edits` applied (see `apply_changes`)."""
    data = canonical_batch(batch)
    records: dict[str, dict[str, Any]] = {
        r["id"]: r for section in ("units", "people", "households") for r in data[section]
    }
    for edit in _merge(edits):
        record = records.get(edit.subject)
        if record is None:
            raise KeyError(f"no candidate {edit.subject!r} in the batch")
        _apply(record, edit)
    return batch_from_data(data, "<changed batch>")


def _rating_rank(value: str | None) -> int:
    return -1 if value is None else RATING_ORDER[Rating(value)]


def _scope_rank(value: str | None) -> int:
    return -1 if value is None else SCOPE_ORDER[Scope(value)]


def _merge(edits: Iterable[Edit]) -> list[Edit]:
    out: dict[tuple[Any, ...], Edit] = {}
    for e in edits:
        if e.op is EditOp.SET_RATING:
            key: tuple[Any, ...] = (e.op, e.subject, e.year)
            old = out.get(key)
            if old is None or _rating_rank(e.value) > _rating_rank(old.value):
                out[key] = e
        elif e.op is EditOp.RAISE_SCOPE:
            key = (e.op, e.subject, e.key)
            old = out.get(key)
            if old is None or _scope_rank(e.value) > _scope_rank(old.value):
                out[key] = e
        else:
            out.setdefault((e.op, e.subject, e.year, e.key, e.value, e.index), e)
    return list(out.values())


def _year(record: dict[str, Any], year: int) -> dict[str, Any]:
    history: list[dict[str, Any]] = record.setdefault("history", [])
    for entry in history:
        if entry["year"] == year:
            return entry
    entry = {"year": year, "titles": []}
    history.append(entry)
    history.sort(key=lambda y: y["year"])
    return entry


def _apply(record: dict[str, Any], e: Edit) -> None:
    if e.op is EditOp.SET_RATING:
        assert e.year is not None
        assert e.value is not None
        entry = _year(record, e.year)
        if _rating_rank(entry.get("rating")) < _rating_rank(e.value):
            entry["rating"] = e.value
    elif e.op is EditOp.ADD_TITLE:
        assert e.year is not None
        entry = _year(record, e.year)
        titles = entry.setdefault("titles", [])
        if e.value not in titles:
            titles.append(e.value)
    elif e.op is EditOp.SET_ATTESTATION:
        assert e.key is not None
        record.setdefault("attestations", {})[e.key] = True
    elif e.op is EditOp.ADD_COMMENDATION:
        record.setdefault("commendations", []).append({"award": e.value, "year": e.year})
    elif e.op is EditOp.SET_FIELD:
        assert e.key is not None
        record[e.key] = e.value
    else:
        _apply_initiative(record, e)


def _apply_initiative(record: dict[str, Any], e: Edit) -> None:
    initiatives: list[dict[str, Any]] = record.setdefault("initiatives", [])
    if e.op is EditOp.ADD_INITIATIVE:
        taken = {i["id"] for i in initiatives}
        n = e.index + 1
        while f"SK-{e.year}-{n}" in taken:
            n += 1
        initiatives.append(
            {
                "id": f"SK-{e.year}-{n}",
                "kind": e.key,
                "year": e.year,
                "scope": e.value,
                "accepted": True,
                "applied": True,
            }
        )
        return
    found = next((i for i in initiatives if i["id"] == e.key), None)
    if found is None:
        raise KeyError(f"no initiative {e.key!r}")
    if e.op is EditOp.RAISE_SCOPE:
        if _scope_rank(found["scope"]) < _scope_rank(e.value):
            found["scope"] = e.value
    else:  # CONFIRM_INITIATIVE
        found["accepted"] = True
        found["applied"] = True


# --------------------------------------------------------------------------- projection

HORIZON = 5


@dataclass(frozen=True, slots=True)
class ProjectedYear:
    """The simulated decision of one later year."""

    year: int
    date: dt.date
    pack: str
    outcome: Outcome
    deferred: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "decision_date": self.date.isoformat(),
            "pack": self.pack,
            "outcome": self.outcome.value,
            "deferred": self.deferred,
        }


@dataclass(frozen=True, slots=True)
class Projection:
    """The earliest year a candidate could qualify if its record continues unchanged.

    A projection, not a decision: the judged year's rating, member counts and initiatives are
    assumed to repeat every year, the titles each simulated year earns are carried forward, and
    nothing else happens (no new commendation, discipline or case). Each year is judged by the
    pack in force on that year's decision date.
    """

    candidate: str
    award: Award
    judged: int
    horizon: int
    first_year: int | None
    years: tuple[ProjectedYear, ...] = ()
    note: str | None = None
    notes: tuple[tuple[str, str], ...] = field(default=())

    def text(self, lang: str = "vi") -> str:
        en = lang == "en"
        if self.note == "eligible":
            return (
                "eligible in the judged year; no projection needed"
                if en
                else "đủ điều kiện ngay năm xét; không cần dự báo"
            )
        if self.note == "deferred":
            return (
                "no projection: the decision is deferred while a case is open"
                if en
                else "không dự báo: quyết định đang hoãn xét vì có vụ việc đang xem xét"
            )
        assume = (
            f"Projection, assuming the record of {self.judged} repeats every year "
            "(same rating and initiatives, titles carried forward, nothing else new): "
            if en
            else f"Dự báo, giả định hồ sơ năm {self.judged} lặp lại hằng năm "
            "(cùng xếp loại và sáng kiến, danh hiệu đạt được được ghi nhận, không có gì mới khác): "
        )
        last = self.judged + self.horizon
        if self.first_year is not None:
            pack = next((y.pack for y in self.years if y.year == self.first_year), "")
            body = (
                f"could qualify in {self.first_year} at the earliest (pack {pack})"
                if en
                else f"sớm nhất năm {self.first_year} có thể đủ điều kiện (bộ quy tắc {pack})"
            )
        elif self.note:
            body = f"stopped: {self.note}" if en else f"dừng dự báo: {self.note}"
        elif self.years and all(y.outcome is Outcome.UNDETERMINED for y in self.years):
            end = self.years[-1].year
            body = (
                f"still undetermined by {end}: facts the rules need are missing"
                if en
                else f"vẫn chưa xác định được đến hết năm {end}: hồ sơ còn thiếu dữ liệu"
            )
        else:
            end = self.years[-1].year if self.years else last
            body = (
                f"would not qualify by {end}" if en else f"vẫn không đủ điều kiện đến hết năm {end}"
            )
        tail = (
            "; this is an estimate, not a decision"
            if en
            else "; đây là ước tính, không phải kết quả xét"
        )
        return assume + body + tail

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "award": self.award.value,
            "judged_year": self.judged,
            "horizon": self.horizon,
            "first_year": self.first_year,
            "years": [y.to_json() for y in self.years],
            "note": self.note,
            "notes": [{"vi": vi, "en": en} for vi, en in self.notes],
            "projection": True,
        }


def resolve_for(
    registry: PackRegistry, day: dt.date, province: str | None, pack: str | None = None
) -> tuple[ResolvedPack, tuple[str, str] | None]:
    """The pack for `day` with the province's layer; without it, and a (vi, en) note, if none."""
    try:
        return registry.for_date(day, province, pack), None
    except EvaluationError as exc:
        if province is None or not any(d.code == "KT303" for d in exc.diagnostics):
            raise
    resolved = registry.for_date(day, None, pack)
    return resolved, (
        f"không có lớp quy tắc của tỉnh {province} cho {resolved.id}: chỉ dùng bộ quy tắc quốc gia",
        f"no provincial layer for {province} extends {resolved.id}: national pack alone",
    )


def project(
    decision: Decision,
    result: BatchResult,
    *,
    registry: PackRegistry | None = None,
    horizon: int = HORIZON,
) -> Projection:
    """Simulate the next `horizon` years and return the first in which `decision` would be eligible.

    The candidate's history (and, for a collective, its listed members' histories) is extended with
    copies of the judged year's record for each following year: the same rating (and member
    counts), the judged year's initiatives re-dated to that year, and as titles what the candidate
    earned in the year before — the judged year's titles derived by `result`'s evaluation, later
    years' titles derived by the simulation (titles of discretionary rules are not assumed). Each
    year is decided by the pack in force on its decision date (the batch's date moved by whole
    years). Dated events — commendations, disciplines, cases — are not repeated; an open case
    stays open, so a deferred decision is not projected.

    Example:
        >>> from khenthuong import batch_from_text, evaluate_batch
        >>> from khenthuong.audit.missing import project
        >>> b = batch_from_text('''
        ... batch: {id: vd, year: 2021, as_of: 2021-12-15}
        ... people:
        ...   - {id: P1, name: Vi Thị Mai, recruited_on: 2021-05-01,
        ...      history: [{year: 2021, rating: HTTNV}],
        ...      attestations: {ethics: true, compliance: true, emulation: true, study: true,
        ...                     solidarity: true}}
        ... nominations: [{candidate: P1, award: lao_dong_tien_tien}]
        ... ''')
        >>> result = evaluate_batch(b)
        >>> project(result.decisions[0], result).first_year
        2022
    """
    registry = registry or PackRegistry()
    base = Projection(decision.candidate, decision.award, decision.year, horizon, None)
    if decision.outcome is Outcome.ELIGIBLE:
        return Projection(
            decision.candidate,
            decision.award,
            decision.year,
            horizon,
            decision.year,
            note="eligible",
        )
    if decision.deferred:
        return Projection(
            decision.candidate, decision.award, decision.year, horizon, None, note="deferred"
        )
    batch = result.batch
    data = canonical_batch(batch)
    data["nominations"] = []
    subjects = _extended(data, decision.candidate)
    judged = batch.batch.year
    templates = {sid: _template(record, judged) for sid, record in subjects.items()}
    initiatives = {
        sid: [i for i in record.get("initiatives", []) if i["year"] == judged]
        for sid, record in subjects.items()
    }
    _record_titles(subjects, judged, result.evaluation)
    years: list[ProjectedYear] = []
    notes: list[tuple[str, str]] = []
    for j in range(1, horizon + 1):
        year = judged + j
        for sid, record in subjects.items():
            record.setdefault("history", []).append({**templates[sid], "year": year, "titles": []})
            for ini in initiatives[sid]:
                record["initiatives"].append({**ini, "id": f"{ini['id']}~{year}", "year": year})
        data["batch"]["year"] = year
        if batch.batch.as_of is not None:
            data["batch"]["as_of"] = _shift(batch.batch.as_of, j).isoformat()
        try:
            simulated = batch_from_data(data, "<projection>")
            day = simulated.batch.decision_date
            resolved, note = resolve_for(registry, day, simulated.batch.province)
            evaluation = Evaluation(resolved.plan(day), simulated)
            d = evaluation.decide(decision.candidate, decision.award)
        except KhenthuongError as exc:
            message = exc.diagnostics[0].message if exc.diagnostics else str(exc)
            return Projection(
                base.candidate,
                base.award,
                judged,
                horizon,
                None,
                tuple(years),
                message,
                tuple(notes),
            )
        if note and note not in notes:
            notes.append(note)
        years.append(ProjectedYear(year, day, resolved.id, d.outcome, d.deferred))
        if d.outcome is Outcome.ELIGIBLE:
            return Projection(
                base.candidate, base.award, judged, horizon, year, tuple(years), None, tuple(notes)
            )
        _record_titles(subjects, year, evaluation)
    return Projection(
        base.candidate, base.award, judged, horizon, None, tuple(years), None, tuple(notes)
    )


def _extended(data: dict[str, Any], candidate: str) -> dict[str, dict[str, Any]]:
    """The records the projection extends: the candidate and, for a unit, its listed members."""
    out: dict[str, dict[str, Any]] = {}
    for section in ("units", "people", "households"):
        for record in data[section]:
            if record["id"] == candidate:
                out[candidate] = record
    if any(u["id"] == candidate for u in data["units"]):
        for p in data["people"]:
            if p.get("unit") == candidate:
                out[p["id"]] = p
    return out


_NOT_REPEATED = ("titles", "members_disciplined")


def _template(record: dict[str, Any], year: int) -> dict[str, Any]:
    entry = next((y for y in record.get("history", []) if y["year"] == year), {"year": year})
    return {k: v for k, v in entry.items() if k not in _NOT_REPEATED}


def _record_titles(subjects: dict[str, dict[str, Any]], year: int, evaluation: Evaluation) -> None:
    """Write into each record's `year` the titles the evaluation derives for that year."""
    plan = evaluation.plan
    for sid, record in subjects.items():
        view = evaluation.index.subjects.get(sid)
        if view is None:
            continue
        derived_awards = {
            award
            for (award, kind), rule in plan.rules.items()
            if kind is view.kind and not rule.discretionary
        }
        earned = {
            a.value for a in derived_awards if evaluation.decide(sid, a).outcome is Outcome.ELIGIBLE
        }
        entry = _year(record, year)
        kept = {t for t in entry.get("titles", []) if Award(t) not in derived_awards}
        entry["titles"] = sorted(kept | earned)


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


__all__ = [
    "Change",
    "ChangeKind",
    "Edit",
    "EditOp",
    "ProjectedYear",
    "Projection",
    "apply_changes",
    "apply_edits",
    "missing",
    "project",
    "resolve_for",
]
