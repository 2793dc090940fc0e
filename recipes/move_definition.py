"""move_definition: move a top-level class, function or constant's source to another module.

Plans the old and the new module's whole new text from the repository (phasemod/defmove.py
does the work); the engine journals and writes it like any rewrite. In a phase, put it
before move_symbol: the definition moves first, then every reference follows it.
"""
from __future__ import annotations

import keyword
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, Sequence

from phasemod.defmove import Plan, RepoView, plan_move

ID = "move_definition"
DESCRIPTION = "Move a top-level class, function or constant's source (decorators, comments, imports) to another module."
TARGET = "edits"   # reads the repository, plans whole files (the old module, the new one)


@dataclass(frozen=True)
class Options:
    old_module: str                                 # dotted module that defines it: pkg.old_mod
    new_module: str                                 # dotted module it moves to (created if missing)
    name: str                                       # the class, function or constant
    shim: Literal["import", "deprecation"] = "import"   # what the old module keeps for unmigrated code


def validate(options: Options) -> list[tuple[str, str]]:
    problems = []
    for key in ("old_module", "new_module"):
        value = getattr(options, key)
        if not value or not all(p.isidentifier() and not keyword.iskeyword(p) for p in value.split(".")):
            problems.append((key, f"expected a dotted module path like pkg.module, got {value!r}"))
    if not options.name.isidentifier() or keyword.iskeyword(options.name):
        problems.append(("name", f"expected the name of a class, function or constant, got {options.name!r}"))
    if options.old_module == options.new_module:
        problems.append(("new_module", "is the same as old_module; nothing would move"))
    return problems


def plan(options: Options, repo: Path, files: Sequence[str], source_roots: tuple[str, ...] = (),
         overlay: Mapping[str, str] | None = None) -> Plan:
    """The files the move rewrites or creates (full texts), or why it is refused. ``overlay``
    holds the texts earlier recipes of the phase planned, so several moves chain."""
    view = RepoView(repo, files, source_roots, overlay)
    return plan_move(view, options.old_module, options.new_module, options.name, options.shim)


# (options, files before, files after); tests/test_move_definition.py runs each and
# docs/recipes/move_definition.md shows them.
EXAMPLES = [
    (
        {"old_module": "app.models", "new_module": "app.shapes", "name": "Circle"},
        {
            "app/__init__.py": "",
            "app/models.py": 'import math\n\n\n# A circle.\nclass Circle:\n    """Round."""\n\n'
                             "    def area(self, r):\n        return math.pi * r * r\n\n\n"
                             "def unit():\n    return Circle()\n",
        },
        {
            "app/__init__.py": "",
            "app/models.py": "from app.shapes import Circle\n\n\ndef unit():\n    return Circle()\n",
            "app/shapes.py": 'import math\n\n\n# A circle.\nclass Circle:\n    """Round."""\n\n'
                             "    def area(self, r):\n        return math.pi * r * r\n",
        },
    ),
    (
        {"old_module": "app.models", "new_module": "app.limits", "name": "MAX"},
        {
            "app/__init__.py": "",
            "app/models.py": 'import os\n\nMAX = int(os.environ.get("MAX", "10"))\nMIN = 0\n',
            "app/use.py": "from app.models import MAX\n",
        },
        {
            "app/__init__.py": "",
            "app/limits.py": 'import os\n\n\nMAX = int(os.environ.get("MAX", "10"))\n',
            "app/models.py": "# MAX moved to app.limits; importable from here until migrated.\n"
                             "from app.limits import MAX  # noqa: F401\n\nMIN = 0\n",
            "app/use.py": "from app.models import MAX\n",
        },
    ),
    (
        {"old_module": "app.models", "new_module": "app.limits", "name": "MAX", "shim": "deprecation"},
        {"app/__init__.py": "", "app/models.py": "MAX = 10\n", "app/use.py": "from app.models import MAX\n"},
        {
            "app/__init__.py": "",
            "app/limits.py": "MAX = 10\n",
            "app/models.py": "# Names moved elsewhere, still importable from here (move_definition).\n"
                             '_MOVED_TO = {\n    "MAX": ("app.limits", True),\n}\n\n\n'
                             "def __getattr__(name: str) -> object:\n"
                             "    if name not in _MOVED_TO:\n"
                             '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
                             "    import importlib\n    import warnings\n\n"
                             "    module, deprecated = _MOVED_TO[name]\n    if deprecated:\n"
                             '        old, new = f"{__name__}.{name}", f"{module}.{name}"\n'
                             '        warnings.warn(f"{old} moved to {new}; import it from there",\n'
                             "                      DeprecationWarning, stacklevel=2)\n"
                             "    return getattr(importlib.import_module(module), name)\n",
            "app/use.py": "from app.models import MAX\n",
        },
    ),
]
