"""The migration record: what another clone needs to know about each phase, committed
with the migration (docs/team.md).

One JSON-lines file per phase, ``<manifests>/record/phase-<N>.jsonl``. Each line is one
event (sorted keys): ``baseline``, ``applied``, ``partial``, ``validated``,
``validation-failed`` or ``rolled-back``, with when (UTC), the git commit checked out at
the time, the shard (``K/N``, or null for the whole phase), the manifest's content hash
and, per event, the validation results or reference counts. Lines are only ever appended,
and ``record/.gitattributes`` gives the files git's built-in ``union`` merge, so two
clones or CI shards that append concurrently merge without conflict markers. The state
of a phase is folded from its events in time order, so the order of lines does not
matter (a union merge puts one side's lines after the other's).

Everything read here comes from the repository and is untrusted: every line is checked
(type and range of each field) and a bad one is an error naming the file and line.
Nothing read is ever executed.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from phasemod.errors import EngineError
from phasemod.select import read_regular

if TYPE_CHECKING:
    from phasemod.manifest import Phase

RECORD_DIR = "record"
ATTRIBUTES = "# phasemod: record lines are only appended; a merge keeps both sides' lines\n*.jsonl merge=union\n"
EVENTS = ("baseline", "applied", "partial", "validated", "validation-failed", "rolled-back")
STATES = ("applied", "partial", "validated", "validation-failed", "rolled-back")
KINDS = ("import", "instantiation", "annotation", "reference", "string", "docs")
MAX_LINE = 64 * 1024
_CONFLICT_MARK = re.compile(r"^(<{7}|={7}|>{7}|\|{7})( |$)")
_HEX = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_SHARD = re.compile(r"^([1-9][0-9]{0,4})/([1-9][0-9]{0,4})$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)$")


class RecordError(EngineError):
    """A record line that is not a phasemod record entry."""


@dataclass(frozen=True)
class Entry:
    """One line of a phase's record."""

    phase: int
    name: str
    event: str
    at: str                               # UTC, ISO 8601
    manifest: str                         # "sha256:<hex>" of the manifest file's bytes
    commit: str | None = None             # git HEAD when the event happened
    shard: str | None = None              # "K/N" or None (the whole phase)
    files: int | None = None              # applied/partial: files written or deleted by the run
    remaining: int | None = None          # references left in the phase's (shard's) files afterwards
    baseline: dict[str, int] | None = None    # baseline: references per kind before the first run
    validations: tuple[dict, ...] = ()    # command, exit, duration, severity, timed_out
    line: int = field(default=0, compare=False)   # where it was read (1-based), for messages

    def to_line(self) -> str:
        data: dict = {"at": self.at, "commit": self.commit, "event": self.event, "manifest": self.manifest,
                      "name": self.name, "phase": self.phase, "shard": self.shard}
        for key in ("files", "remaining", "baseline"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.validations:
            data["validations"] = [dict(sorted(v.items())) for v in self.validations]
        return json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(", ", ": "))

    @property
    def shard_pair(self) -> tuple[int, int] | None:
        if self.shard is None:
            return None
        k, n = self.shard.split("/")
        return int(k), int(n)


@dataclass(frozen=True)
class PhaseRecord:
    """A phase's state as the record tells it ("" when the record says nothing)."""

    number: int
    state: str = ""
    at: str = ""
    commit: str | None = None
    manifest: str | None = None           # the hash the current state was reached with
    remaining: int | None = None          # references the record says were left (None: unknown)
    validations: tuple[dict, ...] = ()
    shards: str = ""                      # e.g. "shards 1/4, 3/4 applied; 2/4, 4/4 not run"
    baseline: dict[str, int] | None = None

    @property
    def baseline_total(self) -> int | None:
        return None if self.baseline is None else sum(self.baseline.values())


# ---------------------------------------------------------------------------- paths

def record_dir(manifests: Path) -> Path:
    return Path(manifests) / RECORD_DIR


def record_file(manifests: Path, number: int) -> Path:
    return record_dir(manifests) / f"phase-{number}.jsonl"


def manifest_hash(manifest: Path) -> str:
    try:
        return "sha256:" + hashlib.sha256(read_regular(Path(manifest))).hexdigest()
    except OSError as exc:
        raise RecordError(f"{manifest}: cannot be read ({exc.strerror}); check its permissions") from exc


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------- reading

def read(manifests: Path, number: int) -> tuple[list[Entry], list[str]]:
    """The entries of phase ``number`` (file order) and warnings (conflict markers left
    by a merge without the union driver: skipped, both sides' lines count)."""
    path = record_file(manifests, number)
    if path.is_symlink():
        raise RecordError(f"{path}: is a symbolic link; the record must be a regular file in the repository")
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        raise RecordError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from exc
    entries: list[Entry] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for number_of_line, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        text = line.strip()
        if not text:
            continue
        if _CONFLICT_MARK.match(text):
            warnings.append(f"{path}:{number_of_line}: a git conflict marker; both sides' lines are kept, "
                            "delete the marker lines (docs/team.md: the record's merges)")
            continue
        if text in seen:   # the same event from both sides of a merge
            continue
        seen.add(text)
        entries.append(parse_line(text, f"{path}:{number_of_line}", number, number_of_line))
    return entries, warnings


def parse_line(text: str, where: str, number: int, line: int = 0) -> Entry:
    """One record line, every field checked; RecordError names ``where`` and the key."""
    def bad(key: str, what: str) -> RecordError:
        return RecordError(f"{where}: {key}: {what}; fix or delete this line (`git log -p` on the file shows "
                           "who wrote it)")

    if len(text) > MAX_LINE:
        raise bad("(line)", f"longer than {MAX_LINE} characters")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise bad("(line)", f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise bad("(line)", "expected a JSON object")
    phase = data.get("phase")
    if not _is_int(phase) or phase != number:
        raise bad("phase", f"expected {number}, the phase this file records")
    name, event, at, manifest = (data.get(k) for k in ("name", "event", "at", "manifest"))
    if not isinstance(name, str) or not 0 < len(name) <= 200:
        raise bad("name", "expected the phase's name")
    if event not in EVENTS:
        raise bad("event", f"expected one of {', '.join(EVENTS)}")
    if not isinstance(at, str) or not _TIME.match(at):
        raise bad("at", "expected a UTC time like 2026-01-31T12:00:00.000Z")
    if not isinstance(manifest, str) or not re.match(r"^sha256:[0-9a-f]{64}$", manifest):
        raise bad("manifest", "expected sha256:<64 hex digits>")
    commit = data.get("commit")
    if commit is not None and (not isinstance(commit, str) or not _HEX.match(commit)):
        raise bad("commit", "expected a git commit id or null")
    shard = data.get("shard")
    if shard is not None:
        match = _SHARD.match(shard) if isinstance(shard, str) else None
        if not match or int(match[1]) > int(match[2]):
            raise bad("shard", "expected K/N with 1 <= K <= N, or null")
    counts = {}
    for key in ("files", "remaining"):
        value = data.get(key)
        if value is not None and (not _is_int(value) or value < 0):
            raise bad(key, "expected a non-negative integer")
        counts[key] = value
    baseline = data.get("baseline")
    if baseline is not None:
        if not isinstance(baseline, dict) or set(baseline) - set(KINDS) or \
                not all(_is_int(v) and v >= 0 for v in baseline.values()):
            raise bad("baseline", f"expected counts per kind ({', '.join(KINDS)})")
        baseline = {k: baseline.get(k, 0) for k in KINDS}
    if event == "baseline" and baseline is None:
        raise bad("baseline", "a baseline event needs its counts")
    validations = data.get("validations", [])
    if not isinstance(validations, list) or len(validations) > 1000:
        raise bad("validations", "expected a list")
    checked = tuple(_validation(v, bad) for v in validations)
    return Entry(phase, name, event, at, manifest, commit, shard, counts["files"], counts["remaining"], baseline,
                 checked, line)


def _validation(value: object, bad) -> dict:
    if not isinstance(value, dict):
        raise bad("validations", "expected objects with command, exit, duration, severity, timed_out")
    command, code, duration = value.get("command"), value.get("exit"), value.get("duration")
    severity, timed_out = value.get("severity"), value.get("timed_out")
    if not isinstance(command, str) or len(command) > 10_000:
        raise bad("validations.command", "expected the command as written in the manifest")
    if code is not None and not _is_int(code):
        raise bad("validations.exit", "expected an integer exit code or null")
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 0 <= duration < 1e9:
        raise bad("validations.duration", "expected seconds")
    if severity not in ("critical", "warn"):
        raise bad("validations.severity", "expected critical or warn")
    if not isinstance(timed_out, bool):
        raise bad("validations.timed_out", "expected true or false")
    return {"command": command, "exit": code, "duration": float(duration), "severity": severity,
            "timed_out": timed_out}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63


# ---------------------------------------------------------------------------- writing

def append(manifests: Path, entry: Entry) -> Path:
    """Append one line to the phase's record (made with its ``.gitattributes`` on first use)."""
    directory = record_dir(manifests)
    path = record_file(manifests, entry.phase)
    try:
        if directory.is_symlink() or path.is_symlink():
            raise RecordError(f"{path}: is or lies behind a symbolic link; the record must be a regular file")
        directory.mkdir(exist_ok=True)
        attributes = directory / ".gitattributes"
        if not attributes.exists():
            attributes.write_text(ATTRIBUTES, encoding="utf-8")
        line = (entry.to_line() + "\n").encode("utf-8")
        previous = path.read_bytes() if path.exists() else b""
        if previous and not previous.endswith(b"\n"):
            line = b"\n" + line
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise RecordError(f"{path}: cannot be written ({exc.strerror}); check the permissions of {directory}") \
            from exc
    return path


def paths_to_commit(manifests: Path, numbers: Iterable[int]) -> list[Path]:
    """The record files (and their .gitattributes) a commit of these phases includes."""
    out = [record_dir(manifests) / ".gitattributes"]
    out += [record_file(manifests, n) for n in sorted(set(numbers))]
    return [p for p in out if p.exists()]


# ---------------------------------------------------------------------------- folding

def view(number: int, entries: Sequence[Entry]) -> PhaseRecord:
    """Fold a phase's events, oldest first, into its state.

    An event for the whole phase (no shard) sets the state. Shard events (``K/N``) are
    kept per shard; the phase is then ``applied`` or ``validated`` when all N shards
    are, ``validation-failed`` when one failed, ``rolled-back`` when all were, and
    ``partial`` otherwise (some shards missing or partial)."""
    ordered = sorted(entries, key=lambda e: (e.at, e.to_line()))
    state, last = "", None
    remaining: int | None = None
    validations: tuple[dict, ...] = ()
    shard_events: dict[int, Entry] = {}
    shard_total = 0
    whole_baseline: dict[str, int] | None = None
    shard_baselines: dict[int, dict[int, dict[str, int]]] = {}
    for e in ordered:
        if e.event == "baseline":
            pair = e.shard_pair
            if pair is None:
                whole_baseline = whole_baseline or e.baseline
            else:
                shard_baselines.setdefault(pair[1], {}).setdefault(pair[0], e.baseline or {})
            continue
        pair = e.shard_pair
        last = e
        if pair is None:
            shard_events, shard_total = {}, 0
            if e.event in ("validated", "validation-failed"):
                validations = e.validations
                remaining = e.remaining if e.remaining is not None else remaining
            else:
                validations = ()
                remaining = e.remaining
            state = e.event
            continue
        k, n = pair
        if n != shard_total:
            shard_events, shard_total = {}, n
        previous = shard_events.get(k)
        if previous is not None and e.event in ("validated", "validation-failed") and e.remaining is None:
            e = Entry(e.phase, e.name, e.event, e.at, e.manifest, e.commit, e.shard, e.files, previous.remaining,
                      e.baseline, e.validations, e.line)
        shard_events[k] = e
        state = _shard_state(shard_events, n)
        present = [shard_events[i] for i in sorted(shard_events)]
        remaining = sum(x.remaining for x in present) if present and all(x.remaining is not None for x in present) \
            else None
        validations = tuple(dict(v, shard=x.shard) for x in present for v in x.validations)
    shards = _shard_text(shard_events, shard_total) if shard_total else ""
    baseline = whole_baseline
    if baseline is None:
        for n, got in sorted(shard_baselines.items()):
            if len(got) == n:
                baseline = {k: sum(b.get(k, 0) for b in got.values()) for k in KINDS}
                break
    if last is None:
        return PhaseRecord(number, baseline=baseline)
    if shard_total and state != "validated":
        remaining = remaining if len(shard_events) == shard_total else None
    return PhaseRecord(number, state, last.at, last.commit, last.manifest, remaining, validations, shards, baseline)


def _shard_state(events: dict[int, Entry], n: int) -> str:
    states = [events[k].event if k in events else "" for k in range(1, n + 1)]
    if all(s == "rolled-back" for s in states):
        return "rolled-back"
    if any(s == "validation-failed" for s in states):
        return "validation-failed"
    if all(s == "validated" for s in states):
        return "validated"
    if all(s in ("applied", "validated") for s in states):
        return "applied"
    return "partial"


def _shard_text(events: dict[int, Entry], n: int) -> str:
    groups: dict[str, list[str]] = {}
    for k in range(1, n + 1):
        groups.setdefault(events[k].event if k in events else "not run", []).append(f"{k}/{n}")
    return "; ".join(f"shards {', '.join(v)} {state}" if len(v) > 1 else f"shard {v[0]} {state}"
                     for state, v in groups.items())


def phase_record(manifests: Path, number: int) -> tuple[PhaseRecord, list[str]]:
    entries, warnings = read(manifests, number)
    return view(number, entries), warnings


def has_baseline(manifests: Path, number: int, shard: tuple[int, int] | None) -> bool:
    wanted = None if shard is None else f"{shard[0]}/{shard[1]}"
    return any(e.event == "baseline" and e.shard == wanted for e in read(manifests, number)[0])


def baseline_for(manifests: Path, number: int, shard: tuple[int, int] | None) -> int | None:
    """The recorded baseline (total references) for the phase, or one shard of it."""
    entries = read(manifests, number)[0]
    if shard is None:
        total = view(number, entries).baseline_total
        return total
    wanted = f"{shard[0]}/{shard[1]}"
    for e in sorted(entries, key=lambda e: (e.at, e.to_line())):
        if e.event == "baseline" and e.shard == wanted and e.baseline is not None:
            return sum(e.baseline.values())
    return None


def manifests_of(phase: Phase) -> Path:
    return Path(phase.path).parent


def enabled(repo: Path, phase: Phase) -> bool:
    """The record is kept only where it can travel with the repository: a manifests
    directory inside it. Manifests kept elsewhere leave gating to the local journal."""
    try:
        manifests_of(phase).resolve().relative_to(Path(repo).resolve())
    except (ValueError, OSError):
        return False
    return True
