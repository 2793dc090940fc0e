"""The benchmark's own reference tree and scorer (benchmarks/reference_tree.py,
benchmarks/score_tree.py): the tree has the documented shape and an answer key that
matches its text, and the scorer agrees with the independent referee."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from bench_paths import SCORER as REFEREE

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
KINDS = ("import", "instantiation", "annotation", "reference", "string", "docs")
SHARE = (0.25, 0.21, 0.14, 0.03, 0.03, 0.34)
NEWER_PYTHONS = ("/root/.pyenv/versions/3.13.0/bin/python3", "/root/.pyenv/versions/3.12.1/bin/python3")


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module           # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


tree_module = load("reference_tree")


def build(*argv: str) -> tuple[dict[str, str], dict]:
    return tree_module.build(tree_module.parse_args(["unused", *argv]))


def scorer_python() -> str:
    if sys.version_info >= (3, 12):
        return sys.executable
    return next((p for p in NEWER_PYTHONS if Path(p).exists()), sys.executable)


@pytest.mark.parametrize("argv, files, affected, refs", [
    ((), 4000, 1024, 8408),
    (("--files", "1000", "--affected", "300", "--refs", "2400"), 1000, 300, 2400),
])
def test_tree_has_the_documented_counts(argv, files, affected, refs):
    texts, key = build(*argv)
    true = [r for r in key["refs"] if r["must_change"]]
    assert len(texts) == files
    assert len({r["file"] for r in true}) == affected
    assert len(true) == refs
    by_kind = {k: sum(r["kind"] == k for r in true) for k in KINDS}
    assert by_kind == dict(zip(KINDS, tree_module.split_exact(refs, list(SHARE))))
    assert key["summary"]["true_by_kind"] == by_kind
    generated_python = [p for p in texts if p.endswith(".py") and not p.endswith("__init__.py")
                        and p not in tree_module.FIXED_TEXT]
    modern = [p for p, info in key["files"].items() if info["modern"]]
    assert len(modern) == round(0.15 * len(generated_python))
    assert {r["kind"] for r in key["refs"] if not r["must_change"]} == {
        "local_name", "foreign_class", "longer_name", "already_new", "other_name", "docs_decoy"}
    assert sum(1 for r in true if r.get("review")) > 0          # the star imports
    phases = {key["files"][r["file"]]["phase"] for r in true}
    assert phases == {1, 2, 3, 4}


def test_answer_key_matches_the_text_and_output_is_deterministic():
    argv = ("--files", "400", "--affected", "90", "--refs", "700", "--seed", "3")
    texts, key = build(*argv)
    for record in key["refs"]:
        assert texts[record["file"]].split("\n")[record["line"] - 1] == record["text"]
        if record["must_change"] and record["kind"] != "docs" and record["form"] != "aliased":
            assert "ExecutionEngine" in record["text"] or "execution_engine" in record["text"]
    assert build(*argv) == (texts, key)
    assert build("--files", "400", "--affected", "90", "--refs", "700", "--seed", "4")[0] != texts


def test_generated_python_compiles_and_manifests_load(tmp_path):
    out = tmp_path / "tree"
    subprocess.run([sys.executable, str(BENCH / "reference_tree.py"), str(out), "--files", "300", "--affected", "60",
                    "--refs", "400"], check=True, capture_output=True)
    checker = ("import sys, pathlib\nbad = []\nfor p in pathlib.Path(sys.argv[1]).rglob('*.py'):\n"
               "    try: compile(p.read_text(), str(p), 'exec')\n    except SyntaxError as e: bad.append(f'{p}: {e}')\n"
               "print('\\n'.join(bad))\n")
    python = scorer_python()
    result = subprocess.run([python, "-c", checker, str(out)], capture_output=True, text=True, check=True)
    if python != sys.executable or sys.version_info >= (3, 12):
        assert result.stdout.strip() == ""
    assert sorted(p.name[:2] for p in (out / "phase_manifests").glob("*.yaml")) == ["01", "02", "03", "04"]
    assert (out / "EXPECTED.json").exists()


def sed_like(src: Path, dest: Path) -> None:
    """A careless textual migration: damages decoys and breaks some files."""
    import shutil

    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("EXPECTED.json"))
    for path in dest.rglob("*.py"):
        text = path.read_text()
        text = text.replace("ExecutionEngine", "UserExecutionEngine").replace("execution_engine",
                                                                             "user_execution_engine")
        if "pick_engine" in text:
            text += "\ndef broken(:\n"
        path.write_text(text)


def run_scorer(script: Path, original: Path, migrated: Path) -> dict:
    out = subprocess.run([scorer_python(), str(script), str(original), str(migrated), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(not REFEREE.exists(), reason=f"{REFEREE} (the independent referee) is not available")
def test_both_scorers_agree_on_the_same_migrated_trees(tmp_path):
    original = tmp_path / "tree"
    subprocess.run([sys.executable, str(BENCH / "reference_tree.py"), str(original), "--files", "260", "--affected",
                    "50", "--refs", "300", "--seed", "5"], check=True, capture_output=True)
    careless = tmp_path / "sed"
    sed_like(original, careless)
    migrated = tmp_path / "phasemod"
    import shutil

    shutil.copytree(original, migrated, ignore=shutil.ignore_patterns("EXPECTED.json"))
    for manifest in (migrated / "phase_manifests").glob("*.yaml"):
        text = manifest.read_text()
        manifest.write_text(text[: text.index("validate:")])
    run = subprocess.run([sys.executable, "-m", "phasemod.runner", "--repo", str(migrated), "run", "--all", "--yes",
                          "--no-validate", "--jobs", "1"], capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    compared = ("true_refs", "migrated", "true_outcomes", "migrated_by_kind", "migrated_by_phase", "review_refs",
                "decoys", "decoys_damaged", "damaged_by_kind", "broken_files", "affected_untouched",
                "corruption_tokens_added", "expected_deletions_done")
    for tree in (careless, migrated):
        ours, theirs = run_scorer(BENCH / "score_tree.py", original, tree), run_scorer(REFEREE, original, tree)
        assert {k: ours[k] for k in compared} == {k: theirs[k] for k in compared}, tree.name
    careless_score = run_scorer(BENCH / "score_tree.py", original, careless)
    assert careless_score["decoys_damaged"] > 0 and careless_score["broken_files"] > 0
    phasemod_score = run_scorer(BENCH / "score_tree.py", original, migrated)
    assert phasemod_score["decoys_damaged"] == 0 and phasemod_score["broken_files"] == 0
    assert phasemod_score["migrated"] > 0.95 * phasemod_score["true_refs"]
