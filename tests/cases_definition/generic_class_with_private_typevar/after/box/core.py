from typing import TypeVar

# Box moved to box.boxes; importable from here until migrated.
from box.boxes import Box  # noqa: F401

_T = TypeVar("_T")


def first(items: list[_T]) -> _T:
    return items[0]
