"""Atomic, permission-keeping file replacement inside a repository, and the journaled change.

Never follows a symbolic link for a write, never writes outside the repository or into
``.phasemod``, and never leaves a half-written file or (on a reported failure) a temp file.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterator

from phasemod.crashpoints import KILL_ENV, crash_point, crash_trail  # noqa: F401 (re-exported)
from phasemod.errors import EngineError
from phasemod.journal import content_hash  # noqa: F401 (re-exported)
from phasemod.state import STATE_DIR

if TYPE_CHECKING:
    from phasemod.journal import Journal

TEMP_SUFFIX = ".phasemod-tmp"

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


class UnsafeWrite(EngineError):
    """A write phasemod refuses: outside the repository, through a link, onto a non-file."""


class WriteFailed(EngineError):
    """The operating system refused to read, write or delete a file; it is left as it was."""


class FileChanged(EngineError):
    """A file no longer holds the bytes the change was computed from."""

    exit_code = 1


# --- stop requests -------------------------------------------------------------------

_critical = 0
_stop_requested = False


@contextmanager
def whole_change() -> Iterator[None]:
    """Hold off a stop asked for by SIGINT/SIGTERM (``console.stop_on_signals``) until the
    change in hand is whole: journaled, written and marked applied. Then it stops."""
    global _critical, _stop_requested
    _critical += 1
    try:
        yield
    finally:
        _critical -= 1
    if not _critical and _stop_requested:
        _stop_requested = False
        raise KeyboardInterrupt


def defer_stop() -> bool:
    """For a signal handler: True (the stop is remembered) while a change is in hand."""
    global _stop_requested
    if _critical:
        _stop_requested = True
        return True
    return False


# --- paths ------------------------------------------------------------------------------

def _parts(rel: str) -> list[str]:
    if not rel or "\0" in rel:
        raise UnsafeWrite(f"{rel!r}: not a usable file path; give a path relative to the repository root")
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts:
        raise UnsafeWrite(f"{rel}: path leaves the repository; give a path relative to the repository root")
    parts = [p for p in path.parts if p != "."]
    if not parts:
        raise UnsafeWrite(f"{rel!r}: names the repository itself, not a file")
    if parts[0] == STATE_DIR:
        raise UnsafeWrite(f"{rel}: inside phasemod's own state directory; phasemod never rewrites it")
    return parts


@contextmanager
def _parent_dir(repo: Path, rel: str, parts: list[str], create: bool) -> Iterator[int]:
    """Yield an fd of the target's directory, opened one component at a time without
    following links, so a directory swapped for a link mid-way cannot redirect the write."""
    fd = os.open(repo, _DIR_FLAGS)
    try:
        for depth, name in enumerate(parts[:-1]):
            try:
                child = os.open(name, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(name, 0o777, dir_fd=fd)
                child = os.open(name, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                where = "/".join(parts[: depth + 1])
                if stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                    raise UnsafeWrite(f"{rel}: {where} is a symbolic link; phasemod never writes through a link") from None
                raise UnsafeWrite(f"{rel}: {where} is not a directory") from None
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _target_stat(dfd: int, name: str, rel: str) -> os.stat_result | None:
    try:
        st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeWrite(f"{rel}: is a symbolic link; phasemod never writes through a link")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeWrite(f"{rel}: not a regular file; phasemod only rewrites regular files")
    return st


def default_mode() -> int:
    """The permissions a new file gets under the current umask."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no other way to read it; restored at once
    os.umask(mask)
    return 0o666 & ~mask


def _temp_name(name: str) -> str:
    # Short and recognisable, so a crash leftover can be found by ``stray_temps``.
    return f".{name[:80]}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


def stray_temps(repo: Path, rel: str) -> list[str]:
    """Temp files a killed write of ``rel`` left beside it (repo-relative paths)."""
    parts = _parts(rel)
    prefix = f".{parts[-1][:80]}."
    parent = Path(repo, *parts[:-1])
    if parent.is_symlink() or not parent.is_dir():
        return []
    found = []
    for entry in os.scandir(parent):
        tail = entry.name[len(prefix):]
        if (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)
                and len(tail) == 8 + len(TEMP_SUFFIX) and entry.is_file(follow_symlinks=False)):
            found.append(str(PurePosixPath(*parts[:-1], entry.name)))
    return sorted(found)


def missing_parents(repo: Path, rel: str) -> list[str]:
    """The directories (repo-relative, outermost first) a write of ``rel`` would create."""
    parts = _parts(rel)
    missing = [str(PurePosixPath(*parts[:i])) for i in range(1, len(parts))
               if not os.path.lexists(Path(repo, *parts[:i]))]
    return missing


def remove_empty_dirs(repo: Path, rels: list[str]) -> None:
    """Remove the given directories, innermost first, where they are empty (a rollback of
    created files); a non-empty or already missing one is left alone."""
    for rel in sorted(rels, key=lambda r: -len(PurePosixPath(r).parts)):
        parts = _parts(rel)
        try:
            with _parent_dir(repo, rel, parts, create=False) as dfd:
                os.rmdir(parts[-1], dir_fd=dfd)
                os.fsync(dfd)
        except UnsafeWrite:
            raise
        except OSError:
            pass  # not empty (the user put something there) or gone: keep as is


# --- reading, writing, deleting ----------------------------------------------------------

def read_current(repo: Path, rel: str) -> tuple[bytes, int] | None:
    """The file's bytes and permission bits, or None when it does not exist."""
    parts = _parts(rel)
    try:
        with _parent_dir(repo, rel, parts, create=False) as dfd:
            if _target_stat(dfd, parts[-1], rel) is None:
                return None
            fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dfd)
            with os.fdopen(fd, "rb") as handle:
                return handle.read(), stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteFailed(f"{rel}: cannot be read ({exc.strerror}); check its permissions") from exc


def _write_fully(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]


def write_atomic(repo: Path, rel: str, data: bytes, mode: int | None = None) -> None:
    """Replace ``repo/rel`` with ``data`` in one step: a temp file in the same directory,
    fsync, ``os.replace``, fsync of the directory. Permissions are the replaced file's,
    or ``mode`` when given (a restored or re-created file); missing directories are made."""
    parts = _parts(rel)
    name = parts[-1]
    try:
        with _parent_dir(repo, rel, parts, create=True) as dfd:
            old = _target_stat(dfd, name, rel)
            if mode is None:
                mode = stat.S_IMODE(old.st_mode) if old else default_mode()
            temp = _temp_name(name)
            # 0o600 (less the umask) while the new bytes are being written: never
            # readable or writable by others before the final mode is set.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                         0o600, dir_fd=dfd)
            try:
                try:
                    view = memoryview(data)
                    _write_fully(fd, view[: len(view) // 2])
                    crash_point("temp-partial")
                    _write_fully(fd, view[len(view) // 2:])
                    if old and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
                        try:  # keep ownership where we may (running as root)
                            os.fchown(fd, old.st_uid, old.st_gid)
                        except PermissionError:
                            pass
                    os.fchmod(fd, mode)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                crash_point("temp-synced")
                os.replace(temp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
            except BaseException:
                try:
                    os.unlink(temp, dir_fd=dfd)
                except OSError:
                    pass
                raise
            try:
                os.fsync(dfd)
            except OSError as exc:
                raise WriteFailed(f"{rel}: rewritten, but its directory could not be synced ({exc.strerror}); "
                                  "the change may not survive a power loss") from exc
            crash_point("replaced")
    except OSError as exc:
        raise WriteFailed(f"{rel}: cannot be written ({exc.strerror}); the file was left unchanged") from exc


def delete(repo: Path, rel: str) -> None:
    """Remove the regular file ``repo/rel`` (never a link, never through one)."""
    parts = _parts(rel)
    try:
        with _parent_dir(repo, rel, parts, create=False) as dfd:
            if _target_stat(dfd, parts[-1], rel) is None:
                raise WriteFailed(f"{rel}: cannot be deleted, it does not exist")
            os.unlink(parts[-1], dir_fd=dfd)
            crash_point("deleted")
            os.fsync(dfd)
    except FileNotFoundError as exc:
        raise WriteFailed(f"{rel}: cannot be deleted, its directory does not exist") from exc
    except OSError as exc:
        raise WriteFailed(f"{rel}: cannot be deleted ({exc.strerror}); the file was left in place") from exc


_ANY = object()


def apply_change(journal: "Journal", repo: Path, run_id: int, rel: str, new: bytes | None,
                 expected: bytes | None | object = _ANY, mode: int | None = None) -> int:
    """Journal then apply one file change: ``new`` bytes (None deletes the file).

    The pending row is committed before the file is touched and marked applied after.
    With ``expected`` given, the file must still hold those bytes (None: must not exist),
    else ``FileChanged`` is raised and nothing is written. Returns the journal file id.
    """
    with whole_change():
        return _apply_change(journal, repo, run_id, rel, new, expected, mode)


def _apply_change(journal: "Journal", repo: Path, run_id: int, rel: str, new: bytes | None,
                  expected: bytes | None | object, mode: int | None) -> int:
    current = read_current(repo, rel)
    before, mode_before = current if current else (None, None)
    if expected is not _ANY and expected != before:
        raise FileChanged(f"{rel}: changed on disk since it was read; run the phase again to see the new proposal")
    if new is None:
        if before is None:
            raise FileChanged(f"{rel}: cannot be deleted, it does not exist")
        action, mode_after = "delete", None
    elif before is None:
        action, mode_after = "create", mode if mode is not None else default_mode()
    else:
        action, mode_after = "write", mode if mode is not None else mode_before
    created = missing_parents(repo, rel) if action == "create" else []
    file_id = journal.file_pending(run_id, rel, before, new, mode_before, mode_after, action, created)
    if new is None:
        delete(repo, rel)
    else:
        write_atomic(repo, rel, new, mode_after)
    journal.file_applied(file_id)
    return file_id
