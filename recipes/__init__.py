"""The built-in recipes, one per module; a user recipe is named ``package.module:function``.

A recipe builds an unexecuted Bowler ``Query`` (or text/file transforms) from its
options; it never chooses files, writes, prompts or runs itself.
"""
from __future__ import annotations

import importlib
from types import ModuleType

BUILTIN = ("move_symbol", "move_module", "rename_in_text", "delete_files", "move_definition")


def load(name: str) -> ModuleType:
    """Import the built-in recipe module ``name`` (KeyError if unknown)."""
    if name not in BUILTIN:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")
