"""Which hunks a review (or a plan) looks at: `--filter-kind KIND` and `--filter-path
GLOB`, and the reference kinds each hunk touches.

A hunk's kinds are those the review header shows (phasemod/hunkinfo.py ``kinds_of``):
the kinds (phasemod/model.py ``Kind``) of the references the phase's surveys find on the
lines the hunk replaces, in the file as the engine read it; a hunk that only inserts
lines counts as an import when it inserts an import statement.
Read-only: it parses a file's original bytes, never the disk, never prompts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from phasemod.errors import UsageError
from phasemod.manifest import Phase
from phasemod.model import FileOutcome, Hunk, Kind, Reference

KIND_NAMES = tuple(k.value for k in Kind)


@dataclass(frozen=True)
class HunkFilter:
    """``--filter-kind`` (any of ``kinds``) and ``--filter-path`` (any of ``paths``); both
    must hold when both are given. Empty: every hunk passes."""

    kinds: frozenset[Kind] = frozenset()
    paths: tuple[str, ...] = ()

    @classmethod
    def parse(cls, kinds: Iterable[str] = (), paths: Iterable[str] = ()) -> "HunkFilter":
        """From the command line; an unknown kind or a bad glob is a usage error."""
        from phasemod.select import glob_problem

        chosen = set()
        for name in kinds:
            if name.lower() not in KIND_NAMES:
                raise UsageError(f"--filter-kind {name!r}: unknown kind; use one of {', '.join(KIND_NAMES)}")
            chosen.add(Kind(name.lower()))
        for glob in paths:
            problem = glob_problem(glob)
            if problem:
                raise UsageError(f"--filter-path {glob!r}: {problem}")
        return cls(frozenset(chosen), tuple(paths))

    def __bool__(self) -> bool:
        return bool(self.kinds or self.paths)

    def path_ok(self, path: str) -> bool:
        from phasemod.select import matches

        return not self.paths or matches(path, self.paths)

    def reference_ok(self, ref: Reference) -> bool:
        return self.path_ok(ref.path) and (not self.kinds or ref.kind in self.kinds)

    def describe(self) -> str:
        parts = []
        if self.kinds:
            parts.append("kind " + ", ".join(k.value for k in Kind if k in self.kinds))
        if self.paths:
            parts.append("path " + ", ".join(self.paths))
        return "; ".join(parts)


@dataclass
class HunkKinds:
    """The reference kinds of each hunk of a phase, one survey per file, on demand."""

    repo: Path
    phase: Phase
    _by_path: dict[str, dict[int, frozenset[Kind]]] = field(default_factory=dict)

    def of_file(self, outcome: FileOutcome) -> dict[int, frozenset[Kind]]:
        """Hunk index -> its kinds."""
        found = self._by_path.get(outcome.path)
        if found is None:
            found = self._by_path[outcome.path] = _file_kinds(self.repo, self.phase, outcome)
        return found

    def of(self, outcome: FileOutcome, hunk: Hunk) -> frozenset[Kind]:
        return self.of_file(outcome).get(hunk.index, frozenset())

    def selected(self, only: HunkFilter, outcome: FileOutcome) -> set[int]:
        """The indices of the file's hunks that ``only`` lets through."""
        if not only.path_ok(outcome.path):
            return set()
        if not only.kinds:
            return {h.index for h in outcome.hunks}
        kinds = self.of_file(outcome)
        return {h.index for h in outcome.hunks if kinds.get(h.index, frozenset()) & only.kinds}


def _file_kinds(repo: Path, phase: Phase, outcome: FileOutcome) -> dict[int, frozenset[Kind]]:
    from phasemod.hunkinfo import kinds_of   # the kinds the review header shows

    return {index: frozenset(Kind(k) for k in kinds) for index, kinds in kinds_of(repo, phase, outcome).items()}


def kind_names(kinds: Iterable[Kind]) -> list[str]:
    """In the order of ``Kind`` (import, instantiation, ... docs)."""
    have = set(kinds)
    return [k.value for k in Kind if k in have]
