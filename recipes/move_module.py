"""move_module: point every import of a module, and of names from it, at a new module.

Builds an unexecuted Bowler query from its options; never chooses files or writes.
"""
from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from fissix.pytree import Node

from phasemod import context
from phasemod.modmove import ModuleMove, migrate, survey as survey_module
from phasemod.sites import Site

if TYPE_CHECKING:
    from bowler import Query

ID = "move_module"
DESCRIPTION = "Point every import of a module (and of names from it) at its new dotted path."
TARGET = "python"


@dataclass(frozen=True)
class Options:
    old: str   # dotted module path: package.old_module
    new: str   # dotted module path: package.new_module


def validate(options: Options) -> list[tuple[str, str]]:
    problems = []
    for key in ("old", "new"):
        value = getattr(options, key)
        if not value or not all(p.isidentifier() and not keyword.iskeyword(p) for p in value.split(".")):
            problems.append((key, f"expected a dotted module path like pkg.module, got {value!r}"))
    if options.old == options.new:
        problems.append(("new", "is the same as old; nothing would move"))
    elif options.new.startswith(options.old + "."):
        problems.append(("new", f"lies inside the old module {options.old}; move it elsewhere"))
    return problems


def move(options: Options) -> ModuleMove:
    return ModuleMove(options.old, options.new)


def needles(options: Options) -> tuple[bytes, ...]:
    """Bytes a file must contain to possibly reference the old module: its last name
    (every absolute, relative and string spelling contains it)."""
    return (options.old.rpartition(".")[2].encode(),)


def query(options: Options, files: Sequence[str] = ()) -> "Query":
    from bowler import Query  # only phases that rewrite need Bowler; status and check do not

    # Like move_symbol: which names reach the module is a whole-file question, so the
    # query selects the root once.
    return Query(list(files)).select_root().modify(context.module_rewriter(migrate, move(options)))


def survey(options: Options, tree: Node, module: str, is_package: bool) -> tuple[list[Site], bool]:
    """(remaining references to the old module, whether the file also imports the new one)."""
    return survey_module(tree, move(options), module, is_package)


EXAMPLES = [
    ("from a.b.old import Thing\n", "from a.c.new import Thing\n"),
    ("from a.b import old\nold.run()\n", "from a.c import new\nnew.run()\n"),
    ("import a.b.old\na.b.old.run()\n", "import a.c.new\na.c.new.run()\n"),
    ('patch("a.b.old.Thing.run")\n', 'patch("a.c.new.Thing.run")\n'),
]
