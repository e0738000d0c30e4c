"""Python's cyclic garbage collector, paused around large evaluations.

Loading and deciding a chunk of people makes millions of small objects that live until the chunk
is written; the cyclic collector would walk them again and again (up to half the time of an
evaluation), and finds nothing to free until the chunk is done. `paused_gc` turns it off for the
block and restores it afterwards, whatever happens, so it is never left disabled; with
`collect=True` it then frees, in one pass over the young objects, any reference cycle the block
left behind.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc(*, collect: bool = False) -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block; restore its state after.

    Example:
        >>> import gc
        >>> with paused_gc():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        if collect:
            gc.collect(1)


def freeze_loaded() -> None:
    """Move everything alive now (loaded packs, compiled plans) out of the collector's sight.

    Called once in a worker after it has loaded the pack: later collections then walk only what
    chunks create (`gc.freeze`).
    """
    gc.collect()
    gc.freeze()
