"""Every command through Click's CliRunner: exit codes and the messages users see."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from phasemod import __version__
from phasemod.demo import prepare
from phasemod.runner import cli


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return prepare(tmp_path / "netra")


def invoke(*args: str, **kw):
    return CliRunner().invoke(cli, list(args), **kw)


def test_version_and_help() -> None:
    assert invoke("--version").output.strip() == f"phasemod, version {__version__}"
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("plan", "run", "status", "check", "validate", "rollback", "log", "demo"):
        assert command in result.output


def test_demo_migrates_the_sample_to_zero_remaining() -> None:
    result = invoke("--no-color", "demo")
    assert result.exit_code == 0, result.output
    assert "== plan" in result.output and "== run --all --yes" in result.output
    assert result.output.rstrip().endswith("0 references remain")


def test_demo_keep_refuses_an_existing_directory(tmp_path: Path) -> None:
    result = invoke("demo", "--keep", str(tmp_path))
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_plan_counts_references_by_kind_and_writes_nothing(sample: Path) -> None:
    before = {p: p.read_bytes() for p in sample.rglob("*.py")}
    result = invoke("--repo", str(sample), "plan", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    first = data["phases"][0]
    assert first["name"] == "critical-business-path"
    assert first["by_kind"]["import"] > 0 and first["by_kind"]["instantiation"] > 0
    assert sum(p["remaining"] for p in data["phases"]) == sum(sum(p["by_kind"].values()) for p in data["phases"])
    assert {p: p.read_bytes() for p in sample.rglob("*.py")} == before


def test_plan_of_one_phase_by_name(sample: Path) -> None:
    result = invoke("--repo", str(sample), "--no-color", "plan", "test-infrastructure")
    assert result.exit_code == 0
    assert "phase 3 test-infrastructure" in result.output and "phase 1 " not in result.output


def test_status_and_check_gate_before_and_after(sample: Path) -> None:
    assert invoke("--repo", str(sample), "status", "--fail-on-remaining").exit_code == 1
    check = invoke("--repo", str(sample), "check")
    assert check.exit_code == 1
    assert "netra_backend/app/dependencies.py:4: import:" in check.output
    assert invoke("--repo", str(sample), "run", "--all", "--yes").exit_code == 0
    status = invoke("--repo", str(sample), "status", "--json", "--fail-on-remaining")
    assert status.exit_code == 0
    assert json.loads(status.output)["remaining"] == 0
    assert invoke("--repo", str(sample), "check").exit_code == 0


def test_check_limited_to_paths(sample: Path) -> None:
    result = invoke("--repo", str(sample), "check", "docs")
    assert result.exit_code == 1
    assert all(line.startswith("docs/") for line in result.output.splitlines() if ": docs:" in line)


def test_dry_run_prints_a_diff_and_writes_nothing(sample: Path) -> None:
    before = {p: p.read_bytes() for p in sample.rglob("*") if p.is_file()}
    result = invoke("--repo", str(sample), "--no-color", "run", "1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine as " \
           "ExecutionEngine" in result.output
    assert {p: p.read_bytes() for p in sample.rglob("*") if p.is_file()} == before
    assert not (sample / ".phasemod").exists()


def test_run_without_a_mode_and_without_a_terminal_exits_2(sample: Path) -> None:
    result = invoke("--repo", str(sample), "run", "1", input="")
    assert result.exit_code == 2
    assert "pass --yes" in result.output


def test_run_needs_phases_or_all(sample: Path) -> None:
    result = invoke("--repo", str(sample), "run", "--yes")
    assert result.exit_code == 2
    assert "--all" in result.output


def test_unknown_phase_lists_the_known_ones(sample: Path) -> None:
    result = invoke("--repo", str(sample), "plan", "nine")
    assert result.exit_code == 2
    assert "critical-business-path" in result.output


def test_missing_repo_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("--repo", str(tmp_path / "nope"), "status")
    assert result.exit_code == 2
    assert "not a directory" in result.output


def test_missing_manifests_directory(tmp_path: Path) -> None:
    result = invoke("--repo", str(tmp_path), "status")
    assert result.exit_code == 2
    assert "no such manifests directory" in result.output


def test_bad_manifest_reports_file_line_key_and_exits_2(sample: Path) -> None:
    manifest = sample / "phase_manifests" / "01-critical-business-path.yaml"
    manifest.write_text(manifest.read_text().replace("keep_local_name: true", "keep_local_name: maybe", 1)
                        .replace("phase: 1", "phase: 1\ncolour: red"))
    result = invoke("--repo", str(sample), "plan")
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("phasemod:")]
    assert len(lines) == 2, result.output
    assert "01-critical-business-path.yaml:4: colour: unknown key" in result.output
    assert "recipes[0].move_symbol.keep_local_name: expected true or false" in result.output
    assert "Traceback" not in result.output


def test_bad_glob_is_refused(sample: Path) -> None:
    manifest = sample / "phase_manifests" / "03-test-infrastructure.yaml"
    manifest.write_text(manifest.read_text().replace("- tests/**/*.py", "- ../outside/**/*.py"))
    result = invoke("--repo", str(sample), "plan")
    assert result.exit_code == 2
    assert "03-test-infrastructure.yaml" in result.output and ".." in result.output


def test_debug_shows_tracebacks_only_when_asked(sample: Path, tmp_path: Path) -> None:
    shutil.rmtree(sample / "phase_manifests")
    (sample / "phase_manifests").mkdir()
    (sample / "phase_manifests" / "01.yaml").write_text("phase: [1\n")
    quiet = invoke("--repo", str(sample), "plan")
    assert quiet.exit_code == 2 and "Traceback" not in quiet.output
    assert "01.yaml:" in quiet.output
