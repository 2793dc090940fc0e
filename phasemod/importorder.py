"""Where a new or rewritten import goes when the module's import block was sorted the way
isort (profile black) and ruff's default I001 rules sort it; otherwise it stays put.

Moves only statements the rewrite produced; never reorders or reformats any other line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fissix import pytree
from fissix.pgen2 import token
from fissix.pygram import python_symbols as syms

Leaf, Node = pytree.Leaf, pytree.Node

_LEAD = re.compile(r"(?:[ \t\f]*\r?\n)*")


@dataclass(frozen=True)
class Snapshot:
    """Which module-level import statements stood in a sorted run before the rewrite."""

    sorted_ids: frozenset[int]


def snapshot(tree: Node) -> Snapshot:
    ids: set[int] = set()
    for container in _containers(tree):
        for run in _runs(container):
            if _is_sorted(run):
                ids.update(id(s) for s in run)
    return Snapshot(frozenset(ids))


def place(tree: Node, statements: list[Node], before: Snapshot) -> None:
    """Move each of ``statements`` (import statements the rewrite inserted or rewrote, at
    module level or in a block) to its sorted place in its run of imports, when that run
    was sorted before."""
    for stmt in statements:
        container = stmt.parent
        if container is None or container.type not in (syms.file_input, syms.suite) or _import_of(stmt) is None:
            continue
        run = next((r for r in _runs(container) if any(s is stmt for s in r)), None)
        if run is None:
            continue
        # The first statement of a block shares its indentation with the INDENT token:
        # it neither moves nor gets another statement put before it.
        fixed = run[0] if container.type == syms.suite and _after_indent(run[0]) else None
        if stmt is fixed:
            continue
        # An import written after a star import must stay after it: the star import could
        # otherwise bind the name again. Only the imports after the last such star move.
        # Two imports binding the same name: the later one wins, so neither moves.
        binds = _binds(stmt)
        if any(binds & _binds(other) for other in run if other is not stmt):
            continue
        index = run.index(stmt)
        stars = [i for i, s in enumerate(run[:index]) if _is_star(s)]
        floor = stars[-1] if stars else (0 if fixed is not None else -1)
        run = run[floor + 1:] if floor >= 0 else run
        full = _sections(run)
        sections = [kept for section in full if (kept := [s for s in section if s is not stmt])]
        if not sections or not any(id(s) in before.sorted_ids for s in run) or not all(
                _in_order(section) for section in sections):
            continue
        home = _home_section(stmt, full)
        if home:
            _move(stmt, home)


def _containers(tree: Node) -> list[Node]:
    """The module and every block in it (imports stand in both)."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if node.type in (syms.file_input, syms.suite):
            found.append(node)
        stack.extend(c for c in node.children if isinstance(c, Node))
    return found


def _after_indent(stmt: Node) -> bool:
    previous = stmt.prev_sibling
    return previous is not None and previous.type == token.INDENT


# ---------------------------------------------------------------------------- runs and keys

def _import_of(stmt: pytree.Base) -> Node | None:
    """The import of a simple statement that is one import and nothing else."""
    if stmt.type != syms.simple_stmt or len(stmt.children) != 2:
        return None
    first = stmt.children[0]
    return first if first.type in (syms.import_name, syms.import_from) else None


def _runs(tree: Node) -> list[list[Node]]:
    """Maximal runs of consecutive import statements of the module or a block."""
    runs: list[list[Node]] = []
    current: list[Node] = []
    for child in tree.children:
        if _import_of(child) is not None and not _is_future(child):
            current.append(child)
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return runs


def _binds(stmt: Node) -> set[str]:
    """The names an import statement binds to something another import may bind the same
    name to: ``import a as b`` and ``from m import a as b`` bind ``b``; ``import a.b``
    binds ``a`` to the package ``a``, whichever import of it runs last, so it is left out."""
    node = _import_of(stmt)
    out: set[str] = set()
    if node is None:
        return out

    def visit(n: pytree.Base) -> None:
        if n.type in (syms.import_as_name, syms.dotted_as_name) and len(n.children) == 3:
            out.add(n.children[2].value)
        elif n.type == token.NAME and node.type == syms.import_from:
            out.add(n.value)
        elif n.type in (syms.import_as_names, syms.dotted_as_names):
            for child in n.children:
                visit(child)

    keyword = next(i for i, c in enumerate(node.children) if c.type == token.NAME and c.value == "import")
    for child in node.children[keyword + 1:]:
        visit(child)
    return out


def _is_star(stmt: Node) -> bool:
    node = _import_of(stmt)
    return node is not None and any(leaf.type == token.STAR for leaf in node.leaves())


def _is_future(stmt: Node) -> bool:
    node = _import_of(stmt)
    return node is not None and node.type == syms.import_from and str(node.children[1]).strip() == "__future__"


def _sections(run: list[Node]) -> list[list[Node]]:
    """A run split where a blank line stands between two imports (isort's sections)."""
    sections: list[list[Node]] = []
    for stmt in run:
        if not sections or _lead(stmt):
            sections.append([])
        sections[-1].append(stmt)
    return sections


def _is_sorted(run: list[Node]) -> bool:
    return all(_in_order(section) for section in _sections(run))


def _in_order(section: list[Node]) -> bool:
    keys = [key(s) for s in section]
    return keys == sorted(keys)


def key(stmt: Node) -> tuple:
    """Sort key of an import statement within its section: every ``import x`` before every
    ``from x import y``; modules compared without case; relative imports furthest first;
    the same module's statements by their first name (constants, classes, then the rest)."""
    node = _import_of(stmt)
    assert node is not None
    if node.type == syms.import_name:
        module = _first_dotted(node.children[1])
        return (0, 0, module.lower(), module, ())
    children = node.children
    level, i = 0, 1
    while isinstance(children[i], Leaf) and children[i].value in (".", "..."):
        level += len(children[i].value)
        i += 1
    module = "" if isinstance(children[i], Leaf) and children[i].value == "import" else _first_dotted(children[i])
    at = next(j for j, c in enumerate(children) if j >= i and isinstance(c, Leaf) and c.value == "import")
    name = next((leaf.value for c in children[at + 1:] for leaf in c.leaves() if leaf.type in (token.NAME, token.STAR)),
                "")
    return (1, -level, module.lower(), module, _member_key(name))


def _member_key(name: str) -> tuple:
    if name.isupper() and len(name) > 1:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return (kind, name.lower(), name)


def _first_dotted(node: pytree.Base) -> str:
    """The first dotted name of an import's name list (``a.b`` of ``a.b as c, d``)."""
    parts = []
    for leaf in node.leaves():
        if leaf.value in (",", "as") and leaf.type != token.DOT:
            break
        parts.append(leaf.value)
    return "".join(parts)


# ---------------------------------------------------------------------------- moving

def _lead(stmt: Node) -> str:
    """The blank lines at the start of a statement's prefix."""
    prefix = next(stmt.leaves()).prefix
    return _LEAD.match(prefix).group()


def _set_prefix(stmt: Node, prefix: str) -> None:
    next(stmt.leaves()).prefix = prefix


def _move(stmt: Node, home: list[Node]) -> None:
    k = key(stmt)
    target = next((s for s in home if key(s) > k), None)
    after = home[-1] if target is None else None
    if target is not None and target is _next_statement(stmt) or after is not None and after is stmt.prev_sibling:
        return  # already in place
    tree = stmt.parent
    # Take it out. Comments above the first import of a section head the section and stay
    # where they are; comments above any other import belong to it and move with it.
    # A prefix ends with the statement's indentation.
    prefix = next(stmt.leaves()).prefix
    follower = _next_statement(stmt)
    own = prefix
    if _heads_section(stmt):
        own = _indentation(prefix)
        if follower is not None:
            follow_prefix = next(follower.leaves()).prefix
            _set_prefix(follower, prefix[: len(prefix) - len(own)] + follow_prefix[len(_LEAD.match(follow_prefix).group()):])
    stmt.remove()
    if target is not None:
        if _heads_section(target):
            target_prefix = next(target.leaves()).prefix
            indent = _indentation(target_prefix)
            _set_prefix(stmt, target_prefix[: len(target_prefix) - len(indent)] + own)
            _set_prefix(target, indent)
        else:
            _set_prefix(stmt, own)
        tree.insert_child(tree.children.index(target), stmt)
    else:
        _set_prefix(stmt, own)
        tree.insert_child(tree.children.index(after) + 1, stmt)


def _indentation(prefix: str) -> str:
    return prefix[prefix.rfind("\n") + 1:]


def _heads_section(stmt: Node) -> bool:
    """Whether ``stmt`` is the first import of its section (nothing but a blank line or
    the start of the run before it)."""
    previous = stmt.prev_sibling
    return previous is None or _import_of(previous) is None or bool(_lead(stmt))


def _home_section(stmt: Node, sections: list[list[Node]]) -> list[Node]:
    """The other imports of the section ``stmt`` belongs in: its own, unless it names a
    top-level package that only another section imports. Empty: leave it where it is."""
    top = _top_package(stmt)
    own = next(section for section in sections if any(s is stmt for s in section))
    own = [s for s in own if s is not stmt]
    if top and not any(_top_package(s) == top for s in own):
        for section in sections:
            if any(_top_package(s) == top for s in section if s is not stmt):
                return [s for s in section if s is not stmt]
    return own


def _top_package(stmt: Node) -> str:
    k = key(stmt)
    if k[0] == 1 and k[1] < 0:
        return "."          # relative imports form their own section
    return k[3].split(".")[0]


def _next_statement(stmt: Node) -> Node | None:
    following = stmt.next_sibling
    return following if following is not None and following.type == syms.simple_stmt else None
