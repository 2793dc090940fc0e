"""Parse Python 3.13 source into fissix trees that print back byte for byte.

The only way the engine parses code; it never writes files or changes text.
"""
from __future__ import annotations

import gc

from fissix import pytree
from fissix.pgen2 import token

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
        return _parse(text, None)
    finally:
        if enabled:
            gc.enable()


def _field_escapes(expr: str) -> list[str]:
    """Parse an f-string replacement field's expression as CPython does (parenthesized);
    return what in it depends on the enclosing function (``yield``, ``await``, ...)."""
    escapes: list[str] = []
    try:
        tree = _parse("(" + expr + "\n)\n", escapes)
    except ParseError as exc:
        raise tokenizer.TokenizeError(exc.message, exc.line, exc.column) from None
    try:
        checks.check_field_tree(tree)
    except checks.CheckError as exc:
        raise tokenizer.TokenizeError(exc.message, exc.line, exc.column) from None
    return escapes


def _parse_field_tree(expr: str) -> pytree.Node:
    """The tree of a (valid) f-string field's expression, for checks that need its names."""
    return _parse("(" + expr + "\n)\n", [])


def parse_block(text: str, first_line: int) -> pytree.Node:
    """Parse top-level statements cut from a file whose line ``first_line`` is the
    block's first: the tree's lines are the file's (phasemod/syntax/lean.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, None, first_line)
    finally:
        if enabled:
            gc.enable()


def _parse(text: str, escapes: list[str] | None, first_line: int = 1) -> pytree.Node:
    """``escapes`` is None for a module, else the list that receives the context-dependent
    constructs of an f-string field (checked where the string stands)."""
    names: set[str] = set()
    deferred: list[tokenizer.TokenizeError] = []
    field_escapes: list[tuple[int, int, str]] = []

    def check_field(expr: str, line: int, column: int) -> None:
        for kind in _field_escapes(expr):
            field_escapes.append((line, column, kind))

    try:
        toks = tokenizer.tokenize(text, names, check_field, deferred, first_line)
    except tokenizer.TokenizeError as exc:  # only null bytes: nothing is read then
        raise _error(exc) from None
    collector = checks.Collector(escapes)
    try:
        tree = parser.parse_tokens(tables.tables(), toks, collector.hooks, collector.context_leaves)
    except parser.GrammarError as exc:
        _type, value, _prefix, line, column = exc.token
        if deferred and (_type == tokenizer.ERRORTOKEN or _tokenizer_error_wins(deferred[0], line, _type)):
            raise _error(deferred[0]) from None
        if _type == token.INDENT:
            raise ParseError("unexpected indent", line, max(len(value) - 1, 0)) from None
        if _type in (token.DEDENT, token.ENDMARKER) and _at_end(toks, exc.token):
            # At the end of the file CPython points past the last line.
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1])
        else:
            line, column = parser.error_position(exc, line, column)
        shown = value if value else "end of line" if _type == token.NEWLINE else "end of input"
        raise ParseError(f"{exc.message} at {shown!r}", line, column) from None
    except checks.CheckError as exc:
        if deferred and _tokenizer_error_wins(deferred[0], exc.line, None):
            raise _error(deferred[0]) from None
        raise ParseError(exc.message, exc.line, exc.column) from None
    try:
        collector.finish(tree)
        if field_escapes:
            collector.field_contexts(tree, field_escapes)
    except checks.CheckError as exc:
        raise ParseError(exc.message, exc.line, exc.column) from None
    tree.used_names = names
    return tree


def _tokenizer_error_wins(error: tokenizer.TokenizeError, line: int, token_type: int | None) -> bool:
    """Whether CPython reports ``error``, met after a syntax error at ``line``: it tokenizes
    the rest of the file unless the syntax error is an unexpected indent or dedent, and
    reports an unclosed bracket opened on an earlier line than the syntax error."""
    if token_type in (token.INDENT, token.DEDENT):
        return False
    return error.overrides or error.unclosed and line > error.line


def _at_end(toks: list[tokenizer.Token], tok: tokenizer.Token) -> bool:
    """Whether only DEDENT and ENDMARKER tokens come from ``tok`` on."""
    for later in reversed(toks):
        if later is tok:
            return True
        if later[0] not in (token.DEDENT, token.ENDMARKER):
            return False
    return False


def _error(error: tokenizer.TokenizeError) -> ParseError:
    return ParseError(error.message, error.line, error.column)


_install.install()
