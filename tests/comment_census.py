"""The comments of a Python file as a multiset, with the moved names normalised, so that a
rewrite can be checked to have lost (or invented) none."""
from __future__ import annotations

import re
from collections import Counter

from phasemod import syntax


def comments(text: str) -> list[str]:
    """Every comment of the module, in order (comments live in the prefixes of tokens)."""
    tree = syntax.parse(text)
    found = []
    for leaf in tree.leaves():
        for line in leaf.prefix.split("\n"):
            if "#" in line:
                found.append(line[line.index("#"):].rstrip())
    return found


def normaliser(moves: list[tuple[str, str]]):
    """A function that writes every old and new dotted path and name of ``moves`` the same way:
    a comment renamed with the symbol is the same comment."""
    patterns = []
    for old, new in moves:
        for full in (old, new):
            patterns.append(re.compile(r"(?<![\w.])" + re.escape(full) + r"(?!\w)"))
        for full in (old, new):
            patterns.append(re.compile(r"(?<![\w.])" + re.escape(full.rpartition(".")[0]) + r"(?!\w)"))
        for full in (old, new):
            patterns.append(re.compile(r"(?<![\w])" + re.escape(full.rpartition(".")[2]) + r"(?!\w)"))

    def normalise(comment: str) -> str:
        for pattern in patterns:
            comment = pattern.sub("<moved>", comment)
        return comment
    return normalise


def census(text: str, moves: list[tuple[str, str]]) -> Counter:
    normalise = normaliser(moves)
    return Counter(normalise(c) for c in comments(text))
