"""move_symbol: point every reference of a symbol at its new module (and name).

Builds an unexecuted Bowler query from its options; never chooses files or writes.
"""
from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from fissix.pytree import Node

from phasemod import context
from phasemod.relocate import Move, StarLookup, migrate, survey as survey_module
from phasemod.sites import Outcome, Site

if TYPE_CHECKING:
    from bowler import Query

ID = "move_symbol"
DESCRIPTION = "Point every reference of a symbol (class, function, constant) at its new module and name."
TARGET = "python"


@dataclass(frozen=True)
class Options:
    old: str                       # dotted path: package.module.Name
    new: str                       # dotted path: package.module.NewName
    keep_local_name: bool = True   # true: `import New as Old`; false: rename every use
    rename_comments: bool = True   # with keep_local_name false: whole words in comments/docstrings


def validate(options: Options) -> list[tuple[str, str]]:
    problems = []
    for key in ("old", "new"):
        parts = getattr(options, key).split(".")
        if len(parts) < 2 or not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
            problems.append((key, f"expected a dotted path like pkg.module.Name, got {getattr(options, key)!r}"))
    if options.old == options.new:
        problems.append(("new", "is the same as old; nothing would move"))
    return problems


def move(options: Options) -> Move:
    return Move.from_paths(options.old, options.new, options.keep_local_name, options.rename_comments)


def needles(options: Options) -> tuple[bytes, ...]:
    """Bytes a file must contain to possibly reference the old symbol."""
    m = move(options)
    return tuple({m.old_name.encode(), m.old_module.rpartition(".")[2].encode()})


def query(options: Options, files: Sequence[str] = ()) -> "Query":
    from bowler import Query  # only phases that rewrite need Bowler; status and check do not

    # Name resolution is a whole-module question, so the query selects the module
    # root once instead of matching every node against several patterns.
    return Query(list(files)).select_root().modify(context.module_rewriter(_migrate, move(options)))


def _star_names() -> StarLookup | None:
    """What star imports of repo modules provide, when the engine knows the repo."""
    try:
        modules = context.current().modules
    except LookupError:
        return None
    return modules.star_names if modules is not None else None


def _migrate(tree: Node, m: Move, module: str, is_package: bool) -> Outcome:
    return migrate(tree, m, module, is_package, _star_names())


def survey(options: Options, tree: Node, module: str, is_package: bool) -> tuple[list[Site], bool]:
    """(remaining references, whether the module also imports the new symbol)."""
    return survey_module(tree, move(options), module, is_package, _star_names())


EXAMPLES = [
    ("from a.old import Old\nx = Old()\n", "from a.new import New as Old\nx = Old()\n"),
    ("import a.old as m\nx = m.Old()\n", "import a.new as m\nx = m.New()\n"),
    ('patch("a.old.Old.run")\n', 'patch("a.new.New.run")\n'),
]
