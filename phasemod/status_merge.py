"""`status --from FILE...` and `report --from FILE...`: the `status --json` outputs of
CI shards summed into one status, without reading the tree.

Per phase (by number) the shards' files, references, unparseable files, files importing
both and needs-review items are put together (in path order, as one status of the whole
tree lists them) and their baselines added; the totals and percent are then computed by
the same code as `status --json`. The inputs are untrusted: every field is checked, and
a bad one is an error naming the file and the field.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from phasemod.errors import EngineError
from phasemod.model import Kind, Reference
from phasemod.status import KINDS, SCHEMA_VERSION, PhaseStatus

MAX_INPUT = 512 * 1024 * 1024


class StatusInputError(EngineError):
    """A --from file that is not a `phasemod status --json` output."""


@dataclass(frozen=True)
class PhaseLabel:
    """What a summed status knows of a phase: its number and name."""

    number: int
    name: str


def load(paths: Sequence[Path]) -> list[PhaseStatus]:
    if not paths:
        raise StatusInputError("status --from: name the `status --json` files to sum")
    merged: dict[int, PhaseStatus] = {}
    for path in paths:
        for status in _read(Path(path)):
            number = status.phase.number
            if number not in merged:
                merged[number] = status
                continue
            into = merged[number]
            if into.phase.name != status.phase.name:
                raise StatusInputError(f"{path}: phase {number} is named {status.phase.name!r} here and "
                                       f"{into.phase.name!r} in an earlier file; sum outputs of the same manifests")
            into.files += status.files
            into.references += status.references
            into.unparseable += status.unparseable
            into.imports_both += status.imports_both
            into.needs_review += status.needs_review
            into.baseline = None if into.baseline is None or status.baseline is None \
                else into.baseline + status.baseline
    out = [merged[n] for n in sorted(merged)]
    for s in out:   # one listing in path order, as a status of the whole tree gives it
        s.references.sort(key=lambda r: r.path)
        s.unparseable.sort(key=lambda u: u[0])
        s.imports_both.sort()
        s.needs_review.sort(key=lambda r: r.path)
    return out


def _read(path: Path) -> list[PhaseStatus]:
    def bad(where: str, what: str) -> StatusInputError:
        return StatusInputError(f"{path}: {where}: {what}; pass files written by `phasemod status --json`")

    try:
        if path.stat().st_size > MAX_INPUT:
            raise bad("(file)", "too large")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StatusInputError(f"{path}: cannot be read ({exc.strerror}); check the path") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad("(file)", f"not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
        raise bad("schema", f"expected {SCHEMA_VERSION}")
    phases = data.get("phases")
    if not isinstance(phases, list):
        raise bad("phases", "expected a list")
    out = []
    seen = set()
    for i, p in enumerate(phases):
        where = f"phases[{i}]"
        if not isinstance(p, dict):
            raise bad(where, "expected an object")
        number, name, files, baseline = p.get("phase"), p.get("name"), p.get("files"), p.get("baseline")
        if not _int(number) or number in seen:
            raise bad(f"{where}.phase", "expected a phase number, once per file")
        seen.add(number)
        if not isinstance(name, str):
            raise bad(f"{where}.name", "expected the phase name")
        if not _int(files) or files < 0:
            raise bad(f"{where}.files", "expected a count")
        if baseline is not None and (not _int(baseline) or baseline < 0):
            raise bad(f"{where}.baseline", "expected a count or null")
        status = PhaseStatus(PhaseLabel(number, name), files, baseline=baseline)  # type: ignore[arg-type]
        status.references = [_reference(r, bad, f"{where}.references[{j}]")
                             for j, r in enumerate(_list(p, "references", bad, where))]
        status.unparseable = [_unparseable(u, bad, f"{where}.unparseable[{j}]")
                              for j, u in enumerate(_list(p, "unparseable", bad, where))]
        status.imports_both = [_text(x, bad, f"{where}.imports_both") for x in _list(p, "imports_both", bad, where)]
        status.needs_review = [_needs_review(r, bad, f"{where}.needs_review[{j}]")
                               for j, r in enumerate(_list(p, "needs_review", bad, where))]
        if p.get("remaining") != len(status.references):
            raise bad(f"{where}.remaining", "does not match the references listed")
        out.append(status)
    return out


def _list(p: dict, key: str, bad, where: str) -> list:
    value = p.get(key, [])
    if not isinstance(value, list):
        raise bad(f"{where}.{key}", "expected a list")
    return value


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: object, bad, where: str) -> str:
    if not isinstance(value, str):
        raise bad(where, "expected text")
    return value


def _reference(r: object, bad, where: str) -> Reference:
    if not isinstance(r, dict) or not _int(r.get("line")) or r.get("kind") not in KINDS:
        raise bad(where, "expected path, line, kind, old, text")
    return Reference(_text(r.get("path"), bad, where), r["line"], Kind(r["kind"]), _text(r.get("old"), bad, where),
                     _text(r.get("text"), bad, where))


def _unparseable(u: object, bad, where: str) -> tuple[str, int, str]:
    if not isinstance(u, dict) or not _int(u.get("line")):
        raise bad(where, "expected path, line, error")
    return _text(u.get("path"), bad, where), u["line"], _text(u.get("error"), bad, where)


def _needs_review(r: object, bad, where: str) -> Reference:
    if not isinstance(r, dict) or not _int(r.get("line")):
        raise bad(where, "expected path, line, text")
    return Reference(_text(r.get("path"), bad, where), r["line"], Kind.IMPORT, "", _text(r.get("text"), bad, where))
