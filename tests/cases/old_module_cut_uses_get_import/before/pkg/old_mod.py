"""The deprecated module: the class was cut out, its uses stayed."""
import logging

log = logging.getLogger(__name__)


class Special(Old):
    """A subclass left behind."""


def make(kind=Old) -> Old:
    return kind()
