"""`khenthuong bulk`: streamed decisions equal `check`'s, whatever the engine, workers or format.

The people come from the benchmark's seeded generator (benchmarks/generate.py), grouped by unit.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from khenthuong.bulk import BulkOptions, run_bulk
from khenthuong.bulk.records import SCHEMA
from khenthuong.cli import main
from khenthuong.errors import InputError
from khenthuong.model.batch import Batch
from khenthuong.model.vocab import Award
from khenthuong.runner import evaluate_batch
from tests.helpers import bench_generator

generate = bench_generator()

AWARDS = tuple(Award(a) for a in generate.AWARDS)
OPTIONS = BulkOptions(
    year=2024, as_of=dt.date(2024, 12, 15), province="cao-bang", awards=AWARDS, chunk_size=70
)


@pytest.fixture(scope="module")
def people() -> list[dict[str, Any]]:
    return list(generate.people(260, 2024, seed=7))


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, people: list[dict[str, Any]]) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "people.jsonl"
    path.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in people), encoding="utf-8"
    )
    return path


def _records(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return json.loads(lines[0]), [json.loads(x) for x in lines[1:]]


@pytest.fixture(scope="module")
def expected(people: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[Any, ...]]:
    """What `check` decides and selects for the same people."""
    data = generate.batch(0, 2024)
    data["people"] = people
    data["units"] = generate.units_for(people)
    for u in data["units"]:
        u.pop("headcount")
    data["nominations"] = [{"candidate": p["id"], "award": a.value} for p in people for a in AWARDS]
    data["batch"]["province"] = "cao-bang"
    result = evaluate_batch(Batch.model_validate(data))
    placed = {
        (p.candidate, p.award.value): (p.selected, p.rank)
        for r in result.rankings
        for p in r.placements
    }
    return {
        (d.candidate, d.award.value): (
            d.outcome.value,
            d.rule.id if d.rule else None,
            "".join({True: "T", False: "F", None: "?"}[t] for t in d.truths),
            *placed.get((d.candidate, d.award.value), (None, None)),
        )
        for d in result.decisions
    }


@pytest.mark.parametrize(("engine", "workers"), [("record", 1), ("vector", 1), ("vector", 2)])
def test_bulk_decides_as_check_does(
    engine: str,
    workers: int,
    source: Path,
    tmp_path: Path,
    expected: dict[tuple[str, str], tuple[Any, ...]],
) -> None:
    out = tmp_path / "decisions.jsonl"
    summary = run_bulk(source, out, _with(engine=engine, workers=workers))
    header, records = _records(out)
    assert header["schema"] == SCHEMA
    assert header["pack"] == {"id": "vn-2024", "layers": ["vn-2024", "cao-bang"]}
    assert summary.people == 260
    assert summary.engine == engine
    assert summary.chunks > 1
    got = {
        (r["candidate"], r["award"]): (
            r["outcome"],
            r["rule"],
            r["truths"],
            r["selected"],
            r["rank"],
        )
        for r in records
    }
    assert got == expected
    assert sum(summary.outcomes["chien_si_thi_dua_co_so"].values()) == 260
    assert not list(tmp_path.glob(".*.tmp"))


def _with(**changes: Any) -> BulkOptions:
    return dataclasses.replace(OPTIONS, **changes)


def test_csv_input_gives_the_same_records(
    source: Path, people: list[dict[str, Any]], tmp_path: Path
) -> None:
    columns = [
        "id",
        "name",
        "gender",
        "unit",
        "employment",
        "recruited_on",
        "frontline",
        "areas",
        "history",
        "initiatives",
        "disciplines",
        "pending_cases",
        "commendations",
        "attestations",
    ]
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for p in people:
            row = []
            for c in columns:
                v = p.get(c)
                if v is None:
                    row.append("")
                elif c == "areas":
                    row.append(";".join(v))
                elif isinstance(v, bool):
                    row.append("true" if v else "false")
                elif isinstance(v, list | dict):
                    row.append(json.dumps(v, ensure_ascii=False))
                else:
                    row.append(str(v))
            w.writerow(row)
    run_bulk(path, tmp_path / "from-csv.jsonl", _with(workers=1))
    run_bulk(source, tmp_path / "from-jsonl.jsonl", _with(workers=1))
    assert _records(tmp_path / "from-csv.jsonl")[1] == _records(tmp_path / "from-jsonl.jsonl")[1]


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def test_people_of_a_unit_must_come_together(tmp_path: Path) -> None:
    rows = [{"id": f"P{i}", "name": "A", "unit": u} for i, u in enumerate(["U1", "U1", "U2", "U1"])]
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    with pytest.raises(InputError) as caught:
        run_bulk(_write(tmp_path / "p.jsonl", rows), out, _with(workers=1))
    (d,) = caught.value.diagnostics
    assert (d.code, d.location.line) == ("KT751", 4)
    assert out.read_text() == "old\n"  # the old file is kept whole
    assert not list(tmp_path.glob(".*.tmp"))


def test_invalid_people_stop_the_run_or_are_skipped(tmp_path: Path) -> None:
    rows = [
        {"id": "P1", "name": "A", "unit": "U1"},
        {"id": "P2", "name": "B", "unit": "U1", "history": [{"year": 2024, "rating": "giỏi"}]},
        {"id": "P3", "name": "C", "unit": "U1", "history": [{"year": 2026}]},
    ]
    source = _write(tmp_path / "p.jsonl", rows)
    with pytest.raises(InputError) as caught:
        run_bulk(source, tmp_path / "out.jsonl", _with(workers=1))
    assert [(d.code, d.location.line) for d in caught.value.diagnostics] == [
        ("KT752", 2),
        ("KT162", 3),
    ]
    summary = run_bulk(source, tmp_path / "out.jsonl", _with(workers=1, skip_invalid=True))
    assert (summary.people, summary.skipped) == (1, 2)
    assert {r["candidate"] for r in _records(tmp_path / "out.jsonl")[1]} == {"P1"}


def test_a_person_twice_across_chunks_is_refused(tmp_path: Path) -> None:
    rows = [{"id": "P1", "name": "A", "unit": "U1"}, {"id": "P1", "name": "A", "unit": "U2"}]
    with pytest.raises(InputError) as caught:
        run_bulk(
            _write(tmp_path / "p.jsonl", rows), tmp_path / "o.jsonl", _with(workers=1, chunk_size=1)
        )
    assert caught.value.diagnostics[0].code == "KT753"


def test_units_with_parents_rank_over_the_top_unit(tmp_path: Path) -> None:
    from khenthuong.model.subjects import Unit

    rows = [
        {
            "id": f"P{i}",
            "name": "A",
            "unit": u,
            "recruited_on": "2010-01-01",
            "history": [{"year": 2024, "rating": "HTXSNV"}],
            "attestations": {"solidarity": True, "emulation": True},
        }
        for i, u in enumerate(["A1"] * 4 + ["A2"] * 4 + ["B"] * 3)
    ]
    units = (
        Unit(id="A", name="A"),
        Unit(id="A1", name="A1", parent="A"),
        Unit(id="A2", name="A2", parent="A"),
    )
    out = tmp_path / "o.jsonl"
    for engine in ("vector", "record"):
        run_bulk(
            _write(tmp_path / "p.jsonl", rows),
            out,
            _with(workers=1, units=units, engine=engine, chunk_size=1),
        )
        records = [r for r in _records(out)[1] if r["award"] == "chien_si_thi_dua_co_so"]
        scopes = {r["candidate"]: r["quota"]["scope"] for r in records}
        assert scopes["P0"] == scopes["P5"] == "A"  # A1 and A2 count together, under A
        assert {r["quota"]["base"] for r in records if r["quota"]["scope"] == "A"} == {8}
        assert sum(r["selected"] is True for r in records if r["quota"]["scope"] == "A") == 1


def test_the_cli_writes_the_decisions_and_a_summary(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, summary = tmp_path / "d.jsonl", tmp_path / "s.json"
    code = main(
        [
            "bulk",
            str(source),
            "--out",
            str(out),
            "--year",
            "2024",
            "--as-of",
            "2024-12-15",
            "--province",
            "cao-bang",
            "--award",
            "LĐTT",
            "--award",
            "chien_si_thi_dua_co_so",
            "--workers",
            "1",
            "--summary",
            str(summary),
        ]
    )
    assert code == 0
    assert json.loads(summary.read_text())["people"] == 260
    assert "260 people, 520 decisions" in capsys.readouterr().err
    assert main(["bulk", str(source), "--out", str(out)]) == 2
    assert (
        main(
            ["bulk", str(source), "--out", str(out), "--year", "2024", "--award", "co_thi_dua_tinh"]
        )
        == 2
    )


def test_the_command_with_worker_processes_finishes(source: Path, tmp_path: Path) -> None:
    # The CLI turns SIGTERM into an exception; its pool workers must not inherit that, or
    # stopping them at the end would hang the run. A separate process, with a time limit.
    out = tmp_path / "d.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "khenthuong",
            "bulk",
            str(source),
            "--out",
            str(out),
            "--year",
            "2024",
            "--province",
            "cao-bang",
            "--workers",
            "2",
            "--chunk-size",
            "50",
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert len(out.read_text(encoding="utf-8").splitlines()) > 260
