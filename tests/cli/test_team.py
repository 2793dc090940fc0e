"""Several clones and CI shards: the committed migration record carries phase states
between clones, shard journals merge, shard statuses sum (docs/team.md)."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from cli_repo import make_repo, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

OK = "python -c pass"
RECORD = "phase_manifests/record"


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(key, "t")
    for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(key, "t@example.invalid")


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=repo, check=check,
                          capture_output=True, text=True)


def remote_with(tmp_path: Path, **repo_options) -> tuple[Path, Path]:
    """A seed repository committed and pushed to a bare remote; (remote, seed)."""
    seed = make_repo(tmp_path / "seed", **repo_options)
    git(seed, "init", "-q")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "base")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(remote))
    return remote, seed


def clone(remote: Path, where: Path) -> Path:
    git(remote.parent, "clone", "-q", str(remote), str(where))
    return where


def files_of(root: Path) -> dict[str, bytes]:
    """The tree's files, git's, phasemod's and the record's own left out."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith((".git/", ".phasemod/", RECORD + "/")):
            out[rel] = path.read_bytes()
    return out


def test_second_clone_continues_where_the_first_validated(tmp_path: Path) -> None:
    remote, _ = remote_with(tmp_path, phases=2, validate={1: OK, 2: OK})
    a = clone(remote, tmp_path / "a")
    first = run_cli(a, "run", "1", "--yes", "--commit")
    assert first.exit_code == 0, first.output
    committed = git(a, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert f"{RECORD}/phase-1.jsonl" in committed and "pkg/p1_0.py" in committed
    git(a, "push", "-q", "origin", "HEAD")

    b = clone(remote, tmp_path / "b")          # a fresh clone: no journal, only the committed record
    assert not (b / ".phasemod").exists()
    second = run_cli(b, "run", "2", "--yes")
    assert second.exit_code == 0, second.output
    assert "New()" in (b / "pkg/p2_0.py").read_text()

    status = run_cli(b, "status")
    head = git(a, "rev-parse", "HEAD~1").stdout.strip()[:10]   # validated on the commit before its own
    assert f"phase 1 phase-1: validated (record, " in status.stdout and f"commit {head}" in status.stdout
    assert "validation: python -c pass: exit 0" in status.stdout
    data = json.loads(run_cli(b, "status", "--json").stdout)
    assert data["record"]["1"]["state"] == "validated" and data["record"]["1"]["stale"] is None

    manifest = b / "phase_manifests/01.yaml"
    manifest.write_text(manifest.read_text() + "description: widened later\n")
    stale = run_cli(b, "status")
    assert "stale: phase_manifests/01.yaml changed since the record's last validated entry" in stale.stdout
    assert "run `phasemod run 1 --yes`" in stale.stdout


def test_record_and_tree_disagree_after_a_revert(tmp_path: Path) -> None:
    remote, _ = remote_with(tmp_path, phases=2, validate={1: OK})
    a = clone(remote, tmp_path / "a")
    assert run_cli(a, "run", "1", "--yes", "--commit").exit_code == 0
    git(a, "checkout", "-q", "HEAD~1", "--", "pkg/p1_1.py")     # one file reverted by hand, and committed
    git(a, "commit", "-q", "-m", "revert one file")
    status = run_cli(a, "status")
    assert "disagrees: the record says validated with 0 references left, but its files hold 3 " \
           "(first: pkg/p1_1.py:2)" in status.stdout
    refused = run_cli(a, "run", "2", "--yes")
    assert refused.exit_code == 1
    assert "phase 1 (phase-1) does not match its record: the record says validated with 0 references left" in refused.stdout
    assert "run `phasemod run 1 --yes` to migrate them again" in refused.stdout
    assert run_cli(a, "run", "1", "--yes").exit_code == 0
    assert run_cli(a, "run", "2", "--yes").exit_code == 0


def test_fresh_clone_of_an_unvalidated_phase_is_told_to_validate_and_can(tmp_path: Path) -> None:
    remote, _ = remote_with(tmp_path, phases=2, validate={1: OK})
    a = clone(remote, tmp_path / "a")
    assert run_cli(a, "run", "1", "--yes", "--no-validate", "--commit").exit_code == 0
    git(a, "push", "-q", "origin", "HEAD")
    b = clone(remote, tmp_path / "b")
    refused = run_cli(b, "run", "2", "--yes")
    assert refused.exit_code == 1
    assert "phase 1 (phase-1) is applied: its validation has not run; run `phasemod validate 1`" in refused.stdout
    assert "run 1 --yes" not in refused.stdout                 # no advice that contradicts the state
    validated = run_cli(b, "validate", "1", "--commit")         # no local run needed: the record has one
    assert validated.exit_code == 0, validated.output
    assert git(b, "status", "--porcelain").stdout == ""         # the record's new line is committed
    assert run_cli(b, "run", "2", "--yes").exit_code == 0


def test_four_shards_merge_sum_and_roll_back(tmp_path: Path) -> None:
    remote, seed = remote_with(tmp_path, phases=2, files=4)
    base = files_of(seed)
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    for k in range(1, 5):
        shard = clone(remote, tmp_path / f"shard{k}")
        git(shard, "checkout", "-q", "-b", f"shard-{k}")
        result = run_cli(shard, "run", "1", "--yes", "--shard", f"{k}/4", "--commit")
        assert result.exit_code == 0, result.output
        assert "1 changed" in result.stdout
        (artifacts / f"status-{k}.json").write_text(run_cli(shard, "status", "--json", "--shard", f"{k}/4").stdout)
        shutil.copy(shard / ".phasemod/journal.sqlite3", artifacts / f"journal-{k}.sqlite3")
        git(shard, "push", "-q", "origin", f"shard-{k}")

    merged = clone(remote, tmp_path / "merged")
    for k in range(1, 5):
        result = git(merged, "pull", "-q", "--no-rebase", "--no-edit", "origin", f"shard-{k}", check=False)
        assert result.returncode == 0, result.stdout + result.stderr    # the record merges without conflict
    lines = (merged / RECORD / "phase-1.jsonl").read_text().splitlines()
    assert not [line for line in lines if line.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
    assert sorted(json.loads(line)["shard"] for line in lines) == ["1/4", "1/4", "2/4", "2/4", "3/4", "3/4",
                                                                     "4/4", "4/4"]
    status = json.loads(run_cli(merged, "status", "--json").stdout)
    assert status["record"]["1"]["state"] == "applied"
    assert status["record"]["1"]["shards"] == "shards 1/4, 2/4, 3/4, 4/4 applied"

    summed = run_cli(merged, "status", "--json", "--from", *sorted(map(str, artifacts.glob("status-*.json"))))
    assert summed.exit_code == 0, summed.output
    del status["record"]
    assert json.loads(summed.stdout) == status
    assert status["phases"][0]["baseline"] == 12 and status["phases"][0]["remaining"] == 0
    assert status["phases"][1]["remaining"] == 12

    journals = sorted(map(str, artifacts.glob("journal-*.sqlite3")))
    merge = run_cli(merged, "journal", "merge", *journals)
    assert merge.exit_code == 0, merge.output
    assert "added 4 runs, 4 files" in merge.stdout
    again = run_cli(merged, "journal", "merge", journals[0])
    assert again.exit_code == 1
    assert "pkg/p1_" in again.stderr and "changed at phase 1 by" in again.stderr and "nothing was merged" in again.stderr

    rolled = run_cli(merged, "rollback", "1", "--yes")
    assert rolled.exit_code == 0, rolled.output
    assert files_of(merged) == base
    assert json.loads(run_cli(merged, "status", "--json").stdout)["record"]["1"]["state"] == "rolled-back"


def tamper(journal: Path, sql: str) -> None:
    db = sqlite3.connect(journal)
    with db:
        db.execute(sql)
    db.close()


def test_journal_merge_refuses_untrusted_rows_and_writes_nothing(tmp_path: Path) -> None:
    source = make_repo(tmp_path / "source")
    assert run_cli(source, "run", "1", "--yes").exit_code == 0
    target = make_repo(tmp_path / "target")
    bad = tmp_path / "bad.sqlite3"
    shutil.copy(source / ".phasemod/journal.sqlite3", bad)
    tamper(bad, "UPDATE files SET path = '../outside.py' WHERE id = 1")
    result = run_cli(target, "journal", "merge", str(bad))
    assert result.exit_code == 2
    assert "bad.sqlite3: files row 1: path: '../outside.py' leads outside the repository" in result.stderr
    tamper(bad, "UPDATE files SET path = 'pkg/p1_0.py', content_before = x'00' WHERE id = 1")
    damaged = run_cli(target, "journal", "merge", str(bad))
    assert damaged.exit_code == 2 and "content_before: does not match hash_before" in damaged.stderr
    assert json.loads(run_cli(target, "log", "--json").stdout)["runs"] == []
    own = run_cli(source, "journal", "merge", str(source / ".phasemod/journal.sqlite3"))
    assert own.exit_code == 2 and "is this repository's own journal" in own.stderr
    not_db = tmp_path / "notes.sqlite3"
    not_db.write_text("hello")
    assert run_cli(target, "journal", "merge", str(not_db)).exit_code == 2


def test_record_lines_are_checked_and_conflict_markers_tolerated(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", phases=2, validate={1: OK})
    assert run_cli(repo, "run", "1", "--yes").exit_code == 0
    path = repo / RECORD / "phase-1.jsonl"
    lines = path.read_text().splitlines()
    # A merge made without the union driver: both sides' lines between markers.
    path.write_text("\n".join(["<<<<<<< HEAD", *lines[:2], "=======", *lines[2:], ">>>>>>> other", ""]))
    status = run_cli(repo, "status")
    assert "phase 1 phase-1: validated (record" in status.stdout
    assert run_cli(repo, "run", "2", "--yes").exit_code == 0
    path.write_text(lines[0] + "\n" + lines[1].replace('"event": "applied"', '"event": "done"') + "\n")
    broken = run_cli(repo, "status")
    assert broken.exit_code == 2
    assert f"{RECORD}/phase-1.jsonl:2: event: expected one of baseline, applied" in broken.stderr


def test_status_from_rejects_what_status_json_does_not_write(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    good = tmp_path / "good.json"
    good.write_text(run_cli(repo, "status", "--json").stdout)
    data = json.loads(good.read_text())
    data["phases"][0]["remaining"] = 99
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = run_cli(repo, "status", "--from", str(good), str(bad))
    assert result.exit_code == 2 and "bad.json: phases[0].remaining: does not match the references" in result.stderr
    one = run_cli(repo, "status", "--from", str(good))
    assert one.exit_code == 0 and "9 references remain" in one.stdout
    page = tmp_path / "report.html"
    assert run_cli(repo, "report", "--html", str(page), "--from", str(good)).exit_code == 0
    assert "phase-1" in page.read_text()
    os.remove(page)


def test_report_on_a_fresh_clone_shows_the_recorded_state(tmp_path: Path) -> None:
    remote, _ = remote_with(tmp_path, phases=2, validate={1: OK})
    a = clone(remote, tmp_path / "a")
    assert run_cli(a, "run", "1", "--yes", "--commit").exit_code == 0
    git(a, "push", "-q", "origin", "HEAD")
    b = clone(remote, tmp_path / "b")
    page = tmp_path / "report.html"
    assert run_cli(b, "report", "--html", str(page)).exit_code == 0
    text = page.read_text()
    assert "<span class='pill validated'>validated</span>" in text
    assert "<span class='pill not-run'>not-run</span>" in text      # phase 2


def test_a_stopped_review_is_partial_in_the_record(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", phases=2)
    stopped = run_cli(repo, "run", "1", "-i", "--one-by-one", input="a\nq\n")   # first file accepted, then stop
    assert stopped.exit_code == 0, stopped.output
    record = [json.loads(line) for line in (repo / RECORD / "phase-1.jsonl").read_text().splitlines()]
    assert [(e["event"], e.get("files")) for e in record] == [("baseline", None), ("partial", 1)]
    status = run_cli(repo, "status")
    assert "phase 1 phase-1: partial (record" in status.stdout
    refused = run_cli(repo, "run", "2", "--yes")
    assert "phase 1 (phase-1) is partial: not every file went through; run `phasemod run 1 --yes`" in refused.stdout


def test_two_clones_appending_to_one_record_merge_and_rebase_cleanly(tmp_path: Path) -> None:
    remote, _ = remote_with(tmp_path, phases=2, validate={1: OK})
    a = clone(remote, tmp_path / "a")
    assert run_cli(a, "run", "1", "--yes", "--no-validate", "--commit").exit_code == 0
    git(a, "push", "-q", "origin", "HEAD")
    b, c = clone(remote, tmp_path / "b"), clone(remote, tmp_path / "c")
    for other in (b, c):                        # both validate the same phase at once
        assert run_cli(other, "validate", "1", "--commit").exit_code == 0
    git(b, "push", "-q", "origin", "HEAD")
    rebased = git(c, "pull", "-q", "--rebase", "origin", "main", check=False)
    assert rebased.returncode == 0, rebased.stderr
    text = (c / RECORD / "phase-1.jsonl").read_text()
    assert "<<<<<<<" not in text and text.count('"event": "validated"') == 2
    assert "phase 1 phase-1: validated (record" in run_cli(c, "status").stdout
    git(c, "push", "-q", "origin", "HEAD")
    assert run_cli(c, "run", "2", "--yes").exit_code == 0
