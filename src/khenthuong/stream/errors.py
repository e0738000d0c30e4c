"""The streaming backend's errors: one exception class, stable KT7xx codes (docs/errors.md).

KT701  the durable_rules backend is not installed or cannot be imported here
KT702  an event names a person the watcher has not registered
KT703  an event records a year after the watcher's judged year
KT704  a rule of the pack cannot be compiled into durable_rules conditions
KT705  durable_rules failed while deciding (an action raised, or the engine returned an error)
KT706  the watcher is closed
KT707  the durable_rules backend and the native engine disagree (with `verify=True`)
KT708  an event is not valid (unknown type, a field of the wrong type, dates in the wrong order)
KT709  the watcher's arguments are not valid (unknown backend, as_of before the judged year)
"""

from __future__ import annotations

import sys

from khenthuong.errors import Diagnostic, KhenthuongError

DURABLE_EXTRA = "pip install 'khenthuong[durable]'"
# durable-rules 2.0.28 (2020) builds a C extension that imports on CPython up to 3.12; on 3.13 its
# extension fails to load (undefined symbol PyEval_CallObject, removed from the C API).
DURABLE_PYTHONS = "CPython 3.11 and 3.12"


class StreamError(KhenthuongError):
    """The event stream or the durable_rules backend could not do what was asked (KT7xx)."""

    default_code = "KT700"


def stream_error(code: str, message: str, help_: str = "") -> StreamError:
    """A `StreamError` carrying one diagnostic."""
    return StreamError([Diagnostic(code, message, help=help_)])


def backend_unavailable(reason: str) -> StreamError:
    """KT701: the one error raised when the durable_rules backend cannot be used."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    return stream_error(
        "KT701",
        f"the durable_rules backend is not available on Python {here}: {reason}",
        f"install the optional extra with `{DURABLE_EXTRA}` (durable-rules 2.0.28 needs a C "
        f"compiler and runs on {DURABLE_PYTHONS}); on other versions use "
        '`Watcher(..., backend="native")`, which needs no extra',
    )
