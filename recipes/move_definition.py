"""move_definition: move a top-level class, function or constant's source to another module.

A FILES recipe that writes: its plan is the whole new text of the old module, the new
module (created if missing) and any package it needs, or a refusal that says why the
definition cannot move alone. The semantics live in phasemod/defmove.py; the engine
reviews, journals and writes the plan like any rewrite. In a phase, put it before
move_symbol: the definition moves first, then every reference follows it.
"""
from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Literal, Sequence

from phasemod.defmove import RepoView, plan_move
from phasemod.recipe import Example, FilePlan, Reads, Recipe, Workspace, dotted_path, option, shown

_MODULE = dotted_path("pkg.mod")


def _identifier(value: object) -> str | None:
    if isinstance(value, str) and value.isidentifier() and not keyword.iskeyword(value):
        return None
    return f"expected the name of a class, function or constant like Order, got {shown(value)}"


@dataclass(frozen=True)
class Options:
    old_module: str = option(example="pkg.models", check=_MODULE, doc="the module that defines it (a file of the repository)")
    new_module: str = option(example="pkg.orders", check=_MODULE, doc="where it goes; created when missing")
    name: str = option(example="Order", check=_identifier, doc="the top-level class, function or constant")
    shim: Literal["import", "deprecation"] = option(
        example="import", default="import",
        doc="what the old module keeps for unmigrated code: an import, or a module __getattr__ that warns")


_SHIM = '''# Names moved elsewhere, still importable from here (phasemod).
_MOVED_TO = {
    "MAX": ("app.limits", True),
}


def __getattr__(name: str) -> object:
    if name not in _MOVED_TO:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    import warnings

    module, deprecated = _MOVED_TO[name]
    if deprecated:
        old, new = f"{__name__}.{name}", f"{module}.{name}"
        warnings.warn(f"{old} moved to {new}; import it from there",
                      DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(module), name)
'''


class MoveDefinition(Recipe):
    id = "move_definition"
    description = ("Move a top-level class, function or constant's source (decorators, comments, the imports "
                   "it uses) to another module, leaving an import or a deprecation shim behind.")
    reads = Reads.FILES
    Options = Options
    # A FILES recipe that writes: before and after are file trees, each file under a
    # `==> path <==` line (see phasemod/examples.py).
    examples = (
        Example({"old_module": "app.models", "new_module": "app.shapes", "name": "Circle"},
                "==> app/__init__.py <==\n"
                "==> app/models.py <==\nimport math\n\n\n# A circle.\nclass Circle:\n    \"\"\"Round.\"\"\"\n\n"
                "    def area(self, r):\n        return math.pi * r * r\n\n\ndef unit():\n    return Circle()\n",
                "==> app/__init__.py <==\n"
                "==> app/models.py <==\nfrom app.shapes import Circle\n\n\ndef unit():\n    return Circle()\n"
                "==> app/shapes.py <==\nimport math\n\n\n# A circle.\nclass Circle:\n    \"\"\"Round.\"\"\"\n\n"
                "    def area(self, r):\n        return math.pi * r * r\n",
                title="a class with its comment, docstring and import; the old module still uses it"),
        Example({"old_module": "app.models", "new_module": "app.limits", "name": "MAX"},
                "==> app/__init__.py <==\n"
                "==> app/models.py <==\nimport os\n\nMAX = int(os.environ.get(\"MAX\", \"10\"))\nMIN = 0\n"
                "==> app/use.py <==\nfrom app.models import MAX\n",
                "==> app/__init__.py <==\n"
                "==> app/limits.py <==\nimport os\n\n\nMAX = int(os.environ.get(\"MAX\", \"10\"))\n"
                "==> app/models.py <==\n# MAX moved to app.limits; importable from here until migrated.\n"
                "from app.limits import MAX  # noqa: F401\n\nMIN = 0\n"
                "==> app/use.py <==\nfrom app.models import MAX\n",
                title="a constant other code still imports from the old module"),
        Example({"old_module": "app.models", "new_module": "app.limits", "name": "MAX", "shim": "deprecation"},
                "==> app/__init__.py <==\n==> app/models.py <==\nMAX = 10\n"
                "==> app/use.py <==\nfrom app.models import MAX\n",
                "==> app/__init__.py <==\n==> app/limits.py <==\nMAX = 10\n==> app/models.py <==\n" + _SHIM +
                "==> app/use.py <==\nfrom app.models import MAX\n",
                title="a deprecation shim: unmigrated imports keep working and warn"),
    )

    def validate(self, options: Options) -> list[tuple[str, str]]:
        if options.old_module == options.new_module:
            return [("new_module", f"is the same as old_module ({shown(options.old_module)}); nothing would move")]
        return []

    def subject(self, options: Options) -> str:
        return f"{options.old_module}.{options.name}"

    def plan(self, options: Options, files: Sequence[str], workspace: Workspace | None = None) -> FilePlan:
        """The files the move rewrites or creates (whole texts), or why it is refused.
        Without a workspace (the deletion guard asks every FILES recipe) it plans nothing."""
        if workspace is None:
            return FilePlan()
        view = RepoView(workspace.root, files, workspace.source_roots, workspace.planned)
        plan = plan_move(view, options.old_module, options.new_module, options.name, options.shim)
        return FilePlan(write=plan.writes, create=plan.created, refusal=plan.refusal,
                        refusal_path=plan.refusal_path, refusal_line=plan.refusal_line)
