"""Parse only the top-level statements that can matter to a rewrite; keep the rest as text.

A recipe that moves a name reads the statements that mention it, the imports, and the
bindings of the names those statements define. Every other top-level statement of the
file (most of it, in a module that mentions the class a few times) stands in the tree
as one ``OPAQUE`` leaf holding its exact text: the tree still prints back byte for byte,
fixers never match it, and name resolution sees nothing in it. The lines before a
statement (blank, comments) are its prefix; a whole parse gives those that follow an
indented block to the DEDENT ending it, the one place the two trees differ in a parsed
statement.

Which statements are parsed (``words``: the identifiers the recipes read):

- the first statement (a docstring, before which nothing may be inserted) and every
  statement whose text has the word ``import`` (imports, ``TYPE_CHECKING`` blocks,
  functions importing locally): imports are what a move rewrites and what the safety net
  checks;
- every statement whose text (comments and strings included) has one of ``words`` as a
  whole identifier, then, until nothing more is found, every statement naming a
  module-level name those statements bind (``class Runner(Old)`` makes ``Runner`` a word;
  ``from m import Old, helper`` makes ``helper`` one): a rewrite that broke such a binding
  would be caught by the name checks, which see every use of it.

A module with a star import is parsed whole: the names it provides are not known from
the text, and whether the import is still needed depends on every statement using one.

The statement boundaries come from CPython's own parser (``ast``), which also proves the
whole file's syntax valid. When it cannot read the file (syntax newer than the running
Python, a syntax error anywhere), or a block does not parse alone, the whole file is
parsed as usual: the result, and any error, are then exactly `syntax.parse`'s. What
CPython checks only when it compiles (``return`` outside a function, a late ``from
__future__`` import, ...) is not looked for in the statements kept as text: they are
never rewritten, and the engine compiles every file it rewrites, reporting such a file
unparseable, as a whole parse does, and leaving it as it is (`engine.check_rewrite`).
"""
from __future__ import annotations

import ast
import bisect
import collections
import gc
import hashlib
import re
import unicodedata
import warnings
from array import array
from typing import Any, Callable, Collection, Iterable, Iterator, Sequence

from fissix import pygram, pytree
from fissix.pgen2 import token

from . import ParseError, parse, parse_block

__all__ = ["OPAQUE", "is_lean", "line_breaks", "parse_lean", "renumber", "words_of"]

OPAQUE = 250   # the token type of a leaf standing for statements that were not parsed
token.tok_name.setdefault(OPAQUE, "OPAQUE")

_BREAK = re.compile(r"\r\n|\r|\n")
_IMPORT = re.compile(r"(?<!\w)import(?!\w)")
_STAR_IMPORT = re.compile(r"(?<!\w)import[\s\\]*\*")
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


class _Group:
    """Top-level statements that share lines (``a = 1; b = 2``), with the lines before them;
    ``binder`` names what they bind (from `ast` statements or phasemod's tree)."""

    __slots__ = ("first", "end", "stmts", "text", "binder")

    def __init__(self, first: int, end: int, stmt: Any) -> None:
        self.first, self.end, self.stmts, self.text = first, end, [stmt], ""
        self.binder: Callable[[list[Any]], Iterable[str]] = _bound


def parse_lean(text: str, words: Collection[str] | None) -> pytree.Node:
    """The tree of ``text`` with only the statements that can matter to ``words`` parsed
    (see the module's docstring; None or none: the whole file); raises `ParseError` as
    `syntax.parse` does."""
    if not words:
        return parse(text)
    words = frozenset(words)
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]   # starts[k]: offset of line k + 1

    def offset(line: int) -> int:
        return starts[line - 1] if line <= len(starts) else len(text)

    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), words)
    plan = _PLANS.pop(key, None)    # a third parse of the same text is rare: the memory is freed
    if plan is None:
        plan = _plan(text, words, offset)
        _keep(key, plan)
    *lines, beyond = plan
    if lines[0] is None:
        tree = parse(text)
        if beyond:
            # The running Python cannot read it (newer syntax), phasemod's parser just did:
            # the next parse of the same text (the phase after the baseline count) can be lean.
            _keep(key, _plan_of_tree(tree, text, words, offset))
        tree.beyond_python = beyond   # for the syntax check of its rewrite (engine.check_rewrite)
        return tree
    try:
        tree = _assemble(text, *lines, offset)
    except ParseError:
        tree = parse(text)
    tree.beyond_python = beyond
    return tree


# A file's plan, kept from one parse of a text to the next within a command (the baseline
# count reads a file, then its phase rewrites it): (hash of the text, words) -> plan.
_PLANS: dict[tuple[bytes, frozenset[str]], tuple] = {}
_PLANS_KEPT = 16384
_WHOLE = (None, None, None, False)        # parse the whole file
_UNREADABLE = (None, None, None, True)    # the running Python's parser refuses it: whole, too


def _keep(key: tuple[bytes, frozenset[str]], plan: tuple) -> None:
    if len(_PLANS) >= _PLANS_KEPT:
        _PLANS.pop(next(iter(_PLANS)))
    _PLANS[key] = plan
    _made.append(key)


# Keys kept since the last `take_plans` (bounded: a process that never hands them on).
_made: collections.deque[tuple[bytes, frozenset[str]]] = collections.deque(maxlen=_PLANS_KEPT)


def take_plans() -> list[tuple]:
    """The plans this process made since the last call, still kept: for a worker process
    to hand back to the parent, whose later workers (forked from it) then find them."""
    out = [(key, _PLANS[key]) for key in _made if key in _PLANS]
    _made.clear()
    return out


def keep_plans(plans: list[tuple]) -> None:
    """Plans another process made (`take_plans`)."""
    for key, plan in plans:
        _keep(key, plan)
    _made.clear()


def _plan(text: str, words: frozenset[str], offset) -> tuple:
    """(first line of each group, last line of each group, which groups to parse, whether
    the running Python cannot read the file), or `_WHOLE`, or `_UNREADABLE`."""
    enabled = gc.isenabled()
    gc.disable()   # the syntax tree is garbage at once; collecting while it is built is waste
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # invalid escapes and the like: not ours to say
            module = ast.parse(text)
    except _PARSE_ERRORS:
        return _UNREADABLE
    finally:
        if enabled:
            gc.enable()
    body = module.body
    if len(body) < 3:
        return _WHOLE
    groups = _groups(body)
    if _STAR_IMPORT.search(text) and any(isinstance(node, ast.ImportFrom) and node.names[0].name == "*"
                                         for stmt in body for node in ast.walk(stmt)):
        return _WHOLE
    return _decide(text, groups, words, offset, False)


def _decide(text: str, groups: list[_Group], words: frozenset[str], offset, beyond: bool) -> tuple:
    previous = 0
    for group in groups:
        group.text = text[offset(previous + 1):offset(group.end + 1)]
        previous = group.end
    wanted = _wanted(text, groups, words, offset)
    if all(wanted):
        return _UNREADABLE if beyond else _WHOLE
    # Compact: a plan per affected file may be kept (a few hundred bytes each).
    return array("I", [g.first for g in groups]), array("I", [g.end for g in groups]), bytes(wanted), beyond


def _plan_of_tree(tree: pytree.Node, text: str, words: frozenset[str], offset) -> tuple:
    """The plan of a file read from its whole parse (for files the running Python's own
    parser refuses): each top-level statement's lines from its leaves."""
    syms = pygram.python_symbols
    groups: list[_Group] = []
    for child in tree.children:
        if child.type == token.ENDMARKER:
            continue
        first = child.get_lineno()
        end = first
        for leaf in child.leaves():
            if leaf.value:
                end = leaf.lineno + line_breaks(leaf.value) - (leaf.value[-1:] in ("\n", "\r"))
        group = _Group(first, end, child)
        group.binder = _bound_in_tree
        groups.append(group)
    if len(groups) < 3 or any(b.first <= a.end for a, b in zip(groups, groups[1:])) or (
            _STAR_IMPORT.search(text) and any(leaf.type == token.STAR and leaf.parent.type == syms.import_from
                                              for leaf in tree.leaves())):
        return _UNREADABLE
    return _decide(text, groups, words, offset, True)


def words_of(recipes: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
    """What Python recipes read, as (recipe, options) pairs (`Recipe.words`); None when one
    of them reads whole files."""
    found: set[str] = set()
    for recipe, options in recipes:
        words = recipe.words(options)
        if words is None:
            return None
        found.update(words)
    return frozenset(found)


def is_lean(tree: pytree.Node) -> bool:
    """Whether some of ``tree``'s statements were left as text."""
    return any(child.type == OPAQUE for child in tree.children)


def _groups(body: list[ast.stmt]) -> list[_Group]:
    groups: list[_Group] = []
    for stmt in body:
        decorators = getattr(stmt, "decorator_list", None)
        first = decorators[0].lineno if decorators else stmt.lineno
        end = stmt.end_lineno or stmt.lineno
        if groups and first <= groups[-1].end:
            groups[-1].end = max(groups[-1].end, end)
            groups[-1].stmts.append(stmt)
        else:
            groups.append(_Group(first, end, stmt))
    return groups


def _wanted(text: str, groups: list[_Group], words: Collection[str], offset) -> list[bool]:
    wanted = [i == 0 or bool(_IMPORT.search(g.text)) for i, g in enumerate(groups)]
    if text.isascii():
        ends = [offset(g.end + 1) for g in groups]   # each group's end offset, ascending

        def naming(pattern: re.Pattern[str]) -> set[int]:
            # One search of the whole text; an index past the last group is a trailing comment.
            return {bisect.bisect_right(ends, m.start()) for m in pattern.finditer(text)} - {len(groups)}
    else:   # identifiers count by their NFKC form, as Python binds them
        texts = [unicodedata.normalize("NFKC", g.text) for g in groups]

        def naming(pattern: re.Pattern[str]) -> set[int]:
            return {i for i, t in enumerate(texts) if pattern.search(t)}

    known = set(words)
    frontier = set(words)
    named = [False] * len(groups)
    while frontier:
        hits = naming(_words_pattern(frontier))
        frontier = set()
        for i in sorted(hits):
            if named[i]:
                continue
            named[i] = wanted[i] = True
            frontier.update(name for name in groups[i].binder(groups[i].stmts) if name not in known)
            known |= frontier
    return wanted


def _words_pattern(words: Collection[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _bound(stmts: list[ast.stmt]) -> Iterator[str]:
    """Names the statements bind at module level (a superset: names bound in nested
    functions of a compound statement are included)."""
    for stmt in stmts:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield stmt.name
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if alias.name != "*":
                    yield alias.asname or alias.name.partition(".")[0]
        else:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                    yield node.id
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    yield node.name
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield from (a.asname or a.name.partition(".")[0] for a in node.names if a.name != "*")


def _bound_in_tree(stmts: list[pytree.Base]) -> Iterator[str]:
    """A superset of what top-level statements of phasemod's tree bind: a definition's
    name, an import's names, else every name the statement mentions."""
    syms = pygram.python_symbols
    for stmt in stmts:
        node = stmt
        while node.type in (syms.decorated, syms.async_stmt, getattr(syms, "async_funcdef", -1)):
            node = node.children[-1]
        if node.type in (syms.funcdef, syms.classdef):
            yield node.children[1].value
            continue
        for leaf in stmt.leaves():
            if leaf.type == token.NAME:
                yield leaf.value


def _assemble(text: str, firsts: Sequence[int], ends: Sequence[int], wanted: bytes, offset) -> pytree.Node:
    children: list[pytree.Base] = []
    names: set[str] = set()
    previous = 0   # the last line of the groups already placed
    i, n = 0, len(firsts)
    while i < n:
        j = i
        while j < n and wanted[j] == wanted[i]:
            j += 1
        last = j == n
        end = len(text) if last else offset(ends[j - 1] + 1)
        if wanted[i]:
            block = parse_block(text[offset(previous + 1):end], previous + 1)
            kids = block.children
            if not last and kids[-1].prefix:
                raise ParseError("a block does not end where its statement ends", ends[j - 1], 0)
            if not last:
                kids = kids[:-1]
            for kid in kids:
                kid.parent = None
            children.extend(kids)
            names |= getattr(block, "used_names", set())
        else:
            first = firsts[i]
            stop = offset(ends[j - 1] + 1)
            children.append(pytree.Leaf(OPAQUE, text[offset(first):stop],
                                        context=(text[offset(previous + 1):offset(first)], (first, 0))))
            if last:   # on the file's last line, after the comments that end it, as a whole parse places it
                children.append(pytree.Leaf(token.ENDMARKER, "", context=(text[stop:], (1 + line_breaks(text), 0))))
        previous = ends[j - 1]
        i = j
    tree = pytree.Node(pygram.python_symbols.file_input, children)
    tree.used_names = names
    return tree


def renumber(tree: pytree.Node) -> None:
    """Give every leaf of a rewritten tree the line a fresh parse of its text would give
    it (rewrites insert and remove lines; the name checks and surveys report lines)."""
    line = 1
    for leaf in tree.leaves():
        prefix = leaf.prefix
        if prefix:
            line += line_breaks(prefix)
        leaf.lineno = line
        value = leaf.value
        if "\n" in value or "\r" in value:
            line += line_breaks(value)


def line_breaks(text: str) -> int:
    """Line breaks as Python counts them: \\n, \\r\\n and a lone \\r."""
    count = text.count("\n")
    if "\r" in text:
        count += text.count("\r") - text.count("\r\n")
    return count
