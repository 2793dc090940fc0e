"""One phasemod process per repository: ``.phasemod/lock`` (O_EXCL file + flock).

Never waits for a holder and never takes a lock over from a process that still holds it.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from phasemod.errors import EngineError
from phasemod import state


class LockHeld(EngineError):
    """Another process holds the repository lock."""

    def __init__(self, path: Path, pid: object, started: object) -> None:
        self.pid = pid
        self.started = started
        super().__init__(f"{path}: another phasemod process (pid {pid}, started {started}) is working on this "
                         "repository; wait for it to finish")


class LockError(EngineError):
    """The lock file cannot be created, or keeps changing while we try to take it."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _holder(fd: int) -> tuple[object, object]:
    """(pid, start time) recorded in the lock file, or ("unknown", "unknown")."""
    try:
        record = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return int(record["pid"]), str(record["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown", "unknown"


class RepoLock:
    """``with RepoLock(repo) as lock:``; ``lock.warning`` is set (text for the user) when a
    stale lock left by a dead process was taken over."""

    def __init__(self, repo: Path, command: str = "") -> None:
        self.repo = Path(repo)
        self.path = state.location(self.repo) / state.LOCK_NAME
        self.command = command
        self.warning: str | None = None
        self._fd: int | None = None

    def acquire(self) -> "RepoLock":
        if self._fd is not None:
            raise LockHeld(self.path, os.getpid(), "earlier in this process")
        state.lock_path(self.repo)
        # A holder may release (unlink) between our open and our flock: then the file we
        # locked is no longer the lock file, and we start over.
        for _ in range(20):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
                created = True
            except FileExistsError:
                try:
                    fd = os.open(self.path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
                except FileNotFoundError:
                    continue
                created = False
            except OSError as exc:
                raise LockError(f"{self.path}: cannot be created ({exc.strerror}); check the permissions of "
                                f"{self.path.parent}") from exc
            try:
                self._take(fd, created)
            except BaseException:
                os.close(fd)
                raise
            if self._fd is not None:
                return self
            os.close(fd)
        raise LockError(f"{self.path}: keeps changing under us; another phasemod process is starting, retry")

    def _take(self, fd: int, created: bool) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(self.path, *_holder(fd)) from None
        except OSError as exc:
            # No flock on this file system: fall back to the recorded pid.
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                raise
            pid, started = _holder(fd)
            if not created and isinstance(pid, int) and _alive(pid):
                raise LockHeld(self.path, pid, started) from None
        try:
            if os.stat(self.path, follow_symlinks=False).st_ino != os.fstat(fd).st_ino:
                return
        except FileNotFoundError:
            return
        if not created:
            pid, started = _holder(fd)
            self.warning = (f"{self.path}: took over a stale lock of pid {pid} (started {started}); that process "
                            "is gone, check `phasemod log` for an interrupted run")
        record = {"pid": os.getpid(), "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "command": self.command}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode("utf-8"), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            # Unlink while still holding the flock, so nobody can lock the old file and
            # believe it is current (see the inode check in _take).
            if os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino:
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)

    def __enter__(self) -> "RepoLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
