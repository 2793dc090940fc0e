"""`phasemod log [PHASE] [--json]`: readable text and the documented JSON."""
from __future__ import annotations

import json
from pathlib import Path

from cli_repo import make_repo, run_cli


def test_log_text_and_json(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", validate={1: "python -c pass"})
    assert run_cli(repo, "log").stdout.strip() == "the journal is empty"
    assert not (repo / ".phasemod").exists()
    run_cli(repo, "run", "1", "--yes")
    text = run_cli(repo, "log", "1").stdout
    assert "run 1  phase 1 phase-1  applied" in text
    assert "hunks: 9 decided: 9 accepted, 0 edited, 0 rejected" in text
    assert "write  applied  pkg/p1_0.py" in text and "validate [critical] python -c pass: exit 0" in text
    data = json.loads(run_cli(repo, "log", "--json").stdout)
    assert data["schema"] == 2 and data["rollbacks"] == []
    run = data["runs"][0]
    assert set(run) >= {"id", "phase", "phase_name", "command", "pid", "started", "ended", "outcome", "files",
                        "hunks", "validations"}
    assert run["files"][0]["mode_before"] == 0o644 and run["files"][0]["state"] == "applied"
    assert run["validations"][0]["exit_code"] == 0 and run["validations"][0]["timed_out"] is False
    run_cli(repo, "rollback", "1", "--yes")
    data = json.loads(run_cli(repo, "log", "--json").stdout)
    assert data["runs"][0]["outcome"] == "rolled-back"
    assert data["rollbacks"][0]["run_ids"] == [1] and data["rollbacks"][0]["outcome"] == "restored"


def test_log_of_one_phase_and_of_an_unknown_phase(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", phases=2)
    run_cli(repo, "run", "--all", "--yes")
    data = json.loads(run_cli(repo, "log", "2", "--json").stdout)
    assert [r["phase"] for r in data["runs"]] == [2]
    assert run_cli(repo, "log", "7").exit_code == 2
