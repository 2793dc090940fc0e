"""Build the pgen grammar and parser tables from ``grammar_text`` once per process.

It never reads a pickled grammar: tables always come from the grammar text shipped here.
"""
from __future__ import annotations

import io
from functools import lru_cache

from fissix.pgen2 import grammar as pgen_grammar
from fissix.pgen2 import pgen

from .grammar_text import GRAMMAR
from .parser import Tables


@lru_cache(maxsize=1)
def grammar() -> pgen_grammar.Grammar:
    """The extended Python grammar, generated from text (about 20 ms, so no cache file)."""
    return pgen.ParserGenerator("<phasemod grammar>", io.StringIO(GRAMMAR)).make_grammar()


@lru_cache(maxsize=1)
def tables() -> Tables:
    """Transition tables for ``parser.parse_tokens``."""
    return Tables(grammar())
