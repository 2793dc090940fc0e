"""Phase gating and rollback ordering: a phase runs only after its requirements are
applied and validated; a phase that a later applied phase requires is not rolled back."""
from __future__ import annotations

from pathlib import Path

from cli_repo import make_repo, run_cli, snapshot

OK = "python -c pass"


def test_run_refused_until_required_phase_is_applied_and_validated(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", phases=2, validate={1: OK, 2: OK})
    refused = run_cli(repo, "run", "2", "--yes")
    assert refused.exit_code == 1
    assert "phase 2 (phase-2) requires earlier phases: phase 1 (phase-1) is not-run" in refused.stdout
    assert "phasemod run 1 --yes" in refused.stdout
    assert "New" not in (repo / "pkg/p2_0.py").read_text()

    assert run_cli(repo, "run", "1", "--yes", "--no-validate").exit_code == 0
    still = run_cli(repo, "run", "2", "--yes")
    assert still.exit_code == 1 and "phase 1 (phase-1) is applied" in still.stdout
    assert "phasemod validate" in still.stdout
    assert run_cli(repo, "validate", "1").exit_code == 0
    assert run_cli(repo, "run", "2", "--yes").exit_code == 0


def test_no_validate_run_accepts_phases_whose_validation_it_skips(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", phases=2, validate={1: OK})
    result = run_cli(repo, "run", "--all", "--yes", "--no-validate")
    assert result.exit_code == 0, result.stdout
    assert "phase 1 phase-1: 3 files selected, 3 changed" in result.stdout
    assert "New" in (repo / "pkg/p2_0.py").read_text()


def test_run_all_stops_at_the_refused_phase(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", phases=3, validate={1: OK})
    assert run_cli(repo, "run", "1", "--yes", "--no-validate").exit_code == 0
    result = run_cli(repo, "run", "2", "3", "--yes")
    assert result.exit_code == 1
    assert "phase 2 phase-2: refused: phase 2 (phase-2) requires earlier phases: phase 1 (phase-1) is applied" \
        in result.stdout
    assert "phase 3" not in result.stdout.split("refused", 1)[1]
    assert "New" not in (repo / "pkg/p2_0.py").read_text()


def test_failed_validation_with_stop_gates_the_next_phase(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", phases=2, validate={1: "python -c 'import sys; sys.exit(1)'"},
                     on_failure="stop")
    first = run_cli(repo, "run", "--all", "--yes")
    assert first.exit_code == 1 and "phase 2" not in first.stdout   # stopped after phase 1
    second = run_cli(repo, "run", "2", "--yes")
    assert second.exit_code == 1 and "phase 1 (phase-1) is validation-failed" in second.stdout


def test_rollback_refused_while_a_dependent_phase_is_applied(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", phases=2)
    original = snapshot(repo)
    assert run_cli(repo, "run", "--all", "--yes").exit_code == 0
    refused = run_cli(repo, "rollback", "1", "--yes")
    assert refused.exit_code == 1
    assert "phase 2 (phase-2) requires it and is still applied; roll back phase 2 first" in refused.stderr
    by_run = run_cli(repo, "rollback", "--run", "1", "--yes")
    assert by_run.exit_code == 1
    assert run_cli(repo, "rollback", "2", "--yes").exit_code == 0
    assert run_cli(repo, "rollback", "1", "--yes").exit_code == 0
    assert snapshot(repo) == original


def test_rollback_conflict_is_listed_and_nothing_is_overwritten(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    original = snapshot(repo)
    assert run_cli(repo, "run", "1", "--yes").exit_code == 0
    edited = repo / "pkg/p1_1.py"
    edited.write_text(edited.read_text() + "# my own change\n")
    before = snapshot(repo)
    result = run_cli(repo, "rollback", "1")          # no --yes, no terminal: conflicts need no question
    assert result.exit_code == 1
    assert "conflict pkg/p1_1.py: changed since run 1 wrote it" in result.stdout
    # the other files are what it would restore, not what it restored
    assert "would restore pkg/p1_0.py" in result.stdout and "\nrestore " not in "\n" + result.stdout
    assert "1 conflict: nothing was rolled back" in result.stdout
    assert "nothing was rolled back or overwritten" in result.stdout
    assert snapshot(repo) == before
    forced = run_cli(repo, "rollback", "1", "--yes", "--force")
    assert forced.exit_code == 0 and "1 conflicting file overwritten" in forced.stdout
    assert snapshot(repo) == original


def test_rollback_usage_errors(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    assert run_cli(repo, "rollback").exit_code == 2
    nothing = run_cli(repo, "rollback", "1", "--yes")
    assert nothing.exit_code == 2 and "no journal yet" in nothing.stderr
    run_cli(repo, "run", "1", "--yes")
    assert run_cli(repo, "rollback", "--run", "99", "--yes").exit_code == 2
    confirm = run_cli(repo, "rollback", "1")
    assert confirm.exit_code == 2 and "pass --yes" in confirm.stderr
