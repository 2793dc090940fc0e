"""The one helper that builds a test repository: files and manifests, as given."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping


def write_repo(root: Path, files: Mapping[str, str | bytes],
               manifests: Mapping[str, str | bytes] | None = None) -> Path:
    """``root`` with ``phase_manifests/`` holding ``manifests`` (file name -> text), then
    ``files`` (repo-relative path -> text or bytes; written after the manifests, so a file
    entry under phase_manifests/ wins). Text is written as UTF-8, as is."""
    (root / "phase_manifests").mkdir(parents=True, exist_ok=True)
    entries = {f"phase_manifests/{name}": text for name, text in (manifests or {}).items()}
    entries.update(files)
    for rel, data in entries.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root
