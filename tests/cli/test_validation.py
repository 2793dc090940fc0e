"""Validation through the CLI: automatic after run, `validate PHASE`, timeouts that kill
the process group, severities, on_failure rollback/stop, output tail recorded."""
from __future__ import annotations

import json
import time
from pathlib import Path

from cli_repo import make_repo, run_cli, snapshot

FAIL = "python -c \"print('checking'); import sys; sys.exit(3)\""


def test_failed_critical_validation_rolls_back_and_exits_1(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", validate={1: FAIL})
    original = snapshot(repo)
    result = run_cli(repo, "run", "1", "--yes")
    assert result.exit_code == 1
    assert "exit 3" in result.stdout and "the phase was rolled back" in result.stdout
    assert snapshot(repo) == original
    run = json.loads(run_cli(repo, "log", "--json").stdout)["runs"][0]
    assert run["outcome"] == "rolled-back"
    assert run["validations"][0]["exit_code"] == 3 and "checking" in run["validations"][0]["output_tail"]


def test_on_failure_stop_leaves_the_phase_applied(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", validate={1: FAIL}, on_failure="stop")
    original = snapshot(repo)
    result = run_cli(repo, "run", "1", "--yes")
    assert result.exit_code == 1
    assert "stays applied (on_failure: stop)" in result.stdout
    assert snapshot(repo) != original
    # validate again after a fix: the phase becomes validated
    (repo / "phase_manifests/01.yaml").write_text((repo / "phase_manifests/01.yaml").read_text()
                                                  .replace("sys.exit(3)", "sys.exit(0)"))
    again = run_cli(repo, "validate", "1")
    assert again.exit_code == 0 and "ok" in again.stdout
    assert [v["exit_code"] for v in json.loads(run_cli(repo, "log", "--json").stdout)["runs"][0]["validations"]] \
        == [3, 0]


def test_warn_failure_is_reported_without_rollback(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", validate={1: FAIL})
    manifest = repo / "phase_manifests/01.yaml"
    manifest.write_text(manifest.read_text().replace("on_failure:", "    severity: warn\non_failure:"))
    result = run_cli(repo, "run", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert "validate [warn]" in result.stdout and "exit 3" in result.stdout


def test_timeout_kills_the_process_group(tmp_path: Path) -> None:
    # the child of the shell would keep running (and write 'late') if only the shell were killed
    repo = make_repo(tmp_path / "repo", validate={1: "(sleep 3; touch late) & sleep 30"}, timeout=0.5)
    started = time.monotonic()
    result = run_cli(repo, "run", "1", "--yes")
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert "timed out" in result.stdout and "rolled back" in result.stdout
    tail = json.loads(run_cli(repo, "log", "--json").stdout)["runs"][0]["validations"][0]
    assert tail["timed_out"] is True and tail["exit_code"] is None and "timed out after 0.5s" in tail["output_tail"]
    time.sleep(3.2)
    assert not (repo / "late").exists()


def test_no_validate_and_validate_before_any_run(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", validate={1: FAIL})
    refused = run_cli(repo, "validate", "1")
    assert refused.exit_code == 1 and "has not been run" in refused.stderr
    result = run_cli(repo, "run", "1", "--yes", "--no-validate")
    assert result.exit_code == 0 and "validate" not in result.stdout
    failed = run_cli(repo, "validate", "1")
    assert failed.exit_code == 1 and "exit 3" in failed.stdout and "checking" in failed.stdout
