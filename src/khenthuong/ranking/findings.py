"""Batch-level compliance findings: what is wrong with the batch as a whole, not one decision.

Each finding has a stable code (documented in docs/errors.md), a severity, a message in Vietnamese
and English, the candidates it names, and the rule and citation it rests on. Checks that rest on a
legal text (KT411–KT416) run only where the pack in force declares them, with its citation and
severity; checks of the data and of the ranking itself (KT410, KT417–KT422) always run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from khenthuong.engine.decision import Decision
from khenthuong.engine.evaluate import Evaluation
from khenthuong.engine.facts import Fact, SubjectView
from khenthuong.errors import Severity
from khenthuong.model.subjects import Person, Unit, UnitYear
from khenthuong.model.vocab import (
    AWARD_SUBJECTS,
    STATE_LEVEL_AWARDS,
    Award,
    Confidence,
    Gender,
    Outcome,
    Rating,
    award_label,
    rating_at_least,
)
from khenthuong.periods import Truth
from khenthuong.ranking.policy import Cited, RankingPlan
from khenthuong.ranking.priority import Unresolved
from khenthuong.ranking.quota import AGGREGATE_FIELDS
from khenthuong.ranking.rank import TIE_BREAKER, Ranking

# Ladders of levels (highest first): nominating a rung the facts do not support, when a lower rung
# is supported, is "đề nghị vượt mức hạng".
LADDERS: tuple[tuple[Award, ...], ...] = (
    (
        Award.CHIEN_SI_THI_DUA_TOAN_QUOC,
        Award.CHIEN_SI_THI_DUA_TINH,
        Award.CHIEN_SI_THI_DUA_CO_SO,
        Award.LAO_DONG_TIEN_TIEN,
    ),
    (
        Award.CO_THI_DUA_CHINH_PHU,
        Award.CO_THI_DUA_TINH,
        Award.TAP_THE_LAO_DONG_XUAT_SAC,
        Award.TAP_THE_LAO_DONG_TIEN_TIEN,
    ),
    (
        Award.HUAN_CHUONG_LAO_DONG_HANG_BA,
        Award.BANG_KHEN_THU_TUONG,
        Award.BANG_KHEN_TINH,
        Award.GIAY_KHEN,
    ),
)
DATA_RULE = "khenthuong.batch-format"
DATA_CITE = "Định dạng đợt xét khenthuong (spec/batch-format.md)"
RANKING_RULE = "khenthuong.ranking"


@dataclass(frozen=True, slots=True)
class Finding:
    """One batch-level finding."""

    code: str
    severity: Severity
    message_vi: str
    message_en: str
    candidates: tuple[str, ...]
    awards: tuple[Award, ...] = ()
    rule: str | None = None
    cite: str | None = None
    confidence: Confidence | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi

    def to_json(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message(lang),
            "messages": {"vi": self.message_vi, "en": self.message_en},
            "candidates": list(self.candidates),
            "awards": [a.value for a in self.awards],
            "rule": self.rule,
            "cite": self.cite,
            "confidence": self.confidence.value if self.confidence else None,
            "details": self.details,
        }


def _labels(awards: Iterable[Award], lang: str) -> str:
    return ", ".join(award_label(a, lang) for a in awards)


class FindingChecks:
    """Runs every check on one evaluated batch."""

    def __init__(
        self,
        plan: RankingPlan,
        ev: Evaluation,
        decisions: tuple[Decision, ...],
        rankings: tuple[Ranking, ...],
    ) -> None:
        self.plan = plan
        self.ev = ev
        self.batch = ev.batch
        self.year = ev.year
        self.decisions = decisions
        self.rankings = rankings
        self.by_pair = {(d.candidate, d.award): d for d in decisions}
        self.out: list[Finding] = []

    def legal(
        self,
        code: str,
        vi: str,
        en: str,
        candidates: Iterable[str],
        awards: Iterable[Award] = (),
        severity: Severity | None = None,
        **details: Any,
    ) -> None:
        rule = self.plan.findings.get(code)
        if rule is None:
            return
        self.out.append(
            Finding(
                code,
                severity or rule.severity,
                vi,
                en,
                tuple(candidates),
                tuple(awards),
                rule.id,
                rule.source.cite,
                rule.source.confidence,
                details,
            )
        )

    def data(
        self,
        code: str,
        severity: Severity,
        vi: str,
        en: str,
        candidates: Iterable[str],
        awards: Iterable[Award] = (),
        rule: str = DATA_RULE,
        cite: Cited | None = None,
        **details: Any,
    ) -> None:
        self.out.append(
            Finding(
                code,
                severity,
                vi,
                en,
                tuple(candidates),
                tuple(awards),
                rule,
                cite.cite if cite else (DATA_CITE if rule == DATA_RULE else None),
                cite.confidence if cite else None,
                details,
            )
        )

    def run(
        self, unresolved: Iterable[Unresolved], unplaced: Iterable[tuple[str, Award, str]]
    ) -> list[Finding]:
        self.duplicates()
        self.shared_basis()
        self.shared_initiatives()
        self.state_level()
        self.above_level()
        self.deferred()
        self.discipline_rating()
        self.aggregates()
        self.clusters()
        self.unplaced(unplaced)
        self.areas(unresolved)
        self.relies_on_cut()
        self.ties()
        return sorted(self.out, key=lambda f: (f.code, f.candidates, [a.value for a in f.awards]))

    # ------------------------------------------------------------------ KT410
    def duplicates(self) -> None:
        seen: dict[tuple[str, Award], list[int]] = defaultdict(list)
        for i, n in enumerate(self.batch.nominations):
            seen[(n.candidate, n.award)].append(i)
        twice = [(key, where) for key, where in seen.items() if len(where) > 1]
        for (cand, award), where in sorted(twice, key=lambda kv: (kv[0][0], kv[0][1].value)):
            self.data(
                "KT410",
                Severity.WARNING,
                f"{cand} được đề nghị {len(where)} lần cho «{award_label(award)}»",
                f"{cand} is nominated {len(where)} times for “{award_label(award, 'en')}”",
                [cand],
                [award],
                nominations=where,
            )

    # ------------------------------------------------------------------ KT411
    def shared_basis(self) -> None:
        uses: dict[tuple[str, str], set[Award]] = defaultdict(set)
        for n in self.batch.nominations:
            for basis in n.basis:
                uses[(n.candidate, basis)].add(n.award)
        for (cand, basis), awards in sorted(uses.items()):
            if len(awards) > 1:
                ordered = sorted(awards, key=lambda a: a.value)
                self.legal(
                    "KT411",
                    f"{cand}: thành tích {basis} được dùng làm căn cứ cho {len(ordered)} đề nghị "
                    f"({_labels(ordered, 'vi')}); không khen thưởng nhiều hình thức cho một thành tích",
                    f"{cand}: achievement {basis} is the basis of {len(ordered)} nominations "
                    f"({_labels(ordered, 'en')}); one achievement earns one award",
                    [cand],
                    ordered,
                    basis=basis,
                )

    # ------------------------------------------------------------------ KT412
    def _counted_initiatives(self, d: Decision) -> set[str]:
        out: set[str] = set()
        for r in d.results:
            if r.holds is not True:
                continue
            for f in r.facts:
                if (
                    f.name == "initiative"
                    and isinstance(f.value, str)
                    and not f.value.endswith(")")
                    and ".initiatives[" in f.path
                ):
                    out.add(f.path.rsplit("[", 1)[1].rstrip("]"))
        return out

    def shared_initiatives(self) -> None:
        declared = {(n.candidate, b) for n in self.batch.nominations for b in n.basis}
        by_candidate: dict[str, list[Decision]] = defaultdict(list)
        for d in self.decisions:
            if d.outcome is Outcome.ELIGIBLE:
                by_candidate[d.candidate].append(d)
        for cand, ds in sorted(by_candidate.items()):
            if len(ds) < 2:
                continue
            counted: dict[str, set[Award]] = defaultdict(set)
            for d in ds:
                for ini in self._counted_initiatives(d):
                    counted[ini].add(d.award)
            for ini, awards in sorted(counted.items()):
                if len(awards) < 2 or (cand, ini) in declared:
                    continue
                ordered = sorted(awards, key=lambda a: a.value)
                self.legal(
                    "KT412",
                    f"{cand}: sáng kiến/đề tài {ini} được tính cho {len(ordered)} đề nghị cùng năm "
                    f"({_labels(ordered, 'vi')}); kiểm tra việc dùng một thành tích cho nhiều "
                    "hình thức",
                    f"{cand}: initiative {ini} counts towards {len(ordered)} nominations of the same "
                    f"year ({_labels(ordered, 'en')}); check that one achievement is not rewarded twice",
                    [cand],
                    ordered,
                    initiative=ini,
                )

    # ------------------------------------------------------------------ KT413
    def state_level(self) -> None:
        nominated: dict[str, set[Award]] = defaultdict(set)
        for n in self.batch.nominations:
            if n.award in STATE_LEVEL_AWARDS:
                nominated[n.candidate].add(n.award)
        for cand, awards in sorted(nominated.items()):
            view = self.ev.index.subjects.get(cand)
            received: set[Award] = set()
            if view is not None:
                rec = view.years.get(self.year)
                received = {t for t in getattr(rec, "titles", ()) if t in STATE_LEVEL_AWARDS}
                received |= {
                    c.award
                    for c in view.record.commendations
                    if c.year == self.year and c.award in STATE_LEVEL_AWARDS
                }
            if len(awards | received) < 2:
                continue
            ordered = sorted(awards | received, key=lambda a: a.value)
            extra_vi = (
                f"; đã nhận trong năm: {_labels(sorted(received, key=lambda a: a.value), 'vi')}"
                if received
                else ""
            )
            extra_en = (
                f"; already received this year: "
                f"{_labels(sorted(received, key=lambda a: a.value), 'en')}"
                if received
                else ""
            )
            self.legal(
                "KT413",
                f"{cand}: {len(ordered)} hình thức khen thưởng cấp Nhà nước trong năm {self.year} "
                f"({_labels(ordered, 'vi')}){extra_vi} — trừ khen thưởng đột xuất, quá trình cống "
                "hiến, theo niên hạn",
                f"{cand}: {len(ordered)} state-level awards in {self.year} "
                f"({_labels(ordered, 'en')}){extra_en} — unless one is for an exceptional deed, "
                "long service or seniority",
                [cand],
                ordered,
                received=[a.value for a in sorted(received, key=lambda a: a.value)],
            )

    # ------------------------------------------------------------------ KT414
    def above_level(self) -> None:
        for d in self.decisions:
            if d.outcome is not Outcome.INELIGIBLE:
                continue
            ladder = next((lad for lad in LADDERS if d.award in lad), None)
            if ladder is None:
                continue
            for lower in ladder[ladder.index(d.award) + 1 :]:
                if d.kind not in AWARD_SUBJECTS[lower]:
                    continue
                if self.ev.decide(d.candidate, lower).outcome is Outcome.ELIGIBLE:
                    also = (d.candidate, lower) in self.by_pair
                    self.legal(
                        "KT414",
                        f"{d.candidate}: đề nghị «{award_label(d.award)}» vượt mức hạng; thành tích "
                        f"chỉ đủ «{award_label(lower)}»" + (" (đã được đề nghị)" if also else ""),
                        f"{d.candidate}: “{award_label(d.award, 'en')}” is above what the facts "
                        f"support; they support “{award_label(lower, 'en')}”"
                        + (" (also nominated)" if also else ""),
                        [d.candidate],
                        [d.award, lower],
                        Severity.INFO if also else None,
                        supported=lower.value,
                    )
                    break

    # ------------------------------------------------------------------ KT415
    def deferred(self) -> None:
        by_candidate: dict[str, list[Award]] = defaultdict(list)
        for d in self.decisions:
            if d.deferred:
                by_candidate[d.candidate].append(d.award)
        for cand, awards in sorted(by_candidate.items()):
            record = self.ev.index.subjects[cand].record
            open_cases = [
                f"{c.kind.value} ({c.opened_on.isoformat()})"
                for c in record.pending_cases
                if c.opened_on <= self.ev.date
                and (c.closed_on is None or c.closed_on > self.ev.date)
            ]
            self.legal(
                "KT415",
                f"{cand}: chưa xét, tạm hoãn vì đang có vụ việc chưa kết luận "
                f"({', '.join(open_cases) or '?'}) — {_labels(awards, 'vi')}",
                f"{cand}: deferred while a case is open ({', '.join(open_cases) or '?'}) — "
                f"{_labels(awards, 'en')}",
                [cand],
                awards,
                cases=open_cases,
            )

    # ------------------------------------------------------------------ KT416
    def discipline_rating(self) -> None:
        for p in sorted(self.batch.people, key=lambda p: p.id):
            decided = [d for d in p.disciplines if d.decided_on.year == self.year]
            rec = next((y for y in p.history if y.year == self.year), None)
            if not decided or rec is None or rec.rating is None or rec.rating is Rating.KHTNV:
                continue
            forms = ", ".join(f"{d.form.value} ({d.decided_on.isoformat()})" for d in decided)
            self.legal(
                "KT416",
                f"{p.id}: bị kỷ luật trong năm {self.year} ({forms}) nhưng xếp loại "
                f"{rec.rating.value}; người bị kỷ luật trong năm đánh giá xếp loại không hoàn thành "
                "nhiệm vụ",
                f"{p.id}: disciplined in {self.year} ({forms}) but rated {rec.rating.value}; a "
                "person disciplined in the year is rated 'did not complete tasks'",
                [p.id],
                rating=rec.rating.value,
            )

    # ------------------------------------------------------------------ KT417
    def aggregates(self) -> None:
        for u in sorted(self.batch.units, key=lambda u: u.id):
            listed = self.ev.index.members.get(u.id, [])
            if not listed:
                continue
            if u.headcount is not None and len(listed) > u.headcount:
                self.data(
                    "KT417",
                    Severity.WARNING,
                    f"{u.id}: khai {u.headcount} người (headcount) nhưng liệt kê {len(listed)} thành viên",
                    f"{u.id}: headcount {u.headcount} but {len(listed)} members are listed",
                    [u.id],
                    field="headcount",
                    declared=u.headcount,
                    derived=len(listed),
                )
                continue
            if u.headcount is not None and len(listed) != u.headcount:
                continue  # members not all listed: the aggregates are used, nothing to compare
            rec = next((y for y in u.history if y.year == self.year), None)
            if rec is None:
                continue
            for name, (sure, unknown) in self._derived_counts(u, rec).items():
                declared = getattr(rec, name)
                if declared is None or sure <= declared <= sure + unknown:
                    continue
                shown = f"{sure}" + (f"–{sure + unknown}" if unknown else "")
                self.data(
                    "KT417",
                    Severity.WARNING,
                    f"{u.id}: {name} = {declared} khác số tính từ thành viên được liệt kê ({shown}); "
                    "dùng số tính từ thành viên",
                    f"{u.id}: {name} = {declared} differs from the listed members ({shown}); the "
                    "listed members are used",
                    [u.id],
                    field=name,
                    declared=declared,
                    derived=shown,
                )

    def _derived_counts(self, u: Unit, rec: UnitYear) -> dict[str, tuple[int, int]]:
        listed = self.ev.index.members.get(u.id, [])
        out: dict[str, tuple[int, int]] = {}
        for award, name in AGGREGATE_FIELDS.items():
            if getattr(rec, name) is not None:
                out[name] = _count([self.ev.title(m, award, self.year)[0] for m in listed])
        if rec.members_rated_htnv_or_better is not None:
            truths: list[Truth] = []
            for m in listed:
                y = m.years.get(self.year)
                rating = getattr(y, "rating", None) if y is not None else None
                truths.append(None if rating is None else rating_at_least(rating, Rating.HTNV))
            out["members_rated_htnv_or_better"] = _count(truths)
        if rec.members_women is not None:
            genders = [m.record.gender for m in listed if isinstance(m.record, Person)]
            out["members_women"] = _count([None if g is None else g is Gender.NU for g in genders])
        return out

    # ------------------------------------------------------------------ KT418
    def clusters(self) -> None:
        listing = self.plan.clusters
        if listing is None:
            return
        known = {c.id for c in listing.clusters}
        # A movement may declare its own khối/cụm (docs/movements.md): those are known too.
        own = {c.id for c in self.ev.movement.clusters} if self.ev.movement is not None else set()
        for u in sorted(self.batch.units, key=lambda u: u.id):
            if u.cluster is not None and u.cluster not in known | own:
                self.data(
                    "KT418",
                    Severity.WARNING,
                    f"{u.id}: khối, cụm thi đua «{u.cluster}» không có trong danh sách {listing.id} "
                    f"({len(known)}/{sum(listing.structure.values()) or '?'} khối, cụm đã ghi)",
                    f"{u.id}: emulation cluster “{u.cluster}” is not in list {listing.id} "
                    f"({len(known)} of {sum(listing.structure.values()) or '?'} clusters recorded)",
                    [u.id],
                    rule=listing.id,
                    cite=self.plan.cluster_source,
                    cluster=u.cluster,
                )

    # ------------------------------------------------------------------ KT419
    def unplaced(self, unplaced: Iterable[tuple[str, Award, str]]) -> None:
        for cand, award, kind in sorted(unplaced, key=lambda t: (t[0], t[1].value)):
            what_vi = {"unit": "đơn vị", "cluster": "khối, cụm thi đua"}.get(kind, kind)
            self.data(
                "KT419",
                Severity.WARNING,
                f"{cand}: không xác định được {what_vi} để tính hạn mức «{award_label(award)}»; "
                "chưa xếp thứ tự",
                f"{cand}: no {kind} to count the “{award_label(award, 'en')}” quota in; not ranked",
                [cand],
                [award],
                rule=RANKING_RULE,
                scope=kind,
            )

    # ------------------------------------------------------------------ KT420
    def areas(self, unresolved: Iterable[Unresolved]) -> None:
        for u in sorted(set(unresolved), key=lambda u: (u.subject, u.commune)):
            vi = (
                f"không có danh sách địa bàn nào áp dụng cho năm {self.year}"
                if u.reason == "no_list"
                else "không có trong danh sách địa bàn (danh sách chưa đầy đủ)"
            )
            en = (
                f"no area list applies to {self.year}"
                if u.reason == "no_list"
                else "is not in the area lists, which are incomplete"
            )
            self.data(
                "KT420",
                Severity.INFO,
                f"{u.subject}: mã xã {u.commune} — {vi}; chỉ dùng khai báo `areas`",
                f"{u.subject}: commune {u.commune} — {en}; only the `areas` flags are used",
                [u.subject],
                rule=RANKING_RULE,
                commune=u.commune,
                reason=u.reason,
            )

    # ------------------------------------------------------------------ KT421
    def relies_on_cut(self) -> None:
        cut: dict[Award, set[str]] = defaultdict(set)
        for r in self.rankings:
            for p in r.cut:
                cut[r.award].add(p.candidate)
        if not cut:
            return
        without = _WithoutCut(self.ev, cut)
        reads: dict[str, set[tuple[Award, bool]]] = {}  # per rule: the cut titles it reads
        for d in self.decisions:
            if d.outcome is not Outcome.ELIGIBLE or d.rule is None:
                continue
            read = reads.get(d.rule.id)
            if read is None:
                read = {
                    (award, members)
                    for leaf in d.rule.leaves
                    for award, members in leaf.reads_titles()
                    if award in cut
                }
                reads[d.rule.id] = read
            hits: set[tuple[str, Award]] = set()
            for award, members in read:
                if members:
                    for m in self.ev.index.members.get(d.candidate, []):
                        if m.id in cut[award]:
                            hits.add((m.id, award))
                elif d.candidate in cut[award]:
                    hits.add((d.candidate, award))
            if not hits:
                continue
            # Decide again as if the cut candidates did not receive the title: only a decision
            # that would then fail really relies on them.
            view = self.ev.index.subjects[d.candidate]
            truths = tuple(leaf.evaluate(view, without).holds for leaf in d.rule.leaves)
            if d.rule.outcome(truths) is True:
                continue
            who = sorted({h[0] for h in hits})
            awards = sorted({h[1] for h in hits}, key=lambda a: a.value)
            self.data(
                "KT421",
                Severity.WARNING,
                f"{d.candidate}: «{award_label(d.award)}» chỉ đủ điều kiện nhờ "
                f"«{_labels(awards, 'vi')}» năm {self.year} của {', '.join(who)}, là người nằm "
                "ngoài hạn mức; xét lại sau khi Hội đồng chọn",
                f"{d.candidate}: “{award_label(d.award, 'en')}” is eligible only through the "
                f"“{_labels(awards, 'en')}” of {self.year} of {', '.join(who)}, outside the "
                "quota; re-check after the council's selection",
                sorted({d.candidate, *who}),
                [d.award, *awards],
                rule=RANKING_RULE,
                outside_quota=who,
            )

    # ------------------------------------------------------------------ KT422
    def ties(self) -> None:
        for r in self.rankings:
            tied = [p for p in r.cut if p.cut_by is not None and p.cut_by.key == TIE_BREAKER]
            if not tied:
                continue
            last = tied[0].cut_by.against if tied[0].cut_by else None
            names = sorted({p.candidate for p in tied} | ({last} if last else set()))
            self.data(
                "KT422",
                Severity.WARNING,
                f"«{award_label(r.award)}» ({r.scope}): {', '.join(names)} ngang nhau theo mọi tiêu "
                "chí ưu tiên ở vạch hạn mức; thứ tự theo mã ứng viên chỉ là quy ước, Hội đồng quyết định",
                f"“{award_label(r.award, 'en')}” ({r.scope}): {', '.join(names)} tie on every "
                "priority key at the cut line; the order by candidate id is only a convention, the "
                "council decides",
                names,
                [r.award],
                rule=RANKING_RULE,
                scope=r.scope,
            )


class _WithoutCut:
    """The evaluation as if the titles a quota cut had not been awarded in the judged year."""

    def __init__(self, ev: Evaluation, cut: dict[Award, set[str]]) -> None:
        self.ev = ev
        self.cut = cut
        self.year = ev.year
        self.date = ev.date
        self.index = ev.index
        self.movement = ev.movement

    def title(self, view: SubjectView, award: Award, year: int) -> tuple[Truth, Fact]:
        if year == self.year and view.id in self.cut.get(award, ()):
            return False, Fact("title", year, False, f"outside-quota:{award.value}[{view.id}]")
        return self.ev.title(view, award, year)


def _count(values: list[Truth]) -> tuple[int, int]:
    sure = sum(v is True for v in values)
    unknown = sum(v is None for v in values)
    return sure, unknown
