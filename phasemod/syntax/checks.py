"""Reject what CPython rejects but the wider LL(1) grammar lets through; reshape decorators.

It never changes text: the only rewrite is regrouping classic decorators into lib2to3's shape.
"""
from __future__ import annotations

import ast
from collections.abc import Callable

from fissix.pgen2 import token
from fissix.pytree import Base, Leaf, Node

from .nodes import COMPREHENSION_HOLDERS, CheckError, enclosing_function, fail, is_leaf  # noqa: F401 (CheckError: syntax uses checks.CheckError)
from .nodes import FUNCTION_BOUNDARIES as _FUNCTION_BOUNDARIES
from .tables import grammar
from .tokenizer import HARD_KEYWORDS

_S = grammar().symbol2number
_NAME, _STRING, _NUMBER = token.NAME, token.STRING, token.NUMBER
_RESERVED_TARGETS = HARD_KEYWORDS | {"__debug__"}
_LOOPS = frozenset({_S["for_stmt"], _S["while_stmt"]})
_FUTURE_FEATURES = frozenset(
    "nested_scopes generators division absolute_import with_statement print_function "
    "unicode_literals barry_as_FLUFL generator_stop annotations".split()
)
_STAR_SEQUENCES = frozenset(
    _S[name] for name in ("testlist_star_expr", "exprlist", "listmaker", "testlist_gexp", "subscriptlist", "dictsetmaker", "subject_expr", "patterns")
)


def _detach(node: Base) -> Base:
    node.parent = None
    return node


def _index(parent: Base, child: Base) -> int:
    """Position of ``child`` among ``parent``'s children (by identity: nodes compare equal
    by content)."""
    for i, c in enumerate(parent.children):
        if c is child:
            return i
    raise ValueError("not a child")


class Collector:
    """Node hooks for one parse plus the checks that need the finished tree.

    ``escapes`` is None for a module; for an f-string field's expression it receives what
    depends on the function around the string (``yield``, ``await``, ...)."""

    def __init__(self, escapes: list[str] | None = None) -> None:
        self.deferred: list[Node] = []
        self.context_leaves: list[Leaf] = []
        self.escapes = escapes
        # Rare constructs whose checks walk up from every return/yield/break: only looked
        # for when the file has them.
        self.scopes = _Rare()
        defer = self.deferred.append
        self.hooks: dict[int, Callable[[Node], Node | None]] = {
            _S["decorator"]: _decorator,
            _S["namedexpr_test"]: self._namedexpr,
            _S["asexpr_test"]: defer,
            _S["pattern"]: defer,
            _S["star_expr"]: defer,
            _S["argument"]: self._argument,
            _S["arglist"]: _arglist,
            _S["expr_stmt"]: _expr_stmt,
            _S["for_stmt"]: _for_stmt,
            _S["comp_for"]: _comp_for,
            _S["del_stmt"]: _del_stmt,
            _S["with_item"]: _with_item,
            _S["typedargslist"]: _params,
            _S["varargslist"]: _params,
            _S["parameters"]: _bare_marker,
            _S["lambdef"]: _bare_marker,
            _S["try_stmt"]: _try_stmt,
            _S["except_clause"]: self._except_clause,
            _S["import_from"]: self._import_from,
            _S["import_name"]: _import_name,
            _S["match_stmt"]: _match_stmt,
            _S["classdef"]: _classdef,
            _S["atom"]: _atom,
            _S["funcdef"]: _funcdef,
            _S["global_stmt"]: defer,
            _S["typeparams"]: self._typeparams,
            _S["type_stmt"]: self._type_stmt,
            _S["dictsetmaker"]: _dictsetmaker,
        }

    def _namedexpr(self, node: Node) -> None:
        _namedexpr(node)
        self.deferred.append(node)

    def _argument(self, node: Node) -> None:
        _argument(node)
        if len(node.children) == 3 and is_leaf(node.children[1], "as"):
            self.deferred.append(node)

    def _except_clause(self, node: Node) -> None:
        _except_clause(node)
        if is_leaf(node.children[1], "*"):
            self.scopes.except_star = True

    def _typeparams(self, node: Node) -> None:
        _typeparams(node)
        self.scopes.annotation = True

    def _type_stmt(self, node: Node) -> None:
        _type_stmt(node)
        self.scopes.annotation = True

    def _import_from(self, node: Node) -> None:
        _import_from(node)
        if is_leaf(node.children[-1], "*") or is_leaf(node.children[1], "__future__"):
            self.deferred.append(node)

    def finish(self, tree: Node) -> None:
        """Checks that depend on where a node ended up."""
        for node in self.deferred:
            t = node.type
            if t == _S["star_expr"]:
                _star_context(node)
            elif t == _S["namedexpr_test"]:
                _walrus_context(node, self.escapes)
            elif t == _S["import_from"]:
                _import_from_context(node, tree)
            elif t == _S["global_stmt"]:
                from .declarations import check_declaration

                check_declaration(node)
            else:
                _as_context(node)
        generators: dict[int, list[tuple[str, Leaf]]] = {}
        for leaf in self.context_leaves:
            _leaf_context(leaf, leaf.value, self.escapes, generators, self.scopes)
        for items in generators.values():
            _async_generator(items)

    def field_contexts(self, tree: Node, found: list[tuple[int, int, str]]) -> None:
        """Check ``yield``/``await`` of f-string fields where their string stands."""
        strings = {(leaf.lineno, leaf.column): leaf for leaf in tree.leaves() if leaf.type == _STRING}
        generators: dict[int, list[tuple[str, Leaf]]] = {}
        for leaf in self.context_leaves:
            if leaf.value == "return":
                _leaf_context(leaf, "return", None, generators, self.scopes)
        for line, column, kind in found:
            leaf = strings[(line, column)]
            if kind.endswith("walrus"):
                _walrus_scope(leaf, None, kind == "comprehension walrus", self.escapes)
            else:
                _leaf_context(leaf, kind, self.escapes, generators, self.scopes)
        for items in generators.values():
            _async_generator(items)


# --- statements that need an enclosing function or loop ----------------------------------


def _annotation_scope(node: Base) -> str | None:
    """What kind of annotation scope (where yield, await and := are errors) holds ``node``."""
    child, parent = node, node.parent
    while parent is not None:
        t = parent.type
        if t in _FUNCTION_BOUNDARIES:
            if parent.children[-1] is child or t == _S["file_input"]:
                return None
            if t in (_S["classdef"], _S["funcdef"]) and child.type != _S["typeparams"] and any(
                c.type == _S["typeparams"] for c in parent.children
            ):
                if t == _S["classdef"]:
                    return "the definition of a generic"
        elif t == _S["type_stmt"] and parent.children[-1] is child:
            return "a type alias"
        elif t in (_S["typevar"], _S["paramspec"], _S["typevartuple"]):
            index = _index(parent, child)
            return "a TypeVar default" if index > 1 and is_leaf(parent.children[index - 1], "=") else "a TypeVar bound"
        child, parent = parent, parent.parent
    return None


def _is_async_function(node: Base | None) -> bool:
    return (
        node is not None
        and node.type == _S["funcdef"]
        and node.parent is not None
        and node.parent.type in (_S["async_stmt"], _S["async_funcdef"])
    )


def _in_loop(leaf: Leaf) -> bool:
    child, parent = leaf, leaf.parent
    while parent is not None and parent.type not in _FUNCTION_BOUNDARIES:
        if parent.type in _LOOPS:
            else_at = next((i for i, c in enumerate(parent.children) if is_leaf(c, "else")), len(parent.children))
            if _index(parent, child) < else_at:
                return True
        child, parent = parent, parent.parent
    return False


class _Rare:
    """Whether the file has ``except*`` blocks or annotation scopes (type parameters, aliases)."""

    def __init__(self) -> None:
        self.except_star = self.annotation = False


def _leaf_context(
    leaf: Leaf, value: str, escapes: list[str] | None, generators: dict[int, list[tuple[str, Leaf]]], rare: _Rare
) -> None:
    """Check a leaf whose validity depends on its function; ``value`` is its keyword, or
    for an f-string standing in for its fields, the construct found there."""
    if value == "return":
        function = enclosing_function(leaf)
        if function.type != _S["funcdef"]:
            raise fail("'return' outside function", leaf)
        if leaf.parent.type == _S["return_stmt"] and _is_async_function(function):
            generators.setdefault(id(function), []).append(("return", leaf))
        if rare.except_star:
            _except_star_exit(leaf, None)
    elif value in ("yield", "yield from"):
        if value == "yield" and leaf.type != _STRING and _is_yield_from(leaf):
            value = "yield from"
        function = enclosing_function(leaf)
        if function.type == _S["file_input"] and escapes is not None and not _comprehension_kinds(leaf):
            escapes.append(value)
            return
        if function.type not in (_S["funcdef"], _S["lambdef"]):
            raise fail("'yield' outside function", leaf)
        if _comprehension_kinds(leaf):
            raise fail("'yield' inside comprehension", leaf)
        scope = _annotation_scope(leaf) if rare.annotation else None
        if scope is not None:
            raise fail(f"yield expression cannot be used within {scope}", leaf)
        if _is_async_function(function):
            generators.setdefault(id(function), []).append((value, leaf))
    elif value in ("break", "continue"):
        if not _in_loop(leaf):
            raise fail(f"'{value}' outside loop", leaf)
        if rare.except_star:
            _except_star_exit(leaf, _LOOPS)
    elif value == "nonlocal":
        boundary = enclosing_function(leaf)
        while boundary is not None and boundary.type == _S["classdef"]:
            boundary = enclosing_function(boundary)
        if boundary is None or boundary.type != _S["funcdef"]:
            raise fail("nonlocal declaration not allowed at module level", leaf)
    elif value == "await":
        scope = _annotation_scope(leaf) if rare.annotation else None
        if scope is not None:
            raise fail(f"await expression cannot be used within {scope}", leaf)
        # A generator expression may await anywhere: it becomes an async generator.
        function = enclosing_function(leaf)
        if not _is_async_function(function) and "generator" not in _comprehension_kinds(leaf):
            if function.type == _S["file_input"] and escapes is not None:
                escapes.append("await")
                return
            raise fail("'await' outside async function", leaf)
    elif value == "async":
        parent = leaf.parent
        nxt = leaf.next_sibling
        if nxt is not None and nxt.type in (_S["with_stmt"], _S["for_stmt"]):
            if not _is_async_function(enclosing_function(leaf)):
                raise fail(f"'async {nxt.children[0].value}' outside async function", leaf)
        elif parent is not None and parent.type == _S["comp_for"]:
            _async_comprehension(leaf, escapes)
    elif value == "async comprehension":
        _async_comprehension(leaf, escapes)


def _async_comprehension(leaf: Leaf, escapes: list[str] | None) -> None:
    # Only the innermost comprehension matters: inside a generator expression, or
    # inside any comprehension within one, an async comprehension is allowed.
    kinds = _comprehension_kinds(leaf)
    if leaf.type == _STRING:
        kinds.insert(0, "display")
    if "generator" in kinds or _is_async_function(enclosing_function(leaf)):
        return
    if escapes is not None and enclosing_function(leaf).type == _S["file_input"] and len(kinds) == 1:
        escapes.append("async comprehension")
        return
    raise fail("asynchronous comprehension outside of an asynchronous function", leaf)


def _is_yield_from(leaf: Leaf) -> bool:
    nxt = leaf.next_sibling
    return nxt is not None and nxt.type == _S["yield_arg"] and is_leaf(nxt.children[0], "from")


def _async_generator(items: list[tuple[str, Leaf]]) -> None:
    """An async function with ``yield``: no ``yield from``, no ``return`` with a value.
    ``items`` are its yields (``yield`` or ``yield from``) and its returns with a value."""
    for kind, leaf in items:
        if kind == "yield from":
            raise fail("'yield from' inside async function", leaf)
    if any(kind == "yield" for kind, _leaf in items):
        for kind, leaf in items:
            if kind == "return":
                raise fail("'return' with value in async generator", leaf)


def _except_star_exit(leaf: Leaf, stops: frozenset[int] | None) -> None:
    """``break``/``continue`` (leaving a loop outside) and ``return`` cannot leave an except* block."""
    child, parent = leaf, leaf.parent
    while parent is not None and parent.type not in _FUNCTION_BOUNDARIES:
        if stops is not None and parent.type in stops:
            return
        if parent.type == _S["try_stmt"]:
            index = _index(parent, child)
            clause = parent.children[index - 2] if index >= 2 else None
            if isinstance(clause, Node) and clause.type == _S["except_clause"] and is_leaf(clause.children[1], "*"):
                raise fail("'break', 'continue' and 'return' cannot appear in an except* block", leaf)
        child, parent = parent, parent.parent


def _comprehension_kinds(leaf: Leaf) -> list[str]:
    """Comprehensions around ``leaf`` up to its function, innermost first."""
    kinds = []
    outermost_iterable = False
    child, parent = leaf, leaf.parent
    while parent is not None and parent.type not in _FUNCTION_BOUNDARIES:
        t = parent.type
        if t == _S["comp_for"]:
            index = _index(parent, child)
            # The first iterable of a comprehension is evaluated in the enclosing scope.
            outermost_iterable = index > 0 and is_leaf(parent.children[index - 1], "in")
        elif t in (_S["listmaker"], _S["testlist_gexp"], _S["dictsetmaker"], _S["argument"]) and any(
            c.type == _S["comp_for"] for c in parent.children
        ):
            if not (outermost_iterable and child.type == _S["comp_for"]):
                kinds.append("generator" if t in (_S["testlist_gexp"], _S["argument"]) else "display")
            outermost_iterable = False
        child, parent = parent, parent.parent
    return kinds


# --- decorators -------------------------------------------------------------------


def _decorator(node: Node) -> None:
    """Give ``@a.b(c)`` lib2to3's flat shape; other expressions stay one child."""
    expr = node.children[1]
    if expr.type != _S["power"]:
        return None
    parts = expr.children
    if not (isinstance(parts[0], Leaf) and parts[0].type == _NAME):
        return None
    names = [parts[0]]
    call = None
    for i, trailer in enumerate(parts[1:], 1):
        if not isinstance(trailer, Node) or trailer.type != _S["trailer"]:
            return None
        first = trailer.children[0]
        if first.value == "." and call is None:
            names.append(trailer)
        elif first.value == "(" and i == len(parts) - 1:
            call = trailer
        else:
            return None
    at, newline = node.children[0], node.children[-1]
    if len(names) == 1:
        head: Base = _detach(names[0])
    else:
        dotted: list[Base] = [_detach(names[0])]
        for trailer in names[1:]:
            dotted.extend(_detach(c) for c in trailer.children)
        head = Node(_S["dotted_name"], dotted)
    new_children: list[Base] = [_detach(at), head]
    if call is not None:
        new_children.extend(_detach(c) for c in call.children)
    new_children.append(_detach(newline))
    node.children = new_children
    for child in new_children:
        child.parent = node
    return None


# --- assignment expressions and targets -----------------------------------------------


def _namedexpr(node: Node) -> None:
    target = node.children[0]
    if not (isinstance(target, Leaf) and target.type == _NAME) or target.value in _RESERVED_TARGETS:
        raise fail("cannot use assignment expressions with this target", target)
    return None


def _check_target(node: Base, kind: str) -> None:
    """``kind``: assign (star allowed in sequences), del, aug, ann."""
    if isinstance(node, Leaf):
        if node.type == _NAME and node.value not in _RESERVED_TARGETS:
            return
        raise fail(f"cannot {'delete' if kind == 'del' else 'assign to'} {node.value!r}", node)
    t = node.type
    if t == _S["power"]:
        last = node.children[-1]
        if (
            is_leaf(node.children[0], "await")
            or not isinstance(last, Node)
            or last.type != _S["trailer"]
            or last.children[0].value == "("
            or any(is_leaf(c, "**") for c in node.children)
        ):
            raise fail("cannot assign to expression", node)
        if kind in ("assign", "ann") and is_leaf(last.children[-1], "__debug__"):
            raise fail("cannot assign to __debug__", node)
        return
    if kind in ("aug", "ann") and t != _S["atom"]:
        raise fail("illegal target for annotation" if kind == "ann" else "illegal expression for augmented assignment", node)
    if t == _S["atom"]:
        opener = node.children[0].value
        if opener not in "([" or len(node.children) != 3 and not (len(node.children) == 2 and kind not in ("aug", "ann")):
            raise fail("cannot assign to literal", node)
        if len(node.children) == 2:
            return
        inner = node.children[1]
        if kind in ("aug", "ann"):
            if opener == "(" and (isinstance(inner, Leaf) or inner.type == _S["power"]):
                _check_target(inner, kind)
                return
            raise fail("illegal target", node)
        if isinstance(inner, Node) and inner.type in (_S["testlist_gexp"], _S["listmaker"]):
            _check_sequence_target(inner, kind)
        elif isinstance(inner, Node) and inner.type == _S["star_expr"]:
            if opener == "(" or kind == "del":
                raise fail("cannot use starred expression here", inner)
            _check_target(inner.children[1], kind)
        else:
            _check_target(inner, kind)
        return
    if t in (_S["testlist_star_expr"], _S["exprlist"], _S["testlist_gexp"], _S["testlist"]):
        _check_sequence_target(node, kind)
        return
    if t == _S["star_expr"]:
        raise fail("starred assignment target must be in a list or tuple", node)
    raise fail("cannot assign to expression", node)


def _check_sequence_target(node: Node, kind: str) -> None:
    if sum(1 for c in node.children if c.type == _S["star_expr"]) > 1:
        raise fail("multiple starred expressions in assignment", node)
    for child in node.children:
        if isinstance(child, Leaf) and child.value == ",":
            continue
        if child.type == _S["comp_for"]:
            raise fail("cannot assign to comprehension", child)
        if isinstance(child, Node) and child.type == _S["star_expr"]:
            if kind == "del":
                raise fail("cannot delete starred", child)
            _check_target(child.children[1], kind)
        else:
            _check_target(child, kind)


def _expr_stmt(node: Node) -> None:
    children = node.children
    second = children[1]
    if isinstance(second, Node) and second.type == _S["annassign"]:
        _check_target(children[0], "ann")
    elif isinstance(second, Leaf) and second.value != "=":
        _check_target(children[0], "aug")
    else:
        for target in children[:-1:2]:
            if isinstance(target, Node) and target.type == _S["yield_expr"]:
                raise fail("assignment to yield expression not possible", target)
            _check_target(target, "assign")
    return None


def _for_stmt(node: Node) -> None:
    _check_target(node.children[1], "assign")
    return None


def _comp_for(node: Node) -> None:
    index = 2 if node.children[0].type == token.ASYNC else 1
    _check_target(node.children[index], "assign")
    return None


def _del_stmt(node: Node) -> None:
    _check_target(node.children[1], "del")
    return None


def _with_item(node: Node) -> None:
    _check_target(node.children[2], "assign")
    return None


# --- calls ----------------------------------------------------------------------------


def _argument(node: Node) -> None:
    children = node.children
    if len(children) == 3 and is_leaf(children[1], "="):
        name = children[0]
        if not (isinstance(name, Leaf) and name.type == _NAME) or name.value in _RESERVED_TARGETS:
            raise fail('expression cannot contain assignment, perhaps you meant "=="?', name)
        if children[2].type in (_S["namedexpr_test"], _S["star_expr"]):
            raise fail("invalid syntax", children[2])
    elif len(children) >= 3 and is_leaf(children[1], ":="):
        _namedexpr(node)


def _argument_kind(node: Base) -> str:
    if isinstance(node, Node) and node.type == _S["argument"]:
        first, second = node.children[0], node.children[1]
        if is_leaf(first, "*"):
            return "star"
        if is_leaf(first, "**"):
            return "dstar"
        if is_leaf(second, "="):
            return "keyword"
        if isinstance(node.children[-1], Node) and node.children[-1].type == _S["comp_for"]:
            return "genexp"
    return "positional"


def _arglist(node: Node) -> None:
    args = [c for c in node.children if not is_leaf(c, ",")]
    seen_keyword = seen_dstar = False
    keywords: set[str] = set()
    for arg in args:
        kind = _argument_kind(arg)
        if kind == "genexp":
            raise fail("Generator expression must be parenthesized", arg)
        if kind == "positional":
            if seen_dstar:
                raise fail("positional argument follows keyword argument unpacking", arg)
            if seen_keyword:
                raise fail("positional argument follows keyword argument", arg)
        elif kind == "star":
            if seen_dstar:
                raise fail("iterable argument unpacking follows keyword argument unpacking", arg)
        elif kind == "keyword":
            seen_keyword = True
            name = arg.children[0].value
            if name in keywords:
                raise fail(f"keyword argument repeated: {name}", arg)
            keywords.add(name)
        else:
            seen_dstar = True
    return None


def _atom(node: Node) -> None:
    first = node.children[0]
    if first.type == _STRING:
        kinds = {_is_bytes(leaf.value) for leaf in node.children}
        if len(kinds) > 1:
            raise fail("cannot mix bytes and nonbytes literals", node)
    return None


def _is_bytes(literal: str) -> bool:
    return "b" in _string_prefix(literal)


def _classdef(node: Node) -> None:
    if node.children[1].value == "__debug__":
        raise fail("cannot assign to __debug__", node)
    for i, child in enumerate(node.children):
        if is_leaf(child, "(") and _argument_kind(node.children[i + 1]) == "genexp":
            raise fail("invalid syntax: generator expression as base class", node.children[i + 1])
    return None


def _funcdef(node: Node) -> None:
    if node.children[1].value == "__debug__":
        raise fail("cannot assign to __debug__", node)
    return None


def _type_stmt(node: Node) -> None:
    if node.children[1].value == "__debug__":
        raise fail("cannot assign to __debug__", node)
    return None


def _typeparams(node: Node) -> None:
    """No name twice; after a parameter with a default, every one has a default."""
    names: set[str] = set()
    seen_default = False
    for param in node.children[1:-1:2]:
        if isinstance(param, Leaf):
            name, has_default = param, False
        else:
            name = param.children[1] if param.children[0].value in ("*", "**") else param.children[0]
            has_default = any(is_leaf(c, "=") for c in param.children)
        if name.value in names:
            raise fail(f"duplicate type parameter {name.value!r}", name)
        if name.value == "__debug__":
            raise fail("cannot assign to __debug__", name)
        names.add(name.value)
        if has_default:
            seen_default = True
        elif seen_default:
            raise fail(f"non-default type parameter {name.value!r} follows default type parameter", name)
    return None


def _dictsetmaker(node: Node) -> None:
    children = node.children
    last = children[-1]
    if last.type == _S["comp_for"] and is_leaf(children[0], "**"):
        raise fail("dict unpacking cannot be used in dict comprehension", children[0])
    for i, child in enumerate(children):
        if child.type in (_S["star_expr"], _S["namedexpr_test"]) and i and is_leaf(children[i - 1], ":"):
            if child.type == _S["star_expr"]:
                raise fail("cannot use a starred expression in a dictionary value", child)
            raise fail("invalid syntax", child)
    return None


def _import_name(node: Node) -> None:
    names = node.children[1]
    items = names.children[::2] if names.type == _S["dotted_as_names"] else [names]
    for item in items:
        if item.type == _S["dotted_as_name"]:
            bound = item.children[2]
        else:
            bound = item if isinstance(item, Leaf) else item.children[0]
        if bound.value == "__debug__":
            raise fail("cannot assign to __debug__", node)
    return None


def _import_from_context(node: Node, tree: Node) -> None:
    """``import *`` only at module level; ``__future__`` imports only at the top, and known."""
    if is_leaf(node.children[1], "__future__"):
        if not any(node is allowed for allowed in _leading_future_imports(tree)):
            raise fail("from __future__ imports must occur at the beginning of the file", node)
        for leaf in node.children[3:]:
            if isinstance(leaf, Node):
                for item in leaf.leaves():
                    _future_feature(item, node)
            else:
                _future_feature(leaf, node)
    elif enclosing_function(node).type != _S["file_input"]:
        raise fail("import * only allowed at module level", node.children[-1])


def _future_feature(leaf: Leaf, node: Node) -> None:
    value = leaf.value
    if value in ("(", ")", ",", "as") or leaf.prev_sibling is not None and is_leaf(leaf.prev_sibling, "as"):
        return
    if value == "braces":
        raise fail("not a chance", node)
    if value not in _FUTURE_FEATURES:
        raise fail(f"future feature {value} is not defined", node)


def _leading_future_imports(tree: Node) -> list[Node]:
    """The ``from __future__`` imports before any other statement but a docstring."""
    found: list[Node] = []
    first = True
    for stmt in tree.children:
        if isinstance(stmt, Leaf):
            if stmt.type == token.NEWLINE:
                continue
            break
        smalls = [c for c in stmt.children if c.type not in (token.SEMI, token.NEWLINE)] if stmt.type == _S["simple_stmt"] else [stmt]
        for small in smalls:
            if small.type == _S["import_from"] and is_leaf(small.children[1], "__future__"):
                found.append(small)
            elif not (first and _is_docstring(small)):
                return found
            first = False
    return found


def _is_docstring(node: Base) -> bool:
    if isinstance(node, Leaf):
        return node.type == _STRING and not {"f", "b"} & set(_string_prefix(node.value))
    if node.type == _S["atom"]:
        if node.children[0].value == "(" and len(node.children) == 3:
            return _is_docstring(node.children[1])
        return all(_is_docstring(c) for c in node.children)
    return False


def check_field_tree(tree: Node) -> None:
    """An f-string field may not be a bare generator expression (``f"{x for x in y}"``)."""
    atom = tree.children[0].children[0]
    inner = atom.children[1] if len(atom.children) == 3 else None
    if inner is not None and inner.type == _S["testlist_gexp"] and inner.children[-1].type == _S["comp_for"]:
        raise fail("f-string: expecting '=', or '!', or ':', or '}'", inner.children[-1])


def _walrus_context(node: Node, escapes: list[str] | None) -> None:
    _walrus_scope(node, node.children[0].value, False, escapes)
    parent = node.parent
    if parent is None:
        return
    if parent.type == _S["subscript"]:
        raise fail("invalid syntax: assignment expression in a slice", node)
    if parent.type == _S["dictsetmaker"]:
        nxt = node.next_sibling
        if nxt is not None and is_leaf(nxt, ":"):
            raise fail("invalid syntax: assignment expression as a dict key", node)


# --- parameters -----------------------------------------------------------------------


def _params(node: Node) -> None:
    children = node.children
    names: set[str] = set()
    seen_slash = seen_star = seen_default = False
    star_pending = False  # bare ``*`` still waiting for a named parameter
    i, n = 0, len(children)
    while i < n:
        child = children[i]
        if is_leaf(child, ","):
            i += 1
            continue
        if isinstance(child, Leaf) and child.value == "/":
            if seen_slash or seen_star or i == 0:
                raise fail("invalid syntax: misplaced '/'", child)
            seen_slash = True
            i += 1
        elif isinstance(child, Leaf) and child.value == "*":
            if seen_star:
                raise fail("* argument may appear only once", child)
            seen_star = True
            nxt = children[i + 1] if i + 1 < n else None
            if nxt is None or is_leaf(nxt, ","):
                star_pending = True
                i += 1
            else:
                _param_name(nxt, names, allow_star_annotation=True)
                i += 2
        elif isinstance(child, Leaf) and child.value == "**":
            if star_pending:
                raise fail("named arguments must follow bare *", child)
            _param_name(children[i + 1], names)
            rest = [c for c in children[i + 2 :] if not is_leaf(c, ",")]
            if rest or len(children) - (i + 2) > 1:
                raise fail("arguments cannot follow var-keyword argument", children[i + 1])
            i += 2
        else:
            _param_name(child, names)
            star_pending = False
            has_default = i + 1 < n and is_leaf(children[i + 1], "=")
            if has_default:
                i += 3
                if not seen_star:
                    seen_default = True
            else:
                if seen_default and not seen_star:
                    raise fail("parameter without a default follows parameter with a default", child)
                i += 1
    if star_pending:
        raise fail("named arguments must follow bare *", node)
    return None


def _param_name(node: Base, names: set[str], allow_star_annotation: bool = False) -> None:
    leaf = node if isinstance(node, Leaf) else node.children[0]
    if isinstance(node, Node) and not allow_star_annotation and node.children[-1].type == _S["star_expr"]:
        raise fail("invalid syntax: starred annotation", node.children[-1])
    if leaf.value in names:
        raise fail(f"duplicate argument {leaf.value!r} in function definition", leaf)
    if leaf.value == "__debug__":
        raise fail("cannot assign to __debug__", leaf)
    names.add(leaf.value)


def _bare_marker(node: Node) -> None:
    """``def f(/)``, ``def f(*)`` and their lambda forms, where the list collapsed."""
    inner = node.children[1]
    if is_leaf(inner, "__debug__"):
        raise fail("cannot assign to __debug__", inner)
    if isinstance(inner, Leaf) and inner.value in ("/", "*"):
        raise fail(f"invalid syntax: lone '{inner.value}'", inner)
    if node.type == _S["parameters"] and isinstance(inner, Node) and inner.type == _S["tname"]:
        _param_name(inner, set())
    return None


# --- try / except / import ------------------------------------------------------------


def _except_clause(node: Node) -> None:
    if len(node.children) == 2 and is_leaf(node.children[1], "*"):
        raise fail("expected one or more exception types", node.children[1])
    if is_leaf(node.children[-1], "__debug__") and is_leaf(node.children[-2], "as"):
        raise fail("cannot assign to __debug__", node)
    return None


def _try_stmt(node: Node) -> None:
    clauses = [c for c in node.children if (isinstance(c, Leaf) and c.value == "except") or c.type == _S["except_clause"]]
    if not clauses:
        return None
    star = [isinstance(c, Node) and is_leaf(c.children[1], "*") for c in clauses]
    if any(star) and not all(star):
        raise fail("cannot have both 'except' and 'except*' on the same 'try'", clauses[star.index(not star[0])])
    for clause in clauses[:-1]:
        if isinstance(clause, Leaf):
            raise fail("default 'except:' must be last", clause)
    return None


def _import_from(node: Node) -> None:
    last = node.children[-1]
    if isinstance(last, Node) and last.type == _S["import_as_names"] and is_leaf(last.children[-1], ","):
        raise fail("trailing comma not allowed without surrounding parentheses", last.children[-1])
    if last.type == token.RPAR:
        last = node.children[-2]
    items = last.children[::2] if last.type == _S["import_as_names"] else [last]
    for item in items:
        bound = item.children[2] if item.type == _S["import_as_name"] else item
        if bound.value == "__debug__":
            raise fail("cannot assign to __debug__", node)
    return None


# --- star expressions and ``as`` inside brackets ---------------------------------------------


def _star_context(node: Node) -> None:
    parent = node.parent
    if parent is None:
        return
    pt = parent.type
    if _inside_case_patterns(node):
        return  # the pattern checker decides
    if pt in _STAR_SEQUENCES:
        if any(c.type == _S["comp_for"] for c in parent.children):
            raise fail("iterable unpacking cannot be used in comprehension", node)
        return
    if pt == _S["atom"] and parent.children[0].value in "[{":
        return
    if pt == _S["trailer"] and parent.children[0].value == "[":
        return
    if pt == _S["typevartuple"]:
        return
    if pt == _S["tname"]:
        prev = parent.prev_sibling
        if is_leaf(prev, "*") if prev is not None else False:
            return
    if pt == _S["asexpr_test"] or pt == _S["pattern"]:
        return  # judged with the ``as`` it belongs to
    raise fail("cannot use starred expression here", node)


def _inside_case_patterns(node: Base) -> bool:
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == _S["case_block"]:
            return parent.children[1] is child
        if parent.type in _FUNCTION_BOUNDARIES or parent.type == _S["suite"]:
            return False
        child, parent = parent, parent.parent
    return False


def _as_context(node: Node) -> None:
    """``x as y`` inside brackets exists only for patterns and parenthesized with-items."""
    if _inside_case_patterns(node):
        return
    parent = node.parent
    atom = parent.parent if parent is not None and parent.type == _S["testlist_gexp"] else parent
    if (
        node.type == _S["asexpr_test"]
        and atom is not None
        and atom.type == _S["atom"]
        and atom.children[0].value == "("
        and atom.parent is not None
        and atom.parent.type == _S["with_stmt"]
        and atom.parent.children[1] is atom
        and is_leaf(atom.parent.children[2], ":")
        and (parent is atom or not any(c.type == _S["comp_for"] for c in parent.children))
        and node.children[0].type != _S["star_expr"]
    ):
        _check_target(node.children[2], "assign")
        return
    raise fail("invalid syntax", node.children[1])


# --- match statements -------------------------------------------------------------------


def _match_stmt(node: Node) -> None:
    blocks = [b for b in node.children if isinstance(b, Node) and b.type == _S["case_block"]]
    for block in blocks:
        _top_patterns(block.children[1])
    for i, block in enumerate(blocks):
        # Only the last case, or one with a guard, may match everything.
        allow = i == len(blocks) - 1 or block.children[2].type == _S["guard"]
        _bound_names(block.children[1], allow, [])
    return None


def _bound_names(node: Base, allow_irrefutable: bool, names: list[str]) -> bool:
    """Add the names a (valid) pattern binds to ``names``; True if it matches everything.
    Raises CPython's compiler errors: a name bound twice, alternatives binding different
    names, a capture or wildcard making later patterns unreachable."""
    if isinstance(node, Leaf):
        if node.type != _NAME or node.value in ("None", "True", "False"):
            return False
        if not allow_irrefutable:
            if node.value == "_":
                raise fail("wildcard makes remaining patterns unreachable", node)
            raise fail(f"name capture {node.value!r} makes remaining patterns unreachable", node)
        if node.value != "_":
            _bind(node, names)
        return True
    t = node.type
    children = node.children
    if t in (_S["pattern"], _S["asexpr_test"], _S["argument"]) and len(children) == 3 and is_leaf(children[1], "as"):
        irrefutable = _bound_names(children[0], allow_irrefutable, names)
        _bind(children[2], names)
        return irrefutable
    if t == _S["expr"]:  # alternatives
        alternatives = children[::2]
        first: set[str] | None = None
        irrefutable = False
        for i, alternative in enumerate(alternatives):
            own: list[str] = []
            irrefutable = _bound_names(alternative, allow_irrefutable and i == len(alternatives) - 1, own)
            if first is None:
                first = set(own)
            elif set(own) != first:
                raise fail("alternative patterns bind different names", node)
        for name_leaf in _names_of(alternatives[0]):
            _bind(name_leaf, names)
        return irrefutable
    if t == _S["atom"] and children[0].value == "(" and len(children) == 3 and children[1].type != _S["testlist_gexp"]:
        return _bound_names(children[1], allow_irrefutable, names)
    if t == _S["star_expr"]:
        if children[1].value != "_":
            _bind(children[1], names)
        return False
    if t == _S["argument"] and is_leaf(children[1], "="):
        _bound_names(children[2], True, names)
        return False
    if t in (_S["factor"], _S["arith_expr"]):
        return False
    if t == _S["atom"] and children[0].value == "{":
        items = children[1].children if len(children) == 3 and children[1].type == _S["dictsetmaker"] else children[1:-1]
        for i, item in enumerate(items):
            if i and is_leaf(items[i - 1], "**"):
                _bind(item, names)
            elif i and is_leaf(items[i - 1], ":"):
                _bound_names(item, True, names)
        return False
    if t == _S["power"]:
        last = children[-1]
        if last.type == _S["trailer"] and last.children[0].value == "(" and len(last.children) == 3:
            _sub_patterns(last.children[1], names)
        return False
    _sub_patterns(node, names)
    return False


def _sub_patterns(node: Base, names: list[str]) -> None:
    """Patterns inside a sequence, a group of several, or class arguments."""
    if isinstance(node, Leaf) or node.type not in (
        _S["patterns"], _S["atom"], _S["testlist_gexp"], _S["listmaker"], _S["arglist"]
    ):
        _bound_names(node, True, names)
        return
    for child in node.children:
        if isinstance(child, Leaf) and child.value in ("(", ")", "[", "]", ","):
            continue
        if isinstance(child, Leaf) and child.type == _STRING:
            continue
        if child.type in (_S["testlist_gexp"], _S["listmaker"], _S["arglist"]):
            _sub_patterns(child, names)
        else:
            _bound_names(child, True, names)


def _names_of(node: Base) -> list[Leaf]:
    own: list[str] = []
    _bound_names(node, True, own)
    leaves = [leaf for leaf in node.leaves() if leaf.type == _NAME and leaf.value in own]
    unique: dict[str, Leaf] = {}
    for leaf in leaves:
        unique.setdefault(leaf.value, leaf)
    return list(unique.values())


def _bind(leaf: Leaf, names: list[str]) -> None:
    if leaf.value in names:
        raise fail(f"multiple assignments to name {leaf.value!r} in pattern", leaf)
    names.append(leaf.value)


def _top_patterns(node: Base) -> None:
    if isinstance(node, Node) and node.type == _S["patterns"]:
        _sequence(node.children)
    elif isinstance(node, Node) and node.type == _S["star_expr"]:
        raise fail("invalid pattern: starred pattern outside a sequence", node)
    else:
        _pattern(node)


def _sequence(children: list[Base]) -> None:
    stars = 0
    for child in children:
        if is_leaf(child, ","):
            continue
        if isinstance(child, Node) and child.type == _S["star_expr"]:
            stars += 1
            if stars > 1:
                raise fail("multiple starred names in sequence pattern", child)
            target = child.children[1]
            if not (isinstance(target, Leaf) and target.type == _NAME) or target.value in _RESERVED_TARGETS:
                raise fail("invalid star pattern", child)
        else:
            _pattern(child)


def _pattern(node: Base) -> None:
    """An as-pattern or or-pattern."""
    if isinstance(node, Node) and len(node.children) == 3 and is_leaf(node.children[1], "as") and node.type in (
        _S["pattern"],
        _S["asexpr_test"],
        _S["argument"],
    ):
        target = node.children[2]
        if not (isinstance(target, Leaf) and target.type == _NAME) or target.value in _RESERVED_TARGETS | {"_"}:
            raise fail("invalid pattern target", target)
        _or_pattern(node.children[0])
    else:
        _or_pattern(node)


def _or_pattern(node: Base) -> None:
    if isinstance(node, Node) and node.type == _S["expr"]:
        for child in node.children[::2]:
            _closed_pattern(child)
    else:
        _closed_pattern(node)


def _closed_pattern(node: Base) -> None:
    if isinstance(node, Leaf):
        if node.type == _NAME and node.value == "__debug__":
            raise fail("cannot assign to __debug__", node)
        if node.type == _NAME or node.type == _NUMBER:
            return
        if node.type == _STRING:
            _plain_string(node)
            return
        raise fail("invalid pattern", node)
    t = node.type
    if t == _S["atom"]:
        opener = node.children[0]
        if opener.type == _STRING:
            for s in node.children:
                _plain_string(s)
            return
        if opener.value in "([":
            if len(node.children) == 2:
                return
            inner = node.children[1]
            if isinstance(inner, Node) and inner.type in (_S["testlist_gexp"], _S["listmaker"]):
                if any(c.type == _S["comp_for"] for c in inner.children):
                    raise fail("invalid pattern", inner)
                _sequence(inner.children)
            elif isinstance(inner, Node) and inner.type == _S["star_expr"]:
                if opener.value == "(":
                    raise fail("invalid pattern", inner)
                _sequence([inner])
            else:
                _pattern(inner)
            return
        if opener.value == "{":
            _mapping(node.children[1:-1])
            return
        raise fail("invalid pattern", node)
    if t == _S["factor"]:
        if _signed_number(node):
            return
        raise fail("invalid pattern", node)
    if t == _S["arith_expr"]:
        # Only a complex literal: real +/- imaginary.
        if len(node.children) == 3 and (isinstance(node.children[0], Leaf) and node.children[0].type == _NUMBER or _signed_number(node.children[0])):
            imag = node.children[2]
            if isinstance(imag, Leaf) and imag.type == _NUMBER and imag.value[-1] in "jJ":
                return
        raise fail("invalid pattern: only complex literals may use + or -", node)
    if t == _S["power"]:
        _value_or_class(node)
        return
    raise fail("invalid pattern", node)


def _signed_number(node: Base) -> bool:
    return (
        isinstance(node, Node)
        and node.type == _S["factor"]
        and is_leaf(node.children[0], "-")
        and isinstance(node.children[1], Leaf)
        and node.children[1].type == _NUMBER
    )


def _plain_string(node: Base) -> None:
    if not isinstance(node, Leaf) or node.type != _STRING:
        raise fail("invalid pattern", node)
    if "f" in _string_prefix(node.value):
        raise fail("patterns may only match literals and attribute lookups", node)


def _string_prefix(literal: str) -> str:
    return literal[: len(literal) - len(literal.lstrip("rRbBuUfF"))].lower()


def _value_or_class(node: Node) -> None:
    children = node.children
    if not (isinstance(children[0], Leaf) and children[0].type == _NAME):
        raise fail("invalid pattern", node)
    for i, trailer in enumerate(children[1:], 1):
        if not (isinstance(trailer, Node) and trailer.type == _S["trailer"]):
            raise fail("invalid pattern", trailer)
        opener = trailer.children[0].value
        if opener == ".":
            continue
        if opener == "(" and i == len(children) - 1:
            _class_arguments(trailer.children[1:-1])
            continue
        raise fail("invalid pattern", trailer)


def _class_arguments(inner: list[Base]) -> None:
    if not inner:
        return
    args = inner[0].children if isinstance(inner[0], Node) and inner[0].type == _S["arglist"] else inner
    seen_keyword = False
    names: set[str] = set()
    for arg in args:
        if is_leaf(arg, ","):
            continue
        if isinstance(arg, Node) and arg.type == _S["argument"] and is_leaf(arg.children[1], "="):
            seen_keyword = True
            name = arg.children[0].value
            if name in names:
                raise fail(f"attribute name repeated in class pattern: {name}", arg)
            names.add(name)
            _pattern(arg.children[2])
            continue
        if seen_keyword:
            raise fail("positional patterns follow keyword patterns", arg)
        if isinstance(arg, Node) and arg.type == _S["argument"] and not is_leaf(arg.children[1], "as"):
            raise fail("invalid pattern", arg)
        _pattern(arg)


def _mapping(inner: list[Base]) -> None:
    if not inner:
        return
    node = inner[0]
    items = node.children if isinstance(node, Node) and node.type == _S["dictsetmaker"] else inner
    i, n = 0, len(items)
    keys: set[object] = set()
    while i < n:
        item = items[i]
        if is_leaf(item, "**"):
            target = items[i + 1]
            if not (isinstance(target, Leaf) and target.type == _NAME) or target.value in _RESERVED_TARGETS | {"_"}:
                raise fail("invalid double-star pattern", target)
            if i + 2 < n and any(not is_leaf(c, ",") for c in items[i + 2 :]):
                raise fail("double star pattern must be last", target)
            i += 3
            continue
        if i + 1 >= n or not is_leaf(items[i + 1], ":"):
            raise fail("invalid mapping pattern", item)
        _mapping_key(item)
        if item.type != _S["power"]:
            # Literal keys are compared by value (1, 1.0 and True are one key).
            value = _literal_value(" ".join(leaf.value for leaf in item.leaves()))
            if value in keys:
                raise fail(f"mapping pattern checks duplicate key ({value!r})", item)
            keys.add(value)
        _pattern(items[i + 2])
        i += 4


def _literal_value(text: str) -> object:
    """The value of a literal mapping key: a constant, a negated one, or real +/- imaginary."""
    node = ast.parse(text, mode="eval").body
    if isinstance(node, ast.UnaryOp):
        return -node.operand.value  # type: ignore[attr-defined]
    if isinstance(node, ast.BinOp):
        left = _literal_value(ast.unparse(node.left))
        right = node.right.value  # type: ignore[attr-defined]
        return left + right if isinstance(node.op, ast.Add) else left - right  # type: ignore[operator]
    return node.value  # type: ignore[attr-defined]


def _mapping_key(node: Base) -> None:
    if isinstance(node, Leaf):
        if node.type == _NUMBER or node.value in ("None", "True", "False"):
            return
        if node.type == _STRING:
            _plain_string(node)
            return
        raise fail("invalid mapping key", node)
    if node.type == _S["power"]:
        if all(isinstance(t, Node) and t.type == _S["trailer"] and t.children[0].value == "." for t in node.children[1:]):
            _value_or_class(node)
            return
        raise fail("invalid mapping key", node)
    if node.type == _S["atom"] and node.children[0].type != _STRING:
        raise fail("invalid mapping key", node)
    _closed_pattern(node)


def _walrus_scope(node: Base, target: str | None, in_comprehension: bool, escapes: list[str] | None) -> None:
    """Where ``:=`` (binding ``target``; None for an f-string standing in for its fields)
    may bind: not in a comprehension's iterable, not over its iteration variables, not
    from a comprehension in a class body, not in an annotation scope."""
    scope = _annotation_scope(node)
    if scope is not None:
        raise fail(f"named expression cannot be used within {scope}", node)
    in_lambda = False
    child, parent = node, node.parent
    while parent is not None:
        t = parent.type
        if t == _S["comp_for"]:
            index = _index(parent, child)
            if index > 0 and is_leaf(parent.children[index - 1], "in"):
                raise fail("assignment expression cannot be used in a comprehension iterable expression", node)
        elif t == _S["lambdef"] and parent.children[-1] is child:
            in_lambda = True  # binds in the lambda, but still not in an iterable
        elif in_lambda:
            pass
        elif t in COMPREHENSION_HOLDERS and parent.children[-1].type == _S["comp_for"]:
            if target in _iteration_names(parent.children[-1]):
                raise fail(f"assignment expression cannot rebind comprehension iteration variable {target!r}", node)
            in_comprehension = True
        elif t in _FUNCTION_BOUNDARIES and (parent.children[-1] is child or t == _S["file_input"]):
            if t == _S["classdef"] and in_comprehension:
                raise fail("assignment expression within a comprehension cannot be used in a class body", node)
            if t == _S["file_input"] and escapes is not None:
                escapes.append("comprehension walrus" if in_comprehension else "walrus")
            return
        child, parent = parent, parent.parent


def _iteration_names(comp: Base) -> set[str]:
    names: set[str] = set()
    while comp is not None and comp.type in (_S["comp_for"], _S["comp_if"]):
        last = comp.children[-1]
        if comp.type == _S["comp_for"]:
            target = comp.children[2] if comp.children[0].type == token.ASYNC else comp.children[1]
            names.update(leaf.value for leaf in target.leaves() if leaf.type == _NAME)
            comp = last if len(comp.children) == (6 if comp.children[0].type == token.ASYNC else 5) else None
        else:
            comp = last if len(comp.children) == 3 else None
    return names

