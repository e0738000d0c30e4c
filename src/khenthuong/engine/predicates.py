"""The closed vocabulary of predicates: each evaluates, explains itself and says what is missing.

A predicate is built by the compiler from its arguments in a rule file (with `{param: …}` already
resolved for the decision date) and then evaluated for many candidates. Results are three-valued:
a fact the predicate needs but the batch lacks gives `None` (unknown), never a silent False.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from khenthuong.engine.facts import BatchIndex, Fact, FactValue, LeafResult, SubjectView
from khenthuong.model.movement import Movement, TargetStatus
from khenthuong.model.subjects import Household, Person, Unit, UnitYear
from khenthuong.model.vocab import (
    RATING_ORDER,
    SCOPE_ORDER,
    Attestation,
    Award,
    InitiativeKind,
    Rating,
    Scope,
    SubjectKind,
    award_label,
    discipline_at_least,
    label,
    rating_at_least,
    scope_at_least,
)
from khenthuong.movements.scoring import Scorecard, score_unit
from khenthuong.packs.registry import ParamBinding
from khenthuong.periods import Truth, add_months, all3, in_effect, window

_RESEARCH = InitiativeKind.RESEARCH
# Attribute names as plain strings: getattr with an enum member is slower.
_ATTESTATION_NAME: dict[Attestation, str] = {a: str(a.value) for a in Attestation}


class Context(Protocol):
    """What a predicate may ask of the evaluation it runs in."""

    year: int
    date: dt.date

    @property
    def index(self) -> BatchIndex: ...

    def title(self, view: SubjectView, award: Award, year: int) -> tuple[Truth, Fact]: ...


# What `Predicate.bind` gives: the truth of the predicate for a subject in that context.
Holds = Callable[[SubjectView, "Context"], Truth]


def tr(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def year_phrase(offset: int, lang: str) -> str:
    if offset == 0:
        return tr(lang, "năm xét", "the judged year")
    return tr(lang, f"năm xét {offset:+d}", f"judged year {offset:+d}")


def window_phrase(years: int, ending: int, lang: str) -> str:
    if years == 1:
        return tr(lang, f"trong {year_phrase(ending, lang)}", f"in {year_phrase(ending, lang)}")
    return tr(
        lang,
        f"trong {years} năm đến {year_phrase(ending, lang)}",
        f"within the {years} years up to {year_phrase(ending, lang)}",
    )


def count3(values: Iterable[Truth]) -> tuple[int, int]:
    """(definitely true, unknown) counts."""
    sure = unknown = 0
    for v in values:
        if v is True:
            sure += 1
        elif v is None:
            unknown += 1
    return sure, unknown


def at_least3(sure: int, unknown: int, need: int) -> Truth:
    if sure >= need:
        return True
    if sure + unknown < need:
        return False
    return None


def title_truth(ctx: Context, view: SubjectView, award: Award, year: int) -> Truth:
    """`ctx.title(...)[0]`, through the context's fact-free `title_truth` when it has one."""
    fast = getattr(ctx, "title_truth", None)
    if fast is not None:
        truth: Truth = fast(view, award, year)
        return truth
    return ctx.title(view, award, year)[0]


def rating_truth(view: SubjectView, year: int, level: int) -> Truth:
    """`rating_fact(...)[0]` with the level as its `RATING_ORDER` rank, building no fact."""
    rec = view.years.get(year)
    rating = getattr(rec, "rating", None) if rec is not None else None
    return None if rating is None else RATING_ORDER[rating] >= level


def since_truth(view: SubjectView, award: Award | None, first_year: int) -> bool:
    """`_Since.check(...)[0]`: `award` was received before `first_year` (True if no award)."""
    if award is None:
        return True
    for c in view.record.commendations:
        if c.award == award and c.year < first_year:
            return True
    return any(y < first_year and award in rec.titles for y, rec in view.years.items())


@dataclass(slots=True)
class Predicate:
    """Base of every predicate: its name, its arguments as written, and the parameters it used."""

    tag: ClassVar[str] = ""
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset(SubjectKind)
    written: dict[str, Any]
    params: tuple[ParamBinding, ...] = field(default=(), kw_only=True)

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        raise NotImplementedError

    # Whether an unknown result of this predicate means "deferred" (the note `deferred`): lets a
    # decision say it is deferred from its truths alone, without rebuilding its facts.
    defers: ClassVar[bool] = False

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        """The truth `evaluate` would give, without building facts (the fast path).

        Evaluation calls this for every leaf and keeps only the truths; the facts are read again
        by `evaluate` when a trace is shown. Predicates on the hot path override it with code that
        builds no `Fact` or string; an override must agree with `evaluate(...).holds`.
        """
        return self.evaluate(view, ctx).holds

    def bind(self, ctx: Context) -> Holds:
        """`holds` for one evaluation context, as a function of (view, ctx).

        What depends only on the predicate and the context (the judged year, the decision date,
        the parameters) is worked out here once; the engine binds each leaf once per evaluation
        and calls the result for every candidate. By default, `holds` itself; predicates on the
        hot path return a closure, and their `holds` binds and calls it (one definition).
        """
        return self.holds

    def describe(self, lang: str = "vi") -> str:
        raise NotImplementedError

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        """What would have to change for this condition to hold (given it did not)."""
        if result.holds is None:
            absent = [f for f in result.facts if f.value is None]
            if absent:
                what = ", ".join(f"{f.name} ({f.year})" if f.year else f.name for f in absent)
                return tr(lang, f"thiếu dữ liệu: {what}", f"missing facts: {what}")
            return result.note or tr(lang, "chưa xác định", "undetermined")
        return tr(lang, f"cần: {self.describe(lang)}", f"needs: {self.describe(lang)}")

    def reads_titles(self) -> set[tuple[Award, bool]]:
        """Titles of the judged year this predicate reads: (award, read from members?)."""
        return set()


@dataclass(slots=True)
class RatingIs(Predicate):
    tag: ClassVar[str] = "rating"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.PERSON, SubjectKind.UNIT})
    at_least: Rating = Rating.HTNV
    offset: int = 0

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        holds, fact = rating_fact(view, ctx.year + self.offset, self.at_least)
        return LeafResult(holds, (fact,))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        year = ctx.year + self.offset
        level = RATING_ORDER[self.at_least]

        def holds(view: SubjectView, ctx: Context) -> Truth:
            rec = view.years.get(year)
            rating = getattr(rec, "rating", None) if rec is not None else None
            return None if rating is None else RATING_ORDER[rating] >= level

        return holds

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"xếp loại {year_phrase(self.offset, lang)} từ «{label(self.at_least)}» trở lên",
            f"rated at least “{label(self.at_least, 'en')}” in {year_phrase(self.offset, lang)}",
        )


def rating_fact(view: SubjectView, year: int, level: Rating) -> tuple[Truth, Fact]:
    rec = view.years.get(year)
    rating = getattr(rec, "rating", None) if rec is not None else None
    fact = Fact(
        "rating", year, rating.value if rating else None, f"{view.path}.history[{year}].rating"
    )
    return (None if rating is None else rating_at_least(rating, level)), fact


def commendation_years(view: SubjectView, award: Award) -> list[int]:
    """Years in which the candidate received `award`, from commendations and recorded titles."""
    found = {c.year for c in view.record.commendations if c.award == award}
    found |= {y for y, rec in view.years.items() if award in rec.titles}
    return sorted(found)


@dataclass(slots=True)
class _Since:
    """Shared handling of `since_commendation`: the window must start after that commendation."""

    @staticmethod
    def check(
        view: SubjectView, award: Award | None, first_year: int
    ) -> tuple[Truth, tuple[Fact, ...]]:
        if award is None:
            return True, ()
        years = commendation_years(view, award)
        earlier = [y for y in years if y < first_year]
        fact = Fact(
            f"commendation:{award.value}",
            earlier[-1] if earlier else None,
            bool(earlier),
            f"{view.path}.commendations",
        )
        return bool(earlier), (fact,)


@dataclass(slots=True)
class RatingStreak(Predicate):
    tag: ClassVar[str] = "rating_streak"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.PERSON, SubjectKind.UNIT})
    at_least: Rating = Rating.HTNV
    years: int = 1
    ending: int = 0
    since_commendation: Award | None = None

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        span = window(ctx.year + self.ending, self.years)
        pairs = [rating_fact(view, y, self.at_least) for y in span]
        since, since_facts = _Since.check(view, self.since_commendation, span.start)
        holds = all3([since, *(h for h, _ in pairs)])
        return LeafResult(holds, (*since_facts, *(f for _, f in pairs)))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        span = window(ctx.year + self.ending, self.years)
        first = span.start
        since = self.since_commendation
        level = RATING_ORDER[self.at_least]

        def holds(view: SubjectView, ctx: Context) -> Truth:
            if since is not None and not since_truth(view, since, first):
                return False
            years = view.years
            unknown = False
            for y in span:
                rec = years.get(y)
                rating = getattr(rec, "rating", None) if rec is not None else None
                if rating is None:
                    unknown = True
                elif RATING_ORDER[rating] < level:
                    return False
            return None if unknown else True

        return holds

    def describe(self, lang: str = "vi") -> str:
        base = tr(
            lang,
            f"{self.years} năm liên tục xếp loại từ «{label(self.at_least)}» trở lên, "
            f"đến {year_phrase(self.ending, lang)}",
            f"{self.years} consecutive years rated at least “{label(self.at_least, 'en')}” "
            f"up to {year_phrase(self.ending, lang)}",
        )
        if self.since_commendation:
            base += tr(
                lang,
                f", sau khi được tặng {award_label(self.since_commendation)}",
                f", after receiving {award_label(self.since_commendation, 'en')}",
            )
        return base

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        short = short_years(
            result.facts,
            "rating",
            lambda v: isinstance(v, str) and rating_at_least(Rating(v), self.at_least),
        )
        if result.holds is False and short:
            return tr(
                lang,
                f"cần thêm {len(short)} năm liên tục xếp loại từ «{label(self.at_least)}» "
                f"trở lên (chưa đạt: {years_text(short)})",
                f"needs {len(short)} more consecutive year(s) rated at least "
                f"“{label(self.at_least, 'en')}” (not met: {years_text(short)})",
            )
        return Predicate.missing(self, result, lang)


def short_years(facts: tuple[Fact, ...], name: str, ok: Callable[[FactValue], bool]) -> list[int]:
    """Years of the facts named `name` that do not (or are not known to) meet `ok`."""
    return sorted(
        {f.year for f in facts if f.name == name and f.year is not None and not ok(f.value)}
    )


def years_text(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in years)


@dataclass(slots=True)
class TitleHeld(Predicate):
    tag: ClassVar[str] = "title"
    award: Award = Award.LAO_DONG_TIEN_TIEN
    offset: int = 0

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        holds, fact = ctx.title(view, self.award, ctx.year + self.offset)
        return LeafResult(holds, (fact,))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        award = self.award
        year = ctx.year + self.offset
        fast = getattr(ctx, "title_truth", None)
        if fast is None:
            return lambda view, ctx: ctx.title(view, award, year)[0]
        return lambda view, ctx: fast(view, award, year)

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"đạt danh hiệu «{award_label(self.award)}» {year_phrase(self.offset, lang)}",
            f"holds “{award_label(self.award, 'en')}” in {year_phrase(self.offset, lang)}",
        )

    def reads_titles(self) -> set[tuple[Award, bool]]:
        return {(self.award, False)} if self.offset == 0 else set()


@dataclass(slots=True)
class TitleStreak(Predicate):
    tag: ClassVar[str] = "title_streak"
    award: Award = Award.LAO_DONG_TIEN_TIEN
    years: int = 1
    ending: int = 0

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        pairs = [ctx.title(view, self.award, y) for y in window(ctx.year + self.ending, self.years)]
        return LeafResult(all3(h for h, _ in pairs), tuple(f for _, f in pairs))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        award = self.award
        span = window(ctx.year + self.ending, self.years)
        fast = getattr(ctx, "title_truth", None)

        def holds(view: SubjectView, ctx: Context) -> Truth:
            unknown = False
            for y in span:
                value = fast(view, award, y) if fast is not None else ctx.title(view, award, y)[0]
                if value is False:
                    return False
                if value is None:
                    unknown = True
            return None if unknown else True

        return holds

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"{self.years} lần liên tục đạt «{award_label(self.award)}», "
            f"đến {year_phrase(self.ending, lang)}",
            f"“{award_label(self.award, 'en')}” {self.years} consecutive times, "
            f"up to {year_phrase(self.ending, lang)}",
        )

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        short = short_years(result.facts, "title", lambda v: v is True)
        if result.holds is not True and short:
            return tr(
                lang,
                f"cần thêm {len(short)} năm liên tục đạt «{award_label(self.award)}» "
                f"(chưa đạt: {years_text(short)})",
                f"needs {len(short)} more consecutive year(s) of "
                f"“{award_label(self.award, 'en')}” (not held: {years_text(short)})",
            )
        return Predicate.missing(self, result, lang)

    def reads_titles(self) -> set[tuple[Award, bool]]:
        return {(self.award, False)} if self.ending == 0 else set()


@dataclass(slots=True)
class TitleCount(Predicate):
    tag: ClassVar[str] = "title_count"
    award: Award = Award.LAO_DONG_TIEN_TIEN
    at_least: int = 1
    within_years: int = 1
    ending: int = 0
    since_commendation: Award | None = None

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        span = window(ctx.year + self.ending, self.within_years)
        pairs = [ctx.title(view, self.award, y) for y in span]
        since, since_facts = _Since.check(view, self.since_commendation, span.start)
        sure, unknown = count3(h for h, _ in pairs)
        holds = all3([since, at_least3(sure, unknown, self.at_least)])
        return LeafResult(holds, (*since_facts, *(f for _, f in pairs)))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        span = window(ctx.year + self.ending, self.within_years)
        if not since_truth(view, self.since_commendation, span.start):
            return False
        sure, unknown = count3(title_truth(ctx, view, self.award, y) for y in span)
        return at_least3(sure, unknown, self.at_least)

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"ít nhất {self.at_least} lần đạt «{award_label(self.award)}» "
            f"{window_phrase(self.within_years, self.ending, lang)}",
            f"“{award_label(self.award, 'en')}” at least {self.at_least} times "
            f"{window_phrase(self.within_years, self.ending, lang)}",
        )

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        held = sum(1 for f in result.facts if f.name == "title" and f.value is True)
        need = self.at_least - held
        if result.holds is not True and need > 0:
            return tr(
                lang,
                f"cần thêm {need} lần đạt «{award_label(self.award)}» "
                f"{window_phrase(self.within_years, self.ending, lang)}",
                f"needs “{award_label(self.award, 'en')}” {need} more time(s) "
                f"{window_phrase(self.within_years, self.ending, lang)}",
            )
        return Predicate.missing(self, result, lang)

    def reads_titles(self) -> set[tuple[Award, bool]]:
        return {(self.award, False)} if self.ending == 0 else set()


@dataclass(slots=True)
class Initiatives(Predicate):
    tag: ClassVar[str] = "initiatives"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.PERSON})
    at_least: int = 1
    scope: Scope = Scope.CO_SO
    kinds: tuple[InitiativeKind, ...] = (InitiativeKind.INITIATIVE, InitiativeKind.RESEARCH)
    within_years: int = 1
    ending: int = 0
    research_accepted: bool = True
    applied: bool = False
    since_commendation: Award | None = None

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        span = window(ctx.year + self.ending, self.within_years)
        since, since_facts = _Since.check(view, self.since_commendation, span.start)
        record = view.record
        assert isinstance(record, Person)
        facts: list[Fact] = list(since_facts)
        values: list[Truth] = []
        below_scope = False
        for ini in record.initiatives:
            if ini.year not in span or ini.kind not in self.kinds:
                continue
            shown = f"{ini.id}: {ini.kind.value}, {ini.scope.value}"
            if not scope_at_least(ini.scope, self.scope):
                below_scope = True
                facts.append(
                    Fact("initiative", ini.year, shown + " (below scope)", _ini_path(view, ini.id))
                )
                continue
            checks: list[Truth] = []
            if ini.kind is InitiativeKind.RESEARCH and self.research_accepted:
                checks.append(ini.accepted)
            if self.applied:
                checks.append(ini.applied)
            value = all3(checks)
            values.append(value)
            if value is False:
                shown += " (not accepted/applied)"
            facts.append(
                Fact(
                    "initiative",
                    ini.year,
                    shown if value is not None else None,
                    _ini_path(view, ini.id),
                )
            )
        if not values and not below_scope:
            facts.append(Fact("initiatives", span.stop - 1, 0, f"{view.path}.initiatives"))
        sure, unknown = count3(values)
        holds = all3([since, at_least3(sure, unknown, self.at_least)])
        note = "below_scope" if holds is False and below_scope else None
        return LeafResult(holds, tuple(facts), note)

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        last = ctx.year + self.ending
        first = last - self.within_years + 1
        since = self.since_commendation
        need = self.at_least
        kinds = self.kinds
        accepted = self.research_accepted
        applied = self.applied
        scope = SCOPE_ORDER[self.scope]
        empty: Truth = need <= 0

        def holds(view: SubjectView, ctx: Context) -> Truth:
            items = view.record.initiatives  # type: ignore[union-attr]
            if not items and since is None:
                return empty
            if since is not None and not since_truth(view, since, first):
                return False
            sure = unknown = 0
            for ini in items:
                if not first <= ini.year <= last or ini.kind not in kinds:
                    continue
                if SCOPE_ORDER[ini.scope] < scope:
                    continue
                value: Truth = ini.accepted if (accepted and ini.kind is _RESEARCH) else True
                if applied and value is not False:
                    done = ini.applied
                    if done is not True:
                        value = done
                if value is True:
                    sure += 1
                elif value is None:
                    unknown += 1
            return at_least3(sure, unknown, need)

        return holds

    def describe(self, lang: str = "vi") -> str:
        if tuple(self.kinds) == (InitiativeKind.INITIATIVE,):
            kinds = ("sáng kiến", "initiative(s)")
        elif tuple(self.kinds) == (InitiativeKind.RESEARCH,):
            kinds = ("đề tài khoa học", "research result(s)")
        else:
            kinds = ("sáng kiến hoặc đề tài", "initiative(s) or research")
        extra_vi = (
            " đã nghiệm thu"
            if InitiativeKind.RESEARCH in self.kinds and self.research_accepted
            else ""
        )
        extra_vi += ", được áp dụng" if self.applied else ""
        extra_en = " (research accepted)" if extra_vi.startswith(" đã") else ""
        extra_en += ", applied" if self.applied else ""
        return tr(
            lang,
            f"ít nhất {self.at_least} {kinds[0]}{extra_vi} phạm vi từ «{label(self.scope)}» trở lên "
            f"{window_phrase(self.within_years, self.ending, lang)}",
            f"at least {self.at_least} {kinds[1]}{extra_en} recognised at "
            f"“{label(self.scope, 'en')}” scope or above "
            f"{window_phrase(self.within_years, self.ending, lang)}",
        )

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        if result.note == "below_scope":
            return tr(
                lang,
                f"sáng kiến/đề tài phải được công nhận ở phạm vi {label(self.scope)} trở lên",
                f"the initiative must be recognised at {label(self.scope, 'en')} scope or above",
            )
        return Predicate.missing(self, result, lang)


def _ini_path(view: SubjectView, ini_id: str) -> str:
    return f"{view.path}.initiatives[{ini_id}]"


@dataclass(slots=True)
class CommendationHeld(Predicate):
    tag: ClassVar[str] = "commendation"
    award: Award = Award.BANG_KHEN_TINH
    within_years: int | None = None
    ending: int = 0

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        end = ctx.year + self.ending
        start = end - self.within_years + 1 if self.within_years else -10_000
        years = [y for y in commendation_years(view, self.award) if start <= y <= end]
        fact = Fact(
            f"commendation:{self.award.value}",
            years[-1] if years else None,
            bool(years),
            f"{view.path}.commendations",
        )
        return LeafResult(bool(years), (fact,))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        end = ctx.year + self.ending
        start = end - self.within_years + 1 if self.within_years else -10_000
        award = self.award
        for c in view.record.commendations:
            if c.award == award and start <= c.year <= end:
                return True
        return any(start <= y <= end and award in rec.titles for y, rec in view.years.items())

    def describe(self, lang: str = "vi") -> str:
        where = (
            window_phrase(self.within_years, self.ending, lang)
            if self.within_years
            else tr(lang, "trước đây", "before")
        )
        return tr(
            lang,
            f"đã được tặng «{award_label(self.award)}» {where}",
            f"received “{award_label(self.award, 'en')}” {where}",
        )


@dataclass(slots=True)
class Tenure(Predicate):
    tag: ClassVar[str] = "tenure"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.PERSON})
    months_at_least: int = 0

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        record = view.record
        assert isinstance(record, Person)
        start = record.recruited_on
        fact = Fact(
            "recruited_on", None, start.isoformat() if start else None, f"{view.path}.recruited_on"
        )
        if start is None:
            return LeafResult(None, (fact,))
        return LeafResult(add_months(start, self.months_at_least) <= ctx.date, (fact,))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        months = self.months_at_least
        day = ctx.date
        here = (day.year, day.month)

        def holds(view: SubjectView, ctx: Context) -> Truth:
            start = view.record.recruited_on  # type: ignore[union-attr]
            if start is None:
                return None
            # add_months(start, m) <= date, comparing (year, month) first: the clamp to the
            # month's last day matters only when the months are equal.
            year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
            reached = (year, month + 1)
            if reached != here:
                return reached < here
            return start.day <= day.day or add_months(start, months) <= day

        return holds

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"đã tuyển dụng từ {self.months_at_least} tháng trở lên tính đến ngày xét",
            f"employed at least {self.months_at_least} months by the decision date",
        )

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        start = result.facts[0].value if result.facts else None
        if result.holds is False and isinstance(start, str):
            since = dt.date.fromisoformat(start)
            enough = add_months(since, self.months_at_least)
            return tr(
                lang,
                f"chưa đủ {self.months_at_least} tháng kể từ ngày tuyển dụng {since:%d/%m/%Y} "
                f"(đủ từ ngày {enough:%d/%m/%Y})",
                f"not yet {self.months_at_least} months since recruitment on "
                f"{since.isoformat()} (reached on {enough.isoformat()})",
            )
        return Predicate.missing(self, result, lang)


@dataclass(slots=True)
class Disciplined(Predicate):
    tag: ClassVar[str] = "disciplined"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.PERSON})
    at_least: Any = None
    within_years: int = 1
    ending: int = 0

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        record = view.record
        assert isinstance(record, Person)
        span = window(ctx.year + self.ending, self.within_years)
        hits = [
            d
            for d in record.disciplines
            if d.decided_on.year in span and discipline_at_least(d.form, self.at_least)
        ]
        facts = tuple(
            Fact(
                "discipline",
                d.decided_on.year,
                f"{d.form.value} {d.decided_on.isoformat()}",
                f"{view.path}.disciplines",
            )
            for d in hits
        ) or (Fact("disciplines", span.stop - 1, 0, f"{view.path}.disciplines"),)
        return LeafResult(bool(hits), facts)

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        last = ctx.year + self.ending
        first = last - self.within_years + 1
        return any(
            first <= d.decided_on.year <= last and discipline_at_least(d.form, self.at_least)
            for d in view.record.disciplines  # type: ignore[union-attr]
        )

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"bị kỷ luật từ hình thức {label(self.at_least)} trở lên "
            f"{window_phrase(self.within_years, self.ending, lang)}",
            f"disciplined at “{label(self.at_least, 'en')}” or above "
            f"{window_phrase(self.within_years, self.ending, lang)}",
        )


@dataclass(slots=True)
class DisciplineClock(Predicate):
    tag: ClassVar[str] = "discipline_clock"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.PERSON})
    years: int = 1
    ending: int = 0

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        record = view.record
        assert isinstance(record, Person)
        span = window(ctx.year + self.ending, self.years)
        values: list[Truth] = []
        facts: list[Fact] = []
        for d in record.disciplines:
            if d.decided_on.year >= span.stop:
                continue
            path = f"{view.path}.disciplines"
            if d.ends_on is None:
                values.append(None)
                facts.append(
                    Fact(f"discipline {d.form.value} ends_on", d.decided_on.year, None, path)
                )
                continue
            # A year counts only if the discipline had ended by its first day.
            clock_start = (
                d.ends_on.year if (d.ends_on.month, d.ends_on.day) == (1, 1) else d.ends_on.year + 1
            )
            values.append(span.start >= clock_start)
            facts.append(
                Fact(
                    f"discipline {d.form.value} ends_on",
                    d.ends_on.year,
                    d.ends_on.isoformat(),
                    path,
                )
            )
        return LeafResult(all3(values), tuple(facts))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        last = ctx.year + self.ending
        first = last - self.years + 1

        def holds(view: SubjectView, ctx: Context) -> Truth:
            unknown = False
            for d in view.record.disciplines:  # type: ignore[union-attr]
                if d.decided_on.year > last:
                    continue
                ends = d.ends_on
                if ends is None:
                    unknown = True
                    continue
                clock_start = ends.year if (ends.month, ends.day) == (1, 1) else ends.year + 1
                if first < clock_start:
                    return False
            return None if unknown else True

        return holds

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"thành tích {self.years} năm xét được tính sau khi chấp hành xong kỷ luật",
            f"the {self.years} year(s) counted all fall after any discipline ended",
        )


@dataclass(slots=True)
class NoPendingCase(Predicate):
    tag: ClassVar[str] = "no_pending_case"
    defers: ClassVar[bool] = True

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        record = view.record
        open_cases = [
            c
            for c in getattr(record, "pending_cases", ())
            if in_effect(c.opened_on, c.closed_on, ctx.date)
        ]
        if open_cases:
            facts = tuple(
                Fact(
                    "pending_case",
                    c.opened_on.year,
                    f"{c.kind.value} {c.opened_on.isoformat()}",
                    f"{view.path}.pending_cases",
                )
                for c in open_cases
            )
            return LeafResult(None, facts, note="deferred")
        return LeafResult(True, (Fact("pending_cases", None, 0, f"{view.path}.pending_cases"),))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        day = ctx.date

        def holds(view: SubjectView, ctx: Context) -> Truth:
            for c in getattr(view.record, "pending_cases", ()):
                if c.opened_on <= day and (c.closed_on is None or day < c.closed_on):
                    return None
            return True

        return holds

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            "không đang bị xem xét kỷ luật, điều tra, thanh tra, kiểm tra hoặc xác minh đơn thư",
            "no disciplinary review, investigation, inspection or complaint open",
        )

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        return tr(
            lang,
            "hoãn xét: chờ kết luận vụ việc đang xem xét",
            "deferred: wait for the open case to be concluded",
        )


@dataclass(slots=True)
class Attested(Predicate):
    tag: ClassVar[str] = "attested"
    criterion: Attestation = Attestation.ETHICS

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        value = getattr(view.record.attestations, self.criterion.value)
        fact = Fact(
            f"attestation:{self.criterion.value}",
            None,
            value,
            f"{view.path}.attestations.{self.criterion.value}",
        )
        return LeafResult(value, (fact,))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        name = _ATTESTATION_NAME[self.criterion]
        return lambda view, ctx: getattr(view.record.attestations, name)

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"được xác nhận: {label(self.criterion)}",
            f"attested: {label(self.criterion, 'en')}",
        )

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        if result.holds is None:
            return tr(
                lang,
                f"thiếu xác nhận: {label(self.criterion)}",
                f"attestation missing: {label(self.criterion, 'en')}",
            )
        return tr(
            lang, f"không đạt: {label(self.criterion)}", f"not met: {label(self.criterion, 'en')}"
        )


@dataclass(slots=True)
class FieldIn(Predicate):
    """employment / position / unit_kind: the candidate's field is one of the listed values."""

    tag: ClassVar[str] = "field_in"
    field_name: str = "employment"
    allowed: tuple[str, ...] = ()

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        raw = getattr(
            view.record, "kind" if self.field_name == "unit_kind" else self.field_name, None
        )
        value = raw.value if raw is not None else None
        fact = Fact(
            self.field_name,
            None,
            value,
            f"{view.path}.{'kind' if self.field_name == 'unit_kind' else self.field_name}",
        )
        return LeafResult(None if value is None else value in self.allowed, (fact,))

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        name = "kind" if self.field_name == "unit_kind" else self.field_name
        raw = getattr(view.record, name, None)
        return None if raw is None else raw in self.allowed

    def describe(self, lang: str = "vi") -> str:
        names = {
            "employment": ("đối tượng", "employment"),
            "position": ("chức vụ", "position"),
            "unit_kind": ("loại đơn vị", "unit kind"),
        }
        vi, en = names.get(self.field_name, (self.field_name, self.field_name))
        return tr(
            lang,
            f"{vi} thuộc: {', '.join(self.allowed)}",
            f"{en} is one of: {', '.join(self.allowed)}",
        )


def _unit_year(view: SubjectView, year: int) -> UnitYear | None:
    rec = view.years.get(year)
    return rec if isinstance(rec, UnitYear) else None


_AGGREGATES: dict[Award, str] = {
    Award.LAO_DONG_TIEN_TIEN: "members_lao_dong_tien_tien",
    Award.CHIEN_SI_THI_DUA_CO_SO: "members_chien_si_thi_dua_co_so",
}


def members_basis(view: SubjectView, ctx: Context) -> tuple[list[SubjectView], int | None, bool]:
    """(listed members, headcount, all listed?) for a unit."""
    unit = view.record
    assert isinstance(unit, Unit)
    listed = ctx.index.members.get(unit.id, [])
    headcount = unit.headcount if unit.headcount is not None else (len(listed) or None)
    all_listed = bool(listed) and headcount == len(listed)
    return listed, headcount, all_listed


def member_truths(
    view: SubjectView, ctx: Context, title: Award | None, rated: Rating | None
) -> tuple[int, int, int | None, tuple[Fact, ...]]:
    """(definite count, unknown count, base, facts) of members meeting the title/rating test."""
    listed, headcount, all_listed = members_basis(view, ctx)
    what = title.value if title else f"rating>={rated.value if rated else ''}"
    if all_listed:
        values: list[Truth] = []
        for m in listed:
            if title is not None:
                values.append(ctx.title(m, title, ctx.year)[0])
            else:
                assert rated is not None
                values.append(rating_fact(m, ctx.year, rated)[0])
        sure, unknown = count3(values)
        facts = (
            Fact("members", ctx.year, len(listed), f"{view.path} (listed members)"),
            Fact(
                f"members:{what}",
                ctx.year,
                sure if not unknown else f"{sure}+{unknown}?",
                f"{view.path} (derived from listed members)",
            ),
        )
        return sure, unknown, len(listed), facts
    uy = _unit_year(view, ctx.year)
    attr = (
        _AGGREGATES.get(title)
        if title
        else ("members_rated_htnv_or_better" if rated is Rating.HTNV else None)
    )
    count = getattr(uy, attr, None) if (uy is not None and attr) else None
    facts = (
        Fact("headcount", None, headcount, f"{view.path}.headcount"),
        Fact(
            attr or f"members:{what}",
            ctx.year,
            count,
            f"{view.path}.history[{ctx.year}].{attr or what}",
        ),
    )
    if count is None or headcount is None:
        return 0, headcount or 0, headcount, facts
    return count, 0, headcount, facts


def member_counts(
    view: SubjectView, ctx: Context, title: Award | None, rated: Rating | None
) -> tuple[int, int, int | None]:
    """`member_truths` without its facts: (definite count, unknown count, base)."""
    listed, headcount, all_listed = members_basis(view, ctx)
    if all_listed:
        year = ctx.year
        if title is not None:
            sure, unknown = count3(title_truth(ctx, m, title, year) for m in listed)
        else:
            assert rated is not None
            level = RATING_ORDER[rated]
            sure, unknown = count3(rating_truth(m, year, level) for m in listed)
        return sure, unknown, len(listed)
    uy = _unit_year(view, ctx.year)
    attr = (
        _AGGREGATES.get(title)
        if title
        else ("members_rated_htnv_or_better" if rated is Rating.HTNV else None)
    )
    count = getattr(uy, attr, None) if (uy is not None and attr) else None
    if count is None or headcount is None:
        return 0, headcount or 0, headcount
    return count, 0, headcount


@dataclass(slots=True)
class MemberShare(Predicate):
    tag: ClassVar[str] = "member_share"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.UNIT})
    title: Award | None = None
    rated_at_least: Rating | None = None
    ratio: Decimal = Decimal(0)
    strict: bool = False

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        sure, unknown, base, facts = member_truths(view, ctx, self.title, self.rated_at_least)
        if base is None or (unknown and base is None):
            return LeafResult(None, facts)
        if base == 0:
            return LeafResult(False, facts)
        need = self.ratio * base

        def ok(count: int) -> bool:
            return Decimal(count) > need if self.strict else Decimal(count) >= need

        if ok(sure):
            return LeafResult(True, facts)
        if not ok(sure + unknown):
            return LeafResult(False, facts)
        return LeafResult(None, facts)

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        sure, unknown, base = member_counts(view, ctx, self.title, self.rated_at_least)
        if base is None:
            return None
        if base == 0:
            return False
        need = self.ratio * base

        def ok(count: int) -> bool:
            return Decimal(count) > need if self.strict else Decimal(count) >= need

        if ok(sure):
            return True
        if not ok(sure + unknown):
            return False
        return None

    def describe(self, lang: str = "vi") -> str:
        pct = f"{(self.ratio * 100).normalize():f}%"
        what_vi = (
            f"đạt «{award_label(self.title)}»"
            if self.title
            else f"xếp loại từ «{label(self.rated_at_least) if self.rated_at_least else ''}» trở lên"
        )
        what_en = (
            f"hold “{award_label(self.title, 'en')}”"
            if self.title
            else f"rated at least “{label(self.rated_at_least, 'en') if self.rated_at_least else ''}”"
        )
        return tr(
            lang,
            f"{'trên' if self.strict else 'ít nhất'} {pct} cá nhân trong tập thể {what_vi}",
            f"{'more than' if self.strict else 'at least'} {pct} of members {what_en}",
        )

    def reads_titles(self) -> set[tuple[Award, bool]]:
        return {(self.title, True)} if self.title else set()


@dataclass(slots=True)
class MemberCount(Predicate):
    tag: ClassVar[str] = "member_count"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.UNIT})
    title: Award = Award.CHIEN_SI_THI_DUA_CO_SO
    at_least: int = 1

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        sure, unknown, _, facts = member_truths(view, ctx, self.title, None)
        return LeafResult(at_least3(sure, unknown, self.at_least), facts)

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        sure, unknown, _ = member_counts(view, ctx, self.title, None)
        return at_least3(sure, unknown, self.at_least)

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"có ít nhất {self.at_least} cá nhân đạt «{award_label(self.title)}»",
            f"at least {self.at_least} member(s) hold “{award_label(self.title, 'en')}”",
        )

    def reads_titles(self) -> set[tuple[Award, bool]]:
        return {(self.title, True)}


@dataclass(slots=True)
class MembersDisciplined(Predicate):
    tag: ClassVar[str] = "members_disciplined"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.UNIT})
    at_least: Any = None

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        listed, _, all_listed = members_basis(view, ctx)
        facts: list[Fact] = []
        hit = False
        for m in listed:
            person = m.record
            assert isinstance(person, Person)
            for d in person.disciplines:
                if d.decided_on.year == ctx.year and discipline_at_least(d.form, self.at_least):
                    hit = True
                    facts.append(
                        Fact(
                            "member discipline",
                            ctx.year,
                            f"{m.id}: {d.form.value}",
                            f"{m.path}.disciplines",
                        )
                    )
        if not all_listed:
            uy = _unit_year(view, ctx.year)
            forms = uy.members_disciplined if uy else ()
            for form in forms:
                if discipline_at_least(form, self.at_least):
                    hit = True
            facts.append(
                Fact(
                    "members_disciplined",
                    ctx.year,
                    ", ".join(f.value for f in forms) or "—",
                    f"{view.path}.history[{ctx.year}].members_disciplined",
                )
            )
        if not facts:
            facts.append(Fact("member disciplines", ctx.year, 0, f"{view.path} (listed members)"))
        return LeafResult(hit, tuple(facts))

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"có cá nhân bị kỷ luật từ hình thức {label(self.at_least)} trở lên trong năm xét",
            f"a member was disciplined at “{label(self.at_least, 'en')}” or above in the judged year",
        )


@dataclass(slots=True)
class Sanctions(Predicate):
    tag: ClassVar[str] = "sanctions"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.HOUSEHOLD})
    kinds: tuple[str, ...] = ()
    within_years: int = 1

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        record = view.record
        assert isinstance(record, Household)
        span = window(ctx.year, self.within_years)
        hits = [s for s in record.sanctions if s.year in span and s.kind.value in self.kinds]
        facts = tuple(
            Fact("sanction", s.year, s.kind.value, f"{view.path}.sanctions") for s in hits
        ) or (Fact("sanctions", ctx.year, 0, f"{view.path}.sanctions"),)
        return LeafResult(bool(hits), facts)

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"có thành viên bị truy cứu hoặc xử phạt ({', '.join(self.kinds)}) trong năm xét",
            f"a member was prosecuted or sanctioned ({', '.join(self.kinds)}) in the judged year",
        )


@dataclass(slots=True)
class EffectiveRating(Predicate):
    """The rating the law recognises: a discipline decided in the year makes it KHTNV.

    Nghị định 90/2020 as amended by Nghị định 48/2023: whoever is disciplined in the year of
    assessment is rated "không hoàn thành nhiệm vụ". A batch recording a better rating for such a
    person is inconsistent; the result says so (note `inconsistent_rating`) instead of trusting it.
    """

    tag: ClassVar[str] = "effective_rating"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.PERSON})
    at_least: Rating = Rating.HTNV
    offset: int = 0

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        year = ctx.year + self.offset
        holds, fact = rating_fact(view, year, self.at_least)
        record = view.record
        assert isinstance(record, Person)
        hits = sorted(
            (d for d in record.disciplines if d.decided_on.year == year),
            key=lambda d: (d.decided_on, d.form.value),
        )
        if not hits:
            return LeafResult(holds, (fact,))
        path = f"{view.path}.disciplines"
        facts = [fact]
        facts += [
            Fact("discipline", year, f"{d.form.value} {d.decided_on.isoformat()}", path)
            for d in hits
        ]
        recorded = fact.value
        inconsistent = recorded is not None and recorded != Rating.KHTNV.value
        if inconsistent:
            facts.append(
                Fact(
                    "rating inconsistent with discipline",
                    year,
                    f"{recorded} → {Rating.KHTNV.value}",
                    f"{view.path}.history[{year}].rating",
                )
            )
        return LeafResult(
            rating_at_least(Rating.KHTNV, self.at_least),
            tuple(facts),
            note="inconsistent_rating" if inconsistent else "disciplined",
        )

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self.bind(ctx)(view, ctx)

    def bind(self, ctx: Context) -> Holds:
        year = ctx.year + self.offset
        level = RATING_ORDER[self.at_least]
        disciplined = rating_at_least(Rating.KHTNV, self.at_least)

        def holds(view: SubjectView, ctx: Context) -> Truth:
            disciplines = view.record.disciplines  # type: ignore[union-attr]
            if disciplines:
                for d in disciplines:
                    if d.decided_on.year == year:
                        return disciplined
            rec = view.years.get(year)
            rating = getattr(rec, "rating", None) if rec is not None else None
            return None if rating is None else RATING_ORDER[rating] >= level

        return holds

    def describe(self, lang: str = "vi") -> str:
        return tr(
            lang,
            f"xếp loại {year_phrase(self.offset, lang)} từ «{label(self.at_least)}» trở lên "
            "(bị kỷ luật trong năm thì xếp loại «Không hoàn thành nhiệm vụ»)",
            f"rated at least “{label(self.at_least, 'en')}” in {year_phrase(self.offset, lang)} "
            "(a discipline in the year means “did not complete tasks”)",
        )

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        if result.note in ("inconsistent_rating", "disciplined") and result.holds is False:
            shown = ", ".join(str(f.value) for f in result.facts if f.name == "discipline")
            if result.note == "inconsistent_rating":
                recorded = next(str(f.value) for f in result.facts if f.name == "rating")
                return tr(
                    lang,
                    f"hồ sơ ghi xếp loại «{label(Rating(recorded))}» nhưng bị kỷ luật trong năm "
                    f"({shown}): theo Nghị định 48/2023 xếp loại là «{label(Rating.KHTNV)}»",
                    f"the batch records “{label(Rating(recorded), 'en')}” but a discipline was "
                    f"decided in the year ({shown}): under Nghị định 48/2023 the rating is "
                    f"“{label(Rating.KHTNV, 'en')}”",
                )
            return tr(
                lang,
                f"bị kỷ luật trong năm ({shown}): xếp loại «{label(Rating.KHTNV)}»",
                f"disciplined in the year ({shown}): rated “{label(Rating.KHTNV, 'en')}”",
            )
        return Predicate.missing(self, result, lang)


@dataclass(slots=True)
class Unsettled(Predicate):
    """A criterion the legal digest leaves open (❓): never true or false, always undetermined.

    Rules use it where the law's text is not known or delegated to a province that has not
    published it, so that a decision says why it cannot be made instead of inventing a criterion.
    """

    tag: ClassVar[str] = "unsettled"
    reason: str = ""
    reason_en: str | None = None

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        return LeafResult(None, (), note="unsettled")

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return None

    def describe(self, lang: str = "vi") -> str:
        return tr(lang, self.reason, self.reason_en or self.reason)

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        return tr(
            lang,
            f"chưa xác định được: {self.reason}",
            f"cannot be decided: {self.reason_en or self.reason}",
        )


# ------------------------------------------------------------------ emulation movements (phong trào)


def movement_of(ctx: Context) -> Movement | None:
    """The movement the evaluation runs under (`Evaluation.movement`), if its context has one."""
    found = getattr(ctx, "movement", None)
    return found if isinstance(found, Movement) else None


_TARGET_NOTES: dict[str, tuple[str, str]] = {
    "no_movement": (
        "đợt xét không nêu phong trào thi đua (batch.movement): chưa có chỉ tiêu để đối chiếu",
        "the batch names no emulation movement (batch.movement): no targets to compare with",
    ),
    "no_applicable_targets": (
        "không có chỉ tiêu nào của phong trào áp dụng cho đơn vị",
        "no target of the movement applies to the unit",
    ),
    "none_exceeded": (
        "đạt mọi chỉ tiêu nhưng không vượt chỉ tiêu nào",
        "met every target but exceeded none",
    ),
}


@dataclass(slots=True)
class TargetsMet(Predicate):
    """The collective met the targets of the batch's emulation movement (chỉ tiêu thi đua).

    `status: all_met_and_one_exceeded` ("hoàn thành vượt mức các chỉ tiêu"): every target that
    applies to the unit is met or exceeded, and at least one is exceeded; `status: all_met`: every
    one is met. A missed target makes it false; otherwise a target not reported makes it unknown
    (naming the targets); so does a batch that names no movement. Targets that do not apply to the
    unit (the target's `applies_to`, or a result reported as `null`) are left out. Scoring:
    `khenthuong.movements.scoring` (docs/movements.md).
    """

    tag: ClassVar[str] = "targets"
    applies_to: ClassVar[frozenset[SubjectKind]] = frozenset({SubjectKind.UNIT})
    status: str = "all_met_and_one_exceeded"

    def _card(self, view: SubjectView, ctx: Context) -> Scorecard | None:
        movement = movement_of(ctx)
        if movement is None:
            return None
        record = view.record
        assert isinstance(record, Unit)
        return score_unit(movement, record, ctx.year)

    def _verdict(self, card: Scorecard | None) -> tuple[Truth, str | None]:
        if card is None:
            return None, "no_movement"
        if card.count(TargetStatus.MISSED):
            return False, "missed"
        if card.count(TargetStatus.NOT_REPORTED):
            return None, "incomplete"
        if not card.count(TargetStatus.MET) + card.count(TargetStatus.EXCEEDED):
            return None, "no_applicable_targets"
        if self.status == "all_met" or card.count(TargetStatus.EXCEEDED):
            return True, None
        return False, "none_exceeded"

    def holds(self, view: SubjectView, ctx: Context) -> Truth:
        return self._verdict(self._card(view, ctx))[0]

    def evaluate(self, view: SubjectView, ctx: Context) -> LeafResult:
        card = self._card(view, ctx)
        truth, note = self._verdict(card)
        year = ctx.year
        if card is None:
            return LeafResult(truth, (Fact("movement", year, None, "batch.movement"),), note=note)
        movement = movement_of(ctx)
        assert movement is not None
        facts = [
            Fact(
                f"target:{r.target.id}",
                year,
                r.value,
                f"{view.path}.history[{year}].targets.{r.target.id}",
            )
            for r in card.results
            if r.status is not TargetStatus.NOT_APPLICABLE
        ]
        for status in (
            TargetStatus.EXCEEDED,
            TargetStatus.MISSED,
            TargetStatus.NOT_REPORTED,
            TargetStatus.NOT_APPLICABLE,
        ):
            ids = card.ids(status)
            if ids:
                facts.append(
                    Fact(f"targets:{status.value}", year, ", ".join(ids), f"movement:{movement.id}")
                )
        return LeafResult(truth, tuple(facts), note=note)

    def describe(self, lang: str = "vi") -> str:
        if self.status == "all_met":
            return tr(
                lang,
                "hoàn thành các chỉ tiêu thi đua của phong trào (đạt mọi chỉ tiêu áp dụng cho đơn vị)",
                "meets the movement's emulation targets (every target that applies to the unit)",
            )
        return tr(
            lang,
            "hoàn thành vượt mức các chỉ tiêu thi đua của phong trào (đạt mọi chỉ tiêu áp dụng cho "
            "đơn vị, vượt ít nhất một chỉ tiêu)",
            "exceeds the movement's emulation targets (meets every target that applies to the "
            "unit and exceeds at least one)",
        )

    def missing(self, result: LeafResult, lang: str = "vi") -> str:
        def ids(status: TargetStatus) -> str:
            name = f"targets:{status.value}"
            return next((str(f.value) for f in result.facts if f.name == name), "")

        if result.note == "missed":
            return tr(
                lang,
                f"không đạt chỉ tiêu: {ids(TargetStatus.MISSED)}",
                f"missed targets: {ids(TargetStatus.MISSED)}",
            )
        if result.note == "incomplete":
            return tr(
                lang,
                f"chưa báo cáo kết quả chỉ tiêu: {ids(TargetStatus.NOT_REPORTED)}",
                f"results not reported for targets: {ids(TargetStatus.NOT_REPORTED)}",
            )
        pair = _TARGET_NOTES.get(result.note or "")
        if pair is not None:
            return tr(lang, *pair)
        return Predicate.missing(self, result, lang)
