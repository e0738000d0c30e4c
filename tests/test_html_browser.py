"""The HTML report in a real browser: headless Chromium renders it without console errors or
network access, shows the expected counts, takes a screenshot, and prints it on A4 with every
explanation open."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from khenthuong.audit.records import result_record
from khenthuong.batch.load import batch_from_text
from khenthuong.report import html
from khenthuong.runner import evaluate_batch
from tests.test_tabular import BATCH_YAML

BROWSER = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium on PATH (chromium, chromium-browser or google-chrome); "
    ".ci/run installs it with apt-get",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
A4_POINTS = (595.0, 842.0)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run headless Chromium offline: any attempt to reach the network fails to resolve."""
    assert BROWSER is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )


def console_messages(run: subprocess.CompletedProcess[bytes]) -> list[str]:
    """Messages the page wrote to the console: script errors, CSP violations, console calls."""
    return [
        line for line in run.stderr.decode("utf-8", "replace").splitlines() if "CONSOLE" in line
    ]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    batch = batch_from_text(BATCH_YAML, "b.yaml")
    record = result_record(evaluate_batch(batch), "vi")
    path = tmp_path_factory.mktemp("html") / "bao-cao.html"
    path.write_text(html.render(record, batch), encoding="utf-8")
    return path, record


def test_the_page_renders_without_console_errors_and_shows_the_counts(
    tmp_path: Path, report: tuple[Path, dict[str, Any]]
) -> None:
    path, record = report
    run = chromium(tmp_path, "--dump-dom", path.as_uri())
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")[-2000:]
    assert console_messages(run) == []
    dom = run.stdout.decode("utf-8")
    outcomes = [d["outcome"] for d in record["decisions"]]
    for key in ("eligible", "ineligible", "undetermined"):
        assert f'data-count="{key}">{outcomes.count(key)}<' in dom
    assert f'data-count="total">{len(outcomes)}<' in dom
    # the page's script ran to its end: it counted the explanations it can open for printing
    assert re.search(rf'<html lang="vi" class="js" data-details="{len(outcomes)}"', dom)
    assert "Nông Thị Hoa" in dom
    assert "Lao động tiên tiến" in dom


def test_screenshot(tmp_path: Path, report: tuple[Path, dict[str, Any]]) -> None:
    path, _ = report
    shot = tmp_path / "bao-cao.png"
    run = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1240,1754", path.as_uri())
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")[-2000:]
    assert console_messages(run) == []
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1240, 1754)
    assert len(data) > 30_000  # text, tables and charts, not a blank page


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def test_prints_on_a4_with_every_explanation_open(
    tmp_path: Path, report: tuple[Path, dict[str, Any]]
) -> None:
    path, _ = report
    printed = tmp_path / "bao-cao.pdf"
    run = chromium(tmp_path, f"--print-to-pdf={printed}", "--no-pdf-header-footer", path.as_uri())
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")[-2000:]
    pages = pdf_pages(printed.read_bytes())
    assert pages
    assert all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in pages)
    # the same page with its print rules for <details> disabled prints the explanations closed
    closed = tmp_path / "closed.html"
    closed.write_text(
        path.read_text(encoding="utf-8")
        .replace('addEventListener("beforeprint"', 'addEventListener("x-disabled"')
        .replace("details::details-content {", "details::x-disabled {"),
        encoding="utf-8",
    )
    closed_pdf = tmp_path / "closed.pdf"
    chromium(tmp_path, f"--print-to-pdf={closed_pdf}", "--no-pdf-header-footer", closed.as_uri())
    assert len(pages) > len(pdf_pages(closed_pdf.read_bytes()))
