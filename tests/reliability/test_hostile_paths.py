"""Hostile paths through the real CLI: globs and delete paths leaving the repository,
symbolic links out of it or in loops, a repository that is a file, odd file names.

Nothing outside the repository is ever read for a rewrite or written.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from hostile_support import MANIFEST, cli_run, files_of, make_repo, one_line_error, outside

SOURCE = b"from pkg.old import Old\nOld()\n"
MIGRATED = b"from pkg.new import New\nNew()\n"
DELETE = MANIFEST + "  - delete_files:\n      paths: [{paths}]\n      require_no_references: false\n"


def test_symlinks_out_of_the_repo_and_in_loops_are_never_followed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "deep").mkdir(parents=True)
    (elsewhere / "x.py").write_bytes(SOURCE)
    (elsewhere / "deep" / "y.py").write_bytes(SOURCE)
    os.symlink(elsewhere / "x.py", repo / "pkg/link.py")             # file out of the repo
    os.symlink(elsewhere, repo / "pkg/ext")                           # directory out of the repo
    os.symlink(repo / "pkg", repo / "pkg/loop")                       # directory loop
    os.symlink("self.py", repo / "pkg/self.py")                       # link to itself
    os.symlink("/nonexistent/zz.py", repo / "pkg/dangling.py")        # dangling
    os.symlink("a.py", repo / "pkg/alias.py")                         # inside, but a link
    before = outside(repo)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (repo / "pkg/a.py").read_bytes() == MIGRATED
    assert outside(repo) == before
    assert os.readlink(repo / "pkg/alias.py") == "a.py" and os.readlink(repo / "pkg/self.py") == "self.py"
    for command in (("plan",), ("status",), ("check",), ("check", "pkg"), ("log",)):
        assert cli_run(repo, *command).exit_code in (0, 1)
    assert cli_run(repo, "rollback", "1", "--yes").exit_code == 0
    assert (repo / "pkg/a.py").read_bytes() == SOURCE and outside(repo) == before


@pytest.mark.parametrize("target", ["file", "directory"])
def test_delete_through_a_symlink_is_refused(tmp_path: Path, target: str) -> None:
    paths = "pkg/gone.py" if target == "file" else "pkg/sdir/keep.txt"
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE}, DELETE.format(paths=paths))
    if target == "file":
        os.symlink(tmp_path / "sentinel/keep.txt", repo / "pkg/gone.py")
    else:
        os.symlink(tmp_path / "sentinel", repo / "pkg/sdir")
    before = outside(repo)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code in (0, 1), result.output
    assert outside(repo) == before
    assert (tmp_path / "sentinel/keep.txt").read_bytes() == b"sentinel\n"
    assert os.path.islink(repo / paths.split("/keep")[0])


@pytest.mark.parametrize("args", [
    ("check", "../sentinel"), ("check", "/etc"), ("check", "pkg/../../sentinel"), ("check", "a\nb"),
    ("check", "C:\\x"),
], ids=["dotdot", "absolute", "nested-dotdot", "newline", "windows"])
def test_check_paths_outside_the_repo_are_refused(tmp_path: Path, args: tuple[str, ...]) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    result = cli_run(repo, *args)
    assert result.exit_code == 2, result.output
    one_line_error(result)


@pytest.mark.parametrize("where", ["file", "missing", "fifo"])
def test_repo_that_is_not_a_directory(tmp_path: Path, where: str) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    target = tmp_path / "sentinel/keep.txt" if where == "file" else tmp_path / "nope"
    if where == "fifo":
        os.mkfifo(target)
    before = outside(repo)
    for command in (("plan",), ("run", "1", "--yes"), ("status",), ("rollback", "1", "--yes"), ("log",)):
        result = cli_run(target, *command)
        assert result.exit_code == 2, result.output
        assert "not a directory" in result.output or "is a file" in result.output
    assert outside(repo) == before


def test_manifests_option_that_is_a_file_or_missing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    for manifests in (str(tmp_path / "sentinel/keep.txt"), str(tmp_path / "missing")):
        result = cli_run_with_manifests(repo, manifests)
        assert result.exit_code == 2 and "manifests" in one_line_error(result)


def cli_run_with_manifests(repo: Path, manifests: str):
    from click.testing import CliRunner

    from phasemod.runner import cli

    result = CliRunner().invoke(cli, ["--repo", str(repo), "--manifests", manifests, "plan"])
    assert "Traceback" not in result.output
    return result


NAMES = ["pkg/with space.py", "pkg/ünï cödé.py", "pkg/new\nline.py", "pkg/tab\tname.py", "pkg/-dash.py",
         "pkg/quote'\"s.py", "pkg/star*glob?.py", "pkg/[brackets].py", "pkg/dir with space/é.py",
         "pkg/.hidden.py", "pkg/" + "x" * 200 + ".py"]


def test_odd_file_names_are_migrated_and_rolled_back(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {name: SOURCE for name in NAMES})
    before, before_out = files_of(repo), outside(repo)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "2")
    assert result.exit_code == 0, result.output
    for name in NAMES:
        assert (repo / name).read_bytes() == MIGRATED, name
    log = cli_run(repo, "log", "--json")
    assert log.exit_code == 0
    assert cli_run(repo, "rollback", "1", "--yes").exit_code == 0
    assert files_of(repo) == before and outside(repo) == before_out


def test_glob_metacharacters_in_names_match_literally_only_when_escaped(tmp_path: Path) -> None:
    manifest = MANIFEST.replace('["pkg/**/*.py"]', '["pkg/[[]brackets].py"]')
    repo = make_repo(tmp_path, {"pkg/[brackets].py": SOURCE, "pkg/b.py": SOURCE}, manifest)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (repo / "pkg/[brackets].py").read_bytes() == MIGRATED
    assert (repo / "pkg/b.py").read_bytes() == SOURCE


def test_state_directory_that_is_a_link_out_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    os.symlink(tmp_path / "sentinel", repo / ".phasemod")
    before, before_out = files_of(repo), outside(repo)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 2
    assert "symbolic link" in one_line_error(result)
    assert files_of(repo) == before and outside(repo) == before_out


def test_selected_directory_swapped_for_a_link_is_not_written_through(tmp_path: Path) -> None:
    # The engine reads pkg/sub/a.py; before the write, pkg/sub becomes a link to the sentinel.
    from phasemod import apply

    repo = make_repo(tmp_path, {"pkg/sub/a.py": SOURCE})
    (tmp_path / "sentinel" / "a.py").write_bytes(SOURCE)
    before_out = outside(repo)
    real_read = apply.read_current

    def swap_then_read(repo_: Path, rel: str):
        if rel == "pkg/sub/a.py" and not (repo / "pkg/sub").is_symlink():
            os.rename(repo / "pkg/sub", repo / "pkg/sub_moved")
            os.symlink(tmp_path / "sentinel", repo / "pkg/sub")
        return real_read(repo_, rel)

    import phasemod.apply as apply_mod
    original = apply_mod.read_current
    apply_mod.read_current = swap_then_read
    try:
        result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    finally:
        apply_mod.read_current = original
    assert result.exit_code == 1, result.output
    assert "symbolic link" in result.output
    assert outside(repo) == before_out
