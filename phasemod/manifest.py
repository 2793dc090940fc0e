"""Phase manifests: YAML files → frozen ``Phase`` records, every problem reported at once.

Reads YAML only through a safe composer and builds every value itself; it must never
construct arbitrary objects, import or run user recipes, or let a glob leave the repo.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import errno
import difflib
import keyword
import math
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from phasemod import catalog
from phasemod.recipe import Reads, Recipe, shown as _show, yaml_flow
from phasemod.errors import ManifestError

__all__ = [
    "FileSet", "RecipeSpec", "Validation", "Phase", "OptionsMapping",
    "load_phase_file", "load_manifests", "select_phases",
    "MAX_FILE_BYTES", "MAX_DEPTH",
]

# A manifest is a short, reviewable plan; anything bigger is a mistake or an attack.
MAX_FILE_BYTES = 1 << 20
# Nesting deeper than this is never a manifest; it also keeps PyYAML's recursive
# composer far away from Python's recursion limit.
MAX_DEPTH = 32

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_MAX_NAME = 64


# ----------------------------------------------------------------------------- records


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


@dataclass(frozen=True)
class RecipeSpec:
    name: str                  # a built-in recipe's id, or a user recipe "package.module:function"
    options: object            # the recipe's Options instance, or an OptionsMapping (user recipe)
    files: FileSet | None      # narrows the phase's files (include: only these; exclude: minus these)
    line: int                  # line of the recipe entry in the manifest

    @property
    def is_user_recipe(self) -> bool:
        return ":" in self.name


@dataclass(frozen=True)
class Validation:
    run: str
    timeout: float = 600
    severity: Literal["critical", "warn"] = "critical"
    line: int = 0


@dataclass(frozen=True)
class Phase:
    number: int
    name: str
    description: str
    requires: tuple[int, ...]     # phase numbers; default: every lower-numbered phase
    files: FileSet
    recipes: tuple[RecipeSpec, ...]
    validate: tuple[Validation, ...]
    on_failure: Literal["rollback", "stop"]
    source_roots: tuple[str, ...]
    path: Path                    # the manifest file, as given
    # What the file wrote under `requires` (None: the key was absent). load_phase_file
    # cannot resolve names or the default without the other files; load_manifests can.
    requires_as_written: tuple[int | str, ...] | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"


# ----------------------------------------------------------------------------- problems


_FILE_KEY = "(file)"


class _Problems:
    """Problems of one manifest file, each kept with its line for sorting."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, key: str, message: str) -> None:
        # The key path never holds ':' and the message is one line, so every problem
        # matches `file:line: key.path: message` and splits unambiguously. Callers
        # already keep ':' out of key paths; the replace is the last line of defence.
        key = key.replace(":", "?").replace("\n", " ") or _FILE_KEY
        message = " ".join(message.split())
        self.items.append((line, f"{self.shown}:{line}: {key}: {message}"))

    def lines(self) -> list[str]:
        return [text for _, text in sorted(self.items, key=lambda item: item[0])]


def _closest(word: str, allowed: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, list(allowed), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'? " if match else ""


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


# ----------------------------------------------------------------------------- YAML


_TAG = "tag:yaml.org,2002:"
_ALIAS_TAG = "tag:phasemod,alias"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "merge")}
_ALLOWED_TAGS = _SCALAR_TAGS | {_TAG + "seq", _TAG + "map", _ALIAS_TAG}


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
            return yaml.ScalarNode(_ALIAS_TAG, "", event.start_mark, event.end_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _compose(data: bytes, out: _Problems) -> yaml.Node | None:
    """Bytes → one YAML node tree, or None with the reason added to ``out``."""
    if not data.strip():
        out.add(1, _FILE_KEY, "the file is empty; write a mapping with phase, name, files and recipes")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        out.add(line, _FILE_KEY, f"not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); save the file as UTF-8")
        return None
    loader: _Loader | None = None
    try:
        loader = _Loader(text)   # the reader already checks characters here
        node = loader.get_single_node()
    except _TooDeep as err:
        out.add(err.line, _FILE_KEY, f"nested more than {MAX_DEPTH} levels deep; a manifest needs only a few levels")
        return None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(part for part in (err.context, err.problem) if part)
        out.add(line, _FILE_KEY, f"not valid YAML: {what}; fix the syntax (quote values that hold ': ' or start with '*', '&', '!', '%', '@')")
        return None
    except yaml.YAMLError as err:  # reader errors: control characters and the like
        line = text[: getattr(err, "position", 0)].count("\n") + 1
        out.add(line, _FILE_KEY, f"not valid YAML: {getattr(err, 'reason', err)}; remove control characters")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    for line in loader.alias_lines:
        out.add(line, _FILE_KEY, "YAML aliases (*name) are not allowed; write the value out in full")
    if node is None:
        out.add(1, _FILE_KEY, "the file holds only comments; write a mapping with phase, name, files and recipes")
        return None
    # Tags are checked over the whole tree, under unknown keys too: `!!python/...` is
    # reported as what it is, wherever it hides, and the walk below never sees one.
    pending = [node]
    while pending:
        current = pending.pop()
        if current.tag not in _ALLOWED_TAGS:
            out.add(_line(current), _FILE_KEY, f"tag {_show(current.tag.replace(_TAG, '!!'))} is not allowed; manifests hold plain strings, numbers, booleans, lists and mappings, remove the tag")
        if isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            pending.extend(n for pair in current.value for n in pair)
    return node


_constructor = yaml.constructor.SafeConstructor()
_BUILD = {
    _TAG + "null": lambda node: None,
    _TAG + "bool": _constructor.construct_yaml_bool,
    _TAG + "int": _constructor.construct_yaml_int,
    _TAG + "float": _constructor.construct_yaml_float,
}


class _Bad(Exception):
    """A value that cannot be used; already reported or to be reported by the caller."""


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _plain(node: yaml.Node, key: str, out: _Problems) -> Any:
    """A scalar node's Python value (str, int, float, bool or None); raises _Bad."""
    if node.tag == _ALIAS_TAG or node.tag not in _ALLOWED_TAGS:
        raise _Bad  # reported once, where the file was read
    if not isinstance(node, yaml.ScalarNode):
        return _Shape(node)
    if node.tag not in _SCALAR_TAGS:
        raise _Bad  # reported where the file was read
    build = _BUILD.get(node.tag)
    if build is None:  # str, and dates/merge keys kept as the text that was written
        return node.value
    try:
        return build(node)
    except Exception:  # an explicit tag on a value it cannot hold, e.g. `!!int abc`
        out.add(_line(node), key, f"{_show(node.value)} is not a valid {node.tag.replace(_TAG, '')}; remove the tag or fix the value")
        raise _Bad from None


class _Shape:
    """Stands for a list or mapping where a scalar was expected (for messages)."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node

    def __repr__(self) -> str:
        return "a list" if isinstance(self.node, yaml.SequenceNode) else "a mapping"


def _got(value: Any) -> str:
    if isinstance(value, _Shape):
        return f"got {value!r}"
    if value is None:
        return "got nothing (null)"
    if isinstance(value, bool):
        return f"got {_show(value)}"
    if isinstance(value, (int, float)):
        return f"got the number {_show(value)}"
    return f"got {_show(value)}"


def _check_tag(node: yaml.Node, key: str, out: _Problems) -> None:
    if node.tag not in _ALLOWED_TAGS:
        raise _Bad  # reported where the file was read


def _mapping(node: yaml.Node, key: str, allowed: Sequence[str], out: _Problems, *,
             what: str = "key", example: str = "") -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping node's entries by key, after reporting duplicates and unknown keys."""
    if node.tag == _ALIAS_TAG:
        raise _Bad
    if not isinstance(node, yaml.MappingNode):
        value = _plain(node, key, out)
        out.add(_line(node), key, f"expected a mapping{example}, {_got(value)}")
        raise _Bad
    _check_tag(node, key, out)
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _ALIAS_TAG:
            out.add(_line(key_node), key or _FILE_KEY, f"a {what} must be a plain word, got a {'list' if isinstance(key_node, yaml.SequenceNode) else 'mapping' if isinstance(key_node, yaml.MappingNode) else 'alias'}; allowed {what}s: {', '.join(allowed)}")
            continue
        name = key_node.value
        if name in first_line:
            out.add(_line(key_node), _join(key, name) if _simple(name) else key,
                    f"duplicate {what} {_show(name)} (first at line {first_line[name]}); keep only one")
            continue
        first_line[name] = _line(key_node)
        if name not in allowed:
            out.add(_line(key_node), _join(key, name) if _simple(name) else key or _FILE_KEY,
                    f"unknown {what} {_show(name)}; {_closest(name, allowed)}allowed {what}s: {', '.join(allowed)}")
            continue
        entries[name] = (key_node, value_node)
    return entries


def _simple(name: str) -> bool:
    """Whether a key can appear in a key path as is."""
    return bool(re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name))


def _sequence(node: yaml.Node, key: str, out: _Problems, *, single: bool, example: str) -> list[yaml.Node]:
    """A list node's items; a lone scalar counts as a one-item list when ``single``."""
    if node.tag == _ALIAS_TAG:
        raise _Bad
    if isinstance(node, yaml.SequenceNode):
        _check_tag(node, key, out)
        return list(node.value)
    if single and isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "str":
        return [node]
    value = _plain(node, key, out)
    out.add(_line(node), key, f"expected a list{example}, {_got(value)}")
    raise _Bad


def _string(node: yaml.Node, key: str, out: _Problems, *, example: str = "", empty_ok: bool = False) -> str:
    value = _plain(node, key, out)
    if not isinstance(value, str):
        out.add(_line(node), key, f"expected a string{example}, {_got(value)}")
        raise _Bad
    if not empty_ok and not value.strip():
        out.add(_line(node), key, "must not be empty" + (f"; write a value{example}" if example else ""))
        raise _Bad
    if "\x00" in value:
        out.add(_line(node), key, "contains a NUL character; remove it")
        raise _Bad
    return value


def _integer(node: yaml.Node, key: str, out: _Problems, *, example: str) -> int:
    value = _plain(node, key, out)
    if isinstance(value, bool) or not isinstance(value, int):
        out.add(_line(node), key, f"expected an integer{example}, {_got(value)}")
        raise _Bad
    return value


def _choice(node: yaml.Node, key: str, choices: Sequence[str], out: _Problems) -> str:
    value = _plain(node, key, out)
    if not isinstance(value, str) or value not in choices:
        hint = _closest(value, choices) if isinstance(value, str) else ""
        out.add(_line(node), key, f"expected one of {', '.join(choices)}, {_got(value)}{'; ' + hint.rstrip('? ') + '?' if hint else ''}")
        raise _Bad
    return value


def _frozen(node: yaml.Node, key: str, out: _Problems) -> Any:
    """Any YAML value as an immutable Python value (user recipe options)."""
    if isinstance(node, yaml.SequenceNode):
        _check_tag(node, key, out)
        return tuple(_frozen(item, f"{key}[{i}]", out) for i, item in enumerate(node.value))
    if isinstance(node, yaml.MappingNode):
        entries = _mapping(node, key, [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)], out, what="option")
        return OptionsMapping({name: _frozen(value, _join(key, name) if _simple(name) else key, out)
                               for name, (_, value) in entries.items()})
    return _plain(node, key, out)


# ----------------------------------------------------------------------------- paths


def _glob_problem(glob: str) -> str | None:
    """Why a repo-relative glob or path is unsafe or malformed, or None."""
    if not glob.strip():
        return "must not be empty; write a path relative to the repo root like pkg/**/*.py"
    if any(ch in glob for ch in "\x00\n\r"):
        return f"contains a NUL or line break, got {_show(glob)}; write one path per list item"
    if "\\" in glob:
        return f"contains a backslash, got {_show(glob)}; use '/' as the separator"
    if re.match(r"[A-Za-z]:", glob):
        return f"is a drive path, got {_show(glob)}; write a path relative to the repo root"
    if glob.startswith("/"):
        return f"is an absolute path, got {_show(glob)}; write it relative to the repo root, like {_show(glob.lstrip('/') or 'pkg/**/*.py')}"
    if glob.startswith("~"):
        return f"refers to a home directory, got {_show(glob)}; write a path relative to the repo root"
    if ".." in glob.split("/"):
        return f"leaves the repo root with '..', got {_show(glob)}; write a path inside the repo"
    from phasemod.select import glob_problem

    return f"{glob_problem(glob)}, got {_show(glob)}" if glob_problem(glob) else None


def _globs(node: yaml.Node, key: str, out: _Problems, *, dirs: bool = False) -> tuple[str, ...]:
    example = " of directories like [src]" if dirs else " of globs like [pkg/**/*.py]"
    items = _sequence(node, key, out, single=True, example=example)
    result: list[str] = []
    bad = False
    for i, item in enumerate(items):
        item_key = f"{key}[{i}]" if isinstance(node, yaml.SequenceNode) else key
        try:
            value = _string(item, item_key, out, example=example.replace(" of ", " "), empty_ok=True)
        except _Bad:
            bad = True
            continue
        problem = _glob_problem(value)
        if problem is None and dirs and any(ch in value for ch in "*?["):
            problem = f"must be a directory, not a glob, got {_show(value)}"
        if problem:
            out.add(_line(item), item_key, problem)
            bad = True
            continue
        result.append(value)
    if bad:
        raise _Bad
    return tuple(result)


def _fileset(node: yaml.Node, key: str, out: _Problems, *, include_required: bool) -> FileSet:
    entries = _mapping(node, key, ("include", "exclude"), out,
                       example=" with include (and optionally exclude) lists of globs")
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    bad = False
    if "include" in entries:
        try:
            include = _globs(entries["include"][1], _join(key, "include"), out)
            if include_required and not include:
                out.add(_line(entries["include"][1]), _join(key, "include"), "must list at least one glob, like [pkg/**/*.py]")
                bad = True
        except _Bad:
            bad = True
    elif include_required:
        out.add(_line(node), _join(key, "include"), "missing required key; add include: [pkg/**/*.py] (globs relative to the repo root)")
        bad = True
    if "exclude" in entries:
        try:
            exclude = _globs(entries["exclude"][1], _join(key, "exclude"), out)
        except _Bad:
            bad = True
    if not include_required and not node.value:
        out.add(_line(node), key, "is empty; give include and/or exclude globs, or remove files")
        bad = True
    if bad:
        raise _Bad
    return FileSet(include, exclude)


# ----------------------------------------------------------------------------- recipes

_RECIPE_FILES = "files"                         # reserved in every recipe: the per-recipe filter
_USER_RECIPE = re.compile(r"[^\W\d]\w*(\.[^\W\d]\w*)*:[^\W\d]\w*")
_SCALARS = (str, bool, int, float)


@dataclass(frozen=True)
class _Option:
    """One field of a recipe's ``Options``: its type drives reading, its metadata
    (phasemod.recipe.option) gives the example and says whether it holds repo paths."""

    name: str
    hint: Any
    required: bool
    example: Any = None
    repo_paths: bool = False


def _expressible(hint: Any) -> bool:
    """Whether a manifest (JSON-like YAML) can express a value of type ``hint``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in _SCALARS or hint in (Any, object):
        return True
    if origin in (typing.Union, types.UnionType):
        return all(a is type(None) or _expressible(a) for a in args)
    if origin is Literal:
        return all(isinstance(a, (str, int, bool)) for a in args)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis and _expressible(args[0])
    if origin in (Mapping, dict, collections.abc.Mapping):
        return args[0] is str and _expressible(args[1])
    return False


@lru_cache(maxsize=None)
def _options_schema(recipe: Recipe) -> tuple[_Option, ...]:
    """The accepted options of a built-in recipe, read from its ``Options`` dataclass."""
    options_type = recipe.Options
    hints = typing.get_type_hints(options_type)
    schema: list[_Option] = []
    for spec in dataclasses.fields(options_type):
        hint = hints[spec.name]
        if not _expressible(hint):
            raise TypeError(f"recipe {recipe.id}: option {spec.name!r} has type {hint!r}, which manifests cannot express")
        if spec.name == _RECIPE_FILES:
            raise TypeError(f"recipe {recipe.id}: option name 'files' is reserved for the per-recipe filter")
        required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        schema.append(_Option(spec.name, hint, required, spec.metadata.get("example"),
                              bool(spec.metadata.get("repo_paths"))))
    return tuple(schema)


def _value(hint: Any, node: yaml.Node, key: str, out: _Problems, example: Any = None, repo_paths: bool = False) -> Any:
    """A YAML node read as a value of type ``hint`` (recursively), or _Bad."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if type(None) in args and isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "null":
            return None
        options = [a for a in args if a is not type(None)]
        hint = options[0] if len(options) == 1 else Any
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    like = f" like {yaml_flow(example)}" if isinstance(example, str) else ""
    if hint is str:
        return _string(node, key, out, example=like)
    if hint is bool:
        value = _plain(node, key, out)
        if not isinstance(value, bool):
            out.add(_line(node), key, f"expected true or false, {_got(value)}")
            raise _Bad
        return value
    if hint in (int, float):
        value = _plain(node, key, out)
        if isinstance(value, bool) or not isinstance(value, (int, float) if hint is float else int):
            out.add(_line(node), key, f"expected {'an integer' if hint is int else 'a number'}, {_got(value)}")
            raise _Bad
        return value
    if origin is Literal:
        return _choice(node, key, tuple(str(a) for a in args), out)
    if origin is tuple:
        if repo_paths:
            return _globs(node, key, out)
        items = _sequence(node, key, out, single=args[0] is str, example=" of strings" if args[0] is str else "")
        values, bad = [], False
        for i, item in enumerate(items):
            try:
                values.append(_value(args[0], item, f"{key}[{i}]" if isinstance(node, yaml.SequenceNode) else key, out))
            except _Bad:
                bad = True
        if bad:
            raise _Bad
        return tuple(values)
    if origin in (Mapping, dict, collections.abc.Mapping):
        names = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)] if isinstance(node, yaml.MappingNode) else []
        entries = _mapping(node, key, names, out, what="key", example=f" like {yaml_flow(example)}" if example else "")
        result, bad = {}, False
        for name, (_, value_node) in entries.items():
            try:
                result[name] = _value(args[1], value_node, _join(key, name) if _simple(name) else key, out)
            except _Bad:
                bad = True
        if bad:
            raise _Bad
        return OptionsMapping(result)
    return _frozen(node, key, out)


def _example_entry() -> str:
    """A recipe entry to show in messages: the first built-in Python recipe and the names
    of its required options."""
    recipe = next((r for r in catalog.builtin().values() if r.reads is Reads.PYTHON), None)
    if recipe is None:
        return "package.module:function: {}"
    required = [o for o in _options_schema(recipe) if o.required]
    shown = ", ".join(f"{o.name}: ..." for o in required)
    return f"{recipe.id}: {{{shown}}}"


def _recipe(index: int, item: yaml.Node, out: _Problems) -> RecipeSpec:
    key = f"recipes[{index}]"
    known_recipes = catalog.builtin()
    known = ", ".join(known_recipes)
    if isinstance(item, yaml.ScalarNode) and item.tag == _TAG + "str":
        name, options_node = item.value, None   # a bare name: a recipe without options
    elif isinstance(item, yaml.MappingNode) and len(item.value) == 1 and isinstance(item.value[0][0], yaml.ScalarNode):
        _check_tag(item, key, out)
        name, options_node = item.value[0][0].value, item.value[0][1]
    else:
        value = _plain(item, key, out) if not isinstance(item, yaml.MappingNode) else None
        count = len(item.value) if isinstance(item, yaml.MappingNode) else 0
        got = f"a mapping with {count} key{'s' if count != 1 else ''}" if isinstance(item, yaml.MappingNode) else _got(value).removeprefix("got ")
        out.add(_line(item), key, f"expected one recipe as a single-key mapping like '- {_example_entry()}', got {got}; start each recipe with its own '-'")
        raise _Bad
    line = _line(item)
    if ":" in name:
        return _user_recipe(name, options_node, key, line, out)
    if name not in known_recipes:
        shown_key = _join(key, name) if _simple(name) else key
        out.add(line, shown_key, f"unknown recipe {_show(name)}; {_closest(name, list(known_recipes))}known recipes: {known}; a recipe of your own is named package.module:function")
        raise _Bad
    recipe = known_recipes[name]
    key = _join(key, name)
    schema = {option.name: option for option in _options_schema(recipe)}
    allowed = [*schema, _RECIPE_FILES]
    if options_node is None or (isinstance(options_node, yaml.ScalarNode) and options_node.tag == _TAG + "null"):
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        options_line = line
    else:
        entries = _mapping(options_node, key, allowed, out, what="option", example=f" of {name} options ({', '.join(allowed)})")
        options_line = _line(options_node)
    values: dict[str, Any] = {}
    bad = False
    for option in schema.values():
        if option.name not in entries:
            if option.required:
                out.add(options_line, _join(key, option.name), f"missing required option; add {option.name}: {yaml_flow(option.example)}")
                bad = True
            continue
        try:
            values[option.name] = _value(option.hint, entries[option.name][1], _join(key, option.name), out,
                                         option.example, option.repo_paths)
        except _Bad:
            bad = True
    files = None
    if _RECIPE_FILES in entries:
        try:
            files = _fileset(entries[_RECIPE_FILES][1], _join(key, _RECIPE_FILES), out, include_required=False)
        except _Bad:
            bad = True
    if bad:
        raise _Bad
    option_line = {option: _line(value) for option, (_, value) in entries.items()}
    options = recipe.make_options(values)
    try:
        found = list(recipe.problems(options))
    except Exception as err:  # a recipe bug must still come out as a readable problem
        found = [("", f"the recipe's own checks failed ({type(err).__name__}: {err}); report this as a bug")]
    for option, message in found:
        option = str(option)
        out.add(option_line.get(option, line), _join(key, option) if option else key, str(message))
    if found:
        raise _Bad
    return RecipeSpec(name, options, files, line)


def _user_recipe(name: str, options_node: yaml.Node | None, key: str, line: int, out: _Problems) -> RecipeSpec:
    # The recipe's key path stays `recipes[i]`: its name holds ':' and would break the
    # `file:line: key: message` shape. It is never imported here: that runs user code.
    if not _USER_RECIPE.fullmatch(name) or any(keyword.iskeyword(p) for p in re.split(r"[.:]", name)):
        out.add(line, key, f"user recipe {_show(name)} must be named package.module:function (dotted identifiers, one ':'), like mytools.recipes:rename_settings")
        raise _Bad
    if options_node is None or (isinstance(options_node, yaml.ScalarNode) and options_node.tag == _TAG + "null"):
        return RecipeSpec(name, OptionsMapping(), None, line)
    if not isinstance(options_node, yaml.MappingNode):
        value = _plain(options_node, key, out)
        out.add(_line(options_node), key, f"expected a mapping of options for {name}, {_got(value)}")
        raise _Bad
    _check_tag(options_node, key, out)
    names = [k.value for k, _ in options_node.value if isinstance(k, yaml.ScalarNode)]
    entries = _mapping(options_node, key, names, out, what="option")
    files = None
    values: dict[str, Any] = {}
    bad = False
    for option, (_, value_node) in entries.items():
        try:
            if option == _RECIPE_FILES:
                files = _fileset(value_node, _join(key, option), out, include_required=False)
            else:
                values[option] = _frozen(value_node, _join(key, option) if _simple(option) else key, out)
        except _Bad:
            bad = True
    if bad or len(entries) != len(options_node.value):
        raise _Bad
    return RecipeSpec(name, OptionsMapping(values), files, line)


# ----------------------------------------------------------------------------- one file

_ROOT_KEYS = ("phase", "name", "description", "requires", "files", "recipes", "validate",
              "on_failure", "source_roots")
_VALIDATE_KEYS = ("run", "timeout", "severity")


@dataclass
class _Draft:
    """What one file said, as far as it was valid; cross-file checks read this."""

    path: Path
    out: _Problems
    number: int | None = None
    number_line: int = 1
    name: str | None = None
    name_line: int = 1
    requires: list[tuple[int | str, int]] | None = None    # (entry, line); None: key absent
    requires_line: int = 1
    phase: Phase | None = None                              # set when the file is valid


def _parse(path: Path) -> _Draft:
    draft = _Draft(path, _Problems(str(path)))
    out = draft.out
    from phasemod.select import read_regular

    try:   # a regular file only: a FIFO or device named *.yaml must not block or flood the load
        data = read_regular(path, MAX_FILE_BYTES)
    except OSError as err:
        if err.errno != errno.EFBIG:
            out.add(0, _FILE_KEY, f"cannot read the file ({err.strerror or err}); check the path and permissions")
            return draft
        data = b" " * (MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        out.add(1, _FILE_KEY, f"larger than {MAX_FILE_BYTES // 1024} KiB; a phase manifest is a short plan, split it into phases")
        return draft
    root = _compose(data, out)
    if root is None:
        return draft
    if not isinstance(root, yaml.MappingNode):
        got = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        out.add(_line(root), _FILE_KEY, f"expected a mapping with phase, name, files and recipes at the top, got {got}")
        return draft
    try:
        entries = _mapping(root, "", _ROOT_KEYS, out)
    except _Bad:
        return draft
    root_line = _line(root)
    fields: dict[str, Any] = {}

    def need(key: str, hint: str) -> None:
        if key not in entries:
            out.add(root_line, key, f"missing required key; add {hint}")

    need("phase", "phase: <number> (unique; phases run in number order)")
    need("name", "name: <slug> like critical-business-path")
    need("files", "files: {include: [pkg/**/*.py]} (globs relative to the repo root)")
    need("recipes", f"recipes: with at least one recipe, like '- {_example_entry()}'")

    def take(key: str, read: Any) -> None:
        if key in entries:
            try:
                fields[key] = read(entries[key][1], key)
            except _Bad:
                pass

    take("phase", lambda n, k: _phase_number(n, k, out))
    if "phase" in fields:
        draft.number, draft.number_line = fields["phase"], _line(entries["phase"][1])
    take("name", lambda n, k: _slug(n, k, out))
    if "name" in fields:
        draft.name, draft.name_line = fields["name"], _line(entries["name"][1])
    take("description", lambda n, k: _string(n, k, out, empty_ok=True))
    if "requires" in entries:
        draft.requires_line = _line(entries["requires"][1])
        take("requires", lambda n, k: _requires(n, k, out))
        draft.requires = fields.get("requires")
    take("files", lambda n, k: _fileset(n, k, out, include_required=True))
    take("recipes", lambda n, k: _recipes(n, k, out))
    take("validate", lambda n, k: _validations(n, k, out))
    take("on_failure", lambda n, k: _choice(n, k, ("rollback", "stop"), out))
    take("source_roots", lambda n, k: _globs(n, k, out, dirs=True))
    if draft.number is not None and draft.requires:
        for entry, line in draft.requires:
            if entry in (draft.number, draft.name):
                out.add(line, "requires", f"phase {draft.number} cannot require itself; remove {_show(entry)}")
    if out.items:
        return draft
    written = None if draft.requires is None else tuple(entry for entry, _ in draft.requires)
    draft.phase = Phase(
        number=fields["phase"], name=fields["name"], description=fields.get("description", ""),
        requires=tuple(e for e in written or () if isinstance(e, int)),
        files=fields["files"], recipes=fields["recipes"], validate=fields.get("validate", ()),
        on_failure=fields.get("on_failure", "rollback"), source_roots=fields.get("source_roots", ()),
        path=path, requires_as_written=written,
    )
    return draft


def _phase_number(node: yaml.Node, key: str, out: _Problems) -> int:
    number = _integer(node, key, out, example=" like 1")
    if not 0 <= number < 2**63:   # the journal stores it as a 64-bit integer
        out.add(_line(node), key, f"expected a phase number from 0 to {2**63 - 1} like 1, got {number}")
        raise _Bad
    return number


def _slug(node: yaml.Node, key: str, out: _Problems) -> str:
    value = _plain(node, key, out)
    if not isinstance(value, str) or not SLUG.fullmatch(value) or value.isdigit() or len(value) > _MAX_NAME:
        if isinstance(value, str):
            suggestion = "-".join(re.findall(r"[a-z0-9]+", value.lower()))[:_MAX_NAME]
            if suggestion.isdigit():
                suggestion = f"phase-{suggestion}"
            why = "a name needs a letter so it cannot be taken for a phase number; " if SLUG.fullmatch(value) and value.isdigit() else ""
        else:
            suggestion, why = "", ""
        write = f"; write {suggestion!r}" if suggestion and suggestion != value else ""
        out.add(_line(node), key, f"{why}expected a slug of lowercase letters, digits and '-' (at most {_MAX_NAME}) like critical-business-path, {_got(value)}{write}")
        raise _Bad
    return value


def _requires(node: yaml.Node, key: str, out: _Problems) -> list[tuple[int | str, int]]:
    items = _sequence(node, key, out, single=False, example=" of phase numbers or names like [1, critical-business-path]")
    result: list[tuple[int | str, int]] = []
    seen: dict[int | str, int] = {}
    bad = False
    for i, item in enumerate(items):
        item_key = f"{key}[{i}]"
        try:
            value = _plain(item, item_key, out)
        except _Bad:
            bad = True
            continue
        if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
            out.add(_line(item), item_key, f"expected a phase number or name, {_got(value)}")
            bad = True
            continue
        if value in seen:
            out.add(_line(item), item_key, f"{_show(value)} is listed twice (first at line {seen[value]}); keep one")
            bad = True
            continue
        seen[value] = _line(item)
        result.append((value, _line(item)))
    if bad:
        raise _Bad
    return result


def _recipes(node: yaml.Node, key: str, out: _Problems) -> tuple[RecipeSpec, ...]:
    items = _sequence(node, key, out, single=False, example=f" of recipes like '- {_example_entry()}'")
    if not items:
        out.add(_line(node), key, f"must list at least one recipe, like '- {_example_entry()}'")
        raise _Bad
    specs: list[RecipeSpec] = []
    bad = False
    for i, item in enumerate(items):
        try:
            specs.append(_recipe(i, item, out))
        except _Bad:
            bad = True
    if bad:
        raise _Bad
    return tuple(specs)


def _validations(node: yaml.Node, key: str, out: _Problems) -> tuple[Validation, ...]:
    items = _sequence(node, key, out, single=False, example=" of commands like '- run: python -m pytest -q'")
    result: list[Validation] = []
    bad = False
    for i, item in enumerate(items):
        item_key = f"{key}[{i}]"
        try:
            entries = _mapping(item, item_key, _VALIDATE_KEYS, out, example=" like {run: python -m pytest -q, timeout: 600}")
        except _Bad:
            bad = True
            continue
        values: dict[str, Any] = {}
        if "run" not in entries:
            out.add(_line(item), _join(item_key, "run"), "missing required key; add run: <command run in the repo root>")
            bad = True
        for name, (_, value_node) in entries.items():
            sub = _join(item_key, name)
            try:
                if name == "run":
                    values[name] = _string(value_node, sub, out, example=" like python -m pytest -q")
                elif name == "timeout":
                    values[name] = _timeout(value_node, sub, out)
                else:
                    values[name] = _choice(value_node, sub, ("critical", "warn"), out)
            except _Bad:
                bad = True
        if not bad:
            result.append(Validation(line=_line(item), **values))
    if bad:
        raise _Bad
    return tuple(result)


def _timeout(node: yaml.Node, key: str, out: _Problems) -> float:
    value = _plain(node, key, out)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        out.add(_line(node), key, f"expected a positive number of seconds like 600, {_got(value)}")
        raise _Bad
    return value


def load_phase_file(path: Path) -> Phase:
    """Load and validate one manifest on its own; raise ManifestError with all its problems.

    Without the other manifests, ``requires`` holds only the phase numbers the file
    wrote (names and the default "every lower-numbered phase" need load_manifests);
    ``requires_as_written`` keeps everything.
    """
    draft = _parse(Path(path))
    if draft.phase is None:
        raise ManifestError(draft.out.lines())
    return draft.phase


# ----------------------------------------------------------------------------- directory


def _manifest_files(directory: Path) -> list[Path]:
    # Dot-files are editor droppings (.#01.yaml) and never manifests.
    return sorted(p for p in directory.iterdir()
                  if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def load_manifests(directory: Path) -> tuple[Phase, ...]:
    """Load every ``*.yaml``/``*.yml`` in ``directory``, sorted by phase number.

    On top of each file's own checks: phase numbers and names are unique, every
    ``requires`` entry names an existing phase by number or name, and only a
    lower-numbered one (phases run in number order, so that also rules out cycles,
    which are named as such). All problems of all files come in one ManifestError.
    """
    directory = Path(directory)
    where = f"{directory}:0: (directory)"
    if not directory.is_dir():
        raise ManifestError([f"{where}: no such directory; pass --manifests DIR or create {directory}/ with one YAML file per phase"])
    try:
        files = _manifest_files(directory)
    except OSError as err:
        raise ManifestError([f"{where}: cannot list the directory ({err.strerror or err}); check its permissions"]) from None
    if not files:
        raise ManifestError([f"{where}: holds no *.yaml or *.yml manifests; write one file per phase, like 01-first-phase.yaml"])
    drafts = [_parse(path) for path in files]
    _cross_check(drafts)
    problems = [line for draft in drafts for line in draft.out.lines()]
    if problems:
        raise ManifestError(problems)
    phases = []
    for draft in drafts:
        assert draft.phase is not None
        phases.append(dataclasses.replace(draft.phase, requires=_resolve(draft, drafts)))
    return tuple(sorted(phases, key=lambda phase: phase.number))


def _resolve(draft: _Draft, drafts: Sequence[_Draft]) -> tuple[int, ...]:
    if draft.requires is None:
        return tuple(sorted(d.number for d in drafts if d.number is not None and d.number < (draft.number or 0)))
    by_name = {d.name: d.number for d in drafts if d.name is not None}
    return tuple(entry if isinstance(entry, int) else by_name[entry] for entry, _ in draft.requires)  # type: ignore[misc]


def _cross_check(drafts: Sequence[_Draft]) -> None:
    for attr, line_attr, what in (("number", "number_line", "phase"), ("name", "name_line", "name")):
        owners: dict[object, list[_Draft]] = {}
        for draft in drafts:
            if getattr(draft, attr) is not None:
                owners.setdefault(getattr(draft, attr), []).append(draft)
        for value, same in owners.items():
            if len(same) < 2:
                continue
            for draft in same:
                others = ", ".join(str(d.path) for d in same if d is not draft)
                fix = "give every phase its own number" if what == "phase" else "give every phase its own name"
                draft.out.add(getattr(draft, line_attr), what, f"{what} {_show(value)} is also used by {others}; {fix}")
    numbers = {d.number: d for d in drafts if d.number is not None}
    names = {d.name: d.number for d in drafts if d.name is not None and d.number is not None}
    known = ", ".join(f"{d.number} {d.name}" for d in sorted(numbers.values(), key=lambda d: d.number or 0)) or "none"
    edges: dict[int, list[tuple[int, int]]] = {}      # number → [(required number, line)]
    for draft in drafts:
        for i, (entry, line) in enumerate(draft.requires or ()):
            target = entry if isinstance(entry, int) else names.get(entry)
            if target is None or target not in numbers:
                hint = f"{_closest(entry, list(names))}" if isinstance(entry, str) else ""
                draft.out.add(line, f"requires[{i}]", f"no phase {_show(entry)} in {draft.path.parent}; {hint}known phases: {known}")
            elif draft.number is not None and target != draft.number:
                edges.setdefault(draft.number, []).append((target, line))
    in_cycle = _report_cycles(edges, numbers)
    for source, targets in edges.items():
        for target, line in targets:
            if target > source and (source, target) not in in_cycle:
                numbers[source].out.add(line, "requires", f"phase {source} requires phase {target} ({numbers[target].name}), which runs later; phases run in number order, so require only lower-numbered phases (or renumber)")


def _report_cycles(edges: dict[int, list[tuple[int, int]]], numbers: dict[int, _Draft]) -> set[tuple[int, int]]:
    """Report each requires cycle once, at the entry that closes it; return its edges."""
    state: dict[int, int] = {}    # 1: on the current path, 2: done
    stack: list[int] = []
    in_cycle: set[tuple[int, int]] = set()

    def visit(node: int) -> None:
        state[node] = 1
        stack.append(node)
        for target, line in edges.get(node, ()):
            if state.get(target) == 1:
                loop = stack[stack.index(target):] + [target]
                in_cycle.update(zip(loop, loop[1:]))
                shown = " -> ".join(f"{n} {numbers[n].name}" for n in loop)
                numbers[node].out.add(line, "requires", f"requires cycle: {shown}; a phase may require only lower-numbered phases, remove one of these entries")
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    # Iterative depth would be safer for thousands of phases; manifests hold a handful.
    for start in sorted(edges):
        if start not in state:
            visit(start)
    return in_cycle


def select_phases(phases: Sequence[Phase], wanted: Sequence[str]) -> tuple[Phase, ...]:
    """The phases named in ``wanted`` (numbers or names), in phase order, each once.

    Unknown entries raise one ManifestError listing them all with the known phases.
    """
    by_number = {str(p.number): p for p in phases}
    by_name = {p.name: p for p in phases}
    chosen: dict[int, Phase] = {}
    unknown: list[str] = []
    for item in wanted:
        text = str(item).strip()
        phase = by_name.get(text) or (by_number.get(str(int(text))) if re.fullmatch(r"-?\d+", text) else None)
        if phase is None:
            unknown.append(text)
        else:
            chosen[phase.number] = phase
    if unknown:
        where = phases[0].path.parent if phases else Path("phase_manifests")
        known = ", ".join(p.label for p in sorted(phases, key=lambda p: p.number)) or "none"
        raise ManifestError([
            f"{where}:0: phase: no phase {_show(text)}; {_closest(text, list(by_name))}known phases: {known}"
            for text in unknown
        ])
    return tuple(chosen[n] for n in sorted(chosen))
