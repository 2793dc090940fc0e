from typing import Generic, TypeVar


_T = TypeVar("_T")


class Box(Generic[_T]):
    """Holds one value."""

    def __init__(self, value: _T) -> None:
        self.value = value
