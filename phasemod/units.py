"""Hunks that are one logical edit are offered as one: a multi-line import statement the
rewrite changed on several lines, with the import line inserted right after it (the
moved name's new import), since any partial choice among them breaks the file.

Pure text: it regroups hunks of one file; it never decides or writes.
"""
from __future__ import annotations

import re
from typing import Sequence

from phasemod.hunks import CONTEXT, split_lines
from phasemod.model import Hunk

_PAREN_IMPORT = re.compile(r"[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]*\(")
_IMPORT = re.compile(r"[ \t]*(?:from|import)[ \t]")


def import_spans(lines: Sequence[str]) -> list[tuple[int, int]]:
    """0-based first and last line of each import statement written over several lines."""
    spans = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _PAREN_IMPORT.match(line)
        if match and ")" not in _code(line)[match.end():]:
            j = i + 1
            while j < len(lines) and ")" not in _code(lines[j]):
                j += 1
            spans.append((i, min(j, len(lines) - 1)))
            i = j + 1
            continue
        if _IMPORT.match(line) and _code(line).rstrip().endswith("\\"):
            j = i
            while j < len(lines) and _code(lines[j]).rstrip().endswith("\\"):
                j += 1
            spans.append((i, min(j, len(lines) - 1)))
            i = j + 1
            continue
        i += 1
    return spans


def _code(line: str) -> str:
    return line.split("#", 1)[0]


def join_statements(old: str, hunks: Sequence[Hunk]) -> tuple[Hunk, ...]:
    """``hunks`` with those touching one multi-line import statement (or inserted right
    after it) merged into one hunk; the rest unchanged, renumbered in order."""
    if len(hunks) < 2:
        return tuple(hunks)
    lines = split_lines(old)
    spans = import_spans(lines)
    if not spans:
        return tuple(hunks)
    groups: list[tuple[tuple[int, int] | None, list[Hunk]]] = []
    for hunk in sorted(hunks, key=lambda h: (h.start, h.index)):
        a, b = hunk.start - 1, hunk.start - 1 + len(hunk.before)
        span = next(((s, e) for s, e in spans if (a <= e and b > s) or (a == e + 1 and not hunk.before)), None)
        if span is not None and groups and groups[-1][0] == span:
            groups[-1][1].append(hunk)
        else:
            groups.append((span, [hunk]))
    if len(groups) == len(hunks):
        return tuple(hunks)
    out: list[Hunk] = []
    seen: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    for _, group in groups:
        merged = group[0] if len(group) == 1 else _merge(lines, group)
        key = (merged.before, merged.after)
        ordinal = seen.get(key, 0)
        seen[key] = ordinal + 1
        out.append(Hunk(merged.path, len(out), merged.start, merged.before, merged.after, merged.recipes,
                        merged.context_before, merged.context_after, ordinal))
    return tuple(out)


def _merge(lines: list[str], group: Sequence[Hunk]) -> Hunk:
    a0 = group[0].start - 1
    b0 = max(h.start - 1 + len(h.before) for h in group)
    after: list[str] = []
    cursor = a0
    for hunk in group:
        a = hunk.start - 1
        after.extend(lines[cursor:a])
        after.extend(hunk.after)
        cursor = max(cursor, a + len(hunk.before))
    after.extend(lines[cursor:b0])
    recipes = tuple(dict.fromkeys(r for h in group for r in h.recipes))
    return Hunk(group[0].path, 0, a0 + 1, tuple(lines[a0:b0]), tuple(after), recipes,
                tuple(lines[max(0, a0 - CONTEXT):a0]), tuple(lines[b0:b0 + CONTEXT]))
