"""Navigation keys when stdin is not a terminal (one answer per line, CliRunner)."""
from __future__ import annotations

import json
from pathlib import Path

from cli_repo import make_repo, run_cli, tree_bytes


def test_scripted_navigation_answers_one_line_each(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=2, uses=1)     # hunks 1-2 in p1_0, 3-4 in p1_1
    original = tree_bytes(repo)
    # y y: p1_0 written; u: restored, hunk 2 asked again; g 4 (same line), / on the next
    # line, then k into p1_0 and n n there; then hunks 3 and 4 accepted.
    answers = "y\ny\nu\ng 4\n/\nuse 0\nk\nk\nn\nn\ny\ny\n"
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--no-validate", input=answers)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "(undone: hunk 2 (accepted); decide it again)" in out
    assert "go to hunk (1-" not in out                                 # `g 4` needs no question
    assert "search hunks for (regular expression): use 0" in out
    assert "pkg/p1_1.py (hunk 4/4, file 2/2, phase 1 phase-1)" in out
    assert tree_bytes(repo)["pkg/p1_0.py"] == original["pkg/p1_0.py"]
    assert "New()" in (repo / "pkg/p1_1.py").read_text()
    (run,) = json.loads(run_cli(repo, "log", "--json").stdout)["runs"]
    assert run["decisions"] == {"accepted": 2, "edited": 0, "rejected": 2}
    assert [(f["path"], f["state"]) for f in run["files"]] == [("pkg/p1_0.py", "restored"), ("pkg/p1_1.py", "applied")]
