"""Table-driven LL(1) parser that turns tokens into fissix ``pytree`` nodes.

It never tokenizes and never judges validity beyond the grammar (hooks from ``checks`` do).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable

from fissix.pgen2 import token
from fissix.pytree import Leaf, Node

from .tables import Tables
from .tokenizer import SOFT_KEYWORD, Token



class GrammarError(Exception):
    """The token does not fit the grammar; ``token`` is the offending token and ``stack``
    the parser's unfinished nonterminals (children so far) when it came."""

    def __init__(self, message: str, tok: Token, stack: list[list] | None = None) -> None:
        super().__init__(message)
        self.message, self.token, self.stack = message, tok, stack or []


class NormalizedName(Leaf):
    """A name written with compatibility characters (``\uff2fld``). Python binds it by its
    NFKC form, so ``value`` is that form and every comparison sees ``Old``; left
    untouched by a rewrite it prints as written, so no byte changes outside an edit."""

    def __init__(self, type_: int, raw: str, context: tuple) -> None:
        super().__init__(type_, unicodedata.normalize("NFKC", raw), context=context)
        self.raw = raw
        self.normal = self.value

    def __str__(self) -> str:
        return self.prefix + (self.raw if self.value == self.normal else str(self.value))


Hook = Callable[[Node], Node | None]


def parse_tokens(
    tables: Tables,
    toks: list[Token],
    hooks: dict[int, Hook],
    watched: list[Leaf] | None = None,
) -> Node:
    """Build the tree for ``toks``; ``hooks[symbol]`` sees each new node of that symbol
    and may return a replacement; leaves of ``tables.watch_labels`` go to ``watched``."""
    trans = tables.trans
    accepting = tables.accepting
    accept_only = tables.accept_only
    keyword_labels = tables.keyword_labels
    soft_labels = tables.soft_labels
    token_labels = tables.token_labels
    name_label = token_labels[token.NAME]
    NAME = token.NAME
    start = tables.start
    # stack entries: [transitions of the symbol, current state, symbol, children]
    stack: list[list] = [[trans[start], 0, start, []]]
    root: Node | None = None
    hook_get = hooks.get
    watch_labels = tables.watch_labels
    for tok in toks:
        ttype, value, prefix, line, col = tok
        if ttype == NAME:
            label = keyword_labels.get(value, name_label)
        elif ttype == SOFT_KEYWORD:
            ttype = NAME
            label = soft_labels[value]
        else:
            label = token_labels[ttype]
        while True:
            entry = stack[-1]
            action = entry[0][entry[1]].get(label)
            if action is None:
                sym = entry[2]
                if accepting[sym][entry[1]]:
                    node = _reduce(stack, hook_get)
                    if not stack:
                        raise GrammarError("unexpected input after the end", tok)
                    stack[-1][3].append(node)
                    continue
                raise GrammarError("invalid syntax", tok, stack)
            if action.__class__ is int:
                entry[1] = action
            else:
                entry[1], pushes = action
                for sym, state in pushes:
                    entry = [trans[sym], state, sym, []]
                    stack.append(entry)
            if ttype == NAME and not value.isascii() and unicodedata.normalize("NFKC", value) != value:
                leaf = NormalizedName(ttype, value, context=(prefix, (line, col)))
            else:
                leaf = Leaf(ttype, value, context=(prefix, (line, col)))
            entry[3].append(leaf)
            if label in watch_labels and watched is not None:
                watched.append(leaf)
            while accept_only[entry[2]][entry[1]]:
                node = _reduce(stack, hook_get)
                if not stack:
                    root = node
                    break
                entry = stack[-1]
                entry[3].append(node)
            break
    if root is None:
        raise GrammarError("unexpected end of input", toks[-1])
    return root


def _reduce(stack: list[list], hook_get: Callable[[int], Hook | None]) -> Node:
    """Pop the top nonterminal and return its node, collapsed as fissix's ``convert`` does."""
    _trans, _state, sym, children = stack.pop()
    if len(children) == 1 and stack:
        return children[0]
    node = Node(sym, children)
    hook = hook_get(sym)
    if hook is not None:
        replacement = hook(node)
        if replacement is not None:
            return replacement
    return node


_EXPRESSION_START = frozenset(
    [token.NUMBER, token.STRING, token.LPAR, token.LSQB, token.LBRACE, token.MINUS, token.PLUS, token.TILDE, token.AWAIT]
)
_NOT_EXPRESSION_START = frozenset(
    "and as assert async break class continue def del elif else except finally for from global if "
    "import in is nonlocal or pass raise return try while with yield".split()
)
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


def error_position(exc: GrammarError, line: int, column: int) -> tuple[int, int]:
    """Where CPython reports a syntax error at ``exc.token``: two expressions side by
    side inside brackets (``[a b]``) are reported at the first, as a missing comma."""
    ttype, value = exc.token[0], exc.token[1]
    if not (ttype in _EXPRESSION_START or ttype in (token.NAME, SOFT_KEYWORD) and value not in _NOT_EXPRESSION_START):
        return line, column
    depth = 0
    for entry in exc.stack:
        for child in entry[3]:
            if child.__class__ is Leaf:
                if child.value in _OPEN:
                    depth += 1
                elif child.value in _CLOSE:
                    depth -= 1
    if depth <= 0 or not exc.stack[-1][3] or exc.stack[-1][2] in _not_expression_symbols():
        return line, column
    node = exc.stack[-1][3][-1]
    while node.__class__ is Node and node.type in _last_child_symbols():
        node = node.children[-1]
    if node.__class__ is Leaf:
        if node.type not in (token.NAME, token.NUMBER, token.STRING) or node.value in _NOT_EXPRESSION_START:
            return line, column
        if node.value in ("print", "exec"):
            return line, column
    elif node.type not in _operand_symbols():
        return line, column
    first = node if node.__class__ is Leaf else next(node.leaves())
    return first.lineno, first.column


def _last_child_symbols() -> frozenset[int]:
    from .tables import grammar

    numbers = grammar().symbol2number
    return frozenset(
        numbers[name]
        for name in (
            "testlist_gexp", "listmaker", "dictsetmaker", "arglist", "argument", "subscriptlist", "subscript",
            "testlist_star_expr", "exprlist", "testlist", "test", "lambdef", "namedexpr_test", "asexpr_test",
            "sliceop", "subject_expr", "patterns", "pattern",
        )
    )


def _not_expression_symbols() -> frozenset[int]:
    """Bracketed lists whose items are not expressions (no "forgot a comma" there)."""
    from .tables import grammar

    numbers = grammar().symbol2number
    return frozenset(
        numbers[name]
        for name in ("parameters", "typedargslist", "varargslist", "tname", "import_from", "import_as_names", "typeparams")
    )


def _operand_symbols() -> frozenset[int]:
    """Nodes that are a whole operand ("disjunction") by themselves."""
    from .tables import grammar

    numbers = grammar().symbol2number
    return frozenset(
        numbers[name]
        for name in (
            "or_test", "and_test", "not_test", "comparison", "expr", "xor_expr", "and_expr", "shift_expr",
            "arith_expr", "term", "factor", "power", "atom",
        )
    )
