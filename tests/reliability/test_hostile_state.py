"""A repository an attacker prepared: a committed or copied ``.phasemod`` (pickled cache,
links out, a doctored journal) never runs code, never writes outside, never skips review.

Each case commits the attack, makes a fresh ``git clone`` beside a sentinel directory and
compares both byte for byte after the victim's commands.
"""
from __future__ import annotations

import hashlib
import os
import pickle  # test-only: builds the attacker's payload; the package never imports it
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from hostile_support import cli_run, files_of, make_repo, one_line_error, outside

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SOURCE = b"from pkg.old import Old\n\n\ndef make():\n    return Old()\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=a", "-c", "user.email=a@example.invalid", *args], cwd=cwd, check=True,
                   capture_output=True)


class _Payload:
    def __init__(self, canary: Path) -> None:
        self.canary = canary

    def __reduce__(self):
        return (os.system, (f"touch {self.canary}",))


def _attacker(root: Path) -> Path:
    repo = make_repo(root / "attacker", {"pkg/a.py": SOURCE})
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    return repo


def _commit_state_and_clone(attacker: Path, victim_root: Path) -> Path:
    git(attacker, "add", "-f", ".phasemod")
    git(attacker, "commit", "-q", "-m", "state")
    victim_root.mkdir()
    (victim_root / "sentinel").mkdir()
    (victim_root / "sentinel" / "keep.txt").write_bytes(b"sentinel\n")
    git(victim_root, "clone", "-q", str(attacker), "repo")
    return victim_root / "repo"


def _assert_refused(repo: Path, commands: list[tuple[str, ...]], inputs: str | None = None) -> None:
    before, before_out = files_of(repo), outside(repo)
    for command in commands:
        result = cli_run(repo, *command, input=inputs)
        assert result.exit_code == 2, (command, result.output)
        message = one_line_error(result)
        assert ".phasemod" in message and ("git rm -r --cached .phasemod" in message or "Move it aside" in message)
        assert files_of(repo) == before, command
        assert outside(repo) == before_out, command


def test_committed_pickle_caches_never_run(tmp_path: Path) -> None:
    attacker = _attacker(tmp_path)
    canary = tmp_path / "victim" / "sentinel" / "PWNED"
    assert cli_run(attacker, "validate", "1").exit_code == 1   # makes the attacker's state directory
    assert cli_run(attacker, "status").exit_code == 0
    state = attacker / ".phasemod"
    payload = pickle.dumps(_Payload(canary))
    for name in [p.name for p in state.iterdir() if p.name.startswith("scan-")]:
        (state / name).write_bytes(b'{"schema": 2, "entries": ')             # a damaged JSON cache too
        (state / name.replace(".json", ".pickle")).write_bytes(payload)
    for n in range(4):
        (state / f"history-{hashlib.sha256(str(n).encode()).hexdigest()[:16]}.pickle").write_bytes(payload)
    repo = _commit_state_and_clone(attacker, tmp_path / "victim")
    _assert_refused(repo, [("check",), ("status",), ("plan",), ("report", "--html", "r.html"),
                           ("run", "1", "--yes", "--jobs", "1")])
    assert not canary.exists()


def test_committed_links_in_the_state_directory_are_refused(tmp_path: Path) -> None:
    attacker = _attacker(tmp_path)
    state = attacker / ".phasemod"
    state.mkdir()
    outside_dir = tmp_path / "victim" / "sentinel"
    os.symlink(outside_dir / "keep.txt", state / "baseline.json.tmp")
    os.symlink(outside_dir / "stolen.sqlite3", state / "journal.sqlite3")
    os.symlink(outside_dir / "ignored", state / ".gitignore")
    os.symlink(outside_dir / "keep.txt", state / "scan-0123456789abcdef.tmp")
    repo = _commit_state_and_clone(attacker, tmp_path / "victim")
    _assert_refused(repo, [("status",), ("check",), ("run", "1", "--yes", "--jobs", "1"), ("rollback", "1", "--yes"),
                           ("log",)])


def test_a_committed_journal_never_decides_a_review(tmp_path: Path) -> None:
    attacker = _attacker(tmp_path)
    assert cli_run(attacker, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    assert cli_run(attacker, "rollback", "1", "--yes").exit_code == 0
    backdoor = '__import__("os").system("touch PWNED")\n'
    with sqlite3.connect(attacker / ".phasemod" / "journal.sqlite3") as db:
        db.execute("UPDATE hunks SET decision = 'edited', text_after = text_after || ?", (backdoor,))
        db.execute("UPDATE runs SET outcome = 'interrupted'")
    git(attacker, "checkout", "--", ".")
    repo = _commit_state_and_clone(attacker, tmp_path / "victim")
    _assert_refused(repo, [("run", "1", "-i", "--jobs", "1")], inputs="A\n")
    assert not any(b"__import__" in entry[1] for entry in files_of(repo).values() if entry[0] == "file")


def test_a_copied_state_directory_is_not_trusted(tmp_path: Path) -> None:
    # Not committed (a tarball, `cp -r`): the clone id no longer matches the directory.
    attacker = _attacker(tmp_path)
    assert cli_run(attacker, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "sentinel").mkdir()
    repo = tmp_path / "victim" / "repo"
    shutil.copytree(attacker, repo, symlinks=True)
    _assert_refused(repo, [("rollback", "1", "--yes"), ("run", "1", "-i", "--jobs", "1"), ("status",)], inputs="A\n")


def test_another_clones_journal_is_refused(tmp_path: Path) -> None:
    attacker = _attacker(tmp_path)
    assert cli_run(attacker, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    victim = make_repo(tmp_path / "victim", {"pkg/a.py": SOURCE})
    assert cli_run(victim, "run", "1", "--yes", "--jobs", "1").exit_code == 0    # a journal of its own
    shutil.copyfile(attacker / ".phasemod" / "journal.sqlite3", victim / ".phasemod" / "journal.sqlite3")
    os.chmod(victim / ".phasemod" / "journal.sqlite3", 0o600)
    before, before_out = files_of(victim), outside(victim)
    result = cli_run(victim, "rollback", "1", "--yes")
    assert result.exit_code == 2 and "another clone" in one_line_error(result)
    assert files_of(victim) == before and outside(victim) == before_out


def test_foreign_files_and_a_lock_directory_are_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    assert cli_run(repo, "run", "1", "--dry-run").exit_code == 0
    (repo / ".phasemod").mkdir()
    (repo / ".phasemod" / "lock").mkdir()
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 2 and "lock: is not a regular file" in one_line_error(result)
    (repo / ".phasemod" / "lock").rmdir()
    (repo / ".phasemod" / "notes.txt").write_text("x")
    result = cli_run(repo, "status")
    assert result.exit_code == 2 and "notes.txt: was not created by phasemod" in one_line_error(result)


def test_the_package_deserialises_no_code() -> None:
    root = Path(__file__).resolve().parents[2]
    banned = ("pickle", "marshal", "shelve", "eval(", "exec(")
    for path in [*root.joinpath("phasemod").rglob("*.py"), *root.joinpath("recipes").glob("*.py"),
                 root / "runner.py"]:
        text = path.read_text(encoding="utf-8")
        for word in banned:
            for line in text.splitlines():
                if word in line and "never reads a pickled" not in line:
                    raise AssertionError(f"{path}: {word}: {line.strip()}")
