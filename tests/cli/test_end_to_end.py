"""The seed's migration end to end on a generated Netra-shaped tree, scored against its
ground truth (EXPECTED.json) with the benchmark's scorer."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bench_paths import BENCH_DIR
from click.testing import CliRunner
from comment_census import census

from phasemod import syntax
from phasemod.runner import cli

BENCH = BENCH_DIR
SCORER_PYTHONS = ["/root/.pyenv/versions/3.13.0/bin/python3", "/root/.pyenv/versions/3.12.1/bin/python3",
                  "python3.13", "python3.12", sys.executable]

pytestmark = pytest.mark.skipif(not (BENCH / "make_netra_corpus.py").exists(), reason="benchmark generator not found")


def scorer_python() -> str:
    for candidate in SCORER_PYTHONS:
        found = shutil.which(candidate) or (candidate if Path(candidate).exists() else None)
        if not found:
            continue
        probe = subprocess.run([found, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            return found
    pytest.skip("score_corpus.py needs Python >= 3.12 to judge the modern-syntax files")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("netra")
    orig, repo = root / "orig", root / "repo"
    subprocess.run([sys.executable, str(BENCH / "make_netra_corpus.py"), str(orig), "--files", "300",
                    "--affected", "80", "--refs", "600"], check=True, capture_output=True)
    shutil.copytree(orig, repo)
    (repo / "EXPECTED.json").unlink()
    runner = CliRunner()
    first = runner.invoke(cli, ["--repo", str(repo), "run", "--all", "--yes", "--jobs", "2"])
    score = json.loads(subprocess.run([scorer_python(), str(BENCH / "score_corpus.py"), str(orig), str(repo), "--json"],
                                      check=True, capture_output=True, text=True).stdout)
    return {"orig": orig, "repo": repo, "first": first, "score": score,
            "expected": json.loads((orig / "EXPECTED.json").read_text())}


def test_every_reference_is_migrated(migrated: dict) -> None:
    score = migrated["score"]
    # Star imports of the old module are resolved statically: nothing is left for review.
    assert score["migrated"] == score["true_refs"], score
    assert score["decoys_damaged"] == 0, score["damaged_by_kind"]
    assert score["broken_files"] == 0, score["broken_examples"]
    assert score["corruption_tokens_added"] == 0


def test_star_imports_get_an_explicit_import_of_the_new_module(migrated: dict) -> None:
    result, repo, expected = migrated["first"], migrated["repo"], migrated["expected"]
    assert result.exit_code == 0, result.output
    assert "needs_review" not in result.output
    stars = {r["file"] for r in expected["refs"] if r.get("review")}
    assert stars
    for path in stars:
        text = (repo / path).read_text()
        assert "import *" not in text
        assert f"from {expected['new_module']} import UserExecutionEngine as ExecutionEngine" in text


def test_the_last_phase_deletes_the_module_and_nothing_remains(migrated: dict) -> None:
    repo, expected = migrated["repo"], migrated["expected"]
    for path in expected["delete"]:
        assert not (repo / path).exists(), path
    status = CliRunner().invoke(cli, ["--repo", str(repo), "status", "--json", "--fail-on-remaining"])
    assert status.exit_code == 0, status.output
    data = json.loads(status.output)
    assert data["remaining"] == 0
    assert all(all(v == 0 for v in phase["by_kind"].values()) for phase in data["phases"])
    check = CliRunner().invoke(cli, ["--repo", str(repo), "check"])
    assert check.exit_code == 0, check.output


def test_no_comment_is_lost_on_the_generated_tree(migrated: dict) -> None:
    orig, repo, expected = migrated["orig"], migrated["repo"], migrated["expected"]
    moves = [(expected["old"], expected["new"])]
    changed = 0
    for path in sorted(orig.rglob("*.py")):
        rel = path.relative_to(orig)
        after = repo / rel
        if not after.exists() or after.read_bytes() == path.read_bytes():
            continue
        before_text, after_text = path.read_text(encoding="utf-8"), after.read_text(encoding="utf-8")
        try:
            expected_census = census(before_text, moves)
        except syntax.ParseError:
            continue
        assert census(after_text, moves) == expected_census, rel
        changed += 1
    assert changed > 50
