"""khenthuong: eligibility, ranking and explanations for Vietnamese emulation titles and commendations.

The public API is the names in `__all__`; everything else may change between versions.

    >>> from khenthuong import load_batch, evaluate_batch
"""

from khenthuong._version import __version__
from khenthuong.audit.diff import diff
from khenthuong.audit.explain import explain
from khenthuong.audit.missing import Change, missing
from khenthuong.audit.records import decision_record, result_record
from khenthuong.audit.verify import verify
from khenthuong.batch.load import batch_from_text, load_batch
from khenthuong.engine.decision import Decision
from khenthuong.errors import (
    Diagnostic,
    EvaluationError,
    InputError,
    KhenthuongError,
    Location,
    PackError,
    Severity,
)
from khenthuong.model.batch import Batch, BatchHeader, Nomination
from khenthuong.model.subjects import Household, Person, Unit
from khenthuong.model.vocab import Award, Confidence, Outcome, Rating
from khenthuong.packs.loader import load_pack
from khenthuong.packs.registry import PackRegistry, ResolvedPack
from khenthuong.runner import BatchResult, evaluate_batch

__all__ = [
    "Award",
    "Batch",
    "BatchHeader",
    "BatchResult",
    "Change",
    "Confidence",
    "Decision",
    "Diagnostic",
    "EvaluationError",
    "Household",
    "InputError",
    "KhenthuongError",
    "Location",
    "Nomination",
    "Outcome",
    "PackError",
    "PackRegistry",
    "Person",
    "Rating",
    "ResolvedPack",
    "Severity",
    "Unit",
    "__version__",
    "batch_from_text",
    "decision_record",
    "diff",
    "evaluate_batch",
    "explain",
    "load_batch",
    "load_pack",
    "missing",
    "result_record",
    "verify",
]
