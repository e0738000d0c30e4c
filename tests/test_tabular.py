"""Batches from Excel workbooks and CSV folders: the template, round trips, headers, values, errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from khenthuong.audit.records import result_record
from khenthuong.batch.load import batch_from_text, load_batch
from khenthuong.batch.tabular import (
    EXAMPLE_PREFIX,
    SHEET_BY_KEY,
    SHEETS,
    VOCABS,
    Column,
    header_field,
    load_tabular,
    parse_date,
    sheet_for,
    template_csv,
    template_xlsx,
)
from khenthuong.cli import main
from khenthuong.errors import Diagnostic, InputError
from khenthuong.model.vocab import fold
from khenthuong.runner import evaluate_batch
from khenthuong.sources import Limits

# The same facts are written as YAML here and filled into the template by `fill_*` below.
BATCH_YAML = """\
batch: {id: tab-2021, year: 2021, as_of: 2021-12-15}
units:
  - id: U1
    name: Sở Nội vụ
    kind: agency
    headcount: 3
    history:
      - {year: 2020, rating: HTXSNV, titles: [tap_the_lao_dong_tien_tien]}
      - {year: 2021, rating: HTXSNV}
    attestations: {compliance: true, emulation: true, solidarity: true}
  - id: U2
    name: Phòng Tổng hợp
    kind: agency
    parent: U1
    areas: [bien_gioi]
    headcount: 9
    history:
      - year: 2021
        rating: HTTNV
        members_rated_htnv_or_better: 9
        members_lao_dong_tien_tien: 6
        members_chien_si_thi_dua_co_so: 1
        members_women: 5
        members_disciplined: [khien_trach]
        targets: {grdp-growth: 7.9, no-incidents: true}
    attestations: {compliance: true, emulation: true, solidarity: true}
  - {id: V1, name: Thôn Nà Giàng, kind: village}
people:
  - id: P1
    name: Nông Thị Hoa
    gender: nu
    unit: U1
    employment: cong_chuc
    recruited_on: 2015-03-01
    position: nhan_vien
    frontline: true
    areas: [bien_gioi, khu_vuc_iii]
    history:
      - {year: 2019, rating: HTXSNV, titles: [lao_dong_tien_tien, chien_si_thi_dua_co_so]}
      - {year: 2020, rating: HTXSNV, titles: [lao_dong_tien_tien, chien_si_thi_dua_co_so]}
      - {year: 2021, rating: HTXSNV}
    initiatives:
      - {id: SK-2021-07, kind: initiative, year: 2021, scope: co_so, recognized_by: U1, applied: true, title: Số hóa hồ sơ một cửa}
      - {id: DT-2020-02, kind: research, year: 2020, scope: tinh, accepted: true, applied: true}
    commendations:
      - {award: bang_khen_tinh, year: 2019, decision: "1234/QĐ-UBND"}
    attestations: {ethics: true, compliance: true, emulation: true, study: true, solidarity: true}
  - id: P2
    name: Hoàng Văn Nam
    gender: nam
    unit: U1
    employment: vien_chuc
    recruited_on: 2021-06-01
    position: quan_ly
    frontline: false
    history:
      - {year: 2021, rating: HTTNV}
    attestations: {ethics: true, compliance: true, emulation: true, study: true, solidarity: true}
  - id: P3
    name: Lục Thị Ánh
    gender: nu
    unit: U2
    employment: cong_chuc
    recruited_on: 2010-01-04
    history:
      - {year: 2021, rating: HTTNV}
    disciplines:
      - {form: canh_cao, decided_on: 2021-06-25, ends_on: 2022-06-25}
    attestations: {ethics: true, compliance: false, emulation: true, study: true, solidarity: true}
  - id: P4
    name: Đàm Văn Lợi
    unit: U2
    recruited_on: 2012-09-01
    history:
      - {year: 2021, rating: HTXSNV}
    pending_cases:
      - {kind: inspection, opened_on: 2021-11-02}
    attestations: {ethics: true, compliance: true, emulation: true, study: true}
households:
  - id: H1
    name: Hộ bà Nông Thị Hoa
    village: V1
    history:
      - {year: 2020, titles: [gia_dinh_van_hoa]}
    sanctions:
      - {kind: gambling, year: 2019, note: xử phạt hành chính}
nominations:
  - {candidate: P1, award: lao_dong_tien_tien}
  - {candidate: P1, award: chien_si_thi_dua_co_so, basis: [SK-2021-07]}
  - {candidate: P2, award: lao_dong_tien_tien}
  - {candidate: P3, award: lao_dong_tien_tien, note: đã bị kỷ luật}
  - {candidate: P4, award: lao_dong_tien_tien}
  - {candidate: U1, award: tap_the_lao_dong_tien_tien}
  - {candidate: U2, award: tap_the_lao_dong_tien_tien}
  - {candidate: H1, award: gia_dinh_van_hoa}
"""

CHILDREN = ("history", "initiatives", "disciplines", "pending_cases", "commendations", "sanctions")


def rows_from_data(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows each sheet gets for a batch given as nested data (field → value)."""
    out: dict[str, list[dict[str, Any]]] = {key: [] for key in SHEET_BY_KEY}
    out["batch"].append(dict(data["batch"]))
    for section in ("units", "people", "households"):
        for rec in data.get(section) or []:
            top = {k: v for k, v in rec.items() if k not in (*CHILDREN, "attestations")}
            for k, v in (rec.get("attestations") or {}).items():
                top[f"attestations.{k}"] = v
            out[section].append(top)
            for child in CHILDREN:
                for item in rec.get(child) or []:
                    row = {k: v for k, v in item.items() if k != "targets"}
                    row["@owner"], row["@name"] = rec["id"], rec["name"]
                    out[child].append(row)
                    for target, value in (item.get("targets") or {}).items():
                        out["targets"].append(
                            {
                                "@owner": rec["id"],
                                "year": item["year"],
                                "target": target,
                                "value": value,
                            }
                        )
    out["nominations"] = [dict(n) for n in data.get("nominations") or []]
    return out


def cell_value(column: Column, value: Any, *, excel: bool, style: str = "vi") -> Any:
    """A value as board staff type it: Vietnamese labels (or bare codes), dd/mm/yyyy, Có/Không."""
    if value is None or value == []:
        return None
    if column.vocab and column.kind in ("vocab", "vocabs", "bool"):
        vocab = VOCABS[column.vocab]
        if column.kind == "bool":
            code = "true" if value else "false"
            return vocab.label(code) if style == "vi" else code
        if column.kind == "vocabs":
            return "; ".join(vocab.label(v) if style == "vi" else v for v in value)
        return vocab.label(str(value)) if style == "vi" else value
    if column.kind == "date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if excel:
            return day
        return day.strftime("%d/%m/%Y") if style == "vi" else day.isoformat()
    if column.kind == "ids":
        return ", ".join(value)
    return value


def fill_workbook(template: bytes, data: dict[str, Any], *, lang: str = "vi") -> bytes:
    """The template with its example rows replaced by `data`, the way a board member fills it."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    rows = rows_from_data(data)
    for sheet in SHEETS:
        ws = book[sheet.title(lang)]
        headers = [c.value for c in ws[1]]
        columns = {c.header(lang): c for c in sheet.columns}
        ws.delete_rows(2, ws.max_row)
        for row in rows[sheet.key]:
            ws.append(
                [cell_value(columns[h], row.get(columns[h].field), excel=True) for h in headers]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fill_csv(
    folder: Path,
    data: dict[str, Any],
    *,
    headers: str = "vi",
    style: str = "vi",
    delimiter: str = ",",
    bom: bool = True,
) -> None:
    """A CSV folder for `data`; headers "vi", "folded" (no diacritics, upper case) or "en"."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = rows_from_data(data)
    for sheet in SHEETS:
        if not rows[sheet.key]:
            continue
        fields = list(dict.fromkeys(f for row in rows[sheet.key] for f in row))
        columns = {c.field: c for c in sheet.columns}
        names = {
            "vi": lambda c: c.vi,
            "folded": lambda c: fold(c.vi).upper(),
            "en": lambda c: c.en if "." not in c.field else c.field,
        }[headers]
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([names(columns[f]) for f in fields])
        for row in rows[sheet.key]:
            writer.writerow(
                [
                    ""
                    if (v := cell_value(columns[f], row.get(f), excel=False, style=style)) is None
                    else v
                    for f in fields
                ]
            )
        (folder / f"{sheet.key}.csv").write_bytes(
            buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
        )


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(BATCH_YAML)
    return loaded


def decisions(batch: Any) -> list[tuple[str, str, str, str]]:
    record = result_record(evaluate_batch(batch))
    return [(d["candidate"], d["award"], d["outcome"], d["digest"]) for d in record["decisions"]]


def errors_of(path: Path, limits: Limits | None = None) -> list[Diagnostic]:
    with pytest.raises(InputError) as info:
        load_tabular(path, limits=limits or Limits())
    return info.value.diagnostics


# ------------------------------------------------------------------------------- round trips


def test_template_filled_with_the_yaml_facts_gives_the_same_batch_and_decisions(
    tmp_path: Path, data: dict[str, Any]
) -> None:
    from_yaml = batch_from_text(BATCH_YAML, "b.yaml")
    book = tmp_path / "ho-so.xlsx"
    book.write_bytes(fill_workbook(template_xlsx(), data))
    from_excel = load_batch(book)
    assert from_excel == from_yaml
    assert decisions(from_excel) == decisions(from_yaml)
    assert {d[2] for d in decisions(from_excel)} >= {"eligible", "ineligible"}
    assert from_excel.people[0].name == "Nông Thị Hoa"


def test_csv_folder_round_trip_gives_the_same_decisions(
    tmp_path: Path, data: dict[str, Any]
) -> None:
    fill_csv(tmp_path / "ho-so", data)
    from_csv = load_batch(tmp_path / "ho-so")
    assert from_csv == batch_from_text(BATCH_YAML, "b.yaml")
    assert decisions(from_csv) == decisions(batch_from_text(BATCH_YAML, "b.yaml"))


def test_hidden_sheets_are_read_and_underscore_sheets_skipped(
    tmp_path: Path, data: dict[str, Any]
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(fill_workbook(template_xlsx(), data)))
    book["Kỷ luật"].sheet_state = "hidden"  # hiding a sheet never drops its facts
    book.create_sheet("_Tổng hợp riêng").append(["anything", 1])
    path = tmp_path / "b.xlsx"
    book.save(path)
    batch = load_tabular(path)
    assert batch == batch_from_text(BATCH_YAML, "b.yaml")
    assert batch.people[2].disciplines[0].form.value == "canh_cao"


def test_english_template_round_trip(tmp_path: Path, data: dict[str, Any]) -> None:
    book = tmp_path / "batch.xlsx"
    book.write_bytes(fill_workbook(template_xlsx("en"), data, lang="en"))
    assert load_tabular(book) == batch_from_text(BATCH_YAML, "b.yaml")


@pytest.mark.parametrize(
    ("headers", "style", "delimiter", "bom"),
    [
        ("vi", "vi", ",", True),
        ("folded", "vi", ";", False),  # no diacritics, upper case, Excel's ';' lists
        ("en", "codes", "\t", True),  # English field names, bare codes, ISO dates
        ("vi", "codes", ",", False),
    ],
)
def test_header_and_value_variants_read_the_same(
    tmp_path: Path, data: dict[str, Any], headers: str, style: str, delimiter: str, bom: bool
) -> None:
    fill_csv(tmp_path / "b", data, headers=headers, style=style, delimiter=delimiter, bom=bom)
    assert load_tabular(tmp_path / "b") == batch_from_text(BATCH_YAML, "b.yaml")


def test_csv_files_may_have_vietnamese_names(tmp_path: Path, data: dict[str, Any]) -> None:
    fill_csv(tmp_path / "b", data)
    for sheet in SHEETS:
        path = tmp_path / "b" / f"{sheet.key}.csv"
        if path.exists():
            path.rename(tmp_path / "b" / f"{sheet.vi}.csv")
    assert load_tabular(tmp_path / "b") == batch_from_text(BATCH_YAML, "b.yaml")


# ------------------------------------------------------------------------------- small tables


def write_csv(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def minimal(folder: Path, people: str, nominations: str, history: str | None = None) -> Path:
    write_csv(folder, "batch.csv", "Mã đợt xét,Năm xét,Ngày xét\nb1,2021,15/12/2021\n")
    write_csv(folder, "people.csv", people)
    write_csv(folder, "nominations.csv", nominations)
    if history is not None:
        write_csv(folder, "history.csv", history)
    return folder


PEOPLE = (
    "STT,Mã,Họ và tên,Ngày tuyển dụng (dd/mm/yyyy),Đạo đức,Chấp hành,Phong trào thi đua,"
    "Học tập,Đoàn kết\n"
    "1,P1,Nông Thị Hoa,01/03/2015,Có,x,true,có,CÓ\n"
    "2,P2,Hoàng Văn Nam,2016-02-29,Không,khong,false,0,sai\n"
)
NOMINATIONS = "Mã,Họ và tên,Đề nghị\nP1,Nông Thị Hoa,LĐTT\nP2,Hoang Van Nam,lao dong tien tien\n"


@pytest.mark.parametrize(
    "rating", ["Hoàn thành xuất sắc nhiệm vụ", "HTXSNV", "hoan thanh xuat sac nhiem vu", "HTXS"]
)
def test_rating_phrases_with_or_without_diacritics(tmp_path: Path, rating: str) -> None:
    folder = minimal(
        tmp_path / "b", PEOPLE, NOMINATIONS, f"Mã,Năm,Xếp loại,Danh hiệu\nP1,2021,{rating},\n"
    )
    batch = load_tabular(folder)
    assert batch.people[0].history[0].rating is not None
    assert batch.people[0].history[0].rating.value == "HTXSNV"


def test_values_yes_no_dates_and_award_lists(tmp_path: Path) -> None:
    history = (
        "Mã,Năm,Xếp loại,Danh hiệu\n"
        'P1,2020,HTTNV,"Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh, Lao động tiên tiến"\n'
        "P1,2019,HTTNV,LĐTT; CSTĐCS\n"
    )
    batch = load_tabular(minimal(tmp_path / "b", PEOPLE, NOMINATIONS, history))
    p1, p2 = batch.people
    assert p1.recruited_on == dt.date(2015, 3, 1)
    assert p2.recruited_on == dt.date(2016, 2, 29)
    assert p1.attestations.model_dump(exclude_none=True) == dict.fromkeys(
        ("ethics", "compliance", "emulation", "study", "solidarity"), True
    )
    assert not any(p2.attestations.model_dump(exclude_none=True).values())
    assert [t.value for t in p1.history[0].titles] == [
        "chien_si_thi_dua_tinh",
        "lao_dong_tien_tien",
    ]
    assert [t.value for t in p1.history[1].titles] == [
        "lao_dong_tien_tien",
        "chien_si_thi_dua_co_so",
    ]
    assert [n.award.value for n in batch.nominations] == ["lao_dong_tien_tien"] * 2


def test_a_title_row_above_the_headers_and_a_vertical_batch_sheet(tmp_path: Path) -> None:
    folder = minimal(tmp_path / "b", "DANH SÁCH CÁ NHÂN\n\n" + PEOPLE, NOMINATIONS)
    write_csv(folder, "batch.csv", "Mã đợt xét,b-doc\nNăm xét,2021\nNgày xét,15/12/2021\n")
    batch = load_tabular(folder)
    assert batch.batch.id == "b-doc"
    assert batch.batch.as_of == dt.date(2021, 12, 15)
    assert len(batch.people) == 2


def test_nfd_text_is_read_as_nfc(tmp_path: Path) -> None:
    folder = minimal(tmp_path / "b", unicodedata.normalize("NFD", PEOPLE), NOMINATIONS)
    batch = load_tabular(folder)
    assert batch.people[0].name == "Nông Thị Hoa"
    assert unicodedata.is_normalized("NFC", batch.people[0].name)


# ------------------------------------------------------------------------------- errors


def test_errors_name_file_row_column_and_value(tmp_path: Path) -> None:
    folder = minimal(
        tmp_path / "b",
        PEOPLE,
        NOMINATIONS,
        "Mã,Năm,Xếp loại\nP1,2020,HTTNV\nP1,2021,HTT X\n",
    )
    (d,) = errors_of(folder)
    assert d.code == "KT113"
    assert d.location.file is not None
    assert d.location.file.endswith("history.csv")
    assert d.location.line == 3
    assert d.message.startswith("cột 'Xếp loại' (C): ")
    assert 'unknown rating "HTT X"' in d.message
    assert 'did you mean "HTTNV"' in d.message
    assert "Hoàn thành xuất sắc nhiệm vụ" in d.help
    assert d.render().startswith(f"{d.location.file}:3: error[KT113]: cột 'Xếp loại' (C)")


def test_excel_errors_name_the_sheet(tmp_path: Path, data: dict[str, Any]) -> None:
    bad = yaml.safe_load(BATCH_YAML)
    bad["people"][1]["recruited_on"] = "2021-06-01"
    book = openpyxl.load_workbook(io.BytesIO(fill_workbook(template_xlsx(), bad)))
    ws = book["Cá nhân"]
    ws["F3"] = "30/02/2021"  # Ngày tuyển dụng of P2
    ws["E4"] = "Thợ mộc"  # Đối tượng of P3
    out = tmp_path / "bad.xlsx"
    book.save(out)
    found = errors_of(out)
    assert [(d.code, d.location.file, d.location.line) for d in found] == [
        ("KT148", f"{out}[Cá nhân]", 3),
        ("KT113", f"{out}[Cá nhân]", 4),
    ]
    assert (
        found[0].message
        == "cột 'Ngày tuyển dụng' (F): \"30/02/2021\" is not a date of the calendar"
    )
    assert found[1].message.startswith("cột 'Đối tượng' (E): unknown value \"Thợ mộc\"")
    assert "Công chức" in found[1].help


@pytest.mark.parametrize(
    ("people", "code", "needle"),
    [
        (PEOPLE.replace("01/03/2015", "2015/13/45"), "KT148", "is not a date"),
        (PEOPLE.replace("Có,x,true", "Có,maybe,true"), "KT150", '"maybe" is not yes or no'),
        (
            PEOPLE.replace("Đạo đức,", "Đạo đứ,"),
            "KT145",
            "unknown column 'Đạo đứ' (E) (did you mean",
        ),
        (PEOPLE.replace("Chấp hành,", "Đạo đức,"), "KT146", "columns E and F both give"),
        (PEOPLE.replace("Họ và tên,", "Tên gọi,"), "KT145", "unknown column 'Tên gọi'"),
        (PEOPLE.replace("P1,Nông", f"{EXAMPLE_PREFIX}P1,Nông"), "KT152", "example row"),
    ],
)
def test_bad_cells_and_headers(tmp_path: Path, people: str, code: str, needle: str) -> None:
    found = errors_of(minimal(tmp_path / "b", people, NOMINATIONS))
    assert code in [d.code for d in found]
    assert any(needle in d.message for d in found), [d.message for d in found]
    assert all(d.location.file and d.location.file.endswith(".csv") for d in found)


def test_missing_required_column_and_sheet(tmp_path: Path) -> None:
    folder = minimal(tmp_path / "b", PEOPLE.replace("Mã,", "Mã số thuế,", 1), NOMINATIONS)
    (tmp_path / "b" / "batch.csv").unlink()
    codes = {d.code: d for d in errors_of(folder)}
    assert set(codes) == {"KT144", "KT145", "KT147"}
    assert "no column 'Mã'" in codes["KT147"].message


@pytest.mark.parametrize(
    ("history", "code", "needle"),
    [
        ("Mã,Năm,Xếp loại\nP9,2021,HTTNV\n", "KT151", 'unknown candidate "P9"'),
        ("Mã,Năm,Số thành viên nữ\nP1,2021,3\n", "KT151", "this column is for a unit"),
        ("Mã,Năm,Xếp loại\nP1,2021.5,HTTNV\n", "KT149", "not a whole number"),
        ("Mã,Họ và tên,Năm\nP1,Nguyễn Văn B,2021\n", "KT153", "does not match"),
    ],
)
def test_child_rows(tmp_path: Path, history: str, code: str, needle: str) -> None:
    found = errors_of(minimal(tmp_path / "b", PEOPLE, NOMINATIONS, history))
    assert [d.code for d in found] == [code]
    assert needle in found[0].message
    assert found[0].location.line == 2


def test_initiatives_belong_to_people(tmp_path: Path) -> None:
    folder = minimal(tmp_path / "b", PEOPLE, NOMINATIONS)
    write_csv(folder, "units.csv", "Mã,Tên tập thể\nU1,Sở Nội vụ\n")
    write_csv(folder, "initiatives.csv", "Mã,Mã sáng kiến,Năm,Phạm vi\nU1,SK1,2021,cơ sở\n")
    (d,) = errors_of(folder)
    assert d.code == "KT151"
    assert '"U1" is a unit' in d.message


def test_unknown_sheet_and_reference_errors(tmp_path: Path) -> None:
    folder = minimal(tmp_path / "b", PEOPLE, NOMINATIONS.replace("P2,Hoang", "P7,Hoang"))
    (d,) = errors_of(folder)
    assert d.code == "KT121"
    assert d.message.startswith("cột 'Mã' (A): unknown candidate \"P7\"")
    assert d.location.line == 3
    write_csv(folder, "nguoi-nhan.csv", "x,y\n")
    (d,) = errors_of(folder)
    assert d.code == "KT143"
    write_csv(folder, "_ghi-chu.csv", "anything\n")  # '_' files are skipped
    (folder / "nguoi-nhan.csv").unlink()
    assert errors_of(folder)[0].code == "KT121"


def test_encodings(tmp_path: Path) -> None:
    folder = minimal(tmp_path / "b", PEOPLE, NOMINATIONS)
    write_csv(folder, "people.csv", PEOPLE, encoding="utf-16")  # Excel "Unicode text", with BOM
    assert len(load_tabular(folder).people) == 2
    (folder / "people.csv").write_bytes(b"M\xe3,H\xf2 v\xe0 t\xean\nP1,Nguy\xean\n")  # Windows-1258
    (d,) = errors_of(folder)
    assert d.code == "KT101"
    assert "CSV UTF-8" in d.help


def test_limits(tmp_path: Path) -> None:
    folder = minimal(tmp_path / "b", PEOPLE, NOMINATIONS)
    assert errors_of(folder, Limits(max_rows=5))[0].code == "KT142"
    assert errors_of(folder, Limits(max_bytes=100))[0].code == "KT106"


def test_not_a_workbook(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    (d,) = errors_of(fake)
    assert d.code == "KT141"
    assert "not .xls" in d.help


def test_excel_needs_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "b.xlsx"
    book.write_bytes(template_xlsx())
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    (d,) = errors_of(book)
    assert d.code == "KT140"
    assert "pip install 'khenthuong[reports]'" in d.help
    folder = minimal(tmp_path / "b", PEOPLE, NOMINATIONS)
    assert len(load_tabular(folder).people) == 2  # CSV needs no extra


def test_cli_reports_spreadsheet_errors_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = minimal(tmp_path / "b", PEOPLE, NOMINATIONS, "Mã,Năm,Xếp loại\nP1,2021,HTT X\n")
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "history.csv:2: error[KT113]: cột 'Xếp loại' (C)" in err
    assert "Traceback" not in err


# ------------------------------------------------------------------------------- template


def test_template_workbook_sheets_dropdowns_and_example_rows(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames[0] == "Hướng dẫn"
    assert book["Danh mục"].sheet_state == "hidden"
    for sheet in SHEETS:
        ws = book[sheet.vi]
        headers = [c.value for c in ws[1]]
        assert headers == [c.vi for c in sheet.columns if c.shown]
        assert str(ws.cell(row=2, column=1).value).startswith(EXAMPLE_PREFIX)
    history = book["Quá trình hằng năm"]
    lists = {str(v.sqref): v for v in history.data_validations.dataValidation}
    rating = lists["D2:D5000"]
    assert rating.type == "list"
    assert rating.formula1 == "'Danh mục'!$A$2:$A$5"
    choices = [c.value for c in book["Danh mục"]["A"][1:5]]
    assert choices == [
        "Hoàn thành xuất sắc nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành nhiệm vụ",
        "Không hoàn thành nhiệm vụ",
    ]
    assert "Lao động tiên tiến" in [c.value for c in book["Danh mục"]["B"]]
    yes_no = [c.value for c in book["Danh mục"]["E"][1:3]]
    assert yes_no == ["Có", "Không"]
    # the untouched template is refused: its example rows must be deleted
    path = tmp_path / "t.xlsx"
    path.write_bytes(template_xlsx())
    assert {d.code for d in errors_of(path)} == {"KT152"}


def test_template_csv_files(tmp_path: Path) -> None:
    files = template_csv()
    assert set(files) == {f"{s.key}.csv" for s in SHEETS}
    text = files["people.csv"].decode("utf-8-sig")
    assert text.startswith("Mã,Họ và tên,Giới tính,Đơn vị")
    assert files["people.csv"].startswith(b"\xef\xbb\xbf")
    assert "01/03/2015" in text


def test_template_command_writes_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["template", "--out", str(tmp_path / "mau.xlsx")]) == 0
    assert main(["template", "--format", "csv", "--out", str(tmp_path / "mau")]) == 0
    assert (
        main(["template", "--format", "csv", "--out", str(tmp_path / "mau"), "--lang", "en"]) == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mau", "mau.xlsx"]
    assert (tmp_path / "mau" / "people.csv").read_text("utf-8-sig").startswith("id,name,")
    (tmp_path / "mau" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["template", "--format", "csv", "--out", str(tmp_path / "mau")]) == 2
    assert "KT155" in capsys.readouterr().err
    assert (tmp_path / "mau" / "notes.txt").exists()


# ------------------------------------------------------------------------------- properties


def test_docs_list_every_sheet_and_column() -> None:
    text = (Path(__file__).parents[1] / "docs" / "spreadsheets.md").read_text(encoding="utf-8")
    for sheet in SHEETS:
        assert f"#### {sheet.vi} — `{sheet.key}.csv`" in text
        for column in sheet.columns:
            if column.shown:
                assert f"| {column.vi} |" in text, (sheet.key, column.vi)


def test_headers_do_not_collide_within_a_sheet() -> None:
    for sheet in SHEETS:
        fields: dict[str, str] = {}
        for column in sheet.columns:
            for name in (column.vi, column.en, *column.aliases):
                key = fold(name)
                assert fields.setdefault(key, column.field) == column.field, (sheet.key, name)


def _variants(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            text,
            text.upper(),
            text.lower(),
            fold(text),
            unicodedata.normalize("NFD", text),
            f"  {text} *",
            f"{text} (ghi chú)",
        ]
    )


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_every_header_variant_names_its_field(data: st.DataObject) -> None:
    sheet = data.draw(st.sampled_from(SHEETS))
    column = data.draw(st.sampled_from(sheet.columns))
    name = data.draw(st.sampled_from([column.vi, column.en, *column.aliases]))
    assert header_field(sheet.key, data.draw(_variants(name))) == column.field
    assert sheet_for(data.draw(_variants(sheet.vi))) is sheet


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1945, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_in_every_accepted_form(day: dt.date) -> None:
    for form in (
        day,
        dt.datetime.combine(day, dt.time()),
        day.strftime("%d/%m/%Y"),
        day.isoformat(),
        f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d.%m.%Y"),
    ):
        assert parse_date(form) == day
    assert parse_date((day - dt.date(1899, 12, 30)).days) == day  # an Excel serial number


def test_target_rows(tmp_path: Path) -> None:
    folder = minimal(tmp_path / "b", PEOPLE, NOMINATIONS)
    write_csv(folder, "units.csv", "Mã,Tên tập thể\nU1,Sở Nội vụ\n")
    write_csv(folder, "targets.csv", 'Mã,Năm,Mã chỉ tiêu,Kết quả\nU1,2021,grdp,"7,9%"\n')
    unit = load_tabular(folder).units[0]
    assert unit.history[0].year == 2021
    assert str(unit.history[0].targets["grdp"]) == "7.9"
    write_csv(folder, "targets.csv", "Mã,Năm,Mã chỉ tiêu,Kết quả\nU1,2021,grdp,bảy\nU1,,x,1\n")
    found = errors_of(folder)
    assert [(d.code, d.location.line) for d in found] == [("KT149", 2), ("KT112", 3)]
    write_csv(folder, "targets.csv", "Mã,Năm,Mã chỉ tiêu,Kết quả\nU1,2021,g,1\nU1,2021,g,Có\n")
    assert [d.code for d in errors_of(folder)] == ["KT154"]
