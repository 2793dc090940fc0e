"""`run -i` navigation in a real pseudo-terminal (pexpect): type-ahead, `u` undo of a
written file, going back across files, `j J K g /`, and what the journal keeps."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_repo import make_repo, run_cli, tree_bytes, use_file
from test_interactive_pty import PROMPT, spawn

pexpect = pytest.importorskip("pexpect")


def finish(child, code: int = 0) -> None:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code


def hunks(repo: Path) -> list[tuple[str, str]]:
    (run,) = json.loads(run_cli(repo, "log", "--json").stdout)["runs"]
    return [(h["path"], h["decision"]) for h in run["hunks"]]


def test_twenty_keys_typed_ahead_are_twenty_decisions(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=7, uses=2)      # 21 hunks, 3 per file
    keys = ["yyy", "nnn"] * 3 + ["yy"]                          # 20 decisions, file by file
    child = spawn(repo, "--no-color", "run", "1", "-i", "--no-validate")
    # All at once, before the first prompt, with arrow keys between (read whole, ignored).
    child.send("\x1b[A".join(keys) + "\x1bOB")
    child.expect(r"pkg/p1_6\.py \(hunk 21/21, file 7/7, phase 1 phase-1\)")
    child.expect(PROMPT)
    assert "unknown key" not in child.before
    child.send("q")
    finish(child)
    expected = [(f"pkg/p1_{n}.py", "accepted" if group[0] == "y" else "rejected")
                for n, group in enumerate(keys) for _ in group]
    assert hunks(repo) == expected
    assert (repo / "pkg/p1_1.py").read_text() == use_file(1)
    assert "Old" not in (repo / "pkg/p1_0.py").read_text()


def test_undo_restores_a_written_file_byte_for_byte_and_asks_again(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=2, uses=1)      # hunks 1-2 in p1_0, 3-4 in p1_1
    original = tree_bytes(repo)
    child = spawn(repo, "--no-color", "run", "1", "-i", "--no-validate")
    for key in "yy":
        child.expect(PROMPT)
        child.send(key)
    child.expect(r"pkg/p1_1\.py \(hunk 3/4")
    child.expect(PROMPT)
    assert (repo / "pkg/p1_0.py").read_bytes() != original["pkg/p1_0.py"]   # left, so written
    child.send("u")
    child.expect_exact("(undone: hunk 2 (accepted); decide it again)")
    child.expect(r"pkg/p1_0\.py \(hunk 2/4, file 1/2, phase 1 phase-1\)")
    child.expect(PROMPT)
    assert (repo / "pkg/p1_0.py").read_bytes() == original["pkg/p1_0.py"]   # restored at once
    child.send("u")
    child.expect(r"pkg/p1_0\.py \(hunk 1/4")
    for key in "nnyy":
        child.expect(PROMPT)
        child.send(key)
    child.expect("1 changed, 0 deleted, 2 hunks accepted, 2 rejected")
    finish(child)
    assert tree_bytes(repo)["pkg/p1_0.py"] == original["pkg/p1_0.py"]
    assert "New()" in (repo / "pkg/p1_1.py").read_text()
    # Each hunk once, with its last decision; the undone write is marked restored.
    assert hunks(repo) == [("pkg/p1_0.py", "rejected")] * 2 + [("pkg/p1_1.py", "accepted")] * 2
    (run,) = json.loads(run_cli(repo, "log", "--json").stdout)["runs"]
    assert [(f["path"], f["state"]) for f in run["files"]] == [("pkg/p1_0.py", "restored"), ("pkg/p1_1.py", "applied")]
    assert run_cli(repo, "rollback", "1", "--yes").exit_code == 0
    assert tree_bytes(repo) == original


def test_back_across_files_to_a_written_file_and_decide_it_again(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=2, uses=1)
    original = tree_bytes(repo)
    child = spawn(repo, "--no-color", "run", "1", "-i", "--no-validate")
    for key in "yy":
        child.expect(PROMPT)
        child.send(key)
    child.expect(PROMPT)
    child.send("k")                                            # back into the written file
    child.expect(r"pkg/p1_0\.py \(hunk 2/4, file 1/2, phase 1 phase-1\).*decided: accepted")
    child.expect(PROMPT)
    child.send("k")
    child.expect(r"pkg/p1_0\.py \(hunk 1/4")
    child.expect(PROMPT)
    child.send("k")
    child.expect_exact("(no previous hunk)")
    child.expect(PROMPT)
    child.send("J")
    child.expect(r"pkg/p1_0\.py \(hunk 2/4")
    child.expect(PROMPT)
    child.send("n")                                            # the call now, not the import
    # The file is restored, then settled again: the safety net sees `Old` unbound.
    child.expect_exact("Keep the file whole [t,d,e,q,T,D,?]? ")
    child.send("d")                                            # drop the import change too
    child.expect(r"pkg/p1_1\.py \(hunk 3/4")
    child.expect(PROMPT)
    assert (repo / "pkg/p1_0.py").read_bytes() == original["pkg/p1_0.py"]
    child.send("A")
    child.expect("1 changed, 0 deleted, 2 hunks accepted, 2 rejected")
    finish(child)
    assert hunks(repo) == [("pkg/p1_0.py", "rejected")] * 2 + [("pkg/p1_1.py", "accepted")] * 2
    assert tree_bytes(repo)["pkg/p1_0.py"] == original["pkg/p1_0.py"]


def test_j_J_K_g_and_search(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=2, uses=2)      # 6 hunks: import, use 0, use 1 per file

    def step(key: str, where: str, prompt: str = PROMPT) -> None:
        child.send(key)
        child.expect(where)
        child.expect(prompt)

    child = spawn(repo, "--no-color", "run", "1", "-i", "--no-validate")
    child.expect(PROMPT)
    step("J", r"\(hunk 2/6")                                   # next hunk, left undecided
    step("J", r"\(hunk 3/6")
    step("j", r"\(hunk 4/6")                                   # next undecided (the next file)
    step("K", r"\(hunk 3/6")                                   # previous undecided
    step("/", r"search hunks for \(regular expression\): ", "")
    step("use 0\r", r"pkg/p1_1\.py \(hunk 5/6")                # the next hunk matching, after this one
    step("/", r"search hunks for", "")
    step("nothing like this\r", r"\(no hunk matches /nothing like this/\)")
    step("g", r"go to hunk \(1-6\): ", "")
    step("2\r", r"pkg/p1_0\.py \(hunk 2/6")
    step("g", r"go to hunk", "")
    step("9\r", r"\(no hunk 9: this review has hunks 1 to 6\)")
    step("A", r"2 changed, 0 deleted, 6 hunks accepted, 0 rejected", "")
    finish(child)
    assert [d for _, d in hunks(repo)] == ["accepted"] * 6
