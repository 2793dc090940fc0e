"""Faults during a run, through the real CLI: a file changed before its write, write
failures (read-only, disk full), a damaged or vanished journal, two racing processes,
signals at every write step, a failing or garbage-writing $EDITOR, a hanging or flooding
validation. After each: nothing outside the repo written, no half-written file, and
`rollback` restores the original bytes.
"""
from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hostile_support import MANIFEST, cli_run, files_of, make_repo, one_line_error, outside
from phasemod import apply

SOURCE = b"from pkg.old import Old\r\nOld()\r\n"
MIGRATED = b"from pkg.new import New\r\nNew()\r\n"
FILES = {f"pkg/m{i}.py": SOURCE for i in range(4)}
TWO = {f"pkg/m{i}.py": SOURCE for i in range(2)}


def _no_temps(repo: Path) -> None:
    assert not [p for p in repo.rglob("*") if p.name.endswith(apply.TEMP_SUFFIX)]


def _each_whole(repo: Path, names=FILES) -> None:
    for name in names:
        assert (repo / name).read_bytes() in (SOURCE, MIGRATED), name


def _rolls_back(repo: Path, before: dict) -> None:
    result = cli_run(repo, "rollback", "1", "--yes")
    assert result.exit_code in (0, 1), result.output
    assert files_of(repo) == before


def test_file_changed_between_planning_and_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, FILES)
    before, before_out = files_of(repo), outside(repo)
    from phasemod import applier as phases

    real = phases.apply_change

    def edit_first(journal, repo_, run_id, rel, new, **kw):
        if rel == "pkg/m1.py":
            (repo / rel).write_bytes(b"# edited by a person meanwhile\n" + SOURCE)
        return real(journal, repo_, run_id, rel, new, **kw)

    monkeypatch.setattr(phases, "apply_change", edit_first)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert "pkg/m1.py" in result.output and "changed on disk" in result.output
    assert (repo / "pkg/m1.py").read_bytes() == b"# edited by a person meanwhile\n" + SOURCE
    for name in ("pkg/m0.py", "pkg/m2.py", "pkg/m3.py"):
        assert (repo / name).read_bytes() == MIGRATED
    assert outside(repo) == before_out
    (repo / "pkg/m1.py").write_bytes(SOURCE)
    _rolls_back(repo, before)


@pytest.mark.parametrize("fault", ["ENOSPC-write", "EDQUOT-write", "EACCES-open", "EROFS-replace", "EIO-fsync"])
def test_write_failures_leave_the_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    # Injected in-process so it works as root too (root ignores permission bits).
    repo = make_repo(tmp_path, FILES)
    before, before_out = files_of(repo), outside(repo)
    code = getattr(errno, fault.split("-")[0])
    victim = fault.split("-")[1]
    real = {"write": os.write, "open": os.open, "replace": os.replace, "fsync": os.fsync}[victim]
    temp_fds: set[int] = set()

    def failing(*args, **kwargs):
        if victim == "open":
            if str(args[0]).startswith(".m2.py."):
                raise OSError(code, os.strerror(code))
            return real(*args, **kwargs)
        if victim == "replace" and str(args[0]).startswith(".m2.py."):
            raise OSError(code, os.strerror(code))
        if victim == "fsync" and args[0] in temp_fds:
            temp_fds.discard(args[0])
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    if victim == "write":
        # Only writes into phasemod's temp files fail (the journal uses SQLite's own I/O).
        real_open = os.open

        def tracking_open(path, flags, *a, **kw):
            fd = real_open(path, flags, *a, **kw)
            if str(path).endswith(apply.TEMP_SUFFIX) and "m2" in str(path):
                temp_fds.add(fd)
            return fd

        def write(fd, data):
            if fd in temp_fds:
                temp_fds.discard(fd)  # fd numbers are reused by the next file
                raise OSError(code, os.strerror(code))
            return real(fd, data)

        monkeypatch.setattr(apply.os, "open", tracking_open)
        monkeypatch.setattr(apply.os, "write", write)
    elif victim == "fsync":
        real_open = os.open

        def tracking_open(path, flags, *a, **kw):
            fd = real_open(path, flags, *a, **kw)
            if str(path).endswith(apply.TEMP_SUFFIX) and "m2" in str(path):
                temp_fds.add(fd)
            return fd

        monkeypatch.setattr(apply.os, "open", tracking_open)
        monkeypatch.setattr(apply.os, "fsync", failing)
    else:
        monkeypatch.setattr(apply.os, victim, failing)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert "pkg/m2.py" in result.output and "left unchanged" in result.output
    assert (repo / "pkg/m2.py").read_bytes() == SOURCE
    for name in ("pkg/m0.py", "pkg/m1.py", "pkg/m3.py"):
        assert (repo / name).read_bytes() == MIGRATED
    _no_temps(repo)
    assert outside(repo) == before_out
    _rolls_back(repo, before)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits; see the injected faults above")
def test_read_only_file_and_directory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES)
    (repo / "pkg/ro").mkdir()
    (repo / "pkg/ro/a.py").write_bytes(SOURCE)
    os.chmod(repo / "pkg/ro", 0o555)
    try:
        result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
        assert result.exit_code == 1 and "pkg/ro/a.py" in result.output
        assert (repo / "pkg/ro/a.py").read_bytes() == SOURCE
    finally:
        os.chmod(repo / "pkg/ro", 0o755)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "newer-schema", "directory", "wrong-tables"])
def test_damaged_journal_is_a_one_line_error_and_nothing_is_written(tmp_path: Path, damage: str) -> None:
    repo = make_repo(tmp_path, FILES)
    assert cli_run(repo, "run", "1", "--dry-run").exit_code == 0
    state = repo / ".phasemod"
    state.mkdir(exist_ok=True)
    journal = state / "journal.sqlite3"
    if damage == "garbage":
        journal.write_bytes(b"this is not a database\x00" * 100)
    elif damage == "truncated":
        assert cli_run(repo, "run", "1", "--yes").exit_code == 0
        assert cli_run(repo, "rollback", "1", "--yes").exit_code == 0
        journal.write_bytes(journal.read_bytes()[:1000])
    elif damage == "newer-schema":
        with sqlite3.connect(journal) as db:
            db.execute("PRAGMA user_version = 99")
    elif damage == "directory":
        journal.mkdir()
    else:
        with sqlite3.connect(journal) as db:
            db.execute("CREATE TABLE something_else (x)")
            db.execute("PRAGMA user_version = 1")
    before, before_out = files_of(repo), outside(repo)
    for command in (("run", "1", "--yes"), ("rollback", "1", "--yes"), ("log",)):
        result = cli_run(repo, *command)
        assert result.exit_code == 2, (command, result.output)
        assert "journal" in one_line_error(result)
    assert files_of(repo) == before and outside(repo) == before_out


def test_journal_deleted_mid_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, FILES)
    before_out = outside(repo)
    from phasemod import applier as phases

    real = phases.apply_change

    def delete_journal_then_apply(journal, repo_, run_id, rel, new, **kw):
        if rel == "pkg/m2.py":
            for p in (repo / ".phasemod").glob("journal.sqlite3*"):
                p.unlink()
        return real(journal, repo_, run_id, rel, new, **kw)

    monkeypatch.setattr(phases, "apply_change", delete_journal_then_apply)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    monkeypatch.undo()
    # SQLite keeps writing to the unlinked file: every file is whole, the record is lost.
    assert result.exit_code in (0, 1, 2), result.output
    _each_whole(repo)
    _no_temps(repo)
    assert outside(repo) == before_out
    later = cli_run(repo, "log")
    assert later.exit_code in (0, 2)


def _phasemod(repo: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "phasemod.runner", "--repo", str(repo), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})


def test_two_processes_racing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES)
    before, before_out = files_of(repo), outside(repo)
    procs = [_phasemod(repo, "run", "1", "--yes", "--jobs", "1") for _ in range(3)]
    outputs = [(p.wait(), p.communicate()) for p in procs]
    for code, (out, err) in outputs:
        assert b"Traceback" not in out + err
        assert code == 0 or (code == 2 and b"another phasemod process" in err), err
    assert any(code == 0 for code, _ in outputs)
    for name in FILES:
        assert (repo / name).read_bytes() == MIGRATED
    assert outside(repo) == before_out
    _rolls_back(repo, before)


KILL_HOOK = """
import os, signal, sys
import phasemod.apply as a, phasemod.journal as j
count, target, sig = [0], int(os.environ["HOSTILE_STEP"]), getattr(signal, os.environ["HOSTILE_SIGNAL"])
def point(name):
    count[0] += 1
    if count[0] == target:
        os.kill(os.getpid(), sig)
a.crash_point = j.crash_point = point
from phasemod.runner import main
sys.argv = ["phasemod", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_signal_at_every_write_step(tmp_path: Path, sig: str) -> None:
    # Steps: per file a journal row, half the temp written, temp synced, replaced, row applied.
    step = 1
    survived = 0
    while True:
        root = tmp_path / f"{sig}-{step}"
        repo = make_repo(root, TWO)
        before, before_out = files_of(repo), outside(repo)
        proc = subprocess.run([sys.executable, "-c", KILL_HOOK, "--repo", str(repo), "run", "1", "--yes", "--jobs",
                               "1", "--no-validate"], capture_output=True,
                              env={**os.environ, "HOSTILE_STEP": str(step), "HOSTILE_SIGNAL": sig})
        assert b"Traceback" not in proc.stderr, proc.stderr.decode()
        _each_whole(repo, TWO)
        assert outside(repo) == before_out
        if proc.returncode == 0:
            break
        survived += 1
        assert proc.returncode in (-signal.SIGKILL, -signal.SIGTERM, 130, 143, 128 + signal.SIGTERM), proc.returncode
        _rolls_back(repo, before)
        _no_temps(repo)
        step += 1
    assert survived >= len(TWO) * 3


EDITORS = {
    "fails": "#!/bin/sh\nexit 3\n",
    "garbage": "#!/bin/sh\nprintf 'def (:\\n\\x00' > \"$1\"\n",
    "empties": "#!/bin/sh\n: > \"$1\"\n",
    "writes-outside": "#!/bin/sh\necho hacked > \"$SENTINEL/editor.txt\"\nexit 1\n",
}


@pytest.mark.parametrize("editor", sorted(EDITORS))
def test_editor_that_fails_or_writes_garbage(tmp_path: Path, editor: str) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    script = tmp_path / "editor.sh"
    script.write_text(EDITORS[editor])
    script.chmod(0o755)
    before = files_of(repo)
    result = cli_run(repo, "run", "1", "-i", "--jobs", "1", input="e\ne\nn\nn\nn\nn\n",
                     env={"EDITOR": str(script), "VISUAL": str(script), "SENTINEL": str(tmp_path / "elsewhere")})
    assert result.exit_code in (0, 1), result.output
    # Every hunk was finally rejected: the file is as it was.
    assert (repo / "pkg/a.py").read_bytes() == SOURCE
    assert files_of(repo) == before
    _no_temps(repo)


def test_editor_output_with_different_newlines_keeps_the_file_crlf(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    script = tmp_path / "editor.sh"
    # The edited hunk comes back with LF endings (context, the kept '-' line, the edited '+' line).
    script.write_text("#!/bin/sh\nprintf -- '-from pkg.old import Old\\n+from pkg.new import New  # edited\\n Old()\\n' "
                      "> \"$1\"\n")
    script.chmod(0o755)
    result = cli_run(repo, "run", "1", "-i", "--jobs", "1", input="e\ny\n", env={"EDITOR": str(script)})
    assert result.exit_code in (0, 1), result.output
    data = (repo / "pkg/a.py").read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.startswith(b"from pkg.new import New  # edited\r\n")


VALIDATE = MANIFEST + "validate:\n  - run: {cmd}\n    timeout: {timeout}\n    severity: critical\non_failure: rollback\n"


@pytest.mark.parametrize("cmd, timeout, tail", [
    ("'sleep 30 & sleep 30; wait'", 1, "timed out"),
    ("'yes floods-the-output | head -c 50000000; exit 1'", 60, "floods-the-output"),
    ("\"python -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4000); sys.exit(2)'\"", 60, ""),
], ids=["hangs", "floods", "binary-output"])
def test_failing_validation_rolls_back(tmp_path: Path, cmd: str, timeout: int, tail: str) -> None:
    repo = make_repo(tmp_path, FILES, VALIDATE.format(cmd=cmd, timeout=timeout))
    before, before_out = files_of(repo), outside(repo)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert files_of(repo) == before and outside(repo) == before_out
    log = cli_run(repo, "log", "--json")
    assert tail in log.output
    assert len(log.output) < 200_000
