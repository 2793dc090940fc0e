"""The import safety net in a real terminal (pexpect): a partial review that would break
names or imports is never written silently; one multi-line import is one hunk."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cli_repo import make_repo, phasemod_command, run_cli

pexpect = pytest.importorskip("pexpect")

PROMPT = r"Apply this hunk \[y,n,a,d,A,q,e,k,K,j,J,u,g,/,\?\]\? "
SAFETY = r"Keep the file whole \[(t,)?d,e,q,T,D,\?\]\? "


def spawn(repo: Path, *args: str):
    cmd = phasemod_command()
    return pexpect.spawn(cmd[0], [*cmd[1:], "--repo", str(repo), "--no-color", *args], encoding="utf-8",
                         timeout=30, dimensions=(40, 200), env={"TERM": "xterm", "PATH": "/usr/bin:/bin"})


def imports(repo: Path, module: str) -> int:
    return subprocess.run([sys.executable, "-c", f"import {module}"], cwd=repo, capture_output=True).returncode


def test_partial_accepts_that_break_a_file_are_asked_about(tmp_path: Path) -> None:
    """Issue 13 point 1: y/n/y on an import and its uses (keep_local_name: false)."""
    repo = make_repo(tmp_path / "repo", files=2, uses=2)
    child = spawn(repo, "run", "1", "-i", "--no-validate")
    for key in "yny":                                   # p1_0.py: import yes, first use no, second use yes
        child.expect(PROMPT)
        child.send(key)
    child.expect("pkg/p1_0.py: these decisions would break the file:")
    child.expect(r"pkg/p1_0.py:\d+: undefined name 'Old' \(bound before the rewrite, unbound after it\)")
    child.expect(r"t - take hunk 2 too")
    child.expect(r"d - drop hunks 1, 3 too")
    child.expect(SAFETY)
    child.send("t")
    for key in "nyn":                                   # p1_1.py: only a use of the new name
        child.expect(PROMPT)
        child.send(key)
    child.expect(r"pkg/p1_1.py:\d+: undefined name 'New'")
    child.expect(SAFETY)
    child.send("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Old" not in (repo / "pkg/p1_0.py").read_text()           # taken whole
    assert "New" not in (repo / "pkg/p1_1.py").read_text()           # dropped whole
    assert imports(repo, "pkg.p1_0, pkg.p1_1") == 0
    log = run_cli(repo, "log", "1", "--json").output
    assert '"decision": "accepted"' in log and '"decision": "rejected"' in log


def test_sample_multiline_import_is_one_hunk(tmp_path: Path) -> None:
    """Point 1 on the sample: supervisor_ssot.py's import change is one decision, as in --dry-run."""
    from phasemod import demo

    repo = demo.prepare(tmp_path / "sample")
    child = spawn(repo, "run", "1", "-i", "--no-validate")
    for _ in range(2):
        child.expect(PROMPT)
        child.send("y")
    child.expect(r"supervisor_ssot\.py \(hunk 3/")
    child.expect(r"-    ExecutionEngine,  # moving to user_execution_engine")
    child.expect(r"\+from netra_backend\.app\.agents\.supervisor\.user_execution_engine import "
                 r"UserExecutionEngine as ExecutionEngine")
    child.expect(PROMPT)
    child.send("y")
    child.expect(PROMPT)
    child.send("A")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert imports(repo, "netra_backend.app.agents.supervisor_ssot") == 0
