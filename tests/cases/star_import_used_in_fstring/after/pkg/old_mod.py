"""The deprecated module."""


class Old:
    pass


class Other:
    pass


LIMIT = 3
