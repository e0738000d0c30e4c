"""Reports: Excel, CSV, HTML and the terminal table, from the decision record; progress on stderr."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from rich.console import Console

from khenthuong.audit.records import result_record
from khenthuong.batch.load import batch_from_text
from khenthuong.cli import main
from khenthuong.errors import KhenthuongError
from khenthuong.report import csv_out, html, xlsx
from khenthuong.report.table import ProgressReporter, build, render_terminal
from khenthuong.runner import evaluate_batch
from tests.test_tabular import BATCH_YAML

QUOTA = {"scope": "U1", "slots": 2, "text": "15% × 14 = 2,1 → 2", "cite": "Nghị định 91/2017/NĐ-CP"}


def _decision(cid: str, name: str, outcome: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "candidate": cid,
        "name": name,
        "kind": "person",
        "award": "chien_si_thi_dua_co_so",
        "award_name": "Chiến sĩ thi đua cơ sở",
        "outcome": outcome,
        "confidence": "seen",
        "deferred": False,
        "selected": None,
        "rank": None,
        "quota": None,
        "reasons": [
            {
                "rule": "r/c",
                "cite": "Điều 9",
                "confidence": "seen",
                "holds": True,
                "text": "tiêu chí",
            }
        ],
        "missing": [] if outcome == "eligible" else ["cần: sáng kiến được công nhận"],
        "trace": {"rule": None, "note": "ghi chú"},
        "digest": f"sha256:{cid}",
    }
    base.update(extra)
    return base


# A record as the ranking stage writes it: ranks, a quota, a cut line after the 2nd, an extra field.
RECORD: dict[str, Any] = {
    "schema": "khenthuong.decisions/1",
    "engine": "khenthuong test",
    "lang": "vi",
    "batch": {"id": "b-rank", "year": 2021, "decision_date": "2021-12-15", "digest": "sha256:b"},
    "pack": {"id": "vn-2017", "layers": ["vn-2017"], "digest": "sha256:p"},
    "decisions": [
        _decision(
            "P3",
            "Lục Thị Ánh",
            "eligible",
            rank=3,
            selected=False,
            quota=QUOTA,
            cut_by={"text": "Trực tiếp lao động: không, so với P2: có"},
            ward="Hà Quảng",
        ),
        _decision(
            "P1", "Nông Thị Hoa", "eligible", rank=1, selected=True, quota=QUOTA, ward="Hòa An"
        ),
        _decision("P2", "Hoàng <b>Văn</b> Nam", "eligible", rank=2, selected=True, quota=QUOTA),
        _decision("P4", "Đàm Văn Lợi", "ineligible", selected=False, quota=QUOTA),
        _decision(
            "P1",
            "Nông Thị Hoa",
            "eligible",
            award="lao_dong_tien_tien",
            award_name="Lao động tiên tiến",
        ),
    ],
    "findings": [
        {
            "code": "KT414",
            "severity": "info",
            "message": "P4: đề nghị vượt mức hạng",
            "candidates": ["P4"],
            "awards": ["chien_si_thi_dua_co_so"],
            "rule": "x",
            "cite": "Luật 2022, Điều 5",
            "level": "cơ sở",
        }
    ],
    "digest": "sha256:r",
}


@pytest.fixture(scope="module")
def real() -> tuple[dict[str, Any], Any]:
    batch = batch_from_text(BATCH_YAML, "b.yaml")
    return result_record(evaluate_batch(batch), "vi"), batch


# ------------------------------------------------------------------------------- Excel


def test_xlsx_sheets_ranked_with_cut_line_and_extra_fields() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(RECORD)))
    assert book.sheetnames == [
        "Tổng hợp",
        "Chiến sĩ thi đua cơ sở",
        "Lao động tiên tiến",
        "Phát hiện",
    ]
    ws = book["Chiến sĩ thi đua cơ sở"]
    header = [c.value for c in ws[3]]
    assert header[:2] == ["Hạng", "Mã"]
    assert "ward" in header  # a field the record gained is shown without code changes
    ids = [ws.cell(row=r, column=2).value for r in range(4, 8)]
    assert ids == ["P1", "P2", "P3", "P4"]  # by rank, the unranked last
    rows = {ws.cell(row=r, column=2).value: r for r in range(4, 8)}
    # the cut line: a thick red rule under the last selected candidate, only there
    assert ws.cell(row=rows["P2"], column=1).border.bottom.style == "thick"
    assert ws.cell(row=rows["P1"], column=1).border.bottom.style is None
    assert ws.cell(row=rows["P3"], column=1).border.bottom.style is None
    cut_by = header.index("Lý do ngoài chỉ tiêu") + 1
    assert ws.cell(row=rows["P3"], column=cut_by).value.startswith("Trực tiếp lao động")
    assert ws.cell(row=rows["P2"], column=header.index("Chỉ tiêu") + 1).value == QUOTA["text"]
    assert ws.auto_filter.ref == f"A3:{ws.cell(row=3, column=len(header)).column_letter}7"
    assert ws.print_title_rows == "$3:$3"
    summary = book["Tổng hợp"]
    values = [[c.value for c in row] for row in summary.iter_rows()]
    assert ["Chiến sĩ thi đua cơ sở", 4, 3, 1, 0, 2, 1] in values
    assert ["Tổng cộng", 5, 4, 1, 0, 2, 1] in values
    findings = book["Phát hiện"]
    assert [c.value for c in findings[2]][:3] == ["KT414", "thông tin", "P4: đề nghị vượt mức hạng"]
    assert "level" in [c.value for c in findings[1]]


def test_xlsx_from_a_batch_matches_the_json_and_keeps_diacritics(
    real: tuple[dict[str, Any], Any],
) -> None:
    record, batch = real
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(record, batch)))
    awards = {d["award_name"] for d in record["decisions"]}
    assert "Lao động tiên tiến" in book.sheetnames
    assert len(book.sheetnames) == len(awards) + 2
    ws = book["Lao động tiên tiến"]
    column = [c.value for c in ws[3]].index("Họ và tên, tên tập thể")
    names = [row[column] for row in ws.iter_rows(min_row=4, values_only=True)]
    expected = [d["name"] for d in record["decisions"] if d["award"] == "lao_dong_tien_tien"]
    assert sorted(names) == sorted(expected)
    assert "Nông Thị Hoa" in names
    summary = [list(r) for r in book["Tổng hợp"].iter_rows(values_only=True)]
    assert any(r[0] == "Sở Nội vụ" for r in summary)  # the per-unit table
    total = next(r for r in summary if r[0] == "Tổng cộng")
    assert total[1] == len(record["decisions"])


def test_english_xlsx(real: tuple[dict[str, Any], Any]) -> None:
    _, batch = real
    record = result_record(evaluate_batch(batch), "en")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(record, batch)))
    assert book.sheetnames[0] == "Summary"
    assert "Advanced Worker" in book.sheetnames
    assert book["Advanced Worker"]["A3"].value == "ID"


# ------------------------------------------------------------------------------- CSV


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM correctly
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_report_files() -> None:
    files = csv_out.render(RECORD)
    assert set(files) == {
        "info.csv",
        "summary.csv",
        "findings.csv",
        "chien_si_thi_dua_co_so.csv",
        "lao_dong_tien_tien.csv",
    }
    rows = read_csv(files["chien_si_thi_dua_co_so.csv"])
    assert rows[0][:2] == ["Hạng", "Mã"]
    assert [r[1] for r in rows[1:]] == ["P1", "P2", "P3", "P4"]
    assert rows[1][rows[0].index("Trong chỉ tiêu")] == "Có"
    assert rows[3][rows[0].index("Trong chỉ tiêu")] == "Không"
    assert rows[1][rows[0].index("ward")] == "Hòa An"
    assert read_csv(files["summary.csv"])[-1] == ["Tổng cộng", "5", "4", "1", "0", "2", "1"]
    assert ["Đợt xét", "b-rank"] in read_csv(files["info.csv"])


def test_csv_folder_is_written_whole_and_never_over_other_files(tmp_path: Path) -> None:
    out = tmp_path / "bao-cao"
    csv_out.write_folder(out, {"a.csv": b"1", "b.csv": b"2"})
    csv_out.write_folder(out, {"c.csv": b"3"})  # a previous report is replaced
    assert sorted(p.name for p in out.iterdir()) == ["c.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao"]  # no temporary folders left
    (out / "ghi-chu.docx").write_bytes(b"x")
    with pytest.raises(KhenthuongError) as info:
        csv_out.write_folder(out, {"d.csv": b"4"})
    assert info.value.diagnostics[0].code == "KT155"
    assert (out / "c.csv").exists()
    with pytest.raises(KhenthuongError):
        csv_out.write_folder(out / "c.csv", {"d.csv": b"4"})


# ------------------------------------------------------------------------------- HTML


def test_html_is_self_contained_escaped_and_printable() -> None:
    page = html.render(RECORD)
    assert page.startswith("<!doctype html>")
    assert '<html lang="vi">' in page
    assert "default-src 'none'" in page  # nothing can be fetched, even by mistake
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page)
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"url\(|@import|@font-face", page)
    assert "Hoàng &lt;b&gt;Văn&lt;/b&gt; Nam" in page  # autoescaped
    assert "Hoàng <b>Văn</b> Nam" not in page
    assert "@page { size: A4" in page
    assert "details::details-content" in page
    assert "beforeprint" in page
    assert page.count("<details>") == len(RECORD["decisions"])
    for key, n in {"total": 5, "eligible": 4, "ineligible": 1, "selected": 2, "cut": 1}.items():
        assert f'data-count="{key}">{n}<' in page
    # the cut line sits between rank 2 (selected) and rank 3 (cut)
    section = page[page.index('id="award-chien_si_thi_dua_co_so"') :]
    assert section.index('id="d-chien_si_thi_dua_co_so-P2"') < section.index('class="cutline"')
    assert section.index('class="cutline"') < section.index('id="d-chien_si_thi_dua_co_so-P3"')
    assert "<svg" in page
    assert "Theo danh hiệu" in page


def test_html_english(real: tuple[dict[str, Any], Any]) -> None:
    _, batch = real
    page = html.render(result_record(evaluate_batch(batch), "en"), batch)
    assert '<html lang="en">' in page
    assert "Advanced Worker" in page
    assert "Nông Thị Hoa" in page
    assert "By unit" in page


def test_missing_extras_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(KhenthuongError) as info:
        html.render(RECORD)
    assert info.value.diagnostics[0].code == "KT140"
    assert "khenthuong[reports]" in info.value.diagnostics[0].help
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(KhenthuongError) as info:
        xlsx.render(RECORD)
    assert "openpyxl" in info.value.diagnostics[0].message


# ------------------------------------------------------------------------------- terminal


def cells(line: str) -> int:
    """Terminal columns a line takes: wide characters count 2, combining marks 0."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in line
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_terminal_table_fits_80_columns(real: tuple[dict[str, Any], Any], lang: str) -> None:
    _, batch = real
    for record in (result_record(evaluate_batch(batch), lang), RECORD):
        out = io.StringIO()
        render_terminal(build(record, batch, lang), Console(file=out, width=80, markup=False))
        text = out.getvalue()
        assert "Nông Thị Hoa" in text
        assert max(cells(line) for line in text.splitlines()) <= 80


def test_terminal_marks_the_cut_line() -> None:
    out = io.StringIO()
    render_terminal(build(RECORD), Console(file=out, width=80, markup=False))
    lines = out.getvalue().splitlines()
    p2 = next(i for i, line in enumerate(lines) if line.lstrip().startswith("2 "))
    assert set(lines[p2 + 1].strip()) == {"─"}  # the rule under the last selected candidate
    assert "15% × 14 = 2,1 → 2" in out.getvalue()


def test_check_table_uses_rich_or_falls_back_to_plain_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(BATCH_YAML, encoding="utf-8")
    main(["check", str(path)])
    rich_out = capsys.readouterr().out
    assert "Kết quả xét thi đua" in rich_out
    assert "Nông Thị Hoa" in rich_out
    monkeypatch.setitem(sys.modules, "rich", None)
    monkeypatch.setitem(sys.modules, "rich.console", None)
    main(["check", str(path)])
    plain = capsys.readouterr().out
    assert plain.startswith("Đợt xét: tab-2021")  # report.text
    assert "Nông Thị Hoa" in plain


# ------------------------------------------------------------------------------- CLI and progress


def test_check_formats_write_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(BATCH_YAML, encoding="utf-8")
    assert main(["check", str(path), "--format", "xlsx"]) == 2
    assert "--format xlsx writes a workbook: give --out PATH" in capsys.readouterr().err
    assert main(["check", str(path), "--format", "csv"]) == 2
    main(["check", str(path), "--format", "xlsx", "--out", str(tmp_path / "kq.xlsx")])
    main(["check", str(path), "--format", "csv", "--out", str(tmp_path / "kq")])
    main(["check", str(path), "--format", "html", "--out", str(tmp_path / "kq.html")])
    main(["check", str(path), "--format", "html"])
    assert capsys.readouterr().out.startswith("<!doctype html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.yaml", "kq", "kq.html", "kq.xlsx"]
    # diacritics survive every format
    names = {
        "xlsx": [
            c.value
            for ws in openpyxl.load_workbook(tmp_path / "kq.xlsx")
            for row in ws
            for c in row
        ],
        "csv": (tmp_path / "kq" / "summary.csv").read_text("utf-8-sig")
        + (tmp_path / "kq" / "lao_dong_tien_tien.csv").read_text("utf-8-sig"),
        "html": (tmp_path / "kq.html").read_text("utf-8"),
    }
    for fmt, content in names.items():
        assert "Nông Thị Hoa" in content, fmt
        assert "Lao động tiên tiến" in content, fmt


def big_batch(n: int) -> str:
    people = "\n".join(
        f"  - {{id: P{i}, name: Nông Thị Hoa {i}, recruited_on: 2010-01-01,"
        f" history: [{{year: 2021, rating: HTTNV}}]}}"
        for i in range(n)
    )
    noms = "\n".join(f"  - {{candidate: P{i}, award: lao_dong_tien_tien}}" for i in range(n))
    return f"batch: {{id: big, year: 2021, as_of: 2021-12-15}}\npeople:\n{people}\nnominations:\n{noms}\n"


@pytest.mark.parametrize("fmt", ["json", "html", "table"])
def test_progress_goes_to_stderr_and_machine_output_stays_clean(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(big_batch(201), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "khenthuong", "check", str(path), "--format", fmt],
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 1, run.stderr.decode()
    err = run.stderr.decode("utf-8")
    assert "khenthuong: Đang xét 201/201" in err  # a line every 10% when stderr is not a terminal
    assert err.count("Đang xét") == 10
    out = run.stdout.decode("utf-8")
    assert "Đang xét" not in out
    if fmt == "json":
        assert len(json.loads(out)["decisions"]) == 201
    if fmt != "json":
        return
    quiet = subprocess.run(
        [sys.executable, "-m", "khenthuong", "check", str(path), "--format", fmt, "--no-progress"],
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert "Đang xét" not in quiet.stderr.decode("utf-8")
    assert quiet.stdout == run.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    quiet = io.StringIO()
    small = ProgressReporter(quiet)
    for i in range(1, 11):
        small(i, 10)
    assert quiet.getvalue() == ""  # short runs are silent off a terminal
    tty = _Terminal()
    bar = ProgressReporter(tty)
    bar(1, 3)
    assert bar.mode == "bar"
    bar(3, 3)
    assert bar.mode == "off"  # done: the bar is stopped
    monkeypatch.setitem(sys.modules, "rich.progress", None)
    tty = _Terminal()
    counter = ProgressReporter(tty, lang="en")
    counter(1, 2)
    counter(2, 2)
    assert tty.getvalue() == "\rDeciding 1/2\rDeciding 2/2\n"
    off = ProgressReporter(_Terminal(), enabled=False)
    off(1, 1000)
    assert off.mode == "off"


def test_hostile_text_stays_text_in_every_format() -> None:
    record = json.loads(json.dumps(RECORD))
    record["decisions"][1]["name"] = '=HYPERLINK("http://x.invalid","bấm")\x07'
    record["decisions"][1]["trace"] = {
        "rule": {
            "id": "r",
            "title": "t",
            "cite": "c",
            "confidence": "seen",
            "layer": "vn-2017",
            "valid": {"from": "2017-10-01", "until": None},
        },
        "criteria": [
            {
                "id": "c",
                "title": "t",
                "cite": "Điều 9",
                "url": "javascript:alert(1)",
                "note": None,
                "confidence": "seen",
                "holds": True,
                "condition": {"holds": True, "text": "x", "facts": []},
            }
        ],
    }
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(record)))
    ws = book["Chiến sĩ thi đua cơ sở"]
    cell = ws.cell(row=4, column=3)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x.invalid","bấm")'
    rows = read_csv(csv_out.render(record)["chien_si_thi_dua_co_so.csv"])
    assert rows[1][2] == '\'=HYPERLINK("http://x.invalid","bấm")\x07'
    page = html.render(record)
    assert "javascript:" not in page
    assert "Điều 9" in page
