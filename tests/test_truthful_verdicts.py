"""Green means it works: the verdicts of run, check and status are the truth of the tree.

One regression test per defect seen on the sample and on real projects, through the CLI.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_repo import run_cli


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def imports_cleanly(repo: Path, module: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", f"import {module}"], cwd=repo, capture_output=True, text=True)


MOVE = """\
phase: 1
name: move
files:
  include: ["pkg/**/*.py"{extra}]
recipes:
  - move_symbol:
      old: pkg.runtime.Context
      new: pkg.context.Context
      keep_local_name: {keep}
{more}"""


def cut_repo(root: Path, keep: str = "true", more: str = "", extra: str = "") -> Path:
    """Context was cut out of pkg/runtime.py into pkg/context.py by hand; runtime still uses it."""
    return write(root, {
        "pkg/__init__.py": "from .runtime import Context as Context\nfrom .runtime import helper as helper\n",
        "pkg/context.py": '"""The new home."""\n\n\nclass Context:\n    name = "ctx"\n',
        "pkg/runtime.py": '"""Runtime: Context was cut out of here."""\n\n\nclass Sub(Context):\n    pass\n\n\n'
                          'def helper(kind: type = Context) -> "Context":\n    return kind()\n',
        "pkg/user.py": "from pkg.runtime import Context\n\nVALUE = Context()\n",
        "phase_manifests/01.yaml": MOVE.format(keep=keep, more=more, extra=extra),
    })


def test_old_module_own_uses_get_the_import(tmp_path: Path) -> None:
    """Point 2: the old module still subclasses and defaults to the moved class."""
    repo = cut_repo(tmp_path / "repo")
    assert imports_cleanly(repo, "pkg").returncode != 0                 # broken by the hand cut
    assert "pkg/runtime.py:4" in run_cli(repo, "check").output          # counted before the run
    result = run_cli(repo, "run", "1", "--yes", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "from pkg.context import Context\n" in (repo / "pkg/runtime.py").read_text()
    assert imports_cleanly(repo, "pkg.runtime, pkg.user").returncode == 0
    assert run_cli(repo, "check").exit_code == 0


def test_explicit_reexport_keeps_its_form(tmp_path: Path) -> None:
    """Point 3: `X as X` marks a re-export; both modes keep the explicit form."""
    for keep, expected in (("true", "from .context import Context as Context\n"),
                           ("false", "from .context import Context as Context\n")):
        repo = cut_repo(tmp_path / keep, keep=keep)
        result = run_cli(repo, "run", "1", "--yes", "--no-validate")
        assert result.exit_code == 0, result.output
        assert (repo / "pkg/__init__.py").read_text().startswith(expected)


def test_check_clears_after_a_full_run(tmp_path: Path) -> None:
    """Point 4: a mention of another name of the old module is no remaining reference."""
    repo = cut_repo(tmp_path / "repo", more="  - rename_in_text:\n      old: pkg.runtime.Context\n"
                                            "      new: pkg.context.Context\n", extra=', "docs/*.rst"')
    write(repo, {
        "docs/api.rst": "See :class:`~pkg.runtime.Sub` and :class:`~pkg.runtime.Context`.\n",
        "pkg/notes.py": '"""Uses :class:`~pkg.runtime.Sub`, and Context in prose."""\n'
                        "from pkg.runtime import Context  # see pkg.runtime.Sub\n\n"
                        "__all__ = ['Context']\n\n\ndef f(x: 'Context') -> None:\n    # Context is a word here\n"
                        "    return None\n",
    })
    before = run_cli(repo, "check")
    assert before.exit_code == 1
    result = run_cli(repo, "run", "1", "--yes", "--no-validate")
    assert result.exit_code == 0, result.output
    after = run_cli(repo, "check")
    assert after.exit_code == 0, after.output
    status = json.loads(run_cli(repo, "status", "--json").output)
    assert status["remaining"] == 0 and status["percent_migrated"] == 100.0
