"""Find recipes: the built-in ones by walking the ``recipes`` package, a user's by
``package.module:name``. Nothing else in phasemod names a recipe.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any, Callable, Sequence

from phasemod.errors import ManifestError
from phasemod.recipe import Reads, Recipe

_builtin: dict[tuple[str, ...], dict[str, Recipe]] = {}


def _package() -> Any:
    return importlib.import_module("phasemod.recipes")


def builtin() -> dict[str, Recipe]:
    """Every recipe of the ``recipes`` package (one module each), by id, sorted by id.
    Walks the package's current ``__path__``, so a directory added to it is found too."""
    package = _package()
    key = tuple(package.__path__)
    if key not in _builtin:
        found: dict[str, Recipe] = {}
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for recipe in recipes_in(module):
                if recipe.id in found:
                    raise TypeError(f"recipes/{info.name}.py: recipe id {recipe.id!r} is already used")
                found[recipe.id] = recipe
        _builtin[key] = dict(sorted(found.items()))
    return _builtin[key]


def recipes_in(module: Any) -> list[Recipe]:
    """The Recipe subclasses a module defines (not those it imports), instantiated."""
    return [obj() for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, Recipe) and obj is not Recipe and obj.__module__ == module.__name__]


def get(name: str, line: int = 0) -> Recipe:
    """The recipe a manifest names: a built-in id or ``package.module:name``, where
    ``name`` is a Recipe subclass or instance, or a function returning a Bowler Query.
    Importing a user's module runs its code: only done for a phase that names it."""
    if ":" not in name:
        try:
            return builtin()[name]
        except KeyError:
            raise ManifestError([f"recipe {name!r} (line {line}): no such recipe; known recipes: "
                                 f"{', '.join(builtin())}"]) from None
    module_name, _, attr = name.partition(":")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except Exception as exc:  # importing runs the user's module: any error it raises is theirs
        raise ManifestError([f"recipe {name!r} (line {line}): cannot import it: {exc}; "
                             "check that the package is installed and the function exists"]) from None
    if isinstance(target, Recipe):
        return target
    if inspect.isclass(target) and issubclass(target, Recipe):
        return target()
    if callable(target):
        return FunctionRecipe(name, target)
    raise ManifestError([f"recipe {name!r} (line {line}): is neither a Recipe nor a function returning "
                         "a Bowler Query; see docs/recipes/writing.md"])


class FunctionRecipe(Recipe):
    """A user's ``function(options, files) -> Query``: a Python recipe with no prefilter
    and no survey; its options are the mapping the manifest wrote."""

    reads = Reads.PYTHON
    description = "a user function returning a Bowler Query"

    def __init__(self, name: str, function: Callable[..., Any]) -> None:
        self.id = name  # type: ignore[misc]
        self.function = function

    def query(self, options: Any, files: Sequence[str]) -> Any:
        return self.function(dict(options), list(files))

    def make_options(self, values: Any) -> Any:
        return values


def options_for(recipe: Recipe, values: Any, name: str, line: int) -> Any:
    """A user recipe's options (read-only mapping from the manifest) as its ``Options``,
    checked like a built-in's; problems name the recipe and its line."""
    if isinstance(recipe, FunctionRecipe):
        return values
    try:
        options = recipe.make_options(dict(values))
    except TypeError as exc:
        raise ManifestError([f"recipe {name!r} (line {line}): bad options ({exc}); see its Options"]) from None
    found = recipe.problems(options)
    if found:
        raise ManifestError([f"recipe {name!r} (line {line}): {key}: {problem}" for key, problem in found])
    return options


def resolve(spec: Any) -> tuple[Recipe, Any]:
    """(recipe, options) of a manifest's RecipeSpec; a user recipe is imported here."""
    recipe = get(spec.name, spec.line)
    return recipe, options_for(recipe, spec.options, spec.name, spec.line) if ":" in spec.name else spec.options


def describe(recipe: Recipe) -> dict[str, Any]:
    """What `phasemod recipes` shows of a recipe (also its --json document)."""
    import dataclasses

    from phasemod.recipe import yaml_flow

    options = []
    if not isinstance(recipe, FunctionRecipe):
        for spec in dataclasses.fields(recipe.Options):
            required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
            options.append({"name": spec.name, "required": required,
                            "default": None if required else yaml_flow(spec.default),
                            "example": yaml_flow(spec.metadata.get("example")), "doc": spec.metadata.get("doc", "")})
    return {"id": recipe.id, "reads": recipe.reads.value, "description": recipe.description,
            "guards_deletion": recipe.guards_deletion, "options": options}
