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


def compiles(data: bytes) -> bool:
    """Whether the running Python compiles ``data`` (3.12 syntax under 3.11 does not: the
    rewrite is then only checked to parse, as the engine does)."""
    try:
        compile(data, "<before>", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


def check_case(case: Path, tmp_path: Path) -> None:
    """Run the case; the tree must equal `after/` with the expected exit code and findings,
    a second run must change nothing, and every rewritten Python file must compile."""
    repo, expect = prepare(case, tmp_path)
    code, output = run(repo)
    assert code == expect["exit"], output
    for needle in expect["findings"]:
        assert needle in output, output
    assert tree(repo) == tree(case / "after")

    again, output = run(repo)
    assert again == expect["exit"], output
    assert tree(repo) == tree(case / "after")

    before = tree(case / "before")
    for rel, data in tree(repo).items():
        if rel.endswith(".py") and before.get(rel) != data and compiles(before.get(rel, b"")):
            compile(data, rel, "exec", dont_inherit=True)
