"""status answers an unchanged tree from its content-keyed cache, without parsing, and
notices a changed file.

Tests only; the sample repository is copied under tmp_path.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from phasemod.demo import prepare
from phasemod.manifest import load_manifests
from phasemod.status import phase_status


def counts(repo: Path) -> list[tuple[int, int, dict]]:
    phases = load_manifests(repo / "phase_manifests")
    return [(s.phase.number, s.remaining, s.by_kind) for s in phase_status(repo, phases, jobs=1)]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = prepare(tmp_path / "repo")
    (repo / ".phasemod").mkdir()
    return repo


def test_unchanged_tree_is_answered_without_parsing(repo: Path, parses: list[str]) -> None:
    first = counts(repo)
    assert sum(n for _, n, _ in first) > 0 and parses
    calls = parses
    calls.clear()
    assert counts(repo) == first
    assert calls == []
    # same bytes, new mtime: the content hash still matches, so still no parse
    for path in repo.rglob("*.py"):
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000_000))
    assert counts(repo) == first
    assert calls == []


def test_a_changed_file_is_parsed_again(repo: Path, parses: list[str]) -> None:
    first = counts(repo)
    target = repo / "netra_backend" / "app" / "dependencies.py"
    target.write_text(target.read_text() + "\nextra = ExecutionEngine\n")
    parsed = parses
    parsed.clear()
    second = counts(repo)
    assert len(parsed) == 1
    assert second[0][1] == first[0][1] + 1
    assert second[1:] == first[1:]
