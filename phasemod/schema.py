"""The schema of recipe entries in a manifest, built from each recipe's ``Options``
dataclass (field types, and the example, check and repo-paths flag of phasemod.recipe.option).

Imports built-in recipes to read their options; never imports a user's recipe.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import keyword
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import yaml

from phasemod import catalog
from phasemod import yamlsafe as y
from phasemod.recipe import Reads, Recipe, yaml_flow
from phasemod.yamlsafe import FileSet, OptionsMapping


@dataclass(frozen=True)
class RecipeSpec:
    name: str                  # a built-in recipe's id, or a user recipe "package.module:function"
    options: object            # the recipe's Options instance, or an OptionsMapping (user recipe)
    files: FileSet | None      # narrows the phase's files (include: only these; exclude: minus these)
    line: int                  # line of the recipe entry in the manifest

    @property
    def is_user_recipe(self) -> bool:
        return ":" in self.name


RECIPE_FILES = "files"                         # reserved in every recipe: the per-recipe filter
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
def options_schema(recipe: Recipe) -> tuple[_Option, ...]:
    """The accepted options of a built-in recipe, read from its ``Options`` dataclass."""
    options_type = recipe.Options
    hints = typing.get_type_hints(options_type)
    schema: list[_Option] = []
    for spec in dataclasses.fields(options_type):
        hint = hints[spec.name]
        if not _expressible(hint):
            raise TypeError(f"recipe {recipe.id}: option {spec.name!r} has type {hint!r}, which manifests cannot express")
        if spec.name == RECIPE_FILES:
            raise TypeError(f"recipe {recipe.id}: option name 'files' is reserved for the per-recipe filter")
        required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        schema.append(_Option(spec.name, hint, required, spec.metadata.get("example"),
                              bool(spec.metadata.get("repo_paths"))))
    return tuple(schema)


def _value(hint: Any, node: yaml.Node, key: str, out: y.Problems, example: Any = None, repo_paths: bool = False) -> Any:
    """A YAML node read as a value of type ``hint`` (recursively), or y.Bad."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if type(None) in args and isinstance(node, yaml.ScalarNode) and node.tag == y.TAG + "null":
            return None
        options = [a for a in args if a is not type(None)]
        hint = options[0] if len(options) == 1 else Any
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    like = f" like {yaml_flow(example)}" if isinstance(example, str) else ""
    if hint is str:
        return y.string(node, key, out, example=like)
    if hint is bool:
        value = y.plain(node, key, out)
        if not isinstance(value, bool):
            out.add(y.line_of(node), key, f"expected true or false, {y.got(value)}")
            raise y.Bad
        return value
    if hint in (int, float):
        value = y.plain(node, key, out)
        if isinstance(value, bool) or not isinstance(value, (int, float) if hint is float else int):
            out.add(y.line_of(node), key, f"expected {'an integer' if hint is int else 'a number'}, {y.got(value)}")
            raise y.Bad
        return value
    if origin is Literal:
        return y.choice(node, key, tuple(str(a) for a in args), out)
    if origin is tuple:
        if repo_paths:
            return y.globs(node, key, out)
        items = y.sequence(node, key, out, single=args[0] is str, example=" of strings" if args[0] is str else "")
        values, bad = [], False
        for i, item in enumerate(items):
            try:
                values.append(_value(args[0], item, f"{key}[{i}]" if isinstance(node, yaml.SequenceNode) else key, out))
            except y.Bad:
                bad = True
        if bad:
            raise y.Bad
        return tuple(values)
    if origin in (Mapping, dict, collections.abc.Mapping):
        names = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)] if isinstance(node, yaml.MappingNode) else []
        entries = y.mapping(node, key, names, out, what="key", example=f" like {yaml_flow(example)}" if example else "")
        result, bad = {}, False
        for name, (_, value_node) in entries.items():
            try:
                result[name] = _value(args[1], value_node, y.join(key, name) if y.simple(name) else key, out)
            except y.Bad:
                bad = True
        if bad:
            raise y.Bad
        return OptionsMapping(result)
    return y.frozen(node, key, out)


def example_entry() -> str:
    """A recipe entry to show in messages: the first built-in Python recipe and the names
    of its required options."""
    recipe = next((r for r in catalog.builtin().values() if r.reads is Reads.PYTHON), None)
    if recipe is None:
        return "package.module:function: {}"
    required = [o for o in options_schema(recipe) if o.required]
    shown = ", ".join(f"{o.name}: ..." for o in required)
    return f"{recipe.id}: {{{shown}}}"


def recipe_entry(index: int, item: yaml.Node, out: y.Problems) -> RecipeSpec:
    key = f"recipes[{index}]"
    known_recipes = catalog.builtin()
    known = ", ".join(known_recipes)
    if isinstance(item, yaml.ScalarNode) and item.tag == y.TAG + "str":
        name, options_node = item.value, None   # a bare name: a recipe without options
    elif isinstance(item, yaml.MappingNode) and len(item.value) == 1 and isinstance(item.value[0][0], yaml.ScalarNode):
        y.check_tag(item, key, out)
        name, options_node = item.value[0][0].value, item.value[0][1]
    else:
        value = y.plain(item, key, out) if not isinstance(item, yaml.MappingNode) else None
        count = len(item.value) if isinstance(item, yaml.MappingNode) else 0
        got = f"a mapping with {count} key{'s' if count != 1 else ''}" if isinstance(item, yaml.MappingNode) else y.got(value).removeprefix("got ")
        out.add(y.line_of(item), key, f"expected one recipe as a single-key mapping like '- {example_entry()}', got {got}; start each recipe with its own '-'")
        raise y.Bad
    line = y.line_of(item)
    if ":" in name:
        return _user_recipe(name, options_node, key, line, out)
    if name not in known_recipes:
        shown_key = y.join(key, name) if y.simple(name) else key
        out.add(line, shown_key, f"unknown recipe {y.show(name)}; {y.closest(name, list(known_recipes))}known recipes: {known}; a recipe of your own is named package.module:function")
        raise y.Bad
    recipe = known_recipes[name]
    key = y.join(key, name)
    schema = {option.name: option for option in options_schema(recipe)}
    allowed = [*schema, RECIPE_FILES]
    if options_node is None or (isinstance(options_node, yaml.ScalarNode) and options_node.tag == y.TAG + "null"):
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        options_line = line
    else:
        entries = y.mapping(options_node, key, allowed, out, what="option", example=f" of {name} options ({', '.join(allowed)})")
        options_line = y.line_of(options_node)
    values: dict[str, Any] = {}
    bad = False
    for option in schema.values():
        if option.name not in entries:
            if option.required:
                out.add(options_line, y.join(key, option.name), f"missing required option; add {option.name}: {yaml_flow(option.example)}")
                bad = True
            continue
        try:
            values[option.name] = _value(option.hint, entries[option.name][1], y.join(key, option.name), out,
                                         option.example, option.repo_paths)
        except y.Bad:
            bad = True
    files = None
    if RECIPE_FILES in entries:
        try:
            files = y.fileset(entries[RECIPE_FILES][1], y.join(key, RECIPE_FILES), out, include_required=False)
        except y.Bad:
            bad = True
    if bad:
        raise y.Bad
    option_line = {option: y.line_of(value) for option, (_, value) in entries.items()}
    options = recipe.make_options(values)
    try:
        found = list(recipe.problems(options))
    except Exception as err:  # a recipe bug must still come out as a readable problem
        found = [("", f"the recipe's own checks failed ({type(err).__name__}: {err}); report this as a bug")]
    for option, message in found:
        option = str(option)
        out.add(option_line.get(option, line), y.join(key, option) if option else key, str(message))
    if found:
        raise y.Bad
    return RecipeSpec(name, options, files, line)


def _user_recipe(name: str, options_node: yaml.Node | None, key: str, line: int, out: y.Problems) -> RecipeSpec:
    # The recipe's key path stays `recipes[i]`: its name holds ':' and would break the
    # `file:line: key: message` shape. It is never imported here: that runs user code.
    if not _USER_RECIPE.fullmatch(name) or any(keyword.iskeyword(p) for p in re.split(r"[.:]", name)):
        out.add(line, key, f"user recipe {y.show(name)} must be named package.module:function (dotted identifiers, one ':'), like mytools.recipes:rename_settings")
        raise y.Bad
    if options_node is None or (isinstance(options_node, yaml.ScalarNode) and options_node.tag == y.TAG + "null"):
        return RecipeSpec(name, OptionsMapping(), None, line)
    if not isinstance(options_node, yaml.MappingNode):
        value = y.plain(options_node, key, out)
        out.add(y.line_of(options_node), key, f"expected a mapping of options for {name}, {y.got(value)}")
        raise y.Bad
    y.check_tag(options_node, key, out)
    names = [k.value for k, _ in options_node.value if isinstance(k, yaml.ScalarNode)]
    entries = y.mapping(options_node, key, names, out, what="option")
    files = None
    values: dict[str, Any] = {}
    bad = False
    for option, (_, value_node) in entries.items():
        try:
            if option == RECIPE_FILES:
                files = y.fileset(value_node, y.join(key, option), out, include_required=False)
            else:
                values[option] = y.frozen(value_node, y.join(key, option) if y.simple(option) else key, out)
        except y.Bad:
            bad = True
    if bad or len(entries) != len(options_node.value):
        raise y.Bad
    return RecipeSpec(name, OptionsMapping(values), files, line)
