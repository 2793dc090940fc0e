"""delete_files: delete listed files once nothing refers to what they define.

Declares which files go; the engine journals and performs the deletion.
"""
from __future__ import annotations

from dataclasses import dataclass

ID = "delete_files"
DESCRIPTION = "Delete files (paths or globs), refusing while code still references the phase's old symbols."
TARGET = "files"


@dataclass(frozen=True)
class Options:
    paths: tuple[str, ...]
    require_no_references: bool = True
