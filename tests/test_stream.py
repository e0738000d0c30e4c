"""The streaming watcher: events, changes, isolation, threads, and life without durable_rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import glob
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khenthuong.engine import predicates as preds
from khenthuong.engine.compile import Plan
from khenthuong.engine.evaluate import Evaluation
from khenthuong.model.batch import Batch, BatchHeader
from khenthuong.model.subjects import Person, PersonYear
from khenthuong.model.vocab import Award, Outcome, SubjectKind
from khenthuong.packs.registry import PackRegistry
from khenthuong.periods import add_months
from khenthuong.runner import evaluate_batch
from khenthuong.stream import (
    Change,
    DisciplineDecided,
    InitiativeRecognised,
    PendingCaseClosed,
    PendingCaseOpened,
    PersonRegistered,
    RatingRecorded,
    StreamError,
    TitleAwarded,
    Watcher,
    durable_available,
    parse_event,
)
from khenthuong.stream.durable_backend import DurableRuleset
from khenthuong.stream.translate import (
    FALSE,
    TRUE,
    Derived,
    Prof,
    conj,
    disj,
    dnf,
    latest_start,
    translate,
)

REPO = Path(__file__).resolve().parents[1]
REGISTRY = PackRegistry()
ATTESTED = dict.fromkeys(["ethics", "compliance", "emulation", "study", "solidarity"], True)
HAVE_DURABLE = durable_available()
needs_durable = pytest.mark.skipif(
    not HAVE_DURABLE,
    reason="durable-rules is not installed here (pip install 'khenthuong[durable]'); "
    "CI installs it on Python 3.11",
)
# durable-rules calls datetime.utcfromtimestamp in every action; Python 3.12 deprecates it.
pytestmark = pytest.mark.filterwarnings(
    "ignore:datetime.datetime.utcfromtimestamp:DeprecationWarning"
)
BACKENDS = [pytest.param("durable", marks=needs_durable), "native"]


def code_of(exc: pytest.ExceptionInfo[StreamError]) -> str:
    return exc.value.diagnostics[0].code


def star(pid: str, year: int) -> list[Any]:
    """Events making `pid` eligible for LĐTT, CSTĐCS and CSTĐ tỉnh in `year`."""
    return [
        PersonRegistered(person=pid, recruited_on=dt.date(2012, 3, 1), attestations=ATTESTED),
        RatingRecorded(person=pid, year=year, rating="HTXSNV"),
        TitleAwarded(person=pid, year=year - 2, award="chien_si_thi_dua_co_so"),
        TitleAwarded(person=pid, year=year - 1, award="chien_si_thi_dua_co_so"),
        InitiativeRecognised(
            person=pid, initiative="SK-1", year=year, scope="tinh", applied=True, accepted=True
        ),
    ]


def native_outcomes(w: Watcher) -> dict[tuple[str, Award], Outcome]:
    result = evaluate_batch(w.to_batch(), pack=w.pack.id, registry=REGISTRY)
    return {(d.candidate, d.award): d.outcome for d in result.decisions}


# --- the chain, changes and explanations ------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("pack", "year"), [("vn-2017", 2021), ("vn-2024", 2025)])
def test_chain_ldtt_cstdcs_cstd_tinh_fires_and_each_change_is_explained(
    backend: str, pack: str, year: int
) -> None:
    seen: list[Change] = []
    with Watcher(pack, year=year, registry=REGISTRY, backend=backend, on_change=seen.append) as w:  # type: ignore[arg-type]
        returned = w.post_many(star("P1", year))
        assert returned == seen
        for award in (
            Award.LAO_DONG_TIEN_TIEN,
            Award.CHIEN_SI_THI_DUA_CO_SO,
            Award.CHIEN_SI_THI_DUA_TINH,
        ):
            assert w.outcome("P1", award) is Outcome.ELIGIBLE
            decision = w.explain("P1", award)
            assert decision.outcome is Outcome.ELIGIBLE
            assert decision.rule is not None
            assert all(r["cite"] for r in decision.reasons())
        # A reprimand in the judged year breaks the whole chain at its root.
        broken = w.post(
            DisciplineDecided(person="P1", form="khien_trach", decided_on=f"{year}-06-01")
        )
        chain = {
            Award.LAO_DONG_TIEN_TIEN,
            Award.CHIEN_SI_THI_DUA_CO_SO,
            Award.CHIEN_SI_THI_DUA_TINH,
        }
        assert {(c.award, c.previous, c.outcome) for c in broken if c.award in chain} == {
            (a, Outcome.ELIGIBLE, Outcome.INELIGIBLE) for a in chain
        }
        assert w.cross_check() == []
        assert w.outcomes() == native_outcomes(w)


@needs_durable
def test_the_chain_reaches_the_national_title_inside_durable_rules() -> None:
    """2025: LĐTT → CSTĐCS → CSTĐ tỉnh → CSTĐ toàn quốc, each joining on the one before."""
    with Watcher("vn-2024", year=2025, registry=REGISTRY, verify=True) as w:
        assert w.translation is not None
        joins = {
            (award, d.award)
            for (award, _), terms in w.translation.terms.items()
            for term in terms
            for d in term.derived
        }
        assert {
            (Award.CHIEN_SI_THI_DUA_CO_SO, Award.LAO_DONG_TIEN_TIEN),
            (Award.CHIEN_SI_THI_DUA_TINH, Award.CHIEN_SI_THI_DUA_CO_SO),
            (Award.CHIEN_SI_THI_DUA_TOAN_QUOC, Award.CHIEN_SI_THI_DUA_TINH),
            (Award.BANG_KHEN_TINH, Award.CHIEN_SI_THI_DUA_CO_SO),
        } <= joins
        events = [
            *star("P1", 2025),
            TitleAwarded(person="P1", year=2022, award="chien_si_thi_dua_tinh"),
            TitleAwarded(person="P1", year=2024, award="chien_si_thi_dua_tinh"),
            InitiativeRecognised(
                person="P1", initiative="SK-2", year=2024, scope="toan_quoc", applied=True
            ),
        ]
        w.post_many(events)
        for award in (
            Award.LAO_DONG_TIEN_TIEN,
            Award.CHIEN_SI_THI_DUA_CO_SO,
            Award.CHIEN_SI_THI_DUA_TINH,
        ):
            assert w.outcome("P1", award) is Outcome.ELIGIBLE
        national = w.explain("P1", Award.CHIEN_SI_THI_DUA_TOAN_QUOC)
        assert w.outcome("P1", Award.CHIEN_SI_THI_DUA_TOAN_QUOC) is national.outcome
        assert w.cross_check() == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_changes_are_emitted_only_when_an_outcome_changes(backend: str) -> None:
    with Watcher("vn-2017", year=2021, registry=REGISTRY, backend=backend) as w:  # type: ignore[arg-type]
        w.post_many(star("P1", 2021))
        # Same rating again, a rating of a year no rule reads: nothing changes.
        assert w.post(RatingRecorded(person="P1", year=2021, rating="HTXSNV")) == ()
        assert w.post(RatingRecorded(person="P1", year=1990, rating="KHTNV")) == ()
        opened = w.post(
            PendingCaseOpened(person="P1", case="C1", kind="complaint", opened_on="2021-11-02")
        )
        assert opened
        assert all(c.outcome is Outcome.UNDETERMINED for c in opened)
        assert w.explain("P1", Award.LAO_DONG_TIEN_TIEN).deferred
        closed = w.post(PendingCaseClosed(person="P1", case="C1", closed_on="2021-12-01"))
        assert {(c.award, c.outcome) for c in closed} == {(c.award, c.previous) for c in opened}


@needs_durable
def test_stream_yields_changes_lazily() -> None:
    with Watcher("vn-2024", year=2024, registry=REGISTRY) as w:
        events = iter(star("P1", 2024))
        changes = w.stream(events)
        first = next(changes)
        assert first.candidate == "P1"
        assert next(events, None) is not None  # later events are not consumed yet
        assert isinstance(first, Change)


# --- events -------------------------------------------------------------------------------------


def test_events_parse_from_json_feeds_with_vocabulary_aliases() -> None:
    ev = parse_event({"type": "title_awarded", "person": "P1", "year": 2020, "award": "LĐTT"})
    assert ev == TitleAwarded(person="P1", year=2020, award=Award.LAO_DONG_TIEN_TIEN)
    with pytest.raises(StreamError) as bad:
        parse_event({"type": "rating_recorded", "person": "P1", "year": 2020, "rating": "great"})
    assert code_of(bad) == "KT708"
    assert "rating" in str(bad.value)
    with pytest.raises(StreamError) as unknown:
        parse_event({"type": "promotion", "person": "P1"})
    assert code_of(unknown) == "KT708"


@pytest.mark.parametrize("backend", BACKENDS)
def test_event_errors_have_codes(backend: str) -> None:
    with Watcher("vn-2017", year=2021, registry=REGISTRY, backend=backend) as w:  # type: ignore[arg-type]
        with pytest.raises(StreamError) as unknown:
            w.post(RatingRecorded(person="P9", year=2021, rating="HTTNV"))
        assert code_of(unknown) == "KT702"
        w.post(PersonRegistered(person="P1"))
        with pytest.raises(StreamError) as later:
            w.post(RatingRecorded(person="P1", year=2022, rating="HTTNV"))
        assert code_of(later) == "KT703"
        with pytest.raises(StreamError) as order:
            w.post(
                DisciplineDecided(
                    person="P1", form="canh_cao", decided_on="2021-05-01", ends_on="2021-01-01"
                )
            )
        assert code_of(order) == "KT708"
        with pytest.raises(StreamError) as never_opened:
            w.post(PendingCaseClosed(person="P1", case="X", closed_on="2021-05-01"))
        assert code_of(never_opened) == "KT708"
        assert w.record("P1").disciplines == ()  # a rejected event changes nothing
        with pytest.raises(StreamError) as nobody:
            w.explain("P9", Award.LAO_DONG_TIEN_TIEN)
        assert code_of(nobody) == "KT702"
    with pytest.raises(StreamError) as closed:
        w.post(RatingRecorded(person="P1", year=2021, rating="HTTNV"))
    assert code_of(closed) == "KT706"


def test_watcher_arguments_are_checked() -> None:
    with pytest.raises(StreamError) as backend:
        Watcher("vn-2017", year=2021, registry=REGISTRY, backend="drools")  # type: ignore[arg-type]
    assert code_of(backend) == "KT709"
    with pytest.raises(StreamError) as as_of:
        Watcher("vn-2017", year=2021, as_of=dt.date(2020, 5, 1), backend="native")
    assert code_of(as_of) == "KT709"


def test_commendation_forms_are_recorded_as_commendations() -> None:
    with Watcher("vn-2017", year=2021, registry=REGISTRY, backend="native") as w:
        w.post(PersonRegistered(person="P1"))
        w.post(TitleAwarded(person="P1", year=2019, award="bang_khen_tinh", decision="12/QĐ"))
        w.post(TitleAwarded(person="P1", year=2019, award="lao_dong_tien_tien"))
        person = w.record("P1")
        assert [(c.award, c.year, c.decision) for c in person.commendations] == [
            (Award.BANG_KHEN_TINH, 2019, "12/QĐ")
        ]
        assert person.history[0].titles == (Award.LAO_DONG_TIEN_TIEN,)


# --- durable_rules hazards ----------------------------------------------------------------------


@needs_durable
def test_a_fact_matching_no_rule_is_not_an_error() -> None:
    durable_engine = pytest.importorskip("durable.engine")
    plan = REGISTRY.resolve("vn-2024").plan(dt.date(2025, 12, 31))
    key = (Award.LAO_DONG_TIEN_TIEN, SubjectKind.PERSON)
    only_ldtt = dataclasses.replace(plan, rules={key: plan.rules[key]}, order=(key,))
    backend = DurableRuleset(translate(only_ldtt, 2025))
    try:
        # durable_rules itself raises on a fact that no rule matches…
        with pytest.raises(durable_engine.MessageNotHandledException):
            backend._host.assert_fact(backend.name, {"t": "p", "pid": "raw", "id": "raw"})
        # …the backend reads it as "nothing fired": every outcome undetermined.
        assert backend.decide("P0", {}) == {}
        # …and decides as soon as a fact is known that some rule needs.
        failing = Person(id="P0", name="P0", history=(PersonYear(year=2025, rating="KHTNV"),))
        batch = Batch.model_construct(
            batch=BatchHeader(id="t", year=2025), units=(), people=(failing,), households=()
        )
        ev = Evaluation(only_ldtt, batch)
        profile = backend.translation.profile(ev.index.subjects["P0"], lambda: ev)
        assert backend.decide("P0", profile) == {Award.LAO_DONG_TIEN_TIEN: False}
        assert ev.decide("P0", Award.LAO_DONG_TIEN_TIEN).outcome is Outcome.INELIGIBLE
    finally:
        backend.close()


@needs_durable
def test_two_watchers_on_different_packs_do_not_interfere() -> None:
    a = Watcher("vn-2017", year=2021, registry=REGISTRY, verify=True)
    b = Watcher("vn-2024", year=2025, registry=REGISTRY, verify=True)
    c = Watcher("vn-2017", year=2021, registry=REGISTRY)
    try:
        names = {a.ruleset_name, b.ruleset_name, c.ruleset_name}
        assert len(names) == 3
        assert all(
            n and (w.pack.digest.removeprefix("sha256:")[:12] in n)
            for n, w in [(a.ruleset_name, a), (b.ruleset_name, b)]
        )
        # The same person ids, interleaved, with facts that decide differently in each.
        for ea, eb in zip(star("P1", 2021), star("P1", 2025), strict=True):
            a.post(ea)
            b.post(eb)
        c.post(PersonRegistered(person="P1"))
        b.post(DisciplineDecided(person="P1", form="khien_trach", decided_on="2025-03-01"))
        assert a.outcome("P1", Award.LAO_DONG_TIEN_TIEN) is Outcome.ELIGIBLE
        assert b.outcome("P1", Award.LAO_DONG_TIEN_TIEN) is Outcome.INELIGIBLE
        assert c.outcome("P1", Award.LAO_DONG_TIEN_TIEN) is Outcome.UNDETERMINED
        for w in (a, b, c):
            assert w.cross_check() == []
            assert w.outcomes() == native_outcomes(w)
    finally:
        for w in (a, b, c):
            w.close()


@needs_durable
def test_closing_frees_the_ruleset_and_its_name() -> None:
    w = Watcher("vn-2017", year=2021, registry=REGISTRY)
    backend = w._durable
    assert backend is not None
    host, name = backend._host, backend.name
    assert name in host._ruleset_directory
    w.close()
    w.close()  # idempotent
    assert name not in host._ruleset_directory
    with pytest.raises(StreamError) as closed:
        w.post(PersonRegistered(person="P1"))
    assert code_of(closed) == "KT706"


@needs_durable
def test_one_watcher_is_safe_under_four_threads() -> None:
    people = [f"T{k}-{i}" for k in range(4) for i in range(12)]
    plans = {pid: star(pid, 2021) for pid in people}
    for i, pid in enumerate(people):  # vary the facts so outcomes differ between people
        if i % 3 == 1:
            plans[pid].append(RatingRecorded(person=pid, year=2021, rating="HTNV"))
        if i % 3 == 2:
            plans[pid].append(
                PendingCaseOpened(person=pid, case="C", kind="inspection", opened_on="2021-10-01")
            )
    errors: list[BaseException] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with Watcher("vn-2017", year=2021, registry=REGISTRY) as shared:

            def work(k: int) -> None:
                try:
                    for pid in people[k * 12 : (k + 1) * 12]:
                        for event in plans[pid]:
                            shared.post(event)
                except BaseException as exc:  # reported below
                    errors.append(exc)

            threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            threaded = shared.outcomes()
            assert shared.cross_check() == []
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    with Watcher("vn-2017", year=2021, registry=REGISTRY, backend="native") as alone:
        for pid in people:
            alone.post_many(plans[pid])
        assert threaded == alone.outcomes()


# --- translation ---------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
    start=st.dates(dt.date(1995, 1, 1), dt.date(2030, 12, 31)),
    months=st.integers(0, 40),
)
def test_latest_start_is_the_tenure_threshold(day: dt.date, start: dt.date, months: int) -> None:
    assert (add_months(start, months) <= day) == (start <= latest_start(day, months))


def test_dnf_distributes_derived_titles_and_drops_contradictions() -> None:
    ldtt_t, ldtt_f = (
        Derived(Award.LAO_DONG_TIEN_TIEN, True),
        Derived(Award.LAO_DONG_TIEN_TIEN, False),
    )
    rated = Prof({"$gte": {"rt_2021": 2}})
    assert dnf(TRUE) == {frozenset(): None}
    assert dnf(FALSE) == {}
    assert dnf(conj(ldtt_t, ldtt_f)) == {}
    terms = dnf(conj(disj(ldtt_t, rated), disj(ldtt_f, rated)))
    # (T ∨ r) ∧ (F ∨ r) = (T ∧ r) ∨ (r ∧ F) ∨ r: the joined terms add nothing to r alone
    assert terms[frozenset()] == {"$gte": {"rt_2021": 2}}
    assert terms[frozenset({ldtt_t})] == {"$gte": {"rt_2021": 2}}
    assert frozenset({ldtt_t, ldtt_f}) not in terms
    # An unconditional term makes longer joins redundant.
    assert dnf(disj(ldtt_t, conj(ldtt_t, Derived(Award.CHIEN_SI_THI_DUA_CO_SO, True)))) == {
        frozenset({ldtt_t}): None
    }


def _replace_leaf(plan: Plan, award: Award, old: type, new: Any) -> Plan:
    rules = dict(plan.rules)
    for key, rule in plan.rules.items():
        if key[0] is award:
            leaves = tuple(new(leaf) if type(leaf) is old else leaf for leaf in rule.leaves)
            rules[key] = dataclasses.replace(rule, leaves=leaves)
    return dataclasses.replace(plan, rules=rules)


@dataclasses.dataclass(slots=True)
class _RatingUnknownToTranslator(preds.RatingIs):
    """A predicate class the translator has no entry for (as a future vocabulary would add)."""


@dataclasses.dataclass(slots=True)
class _TitleUnknownToTranslator(preds.TitleHeld):
    pass


def test_unknown_predicates_are_computed_natively_unless_they_read_derived_titles() -> None:
    resolved = REGISTRY.resolve("vn-2017")
    plan = resolved.plan(dt.date(2021, 12, 31))
    swapped = _replace_leaf(
        plan,
        Award.LAO_DONG_TIEN_TIEN,
        preds.RatingIs,
        lambda leaf: _RatingUnknownToTranslator(leaf.written, at_least=leaf.at_least),
    )
    translation = translate(swapped, 2021)
    assert any("rating" in n for n in translation.native)
    reading = _replace_leaf(
        plan,
        Award.CHIEN_SI_THI_DUA_CO_SO,
        preds.TitleHeld,
        lambda leaf: _TitleUnknownToTranslator(leaf.written, award=leaf.award),
    )
    with pytest.raises(StreamError) as cannot:
        translate(reading, 2021)
    assert code_of(cannot) == "KT704"


@needs_durable
def test_a_natively_computed_predicate_still_decides_through_durable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolved = REGISTRY.resolve("vn-2017")
    plan = _replace_leaf(
        resolved.plan(dt.date(2021, 12, 31)),
        Award.LAO_DONG_TIEN_TIEN,
        preds.RatingIs,
        lambda leaf: _RatingUnknownToTranslator(leaf.written, at_least=leaf.at_least),
    )
    monkeypatch.setattr(type(resolved), "plan", lambda self, day: plan)
    with Watcher(resolved, year=2021, verify=True) as w:
        assert w.translation is not None
        assert w.translation.native
        w.post_many(star("P1", 2021))
        w.post(RatingRecorded(person="P1", year=2021, rating="HTNV"))
        assert w.outcome("P1", Award.LAO_DONG_TIEN_TIEN) is Outcome.INELIGIBLE


# --- without durable_rules ----------------------------------------------------------------------


def test_without_durable_the_backend_raises_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("durable", "durable.engine", "durable.lang", "durable_rules_engine"):
        monkeypatch.setitem(sys.modules, name, None)
    assert not durable_available()
    with pytest.raises(StreamError) as missing:
        Watcher("vn-2017", year=2021, registry=REGISTRY)
    diagnostic = missing.value.diagnostics[0]
    assert diagnostic.code == "KT701"
    assert "pip install 'khenthuong[durable]'" in diagnostic.help
    assert "3.11" in diagnostic.help
    assert "3.12" in diagnostic.help
    # The native backend needs nothing more.
    with Watcher("vn-2017", year=2021, registry=REGISTRY, backend="native") as w:
        w.post_many(star("P1", 2021))
        assert w.outcome("P1", Award.CHIEN_SI_THI_DUA_TINH) is Outcome.ELIGIBLE


def test_importing_the_core_and_stream_never_imports_durable() -> None:
    code = (
        "import sys; sys.modules['durable'] = None; sys.modules['durable_rules_engine'] = None\n"
        "import khenthuong, khenthuong.stream\n"
        "from khenthuong.stream import Watcher, durable_available\n"
        "assert not durable_available()\n"
        "assert 'durable.engine' not in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def _python313() -> str | None:
    candidates = [
        shutil.which("python3.13"),
        *sorted(glob.glob("/root/.pyenv/versions/3.13*/bin/python3.13")),
    ]
    for exe in candidates:
        if not exe:
            continue
        probe = subprocess.run(
            [exe, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return exe
    return None


def _with_core_deps(exe: str) -> str:
    """`exe` if it has pydantic and PyYAML, else a throwaway venv under /tmp that has them."""
    has = subprocess.run(
        [exe, "-c", "import pydantic, yaml"], capture_output=True, timeout=60, check=False
    )
    if has.returncode == 0:
        return exe
    venv = Path("/tmp/khenthuong-py313-core")
    python = venv / "bin" / "python"
    ready = python.exists() and (
        subprocess.run(
            [python, "-c", "import pydantic, yaml"], capture_output=True, timeout=60, check=False
        ).returncode
        == 0
    )
    if not ready:
        shutil.rmtree(venv, ignore_errors=True)
        made = subprocess.run(
            [exe, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300, check=False
        )
        if made.returncode != 0:
            pytest.skip(f"cannot create a Python 3.13 venv under /tmp: {made.stderr[-300:]}")
        pip = subprocess.run(
            [python, "-m", "pip", "install", "-q", "pydantic>=2.6,<3", "PyYAML>=6.0"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if pip.returncode != 0:
            pytest.skip(
                f"cannot install pydantic and PyYAML for Python 3.13 (offline?): {pip.stderr[-300:]}"
            )
    return str(python)


def test_python_313_imports_the_core_and_the_stream_package() -> None:
    exe = _python313()
    if exe is None:
        pytest.skip("no Python 3.13 interpreter on this machine")
    python = _with_core_deps(exe)
    code = (
        "import sys; sys.path.insert(0, 'src')\n"
        "import khenthuong, khenthuong.stream\n"
        "from khenthuong.stream import StreamError, Watcher, durable_available\n"
        "assert sys.version_info[:2] == (3, 13)\n"
        "assert not durable_available()\n"
        "try:\n"
        "    Watcher(year=2021)\n"
        "except StreamError as exc:\n"
        "    print(exc.diagnostics[0].code)\n"
    )
    done = subprocess.run(
        [python, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "KT701"
