"""Diagnostics as data, and the exception tree.

    KhenthuongError
    ├── InputError        a batch file is wrong (KT1xx); carries every diagnostic found
    ├── PackError         a rule pack is wrong (KT2xx); carries every diagnostic found
    └── EvaluationError   a batch cannot be evaluated with the chosen pack (KT3xx)

Messages follow rustc's style: lower case, no final period; `help` says how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: file, 1-based line and column, field path, and rule id if any."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    rule: str | None = None

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, with a stable code (documented in docs/errors.md)."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location = field(default_factory=Location)
    help: str = ""

    def render(self) -> str:
        loc = self.location
        head = f"{loc}: {self.severity.value}[{self.code}]: {self.message}"
        lines = [head]
        if loc.path:
            lines.append(f"  field: {loc.path}")
        if loc.rule:
            lines.append(f"  rule: {loc.rule}")
        if self.help:
            lines.append(f"  help: {self.help}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "path": loc.path,
            "rule": loc.rule,
            "help": self.help,
        }


class KhenthuongError(Exception):
    """Base of every error this library raises on purpose."""

    def __init__(self, diagnostics: list[Diagnostic] | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(self.default_code, diagnostics)]
        self.diagnostics: list[Diagnostic] = diagnostics
        super().__init__("\n".join(d.render() for d in diagnostics))

    default_code = "KT000"


class InputError(KhenthuongError):
    """A batch (YAML, JSON, CSV, Excel) could not be read into the model."""

    default_code = "KT100"


class PackError(KhenthuongError):
    """A rule pack could not be loaded or compiled."""

    default_code = "KT200"


class EvaluationError(KhenthuongError):
    """A batch cannot be evaluated (e.g. no pack covers its date)."""

    default_code = "KT300"
