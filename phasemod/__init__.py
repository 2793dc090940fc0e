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


def _install_grammar() -> None:
    import phasemod.syntax  # noqa: F401  (installs the extended grammar into fissix as it loads)


class _GrammarOnFirstUse:
    """The extended grammar must be in fissix before Bowler or any fixer compiles a
    pattern. It is installed the moment fissix's grammar module (``fissix.pygram``, which
    every fissix and Bowler user loads) has been loaded, not with the package: commands
    that never parse (a replayed ``status``) do not pay for the grammar."""

    def find_spec(self, name, path=None, target=None):
        if name != "fissix.pygram":
            return None
        _sys.meta_path.remove(self)
        spec = _util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module) -> None:
            load(module)
            if "phasemod.syntax" not in _sys.modules:   # else it is loading and installs at its end
                _install_grammar()

        spec.loader.exec_module = exec_module
        return spec


if "fissix.pygram" in _sys.modules:
    _install_grammar()
else:
    _sys.meta_path.insert(0, _GrammarOnFirstUse())


_checkout_subpackages()

