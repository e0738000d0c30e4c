"""Reading YAML and JSON text safely, with source positions and bounded size.

Everything read here is data: YAML is composed with PyYAML's safe loader (libyaml when available),
only the core tags are accepted (`!!python/...` and custom tags are errors), YAML 1.1 booleans
such as `no`/`off`/`yes` stay strings, duplicate keys are errors, and alias expansion, nesting depth
and size are bounded (`Limits`, documented in docs/limits.md) before anything is constructed.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from khenthuong.errors import Diagnostic, InputError, Location

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"
_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader whose booleans are YAML 1.2's: only true/false."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what a single input may cost (see docs/limits.md)."""

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 5_000_000
    max_rows: int = 1_000_000


DEFAULT_LIMITS = Limits()

Path = tuple[str | int, ...]


class Positions:
    """Maps a field path to its 1-based (line, column) in the source file."""

    def __init__(self, table: dict[Path, tuple[int, int]]) -> None:
        self.table = table

    def find(self, path: Path) -> tuple[int, int] | None:
        """Position of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            hit = self.table.get(tuple(path[:end]))
            if hit is not None:
                return hit
        return None


def decode(data: bytes, file: str) -> str:
    """Text of a file: UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is an error."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _decode_error(file, exc) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _decode_error(file, exc) from None


def _decode_error(file: str, exc: UnicodeDecodeError) -> InputError:
    return InputError(
        [
            Diagnostic(
                "KT101",
                f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)",
                location=Location(file=file),
                help="save the file as UTF-8 (in Excel: 'CSV UTF-8'); Windows-1258 or TCVN3 "
                "text must be converted first",
            )
        ]
    )


def check_size(size: int, file: str, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise InputError(
            [
                Diagnostic(
                    "KT106",
                    f"the file is {size:,} bytes, over the limit of {limits.max_bytes:,}",
                    location=Location(file=file),
                    help="split the batch, or raise the limit with --max-bytes if it is genuine",
                )
            ]
        )


def load_yaml(text: str, file: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, Positions]:
    """Parse one YAML document into plain data and a position table; raise InputError if unsafe."""
    check_size(len(text.encode("utf-8", "surrogatepass")), file, limits)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise InputError(
            [
                Diagnostic(
                    "KT102",
                    f"invalid YAML: {exc.problem or exc.context}",
                    location=Location(file=file, line=line, column=col),
                    help="check indentation and quoting near this line",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(
            [Diagnostic("KT102", f"invalid YAML: {exc}", location=Location(file=file))]
        ) from None
    if node is None:
        return None, Positions({})
    problems = list(_check_node(node, file, limits))
    if problems:
        raise InputError(problems)
    try:
        data = _Loader(text).construct_document(node)
    except yaml.YAMLError as exc:  # a timestamp such as 2021-02-30
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [
                Diagnostic(
                    "KT102",
                    f"invalid value: {getattr(exc, 'problem', exc)}",
                    location=Location(
                        file=file,
                        line=mark.line + 1 if mark else None,
                        column=mark.column + 1 if mark else None,
                    ),
                )
            ]
        ) from None
    except ValueError as exc:  # e.g. an impossible date such as 2021-02-30
        raise InputError(
            [
                Diagnostic(
                    "KT102",
                    f"invalid value: {exc}",
                    location=Location(file=file),
                    help="dates are written YYYY-MM-DD and must exist in the calendar",
                )
            ]
        ) from None
    return data, Positions(_positions(node))


def _check_node(root: yaml.Node, file: str, limits: Limits) -> Iterator[Diagnostic]:
    """Reject custom tags, duplicate keys, deep nesting and alias bombs before construction."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    # Iterative post-order walk: sizes are memoised per node so shared (aliased) subtrees are
    # counted once per reference without being walked again — bounded time for "billion laughs".
    while stack:
        node, depth, done = stack.pop()
        if id(node) in sizes and not done:
            continue
        if depth > limits.max_depth:
            yield _at(
                node,
                file,
                "KT104",
                f"nesting deeper than {limits.max_depth} levels",
                "flatten the structure; batch files need only a few levels",
            )
            return
        if node.tag not in _ALLOWED_TAGS:
            yield _at(
                node,
                file,
                "KT103",
                f"tag {node.tag!r} is not allowed",
                "rule and batch files are data: remove the tag (nothing in them is executed)",
            )
            return
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        yield _at(
                            key,
                            file,
                            "KT105",
                            f'duplicate key "{key.value}"',
                            "each key may appear once in a mapping; remove or rename one",
                        )
                    keys.add(key.value)
                children += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if not done:
            stack.append((node, depth, True))
            stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        sizes[id(node)] = total
        if total > limits.max_nodes:
            yield _at(
                node,
                file,
                "KT107",
                f"the document expands to more than {limits.max_nodes:,} values "
                "(YAML aliases repeat content)",
                "remove the anchors/aliases (&x / *x) or split the file",
            )
            return


def _at(node: yaml.Node, file: str, code: str, message: str, help_: str) -> Diagnostic:
    mark = node.start_mark
    return Diagnostic(
        code,
        message,
        location=Location(file=file, line=mark.line + 1, column=mark.column + 1),
        help=help_,
    )


def _positions(root: yaml.Node) -> dict[Path, tuple[int, int]]:
    table: dict[Path, tuple[int, int]] = {}
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        table.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    child = (*path, key.value)
                    table.setdefault(child, (key.start_mark.line + 1, key.start_mark.column + 1))
                    stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, (*path, i)))
    return table


def load_json(text: str, file: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, Positions]:
    """Parse JSON; positions are computed from the same text (JSON is YAML) for error messages."""
    check_size(len(text.encode("utf-8", "surrogatepass")), file, limits)
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Diagnostic(
                    "KT102",
                    f"invalid JSON: {exc.msg}",
                    location=Location(file=file, line=exc.lineno, column=exc.colno),
                    help="check commas, quotes and brackets near this position",
                )
            ]
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(
            [
                Diagnostic(
                    "KT104" if isinstance(exc, RecursionError) else "KT102",
                    "invalid JSON: nesting too deep"
                    if isinstance(exc, RecursionError)
                    else f"invalid JSON: {exc}",
                    location=Location(file=file),
                )
            ]
        ) from None
    depth = _depth(data, limits.max_depth)
    if depth > limits.max_depth:
        raise InputError(
            [
                Diagnostic(
                    "KT104",
                    f"nesting deeper than {limits.max_depth} levels",
                    location=Location(file=file),
                    help="flatten the structure; batch files need only a few levels",
                )
            ]
        )
    return data, _LazyJsonPositions(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number")


def _depth(data: Any, cap: int) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > cap:
            return deepest
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


class _LazyJsonPositions(Positions):
    """Positions for JSON text, computed only when an error needs them."""

    def __init__(self, text: str) -> None:
        super().__init__({})
        self._text = text
        self._done = False

    def find(self, path: Path) -> tuple[int, int] | None:
        if not self._done:
            self._done = True
            try:
                node = yaml.compose(self._text, Loader=_Loader)
            except yaml.YAMLError:
                node = None
            if node is not None:
                self.table.update(_positions(node))
        return super().find(path)
