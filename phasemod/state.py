"""The one owner of ``<repo>/.phasemod``: where it is, whether it can be trusted, and every
file phasemod keeps there (journal, lock, caches, baseline, conflict copies, clone id).

Never follows a link, never trusts a directory git tracks or phasemod did not create in
this place, never reads a file larger than asked, and never deserialises anything but JSON.
"""
from __future__ import annotations

import errno
import json
import os
import re
import secrets
import stat
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from phasemod.errors import EngineError

STATE_DIR = ".phasemod"
CLONE_FILE = "clone.json"
JOURNAL_NAME = "journal.sqlite3"
LOCK_NAME = "lock"
BASELINE_NAME = "baseline.json"
CONFLICTS_DIR = "conflicts"
IGNORE_NAME = ".gitignore"
_TEMP_SUFFIX = ".tmp"

# Every name phasemod itself makes here; anything else means someone else put it there.
_KNOWN = re.compile(r"\A(?:\.gitignore|clone\.json|lock|baseline\.json|safety\.json|journal\.sqlite3(?:-wal|-shm|-journal)?"
                    r"|(?:scan|history|answer|proposals)-[0-9a-f]{16}\.json|\.[A-Za-z0-9_.-]{1,80}\.[0-9a-f]{16}\.tmp)\Z")
# Left by a killed phasemod before it wrote its clone id; harmless to adopt.
_ADOPTABLE = frozenset({IGNORE_NAME, LOCK_NAME})
_TEMP = re.compile(r"\A\.[A-Za-z0-9_.-]{1,80}\.[0-9a-f]{16}\.tmp\Z")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_git_checked: set[tuple[str, int, int]] = set()


class UntrustedState(EngineError):
    """``.phasemod`` is not phasemod's own: committed, copied, a link, or holding foreign files."""


def location(repo: Path) -> Path:
    return Path(repo) / STATE_DIR


def _refuse(path: Path, why: str) -> UntrustedState:
    return UntrustedState(f"{path}: {why}; phasemod trusts only a .phasemod it created in this clone. Move it "
                          f"aside (`mv {STATE_DIR} {STATE_DIR}.untrusted`) and run again")


def _tracked_by_git(repo: Path) -> bool:
    try:
        result = subprocess.run(["git", "ls-files", "-z", "--", STATE_DIR], cwd=repo, capture_output=True,
                                timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and bool(result.stdout.strip(b"\0"))


def _check_entries(path: Path, dir_stat: os.stat_result) -> set[str]:
    """The names in the directory, each checked: a known name, our own, no link, one link count."""
    names = set()
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:   # a temp file another phasemod just renamed
                continue
            where = path / entry.name
            if stat.S_ISLNK(st.st_mode):
                raise _refuse(where, "is a symbolic link")
            if entry.name == CONFLICTS_DIR and stat.S_ISDIR(st.st_mode):
                pass
            elif not _KNOWN.match(entry.name):
                raise _refuse(where, "was not created by phasemod")
            elif not stat.S_ISREG(st.st_mode):
                raise _refuse(where, "is not a regular file")
            elif st.st_nlink != 1 and entry.name.startswith((JOURNAL_NAME, LOCK_NAME)):
                raise _refuse(where, "has other hard links")   # written in place: it must be ours alone
            if st.st_uid != dir_stat.st_uid or st.st_uid != os.geteuid():
                raise _refuse(where, "belongs to another user")
            names.add(entry.name)
    return names


def _dir_stat(path: Path) -> os.stat_result | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UntrustedState(f"{path}: cannot be read ({exc.strerror}); check its permissions") from exc
    if stat.S_ISLNK(st.st_mode):
        raise _refuse(path, "is a symbolic link")
    if not stat.S_ISDIR(st.st_mode):
        raise _refuse(path, "is not a directory")
    if st.st_uid != os.geteuid():
        raise _refuse(path, "belongs to another user")
    return st


def state_dir(repo: Path, create: bool = True) -> Path | None:
    """The checked ``<repo>/.phasemod`` (made, private, on demand), or None when it does
    not exist and ``create`` is false. Raises ``UntrustedState`` when it cannot be trusted."""
    path = location(repo)
    st = _dir_stat(path)
    if st is None:
        if not create:
            return None
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise EngineError(f"{path}: cannot be created ({exc.strerror}); check the repository's permissions") \
                from exc
        st = _dir_stat(path)
        assert st is not None
    key = (str(path), st.st_dev, st.st_ino)
    if key not in _git_checked:
        if _tracked_by_git(Path(repo)):
            raise UntrustedState(f"{path}: is tracked by git, so its contents came from the repository, not from "
                                 f"phasemod; untrack it (`git rm -r --cached {STATE_DIR}`, commit), move it aside "
                                 f"(`mv {STATE_DIR} {STATE_DIR}.untrusted`) and run again")
        _git_checked.add(key)
    names = _check_entries(path, st)
    if CLONE_FILE not in names:
        # Another phasemod starting at the same instant may be adopting it too: its temp
        # files are expected, and the first clone id written wins (made with link()).
        foreign = {n for n in names - _ADOPTABLE if not _TEMP.match(n)}
        if foreign:
            raise _refuse(path / sorted(foreign)[0], f"was not created by phasemod in this clone (no {CLONE_FILE} "
                                                     "beside it)")
        _write(path, IGNORE_NAME, b"*\n")
        record = {"schema": 1, "id": secrets.token_hex(16), "dir": [st.st_dev, st.st_ino]}
        _write(path, CLONE_FILE, json.dumps(record).encode(), replace=False)
    _read_clone(path, st)
    return path


def _read_clone(path: Path, st: os.stat_result) -> str:
    data = _read(path, CLONE_FILE, 4096)
    try:
        record = json.loads(data or b"")
        ok = (isinstance(record, dict) and record.get("schema") == 1 and isinstance(record.get("id"), str)
              and re.fullmatch(r"[0-9a-f]{32}", record["id"]) is not None and record.get("dir") == [st.st_dev, st.st_ino])
    except ValueError:
        ok = False
    if not ok:
        raise _refuse(path, "was not created here (copied, restored or committed)")
    return record["id"]


def clone_id(repo: Path) -> str:
    """This clone's random id (recorded in its journal)."""
    path = state_dir(repo)
    assert path is not None
    return _read_clone(path, os.lstat(path))


@contextmanager
def _dir_fd(path: Path) -> Iterator[int]:
    fd = os.open(path, _DIR_FLAGS)
    try:
        yield fd
    finally:
        os.close(fd)


def _read(path: Path, name: str, limit: int) -> bytes | None:
    try:
        with _dir_fd(path) as dfd:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dfd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse(path / name, "is a symbolic link") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            raise _refuse(path / name, "is not a regular file of this user")
        if st.st_size > limit:
            return None
        return handle.read(limit + 1)[:limit]


def _write(path: Path, name: str, data: bytes, replace: bool = True) -> None:
    """Atomically (temp file made with O_EXCL | O_NOFOLLOW, private, then renamed over;
    with ``replace`` off, linked into place only when ``name`` does not exist yet)."""
    with _dir_fd(path) as dfd:
        temp = f".{name[:80]}.{secrets.token_hex(8)}{_TEMP_SUFFIX}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dfd)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if replace:
                os.replace(temp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
            else:
                try:
                    os.link(temp, name, src_dir_fd=dfd, dst_dir_fd=dfd, follow_symlinks=False)
                except FileExistsError:
                    pass
                os.unlink(temp, dir_fd=dfd)
        except BaseException:
            try:
                os.unlink(temp, dir_fd=dfd)
            except OSError:
                pass
            raise


def read_file(repo: Path, name: str, limit: int = 1 << 30) -> bytes | None:
    """The bytes of a state file (None: no state, no such file, or larger than ``limit``)."""
    path = state_dir(repo, create=False)
    return None if path is None else _read(path, name, limit)


def write_file(repo: Path, name: str, data: bytes, create: bool = False) -> bool:
    """Replace a state file; False when there is no state directory and ``create`` is off."""
    if not _KNOWN.match(name):
        raise ValueError(f"not a state file name: {name}")
    path = state_dir(repo, create=create)
    if path is None:
        return False
    _write(path, name, data)
    return True


def cache_name(kind: str, key: str) -> str:
    return f"{kind}-{key}.json"


def journal_path(repo: Path, create: bool) -> Path | None:
    """The journal's path; with ``create`` an empty private file is made (O_EXCL |
    O_NOFOLLOW) when there is none, so SQLite never creates it through a link."""
    path = state_dir(repo, create=create)
    if path is None:
        return None
    journal = path / JOURNAL_NAME
    if create:
        with _dir_fd(path) as dfd:
            try:
                os.close(os.open(JOURNAL_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                                 0o600, dir_fd=dfd))
            except FileExistsError:
                pass
    elif not journal.is_file():
        return None
    return journal


def lock_path(repo: Path) -> Path:
    path = state_dir(repo)
    assert path is not None
    return path / LOCK_NAME


def keep_conflict(repo: Path, rollback_id: int, rel: str, data: bytes) -> str:
    """Save the user's bytes of a forced-over file as
    ``.phasemod/conflicts/rollback-<id>/<quoted path>``; returns that repo-relative path."""
    path = state_dir(repo)
    assert path is not None
    parts = [CONFLICTS_DIR, f"rollback-{int(rollback_id)}"]
    with _dir_fd(path) as top:
        fd = os.dup(top)
        try:
            for part in parts:
                try:
                    os.mkdir(part, 0o700, dir_fd=fd)
                except FileExistsError:
                    pass
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = child
            name = quote(rel, safe="")[:240]
            out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=fd)
            with os.fdopen(out, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            os.close(fd)
    return "/".join([STATE_DIR, *parts, name])
