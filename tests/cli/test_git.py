"""git: dirty selected files are refused unless --allow-dirty; --commit commits a phase."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cli_repo import make_repo, run_cli

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
                                reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout


def git_repo(root: Path) -> Path:
    repo = make_repo(root)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    return repo


def test_dirty_selected_file_is_refused(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    dirty = repo / "pkg/p1_1.py"
    dirty.write_text(dirty.read_text() + "# work in progress\n")
    mine = dirty.read_bytes()
    result = run_cli(repo, "run", "1", "--yes")
    assert result.exit_code == 1
    assert "pkg/p1_1.py: refused: has uncommitted changes; commit or stash them, or pass --allow-dirty" \
        in result.stdout
    assert dirty.read_bytes() == mine
    assert "New()" in (repo / "pkg/p1_0.py").read_text()       # the clean files were migrated
    allowed = run_cli(repo, "run", "1", "--yes", "--allow-dirty")
    assert allowed.exit_code == 0 and "New()" in dirty.read_text()


def test_commit_names_the_phase_and_counts(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "repo")
    result = run_cli(repo, "run", "1", "--yes", "--commit",
                     env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                          "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})
    assert result.exit_code == 0, result.output
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("phasemod: phase 1 phase-1: 3 files changed, 0 deleted, 9 hunks accepted, 0 rejected")
    assert git(repo, "status", "--porcelain") == ""        # .phasemod/ ignores itself
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split()) == \
        ["phase_manifests/record/.gitattributes", "phase_manifests/record/phase-1.jsonl",   # the migration record
         "pkg/p1_0.py", "pkg/p1_1.py", "pkg/p1_2.py"]


def test_commit_outside_git_is_an_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    result = run_cli(repo, "run", "1", "--yes", "--commit")
    assert result.exit_code == 2 and "--commit needs a git work tree" in result.stderr
