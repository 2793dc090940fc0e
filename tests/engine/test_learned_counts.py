"""A batch run counts and checks the files it rewrote from the engine's own parse of them
(phasemod.model.Learned): the migration record, `status`, the after-phase import check and
the tree come out exactly as when every count and check parses the files itself."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from phasemod import aftercheck, phases as run_api, scan, status as status_mod
from phasemod.manifest import load_manifests
from phasemod.phases import RunOptions

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "reference_tree.py"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("learned") / "tree"
    subprocess.run([sys.executable, str(GENERATOR), str(root), "--files", "160", "--affected", "48", "--refs", "320"],
                   check=True, capture_output=True)
    (root / "EXPECTED.json").unlink()
    for manifest in (root / "phase_manifests").glob("*.yaml"):
        manifest.write_text(manifest.read_text().split("\nvalidate:")[0] + "\n")
    return root


def _forget() -> None:
    scan._learned.clear()
    aftercheck._known.clear()


def _migrate(repo: Path) -> dict:
    _forget()
    phases = load_manifests(repo / "phase_manifests")
    reports = run_api.run_phases(repo, phases, phases, RunOptions(mode="yes", jobs=1, validate=False,
                                                                  allow_dirty=True))
    records = {}
    for path in sorted((repo / "phase_manifests" / "record").glob("*.jsonl")):
        records[path.name] = [{k: v for k, v in json.loads(line).items() if k != "at"}
                              for line in path.read_text().splitlines()]
    safety = json.loads((repo / ".phasemod" / "safety.json").read_text())
    status = status_mod.summary_json(status_mod.phase_status(repo, phases, jobs=1))
    files = {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*"))
             if p.is_file() and ".phasemod" not in p.parts and "record" not in p.parts}
    after = [(f.path, f.line, f.message) for r in reports for f in r.after]
    kept = sum(len(v) for v in scan._learned.values()) + len(aftercheck._known)
    return {"kept": kept, "records": records, "safety": safety, "status": status, "files": files, "after": after,
            "summary": [(len(r.applied), r.accepted_hunks, len(r.findings), r.partial) for r in reports]}


def test_learned_counts_equal_parsed_ones(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    learned = _migrate(shutil.copytree(tree, tmp_path / "learned"))
    assert learned["records"] and any(e.get("baseline") for r in learned["records"].values() for e in r)
    assert learned.pop("kept") > 0

    # The same migration with nothing learnt: every count and check parses the files.
    monkeypatch.setattr(run_api, "learner", lambda repo, phases, phase: lambda path, learned: None)
    monkeypatch.setattr(aftercheck, "remember", lambda *args: None)
    parsed = _migrate(shutil.copytree(tree, tmp_path / "parsed"))
    _forget()
    assert parsed.pop("kept") == 0
    assert learned == parsed


def test_a_learned_count_is_not_used_once_the_file_changes(tree: Path, tmp_path: Path) -> None:
    repo = shutil.copytree(tree, tmp_path / "edited")
    _migrate(repo)
    phases = load_manifests(repo / "phase_manifests")
    first = status_mod.phase_status(repo, phases, jobs=1)
    migrated = next(r for r in (tree / "netra_backend").rglob("*.py")
                    if b"execution_engine import ExecutionEngine" in r.read_bytes())
    rel = migrated.relative_to(tree)
    (repo / rel).write_bytes(migrated.read_bytes())     # a reverted file: its old references are back
    again = status_mod.phase_status(repo, phases, jobs=1)
    _forget()
    before = {r.path for s in first for r in s.references}
    assert rel.as_posix() not in before
    assert rel.as_posix() in {r.path for s in again for r in s.references}


def test_plan_counts_from_the_clusters_parse_equal_a_plain_plan(tree: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from phasemod.runner import cli

    def plan(name: str, *extra: str) -> dict:
        repo = shutil.copytree(tree, tmp_path / name)
        (repo / ".phasemod").mkdir(mode=0o700)
        _forget()
        result = CliRunner().invoke(cli, ["--repo", str(repo), "plan", "1", "2", "--json", *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    with_clusters = plan("clusters", "--clusters")
    assert sum(len(v) for v in scan._learned.values()) > 0     # the counts came from the engine's parse
    plain = plan("plain")
    _forget()
    assert with_clusters["clusters"] and with_clusters["phases"] == plain["phases"]
