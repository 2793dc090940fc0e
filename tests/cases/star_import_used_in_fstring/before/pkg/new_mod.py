"""The new module."""


class New:
    pass
