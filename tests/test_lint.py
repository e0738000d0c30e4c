"""`khenthuong lint`: one deliberately broken pack per diagnostic code, each found at its exact place.

The corpus lives in tests/packs_broken/<code>-<what>/ (a pack folder, or a folder holding the two
packs a cross-pack check needs); tests/packs_ok/minimal is the same pack without the mistake.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khenthuong.cli import main
from khenthuong.errors import Diagnostic, PackError, Severity
from khenthuong.packs.lint import lint, render_text
from khenthuong.packs.registry import PackRegistry, bundled_rules_dir

HERE = Path(__file__).parent
BROKEN = HERE / "packs_broken"
MINIMAL = HERE / "packs_ok" / "minimal"

# slug → every diagnostic lint reports for it: (code, file, line, column).
EXPECTED: dict[str, list[tuple[str, str, int | None, int | None]]] = {
    "kt200-no-pack-yaml": [("KT200", "<given path>", None, None)],
    "kt201-invalid-yaml": [("KT201", "kt201-invalid-yaml/instruments/luat.yaml", 13, 11)],
    "kt202-id-differs": [("KT202", "kt202-id-differs/pack.yaml", 2, 3)],
    "kt204-rule-twice": [("KT204", "kt204-rule-twice/instruments/luat.yaml", 26, 5)],
    "kt205-values-unordered": [("KT205", "kt205-values-unordered/parameters/numbers.yaml", 2, 5)],
    "kt207-redefined-parameter": [("KT207", "tinh/parameters/numbers.yaml", 2, 5)],
    "kt210-unknown-predicate": [("KT210", "kt210-unknown-predicate/instruments/luat.yaml", 19, 11)],
    "kt211-condition-two-keys": [
        ("KT211", "kt211-condition-two-keys/instruments/luat.yaml", 18, 9)
    ],
    "kt212-unknown-key": [("KT212", "kt212-unknown-key/instruments/luat.yaml", 11, 5)],
    "kt213-missing-key": [("KT213", "kt213-missing-key/instruments/luat.yaml", 17, 9)],
    "kt214-wrong-value": [("KT214", "kt214-wrong-value/instruments/luat.yaml", 9, 5)],
    "kt221-unknown-parameter": [
        ("KT221", "kt221-unknown-parameter/instruments/luat.yaml", 24, 38),
        # The parameter the typo meant is now unused: reported too, as a warning.
        ("KT255", "kt221-unknown-parameter/parameters/numbers.yaml", 2, 5),
    ],
    "kt222-no-value-in-force": [("KT222", "kt222-no-value-in-force/instruments/luat.yaml", 24, 38)],
    "kt223-parameter-wrong-type": [
        ("KT223", "kt223-parameter-wrong-type/instruments/luat.yaml", 24, 38)
    ],
    "kt224-predicate-wrong-subject": [
        ("KT224", "kt224-predicate-wrong-subject/instruments/luat.yaml", 42, 11)
    ],
    "kt225-member-share-arguments": [
        ("KT225", "kt225-member-share-arguments/instruments/luat.yaml", 37, 11)
    ],
    "kt226-unknown-instrument": [
        ("KT226", "kt226-unknown-instrument/instruments/luat.yaml", 17, 18)
    ],
    "kt227-duplicate-criterion": [
        ("KT227", "kt227-duplicate-criterion/instruments/luat.yaml", 20, 9)
    ],
    "kt230-conflict": [("KT230", "kt230-conflict/instruments/luat.yaml", 26, 5)],
    "kt231-override-unknown": [("KT231", "kt231-override-unknown/instruments/luat.yaml", 12, 5)],
    "kt232-dependency-cycle": [("KT232", "kt232-dependency-cycle/instruments/luat.yaml", 28, 5)],
    "kt240-award-subject": [("KT240", "kt240-award-subject/instruments/luat.yaml", 10, 5)],
    "kt241-override-other-award": [
        ("KT241", "kt241-override-other-award/instruments/luat.yaml", 30, 5)
    ],
    "kt242-override-cycle": [("KT242", "kt242-override-cycle/instruments/luat.yaml", 12, 5)],
    "kt243-coverage-gap": [("KT243", "luat-moi/pack.yaml", 5, 14)],
    "kt244-coverage-overlap": [("KT244", "luat-moi/pack.yaml", 5, 14)],
    "kt245-version-gap": [("KT245", "kt245-version-gap/instruments/luat.yaml", 30, 13)],
    "kt246-award-stops": [("KT246", "kt246-award-stops/instruments/luat.yaml", 12, 31)],
    "kt247-rule-outside-coverage": [
        ("KT247", "kt247-rule-outside-coverage/instruments/luat.yaml", 12, 5)
    ],
    "kt248-seen-without-text": [("KT248", "kt248-seen-without-text/instruments/luat.yaml", 17, 59)],
    "kt249-secondary-without-note": [
        ("KT249", "kt249-secondary-without-note/instruments/luat.yaml", 17, 92)
    ],
    "kt250-citation-only-instrument": [
        ("KT250", "kt250-citation-only-instrument/instruments/luat.yaml", 13, 5)
    ],
    "kt251-window-before-1945": [
        ("KT251", "kt251-window-before-1945/instruments/luat.yaml", 37, 53)
    ],
    "kt252-count-out-of-reach": [
        ("KT252", "kt252-count-out-of-reach/instruments/luat.yaml", 37, 52)
    ],
    "kt253-contradiction": [("KT253", "kt253-contradiction/instruments/luat.yaml", 21, 21)],
    "kt254-validity-reversed": [("KT254", "kt254-validity-reversed/instruments/luat.yaml", 12, 31)],
    "kt255-unused-parameter": [("KT255", "kt255-unused-parameter/parameters/numbers.yaml", 9, 5)],
    "kt256-stray-file": [("KT256", "kt256-stray-file/instrument", None, None)],
    "kt257-value-never-in-force": [
        ("KT257", "kt257-value-never-in-force/parameters/numbers.yaml", 6, 9)
    ],
    "kt258-layer-without-province": [("KT258", "tinh/pack.yaml", 6, 3)],
    "kt259-scenario-fails": [("KT259", "kt259-scenario-fails/tests/ldtt.yaml", 2, 5)],
}
WARNINGS = {"KT246", "KT248", "KT249", "KT250", "KT255", "KT256", "KT257"}
# Problems a pack has on load or compile: `check` must report them exactly as lint does.
LOAD_AND_COMPILE = [s for s in EXPECTED if "KT201" <= EXPECTED[s][0][0] <= "KT232"]


def _found(diagnostics: tuple[Diagnostic, ...]) -> list[tuple[str, str, int | None, int | None]]:
    return [
        (d.code, d.location.file or "", d.location.line, d.location.column) for d in diagnostics
    ]


def test_the_corpus_has_a_pack_for_every_lint_code() -> None:
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    assert folders == set(EXPECTED)
    codes = {slug[:5].upper() for slug in EXPECTED}
    lint_codes = {f"KT{n}" for n in range(240, 260)}
    assert lint_codes <= codes
    for slug, expected in EXPECTED.items():
        assert expected[0][0] == slug[:5].upper(), slug


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_broken_pack_is_reported_with_code_line_and_column(slug: str) -> None:
    report = lint([BROKEN / slug])
    expected = [
        (code, (BROKEN / slug).as_posix() if file == "<given path>" else file, line, col)
        for code, file, line, col in EXPECTED[slug]
    ]
    assert _found(report.diagnostics) == expected
    for d in report.diagnostics:
        assert d.severity is (Severity.WARNING if d.code in WARNINGS else Severity.ERROR)
        assert d.message
        assert not d.message[0].isupper()
        assert not d.message.endswith(".")
        assert d.help, d.code
    assert report.ok is all(d.code in WARNINGS for d in report.diagnostics)


def test_the_minimal_pack_lints_clean() -> None:
    report = lint([MINIMAL])
    assert report.packs == ("minimal",)
    assert report.diagnostics == ()


def test_the_bundled_packs_lint_without_errors(capsys: pytest.CaptureFixture[str]) -> None:
    report = lint()
    errors = [d.render() for d in report.diagnostics if d.severity is Severity.ERROR]
    assert errors == []
    assert {"vn-2017", "vn-2024"} <= set(report.packs)
    assert main(["lint"]) == 0
    assert main(["lint", str(bundled_rules_dir())]) == 0
    capsys.readouterr()


def test_all_problems_are_collected_in_one_run() -> None:
    report = lint([BROKEN])
    codes = {d.code for d in report.diagnostics}
    # Every pack directly under the corpus folder is linted in the same run.
    direct = {s[:5].upper() for s in EXPECTED if (BROKEN / s / "pack.yaml").is_file()}
    assert direct <= codes
    assert not report.ok


def test_a_file_inside_a_pack_lints_that_pack() -> None:
    report = lint([BROKEN / "kt221-unknown-parameter" / "instruments" / "luat.yaml"])
    assert report.packs == ("kt221-unknown-parameter",)
    assert "KT221" in {d.code for d in report.diagnostics}


def test_a_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(PackError) as caught:
        lint([HERE / "no-such-folder"])
    assert caught.value.diagnostics[0].code == "KT200"
    assert main(["lint", str(HERE / "no-such-folder")]) == 2
    assert "KT200" in capsys.readouterr().err


def test_cli_text_report_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(BROKEN / "kt221-unknown-parameter")]) == 1
    out = capsys.readouterr().out
    assert (
        "kt221-unknown-parameter/instruments/luat.yaml:24:38: error[KT221]: "
        'unknown parameter "tenure_month" (did you mean "tenure_months"?)'
    ) in out
    assert "field: $.rules[0].criteria[1].when.tenure.months_at_least.param" in out
    assert "rule: ldtt" in out
    assert out.rstrip().endswith("1 bộ quy tắc: 1 lỗi, 1 cảnh báo")
    # warnings alone exit 0
    assert main(["lint", str(BROKEN / "kt255-unused-parameter"), "--lang", "en"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("1 pack: 0 errors, 1 warning")
    assert main(["lint", str(MINIMAL), "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == "1 pack: no problems found"


def test_cli_json_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "lint.json"
    code = main(
        ["lint", str(BROKEN / "kt253-contradiction"), "--format", "json", "--out", str(out)]
    )
    assert code == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["schema"] == "khenthuong.lint/1"
    assert doc["packs"] == ["kt253-contradiction"]
    assert (doc["errors"], doc["warnings"]) == (1, 0)
    (d,) = doc["diagnostics"]
    assert d == {
        "code": "KT253",
        "severity": "error",
        "message": d["message"],
        "file": "kt253-contradiction/instruments/luat.yaml",
        "line": 21,
        "column": 21,
        "path": "$.rules[0].criteria[0].when.all[1].not.rating",
        "rule": "ldtt",
        "help": "remove one of the two conditions, or put them under `any`",
    }
    assert "{rating: {at_least: HTTNV}} (line 20)" in d["message"]


def test_scenarios_can_be_skipped() -> None:
    assert lint([BROKEN / "kt259-scenario-fails"], scenarios=False).diagnostics == ()


def test_render_text_in_both_languages() -> None:
    report = lint([BROKEN / "kt246-award-stops"])
    assert render_text(report, "vi").rstrip().endswith("1 bộ quy tắc: 0 lỗi, 1 cảnh báo")
    assert render_text(report, "en").rstrip().endswith("1 pack: 0 errors, 1 warning")
    assert "warning[KT246]" in render_text(report)


# --- the loader and the compiler speak with the same diagnostics -------------------------------

BATCH = """\
batch: {id: b, year: 2021, as_of: 2021-12-15}
people:
  - {id: P1, name: Nông Văn A, recruited_on: 2015-01-01, history: [{year: 2021, rating: HTTNV}]}
nominations: [{candidate: P1, award: lao_dong_tien_tien}]
"""


def _pack_folder(slug: str) -> tuple[Path, str]:
    """The folder to register and the national pack to evaluate with, for a corpus case."""
    folder = BROKEN / slug
    if (folder / "pack.yaml").is_file():
        return folder, slug
    return folder / "quoc-gia", "quoc-gia"


def _same(d: Diagnostic) -> tuple[object, ...]:
    loc = d.location
    # KT222 and KT230 name the date they were found on: lint the first, check the batch's.
    message = d.message.split(" on 20")[0] if d.code in ("KT222", "KT230") else d.message
    return (d.code, message, loc.file, loc.line, loc.column, loc.path, loc.rule, d.help)


@pytest.mark.parametrize("slug", LOAD_AND_COMPILE)
def test_check_reports_a_broken_pack_as_lint_does(slug: str) -> None:
    from khenthuong.batch.load import batch_from_text
    from khenthuong.runner import evaluate_batch

    folder, pack_id = _pack_folder(slug)
    registry = PackRegistry([folder.parent] if folder.name == slug else [BROKEN / slug])
    batch = batch_from_text(BATCH, "b.yaml")
    if slug == "kt222-no-value-in-force":  # the missing value is for 2020
        batch = batch_from_text(BATCH.replace("2021", "2020"), "b.yaml")
    if slug == "kt230-conflict":  # the second rule starts in 2022
        batch = batch_from_text(BATCH.replace("2021", "2022"), "b.yaml")
    province = "tinh-thu" if slug == "kt207-redefined-parameter" else None
    with pytest.raises(PackError) as caught:
        evaluate_batch(batch, pack=pack_id, province=province, registry=registry)
    linted = {_same(d) for d in lint([BROKEN / slug]).diagnostics}
    reported = {_same(d) for d in caught.value.diagnostics}
    assert reported
    assert reported <= linted


def test_check_prints_the_located_diagnostics_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import khenthuong.packs.registry as registry_module

    batch = tmp_path / "b.yaml"
    batch.write_text(BATCH, encoding="utf-8")
    monkeypatch.setattr(registry_module, "bundled_rules_dir", lambda: BROKEN)
    code = main(["check", str(batch), "--pack", "kt210-unknown-predicate"])
    err = capsys.readouterr().err
    assert code == 2
    (expected,) = lint([BROKEN / "kt210-unknown-predicate"]).diagnostics
    assert expected.render() in err


# --- properties ------------------------------------------------------------------------------

MINIMAL_RULES = (MINIMAL / "instruments" / "luat.yaml").read_text(encoding="utf-8")
LDTT_VALID = "valid: {from: 2020-01-01, until: 2023-12-31}"
START, END = dt.date(2020, 1, 1), dt.date(2023, 12, 31)


def _copy_pack(root: Path, pack_id: str, cov: tuple[dt.date, dt.date], rules: str) -> Path:
    folder = root / pack_id
    shutil.copytree(MINIMAL, folder)
    manifest = (folder / "pack.yaml").read_text(encoding="utf-8")
    manifest = manifest.replace("id: minimal", f"id: {pack_id}").replace(
        "coverage: {from: 2020-01-01, until: 2023-12-31}",
        f"coverage: {{from: {cov[0].isoformat()}, until: {cov[1].isoformat()}}}",
    )
    (folder / "pack.yaml").write_text(manifest, encoding="utf-8")
    (folder / "instruments" / "luat.yaml").write_text(rules, encoding="utf-8")
    return folder


@settings(max_examples=25, deadline=None)
@given(
    cut=st.integers(min_value=30, max_value=1300),
    shift=st.integers(min_value=-60, max_value=60),
)
def test_two_versions_of_a_rule_are_reported_iff_they_leave_a_gap_or_overlap(
    cut: int, shift: int
) -> None:
    """LĐTT split into two versions: a gap → KT245, an overlap → KT230, a clean cut → nothing."""
    first_until = START + dt.timedelta(days=cut)
    second_from = first_until + dt.timedelta(days=1 + shift)
    block = MINIMAL_RULES[
        MINIMAL_RULES.index("  - id: ldtt\n") : MINIMAL_RULES.index("  - id: cstdcs\n")
    ]
    first = block.replace(
        LDTT_VALID, f"valid: {{from: 2020-01-01, until: {first_until.isoformat()}}}"
    )
    second = block.replace("  - id: ldtt\n", "  - id: ldtt-moi\n").replace(
        LDTT_VALID, f"valid: {{from: {second_from.isoformat()}, until: 2023-12-31}}"
    )
    rules = MINIMAL_RULES.replace(block, first + second)
    with tempfile.TemporaryDirectory() as tmp:
        folder = _copy_pack(Path(tmp), "tach", (START, END), rules)
        codes = {d.code for d in lint([folder]).diagnostics}
    assert ("KT245" in codes) is (shift > 0)
    assert ("KT230" in codes) is (shift < 0)
    assert codes <= {"KT245", "KT230"}


@settings(max_examples=25, deadline=None)
@given(shift=st.integers(min_value=-400, max_value=400))
def test_national_packs_side_by_side_are_reported_iff_gap_or_overlap(shift: int) -> None:
    first_until = dt.date(2021, 12, 31)
    second_from = first_until + dt.timedelta(days=1 + shift)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for pack_id, cov in (
            ("cu", (START, first_until)),
            ("moi", (second_from, END)),
        ):
            rules = MINIMAL_RULES.replace(
                LDTT_VALID, f"valid: {{from: {cov[0].isoformat()}, until: {cov[1].isoformat()}}}"
            )
            _copy_pack(root, pack_id, cov, rules)
        codes = [d.code for d in lint([root], scenarios=False).diagnostics]
    assert codes.count("KT243") == (1 if shift > 0 else 0)
    assert codes.count("KT244") == (1 if shift < 0 else 0)


def test_lint_compiles_the_ranking_policy_too(tmp_path: Path) -> None:
    source = bundled_rules_dir() / "vn-2017"
    text = (source / "ranking.yaml").read_text(encoding="utf-8")
    ref = re.search(r"\{param: ([a-z0-9_.\-]+)\}", text)
    if ref is None:
        pytest.skip("the bundled ranking policy refers to no parameter to misspell")
    shutil.copytree(source, tmp_path / "vn-2017")
    broken = text.replace(ref.group(0), "{param: " + ref.group(1) + "_typo}", 1)
    (tmp_path / "vn-2017" / "ranking.yaml").write_text(broken, encoding="utf-8")
    report = lint([tmp_path / "vn-2017"], scenarios=False)
    policy = [d for d in report.diagnostics if d.location.file == "vn-2017/ranking.yaml"]
    assert policy
    assert all(d.code.startswith("KT4") for d in policy)
    assert not report.ok
