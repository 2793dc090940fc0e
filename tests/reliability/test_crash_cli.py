"""Crash safety through the real CLI: `phasemod run --all --yes` SIGKILLed at every step
of the write protocol, then `status` notices the interrupted run and `rollback` restores
the original tree byte for byte; SIGTERM and SIGINT stop a run cleanly."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cli_repo import make_repo, phasemod_command, run_cli, run_process, snapshot

STEPS_PER_WRITE = 5   # pending-committed, temp-partial, temp-synced, replaced, applied-committed


def varied_repo(root: Path) -> Path:
    """Two phases of two files each, with CRLF, a BOM and an executable mode among them."""
    repo = make_repo(root, files=2, uses=1, phases=2)
    crlf = repo / "pkg/p1_1.py"
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    bom = repo / "pkg/p2_0.py"
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes().replace(b"    ", b"\t"))
    os.chmod(repo / "pkg/p2_1.py", 0o755)
    return repo


def journal_rows(repo: Path, sql: str) -> list[tuple]:
    """Read the journal directly (faster than another `phasemod log` process)."""
    with sqlite3.connect(repo / ".phasemod/journal.sqlite3") as db:
        return db.execute(sql).fetchall()


def live_phases(repo: Path) -> list[int]:
    return [row[0] for row in journal_rows(repo, "SELECT DISTINCT runs.phase FROM runs JOIN files ON "
                                                 "files.run_id = runs.id WHERE files.state IN ('pending', 'applied') "
                                                 "ORDER BY runs.phase")]


def killed_run(repo: Path, step: int) -> bool:
    run = run_process(repo, "run", "--all", "--yes", env={"PHASEMOD_TEST_KILL_AT_STEP": str(step)})
    assert run.returncode in (0, -signal.SIGKILL), run.stderr
    return run.returncode == -signal.SIGKILL


def recover(repo: Path, step: int, killed: bool, original: dict, final: dict) -> None:
    # Every file is either as it was or fully rewritten (a killed write may leave its temp).
    for path, value in snapshot(repo).items():
        if not path.endswith(".phasemod-tmp"):
            assert value in (original.get(path), final.get(path)), (step, path)
    status = run_cli(repo, "status")      # the next command, in process (the kill was real)
    assert status.exit_code == 0, status.output
    if killed:
        assert "was interrupted" in status.stderr and "phasemod rollback --run" in status.stderr, status.stderr
        assert journal_rows(repo, "SELECT outcome FROM runs ORDER BY id DESC LIMIT 1") == [("interrupted",)]
        assert "was interrupted" not in run_cli(repo, "status").stderr   # said once, then recorded
    for phase in reversed(live_phases(repo)):
        back = run_cli(repo, "rollback", str(phase), "--yes")
        assert back.exit_code == 0, (step, back.output)
    assert snapshot(repo) == original, step
    assert not live_phases(repo)


def test_sigkill_at_every_step_then_rollback_is_byte_identical(tmp_path: Path) -> None:
    original = snapshot(varied_repo(tmp_path / "original"))
    done = varied_repo(tmp_path / "done")
    assert run_cli(done, "run", "--all", "--yes").exit_code == 0
    final = snapshot(done)
    assert final != original
    steps = 4 * STEPS_PER_WRITE            # four files rewritten, five protocol steps each
    points = range(1, steps + 2)           # the last one is past the end: the run finishes
    repos = [varied_repo(tmp_path / f"kill{n}") for n in points]
    with ThreadPoolExecutor(max_workers=8) as pool:
        killed = list(pool.map(killed_run, repos, points))
    assert killed == [True] * steps + [False]
    for repo, step, was_killed in zip(repos, points, killed):
        recover(repo, step, was_killed, original, final)


def test_rollback_killed_midway_finishes_on_the_next_rollback(tmp_path: Path) -> None:
    repo = varied_repo(tmp_path / "repo")
    original = snapshot(repo)
    assert run_cli(repo, "run", "1", "--yes").exit_code == 0
    # rollback-begun is step 1, then one restore (write steps + restored-committed) per file
    for step in (1, 3, 7):
        killed = run_process(repo, "rollback", "1", "--yes", env={"PHASEMOD_TEST_KILL_AT_STEP": str(step)})
        assert killed.returncode == -signal.SIGKILL
    assert run_cli(repo, "rollback", "1", "--yes").exit_code == 0
    assert snapshot(repo) == original


def slow_repo(root: Path) -> Path:
    return make_repo(root, files=2, uses=1, validate={1: "touch started && sleep 30 && touch finished"})


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_cleanly(tmp_path: Path, sig: int) -> None:
    repo = slow_repo(tmp_path / "repo")
    original = snapshot(repo)
    proc = subprocess.Popen([*phasemod_command(), "--repo", str(repo), "run", "1", "--yes"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, NO_COLOR="1"),
                            stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (repo / "started").exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, (out, err)
    assert "interrupted; decisions made so far are recorded" in err
    assert "Traceback" not in err
    time.sleep(0.2)
    assert not (repo / "finished").exists()   # the validation's process group was killed
    log = json.loads(run_process(repo, "log", "--json").stdout)
    assert log["runs"][0]["outcome"] == "interrupted"
    assert len(log["runs"][0]["hunks"]) == 4 and {f["state"] for f in log["runs"][0]["files"]} == {"applied"}
    (repo / "started").unlink()
    assert run_process(repo, "rollback", "1", "--yes").returncode == 0
    assert snapshot(repo) == original
