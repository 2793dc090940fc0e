"""The names an f-string literal uses inside its replacement fields, with their offsets in
the literal: nested fields, format specs, nested f-strings and PEP 701 quotes included.

Pure questions about one STRING leaf's text; it never changes a tree.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from functools import lru_cache

_PREFIX = re.compile(r"[A-Za-z]*")


@dataclass(frozen=True)
class FieldName:
    """A name read inside a replacement field: ``offset`` in the literal's text, and the
    ``.attr`` names that follow it (``m.Old`` -> ("Old",))."""

    name: str
    offset: int
    attributes: tuple[str, ...] = ()


def is_fstring(literal: str) -> bool:
    prefix = _PREFIX.match(literal).group().lower()
    return "f" in prefix or "t" in prefix


@lru_cache(maxsize=4096)
def field_names(literal: str) -> tuple[FieldName, ...]:
    """Free names of every replacement field of the f-string ``literal`` (names bound by
    a lambda or comprehension inside a field are not free); () if it is no f-string or
    cannot be read."""
    if not is_fstring(literal):
        return ()
    from phasemod.syntax.fstrings import FStringError, fstring_end

    prefix = _PREFIX.match(literal).group()
    quote = literal[len(prefix):len(prefix) + 3]
    if quote not in ('"""', "'''"):
        quote = quote[:1]
    fields: list[tuple[int, int]] = []
    try:
        fstring_end(literal, len(prefix) + len(quote), quote, "r" in prefix.lower(), fields)
    except FStringError:
        return ()
    out: list[FieldName] = []
    for start, end in fields:
        out += [FieldName(f.name, start + f.offset, f.attributes) for f in _expression_names(literal[start:end])]
    return tuple(out)


def _expression_names(expr: str) -> list[FieldName]:
    from phasemod import syntax
    from phasemod.resolve import analyze
    from phasemod.sites import attribute_trailers

    try:
        tree = syntax.parse("(" + expr + "\n)\n")
    except (syntax.ParseError, RecursionError):
        return []
    offsets: dict[int, int] = {}
    position = 0
    for leaf in tree.leaves():
        position += len(leaf.prefix)
        offsets[id(leaf)] = position - 1   # the "(" added in front
        position += len(leaf.value)
    analysis = analyze(tree)
    out = []
    for name, sites in analysis.sites.items():
        for site in sites:
            if site.store or keyword.iskeyword(name) or analysis.lookup(name, site.scope) is not None:
                continue
            attributes = tuple(t.children[1].value for t in attribute_trailers(site.leaf))
            out.append(FieldName(name, offsets[id(site.leaf)], attributes))
    for leaf, _ in analysis.strings:   # an f-string nested in a field
        base = offsets[id(leaf)]
        out += [FieldName(f.name, base + f.offset, f.attributes) for f in field_names(leaf.value)]
    return sorted(out, key=lambda f: f.offset)
