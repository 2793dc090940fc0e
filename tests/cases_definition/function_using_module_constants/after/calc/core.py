PRECISION = 4
SCALE: float = 2.5


def digits() -> int:
    return PRECISION


# Names moved to other modules; importing them from here still works (phasemod move_definition).
_MOVED_TO = {
    "area": ("calc.geometry", False),
}


def __getattr__(name: str) -> object:
    if name not in _MOVED_TO:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    import warnings

    module, deprecated = _MOVED_TO[name]
    if deprecated:
        warnings.warn(f"{__name__}.{name} moved to {module}.{name}; import it from there",
                      DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(module), name)
