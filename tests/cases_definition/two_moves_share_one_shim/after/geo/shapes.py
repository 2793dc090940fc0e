# Names moved elsewhere, still importable from here (phasemod).
_MOVED_TO = {
    "Circle": ("geo.circle", True),
    "Square": ("geo.square", True),
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
