"""Golden before/after trees for move_symbol: one folder per case under tests/cases/.

Each case is run through the CLI (`run --all --yes`), compared byte for byte with its
`after/` tree, run a second time (nothing may change) and every rewritten file compiled.
"""
from __future__ import annotations

import filecmp
from pathlib import Path

import pytest


import golden

CASES = Path(__file__).parents[1] / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "before").is_dir())


def test_there_are_enough_cases() -> None:
    assert len(NAMES) >= 40


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str, tmp_path: Path) -> None:
    golden.check_case(CASES / name, tmp_path)


def test_case_folders_are_complete() -> None:
    for name in NAMES:
        case = CASES / name
        assert (case / "manifest.yaml").is_file(), name
        comparison = filecmp.dircmp(case / "before", case / "after")
        assert not comparison.left_only and not comparison.right_only, name
