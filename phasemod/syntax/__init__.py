"""Parse Python 3.13 source into fissix trees that print back byte for byte.

The only way the engine parses code; it never writes files or changes text.
"""
from __future__ import annotations

from fissix import pytree

from . import checks, install as _install, parser, tables, tokenizer

__all__ = ["ParseError", "parse"]


class ParseError(Exception):
    """Source that cannot be parsed: ``line`` and ``column`` are 1-based and 0-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        self.message, self.line, self.column = message, line, column
        super().__init__(f"line {line}, column {column}: {message}")


def parse(text: str) -> pytree.Node:
    """Parse ``text`` (already decoded, BOM removed) and return the module node."""
    names: set[str] = set()
    try:
        toks = tokenizer.tokenize(text, names)
    except tokenizer.TokenizeError as exc:
        raise ParseError(exc.message, exc.line, exc.column) from None
    collector = checks.Collector()
    try:
        tree = parser.parse_tokens(tables.tables(), toks, collector.hooks, collector.context_leaves)
        collector.finish(tree)
    except parser.GrammarError as exc:
        _type, value, _prefix, line, column = exc.token
        shown = value if value else "end of line" if _type == 4 else "end of input"
        raise ParseError(f"{exc.message} at {shown!r}", line, column) from None
    except checks.CheckError as exc:
        raise ParseError(exc.message, exc.line, exc.column) from None
    tree.used_names = names
    return tree


_install.install()
