"""The performance benchmark of issue 8: khenthuong side by side with a hand-written evaluator and peers.

    python benchmarks/run.py --quick        # ≤ 4 minutes: 100k people; end to end on 300k
    python benchmarks/run.py                # full: 100k people; end to end on 1M

Every engine decides the same four rules of the 2024 regime (LĐTT, CSTĐCS, CSTĐ tỉnh, Bằng khen
tỉnh; Cao Bằng layer) for the same generated people and ranks the CSTĐCS cap per unit. It prints
a table and writes benchmarks/results/<time>.json with, per engine and size: µs per person, the
ratio to the hand-written baseline, the peak RSS of the process that ran it, and whether its
decisions equal khenthuong's. The last line is `all targets met` or `targets missed: …`.

How it measures (see docs/performance.md): each engine runs in a child process of its own (its peak
RSS is that process's), with Python's cyclic GC paused for every engine alike; single-process
figures are CPU time (robust on a shared machine), the best of the repetitions; the end-to-end run
is wall time against the baseline's wall time, both measured in this run. Targets are ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import baseline  # noqa: E402
import generate  # noqa: E402

YEAR, DAY, PROVINCE = 2024, "2024-12-15", "cao-bang"
RESULTS = HERE / "results"
DATA = RESULTS / "data"
TARGETS = {
    "1": "traced per-record evaluation ≤ 2× the hand-written evaluator",
    "1a": "hand-written evaluator ≥ 3× faster than zen-engine",
    "1b": "hand-written evaluator ≥ 10× faster than durable_rules",
    "2": "vectorised path ≥ 5× faster than the hand-written evaluator, same decisions",
    "3": "end to end ≤ 10× the hand-written evaluation, peak RSS ≤ 1.5 GB, 10× people ≤ 11× time",
    "4": "loading validated people from JSON ≤ 15 µs at the reference's 5 µs baseline (≤ 3×)",
}
RSS_LIMIT_MB = 1536


# --------------------------------------------------------------------------- helpers


def in_child(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Run `fn` in a forked child; return its result and the child's peak RSS (MB)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        code = 0
        try:
            gc.disable()
            # What the child inherited (the parent's data) is never collected here: frozen, the
            # collections between runs skip it instead of walking, and copying, all its pages.
            gc.freeze()
            out = fn()
            payload = pickle.dumps(
                (out, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, None)
            )
        except BaseException as exc:  # report any failure to the parent
            payload = pickle.dumps((None, 0.0, f"{type(exc).__name__}: {exc}"))
            code = 1
        with os.fdopen(write, "wb") as w:
            w.write(payload)
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as r:
        data = r.read()
    os.waitpid(pid, 0)
    out, rss, error = pickle.loads(data)
    if error:
        raise RuntimeError(error)
    return out, rss


def best(fn: Callable[[], Any], reps: int) -> tuple[float, float, Any]:
    """(best CPU seconds, wall seconds of that run, last result) over `reps` runs."""
    runs = []
    out = None
    for _ in range(reps):
        out = None
        gc.collect()  # free what the previous run left (outside the timed span)
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        runs.append((time.process_time() - c0, time.perf_counter() - w0))
    cpu, wall = min(runs)
    return cpu, wall, out


class RssSampler:
    """Peak total memory of a process and its children, sampled from /proc (Linux).

    Each process counts its proportional set size (PSS: shared pages split between the processes
    sharing them), so forked workers' pages shared with their parent are not counted twice.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        pids = [self.root]
        try:
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        stat = Path(f"/proc/{entry}/stat").read_text()
                    except OSError:
                        continue
                    if int(stat.rsplit(")", 1)[1].split()[1]) == self.root:
                        pids.append(int(entry))
        except OSError:
            pass
        return pids

    def _mb(self, pid: int) -> float:
        for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
            try:
                for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                    if line.startswith(key):
                        return int(line.split()[1]) / 1024
            except OSError:
                continue
        return 0.0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(self._mb(p) for p in self._tree()))
            self._stop.wait(0.1)


def dataset(n: int) -> dict[str, Any]:
    data = generate.batch(n, YEAR)
    data["batch"]["province"] = PROVINCE
    baseline.check_supported(data["people"], data["units"])
    return data


def jsonl(n: int) -> Path:
    """A cached JSON Lines file of `n` generated people (same seed: same people)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"people-{n}-{YEAR}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for p in generate.people(n, YEAR):
                f.write(json.dumps(p, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return path


AWARDS = generate.AWARDS
Row = tuple[Any, ...]


def khenthuong_rows(batch: Any, decisions: Any, lean: Any) -> list[Row]:
    """The four outcomes and `selected` (as a decision record has it) for each person."""
    from khenthuong.model.vocab import Outcome

    truth = {Outcome.ELIGIBLE: True, Outcome.INELIGIBLE: False, Outcome.UNDETERMINED: None}
    got = {(d.candidate, d.award.value): truth[d.outcome] for d in decisions}
    sel: dict[str, bool | None] = {}
    for r in lean:
        chosen = r.selected()
        for c in r.members:
            outcome = got[(c, r.award.value)]
            sel[c] = (c in chosen) if outcome is True else (None if outcome is None else False)
    return [(*tuple(got[p.id, a] for a in AWARDS), sel.get(p.id)) for p in batch.people]


# --------------------------------------------------------------------------- engines


def run_baseline(data: dict[str, Any], reps: int) -> dict[str, Any]:
    cpu, wall, out = best(lambda: baseline.evaluate(data["people"], data["units"], YEAR, DAY), reps)
    return {"cpu": cpu, "wall": wall, "rows": out}


def load_batch_objects(data: dict[str, Any]) -> Any:
    from khenthuong.model.batch import Batch

    return Batch.model_validate(data)


def plan_for(batch: Any) -> tuple[Any, Any, Any]:
    from khenthuong.packs.registry import PackRegistry
    from khenthuong.ranking.policy import compile_policy

    day = batch.batch.decision_date
    resolved = PackRegistry().for_date(day, PROVINCE, None)
    return resolved, resolved.plan(day), compile_policy(resolved, day)


def run_record(data: dict[str, Any], reps: int) -> dict[str, Any]:
    from khenthuong.bulk.rank import rank_lean
    from khenthuong.engine.evaluate import evaluate_nominations

    batch = load_batch_objects(data)
    resolved, plan, policy = plan_for(batch)
    gc.freeze()

    def once() -> Any:
        done = evaluate_nominations(plan, batch)
        return done, rank_lean(resolved, done.evaluation, done.decisions, policy)

    cpu, wall, (done, lean) = best(once, reps)
    rows = khenthuong_rows(batch, done.decisions, lean)
    # trace consistency: rebuilt facts give the stored truths (a sample)
    sample = done.decisions[:: max(1, len(done.decisions) // 2000)]
    consistent = all(tuple(r.holds for r in d.results) == d.truths for d in sample)
    return {"cpu": cpu, "wall": wall, "rows": rows, "traces_consistent": consistent}


def run_vector(data: dict[str, Any], reps: int) -> dict[str, Any]:
    from khenthuong.bulk.vector_rank import rank_vector
    from khenthuong.engine.vector import VECTORISED, PeopleColumns, evaluate_vector
    from khenthuong.model.vocab import Award

    batch = load_batch_objects(data)
    resolved, plan, policy = plan_for(batch)
    awards = [Award(a) for a in AWARDS]
    ccpu, _, columns = best(lambda: PeopleColumns.from_people(batch.people), 1)

    def once() -> Any:
        result = evaluate_vector(plan, batch, awards, columns=columns)
        return result, rank_vector(resolved, result, policy)

    cpu, wall, (result, placed) = best(once, reps)
    code = {0: False, 1: None, 2: True}
    outs = [result.awards[a].outcome.tolist() for a in awards]
    sel = placed[Award.CHIEN_SI_THI_DUA_CO_SO].selected.tolist()
    rows = [
        (*tuple(code[o[i]] for o in outs), {1: True, 0: False, -1: None}[sel[i]])
        for i in range(len(batch.people))
    ]
    return {
        "cpu": cpu,
        "wall": wall,
        "columns_cpu": ccpu,
        "rows": rows,
        "vectorised": sorted(result.vectorised().items()),
        "predicates_vectorised": list(VECTORISED),
    }


def run_interleaved(data: dict[str, Any], reps: int) -> dict[str, Any]:
    """Baseline, per-record and vectorised timed in turn in one process, `reps` rounds.

    Interleaving makes the three see the same machine (load drifts on a shared host); each
    engine's figure is its best round.
    """
    from khenthuong.bulk.rank import rank_lean
    from khenthuong.bulk.vector_rank import rank_vector
    from khenthuong.engine.evaluate import evaluate_nominations
    from khenthuong.engine.vector import PeopleColumns, evaluate_vector
    from khenthuong.model.vocab import Award

    batch = load_batch_objects(data)
    resolved, plan, policy = plan_for(batch)
    awards = [Award(a) for a in AWARDS]
    columns = PeopleColumns.from_people(batch.people)
    gc.freeze()  # the batch, plan and columns stay: collections between runs skip them

    def record() -> Any:
        done = evaluate_nominations(plan, batch)
        return rank_lean(resolved, done.evaluation, done.decisions, policy)

    engines: dict[str, Callable[[], Any]] = {
        "baseline": lambda: baseline.evaluate(data["people"], data["units"], YEAR, DAY),
        "record": record,
        "vector": lambda: rank_vector(
            resolved, evaluate_vector(plan, batch, awards, columns=columns), policy
        ),
    }
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in engines}
    for _ in range(reps):
        for name, fn in engines.items():
            gc.collect()  # free what the previous run left (outside the timed span)
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            times[name].append((time.process_time() - c0, time.perf_counter() - w0))
    return {"best": {k: min(v) for k, v in times.items()}, "rounds": times}


def run_peer(kind: str, data: dict[str, Any], reps: int) -> dict[str, Any]:
    # the baseline in this child, just before the peer is set up: the pair sees the same machine,
    # and the peer's engine state is not yet in the process
    base_cpu, _, _ = best(
        lambda: baseline.evaluate(data["people"], data["units"], YEAR, DAY), max(reps, 3)
    )
    if kind == "zen":
        from peers.zen_adapter import ZenPeer

        peer: Any = ZenPeer()
    else:
        from peers.durable_adapter import DurablePeer

        peer = DurablePeer()
    cpu, wall, rows = best(lambda: peer.evaluate(data["people"], data["units"], YEAR, DAY), reps)
    return {"cpu": cpu, "wall": wall, "rows": rows, "baseline_cpu": base_cpu}


def run_loading(n: int, reps: int) -> dict[str, Any]:
    from pydantic import TypeAdapter

    from khenthuong.model.fast import PeopleLoader
    from khenthuong.model.subjects import Person

    lines = jsonl(n).read_bytes().splitlines()
    loader = PeopleLoader()
    chunk = 20_000

    def fast() -> int:
        count = 0
        for i in range(0, len(lines), chunk):
            people, errors = loader.load(lines[i : i + chunk])
            assert not errors
            count += len(people)
        return count

    cpu, wall, count = best(fast, reps)
    full = TypeAdapter(list[Person])
    data = b"[" + b",".join(lines) + b"]"
    fcpu, _, _ = best(lambda: full.validate_json(data), 1)
    jcpu, _, _ = best(lambda: [json.loads(x) for x in lines], 1)
    return {
        "cpu": cpu,
        "wall": wall,
        "people": count,
        "person_model_cpu": fcpu,
        "json_loads_cpu": jcpu,
        "fallbacks": loader.fallbacks,
    }


def run_bulk(n: int, workers: int) -> dict[str, Any]:
    """`khenthuong bulk` on `n` people, as a separate process (wall time, peak memory of its tree)."""
    source = jsonl(n)
    out = RESULTS / f"decisions-{n}.jsonl"
    summary = RESULTS / f"summary-{n}.json"
    command = [
        sys.executable,
        "-m",
        "khenthuong",
        "bulk",
        str(source),
        "--out",
        str(out),
        "--year",
        str(YEAR),
        "--as-of",
        DAY,
        "--province",
        PROVINCE,
        *(f"--award={a}" for a in AWARDS),
        "--summary",
        str(summary),
    ]
    if workers:
        command += ["--workers", str(workers)]
    t0 = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    with RssSampler(process.pid) as rss:
        _, err = process.communicate()
    wall = time.perf_counter() - t0
    if process.returncode != 0:
        raise RuntimeError(f"khenthuong bulk failed: {err.decode(errors='replace')}")
    done = json.loads(summary.read_text(encoding="utf-8"))
    summary.unlink()
    return {
        "wall": wall,
        "people": done["people"],
        "rss_mb": rss.peak,
        "engine": done["engine"],
        "workers": done["workers"],
        "out": str(out),
    }


def bulk_rows(path: Path, people: int) -> list[Row]:
    """The decisions file read back as rows like the other engines' (for the cross-check)."""
    by: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    with path.open(encoding="utf-8") as f:
        next(f)
        for line in f:
            r = json.loads(line)
            if r["candidate"] not in by:
                by[r["candidate"]] = {}
                order.append(r["candidate"])
            by[r["candidate"]][r["award"]] = r
    code = {"eligible": True, "ineligible": False, "undetermined": None}
    rows = []
    for pid in order[:people]:
        recs = by[pid]
        rows.append(
            (
                *tuple(code[recs[a]["outcome"]] for a in AWARDS),
                recs["chien_si_thi_dua_co_so"]["selected"],
            )
        )
    return rows


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="≤ 4 minutes: e2e on 300k, fewer reps")
    ap.add_argument("--people", type=int, default=100_000, help="people for the engines")
    ap.add_argument("--peer-people", type=int, default=None, help="people for zen/durable")
    ap.add_argument("--e2e-people", type=int, default=None, help="people for the end-to-end run")
    ap.add_argument("--workers", type=int, default=0, help="bulk worker processes (0: cores)")
    ap.add_argument("--no-peers", action="store_true", help="skip zen-engine and durable_rules")
    args = ap.parse_args()
    quick = args.quick
    n = args.people
    peer_n = args.peer_people or (10_000 if quick else 20_000)
    e2e_n = args.e2e_people or (300_000 if quick else 1_000_000)
    reps = 5 if quick else 7
    started = time.perf_counter()
    RESULTS.mkdir(parents=True, exist_ok=True)
    load1 = os.getloadavg()[0]
    print(f"load average {load1:.2f} on {os.cpu_count()} cores; generating {n} people…", flush=True)

    def say(what: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {what}", flush=True)

    data = dataset(n)
    rows: list[dict[str, Any]] = []
    missed: list[str] = []

    def add(
        engine: str, size: int, r: dict[str, Any], rss: float, base_us: float, **extra: Any
    ) -> None:
        us = r["cpu"] / size * 1e6
        rows.append(
            {
                "engine": engine,
                "people": size,
                "us_per_person": round(us, 3),
                "ratio_to_baseline": round(us / base_us, 3) if base_us else None,
                "peak_rss_mb": round(rss, 1),
                **extra,
            }
        )

    say(f"baseline, per-record and vectorised in turn, {reps} rounds…")
    interleaved, _ = in_child(lambda: run_interleaved(data, reps))
    timed = interleaved["best"]
    rounds = interleaved["rounds"]
    # Per-round ratios: in each round the engines ran back to back, so a ratio of one round
    # compares them under the same load; their median is what target 1 is judged on (the ratio
    # of the best rounds is printed too: it compares two different moments of a drifting host).
    paired_1 = sorted(
        r[0] / b[0] for r, b in zip(rounds["record"], rounds["baseline"], strict=True)
    )
    paired_2 = sorted(
        b[0] / v[0] for v, b in zip(rounds["vector"], rounds["baseline"], strict=True)
    )
    say("each engine's decisions and peak memory, for the cross-check…")
    base, base_rss = in_child(lambda: run_baseline(data, 1))
    base["cpu"], base["wall"] = timed["baseline"]
    base_us = base["cpu"] / n * 1e6
    add(
        "hand-written baseline",
        n,
        base,
        base_rss,
        base_us,
        wall_us=round(base["wall"] / n * 1e6, 3),
    )
    rec, rec_rss = in_child(lambda: run_record(data, 1))
    rec["cpu"], rec["wall"] = timed["record"]
    same_rec = rec["rows"] == base["rows"]
    add(
        "khenthuong per-record (traced)",
        n,
        rec,
        rec_rss,
        base_us,
        same_as_khenthuong=True,
        baseline_equal=same_rec,
        traces_consistent=rec["traces_consistent"],
    )
    vec, vec_rss = in_child(lambda: run_vector(data, 1))
    vec["cpu"], vec["wall"] = timed["vector"]
    same_vec = vec["rows"] == rec["rows"]
    add(
        "khenthuong vectorised (columns given)",
        n,
        vec,
        vec_rss,
        base_us,
        same_as_khenthuong=same_vec,
    )
    rows.append(
        {
            "engine": "  building the columns from model objects",
            "people": n,
            "us_per_person": round(vec["columns_cpu"] / n * 1e6, 3),
            "ratio_to_baseline": round(vec["columns_cpu"] / n * 1e6 / base_us, 3),
            "peak_rss_mb": None,
        }
    )
    say("loading…")
    load, load_rss = in_child(lambda: run_loading(n, 2 if quick else 3))
    add("loading: JSON → validated Person (fast)", n, load, load_rss, base_us)
    for key, label in (
        ("person_model_cpu", "  loading with the ordinary Person model"),
        ("json_loads_cpu", "  json.loads alone (no validation)"),
    ):
        rows.append(
            {
                "engine": label,
                "people": n,
                "us_per_person": round(load[key] / n * 1e6, 3),
                "ratio_to_baseline": round(load[key] / n * 1e6 / base_us, 3),
                "peak_rss_mb": None,
            }
        )
    ratio_zen = ratio_durable = None
    peers_ok = True
    if not args.no_peers:
        say(f"zen-engine and durable_rules on {peer_n} people…")
        small = dataset(peer_n)
        sbase, _ = in_child(lambda: run_baseline(small, reps))
        srec, _ = in_child(lambda: run_record(small, 1))
        sbase_us = sbase["cpu"] / peer_n * 1e6
        add("hand-written baseline (peer size)", peer_n, sbase, 0.0, sbase_us)
        for kind, label in (("zen", "zen-engine"), ("durable", "durable_rules")):
            try:
                peer, peer_rss = in_child(lambda kind=kind: run_peer(kind, small, 2))
            except RuntimeError as exc:
                print(f"{label}: not run ({exc})", flush=True)
                peers_ok = False
                continue
            same = peer["rows"] == srec["rows"]
            peers_ok &= same
            paired_us = peer["baseline_cpu"] / peer_n * 1e6  # the baseline in the peer's child
            add(
                label,
                peer_n,
                peer,
                peer_rss,
                paired_us,
                same_as_khenthuong=same,
                baseline_us_same_child=round(paired_us, 3),
            )
            ratio = peer["cpu"] / peer["baseline_cpu"]  # paired: measured in the same child
            if kind == "zen":
                ratio_zen = ratio
            else:
                ratio_durable = ratio
    # end to end: the bulk command's path, on e2e_n and e2e_n / 10 people
    say(f"end to end on {e2e_n} and {e2e_n // 10} people…")
    jsonl(e2e_n)
    small_e2e = run_bulk(e2e_n // 10, args.workers)
    big_e2e = run_bulk(e2e_n, args.workers)
    e2e_data = dataset(e2e_n // 10)
    e2e_base, _ = in_child(lambda: run_baseline(e2e_data, 1))
    bulk_same = bulk_rows(Path(small_e2e["out"]), e2e_n // 10) == e2e_base["rows"]
    scaling = big_e2e["wall"] / small_e2e["wall"]
    base_wall_us = base["wall"] / n * 1e6
    e2e_ratio = big_e2e["wall"] / e2e_n * 1e6 / base_wall_us
    for r in (small_e2e, big_e2e):
        rows.append(
            {
                "engine": f"end to end: khenthuong bulk ({r['engine']}, {r['workers']} workers, wall)",
                "people": r["people"],
                "us_per_person": round(r["wall"] / r["people"] * 1e6, 3),
                "ratio_to_baseline": round(r["wall"] / r["people"] * 1e6 / base_wall_us, 3),
                "peak_rss_mb": round(r["rss_mb"], 1),
                "same_as_khenthuong": bulk_same if r is small_e2e else None,
            }
        )
    # ------------------------------------------------------------------ targets
    r1_best = rec["cpu"] / base["cpu"]
    r2_best = base["cpu"] / vec["cpu"]
    r1 = paired_1[len(paired_1) // 2]
    r2 = paired_2[len(paired_2) // 2]
    r4 = load["cpu"] / base["cpu"]
    checks = {
        "1": r1 <= 2.0 and same_rec and rec["traces_consistent"],
        "2": r2 >= 5.0 and same_vec,
        "3": e2e_ratio <= 10.0
        and big_e2e["rss_mb"] <= RSS_LIMIT_MB
        and scaling <= 11.0
        and bulk_same,
        "4": r4 <= 3.0,
    }
    if not args.no_peers:
        checks["1a"] = ratio_zen is not None and ratio_zen >= 3.0 and peers_ok
        checks["1b"] = ratio_durable is not None and ratio_durable >= 10.0 and peers_ok
    missed = [k for k, ok in checks.items() if not ok]
    # ------------------------------------------------------------------ print and save
    width = max(len(r["engine"]) for r in rows)
    print()
    print(
        f"{'engine':<{width}}  {'people':>9}  {'µs/person':>10}  {'× baseline':>10}  {'peak RSS MB':>11}  same"
    )
    for r in rows:
        same = r.get("same_as_khenthuong")
        ratio = r["ratio_to_baseline"]
        rss = r["peak_rss_mb"]
        print(
            f"{r['engine']:<{width}}  {r['people']:>9}  {r['us_per_person']:>10.2f}  "
            f"{'' if ratio is None else f'{ratio:.2f}':>10}  {'' if not rss else f'{rss:.0f}':>11}  "
            f"{'' if same is None else ('yes' if same else 'NO')}"
        )
    print()
    print(
        f"target 1: per-record (traced) / baseline = {r1:.2f} (≤ 2.0; median of {len(paired_1)} "
        f"paired rounds {', '.join(f'{x:.2f}' for x in paired_1)}; best / best {r1_best:.2f}); "
        f"decisions equal: {same_rec}; traces consistent: {rec['traces_consistent']}"
    )
    if ratio_zen is not None:
        print(f"  1a: zen-engine / baseline = {ratio_zen:.1f} (≥ 3)")
    if ratio_durable is not None:
        print(f"  1b: durable_rules / baseline = {ratio_durable:.1f} (≥ 10)")
    print(
        f"target 2: baseline / vectorised = {r2:.1f} (≥ 5.0; median of paired rounds; best / best "
        f"{r2_best:.1f}); decisions equal: {same_vec}"
    )
    print(
        f"target 3: end to end / baseline = {e2e_ratio:.2f} (≤ 10) on {e2e_n} people; peak RSS "
        f"{big_e2e['rss_mb']:.0f} MB (≤ {RSS_LIMIT_MB}); 10× people → {scaling:.2f}× time (≤ 11); "
        f"decisions equal: {bulk_same}"
    )
    print(
        f"target 4: loading / baseline = {r4:.2f} (≤ 3.0, i.e. ≤ 15 µs at a 5 µs baseline); "
        f"{load['cpu'] / n * 1e6:.1f} µs per person here"
    )
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full",
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cores": os.cpu_count(),
            "load_average_start": load1,
            "load_average_end": os.getloadavg()[0],
        },
        "gc": "paused for every engine (khenthuong.bulk.gcpause / gc.disable)",
        "timing": "CPU time, best of repetitions; targets 1 and 2: median of per-round ratios "
        "(engines run back to back in each round); peers: against the baseline run in the same "
        "child; end to end: wall time",
        "repetitions": reps,
        "rows": rows,
        "ratios": {
            "1": round(r1, 3),
            "1_rounds": [round(x, 3) for x in paired_1],
            "1_best_over_best": round(r1_best, 3),
            "2_rounds": [round(x, 3) for x in paired_2],
            "2_best_over_best": round(r2_best, 3),
            "1a": None if ratio_zen is None else round(ratio_zen, 2),
            "1b": None if ratio_durable is None else round(ratio_durable, 2),
            "2": round(r2, 2),
            "3": {
                "e2e": round(e2e_ratio, 3),
                "rss_mb": round(big_e2e["rss_mb"], 1),
                "scaling": round(scaling, 3),
            },
            "4": round(r4, 3),
        },
        "vectorised": vec["vectorised"],
        "targets": {k: {"text": TARGETS[k], "met": ok} for k, ok in checks.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{'quick' if quick else 'full'}-{stamp}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for r in (small_e2e, big_e2e):
        Path(r["out"]).unlink(missing_ok=True)
    print(f"written {path.relative_to(HERE.parent)} in {report['seconds']:.0f} s")
    print("all targets met" if not missed else f"targets missed: {', '.join(missed)}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
