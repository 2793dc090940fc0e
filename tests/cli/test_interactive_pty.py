"""`run -i` in a real pseudo-terminal (pexpect): single keypresses, colours and
--no-color, `e` with a scripted $EDITOR, `q` then resume, Ctrl-C, and lock contention
between two real processes."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from cli_repo import make_repo, phasemod_command, run_cli, run_process, tree_bytes

pexpect = pytest.importorskip("pexpect")

PROMPT = r"Apply this hunk \[y,n,a,d,A,q,e,k,K,j,J,u,g,/,\?\]\? "
EDITOR = """\
import sys
from pathlib import Path
path = Path(sys.argv[-1])
path.write_text(path.read_text().replace("New()", "New()  # reviewed"))
"""


def spawn(repo: Path, *args: str, env: dict[str, str] | None = None):
    full = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full.update(TERM="xterm", **(env or {}))
    cmd = phasemod_command()
    child = pexpect.spawn(cmd[0], [*cmd[1:], "--repo", str(repo), *args], env=full, encoding="utf-8",
                          timeout=20, dimensions=(40, 200))
    return child


def test_keypresses_colour_editor_quit_and_resume(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=2, uses=1)
    original = tree_bytes(repo)
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR)
    child = spawn(repo, "run", "1", "-i", "--no-validate", env={"EDITOR": f"{sys.executable} {editor}",
                                                                 "VISUAL": f"{sys.executable} {editor}"})
    child.expect(PROMPT)
    first = child.before
    assert "\x1b[" in first                                   # coloured on a terminal
    assert re.search(r"pkg/p1_0\.py \(hunk 1/\d+\+?, file 1/\d+\+?, phase 1 phase-1\)", first)
    child.send("?")                                           # one key, no Enter
    child.expect("A - accept this hunk and everything left in the phase")
    child.expect(PROMPT)
    child.send("y")
    child.expect(PROMPT)
    child.send("e")                                           # scripted editor rewrites the hunk
    child.expect(r"pkg/p1_1\.py \(hunk 3/4, file 2/2, phase 1 phase-1\)")
    child.expect(PROMPT)
    child.send("q")
    child.expect("resumes where you left off")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "# reviewed" in (repo / "pkg/p1_0.py").read_text()
    assert tree_bytes(repo)["pkg/p1_1.py"] == original["pkg/p1_1.py"]

    # resume, colours off: only the hunks of p1_1 are asked, with the numbers they had
    child = spawn(repo, "--no-color", "run", "1", "-i", "--no-validate")
    child.expect(PROMPT)
    assert "\x1b[" not in child.before
    assert "pkg/p1_1.py (hunk 3/4, file 2/2, phase 1 phase-1)  kinds: import  cluster " in child.before
    child.send("A")
    child.expect(r"1 changed, 0 deleted, 2 hunks accepted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    log = json.loads(run_cli(repo, "log", "--json").stdout)
    assert [h["decision"] for r in log["runs"] for h in r["hunks"]] == ["accepted", "edited", "accepted", "accepted"]
    assert run_cli(repo, "rollback", "1", "--yes").exit_code == 0
    assert tree_bytes(repo) == original


def test_ctrl_c_keeps_decisions_and_no_color_env(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=2, uses=1)
    child = spawn(repo, "run", "1", "-i", "--no-validate", env={"NO_COLOR": "1"})
    child.expect(PROMPT)
    assert "\x1b[" not in child.before
    child.send("n")
    child.expect(PROMPT)
    child.sendcontrol("c")
    child.expect("interrupted; every decision is recorded")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    run = json.loads(run_cli(repo, "log", "--json").stdout)["runs"][0]
    assert run["outcome"] == "interrupted" and [h["decision"] for h in run["hunks"]] == ["rejected"]


def test_second_process_is_refused_while_a_review_holds_the_lock(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    child = spawn(repo, "run", "1", "-i")
    child.expect(PROMPT)
    try:
        other = run_process(repo, "run", "1", "--yes")
        assert other.returncode == 2
        assert f"pid {child.pid}" in other.stderr, other.stderr
        assert run_process(repo, "validate", "1").returncode == 2
        assert run_process(repo, "status").returncode == 0           # read-only commands still work
    finally:
        child.send("q")
        child.expect(pexpect.EOF)
        child.close()
    assert run_process(repo, "run", "1", "--yes").returncode == 0


# ---------------------------------------------------------------- `e`: the whole hunk in the editor
HUNK_EDITOR = """\
import sys
from pathlib import Path
path = Path(sys.argv[-1])
log = Path(sys.argv[-2])
text = path.read_text()
calls = log.read_text().count("=== buffer") if log.exists() else 0
log.write_text((log.read_text() if log.exists() else "") + "=== buffer\\n" + text)
if calls == 0:     # the deletion hunk: say where the name went instead
    text = text.replace("-    Old,  # moving\\n", "-    Old,  # moving\\n+    # Old: see pkg.new_mod\\n")
elif calls == 1:   # a typo: the name is unbound, refused
    text = text.replace("+    return New(), Other()", "+    return Neww(), Other()")
else:              # from the refused buffer: fixed
    text = text.replace("+    return Neww(), Other()", "+    return New(), Other()  # checked")
path.write_text(text)
"""
SPLIT_IMPORT = '"""Module."""\nfrom pkg.old_mod import (\n    Other,\n    Old,  # moving\n)\n\n\ndef f():\n    return Old(), Other()\n'


def test_edit_shows_the_whole_hunk_deletions_are_editable_and_refused_edits_come_back(tmp_path: Path) -> None:
    from cli_repo import MANIFEST
    from repos import write_repo

    tree = {"pkg/__init__.py": "", "pkg/old_mod.py": "class Old:\n    pass\n\n\nclass Other:\n    pass\n",
            "pkg/new_mod.py": "class New:\n    pass\n", "pkg/p1_0.py": SPLIT_IMPORT}
    repo = write_repo(tmp_path / "repo", tree, {"01.yaml": MANIFEST.format(
        number=1, name="phase-1", requires="[]", include='"pkg/p1_*.py"', validate="", on_failure="rollback")})
    editor, log = tmp_path / "editor.py", tmp_path / "buffers.txt"
    editor.write_text(HUNK_EDITOR)
    command = f"{sys.executable} {editor} {log}"
    child = spawn(repo, "--no-color", "run", "1", "-i", "--no-validate", env={"EDITOR": command, "VISUAL": command})
    child.expect(PROMPT)
    child.send("y")                                   # the new import
    child.expect(r"-    Old,  # moving")              # the deletion hunk: no + line
    child.expect(PROMPT)
    child.send("e")
    child.expect(r"\+    return New\(\), Other\(\)")
    child.expect(PROMPT)
    child.send("e")                                   # the typo: refused, with the reason
    child.expect(r"! the edited hunk breaks a name \(.*undefined name 'Neww'")
    child.expect(PROMPT)
    child.send("e")                                   # the editor again, from the refused text
    child.expect(r"1 changed, 0 deleted, 1 hunk accepted, 2 edited, 0 rejected")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    first, second, third = log.read_text().split("=== buffer\n")[1:]
    # The whole hunk, git-add-p style: context, the - line, the # instructions.
    assert first.startswith(' """Module."""\n from pkg.old_mod import (\n     Other,\n-    Old,  # moving\n )\n')
    assert "# Lines starting with '#' are removed. An empty buffer cancels the edit." in first
    assert "turn its '-' into ' ' to keep the line" in first
    assert second.startswith(" \n \n def f():\n-    return Old(), Other()\n+    return New(), Other()\n# ")
    assert re.match(r"# refused: the edited hunk breaks a name \(.*undefined name 'Neww'", third)
    assert "+    return Neww(), Other()\n" in third
    assert (repo / "pkg/p1_0.py").read_text() == (
        '"""Module."""\nfrom pkg.new_mod import New  # moving\nfrom pkg.old_mod import (\n    Other,\n'
        '    # Old: see pkg.new_mod\n)\n\n\ndef f():\n    return New(), Other()  # checked\n')
    decisions = [h["decision"] for h in json.loads(run_cli(repo, "log", "--json").stdout)["runs"][0]["hunks"]]
    assert decisions == ["accepted", "edited", "edited"]
