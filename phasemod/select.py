"""Choose a phase's files: gitignore-style globs over the repo, then a byte prefilter.

Never returns a path outside the repo, never follows a symlink, never decodes a file.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from phasemod.errors import SelectionError
from phasemod.globs import Glob, GlobError
from phasemod.state import STATE_DIR

# Directories no migration should descend into.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", STATE_DIR, "__pycache__", ".tox", ".nox", ".venv", "venv",
                          "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs"})


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> Glob:
    """gitignore-style: `**` spans directories, `*`/`?` stay within one; a pattern
    without a slash matches a file name at any depth; a trailing `/` means a directory.
    Matched in time linear in the path (phasemod/globs.py)."""
    check_glob(pattern)
    return Glob(pattern)


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
    try:
        Glob(pattern)
    except GlobError as exc:
        return str(exc)
    return ""


def walk(repo: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Every regular file under ``repo`` (repo-relative POSIX paths, sorted; links not
    followed nor listed), and the problems met: (path, reason) for each directory that
    could not be listed and each FIFO, device or socket (never opened: it could block)."""
    out: list[str] = []
    problems: list[tuple[str, str]] = []
    todo = [""]
    while todo:
        rel_dir = todo.pop()
        try:
            with os.scandir(os.path.join(repo, rel_dir) if rel_dir else repo) as entries:
                listed = list(entries)
        except OSError as exc:
            problems.append((rel_dir or ".", f"cannot be listed ({exc.strerror}); its files were not searched"))
            continue
        for entry in listed:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIPPED_DIRS:
                        todo.append(rel)
                elif entry.is_file(follow_symlinks=False):
                    out.append(rel)
                else:
                    problems.append((rel, f"not a regular file ({_kind(entry)}); never read, remove it or "
                                          "exclude it"))
            except OSError as exc:
                problems.append((rel, f"cannot be examined ({exc.strerror})"))
    out.sort()
    problems.sort()
    return out, problems


def _kind(entry: os.DirEntry) -> str:
    mode = entry.stat(follow_symlinks=False).st_mode
    return ("FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else
            "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file")


def repo_files(repo: Path) -> list[str]:
    """Every regular file under ``repo`` (see ``walk``)."""
    return walk(repo)[0]


# Bytes read from one repository file at most (enough for the byte prefilter of any
# real source file), and bytes parsed at most (``--max-file-size``): a syntax tree costs
# about 300 bytes of memory per byte of source.
MAX_FILE_BYTES = 256 << 20
MAX_PARSE_BYTES = 16 << 20


def too_large(data: bytes) -> str:
    """Why a file that names an old symbol is not parsed ('' when it may be)."""
    if len(data) <= MAX_PARSE_BYTES:
        return ""
    return (f"{len(data) / (1 << 20):.1f} MiB, larger than the {MAX_PARSE_BYTES >> 20} MiB parse limit; "
            "not migrated, pass --max-file-size to raise the limit")


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of a regular file, opened without blocking and without following a final
    link; anything else (FIFO, device, socket, too large) raises an OSError saying why."""
    limit = MAX_FILE_BYTES if limit is None else limit
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file; never read, remove it or exclude it")
        data = handle.read(limit + 1) if st.st_size <= limit else b""
        if st.st_size > limit or len(data) > limit:
            raise OSError(errno.EFBIG, f"larger than {limit >> 20} MiB; phasemod never reads a file that large")
        return data


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
    if any(n in data for n in needles) and needle_pattern(tuple(needles)).search(data) is not None:
        return True
    if data.isascii():
        return False
    # Python binds identifiers by their NFKC form: `\uff2fld` is `Old`. Only a file with
    # non-ASCII bytes pays for normalising.
    normal = unicodedata.normalize("NFKC", data.decode("utf-8", "replace")).encode("utf-8")
    return normal != data and any(n in normal for n in needles) and \
        needle_pattern(tuple(needles)).search(normal) is not None


def contains_any(path: Path, needles: Sequence[bytes]) -> tuple[bool, bytes]:
    """(hit, data): whether the file's bytes name any needle; data is returned to avoid a re-read."""
    data = read_regular(path)
    return names_in(data, needles), data
