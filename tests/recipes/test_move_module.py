"""move_module: golden before/after trees for every import form, decoys, idempotence, compile.

Tests only; every run happens in a copy under tmp_path.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from phasemod import syntax
from phasemod.modmove import ModuleMove, migrate, relative_spec, survey
from phasemod.recipes import move_module
from phasemod.runner import cli

CASES = Path(__file__).parents[1] / "cases_module"


def tree_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".phasemod" not in p.parts and "phase_manifests" not in p.parts}


def migrate_case(folder: Path, repo: Path):
    shutil.copytree(folder / "before", repo)
    (repo / "phase_manifests").mkdir()
    shutil.copy(folder / "manifest.yaml", repo / "phase_manifests" / "01-move.yaml")
    args = ["--repo", str(repo), "run", "--all", "--yes", "--no-validate", "--jobs", "1"]
    return CliRunner().invoke(cli, args)


def expectations(folder: Path) -> dict:
    path = folder / "expect.yaml"
    return yaml.safe_load(path.read_text()) if path.exists() else {"exit": 0, "findings": []}


@pytest.mark.parametrize("folder", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_golden_case(folder: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    expect = expectations(folder)
    result = migrate_case(folder, repo)
    assert result.exit_code == expect["exit"], result.output
    for finding in expect.get("findings", []):
        assert finding in result.output
    assert tree_of(repo) == tree_of(folder / "after")
    for path in repo.rglob("*.py"):
        compile(path.read_text(), str(path), "exec", dont_inherit=True)
    # idempotent: a second run proposes nothing and exits as the first did
    again = CliRunner().invoke(cli, ["--repo", str(repo), "run", "--all", "--yes", "--no-validate", "--jobs", "1"])
    assert again.exit_code == expect["exit"], again.output
    assert tree_of(repo) == tree_of(folder / "after")
    status = CliRunner().invoke(cli, ["--repo", str(repo), "status", "--fail-on-remaining"])
    assert status.exit_code == (0 if expect["exit"] == 0 else 1), status.output


@pytest.mark.parametrize("before,after", [(e.before, e.after) for e in move_module.MoveModule.examples])
def test_examples(before: str, after: str) -> None:
    tree = syntax.parse(before)
    migrate(tree, ModuleMove("a.b.old", "a.c.new"), "app.user", False)
    assert str(tree) == after
    again = syntax.parse(after)
    assert not migrate(again, ModuleMove("a.b.old", "a.c.new"), "app.user", False).changed


def test_survey_counts_each_form_by_kind() -> None:
    code = ("import a.b.old\nfrom a.b import old\nfrom a.b.old import T\n"
            "x: old.T = a.b.old.T()\n"
            "patch('a.b.old.T')\n# see a.b.old\nold.helper\n")
    sites, imports_new = survey(syntax.parse(code), ModuleMove("a.b.old", "a.c.new"), "app.user", False)
    kinds = sorted((s.line, s.kind.value) for s in sites)
    assert kinds == [(1, "import"), (2, "import"), (3, "import"), (4, "annotation"), (4, "instantiation"),
                     (5, "string"), (6, "docs"), (7, "reference")]
    assert not imports_new


def test_the_old_module_itself_is_left_alone() -> None:
    code = "from . import helpers\nimport a.b.old\n"
    tree = syntax.parse(code)
    assert not migrate(tree, ModuleMove("a.b.old", "a.c.new"), "a.b.old", False).changed
    assert survey(tree, ModuleMove("a.b.old", "a.c.new"), "a.b.old.sub", False) == ([], False)


@pytest.mark.parametrize("target,module,is_package,expected", [
    ("a.c.new", "a.b.user", False, "..c.new"),
    ("a.b.new", "a.b.user", False, ".new"),
    ("a.b", "a.b.user", False, "."),
    ("a.c", "a.b.deep.user", False, "...c"),
    ("a.c.new", "a.b", True, "..c.new"),
    ("z.new", "a.b.user", False, None),
])
def test_relative_spec(target: str, module: str, is_package: bool, expected: str | None) -> None:
    assert relative_spec(target, module, is_package) == expected


@pytest.mark.parametrize("old,new,key", [
    ("a.b.old", "a.b.old", "new"), ("a.b.", "a.c", "old"), ("a.class.x", "a.c", "old"),
    ("a.b.old", "a.b.old.inner", "new"),
])
def test_validate(old: str, new: str, key: str) -> None:
    recipe = move_module.MoveModule()
    assert key in [k for k, _ in recipe.problems(move_module.Options(old, new))]
    assert recipe.problems(move_module.Options("a.b.old", "a.c.new")) == []
