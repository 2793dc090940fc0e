"""Uses Old through a star import."""
import logging
from .old_mod import *  # noqa: F403

__all__ = ["Old", "build"]


def build(n: "Old") -> Old:
    """Build an Old."""
    logging.info("limit %s", LIMIT)
    return Old(n)


def shadowed(Old):
    return Old
