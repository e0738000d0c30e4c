"""Seeded generator of realistic synthetic nomination data for benchmarks.

People belong to units of 10–60 members; histories run 1–6 years back from the judged year, with
ratings skewed towards "Hoàn thành tốt" (as in real evaluations), titles that follow the ratings,
initiatives for about a third of people, occasional disciplines and pending cases, attestations
mostly present. The same seed always gives the same data.

    python benchmarks/generate.py --people 100000 --year 2024 --out /tmp/people.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SURNAMES = [
    "Nông",
    "Hoàng",
    "Lục",
    "Đàm",
    "Bế",
    "Lương",
    "Triệu",
    "Mã",
    "Nguyễn",
    "Lê",
    "Phạm",
    "Vi",
]
MIDDLE = ["Thị", "Văn", "Đức", "Ngọc", "Minh", "Thu", "Hồng", "Quang"]
GIVEN = ["Hoa", "Nam", "Lan", "Tùng", "Hằng", "Phúc", "Dung", "Thành", "Mai", "Khánh", "Yến", "Sơn"]
RATINGS = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
RATING_WEIGHTS = [0.2, 0.6, 0.17, 0.03]
ATTESTATIONS = ("ethics", "compliance", "emulation", "study", "solidarity")


def _recruited(rng: random.Random, year: int) -> str:
    """A recruitment date no later than the batch's as_of (15 December of the judged year)."""
    y, m, d = rng.randint(1995, year), rng.randint(1, 12), rng.randint(1, 28)
    if (y, m) == (year, 12):
        d = min(d, 15)
    return f"{y}-{m:02d}-{d:02d}"


def person(rng: random.Random, pid: str, unit: str, year: int) -> dict[str, Any]:
    years = rng.randint(1, 6)
    history: list[dict[str, Any]] = []
    cstdcs_run = 0
    for y in range(year - years + 1, year + 1):
        rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
        rec: dict[str, Any] = {"year": y, "rating": rating}
        if y < year:
            titles = []
            if rating in ("HTXSNV", "HTTNV"):
                titles.append("lao_dong_tien_tien")
                if rating == "HTXSNV" and rng.random() < 0.6:
                    titles.append("chien_si_thi_dua_co_so")
                    cstdcs_run += 1
            rec["titles"] = titles
        history.append(rec)
    initiatives = []
    if rng.random() < 0.35:
        for k in range(rng.randint(1, 3)):
            scope = rng.choices(["co_so", "tinh", "toan_quoc"], [0.8, 0.17, 0.03])[0]
            ini: dict[str, Any] = {
                "id": f"{pid}-SK{k}",
                "year": rng.randint(year - 2, year),
                "scope": scope,
                "applied": rng.random() < 0.8,
            }
            if rng.random() < 0.2:
                ini["kind"] = "research"
                ini["accepted"] = rng.random() < 0.9
            initiatives.append(ini)
    p: dict[str, Any] = {
        "id": pid,
        "name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        "gender": rng.choice(["nu", "nam"]),
        "unit": unit,
        "employment": rng.choices(["cong_chuc", "vien_chuc", "nguoi_lao_dong"], [0.4, 0.5, 0.1])[0],
        "recruited_on": _recruited(rng, year),
        "frontline": rng.random() < 0.5,
        "history": history,
        "attestations": {a: True for a in ATTESTATIONS if rng.random() < 0.98},
    }
    if initiatives:
        p["initiatives"] = initiatives
    if rng.random() < 0.03:
        p["disciplines"] = [
            {
                "form": rng.choice(["khien_trach", "canh_cao"]),
                "decided_on": f"{rng.randint(year - 2, year)}-0{rng.randint(1, 9)}-15",
            }
        ]
    if rng.random() < 0.01:
        p["pending_cases"] = [{"kind": "complaint", "opened_on": f"{year}-10-01"}]
    if rng.random() < 0.2:
        p["commendations"] = [{"award": "bang_khen_tinh", "year": rng.randint(year - 8, year - 1)}]
    if rng.random() < 0.15:
        p["areas"] = rng.sample(["bien_gioi", "khu_vuc_iii", "thon_dbkk"], rng.randint(1, 2))
    return p


def people(n: int, year: int, seed: int = 2021) -> Iterator[dict[str, Any]]:
    """`n` people in units of 10–60, deterministic for a seed."""
    rng = random.Random(seed)
    made = 0
    unit_no = 0
    while made < n:
        size = min(rng.randint(10, 60), n - made)
        unit = f"U{unit_no:06d}"
        for _ in range(size):
            yield person(rng, f"P{made:07d}", unit, year)
            made += 1
        unit_no += 1


def units_for(people_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for p in people_list:
        counts[p["unit"]] = counts.get(p["unit"], 0) + 1
    return [{"id": u, "name": f"Đơn vị {u}", "headcount": c} for u, c in counts.items()]


AWARDS = ("lao_dong_tien_tien", "chien_si_thi_dua_co_so", "chien_si_thi_dua_tinh", "bang_khen_tinh")


def batch(n: int, year: int, seed: int = 2021, awards: tuple[str, ...] = AWARDS) -> dict[str, Any]:
    """A whole batch dict: everyone nominated for every award in `awards`."""
    ps = list(people(n, year, seed))
    return {
        "batch": {"id": f"bench-{n}", "year": year, "as_of": f"{year}-12-15"},
        "units": units_for(ps),
        "people": ps,
        "nominations": [{"candidate": p["id"], "award": a} for p in ps for a in awards],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--out", type=Path, required=True, help=".jsonl (one person a line) or .json")
    args = ap.parse_args()
    if args.out.suffix == ".jsonl":
        with args.out.open("w", encoding="utf-8") as f:
            for p in people(args.people, args.year, args.seed):
                f.write(json.dumps(p, ensure_ascii=False) + "\n")
    else:
        args.out.write_text(
            json.dumps(batch(args.people, args.year, args.seed), ensure_ascii=False),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
