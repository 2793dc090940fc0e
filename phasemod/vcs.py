"""The little phasemod needs from git: which files are dirty, and committing a phase.

Never changes the index or history unless asked to commit; a repo without git is fine.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Sequence

from phasemod.errors import EngineError


def is_work_tree(repo: Path) -> bool:
    try:
        result = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=repo, capture_output=True,
                                text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == "true"


def dirty_files(repo: Path) -> set[str]:
    """Repo-relative paths with uncommitted changes (empty outside a git work tree)."""
    if not is_work_tree(repo):
        return set()
    result = subprocess.run(["git", "-c", "core.fsmonitor=false", "status", "--porcelain", "-z", "--untracked-files=no", "."], cwd=repo,
                            capture_output=True, timeout=120)
    out = set()
    prefix = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=repo, capture_output=True, text=True,
                            timeout=30).stdout.strip()
    for entry in result.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if len(entry) > 3:
            path = entry[3:]
            out.add(path[len(prefix):] if prefix and path.startswith(prefix) else path)
    return out


def head_commit(repo: Path) -> str | None:
    """The commit checked out (None outside git or before the first commit)."""
    try:
        result = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=repo, capture_output=True,
                                text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = result.stdout.strip()
    return value if result.returncode == 0 and value else None


def commit(repo: Path, paths: Sequence[str], message: str) -> None:
    if not is_work_tree(repo):
        raise EngineError(f"{repo}: --commit needs a git work tree; run without --commit")
    subprocess.run(["git", "add", "--all", "--", *paths], cwd=repo, check=True, capture_output=True)
    result = subprocess.run(["git", "commit", "-q", "-m", message, "--", *paths], cwd=repo, capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise EngineError(f"git commit failed: {result.stderr.strip() or result.stdout.strip()}")
