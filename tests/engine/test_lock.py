"""One run per repository: contention between real processes, stale takeover, release."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from phasemod.errors import EngineError
from phasemod.lock import LockHeld, RepoLock

HOLDER = """
import sys
from pathlib import Path
from phasemod.lock import RepoLock, LockHeld
try:
    with RepoLock(Path(sys.argv[1]), command="holder") as lock:
        print("held", flush=True)
        sys.stdin.read()
except LockHeld as exc:
    print("refused", exc, flush=True)
"""


def spawn_holder(repo: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(repo)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_process_is_refused_with_holder_pid(tmp_path: Path) -> None:
    holder = spawn_holder(tmp_path)
    try:
        with pytest.raises(LockHeld) as info:
            with RepoLock(tmp_path):
                pass
        message = str(info.value)
        assert f"pid {holder.pid}," in message and "started 20" in message
        assert message.startswith(str(tmp_path / ".phasemod" / "lock")) and "\n" not in message
        assert info.value.exit_code == 2 and isinstance(info.value, EngineError)
        record = json.loads((tmp_path / ".phasemod" / "lock").read_text())
        assert record["pid"] == holder.pid and record["command"] == "holder"
    finally:
        holder.communicate("")
    assert holder.returncode == 0
    # Released cleanly: no lock file left, no warning for the next holder.
    assert not (tmp_path / ".phasemod" / "lock").exists()
    with RepoLock(tmp_path) as lock:
        assert lock.warning is None


def test_other_process_refused_while_we_hold(tmp_path: Path) -> None:
    with RepoLock(tmp_path):
        out = subprocess.run([sys.executable, "-c", HOLDER, str(tmp_path)], input="", capture_output=True,
                             text=True, check=True).stdout
        assert out.startswith("refused") and f"pid {os.getpid()}," in out


def test_same_process_twice_refused(tmp_path: Path) -> None:
    with RepoLock(tmp_path) as lock:
        with pytest.raises(LockHeld, match=f"pid {os.getpid()},"):
            RepoLock(tmp_path).acquire()
        with pytest.raises(LockHeld):
            lock.acquire()


def test_stale_lock_of_dead_process_taken_over(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    pid = int(dead.stdout)
    state = tmp_path / ".phasemod"
    state.mkdir()
    (state / "lock").write_text(json.dumps({"pid": pid, "started": "2024-01-02T03:04:05+00:00"}))
    with RepoLock(tmp_path) as lock:
        assert lock.warning is not None
        assert f"stale lock of pid {pid} (started 2024-01-02T03:04:05+00:00)" in lock.warning
        assert json.loads((state / "lock").read_text())["pid"] == os.getpid()
    assert not (state / "lock").exists()


def test_killed_holder_lock_taken_over(tmp_path: Path) -> None:
    holder = spawn_holder(tmp_path)
    holder.kill()
    holder.wait()
    assert (tmp_path / ".phasemod" / "lock").exists()
    with RepoLock(tmp_path) as lock:
        assert lock.warning and f"pid {holder.pid}" in lock.warning


def test_unreadable_lock_file_taken_over(tmp_path: Path) -> None:
    (tmp_path / ".phasemod").mkdir()
    (tmp_path / ".phasemod" / "lock").write_bytes(b"")
    with RepoLock(tmp_path) as lock:
        assert lock.warning and "pid unknown" in lock.warning
