"""Ranking under quotas and priorities, and batch-level compliance findings (docs/ranking.md)."""

from khenthuong.ranking.findings import Finding
from khenthuong.ranking.policy import RankingPlan, compile_policy
from khenthuong.ranking.rank import CutReason, Placement, Ranking
from khenthuong.ranking.run import Ranked, rank_batch

__all__ = [
    "CutReason",
    "Finding",
    "Placement",
    "Ranked",
    "Ranking",
    "RankingPlan",
    "compile_policy",
    "rank_batch",
]
