"""Differential tests: streaming the facts through a watcher gives the batch dry-run's outcomes.

For generated people, the same facts are written once as a batch (evaluated by `evaluate_batch`)
and once as an event stream (interleaved between people, with superseded values posted first),
then fed to a durable_rules watcher and to a native watcher. Every (person, award) outcome must
agree with the batch, under both legal regimes, and replaying the emitted changes must give the
final outcomes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khenthuong.batch.load import batch_from_data
from khenthuong.engine import predicates as preds
from khenthuong.engine.compile import CompiledRule, Node, Plan, dependency_order
from khenthuong.engine.decision import OUTCOME_OF
from khenthuong.engine.evaluate import Evaluation
from khenthuong.model.vocab import (
    Attestation,
    Award,
    DisciplineForm,
    Employment,
    InitiativeKind,
    Outcome,
    Position,
    Rating,
    Scope,
    SubjectKind,
)
from khenthuong.packs.registry import PackRegistry
from khenthuong.runner import evaluate_batch
from khenthuong.stream import Change, Watcher, durable_available
from khenthuong.stream.translate import translate

REGISTRY = PackRegistry()
ATTESTATIONS = ("ethics", "compliance", "emulation", "study", "solidarity")
RATINGS = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
TITLES = ["lao_dong_tien_tien", "chien_si_thi_dua_co_so", "chien_si_thi_dua_tinh"]
COMMENDATIONS = ["giay_khen", "bang_khen_tinh", "bang_khen_thu_tuong"]
FORMS = ["khien_trach", "canh_cao", "ha_bac_luong", "cach_chuc"]
EMPLOYMENT = [e.value for e in Employment]
POSITIONS = [p.value for p in Position]
BACKENDS = [
    pytest.param(
        "durable",
        marks=pytest.mark.skipif(
            not durable_available(),
            reason="durable-rules is not installed here (pip install 'khenthuong[durable]'); "
            "CI installs it on Python 3.11",
        ),
    ),
    "native",
]
pytestmark = pytest.mark.filterwarnings(
    "ignore:datetime.datetime.utcfromtimestamp:DeprecationWarning"
)


def day_in(year: int) -> st.SearchStrategy[dt.date]:
    return st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31))


@st.composite
def person(draw: st.DrawFn, pid: str, year: int) -> dict[str, Any]:
    """A person as batch data: years around the judged one, with the facts the rules read."""
    extra: dict[str, str] = {}
    history = []
    for y in range(year - 6, year + 1):
        rec: dict[str, Any] = {"year": y}
        rating = draw(st.sampled_from([*RATINGS, "HTXSNV", "HTTNV", None]))
        if rating:
            rec["rating"] = rating
        titles = draw(st.lists(st.sampled_from(TITLES), unique=True, max_size=3))
        # a title recorded for the judged year is ignored where the pack decides it
        if titles and (y < year or draw(st.integers(0, 4)) == 0):
            rec["titles"] = titles
        if len(rec) > 1:
            history.append(rec)
    initiatives = []
    for k in range(draw(st.integers(0, 3))):
        ini: dict[str, Any] = {
            "id": f"{pid}-SK{k}",
            "year": draw(st.integers(year - 6, year)),
            "scope": draw(st.sampled_from(["co_so", "co_so", "tinh", "toan_quoc"])),
            "kind": draw(st.sampled_from(["initiative", "initiative", "research"])),
        }
        for flag in ("accepted", "applied"):
            value = draw(st.sampled_from([True, True, False, None]))
            if value is not None:
                ini[flag] = value
        initiatives.append(ini)
    disciplines = []
    for _ in range(draw(st.integers(0, 2))):
        decided = draw(
            st.one_of(day_in(year), st.dates(dt.date(year - 4, 1, 1), dt.date(year, 12, 31)))
        )
        d: dict[str, Any] = {
            "form": draw(st.sampled_from(FORMS)),
            "decided_on": decided.isoformat(),
        }
        if draw(st.booleans()):
            d["ends_on"] = (decided + dt.timedelta(days=draw(st.integers(0, 900)))).isoformat()
        disciplines.append(d)
    cases = []
    for _ in range(draw(st.integers(0, 2))):
        opened = draw(day_in(year))
        case: dict[str, Any] = {
            "kind": draw(st.sampled_from(["investigation", "complaint"])),
            "opened_on": opened.isoformat(),
        }
        closes = draw(st.one_of(st.none(), st.integers(0, 120)))  # None: still open
        if closes is not None and opened + dt.timedelta(days=closes) <= dt.date(year, 12, 31):
            case["closed_on"] = (opened + dt.timedelta(days=closes)).isoformat()
        cases.append(case)
    commendations = [
        {"award": a, "year": y}
        for a, y in draw(
            st.lists(
                st.tuples(st.sampled_from(COMMENDATIONS), st.integers(year - 8, year)),
                unique=True,
                max_size=2,
            )
        )
    ]
    # either side of the 10-month (regime A) and 6-month (regime B) thresholds, often
    boundaries = [
        dt.date(year, 2, 28),
        dt.date(year, 3, 1),
        dt.date(year, 6, 30),
        dt.date(year, 7, 1),
    ]
    if year % 4 == 0:
        boundaries.append(dt.date(year, 2, 29))
    recruited = draw(
        st.one_of(
            st.none(),
            st.just(dt.date(2010, 1, 1)),
            day_in(year - 1),
            day_in(year),
            st.sampled_from(boundaries),
            st.sampled_from(boundaries),
        )
    )
    attestations: dict[str, bool] = {}
    if draw(st.integers(0, 9)) < 6:
        attestations = dict.fromkeys(ATTESTATIONS, True)
    else:
        for name in ATTESTATIONS:
            value = draw(st.sampled_from([True, True, False, None]))
            if value is not None:
                attestations[name] = value
    for field, values in (("employment", EMPLOYMENT), ("position", POSITIONS)):
        chosen = draw(st.sampled_from([None, *values]))
        if chosen is not None:
            extra[field] = chosen
    return {
        "id": pid,
        "name": f"Người {pid}",
        **extra,
        **({"recruited_on": recruited.isoformat()} if recruited else {}),
        "history": history,
        "initiatives": initiatives,
        "disciplines": disciplines,
        "pending_cases": cases,
        "commendations": commendations,
        "attestations": attestations,
    }


def events_of(p: dict[str, Any], year: int, rnd: random.Random) -> list[dict[str, Any]]:
    """The person's facts as events, superseded values first, in a plausible order."""
    pid = p["id"]
    out: list[dict[str, Any]] = []
    if rnd.random() < 0.3:  # a first registration, replaced later by the real one
        out.append({"type": "person_registered", "person": pid, "attestations": {"ethics": False}})
    out.append(
        {
            "type": "person_registered",
            "person": pid,
            "name": p["name"],
            "recruited_on": p.get("recruited_on"),
            "attestations": p["attestations"],
            **{k: p[k] for k in ("employment", "position") if k in p},
        }
    )
    facts: list[dict[str, Any]] = []
    for rec in p["history"]:
        if "rating" in rec:
            if rnd.random() < 0.2:
                facts.append(
                    {
                        "type": "rating_recorded",
                        "person": pid,
                        "year": rec["year"],
                        "rating": rnd.choice(RATINGS),
                    }
                )
            facts.append(
                {
                    "type": "rating_recorded",
                    "person": pid,
                    "year": rec["year"],
                    "rating": rec["rating"],
                }
            )
        for title in rec.get("titles", ()):
            facts.append(
                {"type": "title_awarded", "person": pid, "year": rec["year"], "award": title}
            )
    for c in p["commendations"]:
        facts.append(
            {"type": "title_awarded", "person": pid, "year": c["year"], "award": c["award"]}
        )
    for ini in p["initiatives"]:
        event = {"type": "initiative_recognised", "person": pid, "initiative": ini["id"]}
        if rnd.random() < 0.2:  # first recognised at a lower scope, then re-posted
            facts.append({**event, "year": ini["year"], "scope": "co_so", "applied": False})
        facts.append({**event, **{k: v for k, v in ini.items() if k != "id"}})
    for d in p["disciplines"]:
        facts.append({"type": "discipline_decided", "person": pid, **d})
    for i, case in enumerate(p["pending_cases"]):
        opened = {"type": "pending_case_opened", "person": pid, "case": f"C{i}"}
        facts.append({**opened, "kind": case["kind"], "opened_on": case["opened_on"]})
        if "closed_on" in case:
            facts.append(
                {
                    "type": "pending_case_closed",
                    "person": pid,
                    "case": f"C{i}",
                    "closed_on": case["closed_on"],
                }
            )
    # Keep each superseding value after what it supersedes; otherwise any order.
    return out + facts


def interleave(streams: list[list[dict[str, Any]]], rnd: random.Random) -> list[dict[str, Any]]:
    pending = [list(s) for s in streams if s]
    merged: list[dict[str, Any]] = []
    while pending:
        pick = rnd.randrange(len(pending))
        merged.append(pending[pick].pop(0))
        if not pending[pick]:
            pending.pop(pick)
    return merged


@st.composite
def scenario(
    draw: st.DrawFn, year: int, people: tuple[int, int] = (1, 4)
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    n = draw(st.integers(*people))
    persons = [draw(person(f"P{i}", year)) for i in range(n)]
    rnd = random.Random(draw(st.integers(0, 2**32)))
    events = interleave([events_of(p, year, rnd) for p in persons], rnd)
    return {"batch": {"id": "diff", "year": year}, "people": persons}, events


def replay(changes: list[Change]) -> dict[tuple[str, Award], Outcome]:
    state: dict[tuple[str, Award], Outcome] = {}
    for c in changes:
        assert c.outcome is not c.previous
        assert state.get((c.candidate, c.award), Outcome.UNDETERMINED) is c.previous
        state[(c.candidate, c.award)] = c.outcome
    return state


def check(backend: str, year: int, data: dict[str, Any], events: list[dict[str, Any]]) -> None:
    with Watcher(year=year, registry=REGISTRY, backend=backend) as w:  # type: ignore[arg-type]
        changes = w.post_many(events)
        watched = w.outcomes()
        data = {
            **data,
            "nominations": [
                {"candidate": p["id"], "award": a.value} for p in data["people"] for a in w.awards
            ],
        }
    result = evaluate_batch(batch_from_data(data), registry=REGISTRY)
    native = {(d.candidate, d.award): d.outcome for d in result.decisions}
    assert result.pack.id == w.pack.id
    assert watched == native
    replayed = replay(changes)
    assert {k: v for k, v in watched.items() if v is not Outcome.UNDETERMINED} == {
        k: v for k, v in replayed.items() if v is not Outcome.UNDETERMINED
    }


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("year", [2021, 2024, 2025])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_streamed_outcomes_equal_the_batch_dry_run(backend: str, year: int, data: Any) -> None:
    batch, events = data.draw(scenario(year))
    check(backend, year, batch, events)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_unit_year_of_events_matches_the_batch_dry_run(backend: str, data: Any) -> None:
    """The issue's "done when": a unit's year of HR events, streamed, equals the dry-run."""
    batch, events = data.draw(scenario(2021, people=(25, 30)))
    assert len(events) > 100
    check(backend, 2021, batch, events)


# --- random rules: every translated predicate, combinator and chain agrees with the engine ------

# Rule i of a synthetic pack decides CHAIN[i] and may read, for the judged year, the titles the
# rules before it decide (as LĐTT → CSTĐCS → CSTĐ tỉnh do), or titles no rule decides (recorded).
CHAIN = [
    Award.LAO_DONG_TIEN_TIEN,
    Award.CHIEN_SI_THI_DUA_CO_SO,
    Award.CHIEN_SI_THI_DUA_TINH,
    Award.CHIEN_SI_THI_DUA_TOAN_QUOC,
    Award.BANG_KHEN_TINH,
]
RECORDED = [Award.GIAY_KHEN, Award.BANG_KHEN_THU_TUONG, Award.HUAN_CHUONG_LAO_DONG_HANG_BA]
ANY_AWARD = CHAIN + RECORDED
KINDS = [
    "rating",
    "rating_streak",
    "title",
    "title_streak",
    "title_count",
    "commendation",
    "tenure",
    "disciplined",
    "no_pending_case",
    "field_in",
    "attested",
    "initiatives",
    "discipline_clock",
    "effective_rating",
    "unsettled",
]
Tree = tuple[Any, ...]
Spec = list[list[Tree]]  # per rank, the criteria of the rule deciding CHAIN[rank]


def title_award(rank: int, touches_judged_year: bool) -> st.SearchStrategy[Award]:
    """A title to read: for the judged year, mostly one an earlier rule decides (a chain)."""
    if not touches_judged_year:
        return st.sampled_from(ANY_AWARD)
    if rank == 0:
        return st.sampled_from(RECORDED)
    return st.one_of(
        st.sampled_from(CHAIN[:rank]), st.sampled_from(CHAIN[:rank]), st.sampled_from(RECORDED)
    )


@st.composite
def predicate(draw: st.DrawFn, rank: int, kind: str | None = None) -> preds.Predicate:
    """A predicate of `kind` (default: any), its arguments biased towards the boundaries."""
    kind = kind or draw(st.sampled_from(KINDS))
    since = st.one_of(st.none(), st.sampled_from(ANY_AWARD))
    ending = st.sampled_from([0, 0, -1])
    if kind == "rating":
        return preds.RatingIs(
            {}, at_least=draw(st.sampled_from(Rating)), offset=draw(st.integers(-2, 0))
        )
    if kind == "rating_streak":
        return preds.RatingStreak(
            {},
            at_least=draw(st.sampled_from(Rating)),
            years=draw(st.integers(0, 4)),
            ending=draw(ending),
            since_commendation=draw(since),
        )
    if kind == "title":
        offset = draw(st.sampled_from([0, 0, -1, -2, -3]))
        return preds.TitleHeld({}, award=draw(title_award(rank, offset == 0)), offset=offset)
    if kind == "title_streak":
        years, end = draw(st.integers(0, 3)), draw(ending)
        award = draw(title_award(rank, end == 0))
        return preds.TitleStreak({}, award=award, years=years, ending=end)
    if kind == "title_count":
        within, end = draw(st.integers(0, 4)), draw(ending)
        return preds.TitleCount(
            {},
            award=draw(title_award(rank, end == 0)),
            at_least=draw(st.integers(0, 3)),
            within_years=within,
            ending=end,
            since_commendation=draw(since),
        )
    if kind == "commendation":
        return preds.CommendationHeld(
            {},
            award=draw(st.sampled_from(ANY_AWARD)),
            within_years=draw(st.sampled_from([None, 0, 0, 1, 2, 3, 5])),
            ending=draw(ending),
        )
    if kind == "tenure":
        months = draw(st.one_of(st.sampled_from([0, 6, 10, 12]), st.integers(0, 24)))
        return preds.Tenure({}, months_at_least=months)
    if kind == "disciplined":
        return preds.Disciplined(
            {},
            at_least=draw(st.sampled_from(DisciplineForm)),
            within_years=draw(st.integers(0, 3)),
            ending=draw(ending),
        )
    if kind == "no_pending_case":
        return preds.NoPendingCase({})
    if kind == "field_in":
        name, values = draw(
            st.sampled_from(
                [
                    ("employment", [e.value for e in Employment]),
                    ("position", [p.value for p in Position]),
                    ("unit_kind", ["agency", "school"]),
                ]
            )
        )
        allowed = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
        return preds.FieldIn({}, field_name=name, allowed=tuple(allowed))
    if kind == "attested":
        return preds.Attested({}, criterion=draw(st.sampled_from(Attestation)))
    if kind == "initiatives":
        kinds = draw(st.sampled_from([["initiative"], ["research"], ["initiative", "research"]]))
        return preds.Initiatives(
            {},
            at_least=draw(st.integers(0, 2)),
            scope=draw(st.sampled_from(Scope)),
            kinds=tuple(InitiativeKind(k) for k in kinds),
            within_years=draw(st.integers(1, 4)),
            ending=draw(ending),
            research_accepted=draw(st.booleans()),
            applied=draw(st.booleans()),
            since_commendation=draw(since),
        )
    if kind == "discipline_clock":
        return preds.DisciplineClock({}, years=draw(st.integers(0, 3)), ending=draw(ending))
    newer = getattr(preds, {"effective_rating": "EffectiveRating"}.get(kind, "Unsettled"), None)
    made: preds.Predicate | None = None
    if kind == "effective_rating" and newer is not None:
        made = newer({}, at_least=draw(st.sampled_from(Rating)), offset=draw(st.integers(-1, 0)))
    elif kind == "unsettled" and newer is not None:
        made = newer({}, reason="chưa rõ")
    if made is not None:
        return made
    return preds.RatingIs({}, at_least=draw(st.sampled_from(Rating)))


@functools.cache
def trees(rank: int) -> st.SearchStrategy[Tree]:
    return st.recursive(
        st.builds(lambda p: ("leaf", p), predicate(rank)),
        lambda kids: st.one_of(
            st.builds(lambda xs: ("all", xs), st.lists(kids, min_size=1, max_size=3)),
            st.builds(lambda xs: ("any", xs), st.lists(kids, min_size=1, max_size=3)),
            st.builds(lambda x: ("not", [x]), kids),
        ),
        max_leaves=5,
    )


def to_node(tree: Tree, leaves: list[preds.Predicate]) -> Node:
    kind, body = tree
    if kind == "leaf":
        leaves.append(body)
        return Node("leaf", leaf=len(leaves) - 1)
    return Node(kind, tuple(to_node(t, leaves) for t in body))


def simple_rule() -> st.SearchStrategy[list[Tree]]:
    """A one-leaf rule that decides often (a rating threshold), for later rules to read."""
    level = st.sampled_from([Rating.HTNV, Rating.HTTNV, Rating.HTXSNV])
    return st.builds(lambda r: [("leaf", preds.RatingIs({}, at_least=r))], level)


@st.composite
def synthetic_rules(draw: st.DrawFn) -> Spec:
    """Rules for CHAIN[0..n-1]: random condition trees, the earlier ones often simple."""
    n = draw(st.integers(1, len(CHAIN)))
    return [
        draw(simple_rule())
        if rank < n - 1 and draw(st.integers(0, 9)) < 6
        else [draw(trees(rank)) for _ in range(draw(st.integers(1, 2)))]
        for rank in range(n)
    ]


def synthetic_plan(spec: Spec, template: Plan) -> Plan:
    """A plan whose person rules are `spec`, ordered as the pack compiler orders them."""
    base = template.rules[(Award.LAO_DONG_TIEN_TIEN, SubjectKind.PERSON)]
    rules: dict[tuple[Award, SubjectKind], CompiledRule] = {}
    for rank, criteria_trees in enumerate(spec):
        leaves: list[preds.Predicate] = []
        criteria = tuple(
            dataclasses.replace(base.criteria[0], id=f"c{j}", node=to_node(tree, leaves))
            for j, tree in enumerate(criteria_trees)
        )
        award = CHAIN[rank]
        rules[(award, SubjectKind.PERSON)] = dataclasses.replace(
            base,
            id=f"synthetic.{award.value}",
            award=award,
            criteria=criteria,
            leaves=tuple(leaves),
        )
    order, cycles = dependency_order(rules)
    assert not cycles
    return Plan(template.pack, template.date, rules, tuple(order))


OPS: dict[str, Callable[[Any, Any], bool]] = {
    "$lt": operator.lt,
    "$lte": operator.le,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$neq": operator.ne,
}


def matches(cond: dict[str, Any] | None, fact: dict[str, Any]) -> bool:
    """durable_rules' matching of one fact, as measured on the engine: a comparison on a missing
    attribute never matches (not even `$neq`), `$ex` tests presence, `{name: v}` is equality."""
    if cond is None:
        return True
    ((key, arg),) = cond.items()
    if key == "$and":
        return all(matches(c, fact) for c in arg)
    if key == "$or":
        return any(matches(c, fact) for c in arg)
    if key == "$ex":
        ((name, _),) = arg.items()
        return name in fact
    if key in OPS:
        ((name, value),) = arg.items()
        return name in fact and OPS[key](fact[name], value)
    return key in fact and fact[key] == arg


def terms_agree(spec: Spec, year: int, person_data: dict[str, Any]) -> dict[Award, Outcome]:
    """The translation alone (no durable_rules): each award's terms, matched against the
    person's profile and the engine's decisions of the titles they join on, give the engine's
    outcome, on both sides (the eligible terms fire iff eligible, the ineligible iff not)."""
    day = dt.date(year, 12, 31)
    plan = synthetic_plan(spec, REGISTRY.for_date(day, None).plan(day))
    batch = batch_from_data({"batch": {"id": "t", "year": year}, "people": [person_data]})
    ev = Evaluation(plan, batch)
    translation = translate(plan, year)
    view = ev.index.subjects[person_data["id"]]
    profile = translation.profile(view, lambda: ev)
    truth = {a: ev.decide(person_data["id"], a).outcome for a in translation.awards}

    def fires(award: Award, outcome: bool) -> bool:
        return any(
            all(truth[d.award] is OUTCOME_OF[d.value] for d in term.derived)
            and matches(term.cond, profile)
            for term in translation.terms[(award, outcome)]
        )

    for award in translation.awards:
        got = (fires(award, True), fires(award, False))
        want = {
            Outcome.ELIGIBLE: (True, False),
            Outcome.INELIGIBLE: (False, True),
            Outcome.UNDETERMINED: (False, False),
        }[truth[award]]
        assert got == want, (award, truth[award], profile, spec)
    return truth


def _p(**fields: Any) -> dict[str, Any]:
    return {"id": "P1", "name": "Người P1", **fields}


HTXS = [{"year": y, "rating": "HTXSNV"} for y in range(2019, 2022)]
BOUNDARIES = [
    # tenure: recruited exactly on the last day that still counts, and the day after
    (2021, preds.Tenure({}, months_at_least=10), _p(recruited_on="2021-02-28"), "eligible"),
    (2021, preds.Tenure({}, months_at_least=10), _p(recruited_on="2021-03-01"), "ineligible"),
    (2024, preds.Tenure({}, months_at_least=10), _p(recruited_on="2024-02-29"), "eligible"),
    (2025, preds.Tenure({}, months_at_least=6), _p(recruited_on="2025-06-30"), "eligible"),
    (2025, preds.Tenure({}, months_at_least=6), _p(recruited_on="2025-07-01"), "ineligible"),
    # since_commendation: the commendation must come before the window's first year
    (
        2021,
        preds.RatingStreak(
            {}, at_least=Rating.HTXSNV, years=2, since_commendation=Award.BANG_KHEN_TINH
        ),
        _p(history=HTXS, commendations=[{"award": "bang_khen_tinh", "year": 2020}]),
        "ineligible",
    ),
    (
        2021,
        preds.RatingStreak(
            {}, at_least=Rating.HTXSNV, years=2, since_commendation=Award.BANG_KHEN_TINH
        ),
        _p(history=HTXS, commendations=[{"award": "bang_khen_tinh", "year": 2019}]),
        "eligible",
    ),
    # within_years 0 reads as "any earlier year", as the predicate does
    (
        2021,
        preds.CommendationHeld({}, award=Award.GIAY_KHEN, within_years=0),
        _p(commendations=[{"award": "giay_khen", "year": 2015}]),
        "eligible",
    ),
    # a count completed by the judged year's derived title, or not
    (
        2021,
        preds.TitleCount({}, award=Award.LAO_DONG_TIEN_TIEN, at_least=2, within_years=2),
        _p(
            history=[
                {"year": 2020, "titles": ["lao_dong_tien_tien"]},
                {"year": 2021, "rating": "HTTNV"},
            ]
        ),
        "eligible",
    ),
    (
        2021,
        preds.TitleCount({}, award=Award.LAO_DONG_TIEN_TIEN, at_least=2, within_years=2),
        _p(
            history=[
                {"year": 2020, "titles": ["lao_dong_tien_tien"]},
                {"year": 2021, "rating": "HTNV"},
            ]
        ),
        "ineligible",
    ),
    # a title recorded for the judged year does not count where the pack decides it
    (
        2021,
        preds.TitleHeld({}, award=Award.LAO_DONG_TIEN_TIEN),
        _p(history=[{"year": 2021, "rating": "KHTNV", "titles": ["lao_dong_tien_tien"]}]),
        "ineligible",
    ),
    # one case still open defers; a reprimand in the window disqualifies
    (
        2021,
        preds.NoPendingCase({}),
        _p(pending_cases=[{"kind": "complaint", "opened_on": "2021-12-30"}]),
        "undetermined",
    ),
    (
        2021,
        preds.Disciplined({}, at_least=DisciplineForm.KHIEN_TRACH),
        _p(disciplines=[{"form": "khien_trach", "decided_on": "2021-12-31"}]),
        "eligible",
    ),
]


@pytest.mark.parametrize(("year", "leaf", "person_data", "expected"), BOUNDARIES)
def test_boundary_cases_translate_exactly(
    year: int, leaf: preds.Predicate, person_data: dict[str, Any], expected: str
) -> None:
    """Hand-picked edges; LĐTT (rated at least HTTNV) decides first, the leaf decides CSTĐCS."""
    spec = [[("leaf", preds.RatingIs({}, at_least=Rating.HTTNV))], [("leaf", leaf)]]
    truth = terms_agree(spec, year, person_data)
    assert truth[Award.CHIEN_SI_THI_DUA_CO_SO] is Outcome(expected)


def test_effective_rating_translates_exactly_when_the_vocabulary_has_it() -> None:
    effective = getattr(preds, "EffectiveRating", None)
    if effective is None:
        pytest.skip("the predicate vocabulary has no effective_rating")
    disciplined = _p(
        history=[{"year": 2025, "rating": "HTXSNV"}],
        disciplines=[{"form": "canh_cao", "decided_on": "2025-04-01"}],
    )
    for level, expected in ((Rating.KHTNV, "eligible"), (Rating.HTNV, "ineligible")):
        spec = [
            [("leaf", preds.RatingIs({}, at_least=Rating.HTTNV))],
            [("leaf", effective({}, at_least=level))],
        ]
        truth = terms_agree(spec, 2025, disciplined)
        assert truth[Award.CHIEN_SI_THI_DUA_CO_SO] is Outcome(expected)


SETTINGS = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@pytest.mark.parametrize("kind", KINDS)
@settings(SETTINGS, max_examples=30)
@given(data=st.data())
def test_each_predicate_translates_exactly(kind: str, data: Any) -> None:
    """One leaf of `kind` as CSTĐCS's only criterion, LĐTT deciding a rating threshold before it."""
    year = data.draw(st.sampled_from([2021, 2024, 2025]))
    spec = [data.draw(simple_rule()), [("leaf", data.draw(predicate(1, kind)))]]
    terms_agree(spec, year, data.draw(person("P1", year)))


@settings(SETTINGS, max_examples=80)
@given(spec=synthetic_rules(), data=st.data())
def test_translated_terms_decide_as_the_engine_on_random_rules(spec: Spec, data: Any) -> None:
    year = data.draw(st.sampled_from([2021, 2024, 2025]))
    terms_agree(spec, year, data.draw(person("P1", year)))


@pytest.mark.skipif(not durable_available(), reason="durable-rules is not installed here")
@settings(SETTINGS, max_examples=40)
@given(spec=synthetic_rules(), data=st.data())
def test_random_rules_decide_alike_in_durable_rules_and_the_engine(spec: Spec, data: Any) -> None:
    """The same through durable_rules itself, for a few people and their event streams."""
    year = data.draw(st.sampled_from([2021, 2024, 2025]))
    day = dt.date(year, 12, 31)
    plan = synthetic_plan(spec, REGISTRY.for_date(day, None).plan(day))
    _, events = data.draw(scenario(year, people=(1, 3)))
    # verify=True checks every person's outcomes against the engine after every event
    with Watcher(plan, year=year, verify=True) as w:
        w.post_many(events)
        assert w.cross_check() == []
