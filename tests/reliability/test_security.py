"""Security properties through the real CLI: YAML only through the safe loader, no
manifest field evaluated, user recipes imported only when named, validation commands
run in the repo as written, private modes for journal and temp files, no writes through links.
"""
from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hostile_support import MANIFEST, cli_run, make_repo, outside

ROOT = Path(__file__).resolve().parents[2]
SOURCE = b"from pkg.old import Old\nOld()\n"


def _code_files() -> list[Path]:
    return sorted([*ROOT.joinpath("phasemod").rglob("*.py"), *ROOT.joinpath("recipes").glob("*.py"),
                   ROOT / "runner.py"])


def test_no_unsafe_yaml_and_no_eval_anywhere_in_the_engine() -> None:
    for path in _code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                assert name not in ("eval", "exec", "yaml.load", "yaml.unsafe_load", "yaml.full_load",
                                    "yaml.load_all", "pickle.loads", "marshal.loads", "os.system"), (path, name)
            if isinstance(node, ast.ClassDef) and node.name.endswith("Loader"):
                assert [ast.unparse(b) for b in node.bases] == ["yaml.SafeLoader"], path


@pytest.mark.parametrize("payload", [
    "!!python/object/apply:os.system ['touch {canary}']",
    "!!python/object/new:subprocess.Popen [['touch', '{canary}']]",
    "!!python/name:os.system",
    "!!python/module:os",
    "__import__('os').system('touch {canary}')",
    "\"{{{{ __import__('os').system('touch {canary}') }}}}\"",
    "$(touch {canary})",
], ids=["apply", "new", "name", "module", "python-expression", "template", "shell"])
def test_manifest_fields_are_never_evaluated(tmp_path: Path, payload: str) -> None:
    canary = tmp_path / "sentinel" / "PWNED"
    text = payload.format(canary=canary)
    for key in ("description", "name", "old"):
        root = tmp_path / key
        manifest = (MANIFEST + f"description: {text}\n" if key == "description" else
                    MANIFEST.replace("name: one", f"name: {text}") if key == "name" else
                    MANIFEST.replace("old: pkg.old.Old", f"old: {text}"))
        repo = make_repo(root, {"pkg/a.py": SOURCE}, manifest)
        for command in (("plan",), ("run", "1", "--yes", "--no-validate"), ("status",)):
            result = cli_run(repo, *command)
            assert result.exit_code in (0, 1, 2), result.output
        assert not canary.exists() and not (root / "sentinel" / "PWNED").exists()


def test_user_recipes_are_imported_only_when_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    marker = tmp_path / "imported.txt"
    (plugins / "canary_recipes.py").write_text(textwrap.dedent(f"""
        from pathlib import Path
        Path({str(marker)!r}).write_text("imported")

        def noop(options, files):
            from bowler import Query
            return Query(files).select_class("NothingCalledThis")
    """))
    monkeypatch.syspath_prepend(str(plugins))
    repo = make_repo(tmp_path / "plain", {"pkg/a.py": SOURCE})
    for command in (("plan",), ("run", "1", "--yes"), ("status",), ("check",), ("log",)):
        cli_run(repo, *command)
    assert not marker.exists() and "canary_recipes" not in sys.modules
    named = make_repo(tmp_path / "named", {"pkg/a.py": SOURCE},
                      MANIFEST + "  - canary_recipes:noop: {}\n")
    assert cli_run(named, "run", "1", "--yes").exit_code in (0, 1)
    assert marker.read_text() == "imported"   # named explicitly: code execution, like a Makefile
    sys.modules.pop("canary_recipes", None)


def test_validation_runs_in_the_repo_without_interpolation(tmp_path: Path) -> None:
    manifest = MANIFEST + textwrap.dedent("""\
        validate:
          - run: pwd > cwd.txt; printf '%s' '{path} $PHASEMOD_FILE {file}' > args.txt
            severity: warn
        """)
    hostile = "pkg/$(touch PWNED) `touch PWNED2`; touch PWNED3.py"
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE, hostile: SOURCE}, manifest)
    before_out = outside(repo)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert Path((repo / "cwd.txt").read_text().strip()).resolve() == repo.resolve()
    assert (repo / "args.txt").read_text() == "{path} $PHASEMOD_FILE {file}"
    assert not list(repo.rglob("PWNED*")) and not list(tmp_path.rglob("PWNED*"))
    assert outside(repo) == before_out


def _umask_run(repo: Path, mask: int, *args: str) -> subprocess.CompletedProcess:
    code = f"import os, sys; os.umask({mask}); sys.argv = ['phasemod', *sys.argv[1:]]; " \
           "from phasemod.runner import main; main()"
    return subprocess.run([sys.executable, "-c", code, "--repo", str(repo), *args], capture_output=True)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_journal_lock_and_new_files_follow_the_umask_and_are_never_world_writable(tmp_path: Path, mask: int) -> None:
    manifest = MANIFEST + "  - delete_files:\n      paths: [pkg/old.py]\n      require_no_references: false\n"
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE}, manifest)
    os.chmod(repo / "pkg/a.py", 0o640)
    proc = _umask_run(repo, mask, "run", "1", "--yes", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(os.stat(repo / "pkg/a.py").st_mode) == 0o640   # rewritten file keeps its mode
    for path in (repo / ".phasemod").rglob("*"):
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        assert not mode & 0o002, (path, oct(mode))
        assert not mode & mask & 0o777 or path.is_dir() and not mode & 0o002, (path, oct(mode))
    # Rolling back re-creates the deleted file with its recorded mode, not a looser one.
    proc = _umask_run(repo, mask, "rollback", "1", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert not stat.S_IMODE(os.stat(repo / "pkg/old.py").st_mode) & 0o002


def test_temp_files_are_private_while_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from phasemod import apply

    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    os.chmod(repo / "pkg/a.py", 0o666)
    seen: list[int] = []
    real = apply.os.fchmod

    def spy(fd: int, mode: int) -> None:
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real(fd, mode)

    monkeypatch.setattr(apply.os, "fchmod", spy)
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    assert seen and all(not m & 0o077 for m in seen)


def test_rollback_never_writes_through_a_link(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    assert cli_run(repo, "run", "1", "--yes").exit_code == 0
    (repo / "pkg/a.py").unlink()
    os.symlink(tmp_path / "sentinel" / "keep.txt", repo / "pkg/a.py")
    before_out = outside(repo)
    for extra in ((), ("--force",)):
        result = cli_run(repo, "rollback", "1", "--yes", *extra)
        assert result.exit_code in (1, 2), result.output
        assert outside(repo) == before_out
        assert os.path.islink(repo / "pkg/a.py")
