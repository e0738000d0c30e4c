"""Atomic outputs: a file is written whole or not at all, and an interrupted run writes nothing.

The signal tests run `khenthuong check --out` in a real process. The batch is fed through a named
pipe so the test knows the process is running (it has opened the pipe) before the signal is sent,
then the signal arrives while the large batch is being parsed and evaluated.
"""

from __future__ import annotations

import ast
import errno
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from khenthuong import atomic
from khenthuong.cli import main

ROOT = Path(__file__).parent.parent
POSIX = os.name == "posix" and hasattr(os, "mkfifo")


def leftovers(folder: Path) -> list[str]:
    """Temporary files of atomic writes still in `folder`."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(atomic.TEMP_SUFFIX))


# --- write_bytes ---------------------------------------------------------------------------------


def test_write_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "out.json"
    atomic.write_text(target, "một\n")
    atomic.write_bytes(target, b"hai\n")
    assert target.read_bytes() == b"hai\n"
    assert leftovers(target.parent) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_new_file_gets_ordinary_permissions_and_a_replaced_file_keeps_its_own(
    tmp_path: Path,
) -> None:
    fresh = tmp_path / "fresh.txt"
    atomic.write_text(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~atomic._UMASK
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    atomic.write_text(kept, "new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


@pytest.mark.parametrize("failure", [KeyboardInterrupt(), OSError(errno.ENOSPC, "No space left")])
def test_failure_during_write_keeps_the_old_file_and_removes_the_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old report")

    def broken_fsync(fd: int) -> None:
        raise failure

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    with pytest.raises(type(failure)):
        atomic.write_text(target, "new report, cut short")
    assert target.read_text() == "old report"
    assert leftovers(tmp_path) == []


def test_rename_onto_a_folder_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(IsADirectoryError):
        atomic.write_text(tmp_path / "out", "x")
    assert leftovers(tmp_path) == []


def test_concurrent_writers_leave_one_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "shared.txt"
    payloads = [bytes([65 + i]) * 200_000 for i in range(8)]
    threads = [threading.Thread(target=atomic.write_bytes, args=(target, p)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert target.read_bytes() in payloads
    assert leftovers(tmp_path) == []


# --- the CLI ------------------------------------------------------------------------------------

SMALL = """\
batch: {id: b, year: 2021, as_of: 2021-12-15}
people:
  - {id: P1, name: Nông Thị Hoa, history: [{year: 2021, rating: HTXSNV}]}
nominations:
  - {candidate: P1, award: lao_dong_tien_tien}
"""


def test_cli_out_into_an_unwritable_place_is_exit_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "b.yaml"
    batch.write_text(SMALL, encoding="utf-8")
    (tmp_path / "taken").mkdir()
    assert main(["check", str(batch), "--out", str(tmp_path / "taken")]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err
    assert "Traceback" not in err
    assert leftovers(tmp_path) == []


def test_cli_interrupted_while_writing_leaves_the_old_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = tmp_path / "b.yaml"
    batch.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "out.json"
    out.write_text("previous run")

    def ctrl_c(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", ctrl_c)
    assert main(["check", str(batch), "--format", "json", "--out", str(out)]) == 130
    assert "interrupted; no output was written" in capsys.readouterr().err
    assert out.read_text() == "previous run"
    assert leftovers(tmp_path) == []


def test_cli_writes_the_output_when_not_interrupted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "b.yaml"
    batch.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "o" / "out.json"
    assert main(["check", str(batch), "--format", "json", "--out", str(out), "--exit-zero"]) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text(encoding="utf-8").startswith("{")
    assert leftovers(out.parent) == []


# --- signals in a real process ------------------------------------------------------------------


def big_batch(people: int) -> bytes:
    """A batch that takes a few seconds to parse and evaluate."""
    lines = ["batch: {id: big, year: 2021, as_of: 2021-12-15}", "units:", "  - {id: U1, name: Sở}"]
    lines.append("people:")
    for i in range(people):
        lines.append(
            f"  - id: P{i}\n    name: Người số {i}\n    unit: U1\n    recruited_on: 2010-01-01\n"
            "    attestations: {ethics: true, compliance: true, emulation: true, study: true,"
            " solidarity: true}\n    history:\n"
            "      - {year: 2019, rating: HTXSNV, titles: [lao_dong_tien_tien]}\n"
            "      - {year: 2020, rating: HTXSNV, titles: [lao_dong_tien_tien]}\n"
            "      - {year: 2021, rating: HTXSNV}\n"
            f"    initiatives: [{{id: SK{i}, year: 2021, scope: co_so}}]"
        )
    lines.append("nominations:")
    lines += [f"  - {{candidate: P{i}, award: chien_si_thi_dua_co_so}}" for i in range(people)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _open_writer(fifo: Path, proc: subprocess.Popen[bytes], timeout: float) -> int:
    """Open the pipe for writing once the child has opened it for reading (it is in `check`)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the process never opened the batch: {proc.communicate()[1]!r}")
            time.sleep(0.02)
            continue
        os.set_blocking(fd, True)
        return fd


@pytest.mark.skipif(not POSIX, reason="named pipes and POSIX signals")
@pytest.mark.parametrize(
    ("sig", "code", "said"),
    [
        (signal.SIGTERM, 128 + signal.SIGTERM, "interrupted by SIGTERM"),
        (signal.SIGINT, 130, "interrupted"),
    ],
)
@pytest.mark.parametrize("had_output", [False, True])
def test_signal_mid_run_leaves_no_output(
    tmp_path: Path, sig: int, code: int, said: str, had_output: bool
) -> None:
    fifo = tmp_path / "batch.yaml"
    os.mkfifo(fifo)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "result.json"
    if had_output:
        out.write_text("previous run")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("KHENTHUONG_DEBUG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "khenthuong", "check", str(fifo), "--format", "json", "--out", out],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    fd = _open_writer(fifo, proc, timeout=60)
    try:
        os.write(fd, big_batch(3000))  # returns once the child has read nearly all of it
    finally:
        os.close(fd)
    time.sleep(0.1)  # the child is now parsing and evaluating a batch that takes seconds
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    message = stderr.decode("utf-8")
    assert proc.returncode == code, message
    assert said in message
    assert "no output was written" in message
    assert "Traceback" not in message
    assert stdout == b""
    if had_output:
        assert out.read_text() == "previous run"
    else:
        assert not out.exists()
    assert sorted(p.name for p in out_dir.iterdir()) == (["result.json"] if had_output else [])


# --- every writer goes through khenthuong.atomic ------------------------------------------------

# Modules allowed to write files themselves, and why that is still all-or-nothing.
WRITERS_ALLOWED = {
    "atomic.py": "the atomic writer itself",
    "report/csv_out.py": "writes a CSV folder into a temporary folder that is renamed into place",
}


def _writes(tree: ast.AST) -> list[int]:
    """Lines that open a file for writing or call write_text/write_bytes on a path."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("write_text", "write_bytes") and isinstance(func, ast.Attribute):
            owner = func.value
            if not (isinstance(owner, ast.Name) and owner.id == "atomic"):
                lines.append(node.lineno)
        elif name == "open":
            modes = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "mode")]
            for mode in modes:
                if isinstance(mode, ast.Constant) and any(c in str(mode.value) for c in "wax+"):
                    lines.append(node.lineno)
    return lines


def test_every_output_file_is_written_atomically() -> None:
    src = ROOT / "src" / "khenthuong"
    offenders = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if rel in WRITERS_ALLOWED:
            continue
        lines = _writes(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{rel}:{line}" for line in lines]
    assert offenders == [], "write through khenthuong.atomic.write_bytes/write_text instead"
