"""phasemod: phased, reviewable, reversible symbol migrations for Python code bases.

The engine package: manifests in, file outcomes and hunks out; it never prompts.
"""
import sys as _sys

__version__ = "0.1.0"


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
        from importlib.util import find_spec

        spec = find_spec(name)
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
