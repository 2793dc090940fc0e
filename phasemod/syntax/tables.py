"""Build the pgen grammar and parser tables from ``grammar_text`` once per process.

It never reads a pickled grammar: tables always come from the grammar text shipped here.
"""
from __future__ import annotations

import io
from functools import lru_cache

from fissix.pgen2 import grammar as pgen_grammar
from fissix.pgen2 import pgen, token

from .grammar_text import GRAMMAR

# An action is either the next state after shifting the token (an int) or
# (next state, ((symbol, state after it is done), ...)) for the nonterminals to push
# before the token is shifted into the innermost one.
Action = int | tuple[int, tuple[tuple[int, int], ...]]

# Names that pgen made keywords but that are ordinary names in Python 3.
_NOT_KEYWORDS = frozenset({"print", "exec"})
SOFT_KEYWORDS = frozenset({"match", "case", "type"})


class Tables:
    """Per-state transition dictionaries compiled once from a pgen grammar."""

    def __init__(self, g: pgen_grammar.Grammar) -> None:
        self.grammar = g
        self.start = g.start
        self.keyword_labels = {k: v for k, v in g.keywords.items() if k not in _NOT_KEYWORDS | SOFT_KEYWORDS}
        self.soft_labels = {k: g.keywords[k] for k in SOFT_KEYWORDS}
        self.token_labels = dict(g.tokens)
        self.token_labels[token.ERRORTOKEN] = -1  # fits no state: parsing stops there
        # Leaves whose validity depends on the enclosing function or loop.
        self.watch_labels = frozenset(
            [self.keyword_labels[k] for k in ("return", "yield", "break", "continue", "nonlocal")]
            + [self.token_labels[token.AWAIT], self.token_labels[token.ASYNC]]
        )
        self.trans: dict[int, list[dict[int, Action]]] = {}
        self.accepting: dict[int, list[bool]] = {}
        self.accept_only: dict[int, list[bool]] = {}
        for sym, (states, _first) in g.dfas.items():
            self.accepting[sym] = [(0, i) in arcs for i, arcs in enumerate(states)]
            self.accept_only[sym] = [arcs == [(0, i)] for i, arcs in enumerate(states)]
        for sym in g.dfas:
            self.trans[sym] = [self._state_actions(sym, i) for i in range(len(g.dfas[sym][0]))]

    def _state_actions(self, sym: int, state: int) -> dict[int, Action]:
        g = self.grammar
        actions: dict[int, Action] = {}
        for label, nxt in g.dfas[sym][0][state]:
            if label == 0:
                continue
            kind = g.labels[label][0]
            if kind < 256:
                actions[label] = nxt
                continue
            for first_label in g.dfas[kind][1]:
                actions[first_label] = (nxt, self._descend(kind, first_label))
        return actions

    def _descend(self, sym: int, label: int) -> tuple[tuple[int, int], ...]:
        """The chain of pushes from ``sym``'s first state down to the shift of ``label``."""
        g = self.grammar
        for arc_label, nxt in g.dfas[sym][0][0]:
            kind = g.labels[arc_label][0]
            if arc_label == label:
                return ((sym, nxt),)
            if kind >= 256 and label in g.dfas[kind][1]:
                return ((sym, nxt),) + self._descend(kind, label)
        raise AssertionError("label outside first set")


@lru_cache(maxsize=1)
def grammar() -> pgen_grammar.Grammar:
    """The extended Python grammar, generated from text (about 20 ms, so no cache file)."""
    return pgen.ParserGenerator("<phasemod grammar>", io.StringIO(GRAMMAR)).make_grammar()


@lru_cache(maxsize=1)
def tables() -> Tables:
    """Transition tables for ``parser.parse_tokens``."""
    return Tables(grammar())
