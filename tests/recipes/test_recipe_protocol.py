"""The recipe protocol: every recipe's examples run, recipes are found and not named,
and a recipe added as one file (user or built-in) works through every command."""
from __future__ import annotations

import ast
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from cli_repo import run_cli, tree_bytes
from repos import write_repo
from phasemod import catalog, examples
from phasemod.recipe import Reads

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = Path(__file__).parents[1] / "recipe_plugins"
CASES = [(recipe, example) for recipe in catalog.builtin().values() for example in recipe.examples]


@pytest.mark.parametrize("recipe, example", CASES, ids=[f"{r.id}-{e.title}" for r, e in CASES])
def test_every_example_of_every_recipe(recipe, example) -> None:
    assert examples.run(recipe, example) == example.after
    assert examples.run(recipe, example, example.after) == example.after, "a second run changed something"
    if recipe.reads is Reads.PYTHON:
        compile(example.after, example.path, "exec", dont_inherit=True)


def test_every_recipe_has_examples_a_description_and_checked_options() -> None:
    found = catalog.builtin()
    assert set(found) == {p.stem for p in (ROOT / "recipes").glob("[!_]*.py")}
    for recipe in found.values():
        assert recipe.examples and recipe.description and isinstance(recipe.reads, Reads)
        example = recipe.examples[0]
        assert recipe.problems(examples.options_of(recipe, example)) == []


def _names_in(path: Path) -> set[str]:
    """Identifiers and string constants of a module, docstrings and comments left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    words: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words.update(re.findall(r"\w+", node.value))
        elif isinstance(node, ast.Name):
            words.add(node.id)
        elif isinstance(node, ast.Attribute):
            words.add(node.attr)
        elif isinstance(node, ast.alias):
            words.update(node.name.split("."))
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            words.add(node.name)
    return words


def test_no_module_outside_recipes_names_a_recipe() -> None:
    ids = set(catalog.builtin())
    modules = [ROOT / "runner.py", *(p for p in (ROOT / "phasemod").rglob("*.py")
                                     if "sample" not in p.relative_to(ROOT / "phasemod").parts)]
    named = {str(p.relative_to(ROOT)): sorted(ids & _names_in(p)) for p in modules}
    assert {path: found for path, found in named.items() if found} == {}


def test_recipes_command_lists_every_recipe_with_its_description(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "recipes")
    assert result.exit_code == 0, result.output
    for recipe in catalog.builtin().values():
        assert f"{recipe.id}  ({recipe.reads.value})  {recipe.description}" in result.output
    listed = json.loads(run_cli(tmp_path, "recipes", "--json").output)
    assert [r["id"] for r in listed] == list(catalog.builtin())
    unknown = run_cli(tmp_path, "recipes", "no_such_recipe")
    assert unknown.exit_code == 2 and "known recipes:" in unknown.output


# ----------------------------------------------------------------------------- one file adds a recipe

SOURCE = "from pkg.api import fetch_all\n\n\ndef run(db):\n    return fetch_all(db), db.fetch_all\n"
API = "def fetch_all(db):\n    return []\n\n\nfetch_every = fetch_all\n"
DOC = "Call fetch_all(db).\n"


def _repo(root: Path, recipe: str) -> Path:
    files = {"pkg/__init__.py": "", "pkg/api.py": API, "pkg/a.py": SOURCE, "pkg/b.py": SOURCE, "README.md": DOC}
    manifest = ("phase: 1\nname: rename\nfiles:\n  include: [pkg/a.py, pkg/b.py]\nrecipes:\n"
                f"  - {recipe}:\n      old: fetch_all\n      new: fetch_every\n")
    return write_repo(root, files, {"01.yaml": manifest})


def _every_command(repo: Path) -> None:
    plan = run_cli(repo, "plan", "--json")
    assert plan.exit_code == 0, plan.output
    assert "fetch_all" in plan.output
    check = run_cli(repo, "check", "pkg/a.py", "pkg/b.py")
    assert check.exit_code == 1 and "pkg/a.py:5" in check.output, check.output
    status = run_cli(repo, "status", "--json")
    assert json.loads(status.output)["remaining"] == 4, status.output   # the import and the call, in 2 files
    before = tree_bytes(repo)
    result = run_cli(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    expected = SOURCE.replace("fetch_all(", "fetch_every(").replace("import fetch_all", "import fetch_every")
    assert (repo / "pkg/a.py").read_text() == expected and (repo / "pkg/b.py").read_text() == expected
    assert (repo / "pkg/api.py").read_text() == API and (repo / "README.md").read_text() == DOC
    assert run_cli(repo, "check", "pkg/a.py", "pkg/b.py").exit_code == 0
    assert json.loads(run_cli(repo, "status", "--json").output)["remaining"] == 0
    report = run_cli(repo, "report", "--html", str(repo / "report.html"))
    assert report.exit_code == 0 and "rename" in (repo / "report.html").read_text()
    assert run_cli(repo, "rollback", "1", "--yes").exit_code == 0
    assert {k: v for k, v in tree_bytes(repo).items() if k != "report.html"} == before


def test_a_user_recipe_named_package_module_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS))
    try:
        _every_command(_repo(tmp_path, "tiny_recipe:RenameName"))
    finally:
        sys.modules.pop("tiny_recipe", None)


def test_a_recipe_file_in_a_builtin_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = tmp_path / "builtin"
    extra.mkdir()
    shutil.copy(PLUGINS / "tiny_recipe.py", extra / "rename_name.py")
    package = sys.modules["phasemod.recipes"]
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(extra)])
    try:
        assert "rename_name" in catalog.builtin()
        assert "rename_name  (python)" in run_cli(tmp_path, "recipes").output
        bad = _repo(tmp_path / "bad", "rename_name").joinpath("phase_manifests/01.yaml")
        bad.write_text(bad.read_text().replace("new: fetch_every", "new: fetch-every"))
        result = run_cli(tmp_path / "bad", "plan")
        assert result.exit_code == 2
        assert "01.yaml:8: recipes[0].rename_name.new: expected a Python name like fetch_all, got 'fetch-every'" in result.output
        _every_command(_repo(tmp_path / "repo", "rename_name"))
    finally:
        sys.modules.pop("phasemod.recipes.rename_name", None)
