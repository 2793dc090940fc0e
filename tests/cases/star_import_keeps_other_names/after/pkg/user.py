"""Uses New through a star import."""
import logging
from .old_mod import *  # noqa: F403
from .new_mod import New

__all__ = ["New", "build"]


def build(n: "New") -> New:
    """Build an New."""
    logging.info("limit %s", LIMIT)
    return New(n)


def shadowed(Old):
    return Old
