"""Rollback restores exactly (content, mode, deletions), refuses conflicts, survives kills."""
from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hostile_support import copy_repo_with_state
from phasemod import apply
from phasemod.apply import apply_change, content_hash
from phasemod.journal import Journal
from phasemod.lock import RepoLock
from phasemod.rollback import RollbackRefused, execute_rollback, plan_rollback

DRIVER = Path(__file__).parents[1] / "crash_driver.py"


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under root except .phasemod: files as (bytes, mode), dirs, links."""
    tree: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) == root and d == ".phasemod")]
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                tree[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                tree[rel] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                tree[rel] = (path.read_bytes(), stat.S_IMODE(info.st_mode))
    return tree


def read_mode(path: Path) -> int | None:
    return stat.S_IMODE(path.stat().st_mode) if path.exists() else None


def make_tree(root: Path, files: dict[str, tuple[bytes, int]]) -> None:
    for rel, (data, mode) in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, mode)


BASE = {
    "pkg/__init__.py": (b"", 0o644),
    "pkg/crlf.py": (b"from old import Old\r\nx = Old()\r\n", 0o644),
    "pkg/bom.py": ("\ufefffrom old import Old\n".encode("utf-8"), 0o600),
    "pkg/latin.py": ("# caf\xe9\nfrom old import Old\n".encode("latin-1"), 0o664),
    "bin/tool.py": (b"#!/usr/bin/env python\n\tfrom old import Old\n", 0o755),
    "pkg/old.py": (b"class Old:\n    pass\n" * 2000, 0o644),
    "docs/readme.md": (b"use `old.Old`\n", 0o444),
}


def apply_all(journal: Journal, repo: Path, run: int, changes: list[tuple[str, bytes | None]]) -> None:
    for path, data in changes:
        apply_change(journal, repo, run, path, data)


def changes_for_base() -> list[tuple[str, bytes | None]]:
    return [
        ("pkg/crlf.py", b"from new import New as Old\r\nx = Old()\r\n"),
        ("pkg/bom.py", "\ufefffrom new import New as Old\n".encode("utf-8")),
        ("pkg/latin.py", "# caf\xe9\nfrom new import New as Old\n".encode("latin-1")),
        ("bin/tool.py", b"#!/usr/bin/env python\n\tfrom new import New as Old\n"),
        ("pkg/old.py", None),
        ("docs/readme.md", b"use `new.New`\n"),
        ("newpkg/sub/created.py", b"created = True\n"),
    ]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    make_tree(tmp_path, BASE)
    return tmp_path


def test_rollback_is_byte_identical(repo: Path) -> None:
    before = snapshot(repo)
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "run 1 -y")
        apply_all(j, repo, run, changes_for_base())
        j.end_run(run, "applied")
        assert not (repo / "pkg/old.py").exists() and (repo / "newpkg/sub/created.py").exists()
        assert stat.S_IMODE((repo / "bin/tool.py").stat().st_mode) == 0o755
        plan = plan_rollback(j, repo, phase=1)
        assert plan.conflicts == () and {i.action for i in plan.items} == {"restore", "recreate", "remove"}
        result = execute_rollback(j, repo, plan)
        assert result.ok and len(result.done) == 7
        assert snapshot(repo) == before
        assert j.phase_state(1) == "rolled-back"
        assert {f.state for f in j.files([run])} == {"restored"}
        assert j.log()["rollbacks"][0]["outcome"] == "restored"
        # Nothing left to undo: a second rollback plans nothing.
        assert plan_rollback(j, repo, phase=1).items == ()


def test_several_runs_of_a_phase_undone_together(repo: Path) -> None:
    before = snapshot(repo)
    with Journal.open(repo) as j:
        first = j.begin_run(1, "one", "run -i")
        apply_change(j, repo, first, "pkg/crlf.py", b"step one\r\n")
        j.end_run(first, "interrupted")
        second = j.begin_run(1, "one", "run -i")
        apply_change(j, repo, second, "pkg/crlf.py", b"step two\r\n")
        apply_change(j, repo, second, "pkg/bom.py", b"changed")
        j.end_run(second, "applied")
        plan = plan_rollback(j, repo, phase=1)
        assert plan.run_ids == (first, second) and not plan.conflicts
        execute_rollback(j, repo, plan)
    assert snapshot(repo) == before


def test_conflict_refused_without_force(repo: Path) -> None:
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "run 1 -y")
        apply_all(j, repo, run, changes_for_base())
        j.end_run(run, "applied")
        (repo / "pkg/crlf.py").write_bytes(b"edited by hand\n")
        (repo / "pkg/old.py").write_bytes(b"recreated by hand\n")
        after_edit = snapshot(repo)
        plan = plan_rollback(j, repo, phase=1)
        assert [c.path for c in plan.conflicts] == ["pkg/crlf.py", "pkg/old.py"]
        assert all("use --force" in c.conflict and "\n" not in c.conflict for c in plan.conflicts)
        result = execute_rollback(j, repo, plan)
        assert not result.ok and result.done == ()
        assert snapshot(repo) == after_edit  # nothing written
        assert j.phase_state(1) == "applied"
        assert j.log()["rollbacks"][-1]["conflicts"] == ["pkg/crlf.py", "pkg/old.py"]
        forced = execute_rollback(j, repo, plan_rollback(j, repo, phase=1), force=True)
        assert forced.ok and forced.forced
    assert (repo / "pkg/crlf.py").read_bytes() == BASE["pkg/crlf.py"][0]
    assert (repo / "pkg/old.py").read_bytes() == BASE["pkg/old.py"][0]


def test_change_between_plan_and_execute_is_a_conflict(repo: Path) -> None:
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "run")
        apply_change(j, repo, run, "pkg/crlf.py", b"new\n")
        plan = plan_rollback(j, repo, run_id=run)
        (repo / "pkg/crlf.py").write_bytes(b"late edit\n")
        result = execute_rollback(j, repo, plan)
        assert [c.path for c in result.conflicts] == ["pkg/crlf.py"]
    assert (repo / "pkg/crlf.py").read_bytes() == b"late edit\n"


@pytest.mark.parametrize("on_disk, expected", [("before", "noop"), ("after", "restore"), ("other", "conflict")])
def test_interrupted_pending_rows(repo: Path, on_disk: str, expected: str) -> None:
    original = BASE["pkg/crlf.py"][0]
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "run")
        j.file_pending(run, "pkg/crlf.py", original, b"after\n", 0o644, 0o644, "write")
        content = {"before": original, "after": b"after\n", "other": b"something else\n"}[on_disk]
        (repo / "pkg/crlf.py").write_bytes(content)
    with Journal.open(repo) as j:
        (crashed,) = j.interrupted_runs()
        (item,) = plan_rollback(j, repo, run_id=crashed.id).items
        assert ("conflict" if item.conflict else item.action) == expected
        result = execute_rollback(j, repo, plan_rollback(j, repo, run_id=crashed.id))
        assert result.ok == (expected != "conflict")
    if expected != "conflict":
        assert (repo / "pkg/crlf.py").read_bytes() == original


def test_stray_temp_and_created_dirs_cleaned(repo: Path) -> None:
    before = snapshot(repo)
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "run")
        j.file_pending(run, "pkg/crlf.py", BASE["pkg/crlf.py"][0], b"x", 0o644, 0o644, "write")
        (repo / "pkg/.crlf.py.deadbeef.phasemod-tmp").write_bytes(b"half a fi")
        apply_change(j, repo, run, "a/b/c/new.py", b"new")
        (repo / "a/b/keep.txt").write_bytes(b"user file")
        execute_rollback(j, repo, plan_rollback(j, repo, run_id=run))
    after = snapshot(repo)
    assert after.pop("a/b/keep.txt") == (b"user file", 0o644)
    assert after.pop("a") and after.pop("a/b")  # kept: not empty
    assert after == before


def test_refused_while_dependent_phase_applied(repo: Path) -> None:
    with Journal.open(repo) as j:
        one = j.begin_run(1, "one", "run 1")
        apply_change(j, repo, one, "pkg/crlf.py", b"one\n")
        j.end_run(one, "applied")
        two = j.begin_run(2, "two", "run 2")
        apply_change(j, repo, two, "pkg/bom.py", b"two\n")
        j.end_run(two, "applied")
        with pytest.raises(RollbackRefused, match=r"phase 1: phase 2 \(two\) requires it and is still applied; "
                                                  r"roll back phase 2 first"):
            plan_rollback(j, repo, phase=1, dependents={2})
        with pytest.raises(RollbackRefused):
            plan_rollback(j, repo, run_id=one, dependents=lambda phase: [2] if phase == 1 else [])
        execute_rollback(j, repo, plan_rollback(j, repo, phase=2, dependents=lambda phase: []))
        plan = plan_rollback(j, repo, phase=1, dependents={2})
        assert execute_rollback(j, repo, plan).ok


def test_bad_targets(repo: Path) -> None:
    with Journal.open(repo) as j:
        with pytest.raises(RollbackRefused, match="run 42: no such run"):
            plan_rollback(j, repo, run_id=42)
        with pytest.raises(RollbackRefused, match="exactly one"):
            plan_rollback(j, repo)
        assert plan_rollback(j, repo, phase=7).items == ()


# --- crash tests: a real process killed at every step of the protocol ------------------

def run_driver(*args: str, kill_at: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop(apply.KILL_ENV, None)
    if kill_at is not None:
        env[apply.KILL_ENV] = str(kill_at)
    return subprocess.run([sys.executable, str(DRIVER), *args], capture_output=True, text=True, env=env)


def check_journal_says_which(repo: Path, journal: Journal, run: int, original: dict, after: dict) -> None:
    """Each file is either as it was or fully rewritten, and the journal says which."""
    now = {p: v for p, v in snapshot(repo).items() if not p.endswith(apply.TEMP_SUFFIX)}  # rollback sweeps these
    for path in set(original) | set(after) | set(now):
        assert now.get(path) in (original.get(path), after.get(path)), path
    journaled = {f.path: f for f in journal.files([run])}
    for path in set(original) | set(after):
        if path not in journaled and not path.startswith("newpkg"):
            assert now.get(path) == original.get(path), path
    for path, row in journaled.items():
        current = now.get(path)
        digest = content_hash(current[0]) if current else None  # type: ignore[index]
        allowed = {row.hash_after} if row.state == "applied" else {row.hash_before, row.hash_after}
        assert digest in allowed, (path, row.state)


def test_killed_apply_at_every_step_rolls_back_byte_for_byte(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    make_tree(origin, BASE)
    original = snapshot(origin)
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps([[p, None if d is None else base64.b64encode(d).decode()]
                                   for p, d in changes_for_base()]))
    reference = tmp_path / "reference"
    copy_repo_with_state(origin, reference)
    done = run_driver("apply", str(reference), str(changes))
    assert done.returncode == 0, done.stderr
    trail = json.loads(done.stdout)["trail"]
    after = snapshot(reference)
    assert {"pending-committed", "temp-partial", "temp-synced", "replaced", "deleted",
            "applied-committed"} <= set(trail)
    for step in range(1, len(trail) + 1):
        repo = tmp_path / f"kill-{step}"
        copy_repo_with_state(origin, repo)
        killed = run_driver("apply", str(repo), str(changes), kill_at=step)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        with RepoLock(repo) as lock, Journal.open(repo) as journal:
            assert lock.warning and "stale lock" in lock.warning
            (run,) = journal.interrupted_runs()
            check_journal_says_which(repo, journal, run.id, original, after)
            plan = plan_rollback(journal, repo, run_id=run.id)
            assert plan.conflicts == (), step
            assert execute_rollback(journal, repo, plan).ok
        assert snapshot(repo) == original, f"killed at step {step} ({trail[step - 1]})"
        shutil.rmtree(repo)


def test_killed_rollback_at_every_step_can_be_finished(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    make_tree(origin, BASE)
    original = snapshot(origin)
    with Journal.open(origin) as j:
        run = j.begin_run(1, "one", "run")
        apply_all(j, origin, run, changes_for_base())
        j.end_run(run, "applied")
    reference = tmp_path / "reference"
    copy_repo_with_state(origin, reference)
    done = run_driver("rollback", str(reference), str(run))
    assert done.returncode == 0, done.stderr
    assert snapshot(reference) == original
    trail = json.loads(done.stdout)["trail"]
    assert {"rollback-begun", "temp-partial", "replaced", "deleted", "restored-committed"} <= set(trail)
    for step in range(1, len(trail) + 1):
        repo = tmp_path / f"kill-{step}"
        copy_repo_with_state(origin, repo)
        killed = run_driver("rollback", str(repo), str(run), kill_at=step)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        with RepoLock(repo), Journal.open(repo) as journal:
            plan = plan_rollback(journal, repo, run_id=run)
            assert plan.conflicts == (), step
            assert execute_rollback(journal, repo, plan).ok
            assert journal.log()["rollbacks"][0]["outcome"] in ("interrupted", "restored")
            assert journal.run(run).outcome == "rolled-back", step
        assert snapshot(repo) == original, f"killed at step {step} ({trail[step - 1]})"
        shutil.rmtree(repo)


# --- property: any rewrite set, applied then rolled back, leaves the tree as it was ---

LINE = st.text(alphabet=st.sampled_from("abc ()=:\t#é"), max_size=12)
ENDING = st.sampled_from(["\n", "\r\n", "\r", ""])
CONTENT = st.builds(
    lambda bom, lines, enc: (b"\xef\xbb\xbf" if bom else b"") + "".join(a + e for a, e in lines).encode(enc, "replace"),
    st.booleans(), st.lists(st.tuples(LINE, ENDING), max_size=6), st.sampled_from(["utf-8", "latin-1"]))
MODE = st.sampled_from([0o644, 0o600, 0o755, 0o444, 0o664, 0o700])
NAME = st.sampled_from(["a.py", "b.py", "pkg/c.py", "pkg/d.txt", "pkg/sub/e.py", "f.md"])
TREE = st.dictionaries(NAME, st.tuples(CONTENT, MODE), min_size=1, max_size=6)
# per file: keep, rewrite with new content, or delete; plus files to create
EDIT = st.one_of(st.none(), st.just("delete"), CONTENT)
NEW_FILES = st.dictionaries(st.sampled_from(["new.py", "pkg/new.py", "fresh/dir/new.py"]), CONTENT, max_size=2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=TREE, first=st.lists(EDIT, min_size=6, max_size=6), second=st.lists(EDIT, min_size=6, max_size=6),
       created=NEW_FILES)
def test_property_apply_then_rollback_is_identity(tree: dict, first: list, second: list, created: dict) -> None:
    """Two runs of a phase (the second rewriting what the first left), then a rollback of
    the phase: the tree is back to its original bytes and modes."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        make_tree(repo, tree)
        original = snapshot(repo)
        with Journal.open(repo) as j:
            for number, edits in enumerate((first, second)):
                run = j.begin_run(1, "prop", f"property run {number}")
                for path, edit in zip(sorted(tree), edits):
                    if edit == "delete" and (repo / path).exists():
                        apply_change(j, repo, run, path, None)
                    elif isinstance(edit, bytes):
                        kept = read_mode(repo / path)
                        apply_change(j, repo, run, path, edit)
                        assert (repo / path).read_bytes() == edit
                        assert kept is None or read_mode(repo / path) == kept
                if number == 0:
                    for path, data in created.items():
                        if path not in tree:
                            apply_change(j, repo, run, path, data)
                j.end_run(run, "applied")
            plan = plan_rollback(j, repo, phase=1)
            assert plan.conflicts == ()
            assert execute_rollback(j, repo, plan).ok
        assert snapshot(repo) == original
