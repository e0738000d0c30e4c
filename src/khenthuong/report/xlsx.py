"""The Excel report: a summary sheet, one sheet per award (ranked, cut line ruled), and the findings.

Built from the `check --format json` document through `report.table`, with openpyxl (the `reports`
extra) in write-only mode, so a national batch does not hold every cell in memory. Sheets print
on A4 landscape, one page wide, with the header row repeated.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from khenthuong.model.batch import Batch
from khenthuong.report import movements as mv
from khenthuong.report.table import Report, build, tr

# Excel sheet names are at most 31 characters: shorter Vietnamese forms of the long award names.
SHORT_NAMES: Final[dict[str, str]] = {
    "chien_si_thi_dua_tinh": "CSTĐ cấp bộ, ngành, tỉnh",
    "co_thi_dua_tinh": "Cờ thi đua cấp bộ, ngành, tỉnh",
    "bang_khen_tinh": "Bằng khen bộ, ngành, tỉnh",
    "bang_khen_thu_tuong": "Bằng khen Thủ tướng Chính phủ",
}
MAX_SHEET_NAME = 31
MAX_CELL_TEXT = 32_767  # Excel's limit on the text of one cell
PAPER_A4 = "9"  # the paperSize code of A4 in SpreadsheetML
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

HEADER_FILL = "DDEBF7"
SELECTED_FILL = "E2EFDA"
CUT_FILL = "EDEDED"
CUT_BORDER = "C00000"
OUTCOME_FONT = {"eligible": "375623", "ineligible": "C00000", "undetermined": "7F6000"}


def render(record: Mapping[str, Any], batch: Batch | None = None, lang: str | None = None) -> bytes:
    """The workbook's bytes for a `check --format json` document.

    Raises:
        InputError: openpyxl is not installed (KT140, naming the `reports` extra).
    """
    return render_report(build(record, batch, lang))


def render_report(report: Report) -> bytes:
    from khenthuong.batch.tabular import missing_extra

    try:
        from openpyxl import Workbook
    except ImportError:
        raise missing_extra("openpyxl", "the Excel report") from None
    book = Workbook(write_only=True)
    styles = _Styles()
    names: set[str] = set()
    _summary(book.create_sheet(_name(report.t("summary"), names)), report, styles)
    for award in report.awards:
        label = award.label if report.lang == "en" else SHORT_NAMES.get(award.award, award.label)
        _award_sheet(book.create_sheet(_name(label, names)), report, award, styles)
    for section in report.movements:  # the movement's scorecard and khối/cụm rankings
        for sheet, write in (("sheet_targets", _scorecard), ("sheet_clusters", _clusters)):
            label = f"{mv.t(sheet, report.lang)} {section.get('id')}"
            write(book.create_sheet(_name(label, names)), report, section, styles)
    _findings(book.create_sheet(_name(report.t("findings"), names)), report, styles)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's own deprecation noise
        book.save(buffer)
    return buffer.getvalue()


def _name(label: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", label).strip() or "Sheet"
    if len(base) > MAX_SHEET_NAME:
        base = base[: MAX_SHEET_NAME - 1].rstrip(" ,") + "…"
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    taken.add(name.casefold())
    return name


class _Styles:
    """openpyxl style objects, made once per workbook."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.title = Font(bold=True, size=14)
        self.bold = Font(bold=True)
        self.dim = Font(italic=True, color="595959")
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.selected_fill = PatternFill("solid", fgColor=SELECTED_FILL)
        self.cut_fill = PatternFill("solid", fgColor=CUT_FILL)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.cut_border = Border(bottom=Side(style="thick", color=CUT_BORDER))
        self.outcome = {k: Font(color=v, bold=True) for k, v in OUTCOME_FONT.items()}


def _cell(ws: Any, value: Any, **style: Any) -> Any:
    """A styled cell. Text is always text: a name starting with "=" never becomes a formula, and
    control characters (which XML cannot hold) are dropped."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = isinstance(value, str)
    if text:
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]
    cell = WriteOnlyCell(ws, value=value)
    if text:
        cell.data_type = "s"
    for key, val in style.items():
        if val is not None:
            setattr(cell, key, val)
    return cell


def _print_setup(ws: Any, header_row: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"


def _summary(ws: Any, report: Report, s: _Styles) -> None:
    ws.column_dimensions["A"].width = 40
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 16
    _print_setup(ws, None)
    ws.append([_cell(ws, report.t("title"), font=s.title)])
    for label, value in report.meta:
        ws.append([_cell(ws, label, font=s.bold), _cell(ws, value)])
    ws.append([])
    ws.append(
        [
            _cell(ws, h, font=s.bold, fill=s.header_fill, alignment=s.wrap)
            for h in report.summary_header()
        ]
    )
    rows = report.summary_rows()
    for i, row in enumerate(rows):
        last = i == len(rows) - 1
        ws.append([_cell(ws, v, font=s.bold if last else None) for v in row])
    if report.units:
        ws.append([])
        header = [report.t("unit"), *report.summary_header()[1:]]
        ws.append([_cell(ws, h, font=s.bold, fill=s.header_fill, alignment=s.wrap) for h in header])
        for label, counts in report.units:
            ws.append([_cell(ws, label), *counts.values(report.ranked)])
    ws.append([])
    ws.append([_cell(ws, report.t("disclaimer"), font=s.dim)])


def _award_sheet(ws: Any, report: Report, award: Any, s: _Styles) -> None:
    from openpyxl.utils import get_column_letter

    columns = report.columns(award)
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    header_row = 3
    ws.freeze_panes = f"A{header_row + 1}"
    _print_setup(ws, header_row)
    c = award.counts
    ws.append([_cell(ws, award.label, font=s.title)])
    summary = (
        f"{c.total} {report.t('nominations')} · {report.t('eligible')}: {c.eligible} · "
        f"{report.t('ineligible')}: {c.ineligible} · {report.t('undetermined')}: {c.undetermined}"
    )
    if any(g.cut_at is not None for g in award.groups):
        summary += f" · {report.t('selected')}: {c.selected} · {report.t('cut')}: {c.cut}" + (
            " — vạch đỏ: vạch chỉ tiêu" if report.lang != "en" else " — red rule: quota line"
        )
    ws.append([_cell(ws, summary, font=s.dim)])
    ws.append(
        [
            _cell(ws, col.header, font=s.bold, fill=s.header_fill, alignment=s.wrap)
            for col in columns
        ]
    )
    last_col = get_column_letter(len(columns))
    rows = 0
    for group in award.groups:
        for i, line in enumerate(group.lines):
            rows += 1
            above_cut = group.cut_at is not None and i + 1 == group.cut_at
            fill = None
            if group.cut_at is not None:
                fill = s.selected_fill if i < group.cut_at else s.cut_fill
            cells = []
            for col in columns:
                value = col.value(line)
                font = s.outcome.get(str(line["outcome"])) if col.key == "outcome" else None
                cells.append(
                    _cell(
                        ws,
                        value,
                        font=font,
                        fill=fill,
                        alignment=s.wrap,
                        border=s.cut_border if above_cut else None,
                    )
                )
            ws.append(cells)
    ws.auto_filter.ref = f"A{header_row}:{last_col}{header_row + max(rows, 1)}"


def _findings(ws: Any, report: Report, s: _Styles) -> None:
    from openpyxl.utils import get_column_letter

    columns = report.finding_columns()
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    _print_setup(ws, 1)
    ws.append(
        [
            _cell(ws, col.header, font=s.bold, fill=s.header_fill, alignment=s.wrap)
            for col in columns
        ]
    )
    rows = report.finding_rows()
    for row in rows:
        ws.append([_cell(ws, v, alignment=s.wrap) for v in row])
    if not rows:
        ws.append([_cell(ws, tr("none", report.lang), font=s.dim)])


def _number(value: Any) -> Any:
    """A reported value for a cell: a number stays a number; yes/no and n/a become text."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _scorecard(ws: Any, report: Report, section: Mapping[str, Any], s: _Styles) -> None:
    """Units × targets: counts and summary per unit, then each target's result coloured by status."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = report.lang
    g = mv.grid(section, lang)
    fixed = [mv.t("unit", lang), mv.t("name", lang), mv.t("cluster", lang), mv.t("summary", lang)]
    counts = mv.counts_header(lang)
    header = [*fixed, *counts, *(str(tg["id"]) for tg in g.targets)]
    widths = [14, 30, 20, 28, *([8] * len(counts)), *([11] * len(g.targets))]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    header_row = 5
    ws.freeze_panes = f"E{header_row + 1}"
    _print_setup(ws, header_row)
    ws.append([_cell(ws, f"{mv.t('movement', lang)}: {g.title}", font=s.title)])
    ws.append([_cell(ws, g.heading(lang), font=s.dim)])
    ws.append([_cell(ws, g.rule(lang), font=s.dim)])
    legend = [_cell(ws, mv.t("scorecard", lang), font=s.bold)]
    fills: dict[str, tuple[Any, Any]] = {
        k: (PatternFill("solid", fgColor=bg), Font(color=fg, bold=k in ("exceeded", "missed")))
        for k, (bg, fg) in mv.STATUS_COLOR.items()
    }
    for status in mv.STATUSES:
        fill, font = fills[status]
        legend.append(_cell(ws, mv.status_label(status, lang), fill=fill, font=font))
    ws.append(legend)
    ws.append([_cell(ws, h, font=s.bold, fill=s.header_fill, alignment=s.wrap) for h in header])
    results = {str(u.get("unit")): u.get("targets") or {} for u in section.get("units") or ()}
    for r in g.rows:
        row = [
            _cell(ws, r.unit),
            _cell(ws, r.name, alignment=s.wrap),
            _cell(ws, r.cluster),
            _cell(
                ws, r.summary_text + (f" ({r.short_of})" if r.short_of else ""), alignment=s.wrap
            ),
            *(_cell(ws, r.counts.get(k, 0)) for k in mv.STATUSES),
        ]
        for tg, c in zip(g.targets, r.cells, strict=True):
            fill, font = fills.get(c.status, (None, None))
            raw = (results[r.unit].get(tg["id"]) or {}).get("value")
            shown = None if c.status == "not_applicable" else _number(raw)
            if isinstance(shown, bool):
                shown = mv.value_text(shown, lang)
            row.append(_cell(ws, shown, fill=fill, font=font))
        ws.append(row)
    ws.append([])
    ws.append([_cell(ws, mv.t("target", lang), font=s.bold)])
    for i, tg in enumerate(g.targets, start=1):
        ws.append(
            [
                _cell(ws, i),
                _cell(ws, str(tg["id"])),
                _cell(ws, str(tg.get("text") or ""), alignment=s.wrap),
                _cell(ws, str(tg.get("bound") or "")),
                _cell(ws, f"{g.movement.get('decision', '')}, {tg.get('source', '')}"),
            ]
        )


def _clusters(ws: Any, report: Report, section: Mapping[str, Any], s: _Styles) -> None:
    """Each khối/cụm: the ranked units (leaders above the red rule), then those not ranked."""
    from openpyxl.utils import get_column_letter

    lang = report.lang
    g = mv.grid(section, lang)
    short = mv.shortfalls(g, lang)
    for i, width in enumerate((7, 14, 34, 24, 60), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _print_setup(ws, None)
    ws.append([_cell(ws, f"{mv.t('clusters', lang)} — {g.title}", font=s.title)])
    for c in section.get("clusters") or ():
        ws.append([])
        name = f" ({c['name']})" if c.get("name") else ""
        cite = f" — {c['cite']}" if c.get("cite") else ""
        ws.append(
            [_cell(ws, f"{c.get('cluster')}{name}: {c.get('places', '')}{cite}", font=s.bold)]
        )
        keys = (c.get("priority") or {}).get("keys") or ()
        ws.append(
            [
                _cell(
                    ws,
                    f"{mv.t('priority', lang)}: "
                    + "; ".join(f"{i + 1}) {k.get('title')}" for i, k in enumerate(keys)),
                    font=s.dim,
                )
            ]
        )
        header = [mv.t(k, lang) for k in ("rank", "unit", "name", "summary", "why")]
        ws.append([_cell(ws, h, font=s.bold, fill=s.header_fill) for h in header])
        slots = int(c.get("cut_line") or 0)
        ranked = c.get("ranked") or ()
        for i, r in enumerate(ranked):
            cut = r.get("cut_by")
            fill = s.selected_fill if r.get("selected") else s.cut_fill
            border = s.cut_border if i + 1 == slots and i + 1 < len(ranked) else None
            values = [
                r.get("rank"),
                r.get("unit"),
                r.get("name"),
                mv.t("leader", lang) if r.get("selected") else mv.t("cut", lang),
                cut.get("text") if isinstance(cut, Mapping) else "",
            ]
            ws.append([_cell(ws, v, fill=fill, border=border, alignment=s.wrap) for v in values])
        for r in c.get("not_ranked") or ():
            unit = str(r.get("unit"))
            values = [None, unit, r.get("name"), r.get("summary_text"), short.get(unit, "")]
            ws.append([_cell(ws, v, font=s.dim, alignment=s.wrap) for v in values])
    ws.append([])
    ws.append([_cell(ws, mv.t("note", lang), font=s.dim)])
