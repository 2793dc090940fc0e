"""Golden cases: a `before/` tree, a `manifest.yaml`, an `after/` tree and an optional
`expect.yaml` (exit code, findings). Shared by the recipe case tests."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from phasemod.runner import cli

_NOT_TREE = {".phasemod", "phase_manifests", "__pycache__"}


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (but phasemod's state and manifests), by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not _NOT_TREE & set(p.parts)}


def run(repo: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--repo", str(repo), "run", "--all", "--yes", "--no-validate", "--jobs", "1"])
    return result.exit_code, result.output


def prepare(case: Path, tmp_path: Path) -> tuple[Path, dict]:
    """Copy the case's `before/` tree and manifest into ``tmp_path``; its expectations."""
    repo = tmp_path / "repo"
    shutil.copytree(case / "before", repo)
    (repo / "phase_manifests").mkdir()
    shutil.copy(case / "manifest.yaml", repo / "phase_manifests" / "01.yaml")
    expect_file = case / "expect.yaml"
    expect = yaml.safe_load(expect_file.read_text()) if expect_file.exists() else {"exit": 0, "findings": []}
    return repo, expect
