"""Small questions about parsed nodes shared by the validity checks (checks.py and
declarations.py): the error they raise, and which scope holds a node."""
from __future__ import annotations

from fissix.pytree import Base, Leaf

from .tables import grammar

_S = grammar().symbol2number
FUNCTION_BOUNDARIES = frozenset({_S["funcdef"], _S["classdef"], _S["lambdef"], _S["file_input"]})
COMPREHENSION_HOLDERS = frozenset(_S[name] for name in ("listmaker", "testlist_gexp", "dictsetmaker", "argument"))


class CheckError(Exception):
    """A construct CPython rejects; position of the offending leaf."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def fail(message: str, node: Base) -> CheckError:
    leaf = node if isinstance(node, Leaf) else next(node.leaves())
    return CheckError(message, leaf.lineno, leaf.column)


def is_leaf(node: Base, value: str) -> bool:
    return isinstance(node, Leaf) and node.value == value


def enclosing_function(node: Base) -> Base:
    """The function, lambda, class or module whose body holds ``node`` (defaults,
    annotations and base classes belong to the scope around a definition)."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type in FUNCTION_BOUNDARIES and (parent.children[-1] is child or parent.type == _S["file_input"]):
            return parent
        child, parent = parent, parent.parent
    return parent
