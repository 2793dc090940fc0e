"""move_symbol: point every reference of a symbol at its new module (and name).

Builds an unexecuted Bowler query from its options; never chooses files or writes. The
semantics (SPEC "Recipe semantics: move_symbol") live in phasemod/relocate.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from fissix.pytree import Node

from phasemod import context
from phasemod.recipe import (Example, Found, Proposal, Reads, Recipe, Source, Stage, dotted_path, dotted_words, option,
                             shown)
from phasemod.relocate import Move, StarLookup, migrate, survey as survey_module
from phasemod.sites import Outcome

if TYPE_CHECKING:
    from bowler import Query

_SYMBOL = dotted_path("pkg.mod.Name", min_parts=2)   # a symbol lives in a module: module.Name


@dataclass(frozen=True)
class Options:
    old: str = option(example="pkg.mod.Name", check=_SYMBOL, doc="dotted path: package.module.Name")
    new: str = option(example="pkg.mod.Name", check=_SYMBOL, doc="dotted path: package.module.NewName")
    keep_local_name: bool = option(example=True, default=True,
                                   doc="true: `import New as Old`; false: rename every use")
    rename_comments: bool = option(example=True, default=True,
                                   doc="with keep_local_name false: whole words in comments/docstrings")


def move(options: Options) -> Move:
    return Move.from_paths(options.old, options.new, options.keep_local_name, options.rename_comments)


def _star_names() -> StarLookup | None:
    """What star imports of repo modules provide, when the engine knows the repo."""
    try:
        modules = context.current().modules
    except LookupError:
        return None
    return modules.star_names if modules is not None else None


def _migrate(tree: Node, m: Move, module: str, is_package: bool) -> Outcome:
    return migrate(tree, m, module, is_package, _star_names())


class MoveSymbol(Recipe):
    id = "move_symbol"
    description = "Point every reference of a symbol (class, function, constant) at its new module and name."
    reads = Reads.PYTHON
    Options = Options
    guards_deletion = True
    examples = (
        Example({"old": "a.old.Old", "new": "a.new.New"},
                "from a.old import Old\nx = Old()\n", "from a.new import New as Old\nx = Old()\n",
                title="keep_local_name: true keeps the local name through an alias"),
        Example({"old": "a.old.Old", "new": "a.new.New", "keep_local_name": False},
                "from a.old import Old\nx: Old = Old()  # the Old one\n", "from a.new import New\nx: New = New()  # the New one\n",
                title="keep_local_name: false renames every use, comments included"),
        Example({"old": "a.old.Old", "new": "a.new.New"},
                "import a.old as m\nx = m.Old()\n", "import a.new as m\nx = m.New()\n",
                title="module attribute uses move in both modes"),
        Example({"old": "a.old.Old", "new": "a.new.New", "keep_local_name": False},
                'patch("a.old.Old.run")\n', 'patch("a.new.New.run")\n',
                title="dotted-path strings are references"),
        Example({"old": "a.old.Old", "new": "a.new.New", "keep_local_name": False},
                "from b.other import Old\nOldFactory = Old\n", "from b.other import Old\nOldFactory = Old\n",
                title="a different Old and longer names are never touched"),
    )

    def propose(self, proposal: Proposal, stage: Stage) -> dict | None:
        if stage is not Stage.CODE:
            return None
        return {"old": proposal.old, "new": proposal.new, "keep_local_name": proposal.keep_local_name}

    def validate(self, options: Options) -> list[tuple[str, str]]:
        if options.old == options.new:
            return [("new", f"is the same as old ({shown(options.old)}); write the dotted path it moves to")]
        return []

    def needles(self, options: Options) -> tuple[bytes, ...]:
        """Bytes a file must contain to possibly reference the old symbol."""
        m = move(options)
        return tuple({m.old_name.encode(), m.old_module.rpartition(".")[2].encode()})

    def guard_needles(self, options: Options) -> tuple[bytes, ...]:
        # Every reference the recipe can resolve goes through the old module's name (an
        # import of it, a relative import, a dotted string): after the move that is a
        # handful of files, not every file naming the class.
        return (options.old.rpartition(".")[0].rpartition(".")[2].encode(),)

    def words(self, options: Options) -> tuple[str, ...]:
        """The old and new names and modules: a statement naming none of them can neither
        reference the symbol nor collide with its new name."""
        m = move(options)
        return dotted_words(m.old_module, m.new_module) + (m.old_name, m.new_name)

    def subject(self, options: Options) -> str:
        return options.old

    def query(self, options: Options, files: Sequence[str] = ()) -> "Query":
        from bowler import Query  # only phases that rewrite need Bowler; status and check do not

        # Name resolution is a whole-module question, so the query selects the module
        # root once instead of matching every node against several patterns.
        return Query(list(files)).select_root().modify(context.module_rewriter(_migrate, move(options)))

    def survey(self, options: Options, source: Source) -> Found:
        """Remaining references, and whether the module also imports the new symbol."""
        assert source.tree is not None
        sites, imports_new = survey_module(source.tree, move(options), source.module, source.is_package, _star_names())
        return Found(tuple((s.line, s.kind, s.note) for s in sites), imports_new)
