"""check as a CI gate: exit codes, PATH arguments as pre-commit passes them, the
manifests never counted, and the pre-commit hook definition.

Tests only; the sample repository is copied under tmp_path.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from phasemod.demo import prepare
from phasemod.runner import cli

ROOT = Path(__file__).resolve().parents[2]


def phasemod(repo: Path, *args: str):
    return CliRunner().invoke(cli, ["--repo", str(repo), *args])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return prepare(tmp_path / "repo")


def test_lists_every_reference_with_file_line_and_kind(repo: Path) -> None:
    result = phasemod(repo, "check")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.count(":") >= 3 and not line.startswith("phasemod")]
    assert lines and all(line.split(":")[1].isdigit() for line in lines)
    kinds = {line.split(": ")[1] for line in lines}
    assert {"import", "instantiation", "docs"} <= kinds
    assert f"phasemod check: {len(lines)} references remain" in result.output
    assert not any(line.startswith("phase_manifests/") for line in lines)


def test_paths_limit_the_gate_like_pre_commit_filenames(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    clean = CliRunner().invoke(cli, ["check", "netra_backend/__init__.py", "README.md"])
    assert clean.exit_code == 0, clean.output
    assert "no references remain" in clean.output
    dirty = CliRunner().invoke(cli, ["check", "netra_backend/app/dependencies.py"])
    assert dirty.exit_code == 1
    assert all(line.startswith("netra_backend/app/dependencies.py:") for line in dirty.output.splitlines()
               if not line.startswith("phasemod check"))
    absolute = CliRunner().invoke(cli, ["check", str(repo / "netra_backend" / "app" / "dependencies.py")])
    assert absolute.output == dirty.output


def test_passes_after_the_migration(repo: Path) -> None:
    assert phasemod(repo, "run", "--all", "--yes").exit_code == 0
    result = phasemod(repo, "check")
    assert result.exit_code == 0, result.output


def test_an_unparseable_file_with_an_old_name_fails_the_gate(repo: Path) -> None:
    broken = repo / "netra_backend" / "app" / "broken.py"
    broken.write_text("from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine\ndef (:\n")
    result = phasemod(repo, "check", "netra_backend/app/broken.py")
    assert result.exit_code == 1
    assert "netra_backend/app/broken.py:1:" in result.output


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "phasemod-check")
    assert hook["entry"] == "phasemod check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
