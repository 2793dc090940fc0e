"""move_module: point every import of a module, and of names from it, at a new module.

Builds an unexecuted Bowler query from its options; never chooses files or writes.
"""
from __future__ import annotations

from dataclasses import dataclass

ID = "move_module"
DESCRIPTION = "Point every import of a module (and of names from it) at its new dotted path."
TARGET = "python"


@dataclass(frozen=True)
class Options:
    old: str   # dotted module path
    new: str   # dotted module path
