"""move_definition: its golden before/after trees and its deprecation shim (its examples
run with every recipe's, in tests/test_recipe_protocol.py).

Golden cases live in tests/cases_definition/<case>/ (before/, after/, manifest.yaml and,
when the run must fail, expect.yaml). Each is run through the CLI twice (the second run
changes nothing) and every rewritten or created Python file is compiled.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from phasemod.runner import cli

import golden
from golden import run, tree

CASES = Path(__file__).parents[1] / "cases_definition"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "before").is_dir())


def prepare(name: str, tmp_path: Path) -> tuple[Path, dict]:
    return golden.prepare(CASES / name, tmp_path)


def test_there_are_the_required_cases() -> None:
    assert {"class_with_decorators_and_docstring", "function_using_module_constants", "constant",
            "base_class_in_old_module", "private_helper_refused", "shim_deprecation"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str, tmp_path: Path) -> None:
    golden.check_case(CASES / name, tmp_path)


def test_deprecation_shim_warns_and_returns_the_moved_object(tmp_path: Path) -> None:
    repo, _ = prepare("shim_deprecation", tmp_path)
    assert run(repo)[0] == 0
    probe = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from billing.money import Money as Old\n"
        "from billing.currency import Money\n"
        "assert Old is Money\n"
        "[w] = caught\n"
        "assert w.category is DeprecationWarning, w\n"
        "assert 'billing.money.Money moved to billing.currency.Money' in str(w.message), w\n"
        "assert w.filename == '<string>' and w.lineno == 4, (w.filename, w.lineno)\n"
        "import billing.money\n"
        "try:\n"
        "    billing.money.Nothing\n"
        "except AttributeError:\n"
        "    print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
    strict = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c",
                             "from billing.money import Money"], cwd=repo, capture_output=True, text=True, timeout=60)
    assert strict.returncode == 1 and "DeprecationWarning" in strict.stderr


def test_dry_run_writes_nothing_and_rollback_restores_the_tree(tmp_path: Path) -> None:
    repo, _ = prepare("relative_imports_and_noqa_kept", tmp_path)
    before = tree(repo)
    dry = CliRunner().invoke(cli, ["--repo", str(repo), "run", "--all", "--dry-run", "--jobs", "1"])
    assert dry.exit_code == 0, dry.output
    assert "+++ b/app/io/serial.py" in dry.output and tree(repo) == before
    assert run(repo)[0] == 0
    assert (repo / "app" / "io" / "serial.py").is_file()
    back = CliRunner().invoke(cli, ["--repo", str(repo), "rollback", "1", "--yes"])
    assert back.exit_code == 0, back.output
    assert tree(repo) == before
    assert not (repo / "app" / "io").exists()


def test_imports_go_below_a_license_header(tmp_path: Path) -> None:
    from phasemod.defmove import RepoView, plan_move

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "old.py").write_text("# Copyright 2024 Example.\n# License: MIT.\n\nX = 1\n\n\ndef f():\n"
                                             "    return X\n")
    (tmp_path / "pkg" / "new.py").write_text("# Copyright 2024 Example.\n\nY = 2\n")
    plan = plan_move(RepoView(tmp_path, ["pkg/__init__.py", "pkg/old.py", "pkg/new.py"]), "pkg.old", "pkg.new", "X")
    assert not plan.refusal
    assert plan.writes["pkg/old.py"] == ("# Copyright 2024 Example.\n# License: MIT.\n\nfrom pkg.new import X\n\n\n"
                                         "def f():\n    return X\n")
    assert plan.writes["pkg/new.py"] == "# Copyright 2024 Example.\n\nY = 2\n\n\nX = 1\n"
