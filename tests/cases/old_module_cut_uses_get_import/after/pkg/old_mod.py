"""The deprecated module: the class was cut out, its uses stayed."""
import logging
from pkg.new_mod import New

log = logging.getLogger(__name__)


class Special(New):
    """A subclass left behind."""


def make(kind=New) -> New:
    return kind()
