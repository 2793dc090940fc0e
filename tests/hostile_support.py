"""Test-only: a small repository beside a sentinel directory, the CLI driven through
CliRunner, and tree snapshots proving nothing outside the repository was written.

Never used by phasemod itself.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Mapping

from click.testing import CliRunner, Result

from phasemod.runner import cli
from repos import write_repo

MANIFEST = """phase: 1
name: one
files:
  include: ["pkg/**/*.py"]
recipes:
  - move_symbol:
      old: pkg.old.Old
      new: pkg.new.New
      keep_local_name: false
"""

BASE_FILES: dict[str, bytes] = {
    "pkg/__init__.py": b"",
    "pkg/old.py": b"class Old:\n    pass\n",
    "pkg/new.py": b"class New:\n    pass\n",
}


def make_repo(root: Path, files: Mapping[str, bytes | str] = (), manifest: str | bytes | None = MANIFEST) -> Path:
    """``root/repo`` with the base package, ``files`` and one manifest, and
    ``root/sentinel`` next to it (for :func:`outside`)."""
    sentinel = root / "sentinel"
    sentinel.mkdir(parents=True)
    (sentinel / "keep.txt").write_bytes(b"sentinel\n")
    return write_repo(root / "repo", {**BASE_FILES, **dict(files)}, {"01.yaml": manifest} if manifest is not None else {})


def tree(root: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple[str, bytes | str, int]]:
    """Every entry under ``root`` (links not followed): kind, bytes or link target, mode."""
    out: dict[str, tuple[str, bytes | str, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir.split(os.sep)[0] in skip:
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if rel.split(os.sep)[0] in skip:
                continue
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(full), 0)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", b"", stat.S_IMODE(st.st_mode))
            elif not stat.S_ISREG(st.st_mode):  # a FIFO would block a read
                out[rel] = ("special", b"", stat.S_IMODE(st.st_mode))
            else:
                with open(full, "rb") as fh:
                    out[rel] = ("file", fh.read(), stat.S_IMODE(st.st_mode))
    return out


def outside(repo: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Everything next to the repository (the sentinel and any stray file)."""
    return tree(repo.parent, skip=(repo.name,))


def files_of(repo: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """The repository's own tree without phasemod's state directory and the migration
    record (phase_manifests/record/, which notes the runs)."""
    return {k: v for k, v in tree(repo, skip=(".phasemod",)).items()
            if k != "phase_manifests/record" and not k.startswith("phase_manifests/record/")}


def cli_run(repo: Path | str, *args: str, input: str | None = None, env: Mapping[str, str] | None = None) -> Result:
    """Invoke the CLI in-process; never a traceback, never an internal error."""
    result = CliRunner().invoke(cli, ["--repo", str(repo), *args], input=input, env=dict(env or {}))
    assert "Traceback" not in result.output, result.output
    assert "internal error" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def one_line_error(result: Result) -> str:
    """The error text of a failed command: a few ``phasemod: ...`` lines, no traceback."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, result.output
    assert all(line.startswith("phasemod: ") for line in lines), lines
    return "\n".join(lines)


def copy_repo_with_state(source: Path, target: Path) -> None:
    """Copy a repository with its ``.phasemod`` and re-bind the copy's clone id to the new
    directory, as if phasemod had made it there (a plain copy is refused as untrusted)."""
    import json
    import shutil

    shutil.copytree(source, target, symlinks=True)
    state = target / ".phasemod"
    clone = state / "clone.json"
    if not clone.exists():
        return
    record = json.loads(clone.read_text())
    st = os.lstat(state)
    record["dir"] = [st.st_dev, st.st_ino]
    clone.write_text(json.dumps(record))
