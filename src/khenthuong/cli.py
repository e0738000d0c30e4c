"""The `khenthuong` command: thin — parse arguments, call the library, render, set the exit code.

Exit codes (spec: cli-and-records.md): 0 success (for `check`: every nomination eligible and
selected); 1 the run worked but some nomination is not eligible/selected, or lint found an error;
2 bad input or usage; 3 an internal error (a bug); 128+N stopped by signal N (130 Ctrl-C, 143
SIGTERM), in which case no output file is written.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from khenthuong._version import __version__
from khenthuong.errors import Diagnostic, KhenthuongError

if TYPE_CHECKING:
    from khenthuong.sources import Limits

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


# Each command lives in its own module under khenthuong.commands with `register(subparsers)`.
COMMANDS = ("check", "lint", "schema", "explain", "verify", "diff", "template", "packs", "bulk")


def add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="report language (vi)")


_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def _amount(text: str) -> int:
    """A positive whole number, with an optional K/M/G suffix (powers of 1024)."""
    raw = text.strip().upper().removesuffix("B").replace("_", "")
    unit = raw[-1:] if raw[-1:] in ("K", "M", "G") else ""
    digits = raw[: len(raw) - len(unit)]
    if not digits.isdigit() or int(digits) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number (e.g. 500, 64M)")
    return int(digits) * _SIZE_UNITS[unit]


def add_limits(p: argparse.ArgumentParser) -> None:
    """The input limits of docs/limits.md as options (default: `khenthuong.sources.Limits()`)."""
    from khenthuong.sources import DEFAULT_LIMITS

    d = DEFAULT_LIMITS

    group = p.add_argument_group("input limits (docs/limits.md)")
    group.add_argument(
        "--max-bytes",
        type=_amount,
        metavar="N",
        help=f"largest input file, e.g. 64M ({d.max_bytes // 1024**2}M)",
    )
    group.add_argument(
        "--max-depth", type=_amount, metavar="N", help=f"deepest nesting ({d.max_depth})"
    )
    group.add_argument(
        "--max-nodes",
        type=_amount,
        metavar="N",
        help=f"most values in a document after YAML aliases ({d.max_nodes:,})",
    )
    group.add_argument(
        "--max-rows",
        type=_amount,
        metavar="N",
        help=f"most records in a section or rows in a sheet ({d.max_rows:,})",
    )


def limits_of(args: argparse.Namespace) -> Limits:
    """The `Limits` chosen by `add_limits` options (defaults where not given)."""
    from khenthuong.sources import Limits as Chosen

    return Chosen.from_options(
        max_bytes=getattr(args, "max_bytes", None),
        max_depth=getattr(args, "max_depth", None),
        max_nodes=getattr(args, "max_nodes", None),
        max_rows=getattr(args, "max_rows", None),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="khenthuong",
        description="Xét điều kiện danh hiệu thi đua, hình thức khen thưởng — "
        "dry-run Vietnamese emulation and commendation nominations.",
    )
    parser.add_argument("--version", action="version", version=f"khenthuong {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"khenthuong.commands.{name}")
        module.register(sub)
    return parser


def emit(text: str, out: str | None) -> None:
    """Print `text`, or write it atomically to `out`; either way as UTF-8, whatever the locale.

    A terminal or pipe whose encoding is not UTF-8 (LC_ALL=C on old systems, a Windows pipe in
    cp1252) gets the UTF-8 bytes: output never depends on the locale and Vietnamese text never
    fails to print.
    """
    if out:
        from khenthuong.atomic import write_text

        write_text(out, text)
        return
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("-", "")
    buffer = getattr(sys.stdout, "buffer", None)
    if encoding in ("utf8", "utf8sig") or buffer is None:
        sys.stdout.write(text)
    else:
        sys.stdout.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        print(d.render(), file=sys.stderr)
    n = sum(d.severity.value == "error" for d in diagnostics)
    if n > 1:
        print(f"{n} errors", file=sys.stderr)


def _interrupted(signum: int, _frame: Any) -> NoReturn:
    raise _Interrupted(signum)


class _Interrupted(BaseException):
    """SIGTERM (or SIGHUP) received: unwind like Ctrl-C, so temporary files are removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


def _tolerant_streams() -> None:
    """On a terminal that cannot show Vietnamese, print escapes rather than fail."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding not in ("utf8", "utf8sig") and reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code.

    Exit codes: 0, 1 and 2 as in the module docstring; 128+N when stopped by signal N (130 for
    Ctrl-C, 143 for SIGTERM) — no output file is then written; 3 for an internal error (a bug).
    """
    _tolerant_streams()
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in _SIGNALS:
            previous[sig] = signal.signal(sig, _interrupted)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except KhenthuongError as exc:
        _print_diagnostics(exc.diagnostics)
        return EXIT_INPUT
    except _Interrupted as exc:
        name = signal.Signals(exc.signum).name
        print(f"khenthuong: interrupted by {name}; no output was written", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("khenthuong: interrupted; no output was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, and keep Python from complaining
        # when it flushes stdout at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # e.g. --out in a folder that cannot be written
        where = f" {exc.filename}" if exc.filename else ""
        print(f"khenthuong: error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    except (MemoryError, RecursionError) as exc:
        print(
            f"khenthuong: error: the input is too large to process ({type(exc).__name__})\n"
            "  help: lower the input limits (docs/limits.md) or split the batch",
            file=sys.stderr,
        )
        return EXIT_INPUT
    except Exception as exc:
        if os.environ.get("KHENTHUONG_DEBUG"):
            raise
        print(
            f"khenthuong: internal error: {type(exc).__name__}: {exc}\n"
            "  help: this is a bug; please report it with the input file "
            "(set KHENTHUONG_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
