"""Name resolution for one parsed module: imports, scopes, bindings and uses.

Answers "what does this name refer to here" for the rewriters; it never changes the tree.
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Iterator

from fissix import pytree
from fissix.pgen2 import token
from fissix.pygram import python_symbols as syms

Leaf, Node = pytree.Leaf, pytree.Node

# Containers a plain name may sit in and still be an assignment target: `(a, b) = ...`.
_TARGET_WRAPPERS = frozenset(
    getattr(syms, n) for n in ("atom", "testlist_star_expr", "exprlist", "testlist_gexp", "testlist", "star_expr",
                               "listmaker", "testlist1") if hasattr(syms, n))
_COMP_FOR = frozenset(getattr(syms, n) for n in ("comp_for", "old_comp_for") if hasattr(syms, n))
_PARAM_LISTS = frozenset(getattr(syms, n) for n in ("typedargslist", "varargslist", "parameters") if hasattr(syms, n))
_TNAMES = frozenset(getattr(syms, n) for n in ("tname", "tname_star", "vname") if hasattr(syms, n))


@dataclass
class ImportEntry:
    """One name of an import statement: ``name`` (dotted for ``import a.b``) ``as asname``."""

    name: str
    asname: str | None
    node: pytree.Base            # the NAME / dotted_name / import_as_name / dotted_as_name node

    @property
    def bound(self) -> str:
        """The local name the entry binds."""
        return self.asname or self.name.split(".")[0]


@dataclass
class ImportStatement:
    node: Node                   # import_name or import_from
    scope: "Scope"
    module: str                  # absolute dotted module of a from-import ('' for `import x`)
    level: int                   # leading dots of a relative from-import
    entries: list[ImportEntry]
    star: bool = False

    @property
    def is_from(self) -> bool:
        return self.node.type == syms.import_from

    @property
    def statement(self) -> pytree.Base:
        """The simple statement that holds the import (for insertions and removal)."""
        return self.node.parent if self.node.parent is not None else self.node

    @property
    def line(self) -> int:
        return self.node.get_lineno() or 0


@dataclass
class Binding:
    name: str
    leaf: Leaf
    kind: str                                # import | def | class | param | store | global
    target: str | None = None                # imports: the dotted path bound (module or module.Name)
    submodule: str | None = None             # `import a.b.c` binds `a`; this is `a.b.c`
    statement: ImportStatement | None = None


@dataclass
class Scope:
    node: pytree.Base
    kind: str                                # module | function | class | lambda | comprehension
    parent: "Scope | None"
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)

    def bind(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


@dataclass
class NameSite:
    """A NAME leaf used as a name (not an attribute, keyword or import part)."""

    leaf: Leaf
    scope: Scope
    store: bool


@dataclass
class Analysis:
    module: Scope
    scopes: list[Scope]
    imports: list[ImportStatement]
    sites: dict[str, list[NameSite]]
    strings: list[tuple[Leaf, Scope]]
    commented: list[Leaf]          # leaves whose prefix holds a comment, in no particular order

    def lookup(self, name: str, scope: Scope) -> Scope | None:
        """The scope whose binding of ``name`` is visible from ``scope`` (None: unbound/builtin)."""
        if name in scope.declared_global:
            return self.module if name in self.module.bindings else None
        current: Scope | None = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            if name in current.bindings and name not in current.declared_global:
                return current
            if name in current.declared_global:
                return self.module if name in self.module.bindings else None
            first = False
            current = current.parent
        return None


def package_of(module: str, is_package: bool) -> str:
    """The package a relative import in ``module`` is resolved against."""
    if is_package:
        return module
    return module.rpartition(".")[0]


def absolute_module(level: int, name: str, module: str, is_package: bool) -> str:
    """Resolve ``from <level dots><name> import ...`` written in ``module``."""
    if not level:
        return name
    parts = package_of(module, is_package).split(".") if module else []
    if level - 1 > len(parts):
        return name  # beyond the top package: leave as written, resolution is impossible
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, name] if name else base)


def dotted(node: pytree.Base) -> str:
    return "".join(leaf.value for leaf in node.leaves())


class _Shared(threading.local):
    """Per thread: analyses a caller promised are of an unchanged tree."""

    def __init__(self) -> None:
        self.tree: object = None
        self.analyses: dict[tuple[str, bool], Analysis] = {}
        self.once = False       # handed out once, then forgotten (the tree is about to change)


_shared = _Shared()


@contextlib.contextmanager
def unchanged(tree: Node, known: dict[tuple[str, bool], Analysis] | None = None) -> Iterator[None]:
    """Within the block ``tree`` does not change: each ``analyze`` of it (per module name)
    walks it once, however many surveys and checks ask (``known``: analyses already made)."""
    previous = (_shared.tree, _shared.analyses, _shared.once)
    inner = previous[0] is tree and not previous[2]     # nested in a block for the same tree
    _shared.tree, _shared.analyses, _shared.once = tree, dict(previous[1]) if inner else {}, False
    _shared.analyses.update(known or {})
    try:
        yield
    finally:
        _shared.tree, _shared.analyses, _shared.once = previous


def hand_over(tree: Node, analysis: Analysis, module: str, is_package: bool) -> None:
    """The next ``analyze`` of ``tree`` (same module name) gets ``analysis``, once: for a
    rewriter that analyzes the tree before its first edit. ``forget`` ends the offer."""
    _shared.tree, _shared.analyses, _shared.once = tree, {(module, is_package): analysis}, True


def forget() -> None:
    _shared.tree, _shared.analyses, _shared.once = None, {}, False


def analyze(tree: Node, module: str = "", is_package: bool = False) -> Analysis:
    """Walk ``tree`` once and return its scopes, imports, name uses and strings."""
    if _shared.tree is tree:
        found = _shared.analyses.get((module, is_package))
        if _shared.once:
            forget()
            if found is not None:
                return found
        else:
            if found is None:
                found = _shared.analyses[(module, is_package)] = _analyze(tree, module, is_package)
            return found
    return _analyze(tree, module, is_package)


def _analyze(tree: Node, module: str, is_package: bool) -> Analysis:
    top = Scope(tree, "module", None)
    walker = _Walker(top, module, is_package)
    walker.walk(tree, top)
    return Analysis(top, walker.scopes, walker.imports, walker.sites, walker.strings, walker.commented)


class _Walker:
    def __init__(self, top: Scope, module: str, is_package: bool) -> None:
        self.scopes = [top]
        self.imports: list[ImportStatement] = []
        self.sites: dict[str, list[NameSite]] = {}
        self.strings: list[tuple[Leaf, Scope]] = []
        self.commented: list[Leaf] = []
        self.module, self.is_package = module, is_package

    def walk(self, root: pytree.Base, scope: Scope) -> None:
        # Iterative: deeply nested expressions must not hit the recursion limit.
        stack: list[tuple[pytree.Base, Scope]] = [(root, scope)]
        while stack:
            node, scope = stack.pop()
            if isinstance(node, Leaf):
                if "#" in node.prefix:
                    self.commented.append(node)
                if node.type == token.NAME:
                    self._name(node, scope)
                elif node.type == token.STRING:
                    self.strings.append((node, scope))
                continue
            t = node.type
            if t == syms.funcdef:
                self._function(node, scope, stack)
            elif t == syms.classdef:
                self._class(node, scope, stack)
            elif t == syms.lambdef:
                self._lambda(node, scope, stack)
            elif t in (syms.import_name, syms.import_from):
                self._import(node, scope)
            elif t in (syms.global_stmt, getattr(syms, "nonlocal_stmt", -1)):
                self._note_comments(node)
                names = {c.value for c in node.children[1:] if isinstance(c, Leaf) and c.type == token.NAME}
                is_global = node.children[0].value == "global"
                (scope.declared_global if is_global else scope.declared_nonlocal).update(names)
                if is_global:
                    for c in node.children[1:]:
                        if isinstance(c, Leaf) and c.type == token.NAME:
                            self.scopes[0].bind(Binding(c.value, c, "global"))
            elif any(c.type in _COMP_FOR for c in node.children):
                inner = Scope(node, "comprehension", scope)
                self.scopes.append(inner)
                stack.extend((c, inner) for c in reversed(node.children))
            else:
                stack.extend((c, scope) for c in reversed(node.children))

    # -- definitions --------------------------------------------------------------
    def _note_comments(self, node: pytree.Base) -> None:
        """Comments sit in leaf prefixes; record those of leaves the walk does not visit."""
        for leaf in _iter_leaves(node):
            if "#" in leaf.prefix:
                self.commented.append(leaf)

    def _function(self, node: Node, scope: Scope, stack: list) -> None:
        inner = Scope(node, "function", scope)
        self.scopes.append(inner)
        children = node.children
        name_leaf = children[1]
        self._note_comments(children[0])
        self._note_comments(name_leaf)
        scope.bind(Binding(name_leaf.value, name_leaf, "def"))
        self._site(name_leaf, scope, store=True)
        for child in children[2:]:
            if child.type == syms.parameters or child.type in _PARAM_LISTS:
                self._parameters(child, inner, scope)
            elif child.type == syms.suite or (child is children[-1]):
                stack.append((child, inner))
            else:  # return annotation, ':' and '->' belong to the enclosing scope
                stack.append((child, scope))

    def _class(self, node: Node, scope: Scope, stack: list) -> None:
        inner = Scope(node, "class", scope)
        self.scopes.append(inner)
        name_leaf = node.children[1]
        self._note_comments(node.children[0])
        self._note_comments(name_leaf)
        scope.bind(Binding(name_leaf.value, name_leaf, "class"))
        self._site(name_leaf, scope, store=True)
        for child in node.children[2:]:
            stack.append((child, inner if child is node.children[-1] else scope))

    def _lambda(self, node: Node, scope: Scope, stack: list) -> None:
        inner = Scope(node, "lambda", scope)
        self.scopes.append(inner)
        colon = next(i for i, c in enumerate(node.children) if c.type == token.COLON)
        self._note_comments(node.children[0])
        self._note_comments(node.children[colon])
        for child in node.children[1:colon]:
            if isinstance(child, Leaf):
                self._note_comments(child)
                if child.type == token.NAME:
                    inner.bind(Binding(child.value, child, "param"))
                    self._site(child, inner, store=True)
            else:
                self._parameters(child, inner, scope)
        for child in node.children[colon + 1:]:
            stack.append((child, inner))

    def _parameters(self, params: pytree.Base, inner: Scope, outer: Scope) -> None:
        for leaf in _iter_leaves(params):
            if "#" in leaf.prefix:
                self.commented.append(leaf)
            if leaf.type == token.STRING:
                self.strings.append((leaf, outer))
            if leaf.type != token.NAME:
                continue
            parent = leaf.parent
            prev = leaf.prev_sibling
            is_param = (parent.type in _PARAM_LISTS and not (prev is not None and prev.type == token.EQUAL)) or (
                parent.type in _TNAMES and parent.children[0] is leaf)
            if is_param:
                inner.bind(Binding(leaf.value, leaf, "param"))
                self._site(leaf, inner, store=True)
            else:  # annotations and defaults are evaluated in the enclosing scope
                self._name(leaf, outer)

    def _import(self, node: Node, scope: Scope) -> None:
        self._note_comments(node)
        if node.type == syms.import_name:
            stmt = ImportStatement(node, scope, "", 0, list(_import_name_entries(node.children[1])))
            for entry in stmt.entries:
                if entry.asname:
                    scope.bind(Binding(entry.asname, _last_leaf(entry.node), "import", entry.name, statement=stmt))
                else:
                    root = entry.name.split(".")[0]
                    scope.bind(Binding(root, _first_leaf(entry.node), "import", root, entry.name, stmt))
        else:
            children = node.children
            i, level = 1, 0
            while isinstance(children[i], Leaf) and children[i].value in (".", "..."):
                level += len(children[i].value)
                i += 1
            name = "" if (isinstance(children[i], Leaf) and children[i].value == "import") else dotted(children[i])
            module = absolute_module(level, name, self.module, self.is_package)
            rest = [c for c in children[i:] if not (isinstance(c, Leaf) and c.value in ("import", "(", ")"))]
            if name:
                rest = rest[1:]
            star = any(isinstance(c, Leaf) and c.type == token.STAR for c in rest)
            entries = [] if star else list(_import_from_entries(rest[0])) if rest else []
            stmt = ImportStatement(node, scope, module, level, entries, star)
            for entry in entries:
                target = f"{module}.{entry.name}" if module else entry.name
                scope.bind(Binding(entry.bound, _last_leaf(entry.node), "import", target, statement=stmt))
        self.imports.append(stmt)

    # -- names ----------------------------------------------------------------------
    def _name(self, leaf: Leaf, scope: Scope) -> None:
        parent = leaf.parent
        prev = leaf.prev_sibling
        if parent.type == syms.trailer and prev is not None and prev.type == token.DOT:
            return  # attribute: obj.name
        if parent.type == syms.argument and leaf.next_sibling is not None and leaf.next_sibling.type == token.EQUAL \
                and parent.children[0] is leaf:
            return  # keyword argument: f(name=...)
        store = _is_target(leaf)
        if store:
            scope.bind(Binding(leaf.value, leaf, "store"))
        self._site(leaf, scope, store)

    def _site(self, leaf: Leaf, scope: Scope, store: bool) -> None:
        self.sites.setdefault(leaf.value, []).append(NameSite(leaf, scope, store))


def _is_target(leaf: Leaf) -> bool:
    node: pytree.Base = leaf
    parent = node.parent
    while parent is not None and parent.type in _TARGET_WRAPPERS:
        node, parent = parent, parent.parent
    if parent is None:
        return False
    siblings = parent.children
    prev = node.prev_sibling
    t = parent.type
    if t == syms.expr_stmt:
        second = siblings[1] if len(siblings) > 1 else None
        if second is not None and (second.type == syms.annassign or (
                isinstance(second, Leaf) and second.value.endswith("=") and second.value != "=")):
            return siblings[0] is node  # `x: T = v` and `x += v`
        last_eq = max((i for i, c in enumerate(siblings) if c.type == token.EQUAL), default=-1)
        return siblings.index(node) < last_eq
    if t in _COMP_FOR or t == syms.for_stmt:
        return prev is not None and prev.type == token.NAME and prev.value == "for"
    if prev is not None and prev.type == token.NAME and prev.value == "as":
        return t not in (syms.import_as_name, syms.dotted_as_name)
    if t == getattr(syms, "namedexpr_test", -1):
        return siblings[0] is node
    if t == syms.del_stmt:
        return True
    return False


def _import_name_entries(node: pytree.Base):
    if node.type == syms.dotted_as_names:
        for child in node.children:
            if child.type != token.COMMA:
                yield from _import_name_entries(child)
    elif node.type == syms.dotted_as_name:
        yield ImportEntry(dotted(node.children[0]), node.children[2].value, node)
    else:
        yield ImportEntry(dotted(node), None, node)


def _import_from_entries(node: pytree.Base):
    if node.type == syms.import_as_names:
        for child in node.children:
            if child.type != token.COMMA:
                yield from _import_from_entries(child)
    elif node.type == syms.import_as_name:
        yield ImportEntry(node.children[0].value, node.children[2].value, node)
    elif isinstance(node, Leaf) and node.type == token.NAME:
        yield ImportEntry(node.value, None, node)


def _iter_leaves(node: pytree.Base):
    """The leaves under ``node`` in order, without recursion (fissix's ``leaves()`` recurses)."""
    if isinstance(node, Leaf):
        yield node
        return
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Leaf):
            yield current
        else:
            stack.extend(reversed(current.children))


def _first_leaf(node: pytree.Base) -> Leaf:
    return node if isinstance(node, Leaf) else next(node.leaves())


def _last_leaf(node: pytree.Base) -> Leaf:
    while isinstance(node, Node):
        node = node.children[-1]
    return node
