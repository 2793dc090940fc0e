"""Golden before/after trees for move_symbol: one folder per case under tests/cases/.

Each case is run through the CLI (`run --all --yes`), compared byte for byte with its
`after/` tree, run a second time (nothing may change) and every rewritten file compiled.
"""
from __future__ import annotations

import filecmp
from pathlib import Path

import pytest


import golden
from golden import run, tree

CASES = Path(__file__).parents[1] / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "before").is_dir())


def prepare(name: str, tmp_path: Path) -> tuple[Path, dict]:
    return golden.prepare(CASES / name, tmp_path)


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
