"""The deprecated module."""
__all__ = ("Other",)


class Old:
    pass


class Other:
    pass
