"""`python runner.py` in a plain checkout (a fresh clone, nothing pip-installed) runs the
same CLI as the installed `phasemod` script, from the clone's own code."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout")
    target = tmp_path_factory.mktemp("checkout") / "phasemod"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True, capture_output=True)
    # A marker only this clone has: the recipe list must come from the clone's files.
    recipe = target / "recipes" / "move_module.py"
    recipe.write_text(recipe.read_text().replace('description = "', 'description = "[from the clone] ', 1))
    return target


def _run(clone: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # -S: no site module, so no .pth file (an editable install of phasemod) is read; the
    # dependencies come from site-packages on PYTHONPATH, phasemod only from the clone.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(clone.parent), "NO_COLOR": "1",
           "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    return subprocess.run([sys.executable, "-S", str(clone / "runner.py"), *args], cwd=cwd or clone,
                          capture_output=True, text=True, env=env, timeout=300)


def test_runner_py_runs_from_a_fresh_clone(clone: Path, tmp_path: Path) -> None:
    where = _run(clone, "--version")
    assert where.returncode == 0 and "phasemod, version" in where.stdout, where.stderr
    listed = _run(clone, "recipes")
    assert listed.returncode == 0, listed.stderr
    assert "move_module  (python)  [from the clone] " in listed.stdout and "move_symbol  (python)" in listed.stdout
    probe = subprocess.run([sys.executable, "-S", "-c", "import phasemod, phasemod.recipes as r, "
                            "phasemod.phase_manifests as m; print(phasemod.__file__, r.__file__, m.__file__)"],
                           cwd=clone, capture_output=True, text=True,
                           env={"PYTHONPATH": sysconfig.get_paths()["purelib"]})
    assert probe.returncode == 0, probe.stderr
    assert all(Path(p).resolve().is_relative_to(clone.resolve()) for p in probe.stdout.split()), probe.stdout
    demo = _run(clone, "demo", "--keep", str(tmp_path / "demo"))
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "0 references remain" in demo.stdout
    plan = _run(clone, "--repo", str(tmp_path / "demo"), "status", cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
