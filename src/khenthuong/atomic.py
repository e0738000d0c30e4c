"""Write output files atomically: a temporary file in the same folder, then a rename.

An interrupted run therefore leaves either the old file or the complete new one, never half of it,
and no temporary file behind (it is removed on any exception, Ctrl-C and SIGTERM included: the CLI
turns SIGTERM into an exception). The new file gets the permissions an ordinary write would give
it: those of the file it replaces, or 0666 less the umask.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_text(folder / "report.json", "{}\\n")
    >>> (folder / "report.json").read_text(), sorted(p.name for p in folder.iterdir())
    ('{}\\n', ['report.json'])
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once: changing the umask is process-wide, so it is not done on every write (threads).
_UMASK = _umask()


def temp_prefix(target: Path) -> str:
    """Temporary files for `target` are `.<name>.<random>.tmp` in its folder."""
    return f".{target.name}."


def write_bytes(path: str | Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (the temporary file is removed on any failure)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_UMASK
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):  # e.g. a file system without permissions
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_folder(target.parent)


def write_text(path: str | Path, text: str) -> None:
    """Replace `path` with `text` encoded as UTF-8, atomically."""
    write_bytes(path, text.encode("utf-8"))


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows it (POSIX); best effort elsewhere."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
