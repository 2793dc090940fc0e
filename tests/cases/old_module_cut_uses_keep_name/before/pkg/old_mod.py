"""The deprecated module."""


class Special(Old):
    pass
