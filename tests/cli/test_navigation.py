"""Navigation keys when stdin is not a terminal (one answer per line, CliRunner)."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

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


KEYS = st.sampled_from(["y", "n", "a", "d", "k", "K", "j", "J", "u", "g 1", "g 3", "/p1_2", "/nothing"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(keys=st.lists(KEYS, max_size=14), end=st.sampled_from(["q", "A"]))
def test_any_key_sequence_leaves_files_whole_and_the_journal_true(tmp_path_factory, keys: list[str],
                                                                   end: str) -> None:
    """Whatever goes back and forth: each file is as it was or fully migrated, as its
    last decision says; one applied write per changed file; counts agree; rollback is exact."""
    repo = make_repo(tmp_path_factory.mktemp("nav") / "repo", files=4, uses=0)   # one hunk per file
    original = tree_bytes(repo)
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--no-validate", input="\n".join([*keys, end]) + "\n")
    assert result.exit_code == 0, result.output
    (run,) = json.loads(run_cli(repo, "log", "--json").stdout)["runs"]
    last = {h["path"]: h["decision"] for h in run["hunks"]}
    applied = [f["path"] for f in run["files"] if f["state"] == "applied"]
    assert len(applied) == len(set(applied))
    for n in range(4):
        path = f"pkg/p1_{n}.py"
        now = (repo / path).read_bytes()
        if now == original[path]:
            assert path not in applied
        else:
            assert last.get(path) == "accepted" and path in applied and b"pkg.new_mod" in now
    counts = run["decisions"]
    assert f"{counts['accepted']} hunk" in result.stdout and f"{counts['rejected']} rejected" in result.stdout
    assert run_cli(repo, "rollback", "1", "--yes").exit_code == 0
    assert tree_bytes(repo) == original
