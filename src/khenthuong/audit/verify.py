"""Verify a decision record: recompute everything from its embedded input and report what differs.

A record (the output of `check --format json`) embeds its input batch (`input`) and names its pack
(`pack.id`, `pack.layers`, `pack.digest`) and engine. `verify` reads it, checks that each
decision's digest matches the decision's own content (so an edit made after the record was written
shows even where the engine would agree), evaluates the embedded batch again with the named pack
and compares the whole recomputed document with the record, field by field.

Digests are recomputed with the record's pack digest and engine string, so that a changed pack or
engine is reported once — "the pack has changed since the record was made" — and the decisions are
still compared one by one. Anything that differs makes the verification fail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khenthuong.audit.digest import (
    ENGINE,
    decision_digest,
    recorded_core,
    run_digest,
    sha256,
)
from khenthuong.audit.records import SCHEMA, result_record
from khenthuong.batch.load import batch_from_data
from khenthuong.engine.decision import Decision
from khenthuong.errors import Diagnostic, InputError, Location
from khenthuong.model.batch import Batch
from khenthuong.model.vocab import Award, award_label
from khenthuong.packs.registry import PackRegistry
from khenthuong.runner import evaluate_batch
from khenthuong.sources import DEFAULT_LIMITS, Limits, check_size, decode

MAX_PER_DECISION = 12  # differing fields listed per decision; the rest are counted


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One place where the record and the recomputation differ.

    Attributes:
        field: the field, as a path inside the decision (`outcome`, `trace.criteria[1].holds`) or
            the document (`pack.digest`, `input.people[0].history`).
        recorded: the value in the record (None when absent).
        recomputed: the value recomputed now (None when absent).
        candidate, award: the decision it belongs to; None for the document's own fields.
        reason: "differs" (recomputation disagrees), "altered" (a digest does not match the
            record's own content), "pack" / "engine" (not the pack or engine of the record),
            "extra" (only in the record), "absent" (missing from the record), "order".
    """

    field: str
    recorded: Any
    recomputed: Any
    candidate: str | None = None
    award: str | None = None
    reason: str = "differs"

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "award": self.award,
            "field": self.field,
            "reason": self.reason,
            "recorded": self.recorded,
            "recomputed": self.recomputed,
        }


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of `verify`: `ok` only if nothing differs."""

    source: str
    batch: str
    pack: str
    layers: tuple[str, ...]
    engine: str
    decisions: int
    mismatches: tuple[Mismatch, ...] = ()
    pack_digest: tuple[str, str] = ("", "")
    omitted: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def pack_changed(self) -> bool:
        return self.pack_digest[0] != self.pack_digest[1]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source": self.source,
            "batch": self.batch,
            "pack": {
                "id": self.pack,
                "layers": list(self.layers),
                "recorded_digest": self.pack_digest[0],
                "bundled_digest": self.pack_digest[1],
                "changed": self.pack_changed,
            },
            "engine": {"recorded": self.engine, "running": ENGINE},
            "decisions": self.decisions,
            "mismatches": [m.to_json() for m in self.mismatches],
            "omitted": [
                {"candidate": c, "award": a, "more_fields": n}
                for (c, a), n in sorted(self.omitted.items())
            ],
        }

    def text(self, lang: str = "vi") -> str:
        return "\n".join(_render(self, lang)) + "\n"


def verify(
    records: Mapping[str, Any] | bytes | str | os.PathLike[str],
    *,
    registry: PackRegistry | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Verification:
    """Recompute a decision record from its embedded input and pack; report every difference.

    Args:
        records: the output of `check --format json`, as parsed JSON, as bytes, or as the path
            of the file (a `str` is a path).
        registry: where the named pack comes from (default: the bundled packs).
        limits: bounds on the size of the file read.

    Returns:
        A `Verification`; its `ok` is True only if every digest and every recomputed field
        matches.

    Raises:
        InputError: KT500–KT504 when the record is not a readable decision record, the batch
            codes (KT1xx) when its `input` is not a valid batch; PackError when the named pack
            cannot be loaded.

    Example:
        >>> import json
        >>> from khenthuong import batch_from_text, evaluate_batch, result_record
        >>> from khenthuong.audit.verify import verify
        >>> result = evaluate_batch(batch_from_text('''
        ... batch: {id: vd, year: 2021, as_of: 2021-12-15}
        ... people: [{id: P1, name: Lò Thị Dung, history: [{year: 2021, rating: HTTNV}]}]
        ... nominations: [{candidate: P1, award: lao_dong_tien_tien}]
        ... '''))
        >>> record = result_record(result)
        >>> verify(record).ok
        True
        >>> record["decisions"][0]["outcome"] = "eligible"
        >>> [(m.candidate, m.field) for m in verify(record).mismatches]
        [('P1', 'digest'), ('P1', 'outcome')]
    """
    registry = registry or PackRegistry()
    source = read_record(records, registry=registry, limits=limits)
    doc, name, batch, province = source.doc, source.name, source.batch, source.province
    pack = doc["pack"]
    layers = list(source.layers)
    result = evaluate_batch(batch, pack=source.pack, province=province, registry=registry)
    lang = doc["lang"]
    now = result_record(result, lang)
    engine, pack_digest = doc["engine"], pack["digest"]
    # Digests as they would be with the record's pack and engine: a changed pack or engine is
    # reported once, and each decision is still compared on its own content.
    by_key: dict[tuple[str, str], Decision] = {
        (d.candidate, d.award.value): d for d in result.decisions
    }
    for rec in now["decisions"]:
        rec["digest"] = decision_digest(
            by_key[(rec["candidate"], rec["award"])], pack_digest, engine
        )
    now["digest"] = run_digest(r["digest"] for r in now["decisions"])

    out: list[Mismatch] = []
    omitted: dict[tuple[str, str], int] = {}
    if engine != ENGINE:
        out.append(Mismatch("engine", engine, ENGINE, reason="engine"))
    if pack_digest != result.pack.digest:
        out.append(Mismatch("pack.digest", pack_digest, result.pack.digest, reason="pack"))
    for key in sorted(set(doc) | set(now)):
        if key in ("decisions", "digest", "engine"):
            continue
        recorded, recomputed = doc.get(key), now.get(key)
        if key == "pack":
            recorded = {k: v for k, v in pack.items() if k != "digest"}
            recomputed = {k: v for k, v in now["pack"].items() if k != "digest"}
        for m in _compare(key, recorded, recomputed, key in doc, key in now):
            # The batch digest is recomputed from the embedded input: if they disagree, one of
            # them was edited after the record was written.
            altered = m.field == "batch.digest"
            out.append(
                Mismatch(m.field, m.recorded, m.recomputed, reason="altered") if altered else m
            )
    out += _decisions(doc["decisions"], now["decisions"], pack_digest, engine, omitted)
    claimed = doc["digest"]
    sealed = run_digest(
        str(r.get("digest")) if isinstance(r, dict) else "" for r in doc["decisions"]
    )
    if claimed != sealed:
        out.append(Mismatch("digest", claimed, sealed, reason="altered"))
    elif claimed != now["digest"]:
        out.append(Mismatch("digest", claimed, now["digest"]))
    return Verification(
        source=name,
        batch=str(doc["batch"].get("id")) if isinstance(doc["batch"], dict) else "",
        pack=str(pack["id"]),
        layers=tuple(layers),
        engine=str(engine),
        decisions=len(doc["decisions"]),
        mismatches=tuple(out),
        pack_digest=(str(pack_digest), result.pack.digest),
        omitted=omitted,
    )


def _decisions(
    recorded: list[Any],
    recomputed: list[dict[str, Any]],
    pack_digest: str,
    engine: str,
    omitted: dict[tuple[str, str], int],
) -> list[Mismatch]:
    out: list[Mismatch] = []
    now = {(d["candidate"], d["award"]): d for d in recomputed}
    seen: list[tuple[str, str]] = []
    for i, rec in enumerate(recorded):
        if not isinstance(rec, dict):
            out.append(Mismatch(f"decisions[{i}]", rec, None, reason="extra"))
            continue
        key = (str(rec.get("candidate")), str(rec.get("award")))
        cand, award = key
        if key in seen:
            out.append(Mismatch("decision", "twice", "once", cand, award, reason="extra"))
            continue
        seen.append(key)
        mine = now.get(key)
        if mine is None:
            out.append(Mismatch("decision", "present", None, cand, award, reason="extra"))
            continue
        try:
            own = sha256(recorded_core(rec, pack_digest, engine))
        except (KeyError, TypeError, AttributeError):
            own = None
        if own != rec.get("digest"):
            out.append(Mismatch("digest", rec.get("digest"), own, cand, award, reason="altered"))
        found = list(_compare("", rec, mine, True, True))
        for m in found[:MAX_PER_DECISION]:
            out.append(Mismatch(m.field, m.recorded, m.recomputed, cand, award, m.reason))
        if len(found) > MAX_PER_DECISION:
            omitted[key] = len(found) - MAX_PER_DECISION
    for key in now:
        if key not in seen:
            out.append(Mismatch("decision", None, "present", *key, reason="absent"))
    order = [k for k in seen if k in now]
    if order != [k for k in now if k in seen]:
        out.append(Mismatch("decisions", "order", "sorted", reason="order"))
    return out


def _compare(
    path: str, recorded: Any, recomputed: Any, in_record: bool, in_now: bool
) -> Iterator[Mismatch]:
    """Every leaf where two JSON values differ (a bool is never equal to a number here)."""
    if not in_record:
        yield Mismatch(path, None, recomputed, reason="absent")
        return
    if not in_now:
        yield Mismatch(path, recorded, None, reason="extra")
        return
    if isinstance(recorded, dict) and isinstance(recomputed, dict):
        for k in sorted(set(recorded) | set(recomputed)):
            sub = f"{path}.{k}" if path else str(k)
            yield from _compare(
                sub, recorded.get(k), recomputed.get(k), k in recorded, k in recomputed
            )
        return
    if isinstance(recorded, list) and isinstance(recomputed, list):
        if len(recorded) != len(recomputed):
            yield Mismatch(path, recorded, recomputed)
            return
        for i, (a, b) in enumerate(zip(recorded, recomputed, strict=True)):
            yield from _compare(f"{path}[{i}]", a, b, True, True)
        return
    if type(recorded) is not type(recomputed) or recorded != recomputed:
        yield Mismatch(path, recorded, recomputed)


# --------------------------------------------------------------------------- reading the record


@dataclass(frozen=True, slots=True)
class RecordSource:
    """A decision record read and checked: its document, its input batch and the pack it names."""

    doc: dict[str, Any]
    name: str
    batch: Batch
    pack: str
    layers: tuple[str, ...]
    province: str | None


def read_record(
    records: Mapping[str, Any] | bytes | str | os.PathLike[str],
    *,
    registry: PackRegistry | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RecordSource:
    """Read a decision record: its embedded input as a `Batch`, and the pack and province it names.

    This is what `verify` recomputes from, and what lets `khenthuong explain` read a record file
    instead of a batch. Raises InputError (KT500–KT504, or the batch codes for a bad `input`) and
    PackError when a named layer is unknown.
    """
    doc, name = _load(records, limits)
    _check_shape(doc, name)
    registry = registry or PackRegistry()
    batch = batch_from_data(doc["input"], f"{name} (input)")
    layers = tuple(str(x) for x in doc["pack"]["layers"])
    loaded = [registry.load(layer) for layer in layers]
    provinces = {p.manifest.province for p in loaded[1:]}
    if len(provinces) > 1:
        raise _malformed(
            name, "KT502", f"the pack layers {', '.join(layers)} name more than one province"
        )
    province = provinces.pop() if provinces else None
    return RecordSource(doc, name, batch, str(doc["pack"]["id"]), layers, province)


def looks_like_record(path: str | os.PathLike[str]) -> bool:
    """Whether the file at `path` is a JSON decision record (by its `schema`) rather than a batch."""
    p = Path(path)
    if p.suffix.lower() != ".json" or not p.is_file():
        return False
    with p.open("rb") as f:
        head = f.read()
    return f'"schema": "{SCHEMA}"'.encode() in head or f'"schema":"{SCHEMA}"'.encode() in head


def _malformed(name: str, code: str, message: str, help_: str = "", **where: Any) -> InputError:
    return InputError(
        [Diagnostic(code, message, location=Location(file=name, **where), help=help_)]
    )


def _load(
    source: Mapping[str, Any] | bytes | str | os.PathLike[str], limits: Limits
) -> tuple[dict[str, Any], str]:
    if isinstance(source, Mapping):
        return dict(source), "<record>"
    if isinstance(source, bytes):
        name, data = "<record>", source
    else:
        path = Path(source)
        name = str(source)
        if not path.is_file():
            raise _malformed(
                name, "KT500", "no such file", "pass the JSON written by `check --format json`"
            )
        check_size(path.stat().st_size, name, limits)
        data = path.read_bytes()
    check_size(len(data), name, limits)
    text = decode(data, name)
    try:
        doc = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise _malformed(
            name,
            "KT500",
            f"invalid JSON: {exc.msg}",
            "the record must be the unchanged output of `check --format json`",
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except _DuplicateKeyError as exc:
        raise _malformed(
            name,
            "KT504",
            f'the key "{exc.args[0]}" appears twice in one object',
            "a record never repeats a key; this one was edited by hand or by another tool",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise _malformed(name, "KT500", f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise _malformed(
            name,
            "KT501",
            "not a decision record (the top level is not an object)",
            "pass the JSON written by `check --format json`",
        )
    return doc, name


class _DuplicateKeyError(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKeyError(k)
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number")


_SHAPE: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("engine", str),
    ("lang", str),
    ("batch", dict),
    ("pack", dict),
    ("input", dict),
    ("decisions", list),
    ("digest", str),
)


def _check_shape(doc: dict[str, Any], name: str) -> None:
    schema = doc.get("schema")
    if schema != SCHEMA:
        if schema is None:
            message = "not a decision record: it has no `schema`"
        else:
            message = f'unsupported record schema "{schema}" (this engine reads "{SCHEMA}")'
        raise _malformed(
            name,
            "KT501",
            message,
            "pass the JSON written by `check --format json`; `explain --format json` output "
            "cannot be verified on its own",
            path="schema",
        )
    for key, kind in _SHAPE:
        if not isinstance(doc.get(key), kind):
            what = "is missing" if key not in doc else "has the wrong type"
            help_ = (
                "this record does not embed its input batch; run `check --format json` again "
                "with this version to get a record that can be verified"
                if key == "input"
                else "the record was truncated or edited; use the file `check` wrote"
            )
            raise _malformed(name, "KT502", f"`{key}` {what}", help_, path=key)
    if doc["lang"] not in ("vi", "en"):
        raise _malformed(
            name, "KT502", f'unknown language "{doc["lang"]}"', "vi or en", path="lang"
        )
    pack = doc["pack"]
    layers = pack.get("layers")
    if (
        not isinstance(pack.get("id"), str)
        or not isinstance(pack.get("digest"), str)
        or not isinstance(layers, list)
        or not layers
        or not all(isinstance(x, str) for x in layers)
        or layers[0] != pack["id"]
    ):
        raise _malformed(
            name,
            "KT503",
            "`pack` must give the pack `id`, its `layers` (the national pack first) and `digest`",
            "the record was truncated or edited; use the file `check` wrote",
            path="pack",
        )


# --------------------------------------------------------------------------- rendering


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "…"


def _render(v: Verification, lang: str) -> list[str]:
    en = lang == "en"
    out = [
        f"Verifying {v.source}" if en else f"Kiểm tra hồ sơ quyết định {v.source}",
        (
            f"Batch {v.batch} · pack {' + '.join(v.layers)} · {v.decisions} decisions · "
            f"written by {v.engine}"
            if en
            else f"Đợt xét {v.batch} · bộ quy tắc {' + '.join(v.layers)} · {v.decisions} quyết "
            f"định · lập bởi {v.engine}"
        ),
    ]
    if v.ok:
        out.append(
            "✓ match: every digest and every recomputed decision agrees with the record"
            if en
            else "✓ khớp: mọi mã băm và mọi quyết định tính lại đều trùng với hồ sơ"
        )
        return out
    for m in v.mismatches:
        out.append("✗ " + _mismatch_text(m, lang))
    for (cand, award), n in sorted(v.omitted.items()):
        out.append(
            f"  … {cand} / {award}: {n} more differing fields (see --format json)"
            if en
            else f"  … {cand} / {award}: còn {n} trường khác không khớp (xem --format json)"
        )
    n = len(v.mismatches)
    out.append(f"Mismatch: {n} place(s) differ." if en else f"Không khớp: {n} chỗ khác nhau.")
    return out


def _who(m: Mismatch, lang: str) -> str:
    if m.candidate is None:
        return ""
    try:
        name = award_label(Award(m.award or ""), lang)
    except ValueError:
        name = m.award or ""
    return f"{m.candidate} / {name} ({m.award}): "


def _mismatch_text(m: Mismatch, lang: str) -> str:
    en = lang == "en"
    who = _who(m, lang)
    if m.reason == "pack":
        return (
            f"the pack has changed since the record was made (recorded {m.recorded}, now "
            f"{m.recomputed}); a digest cannot tell which files changed; decisions are still "
            "compared below"
            if en
            else f"bộ quy tắc đã thay đổi kể từ khi lập hồ sơ (hồ sơ {m.recorded}, hiện tại "
            f"{m.recomputed}); mã băm không cho biết tệp nào đã đổi; các quyết định vẫn được so "
            "sánh bên dưới"
        )
    if m.reason == "engine":
        return (
            f"the record was written by {m.recorded}, this is {m.recomputed}: verify with the "
            "repository at that version"
            if en
            else f"hồ sơ được lập bởi {m.recorded}, đang chạy {m.recomputed}: hãy kiểm tra bằng "
            "đúng phiên bản đó"
        )
    if m.reason == "altered":
        what = "the decision's own" if m.candidate else "the decisions'"
        what_vi = "của chính quyết định" if m.candidate else "của các quyết định"
        if m.field == "batch.digest":
            what, what_vi = "the embedded input's", "của dữ liệu đầu vào kèm theo"
        return who + (
            f"{m.field}: {_shown(m.recorded)} does not match {what} content "
            f"({_shown(m.recomputed)}): the record was altered after it was written"
            if en
            else f"{m.field}: {_shown(m.recorded)} không khớp với nội dung {what_vi} "
            f"({_shown(m.recomputed)}): hồ sơ đã bị sửa sau khi lập"
        )
    if m.reason == "extra":
        return who + (
            f"{m.field}: only in the record ({_shown(m.recorded)})"
            if en
            else f"{m.field}: chỉ có trong hồ sơ ({_shown(m.recorded)})"
        )
    if m.reason == "absent":
        return who + (
            f"{m.field}: missing from the record (recomputed: {_shown(m.recomputed)})"
            if en
            else f"{m.field}: hồ sơ thiếu (tính lại: {_shown(m.recomputed)})"
        )
    if m.reason == "order":
        return (
            "decisions are not in the order the engine writes them"
            if en
            else "các quyết định không theo thứ tự mà chương trình ghi"
        )
    return who + (
        f"{m.field} — recorded: {_shown(m.recorded)} · recomputed: {_shown(m.recomputed)}"
        if en
        else f"{m.field} — hồ sơ: {_shown(m.recorded)} · tính lại: {_shown(m.recomputed)}"
    )


__all__ = ["Mismatch", "RecordSource", "Verification", "looks_like_record", "read_record", "verify"]
