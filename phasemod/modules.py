"""Map a repo-relative file path to its dotted module name.

Walks up through directories that hold ``__init__.py``; never imports user code.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import PurePosixPath


@lru_cache(maxsize=65536)
def _is_package_dir(repo: str, rel_dir: str) -> bool:
    return os.path.isfile(os.path.join(repo, rel_dir, "__init__.py"))


def module_of(repo: str, rel: str, source_roots: tuple[str, ...] = ()) -> tuple[str, bool]:
    """(dotted module, is_package) for the file ``rel``; ('', False) when not a module."""
    return _module_of(repo, rel, tuple(source_roots))


@lru_cache(maxsize=65536)   # what it reads from disk is _is_package_dir's, forgotten with it
def _module_of(repo: str, rel: str, source_roots: tuple[str, ...]) -> tuple[str, bool]:
    path = PurePosixPath(rel)
    if path.suffix not in (".py", ".pyi"):
        return "", False
    is_package = path.stem == "__init__"
    for root in sorted(source_roots, key=len, reverse=True):
        root = root.strip("/")
        if root and (rel == root or rel.startswith(root + "/")):
            parts = list(PurePosixPath(rel[len(root) + 1:]).with_suffix("").parts)
            break
    else:
        parts = [path.stem]
        directory = path.parent
        while str(directory) not in ("", ".") and _is_package_dir(repo, str(directory)):
            parts.insert(0, directory.name)
            directory = directory.parent
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def forget_packages() -> None:
    """Drop what this process learnt about which directories are packages (a move may
    have created one since)."""
    _is_package_dir.cache_clear()
    _module_of.cache_clear()
