"""Write the corpus files that are not plain UTF-8 text, and the CSV folders.

Run from the repository root: `.venv/bin/python tests/hostile/make_encoded.py`. The output is
committed; this script is how it was made (and how to remake it if the corpus changes).
Text encodings: Windows-1258 (the legacy Vietnamese code page), UTF-16 with and without a
byte-order mark, UTF-8 with a BOM, decomposed (NFD) Vietnamese, Windows line endings.
"""

from __future__ import annotations

import codecs
import shutil
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent

BASE = """\
batch: {id: hostile, year: 2021, as_of: 2021-12-15}
units:
  - {id: U1, name: Sở Nội vụ, headcount: 10}
people:
  - id: P1
    name: Nông Thị Hoa
    unit: U1
    recruited_on: 2015-03-01
    history:
      - {year: 2021, rating: HTXSNV}
nominations:
  - {candidate: P1, award: lao_dong_tien_tien}
"""

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes: letters with ^, ˘ or ơ/ư precomposed, tone marks as combining bytes."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        tones = "".join(c for c in parts if c in TONES)
        out += base.encode("cp1258") + tones.encode("cp1258")
    return out


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


CSV_BASE = {
    "batch.csv": "id,year,as_of\nhostile,2021,2021-12-15\n",
    "units.csv": "Mã,Tên tập thể,Số thành viên\nU1,Sở Nội vụ,10\n",
    "people.csv": "Mã,Họ và tên,Đơn vị,Ngày tuyển dụng\nP1,Nông Thị Hoa,U1,01/03/2015\n",
    "history.csv": "Mã,Năm,Xếp loại,Số thành viên đạt Lao động tiên tiến\n"
    "P1,2021,Hoàn thành xuất sắc nhiệm vụ,\nU1,2021,HTXSNV,8\n",
    "nominations.csv": "Mã,Đề nghị\nP1,Lao động tiên tiến\n",
}


def csv_case(name: str, changes: dict[str, str | None], encoding: str = "utf-8") -> None:
    """A CSV folder: the base files with some replaced (or removed, for None)."""
    folder = HERE / "csv" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files: dict[str, str | None] = {**CSV_BASE, **changes}
    for file, text in files.items():
        if text is None:
            continue
        data = cp1258(text) if encoding == "cp1258" else text.encode(encoding)
        (folder / file).write_bytes(data)


def main() -> None:
    yaml_dir, json_dir, valid = HERE / "yaml", HERE / "json", HERE / "valid"
    for d in (yaml_dir, json_dir, valid):
        d.mkdir(exist_ok=True)

    # Bad encodings.
    (yaml_dir / "windows-1258.yaml").write_bytes(cp1258(BASE))
    (yaml_dir / "utf16-no-bom.yaml").write_bytes(BASE.encode("utf-16-le"))
    (yaml_dir / "latin1.yaml").write_bytes(
        BASE.replace("Nông Thị Hoa", "Noël Müller").replace("Sở Nội vụ", "Café").encode("latin-1")
    )
    (json_dir / "windows-1258.json").write_bytes(
        cp1258('{"batch": {"id": "đợt-1", "year": 2021}, "people": []}\n')
    )
    (json_dir / "utf16-no-bom.json").write_bytes(
        '{"batch": {"id": "b", "year": 2021}}\n'.encode("utf-16-be")
    )

    # Good encodings carrying a located error: lines must not shift.
    bom_error = BASE.replace("    unit: U1\n", "    unnit: U1\n")
    (yaml_dir / "utf8-bom-unknown-field.yaml").write_bytes(
        codecs.BOM_UTF8 + bom_error.encode("utf-8")
    )
    (yaml_dir / "utf16-bom-unknown-unit.yaml").write_bytes(
        BASE.replace("    unit: U1\n", "    unit: U2\n").encode("utf-16")
    )
    (yaml_dir / "crlf-duplicate-id.yaml").write_bytes(
        BASE.replace("nominations:\n", "  - {id: P1, name: Nông Văn Hoà}\nnominations:\n")
        .replace("\n", "\r\n")
        .encode("utf-8")
    )
    # NFD text whose unit reference differs by case: reported in NFC, with a suggestion.
    nfd_units = BASE.replace(
        "  - {id: U1, name: Sở Nội vụ, headcount: 10}",
        "  - {id: U-Sở-Nội-vụ, name: Sở Nội vụ, headcount: 10}",
    ).replace("    unit: U1\n", "    unit: U-Sở-nội-vụ\n")
    (yaml_dir / "nfd-unknown-unit.yaml").write_text(nfd(nfd_units), encoding="utf-8")

    # Valid inputs that must load: BOMs, UTF-16, NFD text and ids, Windows line endings.
    (valid / "utf8-bom.yaml").write_bytes(codecs.BOM_UTF8 + BASE.encode("utf-8"))
    (valid / "utf16-le-bom.yaml").write_bytes(BASE.encode("utf-16"))
    (valid / "utf16-be-bom.json").write_bytes(
        codecs.BOM_UTF16_BE
        + (
            '{"batch": {"id": "hostile", "year": 2021, "as_of": "2021-12-15"},\n'
            ' "units": [{"id": "U1", "name": "Sở Nội vụ"}],\n'
            ' "people": [{"id": "P1", "name": "Nông Thị Hoa", "unit": "U1"}],\n'
            ' "nominations": [{"candidate": "P1", "award": "LĐTT"}]}\n'
        ).encode("utf-16-be")
    )
    nfc_ids = BASE.replace(
        "  - {id: U1, name: Sở Nội vụ, headcount: 10}",
        "  - {id: U-Sở-Nội-vụ, name: Sở Nội vụ, headcount: 10}",
    )
    # The unit's id is written in NFC, the person's reference to it in NFD: the same id.
    (valid / "nfd-reference.yaml").write_text(
        nfc_ids.replace("    unit: U1\n", f"    unit: {nfd('U-Sở-Nội-vụ')}\n").replace(
            "name: Nông Thị Hoa", f"name: {nfd('Nông Thị Hoa')}"
        ),
        encoding="utf-8",
    )
    (valid / "crlf.yaml").write_bytes(BASE.replace("\n", "\r\n").encode("utf-8"))

    # CSV folders.
    csv_case(
        "valid-utf8-bom",
        {k: "\ufeff" + v for k, v in CSV_BASE.items()},
    )
    shutil.move(str(HERE / "csv" / "valid-utf8-bom"), str(valid / "csv-utf8-bom"))
    csv_case("windows-1258", {}, encoding="cp1258")
    csv_case("utf16-no-bom", {}, encoding="utf-16-le")
    csv_case(
        "unknown-column",
        {"people.csv": "Mã,Họ và tên,Đơn vị,Chức vụ công tác xã hội\nP1,Nông Thị Hoa,U1,x\n"},
    )
    csv_case("missing-column", {"people.csv": "Mã,Đơn vị\nP1,U1\n"})
    csv_case(
        "impossible-date",
        {"people.csv": "Mã,Họ và tên,Đơn vị,Ngày tuyển dụng\nP1,Nông Thị Hoa,U1,30/02/2021\n"},
    )
    csv_case(
        "unknown-unit",
        {"people.csv": "Mã,Họ và tên,Đơn vị,Ngày tuyển dụng\nP1,Nông Thị Hoa,U2,01/03/2015\n"},
    )
    csv_case(
        "unknown-candidate",
        {"nominations.csv": "Mã,Đề nghị\nP1,Lao động tiên tiến\nP9,Lao động tiên tiến\n"},
    )
    csv_case(
        "duplicate-id",
        {
            "people.csv": "Mã,Họ và tên,Đơn vị,Ngày tuyển dụng\n"
            "P1,Nông Thị Hoa,U1,01/03/2015\nP1,Nông Văn Hoà,U1,01/03/2016\n"
        },
    )
    csv_case(
        "negative-count",
        {"units.csv": "Mã,Tên tập thể,Số thành viên\nU1,Sở Nội vụ,-10\n"},
    )
    csv_case(
        "share-above-100",
        {
            "history.csv": "Mã,Năm,Xếp loại,Số thành viên đạt Lao động tiên tiến\n"
            "P1,2021,HTXSNV,\nU1,2021,HTXSNV,15\n"
        },
    )
    csv_case(
        "history-after-year",
        {"history.csv": "Mã,Năm,Xếp loại\nP1,2021,HTXSNV\nP1,2023,HTXSNV\n"},
    )
    csv_case("unknown-sheet", {"bang-luong.csv": "Mã,Họ và tên\nP2,Lương Văn Quý\n"})
    csv_case("missing-nominations", {"nominations.csv": None})
    csv_case("wrong-type-year", {"batch.csv": "id,year,as_of\nhostile,năm 2021,2021-12-15\n"})
    csv_case(
        "rating-unknown",
        {"history.csv": "Mã,Năm,Xếp loại\nP1,2021,Xuất sắc lắm\n"},
    )
    csv_case(
        "long-name",
        {"people.csv": "Mã,Họ và tên,Đơn vị\nP1," + "Nông Thị Hoa " * 200 + ",U1\n"},
    )


if __name__ == "__main__":
    main()
