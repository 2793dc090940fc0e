"""The symbol-table rules for ``global`` and ``nonlocal`` that CPython 3.13 enforces.

Only the scopes holding such a statement are looked at; it never changes the tree.
"""
from __future__ import annotations

from fissix.pgen2 import token
from fissix.pytree import Base, Leaf, Node

from .nodes import COMPREHENSION_HOLDERS, enclosing_function, fail, is_leaf
from .tables import grammar

_S = grammar().symbol2number
_NAME = token.NAME

# Names a class body provides to the functions inside it.
_CLASS_CELLS = frozenset({"__class__", "__classdict__"})
_SCOPE_BODIES = frozenset({_S["funcdef"], _S["classdef"], _S["lambdef"]})
_TARGET_LISTS = frozenset(
    _S[name] for name in ("testlist_star_expr", "exprlist", "testlist_gexp", "listmaker", "testlist", "atom")
)


def check_declaration(stmt: Node) -> None:
    """``global``/``nonlocal``: not of a parameter, not after the name is used in the same
    scope, not of an annotated name, and a nonlocal name must be bound in an enclosing function."""
    keyword = stmt.children[0].value
    scope = enclosing_function(stmt)
    names = _scope_names(scope)
    start = (stmt.children[0].lineno, stmt.children[0].column)
    for leaf in stmt.children[1::2]:
        name = leaf.value
        if name in names.params:
            raise fail(f"name {name!r} is parameter and {keyword}", stmt)
        if name in names.annotated:
            annotated = names.annotated[name]
            later = annotated if (annotated.lineno, annotated.column) > start else stmt
            raise fail(f"annotated name {name!r} can't be {keyword}", later)
        if name in (names.nonlocals if keyword == "global" else names.globals):
            raise fail(f"name {name!r} is nonlocal and global", stmt)
        first = names.first.get(name)
        if first is not None and first < start:
            raise fail(f"name {name!r} is used prior to {keyword} declaration", stmt)
        if keyword == "nonlocal" and scope.type != _S["file_input"]:
            _nonlocal_binding(scope, leaf, stmt)


def _nonlocal_binding(scope: Base, leaf: Leaf, stmt: Node) -> None:
    outer = enclosing_function(scope)
    while outer is not None and outer.type != _S["file_input"]:
        if outer.type == _S["classdef"]:
            if leaf.value in _CLASS_CELLS:
                return
        else:
            names = _scope_names(outer)
            if leaf.value in names.bound and leaf.value not in names.globals:
                return
        outer = enclosing_function(outer)
    raise fail(f"no binding for nonlocal {leaf.value!r} found", stmt)


class _ScopeNames:
    """Names of one scope: parameters, bound names, annotated names, declarations, and
    where each name first occurs (nested function and class bodies excluded)."""

    def __init__(self) -> None:
        self.params: set[str] = set()
        self.bound: set[str] = set()
        self.annotated: dict[str, Leaf] = {}
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.first: dict[str, tuple[int, int]] = {}


def _scope_names(scope: Base) -> _ScopeNames:
    cached = getattr(scope, "_scope_names", None)
    if cached is not None:
        return cached
    names = _ScopeNames()
    if scope.type == _S["funcdef"]:
        roots = [scope.children[-1]]  # defaults and annotations belong to the scope around
        for param in _parameter_names(next(c for c in scope.children if c.type == _S["parameters"])):
            names.params.add(param.value)
            names.bound.add(param.value)
    elif scope.type == _S["lambdef"]:
        roots = [scope.children[-1]]
        if len(scope.children) == 4:
            for param in _parameter_names(scope.children[1]):
                names.params.add(param.value)
                names.bound.add(param.value)
    elif scope.type == _S["classdef"]:
        roots = [scope.children[-1]]
    else:
        roots = [scope]
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        if isinstance(node, Leaf):
            if node.type == _NAME and not _is_name_only(node):
                names.first.setdefault(node.value, (node.lineno, node.column))
            elif node.type == token.STRING and "{" in node.value:
                for name in _field_names(node.value):
                    names.first.setdefault(name, (node.lineno, node.column))
            continue
        t = node.type
        if t in _SCOPE_BODIES:
            _definition_names(node, names, stack)
            continue
        if t == _S["global_stmt"]:
            target = names.globals if node.children[0].value == "global" else names.nonlocals
            target.update(c.value for c in node.children[1::2])
            continue
        if t in (_S["import_name"], _S["import_from"]):
            # An import binds, but CPython does not count it as a use before ``global``.
            names.bound.update(leaf.value for leaf in _imported_names(node))
            continue
        if t in COMPREHENSION_HOLDERS and node.children[-1].type == _S["comp_for"]:
            # Its own scope: only the first iterable and := targets belong here.
            comp = node.children[-1]
            first_iterable = comp.children[4 if comp.children[0].type == token.ASYNC else 3]
            stack.append(first_iterable)
            for inner in node.pre_order():
                if inner.type == _S["namedexpr_test"]:
                    names.bound.add(inner.children[0].value)
            continue
        _record_targets(node, names)
        stack.extend(reversed(node.children))
    scope._scope_names = names  # type: ignore[attr-defined]
    return names


def _field_names(literal: str) -> list[str]:
    """Variables used in the replacement fields of an f-string literal (nested ones too)."""
    prefix = literal[: len(literal) - len(literal.lstrip("rRbBuUfF"))]
    if "f" not in prefix.lower():
        return []
    from . import _parse_field_tree
    from .fstrings import fstring_end

    quote = literal[len(prefix) : len(prefix) + 3]
    quote = quote if quote in ('"""', "'''") else quote[0]
    fields: list[tuple[int, int]] = []
    fstring_end(literal, len(prefix) + len(quote), quote, "r" in prefix.lower(), fields)
    found = []
    for start, end in fields:
        for leaf in _parse_field_tree(literal[start:end]).leaves():
            if leaf.type == _NAME and not _is_name_only(leaf):
                found.append(leaf.value)
            elif leaf.type == token.STRING and "{" in leaf.value:
                found.extend(_field_names(leaf.value))
    return found


def _is_name_only(leaf: Leaf) -> bool:
    """An attribute name (``x.name``) or keyword name (``f(name=1)``): no use of a variable."""
    prev = leaf.prev_sibling
    if prev is not None and is_leaf(prev, "."):
        return True
    nxt = leaf.next_sibling
    return nxt is not None and is_leaf(nxt, "=") and leaf.parent.type == _S["argument"]


def _definition_names(node: Node, names: _ScopeNames, stack: list[Base]) -> None:
    """A nested def, class or lambda: its name binds here; defaults, annotations,
    decorators and bases are evaluated here; its body is another scope."""
    children = node.children
    if node.type != _S["lambdef"]:
        names.bound.add(children[1].value)
        names.first.setdefault(children[1].value, (children[1].lineno, children[1].column))
        outside = children[2:-1]
    else:
        outside = children[1:-1]
    for child in outside:
        if node.type == _S["lambdef"] and child.type in (_NAME, _S["vname"]):
            continue  # the only parameter of a lambda
        if child.type in (_S["parameters"], _S["typedargslist"], _S["varargslist"]):
            params = {id(p) for p in _parameter_names(child)}
            stack.extend(c for c in child.leaves() if id(c) not in params and c.type == _NAME)
        elif child.type != _S["typeparams"]:
            stack.append(child)


def _parameter_names(node: Base) -> list[Leaf]:
    if isinstance(node, Leaf):
        return [node] if node.type == _NAME else []
    if node.type in (_S["tname"], _S["vname"]):
        return [node.children[0]]
    if node.type == _S["parameters"]:
        return _parameter_names(node.children[1]) if len(node.children) == 3 else []
    found = []
    children = node.children
    for i, child in enumerate(children):
        if i and is_leaf(children[i - 1], "="):
            continue  # a default value
        found.extend(_parameter_names(child))
    return found


def _imported_names(node: Node) -> list[Leaf]:
    if node.type == _S["import_name"]:
        names = node.children[1]
        items = names.children[::2] if names.type == _S["dotted_as_names"] else [names]
        found = []
        for item in items:
            if item.type == _S["dotted_as_name"]:
                found.append(item.children[2])
            else:
                found.append(item if isinstance(item, Leaf) else item.children[0])
        return found
    last = node.children[-1]
    if last.type == token.RPAR:
        last = node.children[-2]
    if is_leaf(last, "*"):
        return []
    items = last.children[::2] if last.type == _S["import_as_names"] else [last]
    return [item.children[2] if item.type == _S["import_as_name"] else item for item in items]


def _record_targets(node: Node, names: _ScopeNames) -> None:
    t = node.type
    children = node.children
    if t == _S["expr_stmt"]:
        second = children[1]
        if second.type == _S["annassign"]:
            if isinstance(children[0], Leaf):
                names.annotated.setdefault(children[0].value, children[0])
            _bind_targets(children[0], names)
        elif isinstance(second, Leaf) and second.value != "=":
            _bind_targets(children[0], names)
        else:
            for target in children[:-1:2]:
                _bind_targets(target, names)
    elif t == _S["for_stmt"]:
        _bind_targets(children[1], names)
    elif t in (_S["with_item"], _S["asexpr_test"]) and len(children) == 3 and is_leaf(children[1], "as"):
        _bind_targets(children[2], names)
    elif t == _S["except_clause"] and len(children) >= 4 and is_leaf(children[-2], "as"):
        names.bound.add(children[-1].value)
    elif t == _S["del_stmt"]:
        _bind_targets(children[1], names)
    elif t == _S["namedexpr_test"] or t == _S["argument"] and len(children) >= 3 and is_leaf(children[1], ":="):
        names.bound.add(children[0].value)
    elif t == _S["type_stmt"]:
        names.bound.add(children[1].value)
    elif t == _S["case_block"]:
        # Over-approximated: every plain name in a pattern counts as bound.
        for leaf in children[1].leaves() if isinstance(children[1], Node) else [children[1]]:
            if leaf.type == _NAME:
                names.bound.add(leaf.value)


def _bind_targets(node: Base, names: _ScopeNames) -> None:
    if isinstance(node, Leaf):
        if node.type == _NAME:
            names.bound.add(node.value)
        return
    if node.type == _S["star_expr"]:
        _bind_targets(node.children[1], names)
    elif node.type in _TARGET_LISTS:
        for child in node.children:
            _bind_targets(child, names)
