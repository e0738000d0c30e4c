"""Closed vocabularies of the batch format: awards, ratings, scopes, discipline forms and the rest.

Each enum value is the code used in batch files; `label_vi`/`label_en` give the display names and
`ALIASES` the phrases and abbreviations board staff type (accepted on input, see `parse_*`).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Final, TypeVar


class Award(StrEnum):
    """Emulation titles (danh hiệu thi đua) and forms of commendation (hình thức khen thưởng)."""

    LAO_DONG_TIEN_TIEN = "lao_dong_tien_tien"
    CHIEN_SI_THI_DUA_CO_SO = "chien_si_thi_dua_co_so"
    CHIEN_SI_THI_DUA_TINH = "chien_si_thi_dua_tinh"
    CHIEN_SI_THI_DUA_TOAN_QUOC = "chien_si_thi_dua_toan_quoc"
    TAP_THE_LAO_DONG_TIEN_TIEN = "tap_the_lao_dong_tien_tien"
    TAP_THE_LAO_DONG_XUAT_SAC = "tap_the_lao_dong_xuat_sac"
    CO_THI_DUA_TINH = "co_thi_dua_tinh"
    CO_THI_DUA_CHINH_PHU = "co_thi_dua_chinh_phu"
    GIAY_KHEN = "giay_khen"
    BANG_KHEN_TINH = "bang_khen_tinh"
    BANG_KHEN_THU_TUONG = "bang_khen_thu_tuong"
    HUAN_CHUONG_LAO_DONG_HANG_BA = "huan_chuong_lao_dong_hang_ba"
    GIA_DINH_VAN_HOA = "gia_dinh_van_hoa"
    THON_TO_DAN_PHO_VAN_HOA = "thon_to_dan_pho_van_hoa"


class SubjectKind(StrEnum):
    """Who can be a candidate: an individual, a collective or a household."""

    PERSON = "person"
    UNIT = "unit"
    HOUSEHOLD = "household"


class Rating(StrEnum):
    """Yearly task rating (xếp loại chất lượng), ordered by `RATING_ORDER`."""

    HTXSNV = "HTXSNV"
    HTTNV = "HTTNV"
    HTNV = "HTNV"
    KHTNV = "KHTNV"


class Scope(StrEnum):
    """Scope at which an initiative or research result was recognised (phạm vi ảnh hưởng)."""

    CO_SO = "co_so"
    TINH = "tinh"
    TOAN_QUOC = "toan_quoc"


class InitiativeKind(StrEnum):
    """Sáng kiến (initiative) or đề tài/đề án khoa học (research)."""

    INITIATIVE = "initiative"
    RESEARCH = "research"


class DisciplineForm(StrEnum):
    """Discipline forms by severity (`DISCIPLINE_ORDER`)."""

    KHIEN_TRACH = "khien_trach"
    CANH_CAO = "canh_cao"
    HA_BAC_LUONG = "ha_bac_luong"
    GIANG_CHUC = "giang_chuc"
    CACH_CHUC = "cach_chuc"
    BUOC_THOI_VIEC = "buoc_thoi_viec"


class Employment(StrEnum):
    """Employment category of a person (đối tượng)."""

    CONG_CHUC = "cong_chuc"
    VIEN_CHUC = "vien_chuc"
    NGUOI_LAO_DONG = "nguoi_lao_dong"
    CONG_NHAN = "cong_nhan"
    NONG_DAN = "nong_dan"
    LUC_LUONG_VU_TRANG = "luc_luong_vu_trang"


class Position(StrEnum):
    """Position held: staff, manager, leader."""

    NHAN_VIEN = "nhan_vien"
    QUAN_LY = "quan_ly"
    LANH_DAO = "lanh_dao"


class Gender(StrEnum):
    NU = "nu"
    NAM = "nam"


class UnitKind(StrEnum):
    AGENCY = "agency"
    PUBLIC_SERVICE = "public_service"
    ENTERPRISE = "enterprise"
    COOPERATIVE = "cooperative"
    COMMUNE = "commune"
    SCHOOL = "school"
    ARMED_FORCES = "armed_forces"
    VILLAGE = "village"
    OTHER = "other"


class Area(StrEnum):
    """Area classifications that the priority principle favours."""

    KHU_VUC_III = "khu_vuc_iii"
    BIEN_GIOI = "bien_gioi"
    HAI_DAO = "hai_dao"
    THON_DBKK = "thon_dbkk"


class Attestation(StrEnum):
    """Qualitative criteria the nominating unit attests (a closed set)."""

    ETHICS = "ethics"
    COMPLIANCE = "compliance"
    EMULATION = "emulation"
    STUDY = "study"
    SOLIDARITY = "solidarity"
    # Households (Gia đình văn hóa) and villages (thôn, tổ dân phố văn hóa):
    FAMILY = "family"
    LIVELIHOOD = "livelihood"
    ECONOMY = "economy"
    CULTURE = "culture"
    ENVIRONMENT = "environment"


class PendingKind(StrEnum):
    """Open matters that defer a commendation (ND 98/2023 Điều 4; TT 08/2017)."""

    INVESTIGATION = "investigation"
    DISCIPLINARY_REVIEW = "disciplinary_review"
    INSPECTION = "inspection"
    AUDIT = "audit"
    COMPLAINT = "complaint"


class SanctionKind(StrEnum):
    """Events that disqualify a household from Gia đình văn hóa (ND 86/2023)."""

    PROSECUTED = "prosecuted"
    MILITARY_SERVICE = "military_service"
    TAX = "tax"
    CHILD_MARRIAGE = "child_marriage"
    MARRIAGE_LAW = "marriage_law"
    PUBLIC_ORDER = "public_order"
    GAMBLING = "gambling"
    SOCIAL_EVILS = "social_evils"
    FIRE_SAFETY = "fire_safety"
    DOMESTIC_VIOLENCE = "domestic_violence"


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNDETERMINED = "undetermined"


class Confidence(StrEnum):
    """How sure the digest is of a legal source: ✅ seen, ◑ secondary, ❓ unconfirmed."""

    SEEN = "seen"
    SECONDARY = "secondary"
    UNCONFIRMED = "unconfirmed"


RATING_ORDER: Final[dict[Rating, int]] = {
    Rating.KHTNV: 0,
    Rating.HTNV: 1,
    Rating.HTTNV: 2,
    Rating.HTXSNV: 3,
}
SCOPE_ORDER: Final[dict[Scope, int]] = {Scope.CO_SO: 0, Scope.TINH: 1, Scope.TOAN_QUOC: 2}
DISCIPLINE_ORDER: Final[dict[DisciplineForm, int]] = {f: i for i, f in enumerate(DisciplineForm)}
CONFIDENCE_ORDER: Final[dict[Confidence, int]] = {
    Confidence.SEEN: 0,
    Confidence.SECONDARY: 1,
    Confidence.UNCONFIRMED: 2,
}

AWARD_SUBJECTS: Final[dict[Award, frozenset[SubjectKind]]] = {
    Award.LAO_DONG_TIEN_TIEN: frozenset({SubjectKind.PERSON}),
    Award.CHIEN_SI_THI_DUA_CO_SO: frozenset({SubjectKind.PERSON}),
    Award.CHIEN_SI_THI_DUA_TINH: frozenset({SubjectKind.PERSON}),
    Award.CHIEN_SI_THI_DUA_TOAN_QUOC: frozenset({SubjectKind.PERSON}),
    Award.TAP_THE_LAO_DONG_TIEN_TIEN: frozenset({SubjectKind.UNIT}),
    Award.TAP_THE_LAO_DONG_XUAT_SAC: frozenset({SubjectKind.UNIT}),
    Award.CO_THI_DUA_TINH: frozenset({SubjectKind.UNIT}),
    Award.CO_THI_DUA_CHINH_PHU: frozenset({SubjectKind.UNIT}),
    Award.GIAY_KHEN: frozenset({SubjectKind.PERSON, SubjectKind.UNIT, SubjectKind.HOUSEHOLD}),
    Award.BANG_KHEN_TINH: frozenset({SubjectKind.PERSON, SubjectKind.UNIT}),
    Award.BANG_KHEN_THU_TUONG: frozenset({SubjectKind.PERSON, SubjectKind.UNIT}),
    Award.HUAN_CHUONG_LAO_DONG_HANG_BA: frozenset({SubjectKind.PERSON, SubjectKind.UNIT}),
    Award.GIA_DINH_VAN_HOA: frozenset({SubjectKind.HOUSEHOLD}),
    Award.THON_TO_DAN_PHO_VAN_HOA: frozenset({SubjectKind.UNIT}),
}

# State-level forms (khen thưởng cấp Nhà nước), for the "two state-level forms in a year" check.
STATE_LEVEL_AWARDS: Final[frozenset[Award]] = frozenset(
    {
        Award.CHIEN_SI_THI_DUA_TOAN_QUOC,
        Award.CO_THI_DUA_CHINH_PHU,
        Award.BANG_KHEN_THU_TUONG,
        Award.HUAN_CHUONG_LAO_DONG_HANG_BA,
    }
)

AWARD_LABELS: Final[dict[Award, tuple[str, str]]] = {
    Award.LAO_DONG_TIEN_TIEN: ("Lao động tiên tiến", "Advanced Worker"),
    Award.CHIEN_SI_THI_DUA_CO_SO: ("Chiến sĩ thi đua cơ sở", "Grassroots Emulation Fighter"),
    Award.CHIEN_SI_THI_DUA_TINH: (
        "Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh",
        "Provincial Emulation Fighter",
    ),
    Award.CHIEN_SI_THI_DUA_TOAN_QUOC: ("Chiến sĩ thi đua toàn quốc", "National Emulation Fighter"),
    Award.TAP_THE_LAO_DONG_TIEN_TIEN: ("Tập thể lao động tiên tiến", "Advanced Labour Collective"),
    Award.TAP_THE_LAO_DONG_XUAT_SAC: ("Tập thể lao động xuất sắc", "Excellent Labour Collective"),
    Award.CO_THI_DUA_TINH: ("Cờ thi đua cấp bộ, ban, ngành, tỉnh", "Provincial Emulation Flag"),
    Award.CO_THI_DUA_CHINH_PHU: ("Cờ thi đua của Chính phủ", "Government Emulation Flag"),
    Award.GIAY_KHEN: ("Giấy khen", "Certificate of Merit"),
    Award.BANG_KHEN_TINH: (
        "Bằng khen của Bộ, ban, ngành, tỉnh",
        "Provincial Certificate of Commendation",
    ),
    Award.BANG_KHEN_THU_TUONG: (
        "Bằng khen của Thủ tướng Chính phủ",
        "Prime Minister's Certificate of Commendation",
    ),
    Award.HUAN_CHUONG_LAO_DONG_HANG_BA: (
        "Huân chương Lao động hạng Ba",
        "Labour Order, Third Class",
    ),
    Award.GIA_DINH_VAN_HOA: ("Gia đình văn hóa", "Cultured Family"),
    Award.THON_TO_DAN_PHO_VAN_HOA: ("Thôn, tổ dân phố văn hóa", "Cultured Village"),
}

RATING_LABELS: Final[dict[Rating, tuple[str, str]]] = {
    Rating.HTXSNV: ("Hoàn thành xuất sắc nhiệm vụ", "completed tasks excellently"),
    Rating.HTTNV: ("Hoàn thành tốt nhiệm vụ", "completed tasks well"),
    Rating.HTNV: ("Hoàn thành nhiệm vụ", "completed tasks"),
    Rating.KHTNV: ("Không hoàn thành nhiệm vụ", "did not complete tasks"),
}

SCOPE_LABELS: Final[dict[Scope, tuple[str, str]]] = {
    Scope.CO_SO: ("cơ sở", "grassroots"),
    Scope.TINH: ("bộ, ban, ngành, tỉnh", "ministry or province"),
    Scope.TOAN_QUOC: ("toàn quốc", "nationwide"),
}

DISCIPLINE_LABELS: Final[dict[DisciplineForm, tuple[str, str]]] = {
    DisciplineForm.KHIEN_TRACH: ("khiển trách", "reprimand"),
    DisciplineForm.CANH_CAO: ("cảnh cáo", "warning"),
    DisciplineForm.HA_BAC_LUONG: ("hạ bậc lương", "salary downgrade"),
    DisciplineForm.GIANG_CHUC: ("giáng chức", "demotion"),
    DisciplineForm.CACH_CHUC: ("cách chức", "dismissal from post"),
    DisciplineForm.BUOC_THOI_VIEC: ("buộc thôi việc", "forced resignation"),
}

ATTESTATION_LABELS: Final[dict[Attestation, tuple[str, str]]] = {
    Attestation.ETHICS: ("đạo đức, lối sống lành mạnh", "ethics and a healthy way of life"),
    Attestation.COMPLIANCE: (
        "chấp hành tốt chủ trương, chính sách, pháp luật",
        "compliance with policy and law",
    ),
    Attestation.EMULATION: ("tích cực tham gia phong trào thi đua", "active in emulation"),
    Attestation.STUDY: (
        "tích cực học tập chính trị, văn hóa, chuyên môn",
        "active study of politics, culture and profession",
    ),
    Attestation.SOLIDARITY: ("đoàn kết, tương trợ", "solidarity and mutual help"),
    Attestation.FAMILY: (
        "gia đình no ấm, hòa thuận, tiến bộ, hạnh phúc, văn minh",
        "a harmonious, progressive, happy family",
    ),
    Attestation.LIVELIHOOD: (
        "lao động, sản xuất, kinh doanh, công tác, học tập đạt năng suất, chất lượng, hiệu quả",
        "productive work, business and study",
    ),
    Attestation.ECONOMY: (
        "đời sống kinh tế ổn định và từng bước phát triển",
        "a stable, developing economic life",
    ),
    Attestation.CULTURE: (
        "đời sống văn hóa, tinh thần lành mạnh, phong phú",
        "a healthy, rich cultural life",
    ),
    Attestation.ENVIRONMENT: (
        "môi trường an toàn, cảnh quan sạch đẹp",
        "a safe environment and a clean landscape",
    ),
}

AREA_LABELS: Final[dict[Area, tuple[str, str]]] = {
    Area.KHU_VUC_III: ("xã khu vực III", "region III commune"),
    Area.BIEN_GIOI: ("biên giới", "border area"),
    Area.HAI_DAO: ("hải đảo", "island"),
    Area.THON_DBKK: ("thôn đặc biệt khó khăn", "specially difficult village"),
}


def fold(text: str) -> str:
    """Fold a phrase for alias lookup: NFC, lower case, no diacritics, đ→d, single spaces."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.replace("_", " ").replace("-", " ").split())


def _aliases(labels: dict[E, tuple[str, str]], extra: dict[str, E]) -> dict[str, E]:
    table: dict[str, E] = {}
    for value, (vi, en) in labels.items():
        for phrase in (value.value, vi, en):
            table[fold(phrase)] = value
    for phrase, value in extra.items():
        table[fold(phrase)] = value
    return table


E = TypeVar("E", bound=StrEnum)

AWARD_ALIASES: Final[dict[str, Award]] = _aliases(
    AWARD_LABELS,
    {
        "LĐTT": Award.LAO_DONG_TIEN_TIEN,
        "CSTĐCS": Award.CHIEN_SI_THI_DUA_CO_SO,
        "CSTĐ cơ sở": Award.CHIEN_SI_THI_DUA_CO_SO,
        "CSTĐ tỉnh": Award.CHIEN_SI_THI_DUA_TINH,
        "Chiến sĩ thi đua cấp tỉnh": Award.CHIEN_SI_THI_DUA_TINH,
        "CSTĐTQ": Award.CHIEN_SI_THI_DUA_TOAN_QUOC,
        "CSTĐ toàn quốc": Award.CHIEN_SI_THI_DUA_TOAN_QUOC,
        "TTLĐTT": Award.TAP_THE_LAO_DONG_TIEN_TIEN,
        "TTLĐXS": Award.TAP_THE_LAO_DONG_XUAT_SAC,
        "Cờ thi đua tỉnh": Award.CO_THI_DUA_TINH,
        "Cờ thi đua cấp tỉnh": Award.CO_THI_DUA_TINH,
        "Cờ thi đua Chính phủ": Award.CO_THI_DUA_CHINH_PHU,
        "Bằng khen tỉnh": Award.BANG_KHEN_TINH,
        "Bằng khen UBND tỉnh": Award.BANG_KHEN_TINH,
        "Bằng khen Chủ tịch UBND tỉnh": Award.BANG_KHEN_TINH,
        "Bằng khen Thủ tướng": Award.BANG_KHEN_THU_TUONG,
        "BKTTg": Award.BANG_KHEN_THU_TUONG,
        "HCLĐ hạng Ba": Award.HUAN_CHUONG_LAO_DONG_HANG_BA,
        "GĐVH": Award.GIA_DINH_VAN_HOA,
        "Thôn văn hóa": Award.THON_TO_DAN_PHO_VAN_HOA,
        "Tổ dân phố văn hóa": Award.THON_TO_DAN_PHO_VAN_HOA,
    },
)

RATING_ALIASES: Final[dict[str, Rating]] = _aliases(
    RATING_LABELS,
    {
        "HTXS": Rating.HTXSNV,
        "HTT": Rating.HTTNV,
        "HTNV": Rating.HTNV,
        "HT": Rating.HTNV,
        "KHT": Rating.KHTNV,
        "KHTNV": Rating.KHTNV,
        "Hoàn thành xuất sắc": Rating.HTXSNV,
        "Hoàn thành tốt": Rating.HTTNV,
        "Hoàn thành": Rating.HTNV,
        "Không hoàn thành": Rating.KHTNV,
    },
)

SCOPE_ALIASES: Final[dict[str, Scope]] = _aliases(
    SCOPE_LABELS, {"cấp cơ sở": Scope.CO_SO, "cấp tỉnh": Scope.TINH, "tỉnh": Scope.TINH}
)

DISCIPLINE_ALIASES: Final[dict[str, DisciplineForm]] = _aliases(DISCIPLINE_LABELS, {})


def rating_at_least(rating: Rating, level: Rating) -> bool:
    return RATING_ORDER[rating] >= RATING_ORDER[level]


def scope_at_least(scope: Scope, level: Scope) -> bool:
    return SCOPE_ORDER[scope] >= SCOPE_ORDER[level]


def discipline_at_least(form: DisciplineForm, level: DisciplineForm) -> bool:
    return DISCIPLINE_ORDER[form] >= DISCIPLINE_ORDER[level]


def award_label(award: Award, lang: str = "vi") -> str:
    vi, en = AWARD_LABELS[award]
    return en if lang == "en" else vi


def label(value: StrEnum, lang: str = "vi") -> str:
    """Display name of any vocabulary value, in Vietnamese (default) or English."""
    for table in (
        AWARD_LABELS,
        RATING_LABELS,
        SCOPE_LABELS,
        DISCIPLINE_LABELS,
        ATTESTATION_LABELS,
        AREA_LABELS,
    ):
        pair = table.get(value)  # type: ignore[call-overload]
        if pair is not None:
            vi, en = pair
            return str(en if lang == "en" else vi)
    return str(value.value)
