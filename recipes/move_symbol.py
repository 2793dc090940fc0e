"""move_symbol: point every reference of a symbol at its new module.

Builds an unexecuted Bowler query from its options; never chooses files or writes.
"""
from __future__ import annotations

from dataclasses import dataclass

ID = "move_symbol"
DESCRIPTION = "Point every reference of a symbol (class, function, constant) at its new module and name."
TARGET = "python"


@dataclass(frozen=True)
class Options:
    old: str                       # dotted path: package.module.Name
    new: str                       # dotted path: package.module.NewName
    keep_local_name: bool = True   # true: `import New as Old`; false: rename every use
    rename_comments: bool = True   # with keep_local_name false: whole words in comments/docstrings
