"""Events per second through the streaming watcher, and what durable_rules' hazards look like.

    python benchmarks/stream_bench.py [--quick] [--people N] [--seed S] [--out PATH]

For each legal regime (vn-2017 judging 2021, vn-2024 judging 2025) a seeded synthetic unit's year
of HR events (registrations, ratings, titles, initiatives, disciplines, pending cases) is posted
one event at a time:

- through a durable_rules watcher (`backend="durable"`),
- through a native watcher, which re-evaluates the person with the native engine after each
  event (`backend="native"`) — the cost the durable backend is compared with,

and the final outcomes are checked against a batch dry-run of the same records. Then the hazards
docs/stream.md describes are measured on durable_rules directly: one ruleset shared by 4 threads,
a fact that matches no rule, and the memory a ruleset keeps until it is freed.

Results are printed and written as JSON (default benchmarks/results/stream.json). Times are wall
clock and CPU (process) time; on a loaded machine the CPU figures are the steadier ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import resource
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from khenthuong.packs.registry import PackRegistry  # noqa: E402
from khenthuong.runner import evaluate_batch  # noqa: E402
from khenthuong.stream import Watcher, durable_available  # noqa: E402
from khenthuong.stream.durable_backend import load_durable  # noqa: E402

RATINGS = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
RATING_WEIGHTS = [0.25, 0.6, 0.12, 0.03]
ATTESTATIONS = ("ethics", "compliance", "emulation", "study", "solidarity")
REGIMES = (("vn-2017", 2021), ("vn-2024", 2025))


# --- a unit's year of events ----------------------------------------------------------------


def unit_events(rng: random.Random, people: int, year: int) -> list[dict[str, Any]]:
    """Registrations first, then each month's events in date order (ratings close the year)."""
    registrations: list[dict[str, Any]] = []
    dated: list[tuple[dt.date, int, dict[str, Any]]] = []

    def at(day: dt.date, event: dict[str, Any]) -> None:
        dated.append((day, len(dated), event))

    for i in range(people):
        pid = f"U1-{i:04d}"
        registrations.append(
            {
                "type": "person_registered",
                "person": pid,
                "name": f"Cán bộ {i}",
                "unit": "U1",
                "employment": rng.choice(["cong_chuc", "vien_chuc", "nguoi_lao_dong"]),
                "recruited_on": (
                    dt.date(year, rng.randint(1, 9), 1)
                    if rng.random() < 0.08
                    else dt.date(rng.randint(1995, year - 1), rng.randint(1, 12), 1)
                ).isoformat(),
                "attestations": {k: rng.random() < 0.97 for k in ATTESTATIONS},
            }
        )
        # the history the HR system already holds, replayed at the start of the year
        run = 0
        for y in range(year - 5, year):
            rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
            at(
                dt.date(year, 1, 2),
                {"type": "rating_recorded", "person": pid, "year": y, "rating": rating},
            )
            if rating in ("HTXSNV", "HTTNV"):
                at(
                    dt.date(year, 1, 2),
                    {
                        "type": "title_awarded",
                        "person": pid,
                        "year": y,
                        "award": "lao_dong_tien_tien",
                    },
                )
                if rating == "HTXSNV" and rng.random() < 0.6:
                    run += 1
                    at(
                        dt.date(year, 1, 2),
                        {
                            "type": "title_awarded",
                            "person": pid,
                            "year": y,
                            "award": "chien_si_thi_dua_co_so",
                        },
                    )
                    if run >= 3 and rng.random() < 0.4:
                        at(
                            dt.date(year, 1, 2),
                            {
                                "type": "title_awarded",
                                "person": pid,
                                "year": y,
                                "award": "chien_si_thi_dua_tinh",
                            },
                        )
                else:
                    run = 0
            if rng.random() < 0.05:
                at(
                    dt.date(year, 1, 2),
                    {"type": "title_awarded", "person": pid, "year": y, "award": "bang_khen_tinh"},
                )
        # the year itself
        for k in range(rng.choice([0, 0, 1, 1, 2, 3])):
            day = dt.date(year, rng.randint(2, 11), rng.randint(1, 28))
            at(
                day,
                {
                    "type": "initiative_recognised",
                    "person": pid,
                    "initiative": f"{pid}-SK{k}",
                    "year": year if rng.random() < 0.7 else year - 1,
                    "scope": rng.choices(["co_so", "tinh", "toan_quoc"], [0.8, 0.17, 0.03])[0],
                    "applied": rng.random() < 0.85,
                },
            )
        if rng.random() < 0.04:
            day = dt.date(year, rng.randint(1, 11), rng.randint(1, 28))
            at(
                day,
                {
                    "type": "discipline_decided",
                    "person": pid,
                    "form": "khien_trach",
                    "decided_on": day.isoformat(),
                    "ends_on": (day + dt.timedelta(days=365)).isoformat(),
                },
            )
        if rng.random() < 0.06:
            opened = dt.date(year, rng.randint(1, 10), rng.randint(1, 28))
            at(
                opened,
                {
                    "type": "pending_case_opened",
                    "person": pid,
                    "case": "C1",
                    "kind": "complaint",
                    "opened_on": opened.isoformat(),
                },
            )
            if rng.random() < 0.7:
                closed = opened + dt.timedelta(days=rng.randint(10, 60))
                at(
                    closed,
                    {
                        "type": "pending_case_closed",
                        "person": pid,
                        "case": "C1",
                        "closed_on": closed.isoformat(),
                    },
                )
        rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
        at(
            dt.date(year, 12, rng.randint(10, 20)),
            {"type": "rating_recorded", "person": pid, "year": year, "rating": rating},
        )
    return registrations + [e for _, _, e in sorted(dated, key=lambda t: (t[0], t[1]))]


# --- timing -----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c


def rss_kb() -> int:
    """Current resident set size (Linux /proc), else the peak."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() // 1024
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else float("inf")


def run_watcher(
    backend: str, pack: str, year: int, events: list[dict[str, Any]], registry: PackRegistry
) -> dict[str, Any]:
    build, post = Clock(), Clock()
    with build:
        w = Watcher(pack, year=year, registry=registry, backend=backend)  # type: ignore[arg-type]
    engine = Clock()
    if w._durable is not None:  # split the durable time: durable_rules calls vs the rest
        decide = w._durable.decide

        def timed(person: str, profile: dict[str, Any]) -> dict[Any, bool]:
            with engine:
                return decide(person, profile)

        w._durable.decide = timed  # type: ignore[method-assign]
    changes = 0
    with post:
        for event in events:
            changes += len(w.post(event))
    dry = Clock()
    with dry:
        result = evaluate_batch(w.to_batch(), pack=pack, registry=registry)
    native = {(d.candidate, d.award): d.outcome for d in result.decisions}
    agree = w.outcomes() == native
    w.close()
    out: dict[str, Any] = {
        "build_ms": round(build.wall * 1000, 2),
        "post_wall_s": round(post.wall, 3),
        "post_cpu_s": round(post.cpu, 3),
        "events_per_s_wall": rate(len(events), post.wall),
        "events_per_s_cpu": rate(len(events), post.cpu),
        "us_per_event_cpu": round(post.cpu / len(events) * 1e6, 1),
        "changes": changes,
        "batch_dry_run_wall_s": round(dry.wall, 3),
        "agrees_with_batch_dry_run": agree,
    }
    if w._durable is not None:
        out["in_durable_calls_cpu_s"] = round(engine.cpu, 3)
        out["share_in_durable_calls"] = round(engine.cpu / post.cpu, 3) if post.cpu else None
    return out


# --- hazards, measured on durable_rules itself -------------------------------------------------


def tiny_ruleset(host: Any, name: str, fired: list[tuple[str, str]]) -> None:
    """LĐTT-like chain: rating ≥ 2 → derived fact → a second rule joins on it."""

    def ldtt(c: Any) -> None:
        fired.append(("ldtt", c.p.pid))
        c.assert_fact({"t": "d", "pid": c.p.pid, "id": "d|" + c.p.pid})

    def cstdcs(c: Any) -> None:
        fired.append(("cstdcs", c.p.pid))

    host.register_rulesets(
        {
            name: {
                "ldtt": {"all": [{"p": {"$and": [{"t": "p"}, {"$gte": {"r": 2}}]}}], "run": ldtt},
                "cstdcs": {
                    "all": [
                        {"p": {"$and": [{"t": "p"}, {"ini": 1}]}},
                        {"d": {"$and": [{"t": "d"}, {"pid": {"p": "pid"}}]}},
                    ],
                    "run": cstdcs,
                },
            }
        }
    )


def shared_by_threads(
    host: Any, name: str, lock: threading.Lock | None, per_thread: int
) -> dict[str, Any]:
    """4 threads assert facts into one ruleset; count calls that return before their own rules ran."""
    fired: list[tuple[str, str]] = []
    tiny_ruleset(host, name, fired)
    late = [0]
    errors: list[str] = []

    def work(k: int) -> None:
        for i in range(per_thread):
            pid = f"{k}-{i}"
            fact = {"t": "p", "pid": pid, "id": "p|" + pid, "r": 3, "ini": 1}
            try:
                if lock is not None:
                    with lock:
                        host.assert_fact(name, fact)
                        done = ("cstdcs", pid) in fired
                else:
                    host.assert_fact(name, fact)
                    done = ("cstdcs", pid) in fired
            except Exception as exc:
                errors.append(repr(exc))
                done = False
            if not done:
                late[0] += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    time.sleep(0.5)  # let a dispatcher thread (stock host) catch up
    calls = 4 * per_thread
    return {
        "calls": calls,
        "returned_before_own_rules_ran": late[0],
        "wrong_share": round(late[0] / calls, 3),
        "fired_eventually": len(fired),
        "expected_fired": 2 * calls,
        "errors": len(errors),
    }


def hazards(quick: bool) -> dict[str, Any]:
    engine, extension = load_durable()
    quiet_host = type("BenchHost", (engine.Host,), {"_run": lambda self: None})()
    stock_host = engine.Host()  # durable's own: starts dispatcher threads
    per_thread = 100 if quick else 400
    out: dict[str, Any] = {
        "threads_shared_ruleset_no_lock": shared_by_threads(
            quiet_host, "h-nolock", None, per_thread
        ),
        "threads_shared_ruleset_stock_host_no_lock": shared_by_threads(
            stock_host, "h-stock", None, per_thread
        ),
        "threads_shared_ruleset_with_lock": shared_by_threads(
            quiet_host, "h-lock", threading.Lock(), per_thread
        ),
    }
    # a fact that no rule matches
    fired: list[tuple[str, str]] = []
    tiny_ruleset(quiet_host, "h-nomatch", fired)
    raised = 0
    n = 200
    for i in range(n):
        try:
            quiet_host.assert_fact("h-nomatch", {"t": "p", "pid": f"x{i}", "id": f"x{i}", "r": 0})
        except engine.MessageNotHandledException:
            raised += 1
    out["fact_matching_no_rule"] = {"asserted": n, "MessageNotHandledException": raised}
    # the registry: one name once; what a ruleset costs and what freeing it gives back
    try:
        tiny_ruleset(quiet_host, "h-nomatch", [])
        out["same_name_twice"] = "accepted"
    except Exception as exc:
        out["same_name_twice"] = str(exc)
    registry = PackRegistry()
    k = 20 if quick else 100
    before = rss_kb()
    clock = Clock()
    with clock:
        kept = [Watcher("vn-2017", year=2021, registry=registry) for _ in range(k)]
    built = rss_kb()
    for w in kept:
        w.close()
    closed = rss_kb()
    del kept
    # Built again after closing: does the peak grow (memory leaked) or not (memory reused)?
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    again = [Watcher("vn-2017", year=2021, registry=registry) for _ in range(k)]
    regrown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
    for w in again:
        w.close()
    out["rulesets"] = {
        "watchers": k,
        "build_ms_each": round(clock.wall / k * 1000, 2),
        "rss_kb_per_ruleset": round((built - before) / k, 1),
        "rss_kb_returned_per_ruleset_by_close": round((built - closed) / k, 1),
        "peak_rss_kb_growth_per_ruleset_rebuilt_after_close": round(regrown / k, 1),
    }
    # facts kept by a ruleset: people in one session
    w = Watcher("vn-2017", year=2021, registry=registry)
    people = 300 if quick else 2000
    before = rss_kb()
    for i in range(people):
        w.post({"type": "person_registered", "person": f"M{i}", "recruited_on": "2010-01-01"})
        w.post({"type": "rating_recorded", "person": f"M{i}", "year": 2021, "rating": "HTTNV"})
    out["rss_kb_per_person_in_session"] = round((rss_kb() - before) / people, 2)
    w.close()
    del extension
    return out


# --- main ----------------------------------------------------------------------------------------


def table(rows: list[tuple[str, ...]]) -> Iterator[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        yield "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small unit, for a smoke run")
    parser.add_argument("--people", type=int, help="people in the unit (default 300, quick 40)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--repeat", type=int, help="runs per backend, the fastest kept (default 3, quick 1)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "stream.json")
    args = parser.parse_args(argv)
    if not durable_available():
        load_durable()  # raises the KT701 error naming the extra
    people = args.people or (40 if args.quick else 300)
    registry = PackRegistry()
    results: dict[str, Any] = {
        "benchmark": "stream",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "people": people,
        "seed": args.seed,
        "quick": args.quick,
        "regimes": {},
    }
    rows = [
        (
            "regime",
            "backend",
            "events",
            "events/s (cpu)",
            "events/s (wall)",
            "µs/event (cpu)",
            "agrees",
        )
    ]
    for pack, year in REGIMES:
        events = unit_events(random.Random(args.seed), people, year)
        regime: dict[str, Any] = {"pack": pack, "year": year, "events": len(events)}
        for backend in ("durable", "native"):
            runs = [
                run_watcher(backend, pack, year, events, registry)
                for _ in range(args.repeat or (1 if args.quick else 3))
            ]
            regime[backend] = r = min(runs, key=lambda run: run["post_cpu_s"])
            r["runs"] = len(runs)
            rows.append(
                (
                    f"{pack}/{year}",
                    backend,
                    str(len(events)),
                    str(r["events_per_s_cpu"]),
                    str(r["events_per_s_wall"]),
                    str(r["us_per_event_cpu"]),
                    str(r["agrees_with_batch_dry_run"]),
                )
            )
        d, n = regime["durable"], regime["native"]
        regime["durable_cost_relative_to_native_reevaluation"] = (
            round(d["post_cpu_s"] / n["post_cpu_s"], 2) if n["post_cpu_s"] else None
        )
        results["regimes"][f"{pack}/{year}"] = regime
    print("\n".join(table(rows)))
    for key, regime in results["regimes"].items():
        print(
            f"{key}: durable costs {regime['durable_cost_relative_to_native_reevaluation']}× the "
            f"native re-evaluation per event; {regime['durable'].get('share_in_durable_calls')} of "
            "its time is inside durable_rules calls"
        )
    results["hazards"] = h = hazards(args.quick)
    print(json.dumps(h, indent=2, ensure_ascii=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    ok = all(
        r[b]["agrees_with_batch_dry_run"]
        for r in results["regimes"].values()
        for b in ("durable", "native")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
