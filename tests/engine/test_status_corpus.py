"""status and check on a generated tree: before any phase they count exactly the true
references EXPECTED.json lists; after the four phases nothing remains and check passes.

Tests only; the tree is generated under a temporary directory.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from bench_paths import GENERATOR

GENERATOR = GENERATOR
KINDS = ("import", "instantiation", "annotation", "reference", "string", "docs")

pytestmark = pytest.mark.skipif(not GENERATOR.exists(), reason=f"{GENERATOR} is not available")


def phasemod(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed command in its own process: its worker pools never fork this
    long-lived test process, whatever threads earlier tests left in it."""
    result = subprocess.run([sys.executable, "-m", "phasemod.runner", "--repo", str(repo), *args],
                            capture_output=True, text=True, timeout=600)
    result.exit_code = result.returncode
    result.output = result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    repo = tmp_path_factory.mktemp("corpus") / "tree"
    subprocess.run([sys.executable, str(GENERATOR), str(repo), "--files", "300", "--affected", "80", "--refs", "600"],
                   check=True, capture_output=True)
    # The validation commands need the generated tree's own test dependencies; without
    # them a phase only has to be applied for the next one to run.
    for manifest in (repo / "phase_manifests").glob("*.yaml"):
        data = yaml.safe_load(manifest.read_text())
        data.pop("validate", None)
        manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    expected = json.loads((repo / "EXPECTED.json").read_text())
    return repo, expected


@pytest.fixture(scope="module")
def before(corpus) -> dict:
    repo, _ = corpus
    result = phasemod(repo, "status", "--json", "--fail-on-remaining")
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def true_refs(expected: dict, unparseable: set[str]) -> list[dict]:
    return [r for r in expected["refs"] if r["must_change"] and r["file"] not in unparseable]


def found_refs(status: dict) -> Counter:
    return Counter((r["path"], r["line"], r["kind"]) for p in status["phases"] for r in p["references"])


def unparseable(status: dict) -> set[str]:
    return {u["path"] for p in status["phases"] for u in p["unparseable"]}


def test_json_schema(before: dict) -> None:
    assert before["schema"] == 1
    assert set(before) >= {"remaining", "by_kind", "baseline", "percent_migrated", "unparseable", "needs_review",
                           "imports_both", "phases"}
    assert tuple(before["by_kind"]) == KINDS
    phase = before["phases"][0]
    assert set(phase) >= {"phase", "name", "files", "remaining", "by_kind", "baseline", "percent_migrated",
                          "references", "unparseable", "imports_both", "needs_review"}
    assert set(phase["references"][0]) == {"path", "line", "kind", "old", "text"}
    assert before["remaining"] == sum(p["remaining"] for p in before["phases"])
    assert before["percent_migrated"] == 0.0


def test_before_any_phase_every_true_reference_is_found(corpus, before: dict) -> None:
    _, expected = corpus
    wanted = Counter((r["file"], r["line"], r["kind"]) for r in true_refs(expected, unparseable(before)))
    got = found_refs(before)
    assert not got - wanted, "references reported that EXPECTED.json does not list"
    assert not wanted - got, "true references that status does not report"


def test_before_any_phase_counts_by_kind_equal_expected(corpus, before: dict) -> None:
    _, expected = corpus
    wanted = Counter(r["kind"] for r in true_refs(expected, unparseable(before)))
    assert before["by_kind"] == {k: wanted[k] for k in KINDS}


def test_star_imports_are_resolved_not_review_items(before: dict) -> None:
    # The star imports of the old module are counted as the references they are; the old
    # module is a file of the tree, so what they provide is known and nothing needs a person.
    assert before["needs_review"] == 0
    assert all(not p["needs_review"] for p in before["phases"])
    assert before["imports_both"] == sum(len(p["imports_both"]) for p in before["phases"])


def test_check_fails_before_the_migration(corpus) -> None:
    repo, _ = corpus
    result = phasemod(repo, "check")
    assert result.exit_code == 1
    assert "references remain" in result.output


@pytest.fixture(scope="module")
def migrated(corpus, before) -> Path:
    repo, _ = corpus
    first = phasemod(repo, "run", "--all", "--yes", "--no-validate", "--jobs", "1")
    assert first.exit_code == 0, first.output
    assert "needs_review" not in first.output
    return repo


def test_after_the_four_phases_nothing_remains(migrated, corpus) -> None:
    _, expected = corpus
    result = phasemod(migrated, "status", "--json", "--fail-on-remaining")
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["remaining"] == 0
    assert status["by_kind"] == dict.fromkeys(KINDS, 0)
    assert all(p["remaining"] == 0 and p["by_kind"] == dict.fromkeys(KINDS, 0) for p in status["phases"])
    assert status["percent_migrated"] == 100.0
    for path in expected["delete"]:
        assert not (migrated / path).exists(), path


def test_check_passes_after_the_migration(migrated) -> None:
    result = phasemod(migrated, "check")
    assert result.exit_code == 0, result.output
    assert "no references remain" in result.output
