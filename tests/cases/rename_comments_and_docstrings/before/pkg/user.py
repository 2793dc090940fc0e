"""Helpers around Old; OldThing is something else."""
from pkg.old_mod import Old


def make():
    """Return a fresh Old (see pkg.old_mod.Old)."""
    # Old instances are cheap; OldFactory is not.
    return Old()
