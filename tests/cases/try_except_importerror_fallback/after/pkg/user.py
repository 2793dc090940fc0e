try:
    from pkg.new_mod import New
except ImportError:  # pragma: no cover
    New = None


def make():
    return New() if New is not None else None
