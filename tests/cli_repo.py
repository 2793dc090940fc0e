"""Test-only helpers for the CLI tests: small repositories with manifests, byte-exact
snapshots, and ways to call `phasemod` in process (CliRunner) or as a real process."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from phasemod.runner import cli
from repos import write_repo

OLD = "pkg.old_mod.Old"
NEW = "pkg.new_mod.New"

MANIFEST = """\
phase: {number}
name: {name}
requires: {requires}
files:
  include: [{include}]
recipes:
  - move_symbol:
      old: pkg.old_mod.Old
      new: pkg.new_mod.New
      keep_local_name: false
{validate}on_failure: {on_failure}
"""


def use_file(n: int, uses: int = 2, newline: str = "\n") -> str:
    body = "from pkg.old_mod import Old\n\n" + "".join(f"\n\ndef f{i}():\n    return Old()  # use {i}\n"
                                                       for i in range(uses))
    return f"\"\"\"Module {n}.\"\"\"\n{body}".replace("\n", newline)


def make_repo(root: Path, files: int = 3, uses: int = 2, phases: int = 1, validate: dict[int, str] | None = None,
              on_failure: str = "rollback", timeout: float | None = None) -> Path:
    """pkg/old_mod.py (Old), pkg/new_mod.py (New) and pkg/p<phase>_<n>.py using Old; one
    manifest per phase selecting its own files; phase k requires k-1."""
    tree = {"pkg/__init__.py": "", "pkg/old_mod.py": "class Old:\n    pass\n", "pkg/new_mod.py": "class New:\n    pass\n"}
    manifests = {}
    for phase in range(1, phases + 1):
        for n in range(files):
            tree[f"pkg/p{phase}_{n}.py"] = use_file(n, uses)
        check = (validate or {}).get(phase)
        block = ""
        if check:
            block = f"validate:\n  - run: {check}\n" + (f"    timeout: {timeout}\n" if timeout else "")
        manifests[f"{phase:02d}.yaml"] = MANIFEST.format(
            number=phase, name=f"phase-{phase}", requires=f"[{phase - 1}]" if phase > 1 else "[]",
            include=f"\"pkg/p{phase}_*.py\"", validate=block, on_failure=on_failure)
    return write_repo(root, tree, manifests)


def snapshot(root: Path) -> dict[str, tuple[bytes, int] | str]:
    """Every file (bytes and permission bits) and directory under ``root``; .phasemod and
    the migration record (phase_manifests/record/, which records the runs) left out."""
    out: dict[str, tuple[bytes, int] | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        dirnames[:] = [d for d in dirnames if d != ".phasemod" and not (rel.name == "phase_manifests" and d == "record")]
        for d in dirnames:
            out[str(rel / d)] = "dir"
        for f in filenames:
            p = Path(dirpath) / f
            out[str(rel / f)] = (p.read_bytes(), stat.S_IMODE(p.lstat().st_mode))
    return out


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {k: v[0] for k, v in snapshot(root).items() if isinstance(v, tuple)}


def run_cli(repo: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--repo", str(repo), *args], input=input, env=env,
                                              catch_exceptions=False)


def phasemod_command() -> list[str]:
    return [sys.executable, "-m", "phasemod.runner"]


def run_process(repo: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60,
                input: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, NO_COLOR="1", **(env or {}))
    return subprocess.run([*phasemod_command(), "--repo", str(repo), *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, input=input, stdin=None if input else subprocess.DEVNULL)
