"""Small, formatting-preserving edits of fissix trees: imports, dotted names, statements.

Used by the rewriters; every edit keeps prefixes (whitespace and comments) in place.
"""
from __future__ import annotations

from typing import Sequence

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


def remove_import_entry(entry: pytree.Base, keep_comment: bool = True) -> str:
    """Remove one entry of `from m import a, b, c` (also parenthesized). Comments on lines
    of their own stay where they are; the comment that ended the entry's own line is
    returned (the caller moves it with the name), or kept in place with ``keep_comment``."""
    parent = entry.parent
    if parent is None or parent.type != syms.import_as_names:
        raise ValueError("entry is not part of a name list")
    list_prefix = parent.prefix
    after = entry.next_sibling
    if after is not None and after.type == token.COMMA:
        # the next name, or with a trailing comma `(a, old,)` the ')': it keeps the layout
        follower = after.next_sibling or parent.next_sibling
        after.remove()
    else:
        before = entry.prev_sibling
        if before is not None and before.type == token.COMMA:
            before.remove()
        follower = next_leaf(entry)
        if follower is not None and "\n" not in follower.prefix and "#" not in entry.prefix:
            follower = None  # `(a,\n old)`: the ')' stays where it stood
    comment = ""
    if follower is not None:
        follower.prefix, comment = _merge_prefix(entry.prefix, follower.prefix)
    entry.remove()
    if len(parent.children) == 1:  # one name left: no list node needed
        only = parent.children[0]
        only.remove()
        if "\n" not in only.prefix:
            only.prefix = list_prefix
        parent.replace(only)
    if comment and keep_comment and follower is not None:
        follower.prefix = _own_line(follower.prefix, comment)
        return ""
    return comment


def _merge_prefix(removed: str, following: str) -> tuple[str, str]:
    """(the prefix of what follows a removed element, the comment that ended the removed
    element's line). Comment lines before the removed element are kept."""
    if "\n" not in removed and "\n" not in following:
        return following, ""
    head = removed[: removed.rfind("\n") + 1] if "\n" in removed else ""
    line, newline, rest = following.partition("\n")
    comment = line.strip() if newline and "#" in line else ""
    if newline:
        return head + rest, comment
    return removed + following.lstrip(" \t"), ""  # the follower takes the removed name's place


def _own_line(prefix: str, comment: str) -> str:
    """``prefix`` with ``comment`` on a line of its own, indented like the next token."""
    if "\n" not in prefix:
        return prefix
    cut = prefix.rfind("\n") + 1
    indent = prefix[cut:]
    return prefix[:cut] + indent + comment + "\n" + indent


def next_leaf(node: pytree.Base) -> Leaf | None:
    """The leaf that follows ``node`` in the whole tree."""
    while node is not None and node.next_sibling is None:
        node = node.parent
    if node is None:
        return None
    following = node.next_sibling
    while isinstance(following, Node) and following.children:
        following = following.children[0]
    return following if isinstance(following, Leaf) else None


def comments_inside(node: pytree.Base) -> list[str]:
    """The comments of ``node`` except those before its first token, in order."""
    out = []
    for i, leaf in enumerate(node.leaves()):
        if i and "#" in leaf.prefix:
            out += [line.strip()[line.strip().index("#"):] for line in leaf.prefix.split("\n") if "#" in line]
    return out


def keep_comments(node: pytree.Base, comments: list[str]) -> None:
    """Put ``comments`` on lines of their own just before the statement holding ``node``."""
    if not comments:
        return
    stmt = statement_of(node)
    first = next(stmt.leaves())
    if stmt.parent is None or stmt.parent.type not in (syms.file_input, syms.suite):
        # `if x: import a` on one line: the comments end that line
        newline = stmt.children[-1]
        newline.prefix += "".join(f"  {c}" for c in comments)
        return
    indent = indentation_of(stmt)
    # the prefix ends with the statement's indentation (or is empty after an INDENT)
    first.prefix += "".join(f"{c}\n{indent}" for c in comments)


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


def insert_after(node: pytree.Base, text: str, comments: Sequence[str] = ()) -> Node:
    """Insert the one-line statement ``text`` after the statement holding ``node``; the
    first of ``comments`` ends its line, the others stand on lines of their own before it."""
    from phasemod.syntax import parse

    stmt = statement_of(node)
    trailing = f"  {comments[0]}" if comments else ""
    parsed = parse(text + trailing + _newline_of(stmt)).children[0]
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
        stmt.children[-1].prefix += "".join(f"  {c}" for c in comments)
        return stmt
    indent = indentation_of(stmt)
    next(parsed.leaves()).prefix = indent
    container.insert_child(container.children.index(stmt) + 1, parsed)
    keep_comments(parsed, list(comments[1:]))
    return parsed


def _newline_of(stmt: Node) -> str:
    last = stmt.children[-1]
    return last.value if last.type == token.NEWLINE and last.value else "\n"


def remove_statement(node: pytree.Base) -> None:
    """Remove the small statement holding ``node``; its comments stay, on lines of their own."""
    small = node
    stmt = statement_of(node)
    parts = [c for c in stmt.children if c.type not in (token.SEMI, token.NEWLINE)]
    if len(parts) > 1:
        keep_comments(stmt, comments_inside(small))
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
    inside = comments_inside(stmt)
    if container.type == syms.suite and len(siblings) == 1:
        keep_comments(replace_statement(stmt, "pass"), inside)
        return
    keep_comments(stmt, inside)
    following = stmt.next_sibling
    prefix = next(stmt.leaves()).prefix
    stmt.remove()
    if following is not None:
        first = next(following.leaves()) if isinstance(following, Node) else following
        first.prefix = prefix + first.prefix.lstrip(" \t") if "\n" in prefix or "#" in prefix else first.prefix


def replace_statement(stmt: Node, text: str) -> Node:
    from phasemod.syntax import parse

    parsed = parse(text + _newline_of(stmt)).children[0]
    parsed.remove()
    next(parsed.leaves()).prefix = next(stmt.leaves()).prefix
    stmt.replace(parsed)
    return parsed


def replace_attribute_chain(head: Leaf, trailers: list[Node], parts: list[str]) -> None:
    """``head.t1.t2`` (head NAME + `.name` trailers) becomes ``parts[0].parts[1]...``."""
    head.value = parts[0]
    power = head.parent
    index = power.children.index(trailers[0]) if trailers else 1
    for trailer in trailers:
        trailer.remove()
    for offset, part in enumerate(parts[1:]):
        power.insert_child(index + offset, Node(syms.trailer, [Leaf(token.DOT, "."), Leaf(token.NAME, part)]))
