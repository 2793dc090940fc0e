"""Which files a phase's recipe reads: its kind of file (Python, text with its suffixes,
or none for a file plan) and its manifest ``files`` filters. Needs no recipe module of a
user: such a recipe counts as a Python recipe until it runs."""
from __future__ import annotations

import functools
from typing import Any

from phasemod import catalog
from phasemod.manifest import RecipeSpec
from phasemod.recipe import Reads
from phasemod.select import compile_glob
from phasemod.textio import PYTHON_SUFFIXES


def recipe_applies(spec: RecipeSpec, path: str) -> bool:
    """Whether the recipe of ``spec`` reads ``path``."""
    reads, suffixes, include, exclude = _applicability(spec)
    if reads is Reads.FILES:
        return False
    is_python = path.endswith(PYTHON_SUFFIXES)
    if reads is Reads.PYTHON and not is_python:
        return False
    if reads is Reads.TEXT and (is_python or not path.lower().endswith(suffixes)):
        return False
    if include and not any(r.match(path) for r in include):
        return False
    return not any(r.match(path) for r in exclude)


@functools.lru_cache(maxsize=256)
def _applicability(spec: RecipeSpec) -> tuple[Reads, tuple[str, ...], tuple[Any, ...], tuple[Any, ...]]:
    """What a recipe needs to know of a path, computed once per recipe (this runs for
    every file of every phase on every status)."""
    recipe = reads_only(spec)
    files = spec.files
    include = tuple(compile_glob(g) for g in files.include) if files is not None else ()
    exclude = tuple(compile_glob(g) for g in files.exclude) if files is not None else ()
    return recipe.reads, tuple(s.lower() for s in recipe.suffixes), include, exclude


def reads_only(spec: RecipeSpec) -> Any:
    """What kind of files a recipe reads, without importing a user's module for it:
    a user recipe counts as a Python recipe until it is run."""
    if ":" in spec.name:
        return catalog.FunctionRecipe(spec.name, lambda options, files: None)
    return catalog.get(spec.name, spec.line)
