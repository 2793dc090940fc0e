"""The journal: schema, migrations, damaged files, write-ahead order, state queries, log."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from phasemod.state import UntrustedState

from phasemod import apply, journal as journal_module
from phasemod.apply import apply_change
from phasemod.journal import SCHEMA_VERSION, Journal, JournalError


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_bytes(b"from old import Old\r\n")
    (tmp_path / "pkg" / "b.py").write_bytes(b"x = 1\n")
    return tmp_path


def test_layout_and_schema(repo: Path) -> None:
    with Journal.open(repo) as j:
        assert j.path == repo / ".phasemod" / "journal.sqlite3"
    assert (repo / ".phasemod" / ".gitignore").read_text() == "*\n"
    db = sqlite3.connect(repo / ".phasemod" / "journal.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"runs", "files", "hunks", "validations", "rollbacks", "clone", "run_problems"}
    db.close()
    with Journal.open(repo) as j:  # reopening is a no-op
        assert j.runs() == []


def test_open_without_create(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no journal yet"):
        Journal.open(tmp_path, create=False)
    assert not (tmp_path / ".phasemod").exists()


def test_newer_schema_is_a_clear_error(repo: Path) -> None:
    Journal.open(repo).close()
    db = sqlite3.connect(repo / ".phasemod" / "journal.sqlite3")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    db.commit()
    db.close()
    with pytest.raises(JournalError) as info:
        Journal.open(repo)
    message = str(info.value)
    assert "journal.sqlite3: written by a newer phasemod" in message and "upgrade phasemod" in message
    assert "\n" not in message


def test_forward_migration(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "phasemod run 1 -y")
    extra = journal_module.MIGRATIONS + [("ALTER TABLE runs ADD COLUMN note TEXT DEFAULT 'migrated'",)]
    monkeypatch.setattr(journal_module, "MIGRATIONS", extra)
    monkeypatch.setattr(journal_module, "SCHEMA_VERSION", len(extra))
    with Journal.open(repo) as j:
        assert j._rows("SELECT note FROM runs WHERE id = ?", (run,)) == [{"note": "migrated"}]
    db = sqlite3.connect(repo / ".phasemod" / "journal.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(extra)
    db.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign"])
def test_damaged_journal_is_a_clear_error(repo: Path, damage: str) -> None:
    path = repo / ".phasemod" / "journal.sqlite3"
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "cmd")
        for i in range(200):
            j.file_pending(run, f"f{i}.py", b"x" * 3000, b"y", 0o644, 0o644, "write")
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all" * 100)
    elif damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[:100] + b"\xff" * 5000 + data[5100: len(data) // 2])
    else:
        path.unlink()
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE stuff (x)")
        db.commit()
        db.close()
    with pytest.raises(JournalError) as info:
        with Journal.open(repo) as j:
            j.log()
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert "move it" in message


def test_write_ahead_order(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pending row is committed (visible to another connection) before the replace,
    and the file is marked applied only after it."""
    j = Journal.open(repo)
    run = j.begin_run(1, "one", "cmd")
    seen = []
    real_replace = apply.os.replace

    def spy(*args: object, **kwargs: object) -> None:
        other = sqlite3.connect(repo / ".phasemod" / "journal.sqlite3")
        seen.append(other.execute("SELECT path, state, hash_before FROM files").fetchall())
        other.close()
        real_replace(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(apply.os, "replace", spy)
    apply_change(j, repo, run, "pkg/a.py", b"from new import New as Old\r\n")
    assert seen == [[("pkg/a.py", "pending", apply.content_hash(b"from old import Old\r\n"))]]
    (row,) = j.files([run], with_content=True)
    assert (row.state, row.action, row.content_before) == ("applied", "write", b"from old import Old\r\n")
    assert row.hash_after == apply.content_hash(b"from new import New as Old\r\n")
    assert row.mode_before == row.mode_after == 0o644
    j.close()


def test_failed_write_stays_pending_and_file_untouched(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    j = Journal.open(repo)
    run = j.begin_run(1, "one", "cmd")

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(apply.os, "fsync", full)
    with pytest.raises(apply.WriteFailed):
        apply_change(j, repo, run, "pkg/a.py", b"new")
    monkeypatch.undo()
    assert (repo / "pkg" / "a.py").read_bytes() == b"from old import Old\r\n"
    assert [f.state for f in j.files([run])] == ["pending"]
    j.close()


def test_changed_file_refused(repo: Path) -> None:
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "cmd")
        with pytest.raises(apply.FileChanged, match="pkg/a.py: changed on disk"):
            apply_change(j, repo, run, "pkg/a.py", b"new", expected=b"something else")
        assert j.files([run]) == []


def test_actions_create_delete(repo: Path) -> None:
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "cmd")
        apply_change(j, repo, run, "pkg/new.py", b"new\n")
        apply_change(j, repo, run, "pkg/b.py", None)
        create, remove = j.files([run], with_content=True)
        assert (create.action, create.content_before, create.hash_before, create.mode_before) == ("create", None, None, None)
        assert (remove.action, remove.hash_after, remove.mode_after, remove.content_before) == ("delete", None, None, b"x = 1\n")
        assert not (repo / "pkg" / "b.py").exists()


def test_phase_state_and_interrupted(repo: Path) -> None:
    j = Journal.open(repo)
    assert j.phase_state(1) == "not-run"
    dry = j.begin_run(1, "one", "run --dry-run")
    j.end_run(dry, "dry-run")
    assert j.phase_state(1) == "not-run"
    run = j.begin_run(1, "one", "run -y")
    assert j.phase_state(1) == "running"
    assert j.interrupted_runs() == []  # our own run is not interrupted
    j.end_run(run, "applied")
    assert j.phase_state(1) == "applied"
    j.record_validation(run, "pytest", 1, 2.5, False, "warn", "1 failed")
    assert j.phase_state(1) == "validated"  # a warn failure does not fail the phase
    j.record_validation(run, "pytest -x", 1, 2.5, False, "critical", "boom")
    assert j.phase_state(1) == "validation-failed"
    j.record_validation(run, "pytest -x", 0, 2.0, False, "critical", "ok")
    assert j.phase_state(1) == "validated"  # the latest result of each command counts
    j.record_validation(run, "slow", None, 600.0, True, "critical", "")
    assert j.phase_state(1) == "validation-failed"
    crashed = j.begin_run(2, "two", "run 2 -y")
    j.close()
    with Journal.open(repo) as again:
        assert [r.id for r in again.interrupted_runs()] == [crashed]
        assert again.phase_state(2) == "running"
        again.end_run(crashed, "interrupted")
        assert again.phase_state(2) == "interrupted"
        with pytest.raises(ValueError):
            again.end_run(crashed, "exploded")


def test_decisions_for_resume(repo: Path) -> None:
    with Journal.open(repo) as j:
        first = j.begin_run(1, "one", "run -i")
        j.record_hunk(first, "pkg/a.py", "k1", 0, "move_symbol", "a\n", "b\n", "accepted")
        j.record_hunk(first, "pkg/a.py", "k2", 1, "move_symbol", "c\n", "d\n", "rejected", cluster="c1")
        j.record_hunk(first, "pkg/a.py", "k3", 2, "move_symbol", "e\n", "f\n", "pending")
        j.end_run(first, "interrupted")
        second = j.begin_run(1, "one", "run -i --revisit")
        j.record_hunk(second, "pkg/a.py", "k2", 1, "move_symbol", "c\n", "d\n", "edited")
        j.end_run(second, "applied")
        other = j.begin_run(2, "two", "run -i")
        j.record_hunk(other, "pkg/b.py", "k9", 0, "move_symbol", "", "", "accepted")
        assert j.decisions(1) == {"k1": "accepted", "k2": "edited"}
        j.end_run(second, "rolled-back")
        j.end_run(first, "rolled-back")
        assert j.decisions(1) == {}
        with pytest.raises(ValueError):
            j.record_hunk(other, "p", "k", 0, "r", "", "", "maybe")


def test_log_is_json_and_complete(repo: Path) -> None:
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "phasemod run 1 -y")
        apply_change(j, repo, run, "pkg/a.py", b"new\r\n")
        j.record_hunk(run, "pkg/a.py", "k1", 0, "move_symbol", "old\r\n", "new\r\n", "accepted", "c1")
        j.record_validation(run, "pytest", 0, 1.25, False, "critical", "x" * 50_000)
        j.end_run(run, "applied")
        other = j.begin_run(2, "two", "phasemod run 2 -y")
        j.end_run(other, "applied")
        rb = j.begin_rollback([run], 1)
        j.end_rollback(rb, "conflicts", 0, ["pkg/a.py"])
        full = json.loads(json.dumps(j.log()))
        one = j.log(1)
    assert [r["id"] for r in full["runs"]] == [run, other]
    assert [r["id"] for r in one["runs"]] == [run]
    (entry,) = one["runs"]
    assert entry["outcome"] == "applied" and entry["command"] == "phasemod run 1 -y"
    assert entry["files"][0]["path"] == "pkg/a.py" and entry["files"][0]["state"] == "applied"
    assert "content_before" not in entry["files"][0]
    assert entry["hunks"] == [{"path": "pkg/a.py", "key": "k1", "index": 0, "recipe": "move_symbol",
                               "before": "old\r\n", "after": "new\r\n", "decision": "accepted",
                               "cluster": "c1", "decided_at": entry["hunks"][0]["decided_at"]}]
    (validation,) = entry["validations"]
    assert validation["timed_out"] is False and len(validation["output_tail"]) == journal_module.OUTPUT_TAIL_LIMIT
    assert one["rollbacks"][0]["run_ids"] == [run] and one["rollbacks"][0]["conflicts"] == ["pkg/a.py"]
    assert j_log_phase_two_has_no_rollback(repo)


def j_log_phase_two_has_no_rollback(repo: Path) -> bool:
    with Journal.open(repo) as j:
        return j.log(2)["rollbacks"] == []


def test_state_dir_symlink_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".phasemod").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UntrustedState, match="symbolic link"):
        Journal.open(repo)
    assert list(elsewhere.iterdir()) == []


def test_create_records_made_directories(repo: Path) -> None:
    with Journal.open(repo) as j:
        run = j.begin_run(1, "one", "cmd")
        apply_change(j, repo, run, "fresh/deep/new.py", b"new\n", expected=None, mode=0o640)
        (row,) = j.files([run])
        assert row.created_dirs == ("fresh", "fresh/deep") and row.mode_after == 0o640
        assert j.log()["runs"][0]["files"][0]["created_dirs"] == ["fresh", "fresh/deep"]
        with pytest.raises(apply.FileChanged):
            apply_change(j, repo, run, "fresh/deep/new.py", b"again", expected=None)


def test_a_hunk_decided_again_in_a_run_counts_once_and_undo_removes_it(repo: Path) -> None:
    with Journal.open(repo) as j:
        first = j.begin_run(1, "one", "run -i")
        j.record_hunk(first, "pkg/a.py", "k1", 0, "move_symbol", "a\n", "b\n", "accepted")
        j.end_run(first, "interrupted")
        run = j.begin_run(1, "one", "run -i")
        j.record_hunk(run, "pkg/a.py", "k2", 1, "move_symbol", "c\n", "d\n", "accepted")
        j.record_hunk(run, "pkg/a.py", "k2", 1, "move_symbol", "c\n", "d\n", "rejected")
        j.record_hunk(run, "pkg/a.py", "k3", 2, "move_symbol", "e\n", "f\n", "accepted")
        j.withdraw_hunk(run, "k3")
        # an earlier run's decision undone in this one: a pending row asks it again
        j.record_hunk(run, "pkg/a.py", "k1", 0, "move_symbol", "a\n", "b\n", "pending")
        rows = j.log(1)["runs"][1]["hunks"]
        assert [(h["key"], h["decision"]) for h in rows] == [("k2", "rejected"), ("k1", "pending")]
        assert j.decisions(1) == {"k2": "rejected"}
        assert j.decided_keys(1) == {"pkg/a.py": [("k1", 0), ("k2", 1)]}
