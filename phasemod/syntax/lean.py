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

The statement boundaries come from CPython's own parser (``ast``), which with its
compiler also proves the whole file valid. When they cannot read the file (syntax newer
than the running Python, an error anywhere), or a block does not parse alone, the whole
file is parsed as usual: the result, and any error, are then exactly `syntax.parse`'s.
"""
from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from typing import Collection, Iterator

from fissix import pygram, pytree
from fissix.pgen2 import token

from . import ParseError, parse, parse_block

__all__ = ["OPAQUE", "is_lean", "parse_lean", "renumber"]

OPAQUE = 250   # the token type of a leaf standing for statements that were not parsed
token.tok_name.setdefault(OPAQUE, "OPAQUE")

_BREAK = re.compile(r"\r\n|\r|\n")
_IMPORT = re.compile(r"(?<!\w)import(?!\w)")
_STAR_IMPORT = re.compile(r"(?<!\w)import[\s\\]*\*")
_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


class _Group:
    """Top-level statements that share lines (``a = 1; b = 2``), with the lines before them."""

    __slots__ = ("first", "end", "stmts", "text")

    def __init__(self, first: int, end: int, stmt: ast.stmt) -> None:
        self.first, self.end, self.stmts, self.text = first, end, [stmt], ""


def parse_lean(text: str, words: Collection[str]) -> pytree.Node:
    """The tree of ``text`` with only the statements that can matter to ``words`` parsed
    (see the module's docstring); raises `ParseError` as `syntax.parse` does."""
    if not words:
        return parse(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # invalid escapes and the like: not ours to say
            module = ast.parse(text)
            # What CPython checks after parsing (`return` outside a function, a late
            # `from __future__` import, ...) holds for the statements kept as text too.
            compile(module, "<lean>", "exec", dont_inherit=True)
    except _PARSE_ERRORS:
        return parse(text)
    body = module.body
    if len(body) < 3:
        return parse(text)
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]   # starts[k]: offset of line k + 1

    def offset(line: int) -> int:
        return starts[line - 1] if line <= len(starts) else len(text)

    groups = _groups(body)
    previous = 0
    for group in groups:
        group.text = text[offset(previous + 1):offset(group.end + 1)]
        previous = group.end
    if _star_import(groups):
        return parse(text)
    wanted = _wanted(groups, words)
    if all(wanted):
        return parse(text)
    try:
        return _assemble(text, groups, wanted, offset)
    except ParseError:
        return parse(text)


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


def _star_import(groups: list[_Group]) -> bool:
    """Whether a statement is ``from m import *``."""
    return any(isinstance(node, ast.ImportFrom) and node.names[0].name == "*"
               for group in groups if _STAR_IMPORT.search(group.text)
               for stmt in group.stmts for node in ast.walk(stmt))


def _wanted(groups: list[_Group], words: Collection[str]) -> list[bool]:
    wanted = [i == 0 or bool(_IMPORT.search(g.text)) for i, g in enumerate(groups)]
    texts = [g.text if g.text.isascii() else unicodedata.normalize("NFKC", g.text) for g in groups]
    known = set(words)
    frontier = set(words)
    named = [False] * len(groups)
    while frontier:
        found = _words_pattern(frontier).search
        frontier = set()
        for i, group in enumerate(groups):
            if named[i] or not found(texts[i]):
                continue
            named[i] = wanted[i] = True
            for name in _bound(group.stmts):
                if name not in known:
                    known.add(name)
                    frontier.add(name)
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


def _assemble(text: str, groups: list[_Group], wanted: list[bool], offset) -> pytree.Node:
    children: list[pytree.Base] = []
    names: set[str] = set()
    previous = 0   # the last line of the groups already placed
    i, n = 0, len(groups)
    while i < n:
        j = i
        while j < n and wanted[j] == wanted[i]:
            j += 1
        last = j == n
        end = len(text) if last else offset(groups[j - 1].end + 1)
        if wanted[i]:
            block = parse_block(text[offset(previous + 1):end], previous + 1)
            kids = block.children
            marker = kids[-1]
            if not last and marker.prefix:
                raise ParseError("a block does not end where its statement ends", groups[j - 1].end, 0)
            if not last:
                kids = kids[:-1]
            for kid in kids:
                kid.parent = None
            children.extend(kids)
            names |= getattr(block, "used_names", set())
        else:
            first = groups[i].first
            stop = offset(groups[j - 1].end + 1)
            children.append(pytree.Leaf(OPAQUE, text[offset(first):stop],
                                        context=(text[offset(previous + 1):offset(first)], (first, 0))))
            if last:   # on the file's last line, after the comments that end it, as a whole parse places it
                children.append(pytree.Leaf(token.ENDMARKER, "", context=(text[stop:], (1 + _line_breaks(text), 0))))
        previous = groups[j - 1].end
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
            line += _line_breaks(prefix)
        leaf.lineno = line
        value = leaf.value
        if "\n" in value or "\r" in value:
            line += _line_breaks(value)


def _line_breaks(text: str) -> int:
    """Line breaks as Python counts them: \\n, \\r\\n and a lone \\r."""
    count = text.count("\n")
    if "\r" in text:
        count += text.count("\r") - text.count("\r\n")
    return count
