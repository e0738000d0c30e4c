"""Input limits (docs/limits.md): each is configurable, and exceeding it is a clear error reached in
bounded time and memory. YAML is always loaded safely: no tag of a batch or rule file executes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest

from khenthuong.batch.load import MAX_DIAGNOSTICS, batch_from_data, batch_from_text, load_batch
from khenthuong.cli import main
from khenthuong.errors import InputError, PackError
from khenthuong.packs.loader import load_pack
from khenthuong.packs.registry import bundled_rules_dir
from khenthuong.sources import DEFAULT_LIMITS, Limits, load_json, load_yaml

ROOT = Path(__file__).parent.parent


# A guard against runaway work, not a speed target: an unbounded expansion or quadratic scan would take
# hours, a bounded rejection takes about a second. Generous so that a loaded CI machine never flakes;
# speed itself is measured in benchmarks/, never asserted in tests.
RUNAWAY_SECONDS = 60


def codes(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [d.code for d in exc.value.diagnostics]


def laughs(levels: int, width: int = 10) -> str:
    """A "billion laughs" document: `width` ** `levels` values from a few hundred bytes."""
    lines = ["batch: {id: lol, year: 2021}", "l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    lines.append(f"people: [{{id: P1, name: *l{levels}}}]")
    return "\n".join(lines) + "\n"


# --- limits are documented values, configurable ------------------------------------------------


def test_defaults_are_the_documented_ones() -> None:
    doc = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    documented = Limits(
        max_bytes=16 * 1024 * 1024, max_depth=64, max_nodes=4_000_000, max_rows=100_000
    )
    assert documented == DEFAULT_LIMITS
    for shown in ("16 MiB", "64", "4 000 000", "100 000"):
        assert shown in doc
    for option in ("--max-bytes", "--max-depth", "--max-nodes", "--max-rows"):
        assert option in doc


def test_limits_reject_nonsense_and_unknown_names() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Limits(max_rows=0)
    with pytest.raises(ValueError, match="unknown limit"):
        Limits.from_options(max_files=3)
    assert Limits.from_options(max_rows=None, max_depth=5) == Limits(max_depth=5)


@pytest.mark.parametrize(
    ("option", "value"), [("--max-rows", "0"), ("--max-bytes", "ten"), ("--max-depth", "-3")]
)
def test_cli_rejects_bad_limit_values_as_usage_errors(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["check", "x.yaml", option, value])
    assert exit_.value.code == 2
    assert "positive whole number" in capsys.readouterr().err


def test_cli_limit_flags_accept_sizes_with_units(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("batch: {id: b, year: 2021}\n" + "# padding\n" * 200, encoding="utf-8")
    assert main(["check", str(path), "--max-bytes", "1K"]) == 2
    assert "over the limit of 1,024" in capsys.readouterr().err
    assert main(["check", str(path), "--max-bytes", "1M", "--exit-zero"]) == 0


# --- size ---------------------------------------------------------------------------------------


def test_file_size_is_checked_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"batch: {id: b, year: 2021}\n" + b"#" * 5000 + b"\n")
    with pytest.raises(InputError) as info:
        load_batch(path, limits=Limits(max_bytes=1000))
    assert codes(info) == ["KT106"]
    assert "the file is 5,028 bytes, over the limit of 1,000" in str(info.value)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero (POSIX)")
def test_an_endless_input_is_cut_at_the_size_limit(tmp_path: Path) -> None:
    endless = tmp_path / "zero.yaml"
    endless.symlink_to("/dev/zero")
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_batch(endless, limits=Limits(max_bytes=1024 * 1024))
    assert codes(info) == ["KT106"]
    assert "more than 1,048,576 bytes" in str(info.value)
    assert time.perf_counter() - started < RUNAWAY_SECONDS


def test_text_size_is_checked_for_yaml_and_json_text() -> None:
    small = Limits(max_bytes=50)
    for load in (load_yaml, load_json):
        with pytest.raises(InputError) as info:
            load('{"batch": {"id": "b", "year": 2021}, "note": "' + "x" * 100 + '"}', "t", small)
        assert codes(info) == ["KT106"]


# --- depth --------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 999, 5000, 200_000])
def test_deep_yaml_nesting_is_kt104_at_a_line(depth: int) -> None:
    text = "batch: {id: d, year: 2021}\nunits: " + "[" * depth + "]" * depth + "\n"
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_yaml(text, "deep.yaml")
    assert codes(info) == ["KT104"]
    assert info.value.diagnostics[0].location.line == 2
    assert time.perf_counter() - started < RUNAWAY_SECONDS


@pytest.mark.parametrize("depth", [65, 5000, 200_000])
def test_deep_json_nesting_is_kt104_at_a_line(depth: int) -> None:
    text = '{"batch": {"id": "d", "year": 2021},\n "units": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(InputError) as info:
        load_json(text, "deep.json")
    assert codes(info) == ["KT104"]
    assert info.value.diagnostics[0].location.line == 2


def test_depth_limit_is_configurable() -> None:
    text = "batch: {id: d, year: 2021}\npeople: [{id: P1, name: A, history: [{year: 2021}]}]\n"
    assert load_yaml(text, "ok.yaml")[0]["people"][0]["id"] == "P1"
    for load, body in ((load_yaml, text), (load_json, json.dumps(load_yaml(text, "t")[0]))):
        with pytest.raises(InputError) as info:
            load(body, "t", Limits(max_depth=3))
        assert codes(info) == ["KT104"]


# --- alias expansion ----------------------------------------------------------------------------


def test_billion_laughs_is_rejected_quickly_in_process() -> None:
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        batch_from_text(laughs(9), "lol.yaml")  # 10**9 values if expanded
    assert codes(info) == ["KT107"]
    assert info.value.diagnostics[0].location.line is not None
    assert time.perf_counter() - started < RUNAWAY_SECONDS


def test_billion_laughs_keeps_the_process_small(tmp_path: Path) -> None:
    """A fresh process loads a 10**30-value document: rejected in seconds, memory stays small."""
    bomb = tmp_path / "lol.yaml"
    bomb.write_text(laughs(30), encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import resource, sys, time
        from khenthuong.batch.load import load_batch
        from khenthuong.errors import InputError
        def high_water_kib():
            # VmHWM is this process's own peak; ru_maxrss would carry the pytest parent's over exec.
            with open("/proc/self/status") as status:
                return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
        before = high_water_kib()
        started = time.perf_counter()
        try:
            load_batch({str(bomb)!r})
        except InputError as exc:
            code = exc.diagnostics[0].code
        else:
            sys.exit("loaded")
        took = time.perf_counter() - started
        after = high_water_kib()
        print(code, took, after - before, after)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    code, took, grew_kib, peak_kib = proc.stdout.split()
    assert code == "KT107"
    assert float(took) < RUNAWAY_SECONDS, took
    assert int(grew_kib) < 20 * 1024, f"grew by {grew_kib} KiB while loading"
    assert int(peak_kib) < 250 * 1024, f"peak {peak_kib} KiB"


def test_merge_keys_are_counted_like_aliases() -> None:
    text = laughs(8).replace("people: [{id: P1, name: *l8}]", "units:\n  - <<: {x: *l8}\n    id: U")
    with pytest.raises(InputError) as info:
        load_yaml(text, "merge.yaml")
    assert codes(info) == ["KT107"]


def test_shared_anchors_below_the_limit_still_load() -> None:
    text = (
        "batch: {id: a, year: 2021}\nx: &h [{year: 2020}]\n"
        + "people:\n"
        + "".join(f"  - {{id: P{i}, name: A, history: *h}}\n" for i in range(50))
    )
    data, _ = load_yaml(text, "ok.yaml")
    assert len(data["people"]) == 50


def test_node_limit_is_configurable_and_counts_plain_values_too() -> None:
    text = "batch: {id: n, year: 2021}\nnominations: [" + ", ".join(["a"] * 30) + "]\n"
    with pytest.raises(InputError) as info:
        load_yaml(text, "n.yaml", Limits(max_nodes=20))
    assert codes(info) == ["KT107"]
    assert load_yaml(text, "n.yaml", Limits(max_nodes=100))[0]["nominations"][0] == "a"


def test_recursive_alias_is_an_error_not_a_hang() -> None:
    with pytest.raises(InputError) as info:
        load_yaml("a: &a [*a]\n", "r.yaml")
    assert codes(info) == ["KT104"]


# --- rows ---------------------------------------------------------------------------------------


def test_row_limit_per_section_is_kt160() -> None:
    data = {
        "batch": {"id": "r", "year": 2021},
        "people": [{"id": f"P{i}", "name": "A"} for i in range(5)],
    }
    assert len(batch_from_data(data, "r.yaml", limits=Limits(max_rows=5)).people) == 5
    with pytest.raises(InputError) as info:
        batch_from_data(data, "r.yaml", limits=Limits(max_rows=4))
    (d,) = info.value.diagnostics
    assert d.code == "KT160"
    assert d.location.path == "people"
    assert "5 records, over the limit of 4" in d.message


def test_row_limit_reaches_text_loading() -> None:
    text = "batch: {id: r, year: 2021}\nunits:\n" + "".join(
        f"  - {{id: U{i}, name: A}}\n" for i in range(4)
    )
    with pytest.raises(InputError) as info:
        batch_from_text(text, "r.yaml", limits=Limits(max_rows=3))
    assert codes(info) == ["KT160"]
    assert info.value.diagnostics[0].location.line == 2


# --- many problems: bounded report --------------------------------------------------------------


def test_thousands_of_bad_references_are_reported_in_bounded_time() -> None:
    n = 5000
    data = {
        "batch": {"id": "m", "year": 2021},
        "people": [{"id": f"P{i}", "name": "A"} for i in range(n)],
        "nominations": [{"candidate": f"Q{i}", "award": "giay_khen"} for i in range(n)],
    }
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        batch_from_data(data, "m.yaml")
    assert time.perf_counter() - started < RUNAWAY_SECONDS
    diagnostics = info.value.diagnostics
    assert len(diagnostics) == MAX_DIAGNOSTICS + 1
    assert diagnostics[-1].code == "KT164"
    assert diagnostics[-1].severity.value == "info"
    assert f"{n - MAX_DIAGNOSTICS:,} more problems" in diagnostics[-1].message


def test_many_type_errors_are_capped_too() -> None:
    data = {
        "batch": {"id": "m", "year": 2021},
        "people": [{"id": f"P{i}", "name": "A", "gender": "x"} for i in range(300)],
    }
    with pytest.raises(InputError) as info:
        batch_from_data(data, "m.yaml")
    assert len(info.value.diagnostics) == MAX_DIAGNOSTICS + 1
    assert "200 more problems" in info.value.diagnostics[-1].message


# --- nothing executes ---------------------------------------------------------------------------

TAGS = [
    "!!python/object:os.system {{}}",
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "!python/name:os.system",
    "!!python/name:os.system ''",
    "!!python/module:os ''",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    "!foo bar",
    "!Person {{name: A}}",
    "!!binary aGVsbG8=",
    "!!set {{a, b}}",
    "!!omap [{{a: 1}}]",
    "!!pairs [{{a: 1}}]",
    "!!timestamp-ish x",
]


@pytest.mark.parametrize("tag", TAGS)
def test_tags_other_than_the_core_schema_are_rejected(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = (
        f"batch: {{id: t, year: 2021}}\nunits:\n  - id: U1\n    name: {tag.format(marker=marker)}\n"
    )
    with pytest.raises(InputError) as info:
        batch_from_text(text, "tag.yaml")
    (d,) = info.value.diagnostics
    assert d.code == "KT103"
    assert (d.location.line, d.location.column) == (4, 11)
    assert not marker.exists()


def test_a_tag_directive_cannot_smuggle_python_tags(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = (
        "%TAG !p! tag:yaml.org,2002:python/\n---\n"
        f"batch: {{id: t, year: 2021}}\nx: !p!object/apply:os.system ['touch {marker}']\n"
    )
    with pytest.raises(InputError) as info:
        load_yaml(text, "tag.yaml")
    assert codes(info) == ["KT103"]
    assert not marker.exists()


def test_core_tags_spelled_out_are_fine() -> None:
    data, _ = load_yaml("a: !!str 2021\nb: !!int '7'\nc: !!float 0.15\nd: !!null ''\n", "t")
    assert data == {"a": "2021", "b": 7, "c": Decimal("0.15"), "d": None}


def test_rule_files_reject_tags_too(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    pack = tmp_path / "evil"
    (pack / "instruments").mkdir(parents=True)
    (pack / "pack.yaml").write_text(
        (bundled_rules_dir() / "vn-2017" / "pack.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (pack / "instruments" / "evil.yaml").write_text(
        f"instrument: !!python/object/apply:os.system ['touch {marker}']\nrules: []\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as info:
        load_pack(pack)
    assert any("is not allowed" in d.message for d in info.value.diagnostics)
    assert not marker.exists()


def test_yaml_one_one_booleans_stay_text() -> None:
    data, _ = load_yaml("a: no\nb: off\nc: yes\nd: true\ne: NO\n", "t")
    assert data == {"a": "no", "b": "off", "c": "yes", "d": True, "e": "NO"}


# --- a whole CLI run against an alias bomb, in a real process ------------------------------------


def test_cli_rejects_alias_bomb_in_a_real_process(tmp_path: Path) -> None:
    bomb = tmp_path / "lol.yaml"
    bomb.write_text(laughs(12), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "khenthuong", "check", str(bomb)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )
    assert time.perf_counter() - started < 60  # generous: includes interpreter start-up
    assert proc.returncode == 2
    assert "error[KT107]" in proc.stderr
    assert "Traceback" not in proc.stderr
