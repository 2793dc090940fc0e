"""Make fissix (and so Bowler) use the extended grammar, symbols and parser.

It only rebinds tables inside objects fissix already handed out; it never writes files.
"""
from __future__ import annotations

import sys
from typing import Any

from fissix import pygram, pytree
from fissix.pgen2 import driver
from fissix.pgen2 import grammar as pgen_grammar
from fissix.pgen2 import parse as pgen_parse

from . import tables

_TABLE_ATTRS = ("symbol2number", "number2symbol", "states", "dfas", "labels", "keywords", "tokens", "symbol2label", "start")
_installed = False


def _copy_into(target: pgen_grammar.Grammar, source: pgen_grammar.Grammar, drop: tuple[str, ...]) -> None:
    for attr in _TABLE_ATTRS:
        value = getattr(source, attr)
        setattr(target, attr, value.copy() if hasattr(value, "copy") else value)
    for word in drop:
        target.keywords.pop(word, None)


def _is_extended(g: Any) -> bool:
    """True for the extended grammar and for copies of it (RefactoringTool copies)."""
    numbers = getattr(g, "symbol2number", None)
    return bool(numbers) and numbers.get("match_stmt") == tables.grammar().symbol2number["match_stmt"]


def install() -> None:
    """Rebind fissix's grammars and symbols in place; idempotent."""
    global _installed
    if _installed:
        return
    g = tables.grammar()
    _copy_into(pygram.python_grammar, g, ())
    _copy_into(pygram.python_grammar_no_print_statement, g, ("print",))
    _copy_into(pygram.python_grammar_no_print_and_exec_statement, g, ("print", "exec"))
    symbols = pygram.python_symbols
    for name in list(vars(symbols)):
        delattr(symbols, name)
    for name, number in g.symbol2number.items():
        setattr(symbols, name, number)
    # Reprs and symbol sets computed from the old numbering would now be wrong.
    pytree._type_reprs = {}
    fixer_util = sys.modules.get("fissix.fixer_util")
    if fixer_util is not None:
        fixer_util._def_syms = {symbols.classdef, symbols.funcdef}
        fixer_util._block_syms = {symbols.funcdef, symbols.classdef, symbols.trailer}
    _patch_driver()
    _patch_bowler_selectors()
    _installed = True


def _patch_bowler_selectors() -> None:
    """Let Bowler's def-site selectors see ``def name[T](...)`` (type parameters sit
    between the name and the parameters)."""
    try:
        from bowler import query
    except ImportError:
        return
    if not hasattr(query, "SELECTORS"):     # Bowler is still loading (it loaded fissix first)
        return
    plain = "'def' function_name='{name}'"
    for key, pattern in query.SELECTORS.items():
        if plain in pattern and "[typeparams]" not in pattern:
            query.SELECTORS[key] = pattern.replace(plain, plain + " [typeparams]")


def _patch_driver() -> None:
    """Route fissix's Driver to our tokenizer and parser whenever it holds our grammar."""
    original_string = driver.Driver.parse_string
    original_stream = driver.Driver.parse_stream_raw

    def parse_string(self: driver.Driver, text: str, debug: bool = False) -> pytree.Node:
        if not _is_extended(self.grammar):
            return original_string(self, text, debug)
        return _parse_for_fissix(text)

    def parse_stream_raw(self: driver.Driver, stream: Any, debug: bool = False) -> pytree.Node:
        if not _is_extended(self.grammar):
            return original_stream(self, stream, debug)
        return _parse_for_fissix(stream.read())

    driver.Driver.parse_string = parse_string  # type: ignore[method-assign]
    driver.Driver.parse_stream_raw = parse_stream_raw  # type: ignore[method-assign]


def _parse_for_fissix(text: str) -> pytree.Node:
    from . import ParseError, parse

    try:
        return parse(text)
    except ParseError as exc:
        # fissix callers (RefactoringTool, Bowler) catch pgen's ParseError.
        raise pgen_parse.ParseError(exc.message, 0, "", ("", (exc.line, exc.column))) from exc
