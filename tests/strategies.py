"""Hypothesis strategies for nomination batches, shared by the property tests and the fuzzers.

Batches are generated as plain data — what YAML or JSON parse to — so the same strategy feeds
`batch_from_data`, `batch_from_text` (after `to_yaml`/`to_json`) and the CLI.

- `batch_data()`: a valid batch (every reference resolves, every date fits the batch).
- `near_valid_batch_data()`: a valid batch with one to three mutations (a field dropped, a
  value of the wrong type, ids shuffled or duplicated, random Unicode, an unknown field, a number
  or date out of range); it may or may not still be valid.
- `batch_texts()`: YAML or JSON text of valid or near-valid batches, sometimes damaged at the text
  level (truncated, a character inserted or deleted).
- `shuffled(data, rnd)`: the same batch with its unordered lists (sections, history, titles,
  areas) in another order, for order-independence tests.

    >>> from hypothesis import given
    >>> @given(batch_data())
    ... def test(data): ...
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import yaml
from hypothesis import strategies as st

from khenthuong.model.vocab import (
    AWARD_SUBJECTS,
    Area,
    Award,
    DisciplineForm,
    Employment,
    Gender,
    InitiativeKind,
    PendingKind,
    Position,
    Rating,
    SanctionKind,
    Scope,
    SubjectKind,
    UnitKind,
)

Data = dict[str, Any]
Path = tuple[str | int, ...]

# Years the bundled packs cover (vn-2017 from 2017-10-01, vn-2024 from 2024-01-01).
YEARS = range(2018, 2026)
ATTESTATIONS = ("ethics", "compliance", "emulation", "study", "solidarity")
UNIT_TITLES = [Award.TAP_THE_LAO_DONG_TIEN_TIEN, Award.TAP_THE_LAO_DONG_XUAT_SAC]
PERSON_TITLES = [Award.LAO_DONG_TIEN_TIEN, Award.CHIEN_SI_THI_DUA_CO_SO]
VIETNAMESE_NAMES = [
    "Nông Thị Hoa",
    "Nguyễn Văn Đức",
    "Hoàng Thị Thu Hằng",
    "Lương Văn Quý",
    "Đàm Thị Ngọc Ánh",
    "Sở Nội vụ tỉnh Cao Bằng",
    "Trường THPT Hà Quảng",
    "Hộ ông Triệu Văn Sử",
]
ID_PREFIXES = {"unit": "U", "person": "P", "household": "H"}


def _values(enum: Any) -> list[str]:
    return [e.value for e in enum]


def names() -> st.SearchStrategy[str]:
    """Vietnamese names, sometimes decomposed (NFD) as some forms and Mac keyboards write them."""
    return st.builds(
        lambda name, nfd: unicodedata.normalize("NFD", name) if nfd else name,
        st.sampled_from(VIETNAMESE_NAMES),
        st.booleans(),
    )


def _date(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def dates(first: int, last: int) -> st.SearchStrategy[str]:
    """ISO dates from 1 January `first` to 28 December `last` (always real calendar days)."""
    return st.builds(_date, st.integers(first, last), st.integers(1, 12), st.integers(1, 28))


def attestations() -> st.SearchStrategy[dict[str, bool]]:
    return st.dictionaries(st.sampled_from(ATTESTATIONS), st.booleans(), max_size=5)


@st.composite
def _ids(draw: st.DrawFn, kind: str, n: int) -> list[str]:
    prefix = ID_PREFIXES[kind]
    style = draw(st.sampled_from(["plain", "vietnamese", "long"]))
    if style == "vietnamese":
        return [f"{prefix}-Sở-{i}" for i in range(n)]
    if style == "long":
        return [f"{prefix}-{i:04d}-" + "x" * 60 for i in range(n)]
    return [f"{prefix}{i}" for i in range(n)]


@st.composite
def _history(draw: st.DrawFn, year: int, titles: list[Award], rated: bool) -> list[Data]:
    years = draw(st.lists(st.integers(year - 4, year), unique=True, max_size=5))
    out: list[Data] = []
    for y in sorted(years):
        rec: Data = {"year": y}
        if rated and draw(st.booleans()):
            rec["rating"] = draw(st.sampled_from(_values(Rating)))
        if y < year or draw(st.booleans()):
            rec["titles"] = draw(st.lists(st.sampled_from([t.value for t in titles]), unique=True))
        out.append(rec)
    return out


@st.composite
def _unit_year_counts(draw: st.DrawFn, headcount: int | None) -> Data:
    top = headcount if headcount is not None else 50
    fields = ("members_rated_htnv_or_better", "members_lao_dong_tien_tien")
    fields += ("members_chien_si_thi_dua_co_so", "members_women")
    return {f: draw(st.integers(0, top)) for f in fields if draw(st.booleans())}


@st.composite
def batch_data(draw: st.DrawFn, *, max_people: int = 6, max_units: int = 4) -> Data:
    """A valid batch as plain data: ids unique, references resolve, nothing after the batch."""
    year = draw(st.sampled_from(YEARS))
    as_of = draw(st.sampled_from([None, _date(year, 12, 15), _date(year + 1, 1, 20)]))
    header: Data = {"id": draw(st.sampled_from(["b1", "so-noi-vu-2021", "Đợt-1"])), "year": year}
    if as_of:
        header["as_of"] = as_of
    n_units = draw(st.integers(1, max_units))
    n_people = draw(st.integers(0, max_people))
    n_households = draw(st.integers(0, 2))
    unit_ids = draw(_ids("unit", n_units))
    person_ids = draw(_ids("person", n_people))
    household_ids = draw(_ids("household", n_households))

    units: list[Data] = []
    for i, uid in enumerate(unit_ids):
        unit: Data = {"id": uid, "name": draw(names())}
        if draw(st.booleans()):
            unit["kind"] = draw(st.sampled_from(_values(UnitKind)))
        if i and draw(st.booleans()):
            unit["parent"] = unit_ids[draw(st.integers(0, i - 1))]  # earlier: never a cycle
        headcount = draw(st.none() | st.integers(1, 80))
        if headcount is not None:
            unit["headcount"] = headcount
        history = draw(_history(year, UNIT_TITLES, rated=True))
        for rec in history:
            rec.update(draw(_unit_year_counts(headcount)))
        unit["history"] = history
        if draw(st.booleans()):
            unit["areas"] = draw(st.lists(st.sampled_from(_values(Area)), unique=True))
        unit["attestations"] = draw(attestations())
        units.append(unit)
        if draw(st.booleans()):
            header["submitted_by"] = uid

    people: list[Data] = []
    for i, pid in enumerate(person_ids):
        p: Data = {"id": pid, "name": draw(names())}
        if draw(st.booleans()):
            p["unit"] = draw(st.sampled_from(unit_ids))
        if draw(st.booleans()):
            # A batch records only what happened by its as_of date (KT162).
            p["recruited_on"] = min(draw(dates(1990, year)), as_of or "9999-12-31")
        for field, enum in (("gender", Gender), ("employment", Employment)):
            if draw(st.booleans()):
                p[field] = draw(st.sampled_from(_values(enum)))
        if draw(st.booleans()):
            p["position"] = draw(st.sampled_from(_values(Position)))
        if draw(st.booleans()):
            p["frontline"] = draw(st.booleans())
        p["history"] = draw(_history(year, PERSON_TITLES, rated=True))
        p["initiatives"] = [
            {
                "id": f"SK-{i}-{k}",
                "kind": draw(st.sampled_from(_values(InitiativeKind))),
                "year": draw(st.integers(year - 3, year)),
                "scope": draw(st.sampled_from(_values(Scope))),
            }
            for k in range(draw(st.integers(0, 2)))
        ]
        if draw(st.integers(0, 4)) == 0:
            decided = draw(dates(2010, year - 1))
            p["disciplines"] = [
                {"form": draw(st.sampled_from(_values(DisciplineForm))), "decided_on": decided}
            ]
        if draw(st.integers(0, 5)) == 0:
            p["pending_cases"] = [
                {
                    "kind": draw(st.sampled_from(_values(PendingKind))),
                    "opened_on": draw(dates(year - 1, year - 1)),
                }
            ]
        if draw(st.booleans()):
            p["commendations"] = [
                {"award": "bang_khen_tinh", "year": draw(st.integers(year - 6, year - 1))}
            ]
        p["attestations"] = draw(attestations())
        people.append(p)

    households: list[Data] = []
    for hid in household_ids:
        h: Data = {"id": hid, "name": draw(names())}
        if draw(st.booleans()):
            h["village"] = draw(st.sampled_from(unit_ids))
        h["history"] = [
            {"year": y, "titles": ["gia_dinh_van_hoa"]}
            for y in draw(st.lists(st.integers(year - 3, year - 1), unique=True, max_size=3))
        ]
        if draw(st.integers(0, 3)) == 0:
            h["sanctions"] = [{"kind": draw(st.sampled_from(_values(SanctionKind))), "year": year}]
        households.append(h)

    kinds = (
        [(u, SubjectKind.UNIT) for u in unit_ids]
        + [(p, SubjectKind.PERSON) for p in person_ids]
        + [(h, SubjectKind.HOUSEHOLD) for h in household_ids]
    )
    nominations: list[Data] = []
    for cid, kind in kinds:
        fitting = [a.value for a in Award if kind in AWARD_SUBJECTS[a]]
        for award in draw(st.lists(st.sampled_from(fitting), unique=True, max_size=3)):
            nominations.append({"candidate": cid, "award": award})

    data: Data = {"batch": header, "units": units, "people": people}
    if households:
        data["households"] = households
    data["nominations"] = nominations
    return data


# --- near-valid batches -------------------------------------------------------------------------

ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    "",
    " ",
    "2021-02-30",
    "30/02/2021",
    "\u0000",
    "x" * 2000,
    [],
    {},
    [1, [2, [3]]],
    {"nested": {"deeper": [None]}},
    Decimal("1.5"),
    "Hoàn thành xuất sắc nhiệm vụ",
    "LĐTT",
]


def _slots(data: Any, path: Path = ()) -> list[Path]:
    """Every path to a value inside `data`, in document order."""
    out: list[Path] = [path] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _slots(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _slots(value, (*path, i))
    return out


def _parent(data: Any, path: Path) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def _records(data: Data, section: str) -> list[Any]:
    """The records of a section, or [] when a mutation made it something else than a list."""
    value = data.get(section)
    return value if isinstance(value, list) else []


def _ids_in(data: Data) -> list[str]:
    return [
        str(r["id"])
        for section in ("units", "people", "households")
        for r in _records(data, section)
        if isinstance(r, dict) and "id" in r
    ]


Mutation = Callable[[st.DrawFn, Data], None]


def _drop_field(draw: st.DrawFn, data: Data) -> None:
    keyed = [p for p in _slots(data) if isinstance(p[-1], str)]
    if not keyed:
        return
    path = draw(st.sampled_from(keyed))
    del _parent(data, path)[path[-1]]


def _swap_type(draw: st.DrawFn, data: Data) -> None:
    slots = _slots(data)
    if not slots:
        return
    path = draw(st.sampled_from(slots))
    _parent(data, path)[path[-1]] = draw(st.sampled_from(ODD_VALUES))


def _random_text(draw: st.DrawFn, data: Data) -> None:
    strings = [p for p in _slots(data) if isinstance(_parent(data, p)[p[-1]], str)]
    if not strings:
        return
    path = draw(st.sampled_from(strings))
    _parent(data, path)[path[-1]] = draw(st.text(max_size=40))


def _shuffle_ids(draw: st.DrawFn, data: Data) -> None:
    """Point a reference at another record, a similar-looking id or nothing known."""
    ids = _ids_in(data)
    refs = [
        p
        for p in _slots(data)
        if p[-1] in ("id", "unit", "parent", "village", "candidate", "submitted_by")
        and isinstance(_parent(data, p)[p[-1]], str)
    ]
    if not refs:
        return
    path = draw(st.sampled_from(refs))
    current = str(_parent(data, path)[path[-1]])
    choices = [*ids, current.lower(), current + "0", unicodedata.normalize("NFD", current)]
    _parent(data, path)[path[-1]] = draw(st.sampled_from(choices))


def _unknown_field(draw: st.DrawFn, data: Data) -> None:
    mappings = [p for p in _slots(data) if isinstance(_parent(data, p)[p[-1]], dict)]
    path = draw(st.sampled_from([(), *mappings]))
    target = _parent(data, path)[path[-1]] if path else data
    key = draw(st.sampled_from(["unnit", "Name", "year ", "ghi_chu", "history2", "id_"]))
    target[key] = draw(st.sampled_from(ODD_VALUES))


def _out_of_range(draw: st.DrawFn, data: Data) -> None:
    numbers = [
        p
        for p in _slots(data)
        if isinstance(_parent(data, p)[p[-1]], int)
        and not isinstance(_parent(data, p)[p[-1]], bool)
    ]
    dated = [p for p in _slots(data) if isinstance(p[-1], str) and p[-1].endswith(("_on", "as_of"))]
    choices = [*numbers, *dated]
    if not choices:
        return
    path = draw(st.sampled_from(choices))
    if path in numbers:
        header = data.get("batch")
        year = header.get("year") if isinstance(header, dict) else None
        after = year + 1 if isinstance(year, int) and not isinstance(year, bool) else 2022
        value: Any = draw(st.sampled_from([-5, 0, 1800, 2200, 10**12, after]))
    else:
        value = draw(st.sampled_from(["0201-05-10", "2999-01-01", "2021-13-01", "2021-02-29"]))
    _parent(data, path)[path[-1]] = value


def _duplicate_record(draw: st.DrawFn, data: Data) -> None:
    sections = [s for s in ("units", "people", "nominations") if _records(data, s)]
    if not sections:
        return
    section = draw(st.sampled_from(sections))
    records = _records(data, section)
    records.append(copy.deepcopy(records[draw(st.integers(0, len(records) - 1))]))


MUTATIONS: tuple[Mutation, ...] = (
    _drop_field,
    _swap_type,
    _random_text,
    _shuffle_ids,
    _unknown_field,
    _out_of_range,
    _duplicate_record,
)


@st.composite
def near_valid_batch_data(draw: st.DrawFn) -> Data:
    """A valid batch with one to three mutations applied (it may still be valid)."""
    data = copy.deepcopy(draw(batch_data(max_people=4, max_units=3)))
    for _ in range(draw(st.integers(1, 3))):
        mutate = draw(st.sampled_from(MUTATIONS))
        mutate(draw, data)
    return data


# --- text ---------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Data as YAML/JSON can write it: decimals and dates (from parsed YAML) as text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_yaml(data: Any) -> str:
    """YAML text of plain batch data (Unicode kept as written)."""
    return str(yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False))


def to_json(data: Any) -> str:
    return json.dumps(_plain(data), ensure_ascii=False, indent=1)


@st.composite
def batch_texts(draw: st.DrawFn, kind: str = "yaml") -> str:
    """YAML or JSON text of a valid or near-valid batch, sometimes damaged as text."""
    data = draw(st.one_of(batch_data(max_people=3, max_units=2), near_valid_batch_data()))
    try:
        text = to_yaml(data) if kind == "yaml" else to_json(data)
    except (UnicodeEncodeError, yaml.YAMLError):  # lone surrogates from random text
        text = to_json(data)
    damage = draw(st.sampled_from(["none", "truncate", "insert", "delete"]))
    if damage == "none" or not text:
        return text
    at = draw(st.integers(0, len(text) - 1))
    if damage == "truncate":
        return text[:at]
    if damage == "delete":
        return text[:at] + text[at + 1 :]
    char = draw(st.sampled_from([*":-[]{}&*!|>'\"#%@`\t\n ,?", "\ufeff", "\u0301", "đ"]))
    return text[:at] + char + text[at:]


# Lists whose order carries no meaning in the batch format, so no output may depend on it: the
# sections (records are found by id), a subject's history (looked up by year), titles and areas
# (sets). Initiatives, disciplines, cases and sanctions are shown in the trace in input order
# (audit/digest.py keeps them as written), so they are not shuffled.
UNORDERED = frozenset(
    {"units", "people", "households", "nominations", "history", "titles", "areas"}
)


def shuffled(data: Data, rnd: random.Random, lists: frozenset[str] = UNORDERED) -> Data:
    """The same batch with the lists named in `lists` (at any depth) in another order."""
    out = copy.deepcopy(data)

    def walk(value: Any, key: str | None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            if key in lists:
                rnd.shuffle(value)
            for v in value:
                walk(v, None)

    walk(out, None)
    return out
