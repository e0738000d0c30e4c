"""The tables every report shows, built from the `check --format json` document, and the terminal view.

The Excel, CSV and HTML reports and the terminal table are all views of one decision record
(`audit.records.result_record`): per-award tables (ranked with the cut line where the record
carries `rank`/`selected`), a summary, and the findings. Fields the record gains later appear as
extra columns without changes here. `render_terminal` draws the tables with rich; when rich is not
installed the CLI falls back to `report.text`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from khenthuong.model.batch import Batch
from khenthuong.report.movements import render_terminal as render_movements
from khenthuong.report.movements import sections as movement_sections

if TYPE_CHECKING:
    from rich.console import Console

# Record fields shown by dedicated columns or in the explanation; any other field of a decision
# record with a plain value becomes an extra column.
KNOWN_FIELDS: Final = frozenset(
    {
        "candidate",
        "name",
        "kind",
        "award",
        "award_name",
        "year",
        "decision_date",
        "outcome",
        "confidence",
        "deferred",
        "selected",
        "rank",
        "quota",
        "reasons",
        "missing",
        "trace",
        "digest",
        "priority",
        "cut_by",
        "lang",
    }
)
KNOWN_FINDING_FIELDS: Final = frozenset(
    {"code", "severity", "message", "messages", "candidates", "awards", "rule", "cite", "details"}
)

TEXT: Final[dict[str, tuple[str, str]]] = {
    "title": ("Kết quả xét thi đua, khen thưởng (dự thảo)", "Emulation and commendation dry run"),
    "batch": ("Đợt xét", "Batch"),
    "year": ("Năm xét", "Year judged"),
    "date": ("Ngày xét", "Decision date"),
    "province": ("Tỉnh", "Province"),
    "pack": ("Bộ quy tắc", "Rule pack"),
    "batch_digest": ("Mã kiểm chứng hồ sơ", "Batch digest"),
    "pack_digest": ("Mã kiểm chứng bộ quy tắc", "Pack digest"),
    "record_digest": ("Mã kiểm chứng kết quả", "Result digest"),
    "engine": ("Phần mềm", "Engine"),
    "summary": ("Tổng hợp", "Summary"),
    "findings": ("Phát hiện", "Findings"),
    "award": ("Danh hiệu, hình thức", "Award"),
    "total": ("Số đề nghị", "Nominations"),
    "nominations": ("đề nghị", "nominations"),
    "scope": ("Phạm vi chỉ tiêu", "Quota scope"),
    "eligible": ("Đủ điều kiện", "Eligible"),
    "ineligible": ("Không đủ điều kiện", "Not eligible"),
    "undetermined": ("Chưa xác định", "Undetermined"),
    "selected": ("Trong chỉ tiêu", "Selected"),
    "cut": ("Ngoài chỉ tiêu", "Cut"),
    "all": ("Tổng cộng", "Total"),
    "rank": ("Hạng", "Rank"),
    "candidate": ("Mã", "ID"),
    "name": ("Họ và tên, tên tập thể", "Name"),
    "unit": ("Đơn vị", "Unit"),
    "outcome": ("Kết quả", "Outcome"),
    "quota": ("Chỉ tiêu", "Quota"),
    "cut_by": ("Lý do ngoài chỉ tiêu", "Why cut"),
    "deferred": ("Tạm hoãn xét", "Deferred"),
    "confidence": ("Độ tin cậy căn cứ", "Source confidence"),
    "missing": ("Còn thiếu", "What is missing"),
    "reasons": ("Tiêu chí và căn cứ", "Criteria and citations"),
    "digest": ("Mã kiểm chứng", "Digest"),
    "code": ("Mã", "Code"),
    "severity": ("Mức độ", "Severity"),
    "message": ("Nội dung", "Message"),
    "candidates": ("Đối tượng", "Candidates"),
    "awards": ("Danh hiệu", "Awards"),
    "rule": ("Quy tắc", "Rule"),
    "cite": ("Căn cứ", "Citation"),
    "cut_line": ("vạch chỉ tiêu", "quota line"),
    "places": ("suất", "place(s)"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "none": ("Không có phát hiện nào.", "No findings."),
    "no_unit": ("(không thuộc đơn vị)", "(no unit)"),
    "by_award": ("Theo danh hiệu", "By award"),
    "by_unit": ("Theo đơn vị", "By unit"),
    "explain": ("Giải thích", "Explanation"),
    "progress": ("Đang xét", "Deciding"),
    "facts": ("Dữ kiện đã đọc", "Facts read"),
    "priority": ("Thứ tự ưu tiên", "Priority"),
    "valid": ("Hiệu lực", "In force"),
    "disclaimer": (
        "Kết quả do phần mềm đối chiếu hồ sơ với quy định; Hội đồng Thi đua - Khen thưởng "
        "xem xét và quyết định.",
        "Computed by matching the batch against the rules; the emulation and commendation "
        "council reviews and decides.",
    ),
}

OUTCOME_LABEL: Final[dict[str, tuple[str, str]]] = {
    "eligible": ("✓ đủ điều kiện", "✓ eligible"),
    "ineligible": ("✗ không đủ điều kiện", "✗ not eligible"),
    "undetermined": ("? chưa xác định", "? undetermined"),
}
CONFIDENCE_LABEL: Final[dict[str, tuple[str, str]]] = {
    "seen": ("✅ đã đối chiếu văn bản", "✅ seen"),
    "secondary": ("◑ nguồn thứ cấp", "◑ secondary source"),
    "unconfirmed": ("❓ chưa xác nhận", "❓ unconfirmed"),
}
CONFIDENCE_MARK: Final = {"seen": "✅", "secondary": "◑", "unconfirmed": "❓"}
HOLDS_MARK: Final = {True: "✓", False: "✗", None: "?"}
SEVERITY_LABEL: Final[dict[str, tuple[str, str]]] = {
    "error": ("lỗi", "error"),
    "warning": ("cảnh báo", "warning"),
    "info": ("thông tin", "info"),
}


def tr(key: str, lang: str) -> str:
    """The Vietnamese (default) or English text of a report label."""
    vi, en = TEXT[key]
    return en if lang == "en" else vi


def _pick(table: Mapping[str, tuple[str, str]], key: Any, lang: str) -> str:
    pair = table.get(str(key))
    if pair is None:
        return "" if key is None else str(key)
    return pair[1] if lang == "en" else pair[0]


@dataclass(frozen=True, slots=True)
class Counts:
    """Outcomes of a set of decisions; `selected`/`cut` count ranked decisions only."""

    total: int = 0
    eligible: int = 0
    ineligible: int = 0
    undetermined: int = 0
    selected: int = 0
    cut: int = 0

    def add(self, record: Mapping[str, Any]) -> Counts:
        outcome = record.get("outcome")
        return Counts(
            self.total + 1,
            self.eligible + (outcome == "eligible"),
            self.ineligible + (outcome == "ineligible"),
            self.undetermined + (outcome == "undetermined"),
            self.selected + (record.get("selected") is True),
            self.cut + (outcome == "eligible" and record.get("selected") is False),
        )

    def values(self, ranked: bool) -> list[int]:
        base = [self.total, self.eligible, self.ineligible, self.undetermined]
        return [*base, self.selected, self.cut] if ranked else base


def count(records: Iterable[Mapping[str, Any]]) -> Counts:
    out = Counts()
    for r in records:
        out = out.add(r)
    return out


@dataclass(frozen=True, slots=True)
class Line:
    """One decision of the report, with the unit its candidate belongs to."""

    record: Mapping[str, Any]
    unit: str | None

    def __getitem__(self, key: str) -> Any:
        return self.record.get(key)


@dataclass(frozen=True, slots=True)
class Group:
    """The decisions of one award in one quota scope; `cut_at` lines lie above the cut line."""

    scope: str | None
    quota: Mapping[str, Any] | None
    lines: tuple[Line, ...]
    cut_at: int | None

    @property
    def ranked(self) -> bool:
        return self.cut_at is not None or any(x["rank"] is not None for x in self.lines)


@dataclass(frozen=True, slots=True)
class AwardTable:
    award: str
    label: str
    groups: tuple[Group, ...]
    counts: Counts

    @property
    def lines(self) -> list[Line]:
        return [line for g in self.groups for line in g.lines]


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the decision tables: its key, its header and how a line gives its value."""

    key: str
    header: str
    value: Callable[[Line], Any]
    width: int = 14


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a report shows, in one language."""

    lang: str
    record: Mapping[str, Any]
    meta: tuple[tuple[str, str], ...]
    awards: tuple[AwardTable, ...]
    findings: tuple[Mapping[str, Any], ...]
    totals: Counts
    units: tuple[tuple[str, Counts], ...]
    ranked: bool
    extras: tuple[str, ...] = field(default=())
    # The record's `movements` entries: scorecards and khối/cụm rankings (report.movements).
    movements: tuple[Mapping[str, Any], ...] = field(default=())

    def t(self, key: str) -> str:
        return tr(key, self.lang)

    def columns(self, award: AwardTable | None = None) -> list[Column]:
        """The columns of an award's table (Excel, CSV), or of all awards', in order.

        Ranking columns (rank, scope, selected, quota) appear where the award is ranked.
        """
        lang = self.lang
        lines = award.lines if award else [line for a in self.awards for line in a.lines]
        ranked = any(g.ranked for g in award.groups) if award else self.ranked
        cols = [
            Column("candidate", self.t("candidate"), lambda x: x["candidate"], 12),
            Column("name", self.t("name"), lambda x: x["name"], 28),
        ]
        if ranked:
            cols.insert(0, Column("rank", self.t("rank"), lambda x: x["rank"], 7))
        if any(line.unit for line in lines):
            cols.append(Column("unit", self.t("unit"), lambda x: x.unit, 24))
        cols.append(
            Column("outcome", self.t("outcome"), lambda x: outcome_text(x["outcome"], lang), 20)
        )
        if ranked:
            cols += [
                Column("scope", self.t("scope"), lambda x: _scope(x["quota"]), 14),
                Column("selected", self.t("selected"), lambda x: self.yes_no(x["selected"]), 10),
                Column("quota", self.t("quota"), lambda x: quota_text(x["quota"], lang), 22),
            ]
        if any(line["cut_by"] for line in lines):
            cols.append(Column("cut_by", self.t("cut_by"), lambda x: cut_text(x["cut_by"]), 30))
        if any(line["deferred"] for line in lines):
            cols.append(
                Column("deferred", self.t("deferred"), lambda x: self.yes_no(x["deferred"]), 10)
            )
        cols += [
            Column(
                "confidence",
                self.t("confidence"),
                lambda x: _pick(CONFIDENCE_LABEL, x["confidence"], lang),
                18,
            ),
            Column("missing", self.t("missing"), lambda x: "\n".join(x["missing"] or ()), 40),
            Column("reasons", self.t("reasons"), lambda x: reasons_text(x["reasons"]), 60),
        ]
        extras = [k for k in self.extras if any(line[k] is not None for line in lines)]
        cols += [Column(key, key, _field(key), 16) for key in extras]
        cols.append(Column("digest", self.t("digest"), lambda x: x["digest"], 20))
        return cols

    def summary_header(self) -> list[str]:
        keys = ["award", "total", "eligible", "ineligible", "undetermined"]
        if self.ranked:
            keys += ["selected", "cut"]
        return [self.t(k) for k in keys]

    def summary_rows(self) -> list[list[Any]]:
        rows: list[list[Any]] = [[a.label, *a.counts.values(self.ranked)] for a in self.awards]
        rows.append([self.t("all"), *self.totals.values(self.ranked)])
        return rows

    def finding_columns(self) -> list[Column]:
        lang = self.lang
        extras = sorted(
            {
                k
                for f in self.findings
                for k, v in f.items()
                if k not in KNOWN_FINDING_FIELDS and _is_plain(v)
            }
        )
        cols = [
            Column("code", self.t("code"), lambda f: f["code"], 8),
            Column(
                "severity",
                self.t("severity"),
                lambda f: _pick(SEVERITY_LABEL, f["severity"], lang),
                10,
            ),
            Column("message", self.t("message"), lambda f: f["message"], 60),
            Column("candidates", self.t("candidates"), lambda f: plain(f["candidates"]), 20),
            Column("awards", self.t("awards"), lambda f: award_names(f["awards"], lang), 24),
            Column("rule", self.t("rule"), lambda f: f["rule"], 20),
            Column("cite", self.t("cite"), lambda f: f["cite"], 30),
        ]
        cols += [Column(key, key, _field(key), 16) for key in extras]
        return cols

    def finding_rows(self) -> list[list[Any]]:
        cols = self.finding_columns()
        return [[c.value(Line(f, None)) for c in cols] for f in self.findings]

    def yes_no(self, value: Any) -> str:
        if value is None:
            return ""
        return self.t("yes") if value else self.t("no")


def _scope(quota: Any) -> Any:
    return quota.get("scope") if isinstance(quota, Mapping) else None


def _field(key: str) -> Callable[[Line], Any]:
    return lambda line: plain(line[key])


def _is_plain(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_is_plain(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def plain(value: Any) -> Any:
    """A cell value: lists joined with commas, mappings shown by their `text`."""
    if isinstance(value, list | tuple):
        return ", ".join(str(plain(v)) for v in value)
    if isinstance(value, Mapping):
        return str(value.get("text") or value)
    return value


def outcome_text(outcome: Any, lang: str) -> str:
    return _pick(OUTCOME_LABEL, outcome, lang)


def quota_text(quota: Any, lang: str) -> str:
    """The quota arithmetic as the record states it (`text`), or rebuilt from its numbers."""
    if not isinstance(quota, Mapping):
        return "" if quota is None else str(quota)
    if quota.get("text"):
        return str(quota["text"])
    slots = quota.get("slots")
    return f"{slots} {tr('places', lang)}" if slots is not None else ""


def cut_text(cut: Any) -> str:
    if isinstance(cut, Mapping):
        return str(cut.get("text") or cut.get("title") or "")
    return "" if cut is None else str(cut)


def reasons_text(reasons: Any) -> str:
    lines = []
    for r in reasons or ():
        mark = HOLDS_MARK.get(r.get("holds"), "?")
        cite = f" ({r['cite']})" if r.get("cite") else ""
        lines.append(f"{mark} {r.get('text') or r.get('rule') or ''}{cite}")
    return "\n".join(lines)


def award_names(codes: Any, lang: str) -> str:
    from khenthuong.model.vocab import Award, award_label

    names = []
    for code in codes or ():
        try:
            names.append(award_label(Award(code), lang))
        except ValueError:
            names.append(str(code))
    return ", ".join(names)


def date_text(iso: str | None, lang: str) -> str:
    if not iso:
        return "—"
    day = dt.date.fromisoformat(iso)
    return day.isoformat() if lang == "en" else day.strftime("%d/%m/%Y")


def unit_labels(batch: Batch) -> dict[str, str]:
    """Candidate id → the unit it belongs to: a person's unit, a collective's parent (or itself),
    a household's village."""
    names = {u.id: u.name for u in batch.units}
    out: dict[str, str] = {}
    for p in batch.people:
        if p.unit:
            out[p.id] = names.get(p.unit, p.unit)
    for u in batch.units:
        out[u.id] = names.get(u.parent, u.parent) if u.parent else u.name
    for h in batch.households:
        if h.village or h.commune:
            ref = h.village or h.commune or ""
            out[h.id] = names.get(ref, ref)
    return out


def build(record: Mapping[str, Any], batch: Batch | None = None, lang: str | None = None) -> Report:
    """The report of a `check --format json` document (and its batch, for units).

    Example:
        >>> doc = {"lang": "vi", "batch": {"id": "b", "year": 2021}, "pack": {}, "findings": [],
        ...        "decisions": [{"candidate": "P1", "name": "Nông Thị Hoa", "outcome": "eligible",
        ...                       "award": "lao_dong_tien_tien", "award_name": "Lao động tiên tiến"}]}
        >>> r = build(doc)
        >>> r.awards[0].label, r.totals.eligible
        ('Lao động tiên tiến', 1)
    """
    lang = lang or str(record.get("lang") or "vi")
    units = unit_labels(batch) if batch is not None else {}
    decisions: Sequence[Mapping[str, Any]] = record.get("decisions") or ()
    ranked = any(d.get("rank") is not None or d.get("selected") is not None for d in decisions)
    by_award: dict[str, list[Mapping[str, Any]]] = {}
    for d in decisions:
        by_award.setdefault(str(d.get("award")), []).append(d)
    awards = tuple(
        _award_table(code, items, units, lang, ranked) for code, items in by_award.items()
    )
    extras = sorted(
        {k for d in decisions for k, v in d.items() if k not in KNOWN_FIELDS and _is_plain(v)}
    )
    per_unit: dict[str, Counts] = {}
    if batch is not None:
        for d in decisions:
            label = units.get(str(d.get("candidate")), tr("no_unit", lang))
            per_unit[label] = per_unit.get(label, Counts()).add(d)
    return Report(
        lang,
        record,
        _meta(record, lang),
        awards,
        tuple(record.get("findings") or ()),
        count(decisions),
        tuple(sorted(per_unit.items(), key=lambda kv: (-kv[1].total, kv[0]))),
        ranked,
        tuple(extras),
        movement_sections(record),
    )


def _meta(record: Mapping[str, Any], lang: str) -> tuple[tuple[str, str], ...]:
    b: Mapping[str, Any] = record.get("batch") or {}
    p: Mapping[str, Any] = record.get("pack") or {}
    rows = [
        ("batch", str(b.get("id", ""))),
        ("year", str(b.get("year", ""))),
        ("date", date_text(b.get("decision_date"), lang)),
        ("province", str(b.get("province") or "—")),
        ("pack", " + ".join(p.get("layers") or [p.get("id", "")])),
        ("batch_digest", str(b.get("digest", ""))),
        ("pack_digest", str(p.get("digest", ""))),
        ("record_digest", str(record.get("digest", ""))),
        ("engine", str(record.get("engine", ""))),
    ]
    return tuple((tr(k, lang), v) for k, v in rows)


def _award_table(
    code: str,
    items: list[Mapping[str, Any]],
    units: Mapping[str, str],
    lang: str,
    ranked: bool,
) -> AwardTable:
    label = str(items[0].get("award_name") or code)
    lines = [Line(d, units.get(str(d.get("candidate")))) for d in items]
    groups: list[Group] = []
    if not ranked:
        groups.append(Group(None, None, tuple(lines), None))
    else:
        scopes: dict[str | None, list[Line]] = {}
        for line in lines:
            quota = line["quota"]
            scope = quota.get("scope") if isinstance(quota, Mapping) else None
            scopes.setdefault(scope, []).append(line)
        for scope in sorted(scopes, key=lambda s: (s is None, s or "")):
            ordered = sorted(
                scopes[scope],
                key=lambda x: (x["rank"] is None, x["rank"] or 0, str(x["candidate"])),
            )
            quota = next(
                (x["quota"] for x in ordered if isinstance(x["quota"], Mapping)),
                None,
            )
            groups.append(Group(scope, quota, tuple(ordered), _cut_at(ordered)))
    return AwardTable(code, label, tuple(groups), count(items))


def _cut_at(lines: list[Line]) -> int | None:
    """Lines above the cut line: after the last selected one, when some ranked one is cut."""
    if not any(x["selected"] is False and x["rank"] is not None for x in lines):
        return None
    above = [i for i, x in enumerate(lines) if x["selected"] is True]
    return above[-1] + 1 if above else 0


# ---------------------------------------------------------------------------------- terminal


def render_terminal(report: Report, console: Console) -> None:
    """Draw the report with rich: totals, one table per award (cut line ruled), findings.

    Tables wrap their cells to the console width (80 columns fit).
    """
    from rich.text import Text

    lang = report.lang
    meta = dict(report.meta)
    console.print(Text(tr("title", lang), style="bold"))
    for key in ("batch", "date", "pack"):
        label = tr(key, lang)
        console.print(Text.assemble((f"{label}: ", "dim"), meta.get(label, "")))
    console.print(Text.assemble((f"{tr('all', lang)}: ", "dim"), _counts_text(report.totals, lang)))
    for award in report.awards:
        console.print()
        console.print(Text.assemble((award.label, "bold"), " — ", _counts_text(award.counts, lang)))
        for group in award.groups:
            if group.quota is not None:
                console.print(
                    Text(f"{tr('quota', lang)}: {quota_text(group.quota, lang)}", style="dim")
                )
            console.print(_group_table(group, lang))
    render_movements(report.movements, console, lang)
    if report.findings:
        console.print()
        console.print(Text(tr("findings", lang), style="bold"))
        for f in report.findings:
            severity = _pick(SEVERITY_LABEL, f.get("severity"), lang)
            console.print(
                Text.assemble(
                    (f"[{f.get('code', '')}] {severity}: ", "bold"), str(f.get("message"))
                )
            )
    marks = [
        f"{CONFIDENCE_MARK[k]} {_pick(CONFIDENCE_LABEL, k, lang)[2:]}" for k in CONFIDENCE_MARK
    ]
    console.print()
    console.print(Text(" · ".join(marks[1:]), style="dim"))


def _counts_text(c: Counts, lang: str) -> str:
    out = (
        f"{c.total} {tr('nominations', lang)} · ✓ {c.eligible} · ✗ {c.ineligible}"
        f" · ? {c.undetermined}"
    )
    if c.selected or c.cut:
        out += f" · {tr('selected', lang).lower()} {c.selected} · {tr('cut', lang).lower()} {c.cut}"
    return out


def _group_table(group: Group, lang: str) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    styles = {"eligible": "green", "ineligible": "red", "undetermined": "yellow"}
    ranked = group.ranked
    table = Table(box=box.HORIZONTALS, show_edge=False, pad_edge=False)
    if ranked:
        table.add_column("#", justify="right", overflow="fold")
    table.add_column(tr("candidate", lang), overflow="fold")
    table.add_column(tr("name", lang).split(",")[0], overflow="fold", ratio=2)
    table.add_column(tr("outcome", lang), overflow="fold", ratio=2)
    table.add_column(tr("missing", lang), overflow="fold", ratio=3)
    for i, line in enumerate(group.lines):
        outcome = str(line["outcome"])
        mark = CONFIDENCE_MARK.get(str(line["confidence"]), "")
        note = list(line["missing"] or ())[:2]
        if line["selected"] is False and line["cut_by"]:
            note = [f"{tr('cut', lang)}: {cut_text(line['cut_by'])}"]
        cells: list[Text] = [
            Text(str(line["candidate"])),
            Text(str(line["name"] or "")),
            Text(
                outcome_text(outcome, lang) + (f" {mark}" if mark != "✅" else ""),
                style=styles.get(outcome, ""),
            ),
            Text("; ".join(note)),
        ]
        if ranked:
            cells.insert(0, Text("" if line["rank"] is None else str(line["rank"])))
        below = group.cut_at is not None and i >= group.cut_at
        table.add_row(
            *cells,
            style="dim" if below else None,
            end_section=group.cut_at is not None and i + 1 == group.cut_at,
        )
    return table


# ---------------------------------------------------------------------------------- progress


class ProgressReporter:
    """Shows evaluation progress on a stream (stderr), never on the report's own output.

    On a terminal: a rich progress bar that disappears when done (a plain counter without rich).
    Not on a terminal: a line every 10% for runs longer than `threshold` nominations, else nothing.
    Pass it as `evaluate_batch(..., progress=reporter)`; `close()` ends the display.
    """

    def __init__(
        self, stream: Any, *, lang: str = "vi", threshold: int = 200, enabled: bool = True
    ) -> None:
        self.stream = stream
        self.lang = lang
        self.threshold = threshold
        self.enabled = enabled
        self.mode: str | None = None
        self._bar: Any = None
        self._task: Any = None
        self._step = 0

    def _start(self, total: int) -> None:
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        if not self.enabled or (not tty and total <= self.threshold):
            self.mode = "off"
        elif not tty:
            self.mode = "lines"
        else:
            try:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
            except ImportError:
                self.mode = "counter"
                return
            self.mode = "bar"
            self._bar = Progress(
                TextColumn(tr("progress", self.lang)),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(file=self.stream, highlight=False),
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=total)

    def __call__(self, done: int, total: int) -> None:
        if self.mode is None:
            self._start(total)
        if self.mode == "bar":
            self._bar.update(self._task, completed=done)
        elif self.mode == "counter":
            self.stream.write(f"\r{tr('progress', self.lang)} {done}/{total}")
            self.stream.flush()
        elif self.mode == "lines":
            step = done * 10 // max(total, 1)
            if step > self._step or done == total:
                self._step = step
                self.stream.write(f"khenthuong: {tr('progress', self.lang)} {done}/{total}\n")
                self.stream.flush()
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.mode == "bar" and self._bar is not None:
            self._bar.stop()
            self._bar = None
        elif self.mode == "counter":
            self.stream.write("\n")
            self.stream.flush()
        self.mode = "off" if self.mode is not None else None
