"""Reading YAML and JSON text safely, with source positions and bounded size.

Everything read here is data: YAML is composed with PyYAML's safe loader (libyaml when available),
only the core tags are accepted (`!!python/...` and custom tags are errors), YAML 1.1 booleans
such as `no`/`off`/`yes` stay strings, duplicate keys are errors, numbers with a fraction are read
as `Decimal` (never `float`), and alias expansion, nesting depth and size are bounded (`Limits`,
documented in docs/limits.md) before anything is constructed.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from khenthuong.errors import Diagnostic, InputError, Location

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
)
# Longest integer literal accepted; Python refuses to convert more than 4300 digits anyway.
MAX_INT_DIGITS = 40


class _ScalarValueError(Exception):
    """A scalar that has the right syntax but no value (2021-02-30, a 5000-digit number)."""

    def __init__(self, node: yaml.Node, message: str, help_: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.help = help_


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader whose booleans are YAML 1.2's (only true/false) and whose fractions are Decimal."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, InvalidOperation) as exc:
            if node.tag == _TIMESTAMP:
                raise _ScalarValueError(
                    node,
                    f'"{node.value}" is not a date of the calendar ({exc})',
                    "write dates as YYYY-MM-DD with a day that exists in that month, "
                    "e.g. 2021-02-28",
                ) from None
            raise _ScalarValueError(
                node,
                f'"{_clip(str(node.value))}" is not a usable value ({exc})',
                "write a plain number or date, or quote the text",
            ) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = len(str(node.value).replace("_", "").lstrip("+-"))
        if digits > MAX_INT_DIGITS:
            raise ValueError(f"a number of {digits} digits is longer than {MAX_INT_DIGITS}")
        value: int = super().construct_yaml_int(node)
        return value

    def construct_yaml_decimal(self, node: yaml.ScalarNode) -> Decimal:
        text = str(self.construct_scalar(node)).replace("_", "").lower()
        sign = -1 if text.startswith("-") else 1
        text = text.lstrip("+-")
        if text == ".inf":
            return Decimal(sign) * Decimal("Infinity")
        if text == ".nan":
            return Decimal("NaN")
        if len(text) > MAX_INT_DIGITS * 2:
            raise ValueError(f"a number of {len(text)} characters is too long")
        if ":" in text:  # YAML 1.1 sexagesimal, e.g. 190:20:30.15
            value, base = Decimal(0), Decimal(1)
            for part in reversed(text.split(":")):
                value += Decimal(part) * base
                base *= 60
            return sign * value
        return sign * Decimal(text)


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor(_FLOAT, _Loader.construct_yaml_decimal)


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what a single input may cost (see docs/limits.md).

    Attributes:
        max_bytes: size of one file, in bytes (KT106).
        max_depth: nesting of mappings and lists (KT104).
        max_nodes: values in one document after YAML aliases are expanded (KT107).
        max_rows: records in one section (units, people, households, nominations) or data rows in
            one sheet or CSV file (KT160).

    Example:
        >>> Limits().max_depth
        64
        >>> Limits.from_options(max_rows=500).max_rows
        500
    """

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 4_000_000
    max_rows: int = 100_000

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{f.name} must be a whole number of at least 1, not {value!r}")

    @classmethod
    def from_options(cls, **options: int | None) -> Limits:
        """Defaults, with each option that is not None replacing its default."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise ValueError(f"unknown limit {unknown[0]!r}; known: {', '.join(sorted(names))}")
        return cls(**{k: v for k, v in options.items() if v is not None})


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


_BOMS_32 = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_BOMS_16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes, file: str) -> str:
    """Text of a file: UTF-8 (with or without BOM), or UTF-16/UTF-32 with BOM; else an error.

    Example:
        >>> decode("batch: {}".encode("utf-16"), "b.yaml")
        'batch: {}'
        >>> decode(b"\\xef\\xbb\\xbfname: Hoa", "b.yaml")
        'name: Hoa'
    """
    if data.startswith(_BOMS_32):
        return _decode_as(data, "utf-32", file)
    if data.startswith(_BOMS_16):
        return _decode_as(data, "utf-16", file)
    nul = data.find(b"\x00", 0, 4096)
    if nul >= 0:
        raise InputError(
            [
                Diagnostic(
                    "KT101",
                    "the file contains NUL bytes: it is UTF-16 without a byte-order mark, "
                    "or not a text file",
                    location=Location(file=file, line=data.count(b"\n", 0, nul) + 1),
                    help="save the file as UTF-8 (in Excel: 'CSV UTF-8'; in Notepad: 'UTF-8')",
                )
            ]
        )
    return _decode_as(data, "utf-8-sig", file)


def _decode_as(data: bytes, encoding: str, file: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1 if encoding == "utf-8-sig" else None
        shown = exc.object[exc.start : exc.start + 4].hex(" ")
        raise InputError(
            [
                Diagnostic(
                    "KT101",
                    f"the file is not {'UTF-8' if encoding == 'utf-8-sig' else encoding.upper()} "
                    f"text (byte {exc.start}: {shown} cannot be decoded)",
                    location=Location(file=file, line=line),
                    help="save the file as UTF-8 (in Excel: 'CSV UTF-8'); Windows-1258, VNI or "
                    "TCVN3 text must be converted to Unicode first (e.g. with Unikey's converter)",
                )
            ]
        ) from None


def check_size(size: int, file: str, limits: Limits, *, exact: bool = True) -> None:
    """Raise KT106 if `size` bytes is over `limits.max_bytes` (`exact`: size is the whole file)."""
    if size > limits.max_bytes:
        raise InputError(
            [
                Diagnostic(
                    "KT106",
                    f"the file is {'' if exact else 'more than '}"
                    f"{size if exact else limits.max_bytes:,} bytes, "
                    f"over the limit of {limits.max_bytes:,}",
                    location=Location(file=file),
                    help="split the batch, or raise the limit with --max-bytes if it is genuine",
                )
            ]
        )


def load_yaml(text: str, file: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, Positions]:
    """Parse one YAML document into plain data and a position table; raise InputError if unsafe.

    Example:
        >>> data, positions = load_yaml("batch:\\n  year: 2021\\n  ratio: 0.15\\n", "b.yaml")
        >>> data["batch"]["ratio"], positions.find(("batch", "year"))
        (Decimal('0.15'), (2, 3))
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), file, limits)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        problem = str(exc.problem or exc.context)
        if "maximum nesting depth" in problem:
            raise _too_deep(Location(file=file, line=line, column=col), limits) from None
        raise InputError(
            [
                Diagnostic(
                    "KT102",
                    f"invalid YAML: {problem}",
                    location=Location(file=file, line=line, column=col),
                    help="check indentation and quoting near this line",
                )
            ]
        ) from None
    except RecursionError:  # the pure-Python composer recurses once per level
        raise _too_deep(Location(file=file), limits) from None
    except yaml.reader.ReaderError as exc:  # a control character or a lone surrogate
        # libyaml reports a byte offset, PyYAML a character offset: find the character itself.
        found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line, col = _line_col(text, found if found >= 0 else exc.position)
        raise InputError(
            [
                Diagnostic(
                    "KT102",
                    f"invalid YAML: the character {_codepoint(exc.character)} is not allowed "
                    "in a text file",
                    location=Location(file=file, line=line, column=col),
                    help="remove the character (often pasted from another program) or save the "
                    "file again as plain UTF-8 text",
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
    table, paths = _positions(node)
    try:
        data = _Loader(text).construct_document(node)
    except _ScalarValueError as exc:
        mark = exc.node.start_mark
        path = paths.get(id(exc.node))
        raise InputError(
            [
                Diagnostic(
                    "KT113",
                    exc.message,
                    location=Location(
                        file=file,
                        line=mark.line + 1,
                        column=mark.column + 1,
                        path=_format_path(path) if path else None,
                    ),
                    help=exc.help,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:  # e.g. an unhashable mapping key
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [
                Diagnostic(
                    "KT102",
                    f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
                    location=Location(
                        file=file,
                        line=mark.line + 1 if mark else None,
                        column=mark.column + 1 if mark else None,
                    ),
                    help="keys are plain words; lists and mappings cannot be keys",
                )
            ]
        ) from None
    return data, Positions(table)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character `offset` in `text`."""
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


def _codepoint(character: Any) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{code:04X}"


def _too_deep(location: Location, limits: Limits) -> InputError:
    return InputError(
        [
            Diagnostic(
                "KT104",
                f"nesting deeper than {limits.max_depth} levels",
                location=location,
                help="flatten the structure; batch files need only a few levels",
            )
        ]
    )


def _format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


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
        if not done and depth > limits.max_depth:
            yield _at(
                node,
                file,
                "KT104",
                f"nesting deeper than {limits.max_depth} levels",
                "flatten the structure; batch files need only a few levels "
                "(or an alias refers to the list or mapping that contains it)",
            )
            return
        if not done and node.tag not in _ALLOWED_TAGS:
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
                if not done and isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        yield _at(
                            key,
                            file,
                            "KT105",
                            f'duplicate key "{_clip(str(key.value))}"',
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
                "remove the anchors/aliases (&x / *x) or split the file; "
                "raise the limit with --max-nodes if the file is genuine",
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


def _positions(root: yaml.Node) -> tuple[dict[Path, tuple[int, int]], dict[int, Path]]:
    """Field path → (line, column), and node id → the first field path that reaches it."""
    table: dict[Path, tuple[int, int]] = {}
    paths: dict[int, Path] = {}
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        table.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) in paths:
            continue
        paths[id(node)] = path
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    child = (*path, key.value)
                    table.setdefault(child, (key.start_mark.line + 1, key.start_mark.column + 1))
                    paths.setdefault(id(key), child)
                    stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, (*path, i)))
    return table, paths


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _json_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise ValueError(f"a number of {len(text)} digits is longer than {MAX_INT_DIGITS}")
    return int(text)


def _json_decimal(text: str) -> Decimal:
    if len(text) > MAX_INT_DIGITS * 2:
        raise ValueError(f"a number of {len(text)} characters is too long")
    return Decimal(text)


def load_json(text: str, file: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, Positions]:
    """Parse JSON; positions are computed from the same text (JSON is YAML) for error messages.

    Duplicate keys are errors (as in YAML) and numbers with a fraction are `Decimal`.

    Example:
        >>> load_json('{"ratio": 0.15}', "b.json")[0]
        {'ratio': Decimal('0.15')}
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), file, limits)
    if not text.strip():  # an empty file is reported like an empty YAML file (KT110)
        return None, Positions({})
    try:
        data = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=_json_int,
            parse_float=_json_decimal,
            object_pairs_hook=_no_duplicates,
        )
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
    except _DuplicateKeyError as exc:
        located = _json_duplicate(text, file, limits)
        raise InputError(
            [
                located
                or Diagnostic(
                    "KT105",
                    f'duplicate key "{_clip(str(exc))}"',
                    location=Location(file=file),
                    help="each key may appear once in an object; remove or rename one",
                )
            ]
        ) from None
    except RecursionError:
        line, col = _json_too_deep_at(text, limits.max_depth)
        raise _too_deep(Location(file=file, line=line, column=col), limits) from None
    except ValueError as exc:
        pattern = _JSON_CONSTANT if "not a valid number" in str(exc) else _JSON_LONG_NUMBER
        hit = pattern.search(text)
        line, col = _line_col(text, hit.start()) if hit else (None, None)
        raise InputError(
            [
                Diagnostic(
                    "KT102",
                    f"invalid JSON: {exc}",
                    location=Location(file=file, line=line, column=col),
                    help="numbers are plain decimals such as 7.5; NaN and Infinity are not allowed",
                )
            ]
        ) from None
    depth = _depth(data, limits.max_depth)
    if depth > limits.max_depth:
        line, col = _json_too_deep_at(text, limits.max_depth)
        raise _too_deep(Location(file=file, line=line, column=col), limits)
    return data, _LazyJsonPositions(text)


_JSON_CONSTANT = re.compile(r"(?<![\w\"])-?(?:NaN|Infinity)\b")
_JSON_LONG_NUMBER = re.compile(rf"(?<![\w\".])-?[0-9][0-9.eE+-]{{{MAX_INT_DIGITS},}}")


def _json_too_deep_at(text: str, max_depth: int) -> tuple[int | None, int | None]:
    """Line and column of the first bracket nested deeper than `max_depth` (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return _line_col(text, i)
        elif char in "]}":
            depth -= 1
    return None, None


def _json_duplicate(text: str, file: str, limits: Limits) -> Diagnostic | None:
    """The located KT105 for JSON text with a duplicate key (JSON is YAML, so compose it)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return None
    if node is None:
        return None
    return next((d for d in _check_node(node, file, limits) if d.code == "KT105"), None)


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
            except (yaml.YAMLError, RecursionError):
                node = None
            if node is not None:
                self.table.update(_positions(node)[0])
        return super().find(path)
