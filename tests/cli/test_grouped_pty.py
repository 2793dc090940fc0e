"""Grouped review in a real terminal (pexpect): single keypresses, accept a cluster,
split one, reject one, quit mid-cluster and resume."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from test_grouped import make_repo, journal_rows

pexpect = pytest.importorskip("pexpect")


def spawn(repo: Path, *args: str, env: dict[str, str] | None = None):
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PAGER": "cat", **(env or {})}
    child = pexpect.spawn(sys.executable, ["-m", "phasemod.runner", "--repo", str(repo), *args], env=env,
                          encoding="utf-8", timeout=60, dimensions=(50, 200))
    return child


def press(child, prompt: str, key: str) -> None:
    child.expect_exact(prompt)
    child.send(key)


def test_grouped_review_in_a_terminal_quit_mid_cluster_and_resume(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    child = spawn(repo, "run", "1", "-i", "--grouped")
    child.expect_exact("cluster 1/4")
    press(child, "Apply this cluster (6 hunks) [y,n,A,s,e,v,l,k,u,g,q,?]? ", "v")   # more examples
    press(child, "How many examples [3]: ", "1\r")
    child.expect_exact("example 2/6:")
    child.expect_exact("pkg/m1.py:2")
    press(child, "[y,n,A,s,e,v,l,k,u,g,q,?]? ", "y")                                 # the import, everywhere
    press(child, "Apply this cluster (4 hunks) [y,n,A,s,e,v,l,k,u,g,q,?]? ", "s")    # split the calls
    press(child, "Apply this hunk [y,n,a,d,A,q,e,?]? ", "y")
    press(child, "Apply this hunk [y,n,a,d,A,q,e,?]? ", "n")
    press(child, "Apply this hunk [y,n,a,d,A,q,e,?]? ", "q")               # quit mid-cluster
    child.expect_exact("resumes where you left off")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert [r["decision"] for r in journal_rows(repo)] == ["accepted"] * 7 + ["rejected"]

    child = spawn(repo, "run", "1", "-i", "--grouped")
    child.expect_exact("2 hunks in 2 files (2 decided earlier)")
    press(child, "Apply this cluster (2 hunks) [y,n,A,s,e,v,l,k,u,g,q,?]? ", "l")
    child.expect_exact("pkg/m3.py: line 6")
    press(child, "[y,n,A,s,e,v,l,k,u,g,q,?]? ", "y")
    press(child, "Apply this cluster (3 hunks) [y,n,A,s,e,v,l,k,u,g,q,?]? ", "n")    # reject the attribute uses
    child.expect_exact("UNUSUAL")
    press(child, "Apply this cluster (1 hunk) [y,n,A,s,e,v,l,k,u,g,q,?]? ", "y")
    # The rejected attribute uses and call would leave `Old` unbound: the safety net asks
    # once, and `T` takes what they need in every such file.
    child.expect_exact("these decisions would break the file")
    press(child, "Keep the file whole [t,d,e,q,T,D,?]? ", "T")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    m0 = (repo / "pkg/m0.py").read_text()
    assert "return New(ctx, 0)" in m0 and "current_0 = New.default()" in m0
    assert "return New(ctx, 1)" in (repo / "pkg/m1.py").read_text()
    assert "return New(ctx, 3)" in (repo / "pkg/m3.py").read_text()
    assert 'TARGET = "pkg.new_mod.New"' in (repo / "pkg/m5.py").read_text()
    assert all(r["cluster"] for r in journal_rows(repo))


CLUSTER_EDITOR = """\
import sys
from pathlib import Path
path, log = Path(sys.argv[-1]), Path(sys.argv[-2])
text = path.read_text()
calls = log.read_text().count("=== buffer") if log.exists() else 0
log.write_text((log.read_text() if log.exists() else "") + "=== buffer\\n" + text)
if calls == 0:   # the import: applies to every hunk of the cluster
    text = text.replace("+from pkg.new_mod import New", "+from pkg.new_mod import New  # moved")
else:            # the call: changes the argument that differs from file to file
    text = text.replace("+    return New(ctx, 0)", "+    return New(ctx, 0 + 0)")
path.write_text(text)
"""
PAGER = """\
import sys
from pathlib import Path
Path(sys.argv[-1]).write_text(sys.stdin.read())
"""


def test_cluster_keys_e_l_v_and_accept_the_rest(tmp_path: Path) -> None:
    from cli_repo import run_cli

    repo = make_repo(tmp_path / "repo")
    editor, log, pager, paged = tmp_path / "editor.py", tmp_path / "buffers.txt", tmp_path / "pager.py", \
        tmp_path / "paged.txt"
    editor.write_text(CLUSTER_EDITOR)
    pager.write_text(PAGER)
    command = f"{sys.executable} {editor} {log}"
    child = spawn(repo, "run", "1", "-i", "--grouped", "--no-validate",
                  env={"EDITOR": command, "VISUAL": command, "PAGER": f"{sys.executable} {pager} {paged}"})
    child.expect_exact("edit: import of Old from pkg.old_mod -> New from pkg.new_mod")
    child.expect_exact("kinds: import")
    child.expect_exact("tokens: from pkg.[-old_mod-]{+new_mod+} import [-Old-]{+New+}")
    press(child, "Apply this cluster (6 hunks) [y,n,A,s,e,v,l,k,u,g,q,?]? ", "e")
    child.expect_exact("edited 6 hunks of cluster")
    child.expect_exact("edit: call: Old -> New")
    press(child, "Apply this cluster (4 hunks) [y,n,A,s,e,v,l,k,u,g,q,?]? ", "e")
    child.expect_exact("edited 1 hunk of cluster")
    child.expect_exact("3 hunks left undecided (a later run -i asks them):")
    child.expect_exact("pkg/m1.py:6: the edit does not apply cleanly here")
    child.expect_exact("cluster 3/4")
    press(child, "Apply this cluster (3 hunks) [y,n,A,s,e,v,l,k,u,g,q,?]? ", "l")   # through $PAGER
    press(child, "Apply this cluster (3 hunks) [y,n,A,s,e,v,l,k,u,g,q,?]? ", "v")
    press(child, "How many examples [3]: ", "2\r")
    child.expect_exact("example 2/3:")
    child.expect_exact("example 3/3:")
    child.expect_exact("pkg/m2.py:9")
    press(child, "[y,n,A,s,e,v,l,k,u,g,q,?]? ", "A")                                  # this one and the string
    child.expect_exact("3 hunks left undecided by a cluster edit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert paged.read_text() == "pkg/m0.py: line 9\npkg/m1.py: line 9\npkg/m2.py: line 9\n"
    first, second = log.read_text().split("=== buffer\n")[1:]
    assert first.startswith(' """Module 0."""\n-from pkg.old_mod import Old\n+from pkg.new_mod import New\n')
    m0 = (repo / "pkg/m0.py").read_text()
    assert "from pkg.new_mod import New  # moved" in m0 and "return New(ctx, 0 + 0)" in m0 and "New.default()" in m0
    assert "from pkg.new_mod import New  # moved" in (repo / "pkg/m4.py").read_text()
    assert 'TARGET = "pkg.new_mod.New"' in (repo / "pkg/m5.py").read_text()
    for n in (1, 2, 3):   # a hunk left undecided: the file waits, its decisions are recorded
        assert "pkg.new_mod" not in (repo / f"pkg/m{n}.py").read_text()
    assert sorted(r["decision"] for r in journal_rows(repo)) == ["accepted"] * 4 + ["edited"] * 7
    # The next review asks only the three calls; the recorded edits are reused.
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--grouped", "--no-validate", input="y\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Apply this cluster") == 1 and "cluster 1/1 [" in result.stdout
    m1 = (repo / "pkg/m1.py").read_text()
    assert "from pkg.new_mod import New  # moved" in m1 and "return New(ctx, 1)" in m1


def test_grouped_back_undo_and_goto_change_earlier_cluster_decisions(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    child = spawn(repo, "run", "1", "-i", "--grouped")
    keys = "[y,n,A,s,e,v,l,k,u,g,q,?]? "
    press(child, keys, "y")                                     # cluster 1: the import
    child.expect_exact("cluster 2/4")
    press(child, keys, "k")                                     # back to it
    child.expect_exact("decided: accepted")
    press(child, keys, "k")
    child.expect_exact("(no previous cluster)")
    press(child, keys, "n")                                     # changed: rejected now
    child.expect_exact("cluster 2/4")
    press(child, keys, "u")                                     # undo that: asked again
    child.expect_exact("(undone: cluster 1 (rejected); decide it again)")
    press(child, keys, "y")
    press(child, keys, "g")
    press(child, "go to cluster (1-4): ", "4\r")
    child.expect_exact("cluster 4/4")
    press(child, keys, "y")                                     # then back to the one skipped
    child.expect_exact("cluster 2/4")
    press(child, keys, "y")
    child.expect_exact("cluster 3/4")
    press(child, keys, "y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    rows = journal_rows(repo)
    assert [r["decision"] for r in rows] == ["accepted"] * 14      # each hunk once, its last decision
    assert len({(r["path"], r["idx"]) for r in rows}) == 14
    for n in range(6):
        assert "pkg.old_mod" not in (repo / f"pkg/m{n}.py").read_text()
