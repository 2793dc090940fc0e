"""The deprecated module."""
from pkg.new_mod import New as Old


class Special(Old):
    pass
