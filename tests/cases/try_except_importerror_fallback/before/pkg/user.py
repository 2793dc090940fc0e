try:
    from pkg.old_mod import Old
except ImportError:  # pragma: no cover
    Old = None


def make():
    return Old() if Old is not None else None
