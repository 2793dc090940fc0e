"""The safe YAML reader of manifests: bytes → one node tree (safe composer only, no
aliases, no tags beyond plain values, bounded depth), and readers that turn nodes into
plain Python values, each problem reported as `file:line: key.path: message`.

It never constructs arbitrary objects and never lets a glob leave the repository.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from phasemod.recipe import shown as show

# A manifest is a short, reviewable plan; anything bigger is a mistake or an attack.
MAX_FILE_BYTES = 1 << 20
# Nesting deeper than this is never a manifest; it also keeps PyYAML's recursive
# composer far away from Python's recursion limit.
MAX_DEPTH = 32


@dataclass(frozen=True)
class FileSet:
    """gitignore-style globs relative to the repo root. In a per-recipe filter an empty
    ``include`` means "every file of the phase"."""

    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()


class OptionsMapping(Mapping[str, Any]):
    """A read-only, hashable mapping: the options of a user recipe (lists become tuples,
    nested mappings become ``OptionsMapping``)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | Sequence[tuple[str, Any]] = ()) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items.items(), key=lambda kv: kv[0])))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"OptionsMapping({self._items!r})"


# ----------------------------------------------------------------------------- problems


FILE_KEY = "(file)"


class Problems:
    """Problems of one manifest file, each kept with its line for sorting."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, key: str, message: str) -> None:
        # The key path never holds ':' and the message is one line, so every problem
        # matches `file:line: key.path: message` and splits unambiguously. Callers
        # already keep ':' out of key paths; the replace is the last line of defence.
        key = key.replace(":", "?").replace("\n", " ") or FILE_KEY
        message = " ".join(message.split())
        self.items.append((line, f"{self.shown}:{line}: {key}: {message}"))

    def lines(self) -> list[str]:
        return [text for _, text in sorted(self.items, key=lambda item: item[0])]


def closest(word: str, allowed: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'? " if match else ""


def join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


# ----------------------------------------------------------------------------- YAML


TAG = "tag:yaml.org,2002:"
ALIAS_TAG = "tag:phasemod,alias"
SCALAR_TAGS = {TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "merge")}
ALLOWED_TAGS = SCALAR_TAGS | {TAG + "seq", TAG + "map", ALIAS_TAG}


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Loader(yaml.SafeLoader):
    """SafeLoader's composer, minus aliases (recorded, never expanded) and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_lines: list[int] = []
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            # Aliases are refused rather than capped: expanding them is the "billion
            # laughs" attack, and a plan a reviewer approves should say what it does in place.
            event = self.get_event()
            self.alias_lines.append(event.start_mark.line + 1)
            return yaml.ScalarNode(ALIAS_TAG, "", event.start_mark, event.end_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(data: bytes, out: Problems) -> yaml.Node | None:
    """Bytes → one YAML node tree, or None with the reason added to ``out``."""
    if not data.strip():
        out.add(1, FILE_KEY, "the file is empty; write a mapping with phase, name, files and recipes")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        out.add(line, FILE_KEY, f"not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); save the file as UTF-8")
        return None
    loader: _Loader | None = None
    try:
        loader = _Loader(text)   # the reader already checks characters here
        node = loader.get_single_node()
    except _TooDeep as err:
        out.add(err.line, FILE_KEY, f"nested more than {MAX_DEPTH} levels deep; a manifest needs only a few levels")
        return None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(part for part in (err.context, err.problem) if part)
        out.add(line, FILE_KEY, f"not valid YAML: {what}; fix the syntax (quote values that hold ': ' or start with '*', '&', '!', '%', '@')")
        return None
    except yaml.YAMLError as err:  # reader errors: control characters and the like
        line = text[: getattr(err, "position", 0)].count("\n") + 1
        out.add(line, FILE_KEY, f"not valid YAML: {getattr(err, 'reason', err)}; remove control characters")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    for line in loader.alias_lines:
        out.add(line, FILE_KEY, "YAML aliases (*name) are not allowed; write the value out in full")
    if node is None:
        out.add(1, FILE_KEY, "the file holds only comments; write a mapping with phase, name, files and recipes")
        return None
    # Tags are checked over the whole tree, under unknown keys too: `!!python/...` is
    # reported as what it is, wherever it hides, and the walk below never sees one.
    pending = [node]
    while pending:
        current = pending.pop()
        if current.tag not in ALLOWED_TAGS:
            out.add(line_of(current), FILE_KEY, f"tag {show(current.tag.replace(TAG, '!!'))} is not allowed; manifests hold plain strings, numbers, booleans, lists and mappings, remove the tag")
        if isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            pending.extend(n for pair in current.value for n in pair)
    return node


_constructor = yaml.constructor.SafeConstructor()
_BUILD = {
    TAG + "null": lambda node: None,
    TAG + "bool": _constructor.construct_yaml_bool,
    TAG + "int": _constructor.construct_yaml_int,
    TAG + "float": _constructor.construct_yaml_float,
}


class Bad(Exception):
    """A value that cannot be used; already reported or to be reported by the caller."""


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def plain(node: yaml.Node, key: str, out: Problems) -> Any:
    """A scalar node's Python value (str, int, float, bool or None); raises Bad."""
    if node.tag == ALIAS_TAG or node.tag not in ALLOWED_TAGS:
        raise Bad  # reported once, where the file was read
    if not isinstance(node, yaml.ScalarNode):
        return _Shape(node)
    if node.tag not in SCALAR_TAGS:
        raise Bad  # reported where the file was read
    build = _BUILD.get(node.tag)
    if build is None:  # str, and dates/merge keys kept as the text that was written
        return node.value
    try:
        return build(node)
    except Exception:  # an explicit tag on a value it cannot hold, e.g. `!!int abc`
        out.add(line_of(node), key, f"{show(node.value)} is not a valid {node.tag.replace(TAG, '')}; remove the tag or fix the value")
        raise Bad from None


class _Shape:
    """Stands for a list or mapping where a scalar was expected (for messages)."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node

    def __repr__(self) -> str:
        return "a list" if isinstance(self.node, yaml.SequenceNode) else "a mapping"


def got(value: Any) -> str:
    if isinstance(value, _Shape):
        return f"got {value!r}"
    if value is None:
        return "got nothing (null)"
    if isinstance(value, bool):
        return f"got {show(value)}"
    if isinstance(value, (int, float)):
        return f"got the number {show(value)}"
    return f"got {show(value)}"


def check_tag(node: yaml.Node, key: str, out: Problems) -> None:
    if node.tag not in ALLOWED_TAGS:
        raise Bad  # reported where the file was read


def mapping(node: yaml.Node, key: str, allowed: Sequence[str], out: Problems, *,
             what: str = "key", example: str = "") -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping node's entries by key, after reporting duplicates and unknown keys."""
    if node.tag == ALIAS_TAG:
        raise Bad
    if not isinstance(node, yaml.MappingNode):
        value = plain(node, key, out)
        out.add(line_of(node), key, f"expected a mapping{example}, {got(value)}")
        raise Bad
    check_tag(node, key, out)
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == ALIAS_TAG:
            out.add(line_of(key_node), key or FILE_KEY, f"a {what} must be a plain word, got a {'list' if isinstance(key_node, yaml.SequenceNode) else 'mapping' if isinstance(key_node, yaml.MappingNode) else 'alias'}; allowed {what}s: {', '.join(allowed)}")
            continue
        name = key_node.value
        if name in first_line:
            out.add(line_of(key_node), join(key, name) if simple(name) else key,
                    f"duplicate {what} {show(name)} (first at line {first_line[name]}); keep only one")
            continue
        first_line[name] = line_of(key_node)
        if name not in allowed:
            out.add(line_of(key_node), join(key, name) if simple(name) else key or FILE_KEY,
                    f"unknown {what} {show(name)}; {closest(name, allowed)}allowed {what}s: {', '.join(allowed)}")
            continue
        entries[name] = (key_node, value_node)
    return entries


def simple(name: str) -> bool:
    """Whether a key can appear in a key path as is."""
    return bool(re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name))


def sequence(node: yaml.Node, key: str, out: Problems, *, single: bool, example: str) -> list[yaml.Node]:
    """A list node's items; a lone scalar counts as a one-item list when ``single``."""
    if node.tag == ALIAS_TAG:
        raise Bad
    if isinstance(node, yaml.SequenceNode):
        check_tag(node, key, out)
        return list(node.value)
    if single and isinstance(node, yaml.ScalarNode) and node.tag == TAG + "str":
        return [node]
    value = plain(node, key, out)
    out.add(line_of(node), key, f"expected a list{example}, {got(value)}")
    raise Bad


def string(node: yaml.Node, key: str, out: Problems, *, example: str = "", empty_ok: bool = False) -> str:
    value = plain(node, key, out)
    if not isinstance(value, str):
        out.add(line_of(node), key, f"expected a string{example}, {got(value)}")
        raise Bad
    if not empty_ok and not value.strip():
        out.add(line_of(node), key, "must not be empty" + (f"; write a value{example}" if example else ""))
        raise Bad
    if "\x00" in value:
        out.add(line_of(node), key, "contains a NUL character; remove it")
        raise Bad
    return value


def integer(node: yaml.Node, key: str, out: Problems, *, example: str) -> int:
    value = plain(node, key, out)
    if isinstance(value, bool) or not isinstance(value, int):
        out.add(line_of(node), key, f"expected an integer{example}, {got(value)}")
        raise Bad
    return value


def choice(node: yaml.Node, key: str, choices: Sequence[str], out: Problems) -> str:
    value = plain(node, key, out)
    if not isinstance(value, str) or value not in choices:
        hint = closest(value, choices) if isinstance(value, str) else ""
        out.add(line_of(node), key, f"expected one of {', '.join(choices)}, {got(value)}{'; ' + hint.rstrip('? ') + '?' if hint else ''}")
        raise Bad
    return value


def frozen(node: yaml.Node, key: str, out: Problems) -> Any:
    """Any YAML value as an immutable Python value (user recipe options)."""
    if isinstance(node, yaml.SequenceNode):
        check_tag(node, key, out)
        return tuple(frozen(item, f"{key}[{i}]", out) for i, item in enumerate(node.value))
    if isinstance(node, yaml.MappingNode):
        entries = mapping(node, key, [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)], out, what="option")
        return OptionsMapping({name: frozen(value, join(key, name) if simple(name) else key, out)
                               for name, (_, value) in entries.items()})
    return plain(node, key, out)


# ----------------------------------------------------------------------------- paths


def glob_problem(glob: str) -> str | None:
    """Why a repo-relative glob or path is unsafe or malformed, or None."""
    if not glob.strip():
        return "must not be empty; write a path relative to the repo root like pkg/**/*.py"
    if any(ch in glob for ch in "\x00\n\r"):
        return f"contains a NUL or line break, got {show(glob)}; write one path per list item"
    if "\\" in glob:
        return f"contains a backslash, got {show(glob)}; use '/' as the separator"
    if re.match(r"[A-Za-z]:", glob):
        return f"is a drive path, got {show(glob)}; write a path relative to the repo root"
    if glob.startswith("/"):
        return f"is an absolute path, got {show(glob)}; write it relative to the repo root, like {show(glob.lstrip('/') or 'pkg/**/*.py')}"
    if glob.startswith("~"):
        return f"refers to a home directory, got {show(glob)}; write a path relative to the repo root"
    if ".." in glob.split("/"):
        return f"leaves the repo root with '..', got {show(glob)}; write a path inside the repo"
    from phasemod.globs import Glob, GlobError

    try:   # the syntax the matcher reads: a reversed range or an empty class is an error here
        Glob(glob)
    except GlobError as exc:
        return f"{exc}, got {show(glob)}"
    return None


def globs(node: yaml.Node, key: str, out: Problems, *, dirs: bool = False) -> tuple[str, ...]:
    example = " of directories like [src]" if dirs else " of globs like [pkg/**/*.py]"
    items = sequence(node, key, out, single=True, example=example)
    result: list[str] = []
    bad = False
    for i, item in enumerate(items):
        item_key = f"{key}[{i}]" if isinstance(node, yaml.SequenceNode) else key
        try:
            value = string(item, item_key, out, example=example.replace(" of ", " "), empty_ok=True)
        except Bad:
            bad = True
            continue
        problem = glob_problem(value)
        if problem is None and dirs and any(ch in value for ch in "*?["):
            problem = f"must be a directory, not a glob, got {show(value)}"
        if problem:
            out.add(line_of(item), item_key, problem)
            bad = True
            continue
        result.append(value)
    if bad:
        raise Bad
    return tuple(result)


def fileset(node: yaml.Node, key: str, out: Problems, *, include_required: bool) -> FileSet:
    entries = mapping(node, key, ("include", "exclude"), out,
                       example=" with include (and optionally exclude) lists of globs")
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    bad = False
    if "include" in entries:
        try:
            include = globs(entries["include"][1], join(key, "include"), out)
            if include_required and not include:
                out.add(line_of(entries["include"][1]), join(key, "include"), "must list at least one glob, like [pkg/**/*.py]")
                bad = True
        except Bad:
            bad = True
    elif include_required:
        out.add(line_of(node), join(key, "include"), "missing required key; add include: [pkg/**/*.py] (globs relative to the repo root)")
        bad = True
    if "exclude" in entries:
        try:
            exclude = globs(entries["exclude"][1], join(key, "exclude"), out)
        except Bad:
            bad = True
    if not include_required and not node.value:
        out.add(line_of(node), key, "is empty; give include and/or exclude globs, or remove files")
        bad = True
    if bad:
        raise Bad
    return FileSet(include, exclude)
