"""The wheel installs everything under the `phasemod` namespace and works from outside the repo."""
from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True)
    (found,) = out.glob("phasemod-*.whl")
    return found


def test_wheel_keeps_generic_names_inside_the_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {n.split("/")[0] for n in names if not n.startswith("phasemod-")}
    assert top_level == {"phasemod"}
    for expected in ("phasemod/runner.py", "phasemod/recipes/move_symbol.py",
                     "phasemod/phase_manifests/01-critical-business-path.yaml",
                     "phasemod/sample/repo/netra_backend/app/dependencies.py"):
        assert expected in names, expected


def test_fresh_virtualenv_runs_version_and_demo(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True)
    if install.returncode != 0 and "No matching distribution" in install.stderr:
        pytest.skip(f"dependencies not installable here: {install.stderr.strip().splitlines()[-1]}")
    assert install.returncode == 0, install.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    exe = env_dir / "bin" / "phasemod"
    version = subprocess.run([str(exe), "--version"], cwd=outside, capture_output=True, text=True)
    assert version.returncode == 0 and "phasemod, version" in version.stdout
    demo = subprocess.run([str(exe), "--no-color", "demo"], cwd=outside, capture_output=True, text=True,
                          env={"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "== plan" in demo.stdout and "0 references remain" in demo.stdout
    probe = subprocess.run([str(python), "-c", "import importlib.util as u; print(u.find_spec('runner'), "
                            "u.find_spec('recipes'))"], cwd=outside, capture_output=True, text=True)
    assert probe.stdout.strip() == "None None"
