"""survey == rewriter: the files `status` says hold remaining references are exactly the
files a dry run proposes to change, plus those the run reports (needs review with a
reason, conflict, unparseable); after the run nothing else remains. Every golden case
and a generated tree."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench_paths import GENERATOR
from phasemod import phases as run_api, status as status_mod
from phasemod.manifest import load_manifests
from phasemod.model import FindingKind, Status
from phasemod.phases import RunOptions

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "before").is_dir())
REPORTED = (FindingKind.NEEDS_REVIEW, FindingKind.CONFLICT, FindingKind.UNPARSEABLE, FindingKind.UNSAFE,
            FindingKind.DROPPED)


def agree(repo: Path) -> None:
    phases = load_manifests(repo / "phase_manifests")
    for phase in phases:
        survey = status_mod.phase_status(repo, [phase], jobs=1, record_baseline=False)[0]
        remaining = {r.path for r in survey.references}
        (dry,) = run_api.run_phases(repo, phases, [phase], RunOptions(mode="dry-run", jobs=1, validate=False))
        proposed = {o.path for o in dry.outcomes if o.status is Status.CHANGED}
        reported = {f.path for f in dry.findings if f.kind in REPORTED}
        assert all(f.message for f in dry.findings if f.kind is FindingKind.NEEDS_REVIEW)   # with a reason
        assert remaining - reported == proposed - reported, (phase.number, remaining ^ proposed)


def migrate_then_agree(repo: Path) -> None:
    agree(repo)
    phases = load_manifests(repo / "phase_manifests")
    reports = run_api.run_phases(repo, phases, phases, RunOptions(mode="yes", jobs=1, validate=False,
                                                                  allow_dirty=True))
    reported = {f.path for r in reports for f in r.findings if f.kind in REPORTED}
    after = status_mod.phase_status(repo, phases, jobs=1, record_baseline=False)
    assert {r.path for s in after for r in s.references} <= reported


@pytest.mark.parametrize("name", NAMES)
def test_golden_case(name: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CASES / name / "before", repo)
    (repo / "phase_manifests").mkdir()
    shutil.copy(CASES / name / "manifest.yaml", repo / "phase_manifests" / "01.yaml")
    migrate_then_agree(repo)


@pytest.mark.skipif(not GENERATOR.exists(), reason=f"{GENERATOR} is not available")
def test_generated_tree(tmp_path: Path) -> None:
    repo = tmp_path / "tree"
    subprocess.run([sys.executable, str(GENERATOR), str(repo), "--files", "200", "--affected", "60", "--refs", "400"],
                   check=True, capture_output=True)
    for manifest in (repo / "phase_manifests").glob("*.yaml"):
        text = manifest.read_text()
        manifest.write_text(text.split("\nvalidate:")[0] + "\n")
    migrate_then_agree(repo)
