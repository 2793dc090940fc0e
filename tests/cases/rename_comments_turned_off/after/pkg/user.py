from pkg.new_mod import New


def make():
    """Return a fresh Old."""
    # Old is cheap.
    return New()
