"""status and check answer for star imports from what the old module says now: a cached
scan of the importing file is used again only while the modules it read are unchanged."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from phasemod.runner import cli

MANIFEST = """phase: 1
name: move
files:
  include: ["pkg/**/*.py"]
recipes:
  - move_symbol:
      old: pkg.old_mod.Old
      new: pkg.new_mod.New
"""


def phasemod(repo: Path, *args: str):
    return CliRunner().invoke(cli, ["--repo", str(repo), *args])


def test_fixing_a_computed_dunder_all_resolves_the_star_import(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "phase_manifests").mkdir()
    (repo / "phase_manifests" / "01.yaml").write_text(MANIFEST)
    (repo / "pkg" / "__init__.py").write_text("")
    (repo / "pkg" / "new_mod.py").write_text("class New:\n    pass\n")
    old = repo / "pkg" / "old_mod.py"
    old.write_text('class Old:\n    pass\n\n\n__all__ = ["Old"] + []\n')
    (repo / "pkg" / "user.py").write_text("from pkg.old_mod import *\n\nx = Old()\n")

    blocked = phasemod(repo, "run", "--all", "--yes", "--no-validate")   # creates .phasemod: status caches
    assert blocked.exit_code == 1 and "needs_review" in blocked.output
    first = json.loads(phasemod(repo, "status", "--json").output)
    assert [r["reason"] for r in first["phases"][0]["needs_review"]] == [
        "star import: pkg/old_mod.py:5: its __all__ is computed, not a literal list"]
    assert phasemod(repo, "check").exit_code == 1

    old.write_text('class Old:\n    pass\n\n\n__all__ = ["Old"]\n')
    second = json.loads(phasemod(repo, "status", "--json").output)
    assert second["needs_review"] == 0
    assert second["remaining"] == 2          # the star import and the use, now resolvable

    run = phasemod(repo, "run", "--all", "--yes", "--no-validate")
    assert run.exit_code == 0, run.output
    assert (repo / "pkg" / "user.py").read_text() == "from pkg.new_mod import New as Old\n\nx = Old()\n"
    assert phasemod(repo, "check").exit_code == 0
