"""Rollback against a user who keeps working: re-runs, chmods, deleted manifests and a
kill at every rollback step never lose a byte (repository and sentinel compared after each).
"""
from __future__ import annotations

import json
import os
import signal
import shutil
from pathlib import Path

from hostile_support import cli_run, files_of, make_repo, one_line_error, outside
from cli_repo import run_process

SOURCE = b"from pkg.old import Old\n\n\ndef make():\n    return Old()\n"
USER_ADDS = b"\n\nfrom pkg.old import Old\n\n\ndef mine():\n    return Old()  # user work\n"


def _runs(repo: Path) -> list[dict]:
    result = cli_run(repo, "log", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["runs"]


def test_rollback_after_a_rerun_keeps_the_users_edit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    target = repo / "pkg/a.py"
    target.write_bytes(target.read_bytes() + USER_ADDS)          # the user's work, using the old name
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    assert b"return New()  # user work" in target.read_bytes()
    before, before_out = files_of(repo), outside(repo)
    result = cli_run(repo, "rollback", "1", "--yes")
    assert result.exit_code == 1, result.output
    assert "pkg/a.py: changed between run 1 and run 2" in result.output
    assert files_of(repo) == before and outside(repo) == before_out
    forced = cli_run(repo, "rollback", "1", "--yes", "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes() == SOURCE and outside(repo) == before_out
    kept = sorted(p for p in (repo / ".phasemod" / "conflicts").rglob("*") if p.is_file())
    assert [p.name for p in kept] == ["pkg%2Fa.py", "pkg%2Fa.py.between-runs"]
    assert kept[0].read_bytes() == before["pkg/a.py"][1]               # the bytes forced over
    assert kept[1].read_bytes().endswith(USER_ADDS)                    # the user's edit between the runs


def test_a_chmod_after_the_run_is_a_conflict(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    os.chmod(repo / "pkg/a.py", 0o600)
    before, before_out = files_of(repo), outside(repo)
    result = cli_run(repo, "rollback", "1", "--yes")
    assert result.exit_code == 1 and "pkg/a.py: changed since run 1 wrote it (now has mode 600)" in result.output
    assert files_of(repo) == before and outside(repo) == before_out


def test_rollback_reads_only_the_journal(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE, "pkg/b.py": SOURCE})
    original, before_out = files_of(repo), outside(repo)
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    (repo / "phase_manifests" / "01.yaml").write_text("phase: [oops\n")
    result = cli_run(repo, "rollback", "one", "--yes")
    assert result.exit_code == 0, result.output
    assert "rolling back from the journal alone" in result.stderr
    assert {k: v for k, v in files_of(repo).items() if "phase_manifests" not in k} == \
        {k: v for k, v in original.items() if "phase_manifests" not in k}
    (repo / "phase_manifests" / "01.yaml").unlink()
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 2   # nothing to run without manifests
    shutil.rmtree(repo / "phase_manifests")   # its record/ notes the run
    assert outside(repo) == before_out


def test_rollback_by_run_id_without_manifests(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    original = files_of(repo)
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    (repo / "phase_manifests" / "01.yaml").unlink()
    result = cli_run(repo, "rollback", "--run", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert {k: v for k, v in files_of(repo).items() if k != "phase_manifests/01.yaml"} == \
        {k: v for k, v in original.items() if k != "phase_manifests/01.yaml"}


def test_huge_run_ids_are_one_line_errors(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    before = files_of(repo)
    result = cli_run(repo, "rollback", "--run", str(2**64), "--yes")
    assert result.exit_code == 2 and "2**64" not in result.output
    result = cli_run(repo, "rollback", str(2**64), "--yes")
    assert result.exit_code == 2 and "not in the journal" in one_line_error(result)
    assert files_of(repo) == before


def test_a_kill_at_every_rollback_step_is_finished_by_the_next_command(tmp_path: Path) -> None:
    step = 0
    while True:
        step += 1
        repo = make_repo(tmp_path / f"kill{step}", {"pkg/a.py": SOURCE, "pkg/b.py": SOURCE})
        original, before_out = files_of(repo), outside(repo)
        assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0
        killed = run_process(repo, "rollback", "1", "--yes", env={"PHASEMOD_TEST_KILL_AT_STEP": str(step)})
        if killed.returncode == 0:
            break
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        again = cli_run(repo, "rollback", "1", "--yes")
        assert again.exit_code == 0, (step, again.output)
        assert files_of(repo) == original and outside(repo) == before_out, step
        assert [r["outcome"] for r in _runs(repo)] == ["rolled-back"], step
    assert step > 8      # begun, two restores of several steps each, files done, ended
