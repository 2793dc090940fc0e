"""Helpers around New; OldThing is something else."""
from pkg.new_mod import New


def make():
    """Return a fresh New (see pkg.new_mod.New)."""
    # New instances are cheap; OldFactory is not.
    return New()
