"""A small, stable rule pack for ranking tests, written to a temporary folder.

The bundled packs change as the law is encoded; ranking tests need rules that stay put. This pack
has a few plain rules (LĐTT, CSTĐCS, CSTĐ tỉnh, TTLĐTT, Cờ thi đua tỉnh), a ranking policy shaped
like the bundled ones, and an optional provincial layer with an area list and a cluster list.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from khenthuong.packs.registry import PackRegistry

SEEN = {"instrument": "law", "article": 1, "confidence": "seen"}


def _rule(rid: str, award: str, subject: str, when: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rid,
        "award": award,
        "subject": subject,
        "title": rid,
        "valid": {"from": "2017-10-01"},
        "source": SEEN,
        "criteria": [{"id": "c", "title": "c", "source": SEEN, "when": when}],
    }


RULES = [
    _rule(
        "ldtt",
        "lao_dong_tien_tien",
        "person",
        {"all": [{"rating": {"at_least": "HTTNV"}}, {"no_pending_case": {}}]},
    ),
    _rule(
        "cstdcs",
        "chien_si_thi_dua_co_so",
        "person",
        {
            "all": [
                {"title": {"award": "lao_dong_tien_tien"}},
                {"initiatives": {"at_least": 1, "scope": "co_so"}},
            ]
        },
    ),
    _rule(
        "cstd-tinh",
        "chien_si_thi_dua_tinh",
        "person",
        {
            "all": [
                {"title_streak": {"award": "chien_si_thi_dua_co_so", "years": 3}},
                {"initiatives": {"scope": "tinh", "within_years": 3}},
            ]
        },
    ),
    _rule(
        "ttldtt",
        "tap_the_lao_dong_tien_tien",
        "unit",
        {"member_share": {"title": "lao_dong_tien_tien", "more_than": 0.5}},
    ),
    _rule("co-tinh", "co_thi_dua_tinh", "unit", {"rating": {"at_least": "HTXSNV"}}),
    _rule(
        "ttldxs",
        "tap_the_lao_dong_xuat_sac",
        "unit",
        {"member_count": {"title": "chien_si_thi_dua_co_so", "at_least": 1}},
    ),
]

KEYS = [
    {"key": "frontline", "title": "Trực tiếp", "source": SEEN},
    {"key": "area", "title": "Địa bàn", "source": SEEN},
    {"key": "women", "title": "Nữ", "collective_share": 0.7, "source": SEEN},
    {"key": "rating_streak", "title": "Năm HTXS", "legal": False, "source": SEEN},
    {"key": "initiative_scope", "title": "Sáng kiến", "legal": False, "source": SEEN},
]

RANKING: dict[str, Any] = {
    "ranking": {
        "quotas": [
            {
                "id": "t.cstdcs",
                "award": "chien_si_thi_dua_co_so",
                "scope": "unit",
                "base": {"holders": "lao_dong_tien_tien"},
                "ratio": 0.15,
                "rounding": "floor",
                "minimum": 0,
                "valid": {"from": "2017-10-01"},
                "source": SEEN,
            },
            {
                "id": "t.co-cp",
                "award": "co_thi_dua_chinh_phu",
                "scope": "province",
                "base": {"holders": "co_thi_dua_tinh", "subjects": "unit"},
                "ratio": 0.2,
                "valid": {"from": "2017-10-01"},
                "source": SEEN,
            },
            {
                "id": "t.co-tinh",
                "award": "co_thi_dua_tinh",
                "scope": "cluster",
                "slots": 1,
                "valid": {"from": "2017-10-01"},
                "source": SEEN,
            },
        ],
        "priorities": [
            {"id": "t.default", "awards": "all", "valid": {"from": "2017-10-01"}, "keys": KEYS}
        ],
        "findings": [
            {
                "code": code,
                "id": f"t.{code.lower()}",
                "severity": "error" if code in ("KT411", "KT413") else "warning",
                "valid": {"from": "2017-10-01"},
                "source": SEEN,
            }
            for code in ("KT411", "KT412", "KT413", "KT414", "KT415", "KT416")
        ],
    }
}

AREA_LIST: dict[str, Any] = {
    "area_list": {
        "id": "tp.kv3",
        "area": "khu_vuc_iii",
        "title": "Xã khu vực III (danh sách thử)",
        "years": {"from": 2021, "until": 2025},
        "source": SEEN,
        "complete": False,
        "communes": [{"code": "X-001", "name": "Xã Một"}, {"code": "X-002"}],
    }
}

CLUSTERS: dict[str, Any] = {
    "clusters": {
        "id": "tp.clusters",
        "title": "Khối thi đua (thử)",
        "valid": {"from": "2017-10-01"},
        "source": SEEN,
        "structure": {"khoi": 3},
        "clusters": [
            {"id": "khoi-a", "name": "Khối A", "members": ["U-LISTED"]},
            {"id": "khoi-b", "name": "Khối B"},
        ],
    }
}


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_packs(
    root: Path,
    *,
    ranking: dict[str, Any] | None = None,
    layer: dict[str, Any] | None = None,
    areas: dict[str, Any] | None = None,
    clusters: dict[str, Any] | None = None,
) -> PackRegistry:
    """Write the test pack `t-nat` (and, if asked, the layer `t-prov` of province `tp`)."""
    nat = root / "t-nat"
    _dump(
        nat / "pack.yaml",
        {
            "pack": {
                "id": "t-nat",
                "title": "Test",
                "version": "1",
                "kind": "national",
                "coverage": {"from": "2017-10-01"},
            }
        },
    )
    _dump(
        nat / "instruments" / "law.yaml",
        {"instrument": {"id": "law", "title": "Luật thử", "short": "Luật thử"}, "rules": RULES},
    )
    _dump(nat / "ranking.yaml", copy.deepcopy(RANKING) if ranking is None else ranking)
    if layer is not None or areas is not None or clusters is not None:
        prov = root / "t-prov"
        _dump(
            prov / "pack.yaml",
            {
                "pack": {
                    "id": "t-prov",
                    "title": "Tỉnh thử",
                    "version": "1",
                    "kind": "provincial",
                    "province": "tp",
                    "extends": ["t-nat"],
                    "coverage": {"from": "2017-10-01"},
                }
            },
        )
        if layer is not None:
            layer = dict(layer)
            params = layer.pop("parameters", None)
            if params:
                _dump(prov / "parameters" / "p.yaml", {"parameters": params})
            _dump(prov / "ranking.yaml", layer)
        if areas is not None:
            _dump(prov / "areas" / "kv3.yaml", areas)
        if clusters is not None:
            _dump(prov / "ranking" / "clusters.yaml", clusters)
    return PackRegistry([root])


def person(pid: str, unit: str | None = "U1", **fields: Any) -> dict[str, Any]:
    """A person rated HTTNV in 2021, attested, with the given overrides."""
    base: dict[str, Any] = {
        "id": pid,
        "name": f"Người {pid}",
        "recruited_on": "2010-01-01",
        "history": [{"year": 2021, "rating": "HTTNV"}],
    }
    if unit is not None:
        base["unit"] = unit
    base.update(fields)
    return base


def initiative(iid: str, scope: str = "co_so", year: int = 2021) -> dict[str, Any]:
    return {"id": iid, "year": year, "scope": scope}
