"""Small, formatting-preserving edits of fissix trees: imports, dotted names, statements.

Used by the rewriters; every edit keeps prefixes (whitespace and comments) in place.
"""
from __future__ import annotations

from fissix import pytree
from fissix.pgen2 import token
from fissix.pygram import python_symbols as syms

Leaf, Node = pytree.Leaf, pytree.Node


def dotted_node(dotted: str, prefix: str = "") -> pytree.Base:
    """A NAME leaf or a dotted_name node spelling ``dotted``."""
    parts = dotted.split(".")
    if len(parts) == 1:
        return Leaf(token.NAME, dotted, prefix=prefix)
    children: list[pytree.Base] = []
    for i, part in enumerate(parts):
        if i:
            children.append(Leaf(token.DOT, "."))
        children.append(Leaf(token.NAME, part))
    children[0].prefix = prefix
    return Node(syms.dotted_name, children)


def replace_dotted(node: pytree.Base, dotted: str) -> None:
    node.replace(dotted_node(dotted, node.prefix))


def set_from_module(import_from: Node, spec: str) -> None:
    """Make ``from X import ...`` read ``from <spec> import ...`` (spec may start with dots)."""
    children = import_from.children
    end = next(i for i, c in enumerate(children) if isinstance(c, Leaf) and c.value == "import" and i > 0)
    prefix = children[1].prefix
    for child in children[1:end]:
        child.remove()
    name = spec.lstrip(".")
    dots = len(spec) - len(name)
    new: list[pytree.Base] = [Leaf(token.DOT, ".") for _ in range(dots)]
    if name:
        new.append(dotted_node(name))
    new[0].prefix = prefix
    for offset, child in enumerate(new):
        import_from.insert_child(1 + offset, child)


def replace_import_entry(entry: pytree.Base, text: str) -> None:
    """Replace one `Name` / `Name as alias` of a from-import with ``text`` (same forms)."""
    name, _, alias = (part.strip() for part in text.partition(" as "))
    if alias:
        new: pytree.Base = Node(syms.import_as_name, [Leaf(token.NAME, name), Leaf(token.NAME, "as", prefix=" "),
                                                       Leaf(token.NAME, alias, prefix=" ")])
    else:
        new = Leaf(token.NAME, name)
    new.prefix = entry.prefix
    entry.replace(new)


def remove_import_entry(entry: pytree.Base) -> None:
    """Remove one entry of `from m import a, b, c` (also parenthesized), keeping comments."""
    parent = entry.parent
    if parent is None or parent.type != syms.import_as_names:
        raise ValueError("entry is not part of a name list")
    list_prefix = parent.prefix
    after = entry.next_sibling
    if after is not None and after.type == token.COMMA:
        follower = after.next_sibling
        if follower is not None:
            follower.prefix = _merge_prefix(entry.prefix, follower.prefix)
        else:  # a trailing comma: `(a, old,)` -> the ')' keeps the layout
            closing = parent.next_sibling
            if closing is not None:
                closing.prefix = _merge_prefix(entry.prefix, closing.prefix)
        after.remove()
        entry.remove()
    else:
        before = entry.prev_sibling
        if before is not None and before.type == token.COMMA:
            before.remove()
        entry.remove()
    if len(parent.children) == 1:  # one name left: no list node needed
        only = parent.children[0]
        only.remove()
        if "\n" not in only.prefix:
            only.prefix = list_prefix
        parent.replace(only)


def _merge_prefix(removed: str, following: str) -> str:
    """Keep the comments before a removed element; drop its own trailing comment."""
    head = removed[: removed.rfind("\n") + 1] if "\n" in removed else ""
    tail = following[following.find("\n") + 1:] if "\n" in following else following
    return head + tail if head or "\n" in following else following


def statement_of(node: pytree.Base) -> Node:
    """The simple_stmt holding ``node``."""
    while node.parent is not None and node.type != syms.simple_stmt:
        node = node.parent
    return node  # type: ignore[return-value]


def indentation_of(stmt: pytree.Base) -> str:
    prev = stmt.prev_sibling
    if prev is not None and prev.type == token.INDENT:
        return prev.value
    first = next(stmt.leaves()).prefix
    return first.rsplit("\n", 1)[-1] if first.strip(" \t\f\n\r") == "" or "\n" in first else ""


def insert_after(node: pytree.Base, text: str) -> None:
    """Insert the one-line statement ``text`` after the statement holding ``node``."""
    from phasemod.syntax import parse

    stmt = statement_of(node)
    parsed = parse(text + _newline_of(stmt)).children[0]
    parsed.remove()
    container = stmt.parent
    if container is None or container.type not in (syms.file_input, syms.suite):
        # `if x: import a` on one line: append `; <text>` to the same line
        small = parsed.children[0]
        small.remove()
        index = len(stmt.children) - 1   # before the statement's NEWLINE
        stmt.insert_child(index, Leaf(token.SEMI, ";"))
        small.prefix = " "
        stmt.insert_child(index + 1, small)
        return
    indent = indentation_of(stmt)
    next(parsed.leaves()).prefix = indent
    container.insert_child(container.children.index(stmt) + 1, parsed)


def _newline_of(stmt: Node) -> str:
    last = stmt.children[-1]
    return last.value if last.type == token.NEWLINE and last.value else "\n"


def remove_statement(node: pytree.Base) -> None:
    """Remove the small statement holding ``node``; keep the comments before it."""
    small = node
    stmt = statement_of(node)
    parts = [c for c in stmt.children if c.type not in (token.SEMI, token.NEWLINE)]
    if len(parts) > 1:
        index = stmt.children.index(small)
        neighbour = stmt.children[index + 1] if index + 1 < len(stmt.children) and \
            stmt.children[index + 1].type == token.SEMI else stmt.children[index - 1]
        prefix = small.prefix
        neighbour.remove()
        small.remove()
        stmt.children[0].prefix = prefix if index == 0 else stmt.children[0].prefix
        return
    container = stmt.parent
    siblings = [c for c in container.children if c.type not in (token.NEWLINE, token.INDENT, token.DEDENT,
                                                                 token.ENDMARKER)]
    if container.type == syms.suite and len(siblings) == 1:
        replace_statement(stmt, "pass")
        return
    following = stmt.next_sibling
    prefix = next(stmt.leaves()).prefix
    stmt.remove()
    if following is not None:
        first = next(following.leaves()) if isinstance(following, Node) else following
        first.prefix = prefix + first.prefix.lstrip(" \t") if "\n" in prefix or "#" in prefix else first.prefix


def replace_statement(stmt: Node, text: str) -> None:
    from phasemod.syntax import parse

    parsed = parse(text + _newline_of(stmt)).children[0]
    parsed.remove()
    next(parsed.leaves()).prefix = next(stmt.leaves()).prefix
    stmt.replace(parsed)


def replace_attribute_chain(head: Leaf, trailers: list[Node], parts: list[str]) -> None:
    """``head.t1.t2`` (head NAME + `.name` trailers) becomes ``parts[0].parts[1]...``."""
    head.value = parts[0]
    power = head.parent
    index = power.children.index(trailers[0]) if trailers else 1
    for trailer in trailers:
        trailer.remove()
    for offset, part in enumerate(parts[1:]):
        power.insert_child(index + offset, Node(syms.trailer, [Leaf(token.DOT, "."), Leaf(token.NAME, part)]))
