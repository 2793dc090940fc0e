"""gitignore-style globs matched in time linear in the path: a pattern becomes a small
automaton simulated one character at a time (no backtracking), its states cached as a DFA.

Never uses a backtracking regex on a path: a glob and a file name both come from the
repository, and together they must not be able to stall a run.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_PATTERN = 4096
_CACHE_LIMIT = 20_000   # DFA transitions kept per glob; cleared (not grown) beyond

# Steps of a compiled glob. ``one``: one character out of a set; ``star``: any run of
# characters (``slash``: may cross "/"); ``segs``: zero or more whole "name/" segments
# (``**/``); ``prefix``: nothing or anything ending in "/" (an unanchored pattern);
# ``under``: nothing or "/" and anything (a match names a directory's whole content).


@dataclass(frozen=True)
class _One:
    chars: frozenset[str] = frozenset()
    ranges: tuple[tuple[str, str], ...] = ()
    negate: bool = False
    any: bool = False

    def accepts(self, c: str) -> bool:
        if c == "/":
            return False
        if self.any:
            return True
        hit = c in self.chars or any(lo <= c <= hi for lo, hi in self.ranges)
        return hit != self.negate


class GlobError(ValueError):
    """A glob that cannot be read (an empty or reversed character class, too long)."""


def _class(body: str, i: int) -> tuple[_One, int]:
    """The class starting at ``body[i] == '['``; returns it and the index after ``]``."""
    j = i + 1
    negate = j < len(body) and body[j] in "!^"
    if negate:
        j += 1
    end = body.find("]", j)
    if end < 0:
        return _One(frozenset("[")), i + 1    # a lone '[' is a literal, as in git
    spec = body[j:end]
    if not spec:
        raise GlobError("empty character class '[]'; write '[[]' for a literal '['")
    chars, ranges, k = set(), [], 0
    while k < len(spec):
        if k + 2 < len(spec) and spec[k + 1] == "-":
            lo, hi = spec[k], spec[k + 2]
            if lo > hi:
                raise GlobError(f"reversed range '{lo}-{hi}' in a character class; write '{hi}-{lo}'")
            ranges.append((lo, hi))
            k += 3
        else:
            chars.add(spec[k])
            k += 1
    return _One(frozenset(chars), tuple(ranges), negate), end + 1


def _steps(pattern: str) -> tuple:
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/") if anchored else pattern.rstrip("/")
    steps: list = [] if anchored else ["prefix"]
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            steps.append("segs")
            i += 3
        elif body.startswith("/**", i) and i + 3 == len(body):
            steps.append("under")
            i += 3
        elif body.startswith("**", i):
            steps.append("star/")
            i += 2
        elif body[i] == "*":
            steps.append("star")
            i += 1
        elif body[i] == "?":
            steps.append(_One(any=True))
            i += 1
        elif body[i] == "[":
            one, i = _class(body, i)
            steps.append(one)
        else:
            steps.append(body[i])
            i += 1
    if pattern.endswith("/"):
        steps += ["/", "star/"]
    elif not steps or steps[-1] != "under":
        steps.append("under")
    return tuple(steps)


class Glob:
    """``Glob(pattern).match(path)``: whether a repo-relative POSIX path matches.

    States are numbered sets of automaton positions; each number's moves are filled in
    as characters arrive (a lazy DFA), and the state after each directory is remembered,
    so a sorted walk pays for a directory name once."""

    def __init__(self, pattern: str) -> None:
        if len(pattern) > MAX_PATTERN:
            raise GlobError(f"longer than {MAX_PATTERN} characters")
        self.pattern = pattern
        self.steps = _steps(pattern)
        self._ids: dict[frozenset, int] = {}
        self._sets: list[frozenset] = []
        self._moves: list[dict[str, int]] = []
        self._dirs: dict[str, int] = {}
        self._reset()

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"

    def _id(self, states: frozenset) -> int:
        found = self._ids.get(states)
        if found is None:
            found = self._ids[states] = len(self._sets)
            self._sets.append(states)
            self._moves.append({})
        return found

    def _close(self, states: set[tuple[int, int]]) -> frozenset:
        """Add every state reachable without reading a character."""
        todo, seen = list(states), set(states)
        while todo:
            i, sub = todo.pop()
            if i < len(self.steps) and self.steps[i] in ("star", "star/", "segs", "prefix", "under"):
                if sub == 0 or self.steps[i] == "under":
                    nxt = (i + 1, 0)
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
        return frozenset(seen)

    def _step(self, states: frozenset, c: str) -> frozenset:
        out: set[tuple[int, int]] = set()
        for i, sub in states:
            if i >= len(self.steps):
                continue
            step = self.steps[i]
            if isinstance(step, str) and len(step) == 1:
                if c == step:
                    out.add((i + 1, 0))
            elif isinstance(step, _One):
                if step.accepts(c):
                    out.add((i + 1, 0))
            elif step == "star":
                if c != "/":
                    out.add((i, 0))
            elif step == "star/":
                out.add((i, 0))
            elif step == "segs":           # (name/)*: sub 1 = inside a name
                if c != "/":
                    out.add((i, 1))
                elif sub == 1:
                    out.add((i, 0))
            elif step == "prefix":         # (.*/)?
                out.add((i, 1))
                if c == "/":
                    out.add((i + 1, 0))
            elif step == "under":          # (/.*)?
                if sub == 1 or c == "/":
                    out.add((i, 1))
        return self._close(out)

    def _run(self, state: int, text: str) -> int:
        moves, dead = self._moves, self._dead
        for k, c in enumerate(text):
            nxt = moves[state].get(c)
            if nxt is None:
                if len(self._sets) > _CACHE_LIMIT:   # a pathological glob: go on uncached
                    states = self._sets[state]
                    for c2 in text[k:]:
                        states = self._step(states, c2)
                    return self._id(states)
                nxt = moves[state][c] = self._id(self._step(self._sets[state], c))
            if nxt == dead:
                return dead
            state = nxt
        return state

    def _reset(self) -> None:
        self._ids, self._sets, self._moves, self._dirs = {}, [], [], {}
        self._dead = self._id(frozenset())
        self._start = self._id(self._close({(0, 0)}))

    def match(self, path: str) -> bool:
        if len(self._sets) > 2 * _CACHE_LIMIT:
            self._reset()
        head, _, name = path.rpartition("/")
        state = self._start
        if head:
            found = self._dirs.get(head)
            if found is None:
                if len(self._dirs) > _CACHE_LIMIT:
                    self._dirs.clear()
                found = self._run(self._start, head + "/")
                self._dirs[head] = found
            state = found
        state = self._run(state, name)
        return (len(self.steps), 0) in self._sets[state]
