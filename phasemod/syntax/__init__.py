"""Parse Python source into fissix trees that print back byte for byte.

The only way the engine parses code; it never writes files or changes text.
"""
from __future__ import annotations

from fissix import pygram, pytree
from fissix.pgen2 import driver, parse as pgen_parse, tokenize

__all__ = ["ParseError", "parse"]


class ParseError(Exception):
    """Source that cannot be parsed: ``line`` and ``column`` are 1-based and 0-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        self.message, self.line, self.column = message, line, column
        super().__init__(f"line {line}, column {column}: {message}")


_driver: driver.Driver | None = None


def parse(text: str) -> pytree.Node:
    """Parse ``text`` (already decoded, BOM removed) and return the module node."""
    global _driver
    if _driver is None:
        _driver = driver.Driver(pygram.python_grammar_no_print_statement, convert=pytree.convert)
    missing_newline = bool(text) and not text.endswith(("\n", "\r"))
    source = text + "\n" if missing_newline else text
    try:
        tree = _driver.parse_string(source, True)
    except pgen_parse.ParseError as exc:
        line, column = exc.context[1]
        raise ParseError(f"invalid syntax at {exc.value!r}", line, column) from None
    except tokenize.TokenError as exc:
        message, (line, column) = exc.args
        raise ParseError(str(message), line, column) from None
    except IndentationError as exc:
        raise ParseError(exc.msg, exc.lineno or 0, exc.offset or 0) from None
    if missing_newline:
        _strip_added_newline(tree)
    return tree


def _strip_added_newline(tree: pytree.Node) -> None:
    """Remove the newline we appended so that ``str(tree) == text`` holds."""
    for leaf in reversed(list(tree.leaves())):
        if leaf.value.endswith("\n"):
            leaf.value = leaf.value[:-1]
            return
        if leaf.prefix.endswith("\n"):
            leaf.prefix = leaf.prefix[:-1]
            return
