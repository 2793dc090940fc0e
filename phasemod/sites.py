"""Where a leaf stands in a module, and the records rewriters report: annotation,
docstring, `__all__` entry, attribute chain, comment lines; `Site` and `Outcome`.

Pure questions about a parsed tree, shared by the move recipes; it never changes the tree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from fissix import pytree
from fissix.pgen2 import token
from fissix.pygram import python_symbols as syms

from phasemod.model import Kind

Leaf, Node = pytree.Leaf, pytree.Node


@dataclass(frozen=True)
class Site:
    """A reference to the old symbol found in a module (1-based line)."""

    line: int
    kind: Kind
    note: str = ""


@dataclass
class Outcome:
    """What ``migrate`` did or refused to do; the tree is unchanged when ``conflicts``."""

    changed: bool = False
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    needs_review: list[tuple[int, str]] = field(default_factory=list)


def attribute_trailers(leaf: Leaf) -> list[Node]:
    """The `.name` trailers that directly follow ``leaf`` in a power node."""
    out = []
    parent = leaf.parent
    if parent is None or parent.type != syms.power or parent.children[0] is not leaf:
        return out
    for child in parent.children[1:]:
        if child.type == syms.trailer and child.children[0].type == token.DOT:
            out.append(child)
        else:
            break
    return out


def string_body(literal: str) -> str | None:
    match = re.fullmatch(r"([rRuUbB]?)(['\"])(.*)\2", literal, re.S)
    return match.group(3) if match and "b" not in match.group(1).lower() else None


def dedupe(sites: list[Site]) -> list[Site]:
    seen, out = set(), []
    for site in sorted(sites, key=lambda s: (s.line, s.kind.value)):
        key = (site.line, site.kind) if site.kind is Kind.DOCS else id(site)
        if key not in seen:
            seen.add(key)
            out.append(site)
    return out


def line_sites(leaf: Leaf, pattern: re.Pattern[str], kind: Kind) -> list[Site]:
    first = leaf.get_lineno()
    lines = {first + leaf.value.count("\n", 0, m.start()) for m in pattern.finditer(leaf.value)}
    return [Site(n, kind) for n in sorted(lines)]


def comments_of(leaf: Leaf) -> list[tuple[int, str]]:
    """(line, text) of each comment in the prefix of ``leaf``."""
    prefix = leaf.prefix
    end_line = leaf.get_lineno()
    lines = prefix.split("\n")
    first = end_line - (len(lines) - 1)
    return [(first + i, text) for i, text in enumerate(lines) if "#" in text]


def use_kind(leaf: Leaf) -> Kind:
    if in_annotation(leaf):
        return Kind.ANNOTATION
    parent = leaf.parent
    if parent is not None and parent.type == syms.trailer:  # `m.Old` : the chain's power node
        parent = parent.parent
        following = leaf.parent.next_sibling
    else:
        following = leaf.next_sibling
    if parent is not None and parent.type == syms.power and following is not None and following.type == syms.trailer:
        if following.children[0].type == token.LPAR:
            return Kind.INSTANTIATION
        after = following.next_sibling
        if following.children[0].type == token.DOT and after is not None and after.type == syms.trailer \
                and after.children[0].type == token.LPAR:
            return Kind.INSTANTIATION
    return Kind.REFERENCE


def in_annotation(node: pytree.Base) -> bool:
    child, parent = node, node.parent
    while parent is not None:
        t = parent.type
        if t in (syms.tname, getattr(syms, "tname_star", -1)) and parent.children[0] is not child:
            return True
        if t == syms.annassign and parent.children[1] is child:
            return True
        if t == syms.funcdef and child.prev_sibling is not None and child.prev_sibling.type == token.RARROW:
            return True
        if t in (syms.simple_stmt, syms.suite, syms.file_input, syms.funcdef, syms.classdef, syms.parameters):
            return False
        child, parent = parent, parent.parent
    return False


def is_docstring(leaf: Leaf) -> bool:
    parent = leaf.parent
    return parent is not None and parent.type == syms.simple_stmt and parent.children[0] is leaf


def in_dunder_all(leaf: Leaf) -> bool:
    node = leaf.parent
    while node is not None and node.type in (syms.atom, syms.listmaker, syms.testlist_gexp, getattr(syms, "exprlist", -1)):
        node = node.parent
    if node is None or node.type != syms.expr_stmt:
        return False
    first = node.children[0]
    return isinstance(first, Leaf) and first.value == "__all__" and isinstance(node.parent, Node) \
        and node.parent.parent is not None and node.parent.parent.type == syms.file_input
