"""Read-only commands on an unchanged tree replay their kept answer (phasemod/answers.py):
same output and exit code, without loading the parser or Bowler; any change is seen."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from cli_repo import make_repo

PROBE = """\
import runpy, sys
sys.argv = ["phasemod", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("phasemod.runner", run_name="__main__")
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("fissix", "bowler", "yaml")})
print("\\nMODULES", ",".join(heavy), "EXIT", code)
"""


def probe(repo: Path, *args: str) -> tuple[str, list[str], int]:
    """Run phasemod in a fresh interpreter: (its output, heavy packages it loaded, exit code)."""
    out = subprocess.run([sys.executable, "-c", PROBE, "--repo", str(repo), *args], capture_output=True, text=True,
                         env=dict(os.environ, NO_COLOR="1"), timeout=300)
    text, _, tail = out.stdout.rpartition("\nMODULES ")
    modules, _, code = tail.partition(" EXIT ")
    return text, [m for m in modules.strip().split(",") if m], int(code)


def settled_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", files=2)
    (repo / ".phasemod").mkdir(mode=0o700)
    past = time.time() - 60             # files written just now are not trusted to be final
    for path in repo.rglob("*"):
        os.utime(path, (past, past), follow_symlinks=False)
    return repo


def test_status_check_plan_replay_without_the_parser(tmp_path):
    repo = settled_repo(tmp_path)
    for args, code in ((("status", "--json", "--fail-on-remaining"), 1), (("check",), 1), (("plan", "--json"), 0)):
        first, first_modules, first_code = probe(repo, *args)
        assert "fissix" in first_modules and first_code == code
        again, modules, again_code = probe(repo, *args)
        assert (again, again_code) == (first, first_code)
        assert modules == [], args
    assert json.loads(probe(repo, "status", "--json")[0])["remaining"] == 6


def test_a_changed_file_or_manifest_is_seen(tmp_path):
    repo = settled_repo(tmp_path)
    before = json.loads(probe(repo, "status", "--json")[0])
    assert probe(repo, "status", "--json")[1] == []
    user = repo / "pkg/p1_0.py"
    user.write_text(user.read_text() + "\n\ndef extra():\n    return Old()\n")
    after, modules, _ = probe(repo, "status", "--json")
    assert "fissix" in modules
    assert json.loads(after)["remaining"] == before["remaining"] + 1
    manifest = next((repo / "phase_manifests").glob("*.yaml"))
    manifest.write_text(manifest.read_text().replace("include: [", "include: [pkg/p1_0.py, "))
    past = time.time() - 60
    os.utime(manifest, (past, past))
    _, modules, _ = probe(repo, "status", "--json")
    assert "yaml" in modules                                 # the manifests were read again
