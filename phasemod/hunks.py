"""Split a rewrite into hunks, render them as unified diffs, rebuild a file from decisions.

Pure text functions: they never touch disk and never decide which hunk to keep.
"""
from __future__ import annotations

import dataclasses
import difflib
from typing import Iterable, Sequence

from phasemod.display import escape
from phasemod.model import Hunk

CONTEXT = 3
# Similarity (difflib ratio) above which a changed line counts as edited in place.
SAME_LINE = 0.5
# Changed-region size (lines) above which the line diff uses difflib's autojunk.
LARGE_DIFF = 2000


def split_lines(text: str) -> list[str]:
    """Lines with their endings; `\\r\\n`, `\\n` and lone `\\r` all end a line."""
    return text.splitlines(keepends=True)


def edited(hunk: Hunk, text: str) -> Hunk:
    """The hunk with ``text`` (a reviewer's edit) as its new lines; the rest stays."""
    return dataclasses.replace(hunk, after=tuple(split_lines(text)))


def make_hunks(path: str, old: str, new: str, recipes: tuple[str, ...] = ()) -> tuple[Hunk, ...]:
    """One hunk per contiguous run of changed lines (no context merging: a reviewer
    decides each change on its own)."""
    a, b = split_lines(old), split_lines(new)
    hunks = []
    seen: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag == "equal":
            continue
        for i1, i2, j1, j2 in _line_by_line(a, b, i1, i2, j1, j2):
            before, after = tuple(a[i1:i2]), tuple(b[j1:j2])
            ordinal = seen.get((before, after), 0)
            seen[(before, after)] = ordinal + 1
            hunks.append(Hunk(path, len(hunks), i1 + 1, before, after, recipes,
                              tuple(a[max(0, i1 - CONTEXT):i1]), tuple(a[i2:i2 + CONTEXT]), ordinal))
    return tuple(hunks)


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for the lines between the common head and tail. Without
    autojunk difflib is quadratic in repeated lines (a generated file can hold 100,000
    identical ones), so a large middle is diffed with autojunk on: still exact, coarser."""
    head, limit = 0, min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=len(mid_b) > LARGE_DIFF)
    return [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]


def _line_by_line(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int, int, int]]:
    """Adjacent lines each edited in place (as many lines after as before, each like its
    counterpart) are separate changes: one hunk each, so the same edit on two adjacent
    lines is decided like the same edit anywhere else. Anything else stays one hunk."""
    if i2 - i1 < 2 or i2 - i1 != j2 - j1:
        return [(i1, i2, j1, j2)]
    for k in range(i2 - i1):
        if difflib.SequenceMatcher(None, a[i1 + k], b[j1 + k], autojunk=False).ratio() < SAME_LINE:
            return [(i1, i2, j1, j2)]
    return [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]


def rebuild(old: str, hunks: Sequence[Hunk], accepted: Iterable[int]) -> str:
    """``old`` with the accepted hunks (by index) applied and the others left out."""
    keep = set(accepted)
    lines = split_lines(old)
    out: list[str] = []
    cursor = 0
    for hunk in sorted(hunks, key=lambda h: h.start):
        start = hunk.start - 1
        out.extend(lines[cursor:start])
        out.extend(hunk.after if hunk.index in keep else hunk.before)
        cursor = start + len(hunk.before)
    out.extend(lines[cursor:])
    return "".join(out)


def unified(hunk: Hunk) -> list[str]:
    """The hunk as unified-diff lines (without file headers), endings stripped."""
    before_start = hunk.start - len(hunk.context_before)
    old_len = len(hunk.context_before) + len(hunk.before) + len(hunk.context_after)
    new_len = len(hunk.context_before) + len(hunk.after) + len(hunk.context_after)
    out = [f"@@ -{before_start},{old_len} +{before_start},{new_len} @@"]
    out += [" " + _strip(line) for line in hunk.context_before]
    out += ["-" + _strip(line) for line in hunk.before]
    out += ["+" + _strip(line) for line in hunk.after]
    out += [" " + _strip(line) for line in hunk.context_after]
    return out


def file_diff(path: str, old: str, new: str) -> str:
    """A complete unified diff of one file (for --dry-run)."""
    shown = escape(path)   # a header stays one line whatever the file name holds
    lines = difflib.unified_diff(split_lines(old), split_lines(new), f"a/{shown}", f"b/{shown}", n=CONTEXT)
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _strip(line: str) -> str:
    return line.rstrip("\r\n")
