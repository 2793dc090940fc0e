"""Choose a phase's files: gitignore-style globs over the repo, then a byte prefilter.

Never returns a path outside the repo, never follows a symlink, never decodes a file.
"""
from __future__ import annotations

import os
import re
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from phasemod.errors import SelectionError

# Directories no migration should descend into.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".phasemod", "__pycache__", ".tox", ".nox", ".venv", "venv",
                          "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs"})


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """gitignore-style: `**` spans directories, `*`/`?` stay within one; a pattern
    without a slash matches a file name at any depth; a trailing `/` means a directory."""
    check_glob(pattern)
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/") if anchored else pattern.rstrip("/")
    directory = pattern.endswith("/")
    out, i = [], 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif body.startswith("/**", i) and i + 3 == len(body):
            out.append("(?:/.*)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "[":
            end = body.find("]", i + 1)
            if end < 0:
                out.append(re.escape(body[i]))
                i += 1
            else:
                out.append("[" + body[i + 1:end].replace("!", "^", 1) + "]")
                i = end + 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    suffix = "/.*" if directory else "(?:/.*)?"
    return re.compile(prefix + "".join(out) + suffix + r"\Z", re.S)


def check_glob(pattern: str) -> None:
    problem = glob_problem(pattern)
    if problem:
        raise SelectionError(f"glob {pattern!r}: {problem}")


def glob_problem(pattern: str) -> str:
    """Why ``pattern`` may not be used ('' when it is fine)."""
    if not pattern or not pattern.strip():
        return "empty pattern; write a path relative to the repository root"
    if any(c in pattern for c in "\0\n\r"):
        return "contains a NUL or newline character"
    if pattern.startswith("/") or re.match(r"^[A-Za-z]:", pattern) or "\\" in pattern:
        return "absolute or Windows-style path; write a path relative to the repository root with /"
    if ".." in pattern.split("/"):
        return "'..' would leave the repository; write a path inside it"
    return ""


def repo_files(repo: Path) -> list[str]:
    """Every regular file under ``repo`` (repo-relative POSIX paths, sorted), symlinks excluded."""
    out: list[str] = []
    root = str(repo)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                continue
            out.append(name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/"))
    out.sort()
    return out


def matches(path: str, include: Iterable[str], exclude: Iterable[str] = ()) -> bool:
    return any(compile_glob(g).match(path) for g in include) and not any(compile_glob(g).match(path) for g in exclude)


def select(all_files: Sequence[str], include: Sequence[str], exclude: Sequence[str] = ()) -> list[str]:
    inc = [compile_glob(g) for g in include]
    exc = [compile_glob(g) for g in exclude]
    return [p for p in all_files if any(r.match(p) for r in inc) and not any(r.match(p) for r in exc)]


def shard_of(path: str, count: int) -> int:
    """Stable shard number (0-based) of ``path``: the same on every machine and run."""
    return zlib.crc32(path.encode("utf-8")) % count


def in_shard(path: str, shard: tuple[int, int] | None) -> bool:
    if shard is None:
        return True
    k, n = shard
    return shard_of(path, n) == k - 1


# An identifier character: a name inside a longer identifier (``UserOld``, ``OldFactory``,
# ``user_old_mod``) is not a reference to ``Old``/``old_mod``.  Bytes >= 0x80 count as a
# boundary, which errs on the side of parsing a file.
_WORD = rb"[A-Za-z0-9_]"


@lru_cache(maxsize=256)
def needle_pattern(needles: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """A bytes regex for whole-name occurrences of any of ``needles``."""
    alternatives = b"|".join(re.escape(n) for n in sorted(set(needles), key=len, reverse=True))
    return re.compile(rb"(?<!" + _WORD + rb")(?:" + alternatives + rb")(?!" + _WORD + rb")")


def names_in(data: bytes, needles: Sequence[bytes]) -> bool:
    """Whether ``data`` names any of ``needles`` as a whole name (the byte prefilter).

    The plain substring test runs first: it is several times faster than the regex and
    rejects almost every file that does not match."""
    if not any(n in data for n in needles):
        return False
    return needle_pattern(tuple(needles)).search(data) is not None


def contains_any(path: Path, needles: Sequence[bytes]) -> tuple[bool, bytes]:
    """(hit, data): whether the file's bytes name any needle; data is returned to avoid a re-read."""
    with open(path, "rb") as fh:
        data = fh.read()
    return names_in(data, needles), data
