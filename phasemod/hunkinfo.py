"""What a review header says about a hunk beyond its diff: its number over the whole
phase (stable across runs), the kinds of reference it touches, and its cluster.

Never prompts, prints or writes: numbers come from the journal's earlier decisions and
the engine's outcomes; kinds from the same survey `status` counts with.
"""
from __future__ import annotations

import bisect
import hashlib
from pathlib import Path
from typing import Mapping, Sequence

from phasemod.manifest import Phase
from phasemod.model import FileOutcome, Hunk, Kind, Status

KIND_ORDER = [k.value for k in Kind]


class Numbering:
    """Hunk i/n and file i/n over the whole phase, in path order, the same in every run.

    A file written by an earlier run proposes nothing any more; its hunks (the journal's
    decided keys) still hold their numbers, so `hunk 7/11` stays 7/11 after `q` and a
    new `run -i`. ``count`` is called for each outcome as the engine yields it (the
    reader thread, ahead of the review); ``place`` when the review reaches it, in order."""

    def __init__(self, files: Sequence[str], earlier: Mapping[str, Sequence[tuple[str, int]]]) -> None:
        self.order = {p: i for i, p in enumerate(files)}
        self.earlier = {p: list(rows) for p, rows in earlier.items() if p in self.order and rows}
        self.paths = sorted(self.earlier, key=self.order.__getitem__)
        self.positions = [self.order[p] for p in self.paths]
        self.prefix = [0]
        for p in self.paths:
            self.prefix.append(self.prefix[-1] + len(self.earlier[p]))
        self.new_files = self.new_hunks = 0          # counted ahead: not known from earlier runs
        self._placed_files = self._placed_hunks = 0  # of those, placed so far

    def _new(self, outcome: FileOutcome) -> tuple[int, int]:
        known = {key for key, _ in self.earlier.get(outcome.path, ())}
        return int(outcome.path not in self.earlier), len({h.key for h in outcome.hunks} - known)

    def count(self, outcome: FileOutcome) -> None:
        if outcome.status is Status.CHANGED:
            files, hunks = self._new(outcome)
            self.new_files += files
            self.new_hunks += hunks

    @property
    def files(self) -> int:
        return len(self.paths) + self.new_files

    @property
    def hunks(self) -> int:
        return self.prefix[-1] + self.new_hunks

    def place(self, outcome: FileOutcome) -> tuple[int, list[int]]:
        """(the file's number, its hunks' numbers) for the next changed outcome in path order."""
        at = bisect.bisect_left(self.positions, self.order.get(outcome.path, len(self.order)))
        file_number = at + self._placed_files + 1
        base = self.prefix[at] + self._placed_hunks
        known = dict(self.earlier.get(outcome.path, ()))
        current = {h.key for h in outcome.hunks}
        # Hunks decided before keep their place among the file's hunks (their first index).
        slots = [(known.get(h.key, h.index), 0, n) for n, h in enumerate(outcome.hunks)]
        slots += [(index, 1, -1) for key, index in known.items() if key not in current]
        numbers = [0] * len(outcome.hunks)
        for number, (_, _, n) in enumerate(sorted(slots), base + 1):
            if n >= 0:
                numbers[n] = number
        files, hunks = self._new(outcome)
        self._placed_files += files
        self._placed_hunks += hunks
        return file_number, numbers


def kinds_of(repo: Path, phase: Phase, outcome: FileOutcome) -> dict[int, tuple[str, ...]]:
    """Hunk index -> the kinds of reference (import, instantiation, ...) on its lines, by
    the survey `status` uses; a hunk that only adds lines shows `import` when it adds one."""
    from phasemod import scan

    lines: dict[int, set[str]] = {}
    try:
        found = scan.scan_file(repo, outcome.path, scan.phase_targets(phase, outcome.path), phase.source_roots,
                               data=outcome.old_bytes)
        for ref in found.references:
            lines.setdefault(ref.line, set()).add(ref.kind.value)
    except Exception:   # noqa: BLE001 - the header is a help; a survey failure must not stop the review
        lines = {}
    out: dict[int, tuple[str, ...]] = {}
    for h in outcome.hunks:
        kinds: set[str] = set()
        for line in range(h.start, h.start + max(len(h.before), 1)):
            kinds |= lines.get(line, set())
        if not kinds and any(a.lstrip().startswith(("import ", "from ")) for a in h.after):
            kinds.add(Kind.IMPORT.value)
        out[h.index] = tuple(k for k in KIND_ORDER if k in kinds)
    return out


def cluster_id(hunk: Hunk) -> str:
    """The id `plan --clusters` and grouped review give the hunk's cluster (one token
    pass over the hunk; the rare id clash suffix of clusters.cluster is not computed)."""
    from phasemod import clusters

    return hashlib.sha1(clusters.signature(hunk).encode()).hexdigest()[:10]
