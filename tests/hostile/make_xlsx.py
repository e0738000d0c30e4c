"""Write the Excel files of the hostile corpus (tests/hostile/xlsx/*.xlsx).

Run from the repository root: `.venv/bin/python tests/hostile/make_xlsx.py` (needs openpyxl, in
the `reports` and `dev` extras). The generated workbooks are committed; their expected errors are
listed in tests/hostile/MANIFEST.yaml.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

HERE = Path(__file__).parent
OUT = HERE / "xlsx"
FIXED_TIME = dt.datetime(2021, 12, 15, 8, 0, 0)

Sheets = dict[str, list[list[Any]]]


def base() -> Sheets:
    """A valid batch as sheets with the Vietnamese headers board staff use."""
    return {
        "Đợt xét": [
            ["Mã đợt xét", "Năm xét", "Ngày xét"],
            ["hostile", 2021, dt.date(2021, 12, 15)],
        ],
        "Tập thể": [["Mã", "Tên tập thể", "Số thành viên"], ["U1", "Sở Nội vụ", 10]],
        "Cá nhân": [
            ["Mã", "Họ và tên", "Đơn vị", "Ngày tuyển dụng"],
            ["P1", "Nông Thị Hoa", "U1", dt.date(2015, 3, 1)],
        ],
        "Quá trình hằng năm": [
            ["Mã", "Năm", "Xếp loại", "Số thành viên đạt Lao động tiên tiến"],
            ["P1", 2021, "Hoàn thành xuất sắc nhiệm vụ", None],
            ["U1", 2021, "HTXSNV", 8],
        ],
        "Đề nghị": [["Mã", "Đề nghị"], ["P1", "Lao động tiên tiến"]],
    }


def workbook_bytes(sheets: Sheets) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def changed(change: Callable[[Sheets], None]) -> bytes:
    sheets = base()
    change(sheets)
    return workbook_bytes(sheets)


def with_bomb(data: bytes, size: int) -> bytes:
    """The workbook plus a member of `size` zero bytes (it compresses about a thousandfold)."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("xl/media/padding.bin", date_time=(2021, 12, 15, 8, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, b"\0" * size)
    return buffer.getvalue()


def _set(sheet: str, row: int, column: int, value: Any) -> Callable[[Sheets], None]:
    def change(sheets: Sheets) -> None:
        sheets[sheet][row][column] = value

    return change


def _append(sheet: str, row: list[Any]) -> Callable[[Sheets], None]:
    def change(sheets: Sheets) -> None:
        sheets[sheet].append(row)

    return change


def _drop(sheet: str) -> Callable[[Sheets], None]:
    def change(sheets: Sheets) -> None:
        del sheets[sheet]

    return change


def _add(sheet: str, rows: list[list[Any]]) -> Callable[[Sheets], None]:
    def change(sheets: Sheets) -> None:
        sheets[sheet] = rows

    return change


def main() -> None:
    OUT.mkdir(exist_ok=True)
    good = workbook_bytes(base())
    files: dict[str, bytes] = {
        "not-a-zip.xlsx": "Mã,Họ và tên\nP1,Nông Thị Hoa\n".encode(),
        # An old binary .xls (OLE2 compound file header) saved under an .xlsx name.
        "xls-renamed.xlsx": bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504,
        "truncated.xlsx": good[: len(good) // 2],
        "empty.xlsx": b"",
        "zip-bomb.xlsx": with_bomb(good, 20 * 1024 * 1024),
        "unknown-sheet.xlsx": changed(_add("Bảng lương", [["Mã", "Lương"], ["P1", 5000000]])),
        "missing-nominations.xlsx": changed(_drop("Đề nghị")),
        "impossible-date.xlsx": changed(_set("Cá nhân", 1, 3, "30/02/2021")),
        "wrong-type-year.xlsx": changed(_set("Đợt xét", 1, 1, "năm hai nghìn")),
        "unknown-candidate.xlsx": changed(_append("Đề nghị", ["P2", "Lao động tiên tiến"])),
        "unknown-unit.xlsx": changed(_set("Cá nhân", 1, 2, "U9")),
        "duplicate-id.xlsx": changed(_append("Cá nhân", ["P1", "Nông Văn Hoà", "U1", None])),
        "members-above-headcount.xlsx": changed(_set("Quá trình hằng năm", 2, 3, 12)),
        "negative-count.xlsx": changed(_set("Tập thể", 1, 2, -5)),
        "history-after-year.xlsx": changed(_append("Quá trình hằng năm", ["P1", 2025, "HTXSNV"])),
        "rating-unknown.xlsx": changed(_set("Quá trình hằng năm", 1, 2, "Xuất sắc lắm")),
        "unknown-column.xlsx": changed(_set("Cá nhân", 0, 3, "Lương cơ bản")),
    }
    for name, data in files.items():
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
