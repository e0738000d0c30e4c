"""The `khenthuong` command: thin — parse arguments, call the library, render, set the exit code.

Exit codes (spec: cli-and-records.md): 0 success (for `check`: every nomination eligible and
selected); 1 the run worked but some nomination is not eligible/selected, or lint found an error;
2 bad input or usage.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from khenthuong._version import __version__
from khenthuong.errors import Diagnostic, KhenthuongError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


# Each command lives in its own module under khenthuong.commands with `register(subparsers)`.
COMMANDS = ("check",)


def add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="report language (vi)")


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
    """Print `text`, or write it atomically to `out`."""
    if out:
        from khenthuong.atomic import write_text

        write_text(out, text)
    else:
        sys.stdout.write(text)


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        print(d.render(), file=sys.stderr)
    n = sum(d.severity.value == "error" for d in diagnostics)
    if n > 1:
        print(f"{n} errors", file=sys.stderr)


def _interrupted(signum: int, _frame: Any) -> NoReturn:
    name = signal.Signals(signum).name
    print(f"khenthuong: interrupted by {name}; no output was written", file=sys.stderr)
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _interrupted)
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except KhenthuongError as exc:
        _print_diagnostics(exc.diagnostics)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("khenthuong: interrupted; no output was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
