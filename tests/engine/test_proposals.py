"""What `plan --clusters` computed is kept and reused by `run -i` for an unchanged tree
and manifest (phasemod/proposals.py): the kept clusters and outcomes equal fresh ones."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from cli_repo import make_repo

from phasemod import engine, grouped, phases, proposals
from phasemod.manifest import load_manifests


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo", files=3, uses=3)
    (root / "pkg/p1_1.py").write_text("from pkg import old_mod\n\n\ndef f():\n    return old_mod.Old()  # odd one\n")
    (root / ".phasemod").mkdir(mode=0o700)
    past = time.time() - 60             # a tree written just now is not kept
    for path in root.rglob("*"):
        os.utime(path, (past, past), follow_symlinks=False)
    return root


def fresh(repo: Path, phase) -> list:
    return list(engine.run_selection(repo, engine.select_phase(repo, phase), jobs=1))


def test_kept_clusters_and_outcomes_equal_fresh_ones(repo: Path):
    phase = load_manifests(repo / "phase_manifests")[0]
    computed = grouped.phase_clusters(repo, phase, jobs=1)
    assert computed.hunks > 0
    files = engine.select_phase(repo, phase).files
    kept = proposals.load(repo, phase, None, files)
    assert kept == fresh(repo, phase)
    again = grouped.phase_clusters(repo, phase, jobs=1)     # answered from what was kept
    assert [(c.signature, c.hunks) for c in again.clusters] == [(c.signature, c.hunks) for c in computed.clusters]


def test_run_i_reviews_the_kept_proposals_and_a_change_is_seen(repo: Path, monkeypatch):
    phase = load_manifests(repo / "phase_manifests")[0]
    grouped.phase_clusters(repo, phase, jobs=1)

    def must_not_run(*args, **kwargs):
        raise AssertionError("the engine ran although the proposals were kept")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "run_selection", must_not_run)
        _, outcomes = phases.propose(repo, phase, phases.RunOptions(mode="interactive"))
        assert [o.path for o in outcomes] == list(engine.select_phase(repo, phase).files)
        with pytest.raises(AssertionError):      # only the interactive review reuses them
            phases.propose(repo, phase, phases.RunOptions(mode="yes"))
    user = repo / "pkg/p1_0.py"
    user.write_text(user.read_text() + "\n\ndef g():\n    return Old()\n")
    assert proposals.load(repo, phase, None, engine.select_phase(repo, phase).files) is None
