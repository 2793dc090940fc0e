"""The deprecated module."""
from pkg._limits import *


class Old:
    pass


class Other:
    pass


def _private():
    pass
