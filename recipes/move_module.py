"""move_module: point every import of a module, and of names from it, at a new module.

Builds an unexecuted Bowler query from its options; never chooses files or writes. The
semantics live in phasemod/modmove.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from phasemod import context
from phasemod.modmove import ModuleMove, migrate, survey as survey_module
from phasemod.recipe import Example, Found, Reads, Recipe, Source, dotted_path, dotted_words, option, shown

if TYPE_CHECKING:
    from bowler import Query

_MODULE = dotted_path("pkg.mod")


@dataclass(frozen=True)
class Options:
    old: str = option(example="pkg.mod", check=_MODULE, doc="dotted module path: package.old_module")
    new: str = option(example="pkg.mod", check=_MODULE, doc="dotted module path: package.new_module")


def move(options: Options) -> ModuleMove:
    return ModuleMove(options.old, options.new)


_OPTIONS = {"old": "a.b.old", "new": "a.c.new"}


class MoveModule(Recipe):
    id = "move_module"
    description = "Point every import of a module (and of names from it) at its new dotted path."
    reads = Reads.PYTHON
    Options = Options
    guards_deletion = True
    examples = (
        Example(_OPTIONS, "from a.b.old import Thing\n", "from a.c.new import Thing\n", "app/user.py",
                "names imported from the module"),
        Example(_OPTIONS, "from a.b import old\nold.run()\n", "from a.c import new\nnew.run()\n", "app/user.py",
                "the module imported from its package"),
        Example(_OPTIONS, "import a.b.old\na.b.old.run()\n", "import a.c.new\na.c.new.run()\n", "app/user.py",
                "a plain import and its dotted uses"),
        Example(_OPTIONS, 'patch("a.b.old.Thing.run")\n', 'patch("a.c.new.Thing.run")\n', "app/user.py",
                "dotted-path strings"),
    )

    def validate(self, options: Options) -> list[tuple[str, str]]:
        if options.old == options.new:
            return [("new", f"is the same as old ({shown(options.old)}); write the dotted path it moves to")]
        if options.new.startswith(options.old + "."):
            return [("new", f"lies inside the old module {options.old}; move it elsewhere")]
        return []

    def needles(self, options: Options) -> tuple[bytes, ...]:
        """Bytes a file must contain to possibly reference the old module: its last name
        (every absolute, relative and string spelling contains it)."""
        return (options.old.rpartition(".")[2].encode(),)

    def words(self, options: Options) -> tuple[str, ...]:
        """The old and new modules' first and last names."""
        return dotted_words(options.old, options.new)

    def subject(self, options: Options) -> str:
        return options.old

    def query(self, options: Options, files: Sequence[str] = ()) -> "Query":
        from bowler import Query  # only phases that rewrite need Bowler; status and check do not

        # Like move_symbol: which names reach the module is a whole-file question, so the
        # query selects the root once.
        return Query(list(files)).select_root().modify(context.module_rewriter(migrate, move(options)))

    def survey(self, options: Options, source: Source) -> Found:
        """Remaining references to the old module, and whether the file imports the new one."""
        assert source.tree is not None
        sites, imports_new = survey_module(source.tree, move(options), source.module, source.is_package)
        return Found(tuple((s.line, s.kind) for s in sites), imports_new)
