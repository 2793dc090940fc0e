"""Replay one hunk's edit on another hunk of the same cluster: a three-way merge of
tokens. The reviewer edited ``example`` (the proposed new lines) into ``edited``; the
same change is made to ``other`` (another hunk's proposed new lines) where the tokens it
touches are the same there, and refused (None) where they differ or touch what differs.

Pure text; the caller checks that the file with the result still parses and binds.
"""
from __future__ import annotations

import difflib
import re

__all__ = ["replay"]

_TOKEN = re.compile(r"\w+|[^\S\r\n]+|\r\n|\r|\n|[^\w\s]")


def _changes(base: list[str], new: list[str]) -> list[tuple[int, int, list[str]]]:
    """(start, end, replacement) in ``base`` coordinates for each change base -> new."""
    matcher = difflib.SequenceMatcher(None, base, new, autojunk=False)
    return [(i1, i2, new[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def _clash(a: tuple[int, int, list[str]], b: tuple[int, int, list[str]]) -> bool:
    """Two changes that overlap or touch (an insertion at the other's edge included)."""
    return a[0] <= b[1] and b[0] <= a[1]


def replay(example: str, edited: str, other: str) -> str | None:
    """``other`` with the change ``example`` -> ``edited`` made to it; None when that
    change does not apply cleanly (it touches tokens in which ``other`` differs)."""
    if other == example:
        return edited
    base = _TOKEN.findall(example)
    mine = _changes(base, _TOKEN.findall(edited))
    theirs = _changes(base, _TOKEN.findall(other))
    if any(_clash(a, b) for a in mine for b in theirs):
        return None
    out: list[str] = []
    cursor = 0
    for start, end, replacement in sorted(mine + theirs, key=lambda c: (c[0], c[1])):
        out += base[cursor:start]
        out += replacement
        cursor = end
    out += base[cursor:]
    return "".join(out)
