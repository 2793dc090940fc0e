"""A real-project shape, vendored (tests/vendored/tinyweb_cut, written for this test): a
class cut by hand into a new module, its old module still subclassing and defaulting to
it, and a typed-package `X as X` re-export. phasemod must leave the package importable,
its own tests green and pyflakes' F401/F811/F821 with nothing to say."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_repo import run_cli

VENDORED = Path(__file__).parent / "vendored" / "tinyweb_cut"


def own_tests(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                           "tests/check_tinyweb.py"], cwd=repo, capture_output=True, text=True)


def test_cut_class_migrates_to_a_green_suite(tmp_path: Path) -> None:
    repo = tmp_path / "tinyweb"
    shutil.copytree(VENDORED, repo)
    assert own_tests(repo).returncode != 0                       # the hand cut broke the package
    result = run_cli(repo, "run", "1", "--yes", "--no-validate")
    assert result.exit_code == 0, result.output
    init = (repo / "tinyweb/__init__.py").read_text()
    assert "from .request import Request as Request\n" in init   # the explicit re-export kept
    assert "from tinyweb.request import Request\n" in (repo / "tinyweb/runtime.py").read_text()
    tests = own_tests(repo)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert run_cli(repo, "check").exit_code == 0
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed: pip install ruff to check F401/F811/F821")
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F401,F811,F821",
                           "tinyweb", "tests"], cwd=repo, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
