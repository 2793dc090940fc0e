from pkg.new_mod import New
from pkg.old_mod import Old  # the old spelling


def run():
    try:
        from pkg.old_mod import Old  # inside a function
    except ImportError:  # pragma: no cover
        Old = None
    return Old, New
