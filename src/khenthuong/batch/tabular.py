"""Read a nomination batch from an Excel workbook or a folder of CSV files (one sheet per section).

Each sheet is a table under one header row. Headers may be the Vietnamese names board staff use
("Họ và tên", "Xếp loại", "Đề nghị"…) or the batch format's English field names; they are matched
after Unicode NFC and case folding, then again without diacritics. Values may be the Vietnamese
phrases of the vocabularies with or without diacritics ("Hoàn thành xuất sắc nhiệm vụ", "HTXSNV",
"Lao động tiên tiến", "LĐTT"), dates as Excel dates, dd/mm/yyyy or yyyy-mm-dd, and yes/no as
Có/Không/x/true/false. The sheets are assembled into the same nested data as a YAML batch and
validated by `batch_from_data`, so every rule of the batch format applies; every problem names the
file, the sheet, the row, the column and the value.

Excel needs openpyxl (the `reports` extra); CSV needs only the standard library.

Example:
    >>> header_field("people", "Họ và tên"), header_field("people", "ho va ten")
    ('name', 'name')
    >>> header_field("history", "Xếp loại"), header_field("history", "rating")
    ('rating', 'rating')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import string
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from khenthuong.batch.load import batch_from_data, format_path
from khenthuong.errors import Diagnostic, InputError, Location
from khenthuong.model.batch import Batch
from khenthuong.model.types import suggest
from khenthuong.model.vocab import (
    AREA_LABELS,
    ATTESTATION_LABELS,
    AWARD_ALIASES,
    AWARD_LABELS,
    DISCIPLINE_ALIASES,
    DISCIPLINE_LABELS,
    RATING_ALIASES,
    RATING_LABELS,
    SCOPE_ALIASES,
    SCOPE_LABELS,
    Area,
    Attestation,
    Employment,
    Gender,
    InitiativeKind,
    PendingKind,
    Position,
    SanctionKind,
    SubjectKind,
    UnitKind,
    fold,
)
from khenthuong.sources import DEFAULT_LIMITS, Limits, check_size, decode

EXTRA_HINT: Final = "pip install 'khenthuong[reports]'"
EXAMPLE_PREFIX: Final = "VD-"
"""Ids of the template's example rows start with this (ví dụ); such rows are refused."""

# Workbooks are zip files of XML; their uncompressed content is bounded by this multiple of
# `Limits.max_bytes` (spreadsheet XML compresses about tenfold) so a zip bomb stops early.
UNZIPPED_FACTOR: Final = 8

# Headers and sheet names that are never data, wherever they appear.
_INFO_HEADERS = frozenset(
    {"stt", "tt", "so tt", "so thu tu", "#", "no", "ghi chu", "note", "notes", "ghi chu khac"}
)
_SKIPPED_SHEETS = frozenset(
    {"huong dan", "readme", "danh muc", "lists", "instructions", "gioi thieu", "about"}
)


# ---------------------------------------------------------------------------------- vocabularies


@dataclass(frozen=True, slots=True)
class Vocab:
    """A closed list a column takes: codes, display labels, and the phrases accepted on input.

    `model` is true where the batch model itself accepts the phrases (ratings, awards, scopes,
    discipline forms): unknown values then go through to its "did you mean" error.
    """

    name: str
    codes: tuple[str, ...]
    labels: Mapping[str, tuple[str, str]]
    aliases: Mapping[str, str]
    model: bool = False

    def label(self, code: str, lang: str = "vi") -> str:
        vi, en = self.labels.get(code, (code, code))
        return en if lang == "en" else vi

    def choices(self, lang: str = "vi") -> list[str]:
        """Dropdown values: Vietnamese labels, or the codes for an English template."""
        return [self.label(c) if lang != "en" else c for c in self.codes]

    def parse(self, text: str) -> str | None:
        return self.aliases.get(fold(text))


def _vocab(
    name: str,
    labels: Mapping[Any, tuple[str, str]],
    extra: Mapping[str, Any] | None = None,
    model_aliases: Mapping[str, Any] | None = None,
) -> Vocab:
    codes = tuple(str(getattr(k, "value", k)) for k in labels)
    table: dict[str, str] = {}
    for key, (vi, en) in labels.items():
        code = str(getattr(key, "value", key))
        for phrase in (code, vi, en):
            table.setdefault(fold(phrase), code)
    for phrase, key in (extra or {}).items():
        table[fold(phrase)] = str(getattr(key, "value", key))
    for phrase, key in (model_aliases or {}).items():
        table.setdefault(phrase, str(getattr(key, "value", key)))
    return Vocab(
        name,
        codes,
        {str(getattr(k, "value", k)): v for k, v in labels.items()},
        table,
        model_aliases is not None,
    )


_YES = ("Có", "Yes")
_NO = ("Không", "No")

VOCABS: Final[dict[str, Vocab]] = {
    v.name: v
    for v in (
        _vocab("rating", RATING_LABELS, model_aliases=RATING_ALIASES),
        _vocab("award", AWARD_LABELS, model_aliases=AWARD_ALIASES),
        _vocab("scope", SCOPE_LABELS, model_aliases=SCOPE_ALIASES),
        _vocab("discipline", DISCIPLINE_LABELS, model_aliases=DISCIPLINE_ALIASES),
        _vocab(
            "yesno",
            {"true": _YES, "false": _NO},
            {
                **dict.fromkeys(["x", "y", "1", "đúng", "đạt", "✓", "✔"], "true"),
                **dict.fromkeys(["k", "n", "0", "sai", "chưa", "không đạt", "✗"], "false"),
            },
        ),
        _vocab("gender", {Gender.NU: ("Nữ", "female"), Gender.NAM: ("Nam", "male")}),
        _vocab(
            "employment",
            {
                Employment.CONG_CHUC: ("Công chức", "civil servant"),
                Employment.VIEN_CHUC: ("Viên chức", "public employee"),
                Employment.NGUOI_LAO_DONG: ("Người lao động", "employee"),
                Employment.CONG_NHAN: ("Công nhân", "worker"),
                Employment.NONG_DAN: ("Nông dân", "farmer"),
                Employment.LUC_LUONG_VU_TRANG: ("Lực lượng vũ trang", "armed forces"),
            },
            {"LLVT": Employment.LUC_LUONG_VU_TRANG, "CC": Employment.CONG_CHUC},
        ),
        _vocab(
            "position",
            {
                Position.NHAN_VIEN: ("Nhân viên", "staff"),
                Position.QUAN_LY: ("Quản lý", "manager"),
                Position.LANH_DAO: ("Lãnh đạo", "leader"),
            },
            {"Chuyên viên": Position.NHAN_VIEN},
        ),
        _vocab(
            "unit_kind",
            {
                UnitKind.AGENCY: ("Cơ quan hành chính", "agency"),
                UnitKind.PUBLIC_SERVICE: ("Đơn vị sự nghiệp", "public service unit"),
                UnitKind.ENTERPRISE: ("Doanh nghiệp", "enterprise"),
                UnitKind.COOPERATIVE: ("Hợp tác xã", "cooperative"),
                UnitKind.COMMUNE: ("Xã, phường, thị trấn", "commune"),
                UnitKind.SCHOOL: ("Trường học", "school"),
                UnitKind.ARMED_FORCES: ("Lực lượng vũ trang", "armed forces"),
                UnitKind.VILLAGE: ("Thôn, tổ dân phố", "village"),
                UnitKind.OTHER: ("Khác", "other"),
            },
            {
                "Cơ quan": UnitKind.AGENCY,
                "Xã": UnitKind.COMMUNE,
                "Phường": UnitKind.COMMUNE,
                "Trường": UnitKind.SCHOOL,
                "Thôn": UnitKind.VILLAGE,
                "Tổ dân phố": UnitKind.VILLAGE,
                "HTX": UnitKind.COOPERATIVE,
            },
        ),
        _vocab(
            "area",
            AREA_LABELS,
            {
                "khu vực III": Area.KHU_VUC_III,
                "KV III": Area.KHU_VUC_III,
                "KV3": Area.KHU_VUC_III,
                "thôn ĐBKK": Area.THON_DBKK,
                "ĐBKK": Area.THON_DBKK,
            },
        ),
        _vocab(
            "initiative_kind",
            {
                InitiativeKind.INITIATIVE: ("Sáng kiến", "initiative"),
                InitiativeKind.RESEARCH: ("Đề tài khoa học", "research"),
            },
            {
                "Đề tài": InitiativeKind.RESEARCH,
                "Đề án": InitiativeKind.RESEARCH,
                "Đề tài, đề án": InitiativeKind.RESEARCH,
                "Nghiên cứu": InitiativeKind.RESEARCH,
            },
        ),
        _vocab(
            "pending_kind",
            {
                PendingKind.INVESTIGATION: ("Điều tra", "investigation"),
                PendingKind.DISCIPLINARY_REVIEW: ("Xem xét kỷ luật", "disciplinary review"),
                PendingKind.INSPECTION: ("Thanh tra, kiểm tra", "inspection"),
                PendingKind.AUDIT: ("Kiểm toán", "audit"),
                PendingKind.COMPLAINT: ("Xác minh đơn thư, khiếu nại, tố cáo", "complaint"),
            },
            {
                "Thanh tra": PendingKind.INSPECTION,
                "Kiểm tra": PendingKind.INSPECTION,
                "Đơn thư": PendingKind.COMPLAINT,
                "Khiếu nại": PendingKind.COMPLAINT,
                "Tố cáo": PendingKind.COMPLAINT,
                "Kỷ luật": PendingKind.DISCIPLINARY_REVIEW,
            },
        ),
        _vocab(
            "sanction_kind",
            {
                SanctionKind.PROSECUTED: ("Bị truy cứu trách nhiệm hình sự", "prosecuted"),
                SanctionKind.MILITARY_SERVICE: (
                    "Vi phạm nghĩa vụ quân sự",
                    "military service violation",
                ),
                SanctionKind.TAX: ("Vi phạm nghĩa vụ thuế", "tax violation"),
                SanctionKind.CHILD_MARRIAGE: ("Tảo hôn", "child marriage"),
                SanctionKind.MARRIAGE_LAW: (
                    "Vi phạm pháp luật hôn nhân và gia đình",
                    "marriage law violation",
                ),
                SanctionKind.PUBLIC_ORDER: (
                    "Vi phạm trật tự, an toàn xã hội",
                    "public order violation",
                ),
                SanctionKind.GAMBLING: ("Cờ bạc", "gambling"),
                SanctionKind.SOCIAL_EVILS: ("Tệ nạn xã hội", "social evils"),
                SanctionKind.FIRE_SAFETY: ("Vi phạm phòng cháy, chữa cháy", "fire safety"),
                SanctionKind.DOMESTIC_VIOLENCE: ("Bạo lực gia đình", "domestic violence"),
            },
        ),
    )
}


# ---------------------------------------------------------------------------------- sheet specs


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet: the field it fills, its Vietnamese header, how to read its cells.

    `field` is a field of the record (dotted for attestations), `@owner` for the candidate a
    child row belongs to, or `@name` for a name cross-checked against that candidate.
    `kind` is one of text, id, int, date, bool, number, ids, or `vocab`/`vocabs` (one value or a
    list from `VOCABS[vocab]`). `only` limits the column to candidates of some kinds.
    """

    field: str
    vi: str
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    vocab: str | None = None
    required: bool = False
    example: Any = None
    only: frozenset[SubjectKind] | None = None
    shown: bool = True

    @property
    def en(self) -> str:
        return {"@owner": "candidate", "@name": "name"}.get(self.field, self.field)

    def header(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True, slots=True)
class Sheet:
    """A section of the batch as a sheet: its name, columns, and where its rows go.

    Top sheets (`target` None) hold records (batch header, units, people, households,
    nominations); child sheets add items to a list field (`target`) of the candidate named in
    their `@owner` column, which must be of one of `owners`.
    """

    key: str
    vi: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    target: str | None = None
    owners: frozenset[SubjectKind] = frozenset()
    required: bool = False

    @property
    def en(self) -> str:
        return self.key

    def title(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


_PERSON = frozenset({SubjectKind.PERSON})
_UNIT = frozenset({SubjectKind.UNIT})
_HOUSEHOLD = frozenset({SubjectKind.HOUSEHOLD})
_ANY = frozenset(SubjectKind)


def _c(
    field_: str,
    vi: str,
    kind: str = "text",
    aliases: str = "",
    example: Any = None,
    *,
    required: bool = False,
    only: frozenset[SubjectKind] | None = None,
) -> Column:
    """A column; `kind` may be "vocab:NAME"/"vocabs:NAME", `aliases` are separated by "|"."""
    kind, _, vocab = kind.partition(":")
    if kind == "bool":
        vocab = "yesno"
    names = tuple(a.strip() for a in aliases.split("|") if a.strip())
    return Column(field_, vi, kind, names, vocab or None, required, example, only)


# Short headers for the attestations board staff fill most; the others get their label.
_ATTEST_HEADERS: Final[dict[Attestation, tuple[str, str]]] = {
    Attestation.ETHICS: ("Đạo đức, lối sống", "Đạo đức|Đạo đức, lối sống lành mạnh"),
    Attestation.COMPLIANCE: (
        "Chấp hành chính sách, pháp luật",
        "Chấp hành|Chấp hành tốt chủ trương, chính sách, pháp luật",
    ),
    Attestation.EMULATION: (
        "Tham gia phong trào thi đua",
        "Phong trào thi đua|Tích cực tham gia phong trào thi đua|Thi đua",
    ),
    Attestation.STUDY: (
        "Học tập chính trị, chuyên môn",
        "Học tập|Tích cực học tập chính trị, văn hóa, chuyên môn, nghiệp vụ",
    ),
    Attestation.SOLIDARITY: ("Đoàn kết, tương trợ", "Đoàn kết|Nội bộ đoàn kết"),
}


def _attest(shown: str, example: Any = None) -> tuple[Column, ...]:
    """Attestation columns (xác nhận của đơn vị): all are read; the template shows `shown`."""
    out = []
    for code in Attestation:
        vi, aliases = _ATTEST_HEADERS.get(code, (None, ""))
        label = ATTESTATION_LABELS[code][0]
        header = vi or label[:1].upper() + label[1:]
        column = _c(f"attestations.{code.value}", header, "bool", f"{aliases}|{label}|{code.value}")
        visible = code.value in shown.split()
        out.append(replace(column, example=example if visible else None, shown=visible))
    return tuple(out)


_OWNER = "Mã đối tượng|Mã cá nhân|Mã tập thể|Mã đơn vị|Mã hộ|Mã người|Mã số|owner"
_NAME = "Họ tên|Tên|Tên tập thể|Tên đơn vị|Tên hộ"
_EXAMPLE_NAMES = {
    "P": "Nguyễn Văn A (ví dụ)",
    "U": "Phòng Tổ chức (ví dụ)",
    "H": "Hộ ông B (ví dụ)",
}


def _owner(example: str, more: str = "") -> tuple[Column, Column]:
    """The candidate (Mã) a child row belongs to, and an optional name checked against it."""
    name = _EXAMPLE_NAMES[example.removeprefix(EXAMPLE_PREFIX)[0]]
    return (
        _c("@owner", "Mã", "id", f"{_OWNER}|{more}", example, required=True),
        _c("@name", "Họ và tên", "text", _NAME, name),
    )


_P1, _U1, _H1 = (f"{EXAMPLE_PREFIX}{x}" for x in ("P1", "U1", "H1"))
_AREA = ("areas", "Khu vực", "vocabs:area", "Vùng|Địa bàn")
_COMMUNE = ("commune", "Mã xã", "id", "Xã|Mã xã, phường")

SHEETS: Final[tuple[Sheet, ...]] = (
    Sheet(
        "batch",
        "Đợt xét",
        (
            _c(
                "id",
                "Mã đợt xét",
                "id",
                "Mã đợt|Mã|Mã hồ sơ",
                f"{EXAMPLE_PREFIX}2021",
                required=True,
            ),
            _c("year", "Năm xét", "int", "Năm|Năm đánh giá", 2021, required=True),
            _c(
                "as_of",
                "Ngày xét",
                "date",
                "Ngày xét duyệt|Ngày họp hội đồng",
                dt.date(2021, 12, 15),
            ),
            _c("province", "Tỉnh", "id", "Mã tỉnh|Tỉnh, thành phố"),
            _c("movement", "Phong trào thi đua", "id", "Phong trào|Mã phong trào"),
            _c("submitted_by", "Đơn vị trình", "id", "Đơn vị đề nghị|Cơ quan trình", _U1),
        ),
        ("Thông tin đợt xét", "Đợt", "Hồ sơ", "header"),
        required=True,
    ),
    Sheet(
        "units",
        "Tập thể",
        (
            _c("id", "Mã", "id", "Mã đơn vị|Mã tập thể", _U1, required=True),
            _c(
                "name",
                "Tên tập thể",
                "text",
                "Tên đơn vị|Tên|Tên cơ quan, đơn vị",
                _EXAMPLE_NAMES["U"],
                required=True,
            ),
            _c(
                "kind",
                "Loại hình",
                "vocab:unit_kind",
                "Loại|Loại hình đơn vị",
                "Cơ quan hành chính",
            ),
            _c("parent", "Đơn vị cấp trên", "id", "Mã đơn vị cấp trên|Trực thuộc"),
            _c("cluster", "Cụm, khối thi đua", "id", "Khối thi đua|Cụm thi đua|Khối"),
            _c(*_COMMUNE),
            _c(*_AREA),
            _c("headcount", "Số thành viên", "int", "Quân số|Tổng số", 12),
            *_attest("compliance emulation solidarity economy culture environment", "Có"),
        ),
        ("Đơn vị", "Tập thể, đơn vị", "Danh sách tập thể", "collectives"),
    ),
    Sheet(
        "people",
        "Cá nhân",
        (
            _c("id", "Mã", "id", "Mã cá nhân|Mã số|Mã CBCC|Mã nhân viên", _P1, required=True),
            _c("name", "Họ và tên", "text", "Họ tên|Tên", _EXAMPLE_NAMES["P"], required=True),
            _c("gender", "Giới tính", "vocab:gender", "Nam/Nữ", "Nam"),
            _c("unit", "Đơn vị", "id", "Mã đơn vị|Đơn vị công tác", _U1),
            _c("employment", "Đối tượng", "vocab:employment", "Đối tượng công tác", "Công chức"),
            _c("recruited_on", "Ngày tuyển dụng", "date", "Ngày vào làm", dt.date(2015, 3, 1)),
            _c("position", "Chức vụ", "vocab:position", "Chức danh|Vị trí", "Nhân viên"),
            _c(
                "frontline",
                "Trực tiếp lao động, sản xuất, công tác",
                "bool",
                "Trực tiếp lao động|Trực tiếp sản xuất|Trực tiếp|Trực tiếp công tác",
                "Có",
            ),
            _c(*_COMMUNE),
            _c(*_AREA),
            *_attest("ethics compliance emulation study solidarity", "Có"),
        ),
        ("Danh sách cá nhân", "Người", "Cán bộ", "individuals"),
    ),
    Sheet(
        "households",
        "Hộ gia đình",
        (
            _c("id", "Mã", "id", "Mã hộ", _H1, required=True),
            _c(
                "name",
                "Tên hộ",
                "text",
                "Chủ hộ|Họ và tên chủ hộ|Tên",
                _EXAMPLE_NAMES["H"],
                required=True,
            ),
            _c("village", "Thôn, tổ dân phố", "id", "Thôn|Mã thôn|Tổ dân phố"),
            _c(*_COMMUNE),
            _c(*_AREA),
            *_attest("compliance solidarity family livelihood"),
        ),
        ("Hộ", "Danh sách hộ"),
    ),
    Sheet(
        "history",
        "Quá trình hằng năm",
        (
            *_owner(_P1),
            _c("year", "Năm", "int", "Năm đánh giá", 2020, required=True),
            _c(
                "rating",
                "Xếp loại",
                "vocab:rating",
                "Xếp loại chất lượng|Đánh giá, xếp loại|Mức xếp loại",
                "Hoàn thành xuất sắc nhiệm vụ",
                only=_PERSON | _UNIT,
            ),
            _c(
                "titles",
                "Danh hiệu",
                "vocabs:award",
                "Danh hiệu đạt được|Danh hiệu thi đua|Danh hiệu được tặng",
                "Lao động tiên tiến; Chiến sĩ thi đua cơ sở",
            ),
            _c(
                "members_rated_htnv_or_better",
                "Số thành viên hoàn thành nhiệm vụ trở lên",
                "int",
                "Số người hoàn thành nhiệm vụ trở lên",
                only=_UNIT,
            ),
            _c(
                "members_lao_dong_tien_tien",
                "Số thành viên đạt Lao động tiên tiến",
                "int",
                "Số người đạt Lao động tiên tiến|Số LĐTT",
                only=_UNIT,
            ),
            _c(
                "members_chien_si_thi_dua_co_so",
                "Số thành viên đạt Chiến sĩ thi đua cơ sở",
                "int",
                "Số người đạt Chiến sĩ thi đua cơ sở|Số CSTĐCS",
                only=_UNIT,
            ),
            _c("members_women", "Số thành viên nữ", "int", "Số nữ", only=_UNIT),
            _c(
                "members_disciplined",
                "Hình thức kỷ luật của thành viên",
                "vocabs:discipline",
                "Thành viên bị kỷ luật",
                only=_UNIT,
            ),
        ),
        ("Quá trình", "Lịch sử", "Xếp loại hằng năm", "Kết quả hằng năm", "Quá trình công tác"),
        target="history",
        owners=_ANY,
    ),
    Sheet(
        "initiatives",
        "Sáng kiến",
        (
            *_owner(_P1, "Mã tác giả|person"),
            _c(
                "id",
                "Mã sáng kiến",
                "id",
                "Mã đề tài|Số sáng kiến|Mã sáng kiến, đề tài",
                f"{EXAMPLE_PREFIX}SK-2021-01",
                required=True,
            ),
            _c(
                "kind",
                "Loại",
                "vocab:initiative_kind",
                "Sáng kiến hay đề tài|Loại sáng kiến",
                "Sáng kiến",
            ),
            _c("year", "Năm", "int", "Năm công nhận", 2021, required=True),
            _c(
                "scope",
                "Phạm vi",
                "vocab:scope",
                "Phạm vi ảnh hưởng|Cấp công nhận|Phạm vi áp dụng",
                "cơ sở",
                required=True,
            ),
            _c("recognized_by", "Cơ quan công nhận", "id", "Đơn vị công nhận", _U1),
            _c("accepted", "Nghiệm thu", "bool", "Đã nghiệm thu"),
            _c("applied", "Áp dụng", "bool", "Đã áp dụng", "Có"),
            _c(
                "title",
                "Tên sáng kiến",
                "text",
                "Sáng kiến|Tên đề tài|Tên sáng kiến, đề tài|Nội dung",
                "Số hóa hồ sơ một cửa (ví dụ)",
            ),
        ),
        ("Sáng kiến, đề tài", "Đề tài", "Sáng kiến đề tài"),
        target="initiatives",
        owners=_PERSON,
    ),
    Sheet(
        "disciplines",
        "Kỷ luật",
        (
            *_owner(_P1),
            _c(
                "form",
                "Hình thức kỷ luật",
                "vocab:discipline",
                "Hình thức|Kỷ luật",
                "khiển trách",
                required=True,
            ),
            _c(
                "decided_on",
                "Ngày quyết định",
                "date",
                "Ngày kỷ luật|Ngày ký quyết định|Ngày ký",
                dt.date(2018, 4, 10),
                required=True,
            ),
            _c(
                "ends_on",
                "Ngày hết hiệu lực",
                "date",
                "Ngày hết hạn|Ngày chấm dứt|Ngày hết thời hạn",
                dt.date(2019, 4, 10),
            ),
        ),
        ("Kỷ luật cá nhân", "Bị kỷ luật"),
        target="disciplines",
        owners=_PERSON,
    ),
    Sheet(
        "pending_cases",
        "Vụ việc đang xem xét",
        (
            *_owner(_P1),
            _c(
                "kind",
                "Loại vụ việc",
                "vocab:pending_kind",
                "Loại|Vụ việc",
                "Thanh tra, kiểm tra",
                required=True,
            ),
            _c(
                "opened_on",
                "Ngày bắt đầu",
                "date",
                "Ngày mở|Ngày phát sinh",
                dt.date(2021, 11, 2),
                required=True,
            ),
            _c("closed_on", "Ngày kết thúc", "date", "Ngày kết luận|Ngày đóng"),
        ),
        ("Đang xem xét", "Vụ việc", "Đang bị xem xét"),
        target="pending_cases",
        owners=_ANY,
    ),
    Sheet(
        "commendations",
        "Khen thưởng đã nhận",
        (
            *_owner(_P1),
            _c(
                "award",
                "Hình thức khen thưởng",
                "vocab:award",
                "Hình thức|Khen thưởng|Danh hiệu",
                "Giấy khen",
                required=True,
            ),
            _c("year", "Năm", "int", "Năm khen thưởng", 2019, required=True),
            _c("decision", "Số quyết định", "text", "Quyết định|Số QĐ", "88/QĐ-SNV"),
        ),
        ("Khen thưởng", "Đã được khen thưởng", "Khen thưởng đã có"),
        target="commendations",
        owners=_ANY,
    ),
    Sheet(
        "sanctions",
        "Vi phạm của hộ",
        (
            *_owner(_H1),
            _c(
                "kind",
                "Loại vi phạm",
                "vocab:sanction_kind",
                "Vi phạm|Loại",
                "Cờ bạc",
                required=True,
            ),
            _c("year", "Năm", "int", "", 2020, required=True),
            _c("note", "Nội dung", "text", "Mô tả"),
        ),
        ("Vi phạm", "Vi phạm hộ gia đình"),
        target="sanctions",
        owners=_HOUSEHOLD,
    ),
    Sheet(
        "targets",
        "Chỉ tiêu",
        (
            *_owner(_U1),
            _c("year", "Năm", "int", "", 2021, required=True),
            _c(
                "target",
                "Mã chỉ tiêu",
                "id",
                "Chỉ tiêu",
                f"{EXAMPLE_PREFIX}tang-truong",
                required=True,
            ),
            _c("value", "Kết quả", "number", "Kết quả thực hiện|Giá trị", 7.9),
        ),
        ("Kết quả chỉ tiêu", "Chỉ tiêu thi đua"),
        target="targets",
        owners=_UNIT,
    ),
    Sheet(
        "nominations",
        "Đề nghị",
        (
            _c("candidate", "Mã", "id", _OWNER, _P1, required=True),
            _c("@name", "Họ và tên", "text", _NAME, _EXAMPLE_NAMES["P"]),
            _c(
                "award",
                "Đề nghị",
                "vocab:award",
                "Danh hiệu đề nghị|Hình thức đề nghị|Danh hiệu, hình thức đề nghị|"
                "Đề nghị khen thưởng|Danh hiệu|Hình thức khen thưởng",
                "Lao động tiên tiến",
                required=True,
            ),
            _c("basis", "Căn cứ", "ids", "Thành tích làm căn cứ|Mã sáng kiến|Căn cứ đề nghị"),
            _c("note", "Ghi chú", "text"),
            *_attest(""),
        ),
        ("Danh sách đề nghị", "Đề nghị khen thưởng", "Đề nghị xét"),
        required=True,
    ),
)

SHEET_BY_KEY: Final[dict[str, Sheet]] = {s.key: s for s in SHEETS}
_SUBJECT_SECTIONS: Final = {
    "units": SubjectKind.UNIT,
    "people": SubjectKind.PERSON,
    "households": SubjectKind.HOUSEHOLD,
}
# Columns of the nominations sheet that describe the candidate rather than the nomination.
_INFO_NOMINATION = frozenset({"don vi", "chuc vu", "don vi cong tac"})


def _header_key(text: str) -> str:
    """NFC, case-folded header without hints in brackets, a trailing `*`, or punctuation."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text).replace("*", " ")
    text = re.sub(r"[,.:;/\\]+", " ", text.casefold())
    return " ".join(text.split())


def _header_fold(text: str) -> str:
    return fold(_header_key(text))


class _Lookup:
    """Header → item in two tiers: exact (after NFC and case folding), then without diacritics."""

    def __init__(self, pairs: Iterable[tuple[str, Any]]) -> None:
        self.exact: dict[str, Any] = {}
        self.folded: dict[str, Any] = {}
        for text, item in pairs:
            self.exact.setdefault(_header_key(text), item)
            self.folded.setdefault(_header_fold(text), item)

    def get(self, text: str) -> Any:
        hit = self.exact.get(_header_key(text))
        return hit if hit is not None else self.folded.get(_header_fold(text))


def _column_names(column: Column) -> list[str]:
    names = [column.vi, column.en, *column.aliases]
    if "." in column.field:
        names.append(column.field)  # attestations.ethics
    return names


_COLUMNS: Final[dict[str, _Lookup]] = {
    s.key: _Lookup((n, c) for c in s.columns for n in _column_names(c)) for s in SHEETS
}
_SHEETS: Final = _Lookup((n, s) for s in SHEETS for n in (s.vi, s.en, *s.aliases))


def header_field(sheet: str, header: str) -> str | None:
    """The field a header names in a sheet (`sheet` is a section key such as "people")."""
    column: Column | None = _COLUMNS[sheet].get(header)
    return column.field if column else None


def sheet_for(name: str) -> Sheet | None:
    """The section a sheet or CSV file name stands for (Vietnamese or English), if any."""
    found: Sheet | None = _SHEETS.get(name)
    return found


# ---------------------------------------------------------------------------------- raw tables


@dataclass(slots=True)
class _Table:
    """One sheet or CSV file as read: rows of cell values with their 1-based row numbers."""

    sheet: Sheet
    label: str  # the file (and sheet) named in messages
    rows: list[tuple[int, list[Any]]]


@dataclass(frozen=True, slots=True)
class _Cell:
    label: str
    row: int
    column: int | None = None
    header: str | None = None
    value: Any = None
    spec: Column | None = None


@dataclass(slots=True)
class _Row:
    """A record's row: where it is and which column holds each field."""

    label: str
    row: int
    columns: dict[str, tuple[int, str, Column]]


@dataclass(slots=True)
class _Places:
    """Field paths of the assembled data → the cells they came from."""

    cells: dict[tuple[str | int, ...], _Cell] = field(default_factory=dict)
    rows: dict[tuple[str | int, ...], _Row] = field(default_factory=dict)

    def find(self, path: tuple[str | int, ...]) -> _Cell | None:
        for end in range(len(path), 0, -1):
            head = path[:end]
            cell = self.cells.get(head)
            if cell is not None:
                return cell
            row = self.rows.get(head)
            if row is not None:
                rest = path[end : end + 2]
                name = ".".join(str(p) for p in rest)
                for key in (name, str(rest[0]) if rest else ""):
                    if key in row.columns:
                        col, header, spec = row.columns[key]
                        return _Cell(row.label, row.row, col, header, None, spec)
                return _Cell(row.label, row.row)
        return None

    def locate(self, path: tuple[str | int, ...]) -> tuple[int, int] | None:
        cell = self.find(path)
        return (cell.row, cell.column or 1) if cell else None


def column_letter(index: int) -> str:
    """1 → A, 27 → AA (spreadsheet column names)."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = string.ascii_uppercase[rem] + out
    return out


def _diag(
    code: str, message: str, cell: _Cell | None, help_: str = "", path: str | None = None
) -> Diagnostic:
    if cell is None:
        return Diagnostic(code, message, help=help_, location=Location(path=path))
    prefix = ""
    if cell.column is not None:
        prefix = f"cột '{cell.header}' ({column_letter(cell.column)})"
        shown = _shown(cell.value)
        if shown and shown not in message:
            prefix += f' = "{shown}"'
        prefix += ": "
    return Diagnostic(
        code,
        prefix + message,
        help=help_,
        location=Location(file=cell.label, line=cell.row, path=path),
    )


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------------- entry point


def load_tabular(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Batch:
    """Read a batch from an .xlsx/.xlsm workbook or a folder of CSV files.

    Raises:
        InputError: every problem found, each naming file, sheet, row, column and value.
    """
    source = Path(path)
    if not source.exists():
        raise InputError(
            [
                Diagnostic(
                    "KT100",
                    "no such file or folder",
                    location=Location(file=str(path)),
                    help="give an .xlsx workbook or a folder of .csv files",
                )
            ]
        )
    tables = _read_csv_folder(source, limits) if source.is_dir() else _read_workbook(source, limits)
    return _assemble(tables, str(path), limits)


# ---------------------------------------------------------------------------------- readers


def _too_many_rows(limits: Limits, label: str) -> InputError:
    return InputError(
        [
            Diagnostic(
                "KT142",
                f"the batch has more than {limits.max_rows:,} rows",
                location=Location(file=label),
                help="split the batch, or raise the limit with --max-rows if it is genuine",
            )
        ]
    )


def _read_csv_folder(folder: Path, limits: Limits) -> list[_Table]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    problems: list[Diagnostic] = []
    tables: list[_Table] = []
    seen: dict[str, Path] = {}
    size = 0
    for file in files:
        if file.stem.startswith(("_", "#")) or fold(file.stem) in _SKIPPED_SHEETS:
            continue
        sheet = sheet_for(file.stem.replace("-", " ").replace("_", " ")) or sheet_for(file.stem)
        if sheet is None:
            problems.append(_unknown_sheet(file.name, str(file), csv_file=True))
            continue
        if sheet.key in seen:
            problems.append(
                Diagnostic(
                    "KT143",
                    f'"{file.name}" and "{seen[sheet.key].name}" are both the {sheet.key} sheet',
                    location=Location(file=str(file)),
                    help="keep one file per section",
                )
            )
            continue
        seen[sheet.key] = file
        data = file.read_bytes()
        size += len(data)
        check_size(size, str(folder), limits)
        text = decode(data, str(file))
        tables.append(_Table(sheet, str(file), _csv_rows(text, str(file), limits)))
        if sum(len(t.rows) for t in tables) > limits.max_rows:
            raise _too_many_rows(limits, str(folder))
    if problems:
        raise InputError(problems)
    return tables


def _csv_rows(text: str, label: str, limits: Limits) -> list[tuple[int, list[Any]]]:
    first = text.split("\n", 1)[0]
    delimiter = ","
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    if max(counts.values()) > 0:
        delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    rows: list[tuple[int, list[Any]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
            rows.append((reader.line_num, list(values)))
            if len(rows) > limits.max_rows:
                break  # enough to know the limit is exceeded
    except csv.Error as exc:
        raise InputError(
            [
                Diagnostic(
                    "KT156",
                    f"the CSV file cannot be read: {exc}",
                    location=Location(file=label, line=reader.line_num),
                    help="save it again from Excel as 'CSV UTF-8 (Comma delimited)'",
                )
            ]
        ) from None
    return rows


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise missing_extra("openpyxl", "reading and writing Excel workbooks") from None
    return openpyxl


def missing_extra(package: str, purpose: str) -> InputError:
    """The error raised when an optional package of the `reports` extra is not installed."""
    return InputError(
        [
            Diagnostic(
                "KT140",
                f"{purpose} needs the optional package {package}",
                help=f"install it with: {EXTRA_HINT}",
            )
        ]
    )


def _read_workbook(file: Path, limits: Limits) -> list[_Table]:
    label = str(file)
    check_size(file.stat().st_size, label, limits)
    openpyxl = _openpyxl()
    try:
        with zipfile.ZipFile(file) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise _not_a_workbook(label, str(exc)) from None
    if unzipped > limits.max_bytes * UNZIPPED_FACTOR:
        raise InputError(
            [
                Diagnostic(
                    "KT142",
                    f"the workbook unpacks to {unzipped:,} bytes, over the limit of "
                    f"{limits.max_bytes * UNZIPPED_FACTOR:,}",
                    location=Location(file=label),
                    help="split the batch, or raise the limit with --max-bytes if it is genuine",
                )
            ]
        )
    problems: list[Diagnostic] = []
    tables: list[_Table] = []
    seen: dict[str, str] = {}
    with warnings.catch_warnings():
        # openpyxl warns about Excel features it does not read (extensions, default styles).
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise _not_a_workbook(label, f"{type(exc).__name__}: {exc}") from None
        try:
            total = 0
            for ws in book.worksheets:
                title = str(ws.title)
                if title.startswith(("_", "#")) or fold(title) in _SKIPPED_SHEETS:
                    continue
                sheet = sheet_for(title)
                if sheet is None:
                    problems.append(_unknown_sheet(title, label, csv_file=False))
                    continue
                if sheet.key in seen:
                    problems.append(
                        Diagnostic(
                            "KT143",
                            f'sheets "{title}" and "{seen[sheet.key]}" are both the '
                            f"{sheet.key} sheet",
                            location=Location(file=label),
                            help="keep one sheet per section",
                        )
                    )
                    continue
                seen[sheet.key] = title
                rows: list[tuple[int, list[Any]]] = []
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                        continue
                    total += 1
                    if total > limits.max_rows:
                        raise _too_many_rows(limits, label)
                    rows.append((number, list(values)))
                tables.append(_Table(sheet, f"{label}[{title}]", rows))
        except InputError:
            raise
        except Exception as exc:  # a damaged sheet part
            raise _not_a_workbook(label, f"{type(exc).__name__}: {exc}") from None
        finally:
            book.close()
    if problems:
        raise InputError(problems)
    return tables


def _not_a_workbook(label: str, detail: str) -> InputError:
    return InputError(
        [
            Diagnostic(
                "KT141",
                f"the file cannot be read as an Excel workbook ({detail})",
                location=Location(file=label),
                help="save it from Excel as an .xlsx workbook (not .xls, not password-protected)",
            )
        ]
    )


def _unknown_sheet(name: str, label: str, *, csv_file: bool) -> Diagnostic:
    names = [s.vi for s in SHEETS] + [s.en for s in SHEETS]
    what = "CSV file" if csv_file else "sheet"
    return Diagnostic(
        "KT143",
        f'unknown {what} "{name}"{suggest(Path(name).stem, names)}',
        location=Location(file=label),
        help="sections are: "
        + ", ".join(f"{s.vi} ({s.en})" for s in SHEETS)
        + "; rename it, or start its name with '_' to have it skipped",
    )


# ---------------------------------------------------------------------------------- assembly


@dataclass(slots=True)
class _Header:
    row: int
    columns: dict[int, Column | None]  # column index (1-based) → column, None = ignored
    headers: dict[int, str]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def _find_header(table: _Table) -> tuple[_Header | None, list[Diagnostic]]:
    lookup = _COLUMNS[table.sheet.key]
    for position, (number, values) in enumerate(table.rows[:10]):
        known = [lookup.get(_cell_text(v)) for v in values]
        if sum(k is not None for k in known) < min(2, len(table.sheet.columns)):
            continue
        del table.rows[: position + 1]
        return _map_header(table, number, values)
    expected = ", ".join(f"'{c.vi}'" for c in table.sheet.columns if c.required)
    return None, [
        Diagnostic(
            "KT147",
            f"no header row found in the {table.sheet.key} sheet",
            location=Location(file=table.label),
            help=f"the first row must name the columns, e.g. {expected}",
        )
    ]


def _map_header(
    table: _Table, number: int, values: list[Any]
) -> tuple[_Header | None, list[Diagnostic]]:
    sheet = table.sheet
    lookup = _COLUMNS[sheet.key]
    header = _Header(number, {}, {})
    problems: list[Diagnostic] = []
    used: dict[str, int] = {}
    for index, raw in enumerate(values, start=1):
        text = _cell_text(raw)
        if not text:
            continue
        header.headers[index] = text
        column: Column | None = lookup.get(text)
        if column is None:
            key = _header_fold(text)
            if (
                text.startswith(("_", "#"))
                or key in _INFO_HEADERS
                or (sheet.key == "nominations" and key in _INFO_NOMINATION)
            ):
                header.columns[index] = None
                continue
            names = [n for c in sheet.columns for n in _column_names(c)]
            problems.append(
                Diagnostic(
                    "KT145",
                    f"unknown column '{text}' ({column_letter(index)}){suggest(text, names)}",
                    location=Location(file=table.label, line=number),
                    help="columns of this sheet: "
                    + ", ".join(f"'{c.vi}'" for c in sheet.columns)
                    + "; English field names work too; start a header with '_' to have the "
                    "column skipped",
                )
            )
            continue
        if column.field in used:
            problems.append(
                Diagnostic(
                    "KT146",
                    f"columns {column_letter(used[column.field])} and {column_letter(index)} "
                    f"both give '{column.vi}'",
                    location=Location(file=table.label, line=number),
                    help="keep one of them",
                )
            )
            continue
        used[column.field] = index
        header.columns[index] = column
    for column in sheet.columns:
        if column.required and column.field not in used:
            problems.append(
                Diagnostic(
                    "KT147",
                    f"the {sheet.key} sheet has no column '{column.vi}' ({column.en})",
                    location=Location(file=table.label, line=number),
                    help="add the column; its header may be Vietnamese or English",
                )
            )
    return header, problems


def _vertical_batch(table: _Table) -> _Table | None:
    """A batch sheet written as label/value pairs down two columns, turned into header + row."""
    lookup = _COLUMNS["batch"]
    labels: list[Any] = []
    values: list[Any] = []
    first = 0
    for number, row in table.rows:
        cells = [v for v in row if _cell_text(v)]
        if not cells:
            continue
        if lookup.get(_cell_text(row[0])) is None:
            return None
        first = first or number
        labels.append(row[0])
        values.append(row[1] if len(row) > 1 else None)
    if not labels:
        return None
    return _Table(table.sheet, table.label, [(first, labels), (first + 1, values)])


class _Assembler:
    """Builds the nested batch data from the tables, remembering where each value came from."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.data: dict[str, Any] = {
            "units": [],
            "people": [],
            "households": [],
            "nominations": [],
        }
        self.places = _Places()
        self.problems: list[Diagnostic] = []
        self.converted: set[tuple[str | int, ...]] = set()  # paths whose cell was already reported
        # candidate id → (section, index); first record wins, the model reports duplicates
        self.index: dict[str, tuple[str, int]] = {}

    # -- cells

    def read(
        self, column: Column, raw: Any, cell: _Cell, path: tuple[str | int, ...]
    ) -> tuple[bool, Any]:
        """(present, value) of a cell; a value that cannot be read is reported and passed on."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return False, None
        try:
            return True, _convert(column, raw)
        except _CellError as exc:
            self.problems.append(_diag(exc.code, exc.message, cell, exc.help, format_path(path)))
            self.converted.add(path)
            return True, raw if not isinstance(raw, str) else raw.strip()

    # -- top sheets

    def records(self, table: _Table, header: _Header) -> None:
        section = table.sheet.key
        for number, values in table.rows:
            cells = self._cells(table, header, number, values)
            if not cells:
                continue
            if section == "batch":
                if "batch" in self.data:
                    self.problems.append(
                        _diag(
                            "KT154",
                            "the batch sheet describes one batch: only one row is read",
                            _Cell(table.label, number),
                            "delete the extra rows",
                        )
                    )
                    continue
                record: dict[str, Any] = {}
                self.data["batch"] = record
                base: tuple[str | int, ...] = ("batch",)
            else:
                rows: list[dict[str, Any]] = self.data[section]
                record = {}
                base = (section, len(rows))
                rows.append(record)
            self.places.rows[base] = _Row(table.label, number, self._column_map(header))
            self._fill(record, base, cells, table, number)
            if section in _SUBJECT_SECTIONS:
                rid = record.get("id")
                if isinstance(rid, str):
                    self._refuse_example(rid, cells, "id", table, number)
                    self.index.setdefault(rid, (section, int(base[1])))
            elif section == "batch" and isinstance(record.get("id"), str):
                self._refuse_example(record["id"], cells, "id", table, number)

    def _column_map(self, header: _Header) -> dict[str, tuple[int, str, Column]]:
        return {
            c.field: (i, header.headers[i], c)
            for i, c in header.columns.items()
            if c is not None and not c.field.startswith("@")
        }

    def _cells(
        self, table: _Table, header: _Header, number: int, values: list[Any]
    ) -> list[tuple[Column, _Cell]]:
        out: list[tuple[Column, _Cell]] = []
        for index, column in header.columns.items():
            if column is None or index > len(values):
                continue
            raw = values[index - 1]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            cell = _Cell(table.label, number, index, header.headers[index], raw, column)
            out.append((column, cell))
        return out

    def _fill(
        self,
        record: dict[str, Any],
        base: tuple[str | int, ...],
        cells: list[tuple[Column, _Cell]],
        table: _Table,
        number: int,
    ) -> None:
        for column, cell in cells:
            if column.field.startswith("@"):
                continue
            parts = column.field.split(".")
            path = (*base, *parts)
            present, value = self.read(column, cell.value, cell, path)
            if not present:
                continue
            self.places.cells[path] = cell
            target = record
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value

    def _refuse_example(
        self, rid: str, cells: list[tuple[Column, _Cell]], field_: str, table: _Table, number: int
    ) -> None:
        if not rid.startswith(EXAMPLE_PREFIX):
            return
        cell = next((c for col, c in cells if col.field == field_), _Cell(table.label, number))
        self.problems.append(
            _diag(
                "KT152",
                f'"{rid}" is the template\'s example row',
                cell,
                f"delete the example rows (ids starting with {EXAMPLE_PREFIX}) or overwrite "
                "them with your own data",
            )
        )

    # -- child sheets and nominations

    def owner(
        self, table: _Table, column: Column, cells: list[tuple[Column, _Cell]], number: int
    ) -> tuple[str, int, dict[str, Any]] | None:
        found = next(((col, c) for col, c in cells if col.field == column.field), None)
        if found is None:
            self.problems.append(
                _diag(
                    "KT112",
                    f"the row names no candidate in column '{column.vi}'",
                    _Cell(table.label, number),
                    "write the id (Mã) of a person, unit or household of this batch",
                )
            )
            return None
        _, cell = found
        rid = _cell_text(cell.value)
        if rid.startswith(EXAMPLE_PREFIX):
            self._refuse_example(rid, cells, column.field, table, number)
            return None
        where = self.index.get(rid)
        if where is None:
            self.problems.append(
                _diag(
                    "KT151",
                    f'unknown candidate "{rid}"{suggest(rid, sorted(self.index))}',
                    cell,
                    "list the person, unit or household in its own sheet first, or correct the id",
                )
            )
            return None
        section, i = where
        kind = _SUBJECT_SECTIONS[section]
        owners = table.sheet.owners or _ANY
        if kind not in owners:
            allowed = ", ".join(sorted(k.value for k in owners))
            self.problems.append(
                _diag(
                    "KT151",
                    f'"{rid}" is a {kind.value}; rows of the {table.sheet.key} sheet belong to: '
                    f"{allowed}",
                    cell,
                    "move the row to the right sheet or correct the id",
                )
            )
            return None
        record: dict[str, Any] = self.data[section][i]
        self._check_name(table, cells, record, rid)
        for col, c in list(cells):
            if col.only is not None and kind not in col.only:
                allowed = ", ".join(sorted(k.value for k in col.only))
                self.problems.append(
                    _diag(
                        "KT151",
                        f'this column is for a {allowed}; "{rid}" is a {kind.value}',
                        c,
                        "leave the cell empty for this candidate",
                    )
                )
                cells.remove((col, c))  # reported here; not passed on to the model
        return section, i, record

    def _check_name(
        self,
        table: _Table,
        cells: list[tuple[Column, _Cell]],
        record: dict[str, Any],
        rid: str,
    ) -> None:
        given = next((c for col, c in cells if col.field == "@name"), None)
        name = record.get("name")
        if given is None or not isinstance(name, str):
            return
        if fold(_cell_text(given.value)) != fold(name):
            self.problems.append(
                _diag(
                    "KT153",
                    f'the name does not match "{name}", the name of {rid}',
                    given,
                    "check the id (Mã) of this row, or correct the name",
                )
            )

    def children(self, table: _Table, header: _Header) -> None:
        sheet = table.sheet
        owner_col = next(c for c in sheet.columns if c.field == "@owner")
        for number, values in table.rows:
            cells = self._cells(table, header, number, values)
            if not cells:
                continue
            owned = self.owner(table, owner_col, cells, number)
            if owned is None:
                continue
            section, i, record = owned
            if sheet.target == "targets":
                self._target(table, header, cells, number, section, i, record)
                continue
            assert sheet.target is not None
            items: list[dict[str, Any]] = record.setdefault(sheet.target, [])
            base = (section, i, sheet.target, len(items))
            item: dict[str, Any] = {}
            items.append(item)
            self.places.rows[base] = _Row(table.label, number, self._column_map(header))
            self._fill(item, base, cells, table, number)

    def _target(
        self,
        table: _Table,
        header: _Header,
        cells: list[tuple[Column, _Cell]],
        number: int,
        section: str,
        i: int,
        record: dict[str, Any],
    ) -> None:
        values: dict[str, Any] = {}
        spots: dict[str, _Cell] = {}
        reported = len(self.problems)
        for column, cell in cells:
            if column.field.startswith("@"):
                continue
            here: tuple[str | int, ...] = (section, i, "history", "?", column.field)
            present, value = self.read(column, cell.value, cell, here)
            if present:
                values[column.field] = value
                spots[column.field] = cell
        if len(self.problems) > reported:
            return  # a cell of the row could not be read (reported above)
        year, target = values.get("year"), values.get("target")
        if not isinstance(year, int) or not isinstance(target, str):  # a cell left empty
            self.problems.append(
                _diag(
                    "KT112",
                    "a target row needs the year (Năm) and the target (Mã chỉ tiêu)",
                    _Cell(table.label, number),
                    "fill both cells",
                )
            )
            return
        history: list[dict[str, Any]] = record.setdefault("history", [])
        j = next((k for k, y in enumerate(history) if y.get("year") == year), None)
        if j is None:
            j = len(history)
            history.append({"year": year})
            self.places.cells[(section, i, "history", j)] = spots["year"]
        targets: dict[str, Any] = history[j].setdefault("targets", {})
        path = (section, i, "history", j, "targets", target)
        if target in targets:
            self.problems.append(
                _diag(
                    "KT154",
                    f'target "{target}" of {year} is given twice',
                    spots["target"],
                    "keep one row per unit, year and target",
                )
            )
            return
        targets[target] = values.get("value")
        self.places.cells[path] = spots.get("value", spots["target"])

    def nominations(self, table: _Table, header: _Header) -> None:
        rows: list[dict[str, Any]] = self.data["nominations"]
        for number, values in table.rows:
            cells = self._cells(table, header, number, values)
            if not cells:
                continue
            base: tuple[str | int, ...] = ("nominations", len(rows))
            record: dict[str, Any] = {}
            own = [(c, cell) for c, cell in cells if not c.field.startswith("attestations.")]
            self.places.rows[base] = _Row(table.label, number, self._column_map(header))
            rid = _cell_text(next((c.value for col, c in cells if col.field == "candidate"), ""))
            if rid.startswith(EXAMPLE_PREFIX):
                self._refuse_example(rid, cells, "candidate", table, number)
                continue
            rows.append(record)
            self._fill(record, base, own, table, number)
            where = self.index.get(rid)
            if where is None:
                continue  # the model reports the unknown candidate at this row
            section, i = where
            subject: dict[str, Any] = self.data[section][i]
            self._check_name(table, cells, subject, rid)
            self._attestations(table, cells, section, i, subject)

    def _attestations(
        self,
        table: _Table,
        cells: list[tuple[Column, _Cell]],
        section: str,
        i: int,
        subject: dict[str, Any],
    ) -> None:
        """Attestation columns of a nomination row attest its candidate."""
        for column, cell in cells:
            if not column.field.startswith("attestations."):
                continue
            name = column.field.split(".", 1)[1]
            path = (section, i, "attestations", name)
            present, value = self.read(column, cell.value, cell, path)
            if not present:
                continue
            attested: dict[str, Any] = subject.setdefault("attestations", {})
            if name in attested and attested[name] != value:
                first = self.places.cells.get(path)
                where = f" ({first.label}:{first.row})" if first else ""
                self.problems.append(
                    _diag(
                        "KT154",
                        f"'{column.vi}' is given differently elsewhere{where}",
                        cell,
                        "give each attestation once, or the same value everywhere",
                    )
                )
                continue
            attested[name] = value
            self.places.cells.setdefault(path, cell)


def _assemble(tables: list[_Table], name: str, limits: Limits) -> Batch:
    by_key = {t.sheet.key: t for t in tables}
    problems: list[Diagnostic] = []
    for sheet in SHEETS:
        if sheet.required and sheet.key not in by_key:
            problems.append(
                Diagnostic(
                    "KT144",
                    f"there is no {sheet.key} sheet ('{sheet.vi}')",
                    location=Location(file=name),
                    help=f"add a sheet (or a CSV file {sheet.key}.csv) named '{sheet.vi}' "
                    f"or '{sheet.en}'; `khenthuong template` writes an empty workbook",
                )
            )
    headers: dict[str, _Header] = {}
    for read in tables:
        table = read
        if table.sheet.key == "batch":
            vertical = _vertical_batch(table)
            first = table.rows[0][1] if table.rows else []
            known = sum(_COLUMNS["batch"].get(_cell_text(v)) is not None for v in first)
            if vertical is not None and known < 2:
                table = by_key["batch"] = vertical
        header, found = _find_header(table)
        problems += found
        if header is not None:
            headers[table.sheet.key] = header
    if problems:
        raise InputError(problems)

    asm = _Assembler(name)
    order = [s.key for s in SHEETS]
    for key in ("batch", "units", "people", "households"):
        if key in by_key:
            asm.records(by_key[key], headers[key])
    for key in order:
        sheet = SHEET_BY_KEY[key]
        if sheet.target is not None and key in by_key:
            asm.children(by_key[key], headers[key])
    if "nominations" in by_key:
        asm.nominations(by_key["nominations"], headers["nominations"])
    if "batch" not in asm.data:
        asm.problems.append(
            Diagnostic(
                "KT144",
                "the batch sheet has no data row",
                location=Location(file=by_key["batch"].label),
                help="fill the row under the headers: the batch id (Mã đợt xét) and the year",
            )
        )
    try:
        batch = batch_from_data(asm.data, name, asm.places.locate, limits=limits)
    except InputError as exc:
        found = asm.problems + _relocate(exc.diagnostics, asm)
        raise InputError(_in_order(found, tables)) from None
    if asm.problems:
        raise InputError(_in_order(asm.problems, tables))
    return batch


def _in_order(diagnostics: list[Diagnostic], tables: list[_Table]) -> list[Diagnostic]:
    """Diagnostics in the order of the sheets, then of the rows."""
    order = {s.key: i for i, s in enumerate(SHEETS)}
    rank = {t.label: order[t.sheet.key] for t in tables}
    return sorted(
        diagnostics,
        key=lambda d: (rank.get(d.location.file or "", -1), d.location.line or 0),
    )


def _relocate(diagnostics: list[Diagnostic], asm: _Assembler) -> list[Diagnostic]:
    """Model diagnostics located at the spreadsheet cells their values came from."""
    out: list[Diagnostic] = []
    for d in diagnostics:
        path = _parse_path(d.location.path or "")
        if any(path[: len(p)] == p for p in asm.converted):
            continue  # the cell was reported when it was read
        if path and path[0] == "batch" and "batch" not in asm.data:
            continue  # reported as an empty batch sheet
        cell = asm.places.find(path)
        help_ = d.help
        if cell is not None and cell.spec is not None and cell.spec.vocab is not None:
            help_ = "choose from the list: " + "; ".join(VOCABS[cell.spec.vocab].choices())
        out.append(_diag(d.code, d.message, cell, help_, d.location.path))
    return out


def _parse_path(text: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", text):
        parts.append(int(index) if index else name)
    return tuple(parts)


# ---------------------------------------------------------------------------------- cell values


class _CellError(Exception):
    def __init__(self, code: str, message: str, help_: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help_


EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+0{1,2}:00(?::00)?)?$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?$")


def parse_date(value: Any) -> dt.date:
    """A date from an Excel date cell, "dd/mm/yyyy" or "yyyy-mm-dd".

    >>> parse_date("15/12/2021"), parse_date("2021-12-15")
    (datetime.date(2021, 12, 15), datetime.date(2021, 12, 15))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 61 <= value < 2958466:
        # an Excel date serial in a cell formatted as a number (day 61 is 1900-03-01)
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = _cell_text(value)
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.match(text)
        if not match:
            raise _CellError(
                "KT148",
                f'"{text}" is not a date',
                "write dates as dd/mm/yyyy (15/12/2021) or yyyy-mm-dd, or use an Excel date cell",
            )
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _CellError(
            "KT148",
            f'"{text}" is not a date of the calendar',
            "dates are day/month/year (dd/mm/yyyy); check the day and the month",
        ) from None


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellError("KT149", f'"{value}" is not a whole number', "write a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _cell_text(value)
    if re.fullmatch(r"[+-]?\d{1,12}(?:[.,]0+)?", text):
        return int(re.split(r"[.,]", text)[0])
    raise _CellError("KT149", f'"{text}" is not a whole number', "write a whole number, e.g. 2021")


def _number(value: Any) -> Decimal | bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _cell_text(value).removesuffix("%").strip()
    yes = VOCABS["yesno"].parse(text)
    if yes is not None and not re.fullmatch(r"[01]", text):
        return yes == "true"
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise _CellError(
            "KT149",
            f'"{_cell_text(value)}" is not a number',
            "write a number (7,9 or 7.9) or Có/Không",
        )
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    found = VOCABS["yesno"].parse(_cell_text(value))
    if found is None:
        raise _CellError(
            "KT150",
            f'"{_cell_text(value)}" is not yes or no',
            "write Có or Không (also x, true, false); leave the cell empty when unknown",
        )
    return found == "true"


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;\n]+", text) if p.strip()]


def _vocab_list(vocab: Vocab, text: str) -> list[str]:
    """Split a list cell; commas separate items unless they belong to a label (bộ, ban, ngành)."""
    out: list[str] = []
    for chunk in _split(text):
        parts = [p.strip() for p in chunk.split(",")]
        i = 0
        while i < len(parts):
            for j in range(len(parts), i, -1):
                code = vocab.parse(", ".join(parts[i:j]))
                if code is not None:
                    out.append(code)
                    i = j
                    break
            else:
                if parts[i]:
                    out.append(_one(vocab, parts[i]))
                i += 1
    return out


def _one(vocab: Vocab, text: str) -> str:
    code = vocab.parse(text)
    if code is not None:
        return code
    if vocab.model:
        return text  # the model says "unknown rating … (did you mean …)"
    shown = [vocab.label(c) for c in vocab.codes]
    raise _CellError(
        "KT113",
        f'unknown value "{text}"{suggest(text, shown + list(vocab.codes))}',
        "choose from the list: " + "; ".join(shown),
    )


def _convert(column: Column, raw: Any) -> Any:
    kind = column.kind
    if kind == "date":
        return parse_date(raw).isoformat()
    if kind == "int":
        return _int(raw)
    if kind == "bool":
        return _bool(raw)
    if kind == "number":
        return _number(raw)
    if isinstance(raw, dt.datetime | dt.date) and kind != "text":
        raise _CellError(
            "KT148",
            f"a date is not expected here ({_shown(raw)})",
            "format the cell as text: Excel turned what was typed into a date",
        )
    text = _cell_text(raw.date() if isinstance(raw, dt.datetime) else raw)
    if kind == "ids":
        return [p for p in re.split(r"[,;\s]+", text) if p]
    if kind == "vocab":
        assert column.vocab is not None
        return _one(VOCABS[column.vocab], text)
    if kind == "vocabs":
        assert column.vocab is not None
        return _vocab_list(VOCABS[column.vocab], text)
    return text


# ---------------------------------------------------------------------------------- template


def _example(column: Column, lang: str) -> Any:
    value = column.example
    if lang != "en" or value is None:
        return value
    if column.vocab is not None and isinstance(value, str):
        vocab = VOCABS[column.vocab]
        if column.kind == "vocabs":
            return "; ".join(_vocab_list(vocab, value))
        return vocab.parse(value) or value
    return value


def template_rows(lang: str = "vi") -> dict[str, tuple[list[str], list[Any]]]:
    """For each sheet: its headers and its example row (ids starting with VD-)."""
    out: dict[str, tuple[list[str], list[Any]]] = {}
    for sheet in SHEETS:
        columns = _template_columns(sheet)
        out[sheet.key] = (
            [c.header(lang) for c in columns],
            [_example(c, lang) for c in columns],
        )
    return out


def _template_columns(sheet: Sheet) -> list[Column]:
    return [c for c in sheet.columns if c.shown]


def template_csv(lang: str = "vi") -> dict[str, bytes]:
    """An empty batch as CSV files (UTF-8 with BOM, for Excel): one per sheet, one example row."""
    files: dict[str, bytes] = {}
    for sheet in SHEETS:
        columns = _template_columns(sheet)
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([c.header(lang) for c in columns])
        row = []
        for c in columns:
            value = _example(c, lang)
            if isinstance(value, dt.date):
                value = value.strftime("%d/%m/%Y") if lang != "en" else value.isoformat()
            row.append("" if value is None else str(value))
        writer.writerow(row)
        files[f"{sheet.key}.csv"] = buffer.getvalue().encode("utf-8-sig")
    return files


_GUIDE_VI = (
    "Mẫu hồ sơ đề nghị khen thưởng — khenthuong",
    "",
    "1. Điền trang «Đợt xét»: mã đợt xét, năm xét, ngày xét.",
    "2. Điền «Cá nhân» và «Tập thể» (mỗi người, mỗi tập thể một dòng; Mã không trùng nhau).",
    "3. Điền «Quá trình hằng năm»: mỗi năm một dòng (Năm, Xếp loại, Danh hiệu đã được tặng).",
    "   Không ghi danh hiệu của năm đang xét: phần mềm tự xét.",
    "4. Nếu có: «Sáng kiến», «Kỷ luật», «Khen thưởng đã nhận», «Vụ việc đang xem xét».",
    "5. Điền «Đề nghị»: mỗi dòng một đối tượng và một danh hiệu, hình thức đề nghị.",
    "6. Xóa các dòng ví dụ (Mã bắt đầu bằng VD-) rồi lưu tệp.",
    "7. Chạy: khenthuong check ho-so.xlsx --format xlsx --out ket-qua.xlsx",
    "   và:   khenthuong check ho-so.xlsx --format html --out bao-cao.html (mở, in khổ A4).",
    "",
    "Ngày viết dd/mm/yyyy; Có/Không viết «Có», «Không» hoặc «x»; danh sách cách nhau bằng «;».",
    "Chọn giá trị trong danh sách thả xuống; chữ viết tắt (HTXSNV, LĐTT…) cũng được nhận.",
    "Bỏ trống ô khi chưa biết: phần mềm sẽ báo «chưa xác định» thay vì đoán.",
    "Trang có tên bắt đầu bằng «_» không được đọc.",
)
_GUIDE_EN = (
    "Nomination batch template — khenthuong",
    "",
    "1. Fill 'batch': the batch id, the year judged, the date of consideration.",
    "2. Fill 'people' and 'units' (one row each; ids are unique).",
    "3. Fill 'history': one row per candidate and year (year, rating, titles awarded).",
    "   Do not write the titles of the judged year: they are decided by the engine.",
    "4. If any: 'initiatives', 'disciplines', 'commendations', 'pending_cases'.",
    "5. Fill 'nominations': one row per candidate and award.",
    "6. Delete the example rows (ids starting with VD-) and save.",
    "7. Run: khenthuong check batch.xlsx --format xlsx --out results.xlsx",
    "",
    "Dates as yyyy-mm-dd or dd/mm/yyyy; yes/no as true/false; lists separated by ';'.",
    "Leave a cell empty when unknown: the decision is then 'undetermined', never guessed.",
    "Sheets whose name starts with '_' are not read.",
)


def template_xlsx(lang: str = "vi") -> bytes:
    """An empty batch workbook: a guide, one sheet per section with headers, dropdown lists
    (ratings, awards, scopes, discipline forms, yes/no…) and one example row each."""
    openpyxl = _openpyxl()
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    guide = book.active
    guide.title = "Hướng dẫn" if lang != "en" else "README"
    for line in _GUIDE_VI if lang != "en" else _GUIDE_EN:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 110

    lists = book.create_sheet("Danh mục" if lang != "en" else "lists")
    list_ref: dict[str, str] = {}
    for index, (name, vocab) in enumerate(VOCABS.items(), start=1):
        letter = column_letter(index)
        lists.cell(row=1, column=index, value=name)
        for row, choice in enumerate(vocab.choices(lang), start=2):
            lists.cell(row=row, column=index, value=choice)
        end = len(vocab.codes) + 1
        list_ref[name] = f"'{lists.title}'!${letter}$2:${letter}${end}"

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    example_font = Font(italic=True, color="808080")
    last_row = 5000
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.title(lang))
        columns = _template_columns(sheet)
        for index, column in enumerate(columns, start=1):
            letter = column_letter(index)
            cell = ws.cell(row=1, column=index, value=column.header(lang))
            cell.font = bold
            cell.fill = required_fill if column.required else fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.comment = Comment(_column_note(column, lang), "khenthuong")
            value = _example(column, lang)
            example = ws.cell(row=2, column=index, value=value)
            example.font = example_font
            if column.kind == "date":
                example.number_format = "DD/MM/YYYY"
            ws.column_dimensions[letter].width = max(12, min(40, len(column.header(lang)) + 4))
            if column.vocab is not None:
                single = column.kind in ("vocab", "bool")
                validation = DataValidation(
                    type="list",
                    formula1=list_ref[column.vocab],
                    allow_blank=True,
                    showErrorMessage=single,
                    errorStyle="warning",
                    errorTitle="khenthuong",
                    error="Giá trị không có trong danh sách; mã và chữ viết tắt vẫn được nhận."
                    if lang != "en"
                    else "Not in the list; codes and abbreviations are still accepted.",
                )
                validation.add(f"{letter}2:{letter}{last_row}")
                ws.add_data_validation(validation)
        ws.freeze_panes = "B2" if sheet.key != "batch" else "A2"
        ws.row_dimensions[1].height = 45
    lists.sheet_state = "hidden"
    book.move_sheet(lists, offset=len(book.sheetnames))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _column_note(column: Column, lang: str) -> str:
    en = lang == "en"
    parts = [f"{column.vi} — {column.en}"]
    if column.required:
        parts.append("Required." if en else "Bắt buộc.")
    hints = {
        "date": ("Ngày: dd/mm/yyyy.", "Date: yyyy-mm-dd or dd/mm/yyyy."),
        "bool": ("Có / Không (hoặc x).", "true / false."),
        "int": ("Số nguyên.", "Whole number."),
        "ids": ("Các mã, cách nhau bằng dấu ;", "Ids separated by ';'."),
        "vocabs": ("Chọn một hoặc nhiều giá trị, cách nhau bằng dấu ;", "One or more, ';'."),
        "vocab": ("Chọn trong danh sách.", "Choose from the list."),
        "number": ("Số (7,9) hoặc Có/Không.", "A number or true/false."),
    }
    if column.kind in hints:
        parts.append(hints[column.kind][1 if en else 0])
    if column.field == "@owner":
        parts.append(
            "Mã của cá nhân, tập thể hoặc hộ đã khai ở trang của họ."
            if not en
            else "Id of a person, unit or household listed in its sheet."
        )
    if column.only is not None:
        who = ", ".join(sorted(k.value for k in column.only))
        parts.append(f"Chỉ cho: {who}." if not en else f"Only for: {who}.")
    return "\n".join(parts)
