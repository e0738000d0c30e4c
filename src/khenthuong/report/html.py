"""The printable HTML report: one self-contained page in Vietnamese (or English) for the council.

Summary counts, small inline-SVG charts (outcomes per award and per unit), one table per award
(ranked, cut line marked) whose rows open (`<details>`) to their explanation — criteria ✓/✗/?,
citations, facts read — and the findings. Everything is in the one file: no external CSS, script,
font or image, and a Content-Security-Policy that forbids loading any. It prints on A4 with every
explanation open. Rendered by Jinja2 (the `reports` extra) with autoescaping.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from khenthuong.model.batch import Batch
from khenthuong.report.movements import html_movements
from khenthuong.report.movements import t as movement_text
from khenthuong.report.table import (
    CONFIDENCE_LABEL,
    HOLDS_MARK,
    SEVERITY_LABEL,
    Counts,
    Report,
    award_names,
    build,
    cut_text,
    date_text,
    outcome_text,
    quota_text,
    tr,
)

TEMPLATE = "report.html.j2"
WEB_SCHEMES = ("https://", "http://")  # citation links; any other scheme is shown as plain text

# Chart geometry (SVG user units; the SVG scales to the page width).
CHART_WIDTH: Final = 720
LABEL_WIDTH: Final = 250
BAR_HEIGHT: Final = 18
BAR_GAP: Final = 8
LABEL_CHARS: Final = 38
SEGMENTS: Final = (
    ("selected", "#1b5e20"),
    ("cut", "#9ccc65"),
    ("eligible", "#43a047"),
    ("ineligible", "#c62828"),
    ("undetermined", "#f9a825"),
)


@dataclass(frozen=True, slots=True)
class Segment:
    key: str
    count: int
    x: float
    width: float
    color: str


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    short: str
    total: int
    y: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A horizontal stacked bar chart: one bar per award or unit, one segment per outcome."""

    title: str
    bars: tuple[Bar, ...]
    height: int
    legend: tuple[tuple[str, str], ...]  # (label, color) of the outcomes shown
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH


def _split(c: Counts, ranked: bool) -> dict[str, int]:
    if ranked:
        return {
            "selected": c.selected,
            "cut": c.cut,
            "eligible": c.eligible - c.selected - c.cut,
            "ineligible": c.ineligible,
            "undetermined": c.undetermined,
        }
    return {"eligible": c.eligible, "ineligible": c.ineligible, "undetermined": c.undetermined}


def chart(title: str, rows: Sequence[tuple[str, Counts]], lang: str, ranked: bool) -> Chart:
    """Bars for `rows` (label, counts), scaled to the largest total."""
    most = max((c.total for _, c in rows), default=0) or 1
    area = CHART_WIDTH - LABEL_WIDTH - 40
    bars = []
    y = 0
    for label, counts in rows:
        parts = _split(counts, ranked)
        x = float(LABEL_WIDTH)
        segments = []
        for key, color in SEGMENTS:
            n = parts.get(key, 0)
            if n <= 0:
                continue
            width = area * n / most
            segments.append(Segment(key, n, round(x, 2), round(width, 2), color))
            x += width
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bars.append(Bar(label, short, counts.total, y, tuple(segments)))
        y += BAR_HEIGHT + BAR_GAP
    used = {s.key for b in bars for s in b.segments}
    legend = tuple((tr(key, lang), color) for key, color in SEGMENTS if key in used)
    return Chart(title, tuple(bars), max(y - BAR_GAP, BAR_HEIGHT), legend)


def render(record: Mapping[str, Any], batch: Batch | None = None, lang: str | None = None) -> str:
    """The HTML page for a `check --format json` document (and its batch, for units).

    Raises:
        InputError: Jinja2 is not installed (KT140, naming the `reports` extra).
    """
    return render_report(build(record, batch, lang))


def render_report(report: Report) -> str:
    env = environment()
    lang = report.lang
    by_award = chart(
        tr("by_award", lang), [(a.label, a.counts) for a in report.awards], lang, report.ranked
    )
    by_unit = (
        chart(tr("by_unit", lang), list(report.units), lang, report.ranked)
        if len(report.units) > 1
        else None
    )
    page: str = env.get_template(TEMPLATE).render(
        movements=html_movements(report.movements, lang),  # templates/movements.html.j2
        mt=lambda key: movement_text(key, lang),
        r=report,
        lang=lang,
        t=lambda key: tr(key, lang),
        charts=[c for c in (by_award, by_unit) if c is not None],
        batch=report.record.get("batch") or {},
        pack=report.record.get("pack") or {},
    )
    return page


def environment() -> Any:
    """The Jinja2 environment: autoescaping on, undefined names are errors, our filters."""
    try:
        import jinja2
    except ImportError:
        from khenthuong.batch.tabular import missing_extra

        raise missing_extra("Jinja2", "the HTML report") from None
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("khenthuong.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        outcome=outcome_text,
        quota=quota_text,
        cut=cut_text,
        date=date_text,
        awards=award_names,
        fact=fact_text,
        mark=lambda holds: HOLDS_MARK.get(holds, "?"),
        holds_class=lambda holds: {True: "yes", False: "no"}.get(holds, "unknown"),
        confidence=lambda key, lang: _pair(CONFIDENCE_LABEL, key, lang)[2:],
        severity=lambda key, lang: _pair(SEVERITY_LABEL, key, lang),
        web=lambda url: url if isinstance(url, str) and url.startswith(WEB_SCHEMES) else "",
    )
    return env


def _pair(table: Mapping[str, tuple[str, str]], key: Any, lang: str) -> str:
    pair = table.get(str(key))
    if pair is None:
        return str(key or "")
    return pair[1] if lang == "en" else pair[0]


def fact_text(value: Any, lang: str = "vi") -> str:
    """A fact's value for people: yes/no, "no data", lists joined, numbers as written."""
    if value is True:
        return tr("yes", lang)
    if value is False:
        return tr("no", lang)
    if value is None:
        return "chưa có dữ liệu" if lang != "en" else "no data"
    if isinstance(value, list | tuple):
        return ", ".join(fact_text(v, lang) for v in value) or "—"
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
