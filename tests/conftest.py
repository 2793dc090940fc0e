"""Shared test setup.

Where a test goes:
- tests/recipes/: one module per recipe (golden cases, its examples, its options);
- tests/cli/: a command end to end, through CliRunner or a real process (pexpect for review);
- tests/engine/: one engine module of phasemod/ at a time (manifest, journal, apply, syntax, ...);
- tests/reliability/: faults, crashes, hostile input, security, properties.
Helpers live beside this file: repos.py (``write_repo``, the one helper that builds a test
repository), cli_repo.py and hostile_support.py (the repositories the CLI and the hostile
tests use, built with it), bench_paths.py. Data: cases*/, manifests/, syntax/ (not
collected, see setup.cfg's norecursedirs), recipe_plugins/.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:   # the helpers above import each other as top-level modules
    sys.path.insert(0, str(TESTS))



@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text handed to the parser in this process, whole (`syntax.parse`) or with only
    the statements that can matter parsed (`syntax.lean.parse_lean`, which falls back to a
    whole parse itself without being counted twice)."""
    import phasemod.syntax
    import phasemod.syntax.lean

    seen: list[str] = []
    whole, lean = phasemod.syntax.parse, phasemod.syntax.lean.parse_lean

    def counting(text: str):
        seen.append(text)
        return whole(text)

    def counting_lean(text: str, words):
        seen.append(text)
        return lean(text, words)

    monkeypatch.setattr(phasemod.syntax, "parse", counting)
    monkeypatch.setattr(phasemod.syntax.lean, "parse_lean", counting_lean)
    return seen
