"""Very large batches: people streamed from JSON Lines or CSV to a decisions file (JSON Lines).

    >>> from khenthuong.bulk import BulkOptions, run_bulk  # doctest: +SKIP

See `khenthuong.bulk.run` and docs/performance.md.
"""

from khenthuong.bulk.run import BulkOptions, BulkSummary, run_bulk

__all__ = ["BulkOptions", "BulkSummary", "run_bulk"]
