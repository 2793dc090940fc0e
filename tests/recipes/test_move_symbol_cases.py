"""Golden before/after trees for move_symbol: one folder per case under tests/cases/.

Each case is run through the CLI (`run --all --yes`), compared byte for byte with its
`after/` tree, run a second time (nothing may change) and every rewritten file compiled.
"""
from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from phasemod.runner import cli

CASES = Path(__file__).parents[1] / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "before").is_dir())


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".phasemod" not in p.parts and "phase_manifests" not in p.parts
            and "__pycache__" not in p.parts}


def run(repo: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--repo", str(repo), "run", "--all", "--yes", "--no-validate", "--jobs", "1"])
    return result.exit_code, result.output


def prepare(name: str, tmp_path: Path) -> tuple[Path, dict]:
    case = CASES / name
    repo = tmp_path / "repo"
    shutil.copytree(case / "before", repo)
    (repo / "phase_manifests").mkdir()
    shutil.copy(case / "manifest.yaml", repo / "phase_manifests" / "01.yaml")
    expect_file = case / "expect.yaml"
    expect = yaml.safe_load(expect_file.read_text()) if expect_file.exists() else {"exit": 0, "findings": []}
    return repo, expect


def test_there_are_enough_cases() -> None:
    assert len(NAMES) >= 40


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str, tmp_path: Path) -> None:
    repo, expect = prepare(name, tmp_path)
    code, output = run(repo)
    assert code == expect["exit"], output
    for needle in expect["findings"]:
        assert needle in output, output
    assert tree(repo) == tree(CASES / name / "after")

    # idempotent: a second run proposes nothing and exits as the first one did
    again, output = run(repo)
    assert again == expect["exit"], output
    assert tree(repo) == tree(CASES / name / "after")

    before = tree(CASES / name / "before")
    for rel, data in tree(repo).items():
        if rel.endswith(".py") and before.get(rel) != data and compiles(before.get(rel, b"")):
            compile(data, rel, "exec", dont_inherit=True)


def compiles(data: bytes) -> bool:
    """Whether the running Python compiles the original (3.12 syntax under 3.11 does not:
    the rewrite is then checked to parse, as the engine does)."""
    try:
        compile(data, "<before>", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


def test_case_folders_are_complete() -> None:
    for name in NAMES:
        case = CASES / name
        assert (case / "manifest.yaml").is_file(), name
        comparison = filecmp.dircmp(case / "before", case / "after")
        assert not comparison.left_only and not comparison.right_only, name
