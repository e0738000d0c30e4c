"""Decide very large batches: stream people in chunks through worker processes to a decisions file.

`run_bulk(input, out, options)` reads people (JSON Lines or CSV, grouped by unit) in chunks of whole
units, and has each worker process — which loads and compiles the pack once — validate a chunk
(`model.fast.PeopleLoader`), check it (`reference_problems`), decide the awards for everyone
(the vectorised path when numpy is installed, else the per-record path), rank the capped awards per
unit, and serialise one record per decision. The parent writes the chunks' records in input order
to a temporary file beside `out` and renames it at the end, so `out` is either the old file or the
complete new one. At most two chunks per worker are in flight, so memory stays bounded whatever the
size of the input.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from khenthuong.atomic import TEMP_SUFFIX, temp_prefix
from khenthuong.audit.digest import ENGINE
from khenthuong.bulk.gcpause import freeze_loaded, paused_gc
from khenthuong.bulk.rank import rank_decisions
from khenthuong.bulk.reader import Chunk, csv_person, input_format, read_chunks
from khenthuong.bulk.records import (
    NO_PLACEMENT,
    Fragments,
    header_line,
    placement_fragment,
    record_prefix,
)
from khenthuong.engine.compile import Plan
from khenthuong.engine.evaluate import Evaluation
from khenthuong.errors import Diagnostic, InputError, Location
from khenthuong.model.batch import Batch, BatchHeader, reference_problems
from khenthuong.model.fast import PeopleLoader
from khenthuong.model.subjects import Person, Unit
from khenthuong.model.vocab import AWARD_SUBJECTS, Award, Outcome, SubjectKind
from khenthuong.packs.registry import PackRegistry, ResolvedPack
from khenthuong.ranking.policy import RankingPlan, compile_policy

ENGINES = ("auto", "vector", "record")
DEFAULT_CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class BulkOptions:
    """What to decide and how (the CLI flags of `khenthuong bulk`)."""

    year: int
    as_of: dt.date | None = None
    province: str | None = None
    pack: str | None = None
    awards: tuple[Award, ...] = ()
    batch_id: str = "bulk"
    units: tuple[Unit, ...] = ()
    engine: str = "auto"
    workers: int = 0
    chunk_size: int = DEFAULT_CHUNK
    input_format: str | None = None
    skip_invalid: bool = False
    max_errors: int = 100


@dataclass(slots=True)
class BulkSummary:
    """What a bulk run did: counts per award and outcome, time, and problems (with --skip-invalid)."""

    people: int = 0
    decisions: int = 0
    skipped: int = 0
    chunks: int = 0
    workers: int = 1
    engine: str = ""
    pack: str = ""
    layers: tuple[str, ...] = ()
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    selection: dict[str, dict[str, int]] = field(default_factory=dict)
    fallbacks: int = 0
    seconds: float = 0.0
    problems: list[Diagnostic] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "decisions": self.decisions,
            "skipped": self.skipped,
            "chunks": self.chunks,
            "workers": self.workers,
            "engine": self.engine,
            "pack": self.pack,
            "layers": list(self.layers),
            "outcomes": self.outcomes,
            "selection": self.selection,
            "fallbacks": self.fallbacks,
            "seconds": round(self.seconds, 3),
            "problems": len(self.problems),
        }


@dataclass(slots=True)
class ChunkResult:
    index: int
    text: str
    people: int
    ids: list[str]
    outcomes: dict[str, collections.Counter[str]]
    selection: dict[str, collections.Counter[str]]
    problems: list[Diagnostic]
    skipped: int
    fallbacks: int
    engine: str


def _bad_options(message: str, help_: str) -> InputError:
    return InputError([Diagnostic("KT754", message, help=help_)])


@dataclass(slots=True)
class Setup:
    """What every worker needs, loaded once: the pack, its plan and ranking policy, the awards."""

    options: BulkOptions
    header: BatchHeader
    resolved: ResolvedPack
    plan: Plan
    policy: RankingPlan
    awards: tuple[Award, ...]
    units: dict[str, Unit]
    engine: str

    @classmethod
    def load(cls, options: BulkOptions, registry: PackRegistry | None = None) -> Setup:
        try:
            header = BatchHeader(
                id=options.batch_id,
                year=options.year,
                as_of=options.as_of,
                province=options.province,
            )
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            raise _bad_options(
                f"invalid run header: {first['msg']}",
                "give --year (the judged year) and, if needed, --as-of (the decision date, in or "
                "after that year)",
            ) from None
        day = header.decision_date
        resolved = (registry or PackRegistry()).for_date(day, options.province, options.pack)
        plan: Plan = resolved.plan(day)
        policy = compile_policy(resolved, day)
        awards = options.awards or tuple(a for a, kind in plan.order if kind is SubjectKind.PERSON)
        for award in awards:
            if SubjectKind.PERSON not in AWARD_SUBJECTS[award]:
                raise _bad_options(
                    f"{award.value} is not awarded to people",
                    "bulk runs decide awards for people: choose --award among those for a person",
                )
            quota = policy.quotas.get(award)
            if quota is not None and not quota.uncapped and quota.scope is not None:
                people_base = quota.base is None or quota.base.subjects is SubjectKind.PERSON
                if quota.scope != "unit" or not people_base:
                    raise _bad_options(
                        f"the quota of {award.value} is counted per {quota.scope}, which a bulk "
                        "run (chunks of whole units) cannot count",
                        "decide this award with `khenthuong check` on the batch, or leave it out "
                        "with --award",
                    )
        engine = options.engine
        if engine not in ENGINES:
            raise _bad_options(f"unknown engine {engine!r}", "use auto, vector or record")
        if engine == "auto":
            engine = "vector" if _has_numpy() else "record"
        units = {u.id: u for u in options.units}
        return cls(options, header, resolved, plan, policy, tuple(awards), units, engine)

    def scope_of(self, unit: str | None) -> str | None:
        """The top unit of `unit` among the known units (quotas are counted over it)."""
        seen: set[str] = set()
        while unit is not None and unit in self.units and unit not in seen:
            seen.add(unit)
            parent = self.units[unit].parent
            if parent is None or parent not in self.units:
                return unit
            unit = parent
        return unit

    def info(self, source: str) -> dict[str, Any]:
        return {
            "engine": ENGINE,
            "input": source,
            "batch": {
                "id": self.header.id,
                "year": self.header.year,
                "as_of": self.header.as_of.isoformat() if self.header.as_of else None,
                "province": self.header.province,
                "decision_date": self.plan.date.isoformat(),
            },
            "pack": {"id": self.resolved.id, "layers": self.resolved.layer_ids},
            "awards": [a.value for a in self.awards],
        }


def _has_numpy() -> bool:
    try:
        import numpy  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


# --------------------------------------------------------------------------- one chunk


class Worker:
    """Decides chunks with one loaded setup (one per process)."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.loader = PeopleLoader()
        self.fragments = Fragments(setup.plan)

    def run(self, chunk: Chunk) -> ChunkResult:
        with paused_gc(collect=True):
            return self._run(chunk)

    def _people(self, chunk: Chunk, problems: list[Diagnostic]) -> list[tuple[int, Person]]:
        texts = chunk.texts
        lines = chunk.lines
        if chunk.rows:
            texts = []
            kept: list[int] = []
            for line, row in zip(chunk.lines, chunk.rows, strict=True):
                try:
                    person = csv_person(chunk.columns, row)
                except ValueError as exc:
                    problems.append(Diagnostic("KT756", str(exc), location=Location(line=line)))
                    continue
                texts.append(json.dumps(person, ensure_ascii=False).encode())
                kept.append(line)
            lines = kept
        people, errors = self.loader.load(texts)
        for e in errors:
            for detail in e.errors[:3]:
                path = ".".join(str(p) for p in detail.get("loc", ()))
                problems.append(
                    Diagnostic(
                        "KT752",
                        f"{path or 'person'}: {detail.get('msg', 'invalid')}",
                        location=Location(line=lines[e.position]),
                        help="correct the person's record (the batch format's person shape)",
                    )
                )
        return [(line, p) for line, p in zip(lines, people, strict=True) if p is not None]

    def _batch(self, people: Sequence[Person]) -> Batch:
        known = self.setup.units
        wanted: dict[str, Unit] = {}
        for p in people:
            unit = p.unit
            while unit is not None and unit not in wanted:
                found = known.get(unit) or Unit(id=unit, name=unit)
                wanted[unit] = found
                unit = found.parent if found.parent in known else None
        return Batch.model_construct(
            batch=self.setup.header,
            units=tuple(wanted.values()),
            people=tuple(people),
            households=(),
            nominations=(),
        )

    def _run(self, chunk: Chunk) -> ChunkResult:
        setup = self.setup
        problems: list[Diagnostic] = []
        fallbacks = self.loader.fallbacks
        valid = self._people(chunk, problems)
        total = len(chunk)
        batch = self._batch([p for _, p in valid])
        bad: set[int] = set()
        for problem in reference_problems(batch, setup.options.max_errors + 1):
            line = None
            if problem.path[:1] == ("people",) and isinstance(problem.path[1], int):
                bad.add(problem.path[1])
                line = valid[problem.path[1]][0]
            path = ".".join(str(p) for p in problem.path[2:])
            problems.append(
                Diagnostic(
                    problem.code,
                    f"{path}: {problem.message}" if path else problem.message,
                    location=Location(line=line),
                    help=problem.help,
                )
            )
        if problems and not setup.options.skip_invalid:
            return ChunkResult(
                chunk.index, "", 0, [], {}, {}, problems, 0, self.loader.fallbacks - fallbacks, ""
            )
        if bad:
            valid = [v for i, v in enumerate(valid) if i not in bad]
            batch = self._batch([p for _, p in valid])
        people = [p for _, p in valid]
        columns, engine = self._decide(batch, people)
        outcomes = {a.value: c[2] for a, c in zip(setup.awards, columns, strict=True)}
        selection = {a.value: c[3] for a, c in zip(setup.awards, columns, strict=True)}
        parts: list[str] = []
        per_award = [(outs, places) for outs, places, _, _ in columns]
        for i, p in enumerate(people):
            prefix = record_prefix(p.id, p.name)
            parts += [f"{prefix}{outs[i]},{places[i]}}}\n" for outs, places in per_award]
        return ChunkResult(
            chunk.index,
            "".join(parts),
            len(people),
            [p.id for p in people],
            outcomes,
            selection,
            problems,
            total - len(people),
            self.loader.fallbacks - fallbacks,
            engine,
        )

    # Each award gives: outcome fragments, placement fragments, outcome counts, selection counts.
    Columns = list[tuple[list[str], list[str], collections.Counter[str], collections.Counter[str]]]

    def _decide(self, batch: Batch, people: list[Person]) -> tuple[Columns, str]:
        if self.setup.engine == "vector":
            from khenthuong.bulk.vectorised import decide_vector

            done = decide_vector(self.setup, self.fragments, batch, people)
            if done is not None:
                return done, "vector"
        return self._decide_records(batch, people), "record"

    def _decide_records(self, batch: Batch, people: list[Person]) -> Columns:
        setup = self.setup
        ev = Evaluation(setup.plan, batch)
        out: Worker.Columns = []
        for award in setup.awards:
            rule = setup.plan.rule_for(award, SubjectKind.PERSON)
            decisions = [ev.decide(p.id, award) for p in people]
            counts = collections.Counter(d.outcome.value for d in decisions)
            outs = [self.fragments.outcome(award, rule, d.truths) for d in decisions]
            places = [NO_PLACEMENT] * len(people)
            picked: collections.Counter[str] = collections.Counter()
            quota = setup.policy.quotas.get(award)
            if quota is not None and not quota.uncapped and quota.scope is not None:
                where = {p.id: i for i, p in enumerate(people)}
                for ranking in rank_decisions(setup.resolved, ev, decisions, setup.policy):
                    q = ranking.arithmetic
                    for pl in ranking.placements:
                        places[where[pl.candidate]] = placement_fragment(
                            pl.selected,
                            pl.rank,
                            q.scope if q else None,
                            q.base if q else None,
                            q.slots if q else None,
                        )
                        if pl.outcome is Outcome.ELIGIBLE:
                            picked["selected" if pl.selected else "cut"] += 1
            out.append((outs, places, counts, picked))
        ev.clear()  # decisions and their evaluation refer to each other: free them now
        return out


# --------------------------------------------------------------------------- processes

# The worker of this process (a pool's initializer sets it once), and the setup a forked worker
# inherits from its parent instead of loading the pack again.
_WORKER: dict[str, Worker] = {}
_INHERITED: dict[str, Setup] = {}


def _init_worker(options: BulkOptions, roots: list[Path]) -> None:
    # A worker is stopped by its pool with SIGTERM: it must die then, not unwind like the CLI
    # process it was forked from (which turns SIGTERM into an exception).
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    setup = _INHERITED.get("setup") or Setup.load(options, PackRegistry(roots))
    _WORKER["this"] = Worker(setup)
    freeze_loaded()


def _run_chunk(chunk: Chunk) -> ChunkResult:
    return _WORKER["this"].run(chunk)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _results(
    chunks: Iterator[Chunk], options: BulkOptions, setup: Setup, workers: int, roots: list[Path]
) -> Iterator[ChunkResult]:
    """Chunk results in input order; at most two chunks per worker in flight."""
    if workers <= 1:
        local = Worker(setup)
        for chunk in chunks:
            yield local.run(chunk)
        return
    _INHERITED["setup"] = setup
    pool = _context().Pool(workers, initializer=_init_worker, initargs=(options, roots))
    finished = False
    try:
        pending: collections.deque[Any] = collections.deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_run_chunk, (chunk,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        finished = True
    finally:
        _INHERITED.clear()
        if finished:
            pool.close()  # let the workers finish and exit
        else:
            pool.terminate()
        pool.join()


@contextlib.contextmanager
def _atomic_output(out: Path) -> Iterator[Any]:
    """A text file beside `out`, renamed to `out` when the block ends without error."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(out), suffix=TEMP_SUFFIX, dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def run_bulk(
    source: str | Path,
    out: str | Path,
    options: BulkOptions,
    *,
    registry: PackRegistry | None = None,
    progress: Callable[[int], None] | None = None,
) -> BulkSummary:
    """Decide every person of `source` and write the decisions to `out` (JSON Lines, atomically).

    Args:
        source: a .jsonl or .csv file of people, grouped by unit.
        out: the decisions file to write.
        options: year, date, province, awards, engine, workers, chunk size.
        registry: where packs come from (default: the bundled packs).
        progress: called with the number of people done after each chunk.

    Raises:
        InputError: bad options or input (KT750–KT756, and the batch codes of a person's record,
            with the line), unless `options.skip_invalid` (then invalid people are left out and
            listed in `BulkSummary.problems`).
        PackError: the pack does not compile for the date.

    Example:
        >>> import json, tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> person = {"id": "P1", "name": "Nông Thị Hoa", "unit": "U1", "recruited_on": "2019-03-01",
        ...     "history": [{"year": 2024, "rating": "HTXSNV"}],
        ...     "attestations": {"solidarity": True, "emulation": True}}
        >>> _ = (folder / "people.jsonl").write_text(json.dumps(person) + "\\n")
        >>> summary = run_bulk(folder / "people.jsonl", folder / "out.jsonl",
        ...     BulkOptions(year=2024, province="cao-bang", awards=(Award.LAO_DONG_TIEN_TIEN,),
        ...     workers=1))
        >>> summary.outcomes
        {'lao_dong_tien_tien': {'eligible': 1}}
        >>> json.loads((folder / "out.jsonl").read_text().splitlines()[1])["outcome"]
        'eligible'
    """
    started = time.perf_counter()
    path = Path(source)
    fmt = input_format(path, options.input_format)
    registry = registry or PackRegistry()
    setup = Setup.load(options, registry)
    workers = options.workers or os.cpu_count() or 1
    summary = BulkSummary(
        workers=workers,
        engine=setup.engine,
        pack=setup.resolved.id,
        layers=tuple(setup.resolved.layer_ids),
    )
    outcomes: dict[str, collections.Counter[str]] = {
        a.value: collections.Counter() for a in setup.awards
    }
    selection: dict[str, collections.Counter[str]] = {
        a.value: collections.Counter() for a in setup.awards
    }
    seen: set[str] = set()
    chunks = read_chunks(path, fmt, max(1, options.chunk_size), setup.scope_of)
    with _atomic_output(Path(out)) as handle:
        handle.write(header_line(setup.info(str(source))))
        engines: set[str] = set()
        for result in _results(chunks, options, setup, workers, registry.roots):
            summary.problems += result.problems
            summary.fallbacks += result.fallbacks
            if result.problems and not options.skip_invalid:
                raise InputError(_located(result.problems, str(source), options.max_errors))
            twice = [i for i in result.ids if i in seen]
            if twice:
                problem = Diagnostic(
                    "KT753",
                    f'person "{twice[0]}" is listed twice in the input',
                    location=Location(file=str(source)),
                    help="each person comes once: remove or merge the duplicate records",
                )
                raise InputError([problem])
            seen.update(result.ids)
            handle.write(result.text)
            engines.add(result.engine)
            summary.people += result.people
            summary.skipped += result.skipped
            summary.chunks += 1
            for award, counts in result.outcomes.items():
                outcomes[award].update(counts)
            for award, counts in result.selection.items():
                selection[award].update(counts)
            if progress is not None:
                progress(summary.people)
        if engines:
            summary.engine = "+".join(sorted(engines))
    summary.outcomes = {a: dict(sorted(c.items())) for a, c in outcomes.items()}
    summary.selection = {a: dict(sorted(c.items())) for a, c in selection.items() if c}
    summary.decisions = summary.people * len(setup.awards)
    summary.seconds = time.perf_counter() - started
    summary.problems = [_with_file(p, str(source)) for p in summary.problems]
    return summary


def _with_file(d: Diagnostic, name: str) -> Diagnostic:
    loc = d.location
    return Diagnostic(
        d.code,
        d.message,
        d.severity,
        Location(file=name, line=loc.line if loc else None),
        d.help,
    )


def _located(problems: list[Diagnostic], name: str, limit: int) -> list[Diagnostic]:
    shown = [_with_file(p, name) for p in problems[:limit]]
    if len(problems) > limit:
        shown.append(
            Diagnostic(
                "KT164",
                f"{len(problems) - limit} more problems not shown",
                location=Location(file=name),
                help="fix these first, or give --skip-invalid to leave invalid people out",
            )
        )
    return shown
