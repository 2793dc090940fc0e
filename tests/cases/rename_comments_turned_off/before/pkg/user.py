from pkg.old_mod import Old


def make():
    """Return a fresh Old."""
    # Old is cheap.
    return Old()
