"""The deprecated module."""


class Old:
    pass


__all__ = ["Old"] + [name.upper() for name in ("a", "b")]
