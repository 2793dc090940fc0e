"""`phasemod init`: the proposed phases, their globs and validations, on small trees, the
bundled sample and a generated Netra-shaped tree."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bench_paths import BENCH_DIR
from click.testing import CliRunner

from phasemod import importgraph, propose
from phasemod.demo import sample_root
from phasemod.manifest import load_manifests
from phasemod.runner import cli

OLD, NEW = "pkg.old_mod.Old", "pkg.new_mod.New"
SAMPLE_OLD = "netra_backend.app.agents.supervisor.execution_engine.ExecutionEngine"
SAMPLE_NEW = "netra_backend.app.agents.supervisor.user_execution_engine.UserExecutionEngine"


def tree(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def init(repo: Path, *args: str) -> "object":
    return CliRunner().invoke(cli, ["--repo", str(repo), "init", "--old", OLD, "--new", NEW, *args])


def phases_of(repo: Path) -> dict[str, dict]:
    out = {}
    for path in sorted((repo / "phase_manifests").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        out[data["name"]] = data
    return out


USE = "from pkg.old_mod import Old\n\n\ndef make():\n    return Old()\n"


def small_repo(root: Path) -> Path:
    """core imported by a, b, c; x <-> y import each other; tests and docs."""
    return tree(root, {
        "pkg/__init__.py": "", "pkg/old_mod.py": "class Old:\n    pass\n", "pkg/new_mod.py": "class New:\n    pass\n",
        "pkg/core.py": USE,
        "pkg/a.py": "from pkg import core\n" + USE, "pkg/b.py": "from pkg import core\n" + USE,
        "pkg/c.py": "import pkg.core\n" + USE,
        "pkg/cyc/__init__.py": "", "pkg/cyc/x.py": "from . import y\n" + USE, "pkg/cyc/y.py": "from .x import make\n" + USE,
        "tests/__init__.py": "", "tests/test_core.py": "from pkg import core\n" + USE.replace("def make", "def test_make"),
        "tests/unit/test_more.py": USE.replace("def make", "def test_more"),
        "docs/guide.md": "Use `pkg.old_mod.Old` here.\n",
        "README.md": "nothing to see\n",
    })


def test_grouping_on_a_small_tree(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    result = init(repo)
    assert result.exit_code == 0, result.output
    phases = phases_of(repo)
    assert list(phases) == ["core", "integration", "tests", "docs-and-cleanup"]
    first, second = (set(phases[n]["files"]["include"]) for n in ("core", "integration"))
    assert "pkg/core.py" in first                       # imported by three: goes first
    cycle = {"pkg/cyc/x.py", "pkg/cyc/y.py"}
    assert cycle <= first or cycle <= second or "pkg/cyc/**/*.py" in first | second   # a cycle is never split
    assert phases["tests"]["files"]["include"] == ["tests/**/*.py"]
    assert phases["docs-and-cleanup"]["files"]["include"] == ["docs/guide.md"]
    deletion = phases["docs-and-cleanup"]["recipes"][-1]["delete_files"]
    assert deletion == {"paths": ["pkg/old_mod.py"], "require_no_references": True}
    assert [p["requires"] for p in phases.values()] == [[], [1], [2], [3]]
    # the written manifests are accepted unchanged
    assert [p.name for p in load_manifests(repo / "phase_manifests")] == list(phases)


def test_every_reference_lands_in_exactly_one_phase_and_globs_are_exact(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    plans, _ = propose.propose(repo, propose.Request(OLD, NEW), repo / "phase_manifests")
    owner = {p: plan.number for plan in plans for p in plan.files}
    assert sum(len(plan.files) for plan in plans) == len(owner)      # no file twice
    from phasemod.select import matches, repo_files
    for plan in plans:
        selected = {f for f in owner if matches(f, plan.include)}
        assert selected == set(plan.files), plan.name                # exactly its own affected files


def test_critical_files_go_first_with_what_they_import(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    result = init(repo, "--critical", "pkg/c.py", "--critical", "tests/test_core.py")
    assert result.exit_code == 0, result.output
    phases = phases_of(repo)
    assert list(phases)[0] == "critical-path"
    from phasemod.select import matches
    include = phases["critical-path"]["files"]["include"]
    for path in ("pkg/c.py", "tests/test_core.py", "pkg/core.py"):
        assert matches(path, include), (path, include)


def test_minimal_globs() -> None:
    owner = {"a/x.py": 1, "a/y.py": 1, "a/sub/z.py": 1, "b/p.py": 1, "b/q.py": 2, "c/only.py": 1}
    assert propose.minimal_globs(["a/sub/z.py", "a/x.py", "a/y.py", "b/p.py", "c/only.py"], owner, 1) == [
        "a/**/*.py", "b/p.py", "c/only.py"]
    assert propose.minimal_globs(["b/q.py"], owner, 2) == ["b/q.py"]
    assert propose.minimal_globs(["d/[x].py"], {"d/[x].py": 1}, 1) == ["d/\\[x\\].py"]


def test_import_graph_reads_every_import_form() -> None:
    text = ("import a.b, c as d\nfrom e import (f,\n    g as h)  # x\nfrom . import sib\nfrom ..up import thing\n"
            "from x \\\n  import y\n")
    found = importgraph.imported_modules(text, "pkg.sub.mod", False)
    assert {"a.b", "c", "e", "e.f", "e.g", "pkg.sub", "pkg.sub.sib", "pkg.up", "pkg.up.thing", "x", "x.y"} <= found
    parts = importgraph.components(["p", "q", "r"], {"p": {"q"}, "q": {"p"}, "r": {"p"}})
    assert parts == [["p", "q"], ["r"]]


def test_refusals(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    assert init(repo).exit_code == 0
    again = init(repo)
    assert again.exit_code == 2 and "--force" in again.output
    assert init(repo, "--force").exit_code == 0
    bad = CliRunner().invoke(cli, ["--repo", str(repo), "init", "--old", "Old", "--new", NEW])
    assert bad.exit_code == 2 and "--old" in bad.output
    missing = CliRunner().invoke(cli, ["--repo", str(repo), "--manifests", str(tmp_path / "m2"), "init",
                                       "--old", "pkg.nowhere.Old", "--new", NEW])
    assert missing.exit_code == 2 and "pkg.nowhere" in missing.output
    typo = CliRunner().invoke(cli, ["--repo", str(repo), "--manifests", str(tmp_path / "m3"), "init",
                                    "--old", OLD, "--new", NEW, "--critical", "nothing/**"])
    assert typo.exit_code == 2 and "nothing/**" in typo.output
    assert not (tmp_path / "m2").exists() and not (tmp_path / "m3").exists()


def test_sample_proposal_runs_green_with_its_discovered_validations(tmp_path: Path) -> None:
    repo = tmp_path / "sample"
    shutil.copytree(sample_root(), repo, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    result = CliRunner().invoke(cli, ["--repo", str(repo), "init", "--old", SAMPLE_OLD, "--new", SAMPLE_NEW])
    assert result.exit_code == 0, result.output
    # the bridge re-exports MAX_CONCURRENT_AGENTS from its real home: it moves too
    assert "also moves netra_backend.app.agents.supervisor.execution_engine.MAX_CONCURRENT_AGENTS" in result.output
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"], cwd=repo, check=True)
    ran = CliRunner().invoke(cli, ["--repo", str(repo), "run", "--all", "--yes", "--jobs", "1"])
    assert ran.exit_code == 0, ran.output
    assert "critical validation failed" not in ran.output and ran.output.count(": ok (") >= 5, ran.output
    assert not (repo / "netra_backend/app/agents/supervisor/execution_engine.py").exists()
    check = CliRunner().invoke(cli, ["--repo", str(repo), "check"])
    assert check.exit_code == 0, check.output


@pytest.mark.skipif(not (BENCH_DIR / "make_netra_corpus.py").exists(), reason="benchmark generator not found")
def test_generated_tree_every_true_reference_once_and_critical_first(tmp_path: Path) -> None:
    orig = tmp_path / "orig"
    subprocess.run([sys.executable, str(BENCH_DIR / "make_netra_corpus.py"), str(orig), "--files", "300",
                    "--affected", "80", "--refs", "600"], check=True, capture_output=True)
    expected = json.loads((orig / "EXPECTED.json").read_text())
    shutil.rmtree(orig / "phase_manifests")
    request = propose.Request(expected["old"], expected["new"], critical=("**/*critical*",))
    plans, _ = propose.propose(orig, request, orig / "phase_manifests")
    owner = {p: plan.number for plan in plans for p in plan.files}
    true_files = {path: info["true_refs"] for path, info in expected["files"].items() if info["true_refs"]}
    true_files = {p: n for p, n in true_files.items() if p not in expected["delete"]}
    assert set(owner) == set(true_files)                                   # every affected file, once
    assert sum(plan.references for plan in plans) == sum(true_files.values())
    critical = [p for p in owner if "critical" in p and p.endswith(".py")]
    assert critical and all(owner[p] == 1 for p in critical)


def test_validation_leaves_out_what_the_project_does_not_collect(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    tree(repo, {"tests/cases/test_data.py": USE.replace("def make", "def test_data"),
                "pyproject.toml": '[tool.pytest.ini_options]\nnorecursedirs = ".git tests/cases"\n',
                "tox.ini": "[testenv]\ncommands = coverage run -m pytest {posargs}\n"})
    plans, _ = propose.propose(repo, propose.Request(OLD, NEW), repo / "phase_manifests")
    runs = [run for plan in plans for run in plan.validate]
    assert any(run.startswith("coverage run -m pytest tests/test_core.py") for run in runs), runs
    assert not any("tests/cases/test_data.py" in run for run in runs), runs
    assert "tests/cases/test_data.py" in {p for plan in plans for p in plan.files}   # still migrated


def test_a_repo_without_docs_ends_with_a_deletion_that_a_second_run_repeats_as_a_no_op(tmp_path: Path) -> None:
    repo = tree(tmp_path, {"pkg/__init__.py": "", "pkg/old_mod.py": "from pkg.new_mod import New as Old  # noqa\n",
                           "pkg/new_mod.py": "class New:\n    pass\n", "pkg/user.py": USE})
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    assert init(repo).exit_code == 0
    last = phases_of(repo)["docs-and-cleanup"]
    assert last["allow_empty"] is True and last["files"]["include"] == ["pkg/old_mod.py"]
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"], cwd=repo, check=True)
    for _ in range(2):
        ran = CliRunner().invoke(cli, ["--repo", str(repo), "run", "--all", "--yes", "--no-validate", "--jobs", "1"])
        assert ran.exit_code == 0, ran.output
    assert not (repo / "pkg/old_mod.py").exists()
    assert (repo / "pkg/user.py").read_text().startswith("from pkg.new_mod import New as Old\n")
