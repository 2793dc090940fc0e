"""phasemod: phased, reviewable, reversible symbol migrations for Python code bases.

The engine package: manifests in, file outcomes and hunks out; it never prompts.
"""
from __future__ import annotations

import importlib.util as _util
import sys as _sys
from pathlib import Path as _Path

__version__ = "0.1.0"


def _checkout_subpackages() -> None:
    """In a plain checkout (`python runner.py`, nothing installed) `recipes/` and
    `phase_manifests/` sit beside this package, where the owner's layout keeps them;
    setup.cfg installs them as `phasemod.recipes` and `phasemod.phase_manifests`. Give a
    checkout the same names, from its own files."""
    here = _Path(__file__).resolve().parent
    for name in ("recipes", "phase_manifests"):
        full = f"{__name__}.{name}"
        init = here.parent / name / "__init__.py"
        if full in _sys.modules or (here / name).is_dir() or not init.is_file():
            continue   # installed (a wheel has it inside), or not a checkout
        spec = _util.spec_from_file_location(full, init, submodule_search_locations=[str(init.parent)])
        if spec is None or spec.loader is None:
            continue
        module = _util.module_from_spec(spec)
        _sys.modules[full] = module
        spec.loader.exec_module(module)
        setattr(_sys.modules[__name__], name, module)


_checkout_subpackages()

# The extended grammar must be installed into fissix before Bowler or any fixer
# compiles a pattern, so it is loaded with the package itself.
from phasemod import syntax as _syntax  # noqa: E402,F401
