"""What a phase's globs cover: files phasemod never selects (its own manifests), include
globs that match nothing (with a did-you-mean), and a phase that selects no file.

Pure path questions over the repo's file list; never reads a file's contents.
"""
from __future__ import annotations

import dataclasses

import difflib
import re
from pathlib import Path
from typing import Sequence

from phasemod.errors import SelectionError
from phasemod.manifest import Phase
from phasemod.select import compile_glob

_WILDCARD = re.compile(r"[*?\[]")


def manifests_dir(repo: Path, phase: Phase) -> str | None:
    """The repo-relative directory holding the phase's manifest (None: outside the repo)."""
    try:
        rel = Path(phase.path).resolve().parent.relative_to(Path(repo).resolve()).as_posix()
    except (ValueError, OSError):
        return None
    return None if rel == "." else rel


def split_never_selected(repo: Path, phase: Phase, files: Sequence[str]) -> tuple[list[str], list[str]]:
    """(files a phase may select, files it never selects: the manifests directory).
    ``.phasemod/`` and ``.git/`` are never listed at all (see select.SKIPPED_DIRS)."""
    inside = manifests_dir(repo, phase)
    if inside is None:
        return list(files), []
    prefix = inside + "/"
    kept, never = [], []
    for path in files:
        (never if path.startswith(prefix) else kept).append(path)
    return kept, never


def check_includes(phase: Phase, files: Sequence[str], never: Sequence[str]) -> None:
    """Every include glob must match a file; raise naming the glob and a close path. A glob
    the phase's own recipes also name as repository paths (the files a deletion removes)
    is no typo: it matches nothing once the phase has run, and a re-run must still work."""
    own = _own_paths(phase)
    for glob in phase.files.include:
        if glob in own:
            continue
        pattern = compile_glob(glob)
        if any(pattern.match(p) for p in files) or any(pattern.match(p) for p in never):
            continue   # a glob matching only the manifests: plan lists them as excluded
        where = ""
        hint = did_you_mean(glob, files)
        hint = f"; did you mean {hint!r}" if hint else ""
        raise SelectionError(f"{phase.path}: files.include: glob {glob!r} matches no file{where}{hint}; "
                             "fix the glob or remove it")


def _own_paths(phase: Phase) -> set[str]:
    """The repository paths the phase's recipes name in their ``repo_paths`` options."""
    own: set[str] = set()
    for spec in phase.recipes:
        if not dataclasses.is_dataclass(spec.options):
            continue
        for option in dataclasses.fields(spec.options):
            if option.metadata.get("repo_paths"):
                value = getattr(spec.options, option.name)
                own.update(value if isinstance(value, (list, tuple)) else [value])
    return own


def check_not_empty(phase: Phase, selected: Sequence[str]) -> None:
    if not selected and not phase.allow_empty:
        raise SelectionError(f"{phase.path}: phase {phase.number} ({phase.name}) selects no file "
                             "(files.exclude removes every match); fix the globs, or add `allow_empty: true` "
                             "if the phase is meant to select nothing")


def did_you_mean(glob: str, files: Sequence[str]) -> str | None:
    """A close spelling of ``glob`` that matches files: the literal part before the first
    wildcard is compared with the repo's paths (or directories)."""
    wild = _WILDCARD.search(glob)
    if wild is None:
        found = difflib.get_close_matches(glob, files, n=1, cutoff=0.6)
        return found[0] if found else None
    head = glob[:wild.start()].rpartition("/")[0]
    if not head:
        return None
    dirs = sorted({p.rsplit("/", i)[0] for p in files for i in range(1, p.count("/") + 1)})
    for close in difflib.get_close_matches(head, dirs, n=3, cutoff=0.6):
        candidate = close + glob[len(head):]
        pattern = compile_glob(candidate)
        if any(pattern.match(p) for p in files):
            return candidate
    return None
