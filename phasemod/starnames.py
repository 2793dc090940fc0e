"""What ``from module import *`` binds, when the module is a file of the repo: its literal
``__all__``, else its public top-level names, following its own star imports.

Reads and parses repo files (cached per process); never changes a file, never imports one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from fissix import pytree
from fissix.pgen2 import token
from fissix.pygram import python_symbols as syms

from phasemod import syntax, textio
from phasemod.modules import module_of
from phasemod.resolve import analyze
from phasemod.sites import string_body

Leaf, Node = pytree.Leaf, pytree.Node


@dataclass(frozen=True)
class StarNames:
    """The names a star import of ``module`` binds. ``complete`` is False when some of them
    cannot be known statically; ``reason`` then says why."""

    module: str
    names: frozenset[str] = frozenset()
    complete: bool = True
    reason: str = ""


class RepoModules:
    """Finds a module's file in the repo and the names its star import provides."""

    def __init__(self, repo: str, source_roots: tuple[str, ...] = ()) -> None:
        self.repo, self.source_roots = repo, source_roots
        # module -> (names, the files read for them with their (mtime, size)): an entry is
        # used again only while those files are unchanged, so one index serves many runs.
        self._cache: dict[str, tuple[StarNames, tuple[tuple[str, tuple[int, int] | None], ...]]] = {}
        self._reading: set[str] = set()
        # the files the answers given since the caller last cleared it depend on (a scan
        # cache entry of a file with a star import is valid only while they are unchanged)
        self.consulted: list[tuple[str, tuple[int, int] | None]] = []

    def file_of(self, module: str) -> str | None:
        """The repo-relative file defining ``module`` (None: not a file of this repo)."""
        tail = module.replace(".", "/")
        roots = [r.strip("/") for r in self.source_roots] + ["", "src"]
        for root in dict.fromkeys(roots):
            for candidate in (f"{tail}.py", f"{tail}/__init__.py", f"{tail}.pyi", f"{tail}/__init__.pyi"):
                rel = f"{root}/{candidate}" if root else candidate
                if os.path.isfile(os.path.join(self.repo, rel)) and \
                        module_of(self.repo, rel, self.source_roots)[0] == module:
                    return rel
        return None

    def star_names(self, module: str) -> StarNames:
        names, deps = self._names(module)
        # a module that is no file of the repo depends on the file appearing
        self.consulted.extend(deps or [(module.replace(".", "/") + ".py", None)])
        return names

    def stamp(self, rel: str) -> tuple[int, int] | None:
        return self._stamp(rel)

    def _names(self, module: str) -> tuple[StarNames, tuple]:
        cached = self._cache.get(module)
        if cached is not None and all(self._stamp(rel) == stamp for rel, stamp in cached[1]):
            return cached
        if module in self._reading:
            return StarNames(module, complete=False, reason=f"{module} star-imports itself through a cycle"), ()
        self._reading.add(module)
        try:
            result = self._compute(module)
        finally:
            self._reading.discard(module)
        if result[1]:
            self._cache[module] = result
        return result

    def _stamp(self, rel: str) -> tuple[int, int] | None:
        try:
            st = os.stat(os.path.join(self.repo, rel))
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _compute(self, module: str) -> tuple[StarNames, tuple]:
        rel = self.file_of(module)
        if rel is None:
            return StarNames(module, complete=False, reason=f"{module} is not a file of this repo"), ()
        deps: list[tuple[str, tuple[int, int] | None]] = [(rel, self._stamp(rel))]
        try:
            with open(os.path.join(self.repo, rel), "rb") as fh:
                tree = syntax.parse(textio.decode_python(fh.read()).text)
        except (OSError, textio.DecodeError, syntax.ParseError, RecursionError):
            return StarNames(module, complete=False, reason=f"{rel} cannot be read or parsed"), tuple(deps)
        declared, computed = dunder_all(tree)
        if computed:
            return StarNames(module, complete=False,
                             reason=f"{rel}:{computed}: its __all__ is computed, not a literal list"), tuple(deps)
        if declared is not None:
            return StarNames(module, frozenset(declared)), tuple(deps)
        analysis = analyze(tree, module, rel.endswith(("__init__.py", "__init__.pyi")))
        names = {n for n in analysis.module.bindings if not n.startswith("_")}
        complete, reason = True, ""
        for stmt in analysis.imports:
            if stmt.star and stmt.scope is analysis.module:
                inner, inner_deps = self._names(stmt.module)
                deps += inner_deps
                names |= inner.names
                if not inner.complete and complete:
                    complete, reason = False, inner.reason
        return StarNames(module, frozenset(names), complete, reason), tuple(deps)


@lru_cache(maxsize=8)
def repo_modules(repo: str, source_roots: tuple[str, ...] = ()) -> RepoModules:
    """One index per repo and process; its entries are checked against the files' stamps."""
    return RepoModules(repo, source_roots)


def dunder_all(tree: Node) -> tuple[list[str] | None, int]:
    """(the names of a literal module-level ``__all__`` or None, the line of a computed one or 0).

    Literal: ``__all__ = [...]`` / ``(...)`` of plain strings, extended by ``+= [...]``,
    ``.extend([...])`` or ``.append("...")``; anything else is computed."""
    names: list[str] | None = None
    for stmt in _module_statements(tree):
        for small in stmt.children:
            if small.type == syms.expr_stmt and _is_name(small.children[0], "__all__"):
                op = small.children[1]
                if op.type == syms.annassign and len(op.children) == 4:  # __all__: list[str] = [...]
                    op, value = op.children[2], op.children[3]
                else:
                    value = small.children[-1] if len(small.children) == 3 else None
                values = _strings(value) if value is not None else None
                if values is None or not (op.type == token.EQUAL or (op.type == token.PLUSEQUAL and names is not None)):
                    return None, small.get_lineno() or 0
                names = values if op.type == token.EQUAL else names + values
            elif small.type == syms.power and _is_name(small.children[0], "__all__"):
                method = _all_method(small)
                if method is None or names is None:
                    return None, small.get_lineno() or 0
                name, argument = method
                values = _strings(argument) if name == "extend" else _strings_of_one(argument)
                if values is None:
                    return None, small.get_lineno() or 0
                names = names + values
            elif _starts_with_all(small):  # del __all__, __all__[0] = ..., __all__.remove(...)
                return None, small.get_lineno() or 0
    return names, 0


def _module_statements(tree: Node):
    """Simple statements run at import time: top level and inside if/try/with blocks."""
    stack: list[pytree.Base] = [tree]
    while stack:
        node = stack.pop()
        for child in reversed(node.children):
            if child.type == syms.simple_stmt:
                yield child
            elif child.type in (syms.if_stmt, syms.try_stmt, syms.with_stmt, syms.suite, syms.while_stmt,
                                syms.for_stmt):
                stack.append(child)


def _is_name(node: pytree.Base, value: str) -> bool:
    return isinstance(node, Leaf) and node.type == token.NAME and node.value == value


def _strings(node: pytree.Base) -> list[str] | None:
    """The strings of a literal list/tuple of plain strings (None: anything else)."""
    if node.type != syms.atom or node.children[0].value not in "([" or len(node.children) not in (2, 3):
        return None
    if len(node.children) == 2:
        return []
    inner = node.children[1]
    items = [c for c in inner.children if c.type != token.COMMA] if inner.type in (
        syms.listmaker, syms.testlist_gexp) else [inner]
    out = []
    for item in items:
        value = _strings_of_one(item)
        if value is None:
            return None
        out += value
    return out


def _strings_of_one(node: pytree.Base) -> list[str] | None:
    if isinstance(node, Leaf) and node.type == token.STRING:
        body = string_body(node.value)
        return [body] if body is not None and body.isidentifier() else None
    return None


def _all_method(power: Node) -> tuple[str, pytree.Base] | None:
    """``__all__.extend(x)`` / ``__all__.append(x)``: (method, argument node)."""
    children = power.children
    if len(children) != 3 or children[1].type != syms.trailer or children[2].type != syms.trailer:
        return None
    dot, call = children[1].children, children[2].children
    if len(dot) != 2 or dot[1].value not in ("extend", "append") or len(call) != 3 or call[0].value != "(":
        return None
    return dot[1].value, call[1]


def _starts_with_all(node: pytree.Base) -> bool:
    leaves = node.leaves()
    first = next(leaves, None)
    if first is not None and first.type == token.NAME and first.value == "del":
        first = next(leaves, None)
    return first is not None and _is_name(first, "__all__")
