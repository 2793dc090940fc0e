"""Parse Python 3.13 source into fissix trees that print back byte for byte.

The only way the engine parses code; it never writes files or changes text.
"""
from __future__ import annotations

import gc

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
    # The token list keeps many objects alive, which would trigger cyclic collections
    # that find nothing to free; trees are collected as usual once parsing is done.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, in_field=False)
    finally:
        if enabled:
            gc.enable()


def _check_field(expr: str) -> None:
    """Parse an f-string replacement field's expression as CPython does: parenthesized."""
    try:
        _parse("(" + expr + "\n)\n", in_field=True)
    except ParseError as exc:
        raise tokenizer.TokenizeError(exc.message, exc.line, exc.column) from None


def _parse(text: str, in_field: bool) -> pytree.Node:
    names: set[str] = set()
    try:
        toks = tokenizer.tokenize(text, names, _check_field)
    except tokenizer.TokenizeError as exc:
        raise ParseError(exc.message, exc.line, exc.column) from None
    collector = checks.Collector()
    if in_field:
        # Whether await/yield may appear depends on the enclosing function, checked outside.
        collector.context_leaves = None  # type: ignore[assignment]
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
