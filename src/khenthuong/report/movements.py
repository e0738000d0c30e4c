"""The movement part of every report: the units × targets scorecard and the khối/cụm rankings.

Built from the `movements` section of the `check --format json` document (one entry per movement
the batch names; see `khenthuong.movements.standings.MovementResult.to_json`), so the plain text,
the terminal table, the HTML page and the Excel workbook all show the same thing:

- per unit: how many targets it exceeded, met, missed, did not report, and that do not apply to it,
  with the summary ("hoàn thành vượt mức các chỉ tiêu"…) and, when it fell short, which targets;
- per target and unit (HTML grid, Excel sheet): the status and the reported value;
- per khối/cụm: the ranked units, the leader(s), the cut line and the key that decided each cut.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

STATUSES: Final = ("exceeded", "met", "missed", "not_reported", "not_applicable")
STATUS_LABEL: Final[dict[str, tuple[str, str]]] = {
    "exceeded": ("vượt", "exceeded"),
    "met": ("đạt", "met"),
    "missed": ("không đạt", "missed"),
    "not_reported": ("chưa báo cáo", "not reported"),
    "not_applicable": ("không áp dụng", "not applicable"),
}
STATUS_SHORT: Final[dict[str, tuple[str, str]]] = {
    "exceeded": ("vượt", "exc."),
    "met": ("đạt", "met"),
    "missed": ("k.đạt", "missed"),
    "not_reported": ("chưa BC", "n.rep."),
    "not_applicable": ("k.AD", "n/a"),
}
# Cell colours of the units × targets grid (HTML and Excel): background, text.
STATUS_COLOR: Final[dict[str, tuple[str, str]]] = {
    "exceeded": ("1B5E20", "FFFFFF"),
    "met": ("C8E6C9", "1B3A1F"),
    "missed": ("C62828", "FFFFFF"),
    "not_reported": ("FFE082", "5D4200"),
    "not_applicable": ("EEEEEE", "777777"),
}
SUMMARY_CLASS: Final[dict[str, str]] = {
    "exceeded": "exceeded",
    "met": "met",
    "missed": "missed",
    "incomplete": "not_reported",
}
TEXT: Final[dict[str, tuple[str, str]]] = {
    "movement": ("Phong trào thi đua", "Emulation movement"),
    "scorecard": ("Kết quả thực hiện chỉ tiêu", "Results against the targets"),
    "clusters": ("Xếp hạng trong khối, cụm thi đua", "Ranking within the emulation clusters"),
    "unit": ("Đơn vị", "Unit"),
    "name": ("Tên đơn vị", "Name"),
    "cluster": ("Khối, cụm", "Cluster"),
    "summary": ("Kết quả", "Result"),
    "target": ("Chỉ tiêu", "Target"),
    "bound": ("Mức", "Target value"),
    "source": ("Căn cứ", "Source"),
    "targets": ("chỉ tiêu", "targets"),
    "leader": ("✓ dẫn đầu", "✓ leads"),
    "cut": ("✗ ngoài số suất", "✗ outside the places"),
    "places": ("suất", "place(s)"),
    "priority": ("thứ tự ưu tiên", "priority"),
    "rank": ("Hạng", "Rank"),
    "why": ("Lý do", "Why"),
    "not_ranked_missed": ("✗ không hoàn thành chỉ tiêu, không xếp hạng", "✗ missed, not ranked"),
    "not_ranked_met": (
        "✗ chỉ đạt, không vượt mức chỉ tiêu nào, không xếp hạng",
        "✗ met without exceeding, not ranked",
    ),
    "sheet_targets": ("Chỉ tiêu", "Targets"),
    "sheet_clusters": ("Khối, cụm", "Clusters"),
    "none_exceeded": ("đạt nhưng không vượt chỉ tiêu nào", "met, but exceeded no target"),
    "not_ranked_incomplete": (
        "? chưa báo cáo đủ chỉ tiêu, chưa xếp hạng",
        "? results incomplete, not ranked",
    ),
    "rule_exceeded": (
        "“hoàn thành vượt mức”: đạt mọi chỉ tiêu áp dụng cho đơn vị, vượt ít nhất một",
        "“exceeded”: every target that applies to the unit met, at least one exceeded",
    ),
    "rule_met": (
        "“hoàn thành”: đạt mọi chỉ tiêu áp dụng cho đơn vị",
        "“met”: every target that applies to the unit met",
    ),
    "note": (
        "Xếp hạng theo kết quả phong trào; việc đơn vị dẫn đầu có đạt tiêu chuẩn Cờ thi đua hay "
        "không là kết quả xét đề nghị của đơn vị đó.",
        "Ranked on the movement's results; whether the leader meets the standard of the Cờ thi "
        "đua is the decision of its nomination.",
    ),
}


def t(key: str, lang: str) -> str:
    vi, en = TEXT[key]
    return en if lang == "en" else vi


def status_label(status: str, lang: str = "vi", short: bool = False) -> str:
    vi, en = (STATUS_SHORT if short else STATUS_LABEL).get(status, (status, status))
    return en if lang == "en" else vi


def value_text(value: Any, lang: str = "vi") -> str:
    """A reported value as recorded in JSON (decimal string, boolean or null), for people."""
    if value is True:
        return "yes" if lang == "en" else "có"
    if value is False:
        return "no" if lang == "en" else "không"
    if value is None:
        return "—"
    try:
        from khenthuong.movements.scoring import number_text

        return number_text(Decimal(str(value)), lang)
    except InvalidOperation:
        return str(value)


@dataclass(frozen=True, slots=True)
class Cell:
    """One unit's result for one target: its status, the reported value, and a tooltip."""

    status: str
    value: str
    title: str

    @property
    def colors(self) -> tuple[str, str]:
        return STATUS_COLOR.get(self.status, ("FFFFFF", "000000"))


@dataclass(frozen=True, slots=True)
class Row:
    unit: str
    name: str
    cluster: str
    summary: str
    summary_text: str
    counts: Mapping[str, int]
    cells: tuple[Cell, ...]
    short_of: str  # the targets missed or not reported, for the text report


@dataclass(frozen=True, slots=True)
class Grid:
    """The units × targets table of one movement."""

    movement: Mapping[str, Any]
    targets: tuple[Mapping[str, Any], ...]
    rows: tuple[Row, ...]

    @property
    def title(self) -> str:
        m = self.movement
        return f"{m.get('title', '')} ({m.get('id', '')})"

    def heading(self, lang: str = "vi") -> str:
        m = self.movement
        day = str(m.get("decided_on") or "")
        if lang != "en" and len(day) == 10:
            day = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
        return f"{m.get('decision', '')}, {day} — {m.get('issuer', '')}"

    def rule(self, lang: str = "vi") -> str:
        return t(
            "rule_met" if self.movement.get("summary_rule") == "all_met" else "rule_exceeded", lang
        )


def grid(section: Mapping[str, Any], lang: str = "vi") -> Grid:
    """The units × targets table of one entry of the record's `movements`."""
    targets = tuple(section.get("targets") or ())
    rows = []
    for u in section.get("units") or ():
        results: Mapping[str, Any] = u.get("targets") or {}
        cells = []
        short: dict[str, list[str]] = {"missed": [], "not_reported": []}
        for target in targets:
            got = results.get(target["id"]) or {}
            status = str(got.get("status", "not_reported"))
            shown = value_text(got.get("value"), lang)
            cells.append(
                Cell(
                    status,
                    shown if status != "not_applicable" else "",
                    f"{target['id']}: {status_label(status, lang)} — {shown} "
                    f"({t('target', lang).lower()} {target.get('bound', '')})",
                )
            )
            if status in short:
                short[status].append(target["id"])
        parts = [f"{status_label(s, lang)}: {', '.join(ids)}" for s, ids in short.items() if ids]
        rows.append(
            Row(
                str(u.get("unit")),
                str(u.get("name") or ""),
                str(u.get("cluster") or ""),
                str(u.get("summary") or ""),
                str(u.get("summary_text") or ""),
                dict(u.get("counts") or {}),
                tuple(cells),
                "; ".join(parts),
            )
        )
    rows.sort(key=lambda r: (r.cluster, r.unit))
    return Grid(section, targets, tuple(rows))


def shortfalls(g: Grid, lang: str = "vi") -> dict[str, str]:
    """Unit → why it is not ranked: the targets missed or not reported, or "exceeded none"."""
    return {
        r.unit: r.short_of or (t("none_exceeded", lang) if r.summary == "met" else r.summary_text)
        for r in g.rows
    }


def counts_header(lang: str = "vi") -> list[str]:
    return [status_label(s, lang, short=True) for s in STATUSES]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def lines(section: Mapping[str, Any], lang: str = "vi") -> list[str]:
    """The plain-text scorecard and cluster rankings of one movement."""
    g = grid(section, lang)
    head = f"{t('movement', lang)}: {g.title}"
    out = [head, f"  {g.heading(lang)}", f"  {len(g.targets)} {t('targets', lang)}; {g.rule(lang)}"]
    out.append("─" * min(78, max(20, len(head))))
    counts = " ".join(f"{h:>7}" for h in counts_header(lang))
    out.append(
        f"  {t('unit', lang):<14} {t('name', lang):<28} {t('cluster', lang):<20} {counts}  "
        f"{t('summary', lang)}"
    )
    for r in g.rows:
        numbers = " ".join(f"{r.counts.get(s, 0):>7}" for s in STATUSES)
        out.append(
            f"  {r.unit:<14} {_clip(r.name, 28):<28} {_clip(r.cluster, 20):<20} {numbers}  "
            f"{r.summary_text}"
        )
        if r.short_of:
            out += textwrap.wrap(
                r.short_of, width=96, initial_indent="      – ", subsequent_indent="        "
            )
    out.append("")
    for c in section.get("clusters") or ():
        out += cluster_lines(c, lang)
    return out


def cluster_lines(c: Mapping[str, Any], lang: str = "vi") -> list[str]:
    """One khối/cụm: places, priority keys, ranked units with the cut line, and the others."""
    name = f" ({c['name']})" if c.get("name") else ""
    cite = f" — {t('source', lang).lower()}: {c['cite']}" if c.get("cite") else ""
    out = [f"{t('clusters', lang)} — {c.get('cluster')}{name}: {c.get('places', '')}{cite}"]
    keys = [str(k.get("title")) for k in (c.get("priority") or {}).get("keys") or ()]
    out += textwrap.wrap(
        f"{t('priority', lang)}: " + "; ".join(f"{i + 1}) {k}" for i, k in enumerate(keys)),
        width=96,
        initial_indent="    ",
        subsequent_indent="      ",
    )
    slots = int(c.get("cut_line") or 0)
    ranked: Sequence[Mapping[str, Any]] = c.get("ranked") or ()
    for r in ranked:
        if r.get("rank") == slots + 1 or (slots == 0 and r.get("rank") == 1):
            out.append(_cut_line(slots, lang))
        mark = t("leader", lang) if r.get("selected") else t("cut", lang)
        line = f"    {r.get('rank'):>2}. {r.get('unit', ''):<14} {_clip(str(r.get('name')), 30):<30} {mark}"
        cut = r.get("cut_by")
        if isinstance(cut, Mapping) and cut.get("text"):
            line += f" — {cut['text']}"
        out.append(line)
    if ranked and slots >= len(ranked):
        out.append(_cut_line(slots, lang))
    for r in c.get("not_ranked") or ():
        why = {"missed": "not_ranked_missed", "met": "not_ranked_met"}.get(
            str(r.get("summary")), "not_ranked_incomplete"
        )
        out.append(
            f"     –  {r.get('unit', ''):<14} {_clip(str(r.get('name')), 30):<30} {t(why, lang)}"
        )
    out.append(f"    {t('note', lang)}")
    out.append("")
    return out


def _cut_line(slots: int, lang: str) -> str:
    label = f" cut line: {slots} place(s) " if lang == "en" else f" vạch số suất: {slots} suất "
    return "    " + label.center(70, "┄")


def sections(record: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    """The `movements` entries of a `check --format json` document (none for older records)."""
    found = record.get("movements") or ()
    return tuple(m for m in found if isinstance(m, Mapping))


def render_terminal(sections: Sequence[Mapping[str, Any]], console: Any, lang: str = "vi") -> None:
    """Draw each movement with rich: the scorecard table, then one table per khối/cụm."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    styles = {"exceeded": "green", "met": "green", "missed": "red", "incomplete": "yellow"}
    for section in sections:
        g = grid(section, lang)
        console.print()
        console.print(Text(f"{t('movement', lang)}: {g.title}", style="bold"))
        console.print(
            Text(f"{g.heading(lang)} · {len(g.targets)} {t('targets', lang)}", style="dim")
        )
        console.print(Text(g.rule(lang), style="dim"))
        table = Table(box=box.HORIZONTALS, show_edge=False, pad_edge=False)
        table.add_column(t("unit", lang), overflow="fold")
        table.add_column(t("cluster", lang), overflow="fold")
        for h in counts_header(lang):
            table.add_column(h, justify="right", overflow="fold")
        table.add_column(t("summary", lang), overflow="fold", ratio=3)
        for r in g.rows:
            summary = Text(r.summary_text, style=styles.get(r.summary, ""))
            if r.short_of:
                summary.append(f" ({r.short_of})", style="dim")
            table.add_row(
                Text(f"{r.unit}\n{r.name}"),
                Text(r.cluster),
                *(Text(str(r.counts.get(s, 0))) for s in STATUSES),
                summary,
            )
        console.print(table)
        shortfall = shortfalls(g, lang)
        for c in section.get("clusters") or ():
            name = f" ({c['name']})" if c.get("name") else ""
            console.print(
                Text(
                    f"{t('clusters', lang)} — {c.get('cluster')}{name}: {c.get('places', '')}",
                    style="bold",
                )
            )
            if c.get("cite"):
                console.print(Text(f"{t('source', lang)}: {c['cite']}", style="dim"))
            ranking = Table(box=box.HORIZONTALS, show_edge=False, pad_edge=False)
            ranking.add_column("#", justify="right")
            ranking.add_column(t("unit", lang), overflow="fold", ratio=2)
            ranking.add_column(t("summary", lang), overflow="fold", ratio=2)
            ranking.add_column(t("why", lang), overflow="fold", ratio=3)
            ranked: Sequence[Mapping[str, Any]] = c.get("ranked") or ()
            slots = int(c.get("cut_line") or 0)
            for i, entry in enumerate(ranked):
                cut = entry.get("cut_by")
                why = str(cut.get("text")) if isinstance(cut, Mapping) else ""
                mark = t("leader", lang) if entry.get("selected") else t("cut", lang)
                ranking.add_row(
                    Text(str(entry.get("rank"))),
                    Text(f"{entry.get('unit')}\n{entry.get('name')}"),
                    Text(mark, style="green" if entry.get("selected") else ""),
                    Text(why),
                    style=None if entry.get("selected") else "dim",
                    end_section=i + 1 == slots,
                )
            for other in c.get("not_ranked") or ():
                key = {"missed": "not_ranked_missed", "met": "not_ranked_met"}.get(
                    str(other.get("summary")), "not_ranked_incomplete"
                )
                ranking.add_row(
                    Text(""),
                    Text(f"{other.get('unit')}\n{other.get('name')}"),
                    Text(t(key, lang), style=styles.get(str(other.get("summary")), "")),
                    Text(shortfall.get(str(other.get("unit")), "")),
                    style="dim",
                )
            console.print(ranking)
        console.print(Text(t("note", lang), style="dim"))


@dataclass(frozen=True, slots=True)
class HtmlMovement:
    """What the HTML template (templates/movements.html.j2) shows of one movement."""

    grid: Grid
    legend: tuple[tuple[str, str, str, str], ...]  # (status, label, background, text colour)
    count_labels: tuple[tuple[str, str], ...]
    shortfall: Mapping[str, str]  # unit → the targets it missed or did not report


def html_movements(
    sections: Sequence[Mapping[str, Any]], lang: str = "vi"
) -> tuple[HtmlMovement, ...]:
    out = []
    for section in sections:
        g = grid(section, lang)
        out.append(
            HtmlMovement(
                g,
                tuple((s, status_label(s, lang), *STATUS_COLOR[s]) for s in STATUSES),
                tuple((s, status_label(s, lang, short=True)) for s in STATUSES),
                shortfalls(g, lang),
            )
        )
    return tuple(out)
