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


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=repo,
                   check=True, capture_output=True)


def test_a_refused_file_leaves_the_phase_partial_and_gates_the_next(tmp_path: Path) -> None:
    """Point 7: a refused file is no 'applied' phase; the next phase waits for it."""
    from cli_repo import make_repo

    repo = make_repo(tmp_path / "repo", files=2, phases=2)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    dirty = repo / "pkg/p1_1.py"
    dirty.write_text(dirty.read_text() + "# work in progress\n")
    result = run_cli(repo, "run", "--all", "--yes")
    assert result.exit_code == 1
    assert "phase 1 phase-1: partial" in result.output
    assert "phase 2 (phase-2) requires earlier phases: phase 1 (phase-1) is partial" in result.output
    assert "Old()" in (repo / "pkg/p2_0.py").read_text()              # phase 2 did not run
    log = json.loads(run_cli(repo, "log", "--json").output)
    assert [r["state"] for r in log["runs"]] == ["partial"]
    assert "pkg/p1_1.py" in log["runs"][0]["problems"][0]
    assert "partial" in run_cli(repo, "log").output
    status = run_cli(repo, "status")
    assert "phase 1 phase-1: partial" in status.output and "partial: pkg/p1_1.py" in status.output
    assert json.loads(run_cli(repo, "status", "--json").output)["phases"][0]["state"] == "partial"
    # once the file goes through, the phase is applied and the next one may run
    assert run_cli(repo, "run", "1", "--yes", "--allow-dirty").exit_code == 0
    assert run_cli(repo, "run", "2", "--yes").exit_code == 0
    assert json.loads(run_cli(repo, "status", "--json").output)["phases"][0]["state"] == "applied"


def test_a_refused_deletion_leaves_the_phase_partial(tmp_path: Path) -> None:
    from cli_repo import make_repo

    repo = make_repo(tmp_path / "repo", files=1)
    manifest = repo / "phase_manifests/01.yaml"
    manifest.write_text(manifest.read_text().replace(
        "{on_failure", "").replace("on_failure: rollback", "  - delete_files:\n      paths: [pkg/old_mod.py]\n"
                                   "      require_no_references: true\non_failure: rollback"))
    (repo / "pkg/keep.py").write_text("from pkg.old_mod import Old\n")      # not selected: blocks the deletion
    result = run_cli(repo, "run", "1", "--yes")
    assert result.exit_code == 1 and "delete_files refused" in result.output
    assert json.loads(run_cli(repo, "log", "--json").output)["runs"][0]["state"] == "partial"


def test_a_failed_validation_shows_its_last_20_lines(tmp_path: Path) -> None:
    """Point 8: the terminal shows why a validation failed, not only its exit code."""
    from cli_repo import make_repo

    script = tmp_path / "fail.py"
    script.write_text("import sys\nfor i in range(30):\n    print(f'line {i}')\nsys.exit(3)\n")
    repo = make_repo(tmp_path / "repo", files=1, validate={1: f"{sys.executable} {script}"}, on_failure="stop")
    result = run_cli(repo, "run", "1", "--yes")
    assert result.exit_code == 1
    assert "exit 3" in result.output
    assert "line 29" in result.output and "line 10" in result.output and "line 9\n" not in result.output
    assert "line 0" in json.loads(run_cli(repo, "log", "--json").output)["runs"][0]["validations"][0]["output_tail"]
    again = run_cli(repo, "validate", "1")
    assert "line 29" in again.output and "line 10" in again.output


def percents(repo: Path, tmp_path: Path) -> tuple[list[str], list[float | None], list[str], str, str]:
    """The per-phase and overall percents as status, status --json and the report print them."""
    import re

    text = run_cli(repo, "--no-color", "status").output
    data = json.loads(run_cli(repo, "status", "--json").output)
    page = tmp_path / "report.html"
    assert run_cli(repo, "report", "--html", str(page)).exit_code == 0
    html = page.read_text()
    return (re.findall(r"migrated ([\d.]+)%\n", text), [p["percent_migrated"] for p in data["phases"]],
            re.findall(r"class='n phase-percent'>([\d.]+)%", html),
            re.search(r"migrated ([\d.]+)% of", text).group(1) + "|" + str(data["percent_migrated"]),
            re.search(r"id='overall-percent'>([\d.]+)%", html).group(1))


def test_one_baseline_and_one_percent_everywhere(tmp_path: Path) -> None:
    """Point 5: a run first records the baseline; status, --json and the report agree."""
    from cli_repo import make_repo

    repo = make_repo(tmp_path / "repo", files=2, uses=2, phases=2)
    # the first command to read the tree is a run: the baseline is taken before it writes
    assert run_cli(repo, "run", "1", "--yes", "--no-validate").exit_code == 0
    baseline = json.loads((repo / ".phasemod/baseline.json").read_text())
    assert baseline == {"1:phase-1": 6, "2:phase-2": 6}
    seen = []
    for step in ("a\nq\n", "A\n"):        # one file of phase 2 reviewed, then the rest
        text, data, html, overall, page = percents(repo, tmp_path)
        assert text == [f"{p:.1f}" for p in data] == html
        assert overall == f"{float(page):.1f}|{float(page)}"
        seen.append(float(page))
        assert run_cli(repo, "run", "2", "-i", "--no-validate", input=step).exit_code == 0
    text, data, html, overall, page = percents(repo, tmp_path)
    assert text == [f"{p:.1f}" for p in data] == html == ["100.0", "100.0"] and page == "100.0"
    assert seen[0] == 50.0 and 50.0 < seen[1] < 100.0
    assert json.loads((repo / ".phasemod/baseline.json").read_text()) == baseline     # never overwritten


def test_an_include_glob_matching_nothing_is_an_error_with_a_did_you_mean(tmp_path: Path) -> None:
    """Point 6: a typo in a glob is reported, never a silent 'nothing remains'."""
    from cli_repo import make_repo

    repo = make_repo(tmp_path / "repo", files=2)
    manifest = repo / "phase_manifests/01.yaml"
    manifest.write_text(manifest.read_text().replace('"pkg/p1_*.py"', '"pkg/p1_*.py", "pgk/**/*.py"'))
    for command in (("plan",), ("run", "1", "--yes"), ("status",)):
        result = run_cli(repo, *command)
        assert result.exit_code == 2, result.output
        assert "01.yaml: files.include: glob 'pgk/**/*.py' matches no file; did you mean 'pkg/**/*.py'" \
            in result.output
    assert "Old()" in (repo / "pkg/p1_0.py").read_text()


def test_a_phase_selecting_no_file_is_an_error_unless_allowed(tmp_path: Path) -> None:
    from cli_repo import make_repo

    repo = make_repo(tmp_path / "repo", files=1, validate={1: f"{sys.executable} -c 'print(1)'"})
    manifest = repo / "phase_manifests/01.yaml"
    manifest.write_text(manifest.read_text().replace("recipes:", 'exclude: ["pkg/**"]\nrecipes:', 1)
                        .replace("  include:", "  include:", 1).replace('exclude: ["pkg/**"]', '  exclude: ["pkg/**"]'))
    result = run_cli(repo, "run", "1", "--yes")
    assert result.exit_code == 2
    assert "phase 1 (phase-1) selects no file" in result.output and "allow_empty: true" in result.output
    manifest.write_text(manifest.read_text() + "allow_empty: true\n")
    result = run_cli(repo, "run", "1", "--yes")
    assert result.exit_code == 0, result.output


def test_manifests_are_never_selected(tmp_path: Path) -> None:
    """Issue 14 point 4: a text phase over **/*.yaml never rewrites phasemod's own manifests."""
    repo = write(tmp_path / "repo", {
        "config/app.yaml": "engine: pkg.old_mod.Old\n",
        "pkg/__init__.py": "", "pkg/old_mod.py": "class Old:\n    pass\n", "pkg/new_mod.py": "class New:\n    pass\n",
        "phase_manifests/01.yaml": "phase: 1\nname: text\nfiles:\n  include: ['**/*.yaml']\nrecipes:\n"
                                   "  - rename_in_text: {old: pkg.old_mod.Old, new: pkg.new_mod.New}\n",
    })
    manifest = (repo / "phase_manifests/01.yaml").read_bytes()
    plan = run_cli(repo, "plan")
    assert "excluded: phase_manifests/01.yaml (phasemod never selects its own manifests)" in plan.output
    assert "1 file selected" in plan.output
    assert run_cli(repo, "run", "1", "--yes").exit_code == 0
    assert (repo / "config/app.yaml").read_text() == "engine: pkg.new_mod.New\n"
    assert (repo / "phase_manifests/01.yaml").read_bytes() == manifest
    assert run_cli(repo, "run", "1", "--yes").exit_code == 0          # the second run still loads


def old_cut_to_new(root: Path, runtime: str, legacy: str, more: dict[str, str] | None = None) -> Path:
    """`Old` cut out of pkg/runtime.py (now ``runtime``) by hand as pkg.context.New; the
    phase moves pkg only, so tools/legacy.py (``legacy``) is outside it."""
    return write(root, {
        "pkg/__init__.py": "",
        "pkg/context.py": "class New:\n    pass\n",
        "pkg/runtime.py": runtime,
        "tools/__init__.py": "",
        "tools/legacy.py": legacy,
        "phase_manifests/01.yaml": MOVE.format(keep="false", more="", extra="").replace(
            "pkg.runtime.Context", "pkg.runtime.Old").replace("pkg.context.Context", "pkg.context.New"),
        **(more or {}),
    })


def test_after_a_phase_broken_importers_are_listed_everywhere(tmp_path: Path) -> None:
    """The safety net after a phase: a module outside the phase still imports the cut class."""
    repo = old_cut_to_new(tmp_path / "repo", runtime="class Sub(Old):\n    pass\n",
                          legacy="from pkg.runtime import Old, Sub\n\ny = (Old, Sub)\n",
                          more={"pkg/user.py": "from pkg.runtime import Old\n\nx = Old()\n"})
    result = run_cli(repo, "run", "1", "--yes", "--no-validate")
    assert result.exit_code == 1, result.output
    message = "tools/legacy.py:1: unsafe: cannot import name 'Old' from 'pkg.runtime': the repo's module does not define it"
    assert f"after the phase: {message}" in result.output
    assert imports_cleanly(repo, "pkg.runtime, pkg.user").returncode == 0
    check = run_cli(repo, "check")
    assert check.exit_code == 1 and "tools/legacy.py:1: breaks imports: cannot import name 'Old'" in check.output
    assert "tools/legacy.py:1: breaks imports" in run_cli(repo, "status").output
    data = json.loads(run_cli(repo, "status", "--json").output)
    assert [f["path"] for f in data["breaks_imports"]] == ["tools/legacy.py"]
    page = tmp_path / "r.html"
    run_cli(repo, "report", "--html", str(page))
    assert "breaks imports" in page.read_text() and "tools/legacy.py:1" in page.read_text()
    # fixed by hand: every view clears
    (repo / "tools/legacy.py").write_text("from pkg.context import New as Old\nfrom pkg.runtime import Sub\n\n"
                                          "y = (Old, Sub)\n")
    assert run_cli(repo, "check").exit_code == 0
    assert json.loads(run_cli(repo, "status", "--json").output)["breaks_imports"] == []


def test_a_broken_import_the_phase_found_is_not_the_phase_s(tmp_path: Path) -> None:
    """tools/legacy.py imported `Gone` from pkg.runtime before the phase (runtime never
    defined it), tools/unbound.py uses `Old` without binding it: the phase changes
    runtime, but those are the repository's problems, not the phase's; an import of the
    moved name is."""
    repo = old_cut_to_new(tmp_path / "repo", runtime="class Sub:\n    pass\n\n\nx = Old()\n",
                          legacy="from pkg.runtime import Gone, Sub\n\ny = (Gone, Sub)\n",
                          # a use of the moved name that nothing ever bound here: not the phase's either
                          more={"tools/unbound.py": "from pkg.runtime import Sub\n\n\ndef f():\n    return Old(Sub)\n"})
    result = run_cli(repo, "run", "1", "--yes", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "after the phase" not in result.output
    # not the phase's, but said
    assert ("safety net: 2 problems the phase found and left as they were (there before the run, not the phase's): "
            "tools/legacy.py:1: cannot import name 'Gone' from 'pkg.runtime'") in result.output
    assert "tools/unbound.py:5: undefined name 'Old'" in result.output
    assert "x = New()" in (repo / "pkg/runtime.py").read_text()
    assert run_cli(repo, "check").exit_code == 0
    # The same repository with an importer of the moved name outside the phase: flagged.
    (repo / "tools/other.py").write_text("from pkg.runtime import Old\n")
    (repo / "pkg/runtime.py").write_text("class Sub:\n    pass\n\n\nx = Old()\n")
    again = run_cli(repo, "run", "1", "--yes", "--no-validate")
    assert again.exit_code == 1, again.output
    assert "after the phase: tools/other.py:1: unsafe: cannot import name 'Old'" in again.output
    assert "after the phase: tools/legacy.py" not in again.output
