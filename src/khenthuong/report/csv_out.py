"""The CSV report: a folder with one CSV per award, `summary.csv`, `findings.csv` and `info.csv`.

The same tables as the Excel report (`report.table`), as UTF-8 with a byte-order mark so Excel
shows Vietnamese correctly when the file is double-clicked; Python reads it with `utf-8-sig`. The
folder is written atomically: into a temporary folder beside it, then renamed into place.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from khenthuong.errors import Diagnostic, KhenthuongError, Location
from khenthuong.model.batch import Batch
from khenthuong.report.table import Report, build

ENCODING = "utf-8-sig"


def render(
    record: Mapping[str, Any], batch: Batch | None = None, lang: str | None = None
) -> dict[str, bytes]:
    """File name → bytes of every CSV of the report of a `check --format json` document."""
    return render_report(build(record, batch, lang))


def render_report(report: Report) -> dict[str, bytes]:
    files = {
        "info.csv": _csv(report.meta, header=None),
        "summary.csv": _csv(report.summary_rows(), header=report.summary_header()),
        "findings.csv": _csv(
            report.finding_rows(), header=[c.header for c in report.finding_columns()]
        ),
    }
    for award in report.awards:
        columns = report.columns(award)
        rows = [[_text(c.value(line)) for c in columns] for line in award.lines]
        files[f"{award.award}.csv"] = _csv(rows, header=[c.header for c in columns])
    return files


# A cell starting with one of these is a formula to Excel: such text gets a leading apostrophe
# (OWASP's advice against CSV injection), which Excel shows as the text itself.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv(rows: Iterable[Sequence[Any]], header: Sequence[str] | None) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return buffer.getvalue().encode(ENCODING)


def write_folder(path: str | Path, files: Mapping[str, bytes]) -> None:
    """Write `files` as the folder `path`, all or nothing.

    The files go into a temporary folder beside `path`, which then takes its place. An existing
    folder is replaced only if it holds nothing but .csv files (a previous report or template);
    anything else is refused, so a mistyped `--out` never deletes a folder of other documents.

    Raises:
        KhenthuongError: `path` is a file, or a folder holding other files (KT155).
    """
    target = Path(path)
    if target.exists():
        if not target.is_dir():
            raise _refuse(target, "it is a file, not a folder")
        others = [p.name for p in target.iterdir() if not (p.is_file() and p.suffix == ".csv")]
        if others:
            raise _refuse(target, f"it holds other files ({', '.join(sorted(others)[:3])})")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    old: Path | None = None
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / "previous")
        try:
            os.replace(staging, target)
        except BaseException:
            if old is not None:  # put the previous report back
                os.replace(old / "previous", target)
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if old is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(old)


def _refuse(target: Path, why: str) -> KhenthuongError:
    return KhenthuongError(
        [
            Diagnostic(
                "KT155",
                f"will not replace {target}: {why}",
                location=Location(file=str(target)),
                help="give a new folder name for --out (the CSV report is a folder of files)",
            )
        ]
    )
