"""The engine's proposals for one phase kept for an unchanged tree: what ``plan --clusters``
computed is what a following ``run -i`` reviews, so the grouped review starts at once.

Stored as JSON in ``.phasemod/proposals-<key>.json`` (only where phasemod's state directory
exists). The key covers the phase's manifest file, the shard and phasemod's version; the
file holds the tree's fingerprint (``answers.fingerprint``: one ``stat`` per file, phasemod's
own sources included, its state directory left out), and for every changed file the
SHA-256 of the bytes it was proposed for, checked again when the file is read back. Any
difference and the engine runs as usual.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Sequence

from phasemod import answers
from phasemod.model import FileOutcome, Finding, FindingKind, Hunk, Status

SCHEMA = 1
_LIMIT = 1 << 30


def _name(phase, shard: tuple[int, int] | None) -> str:
    from phasemod import __version__

    try:
        manifest = Path(phase.path).read_bytes()
    except OSError:
        manifest = repr(phase).encode()
    digest = hashlib.sha256(manifest + repr((phase.number, shard, __version__)).encode()).hexdigest()[:16]
    return f"proposals-{digest}.json"


def _hunk_json(h: Hunk) -> list:
    return [h.index, h.start, list(h.before), list(h.after), list(h.recipes), list(h.context_before),
            list(h.context_after), h.ordinal]


def _finding_json(f: Finding) -> list:
    return [f.kind.value, f.path, f.line, f.message, f.recipe]


def save(repo: Path, phase, shard: tuple[int, int] | None, files: Sequence[str],
         outcomes: Sequence[FileOutcome]) -> None:
    """Keep ``outcomes`` (every selected file's, in order) when the tree is settled."""
    from phasemod import state

    fingerprint, newest = answers.fingerprint(repo, Path(phase.path).parent, state=False)
    if newest >= time.time_ns() - answers.RACY_NS:
        return
    rows = []
    for o in outcomes:
        rows.append({"path": o.path, "status": o.status.value, "reason": o.reason, "encoding": o.encoding,
                     "delete": o.delete, "findings": [_finding_json(f) for f in o.findings],
                     "old": hashlib.sha256(o.old_bytes).hexdigest() if o.old_bytes else "",
                     "new": o.new_bytes.decode("latin-1") if o.status is Status.CHANGED else "",
                     "hunks": [_hunk_json(h) for h in o.hunks]})
    body = {"schema": SCHEMA, "fingerprint": fingerprint, "files": list(files), "outcomes": rows}
    try:
        state.write_file(repo, _name(phase, shard), json.dumps(body).encode())
    except Exception:       # a cache: never the reason a command fails
        pass


def load(repo: Path, phase, shard: tuple[int, int] | None,
         files: Sequence[str]) -> list[FileOutcome] | None:
    """The kept outcomes when nothing changed since they were computed, else None."""
    from phasemod import state

    try:
        data = state.read_file(repo, _name(phase, shard), _LIMIT)
        body = json.loads(data) if data else None
    except Exception:
        return None
    if not isinstance(body, dict) or body.get("schema") != SCHEMA or body.get("files") != list(files):
        return None
    if body.get("fingerprint") != answers.fingerprint(repo, Path(phase.path).parent, state=False)[0]:
        return None
    out = []
    try:
        for row in body["outcomes"]:
            old = b""
            if row["old"]:
                old = (repo / row["path"]).read_bytes()
                if hashlib.sha256(old).hexdigest() != row["old"]:
                    return None
            hunks = tuple(Hunk(row["path"], i, start, tuple(b), tuple(a), tuple(r), tuple(cb), tuple(ca), n)
                          for i, start, b, a, r, cb, ca, n in row["hunks"])
            findings = tuple(Finding(FindingKind(k), p, line, message, recipe)
                             for k, p, line, message, recipe in row["findings"])
            out.append(FileOutcome(row["path"], Status(row["status"]), old, row["new"].encode("latin-1"), hunks,
                                   findings, row["reason"], row["encoding"], row["delete"]))
    except (KeyError, TypeError, ValueError, OSError):
        return None
    return out
