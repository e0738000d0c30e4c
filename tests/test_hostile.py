"""The hostile-input corpus (tests/hostile/): every file fails cleanly, located, with exit code 2.

tests/hostile/MANIFEST.yaml lists each corpus file with the code, place and message fragment of
its first diagnostic; files that look odd but are valid (BOMs, UTF-16, NFD text) are listed under
`valid` and must load. Most cases run `khenthuong check` in this process (fast); a sample also
runs as a real subprocess to show that no traceback reaches the terminal.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from khenthuong.batch.load import load_batch
from khenthuong.cli import main

HERE = Path(__file__).parent / "hostile"
MANIFEST: dict[str, Any] = yaml.safe_load((HERE / "MANIFEST.yaml").read_text(encoding="utf-8"))
CASES: dict[str, dict[str, Any]] = MANIFEST["cases"]
VALID: list[str] = MANIFEST["valid"]
PWNED = Path("/tmp/khenthuong-pwned")  # what the !!python tags in the corpus would create
CORPUS_DIRS = ("yaml", "json", "csv", "xlsx")
DIAGNOSTIC = re.compile(r"^(.+?): error\[(KT\d{3})\]: ", re.MULTILINE)


def _corpus_files() -> set[str]:
    found = set()
    for folder in CORPUS_DIRS:
        for path in (HERE / folder).iterdir():
            found.add(f"{folder}/{path.name}")
    return found


def test_manifest_lists_every_corpus_file_and_nothing_else() -> None:
    assert set(CASES) == _corpus_files()
    assert all((HERE / name).exists() for name in VALID)


def test_corpus_is_large_and_covers_every_format() -> None:
    assert len(CASES) >= 60
    for folder, least in (("yaml", 30), ("json", 10), ("csv", 8), ("xlsx", 8)):
        assert sum(name.startswith(f"{folder}/") for name in CASES) >= least, folder


@pytest.fixture(autouse=True)
def _no_pwned_file() -> Any:
    PWNED.unlink(missing_ok=True)
    yield
    assert not PWNED.exists(), "a YAML tag was executed"


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_exits_2_with_a_located_diagnostic(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = CASES[name]
    monkeypatch.chdir(HERE)
    code = main(["check", name, *expected.get("args", [])])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err
    assert "internal error" not in err
    first = DIAGNOSTIC.search(err)
    assert first is not None, err
    assert first.group(2) == expected["code"], err
    assert first.group(1) == expected["at"], err
    assert Path(name).name in first.group(1)
    assert expected["fragment"] in err
    assert "help: " in err  # every diagnostic of the corpus says how to fix it
    assert re.search(r"\d", first.group(1).rsplit("/", 1)[-1]) or _file_level(expected["code"])


def _file_level(code: str) -> bool:
    """Codes about the file as a whole (encoding, size, not a workbook, missing sheet)."""
    return code in {"KT101", "KT106", "KT141", "KT142", "KT143", "KT144"}


@pytest.mark.parametrize("name", VALID)
def test_odd_but_valid_inputs_load(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(HERE)
    code = main(["check", name, "--format", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert err == ""
    assert '"schema": "khenthuong.decisions/1"' in out
    batch = load_batch(HERE / name)
    person = batch.people[0]
    assert person.name == "Nông Thị Hoa"
    assert unicodedata.is_normalized("NFC", person.name)
    assert person.unit == batch.units[0].id


def test_nfd_id_refers_to_the_nfc_id() -> None:
    text = (HERE / "valid" / "nfd-reference.yaml").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFD", "U-Sở-Nội-vụ") in text  # the file really holds NFD
    batch = load_batch(HERE / "valid" / "nfd-reference.yaml")
    assert batch.people[0].unit == "U-Sở-Nội-vụ" == batch.units[0].id
    assert unicodedata.is_normalized("NFC", batch.people[0].unit or "")


SUBPROCESS_SAMPLE = [
    "yaml/billion-laughs.yaml",
    "yaml/tag-python-object-apply.yaml",
    "yaml/windows-1258.yaml",
    "json/deep-nesting.json",
    "csv/impossible-date",
    "xlsx/truncated.xlsx",
]


@pytest.mark.parametrize("name", SUBPROCESS_SAMPLE)
def test_hostile_input_in_a_real_process(name: str) -> None:
    expected = CASES[name]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("KHENTHUONG_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "khenthuong", "check", name, *expected.get("args", [])],
        cwd=HERE,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{expected['at']}: error[{expected['code']}]")
