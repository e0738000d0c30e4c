"""docs/errors.md: one section per code used in src/, each with a failing example that really fails.

- every `"KTnnn"` written in src/ has exactly one `## KTnnn` section, with an example and the fix;
- `>>>` examples run (here, and again by pytest's doctest collection of docs/*.md) and show the code;
- a section naming a broken pack under tests/packs_broken/ is linted: the code is reported, and each
  `error[…]`/`warning[…]` line shown is what lint prints (a shown line ending in " …" is a prefix);
- a ```yaml batch block is a batch that fails with the section's code.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from khenthuong.batch.load import batch_from_text
from khenthuong.errors import KhenthuongError
from khenthuong.packs.lint import lint

ROOT = Path(__file__).resolve().parent.parent
ERRORS_MD = ROOT / "docs" / "errors.md"
CODE_IN_SOURCE = re.compile(r"""["'](KT\d{3})["']""")
HEADING = re.compile(r"^## (KT\d{3})\s*$", re.MULTILINE)
SHOWN = re.compile(r"^\S.*: (?:error|warning|info)\[(KT\d{3})\]: .*$", re.MULTILINE)
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
CORPUS = re.compile(r"`(tests/packs_broken/[a-z0-9\-]+)/")


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in sorted((ROOT / "src").rglob("*.py")):
        found.update(CODE_IN_SOURCE.findall(path.read_text(encoding="utf-8")))
    return found


def sections() -> dict[str, str]:
    text = ERRORS_MD.read_text(encoding="utf-8")
    marks = list(HEADING.finditer(text))
    out: dict[str, str] = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out[m.group(1)] = text[m.end() : end]
    return out


def test_each_code_has_one_heading() -> None:
    headings = HEADING.findall(ERRORS_MD.read_text(encoding="utf-8"))
    twice = sorted({c for c in headings if headings.count(c) > 1})
    assert twice == [], f"codes with two sections in docs/errors.md: {twice}"


def test_every_code_used_in_src_has_a_section() -> None:
    missing = sorted(codes_in_source() - set(sections()))
    assert missing == [], (
        "codes used in src/ without a `## KTnnn` section in docs/errors.md "
        f"(a failing example and the fix each): {missing}"
    )


@pytest.mark.parametrize("code", sorted(sections()))
def test_each_section_has_an_example_and_a_fix(code: str) -> None:
    body = sections()[code]
    assert ">>>" in body or FENCE.search(body), f"{code}: no example"
    assert re.search(r"(?i)\bfix\b|cách sửa", body), f"{code}: no fix"
    if ">>>" in body:
        shown = [line for line in body.splitlines() if f"[{code}]" in line]
        assert shown, f"{code}: the >>> example does not show the code"


def test_the_examples_run() -> None:
    text = ERRORS_MD.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, "errors.md", str(ERRORS_MD), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures: list[str] = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)


CORPUS_SECTIONS = sorted(c for c, body in sections().items() if CORPUS.search(body))
BATCH_SECTIONS = sorted(
    c
    for c, body in sections().items()
    if any(i.strip() == "yaml batch" for i, _ in FENCE.findall(body))
)


@pytest.mark.parametrize("code", CORPUS_SECTIONS)
def test_broken_pack_examples_print_what_lint_prints(
    code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # paths in the examples are relative to the repository
    body = sections()[code]
    (folder,) = set(CORPUS.findall(body))
    report = lint([folder])
    assert code in {d.code for d in report.diagnostics}
    printed = [d.render().splitlines()[0] for d in report.diagnostics]
    for match in SHOWN.finditer(body):
        shown = match.group(0)
        if shown.endswith(" …"):
            assert any(p.startswith(shown[:-2]) for p in printed), shown
        else:
            assert shown in printed, f"{shown}\nlint printed:\n" + "\n".join(printed)


@pytest.mark.parametrize("code", BATCH_SECTIONS)
def test_batch_examples_fail_with_their_code(code: str) -> None:
    for info, text in FENCE.findall(sections()[code]):
        if info.strip() != "yaml batch":
            continue
        with pytest.raises(KhenthuongError) as caught:
            batch_from_text(text, "b.yaml")
        assert code in {d.code for d in caught.value.diagnostics}


def test_the_corpus_examples_cover_every_lint_code() -> None:
    lint_codes = {c for c in codes_in_source() if "KT240" <= c <= "KT299"}
    assert lint_codes <= set(CORPUS_SECTIONS)
