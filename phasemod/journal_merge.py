"""`phasemod journal merge`: bring other clones' journals (a CI matrix's shard journals)
into the local one, so that `rollback PHASE` undoes every shard's files byte for byte.

The union of runs, files, hunks, validations and rollbacks is inserted with new ids (run
ids in files, hunks, validations and rollbacks follow). Two journals that both hold a
live change (pending or applied) of the same file at the same phase overlap: their
rollbacks would fight over the file, so the merge is refused and nothing is written.

Input journals are untrusted data: opened read-only, the schema version and the table
layout checked, only known columns selected, every value type- and range-checked (paths
stay inside the repository, saved content matches its hash), and nothing in them is
executed (``trusted_schema`` off; no views or triggers are read).
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Sequence

from phasemod.apply import STATE_DIR, content_hash
from phasemod.errors import EngineError, ProblemsFound
from phasemod.journal import (DECISIONS, FILE_ACTIONS, FILE_STATES, JOURNAL_NAME, ROLLBACK_OUTCOMES, RUN_OUTCOMES,
                              SCHEMA_VERSION, Journal)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
COLUMNS = {
    "runs": ("id", "phase", "phase_name", "command", "pid", "started", "ended", "outcome"),
    "files": ("id", "run_id", "path", "action", "hash_before", "content_before", "hash_after", "mode_before",
              "mode_after", "state", "created_dirs", "recorded"),
    "hunks": ("id", "run_id", "path", "hunk_key", "idx", "recipe", "text_before", "text_after", "decision",
              "cluster", "decided_at"),
    "validations": ("id", "run_id", "command", "exit_code", "duration", "timed_out", "severity", "output_tail",
                    "recorded"),
    "rollbacks": ("id", "run_ids", "phase", "started", "ended", "outcome", "restored", "conflicts"),
}
# Tables of later schemas, merged when the journals have them (same schema on both sides).
OPTIONAL = {
    "run_problems": ("id", "run_id", "reason"),    # why an applied run is only partial
}


class MergeRefused(EngineError):
    """An input is not a journal phasemod can merge (exit 2)."""


@dataclass
class Source:
    """One input journal, checked, with its rows keyed by table."""

    path: Path
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def live_changes(self) -> dict[tuple[int, str], int]:
        """(phase, path) -> run id, for every file still changed by one of its runs."""
        phases = {r["id"]: r["phase"] for r in self.rows["runs"]}
        return {(phases[f["run_id"]], f["path"]): f["run_id"] for f in self.rows["files"]
                if f["state"] in ("pending", "applied")}


@dataclass(frozen=True)
class MergeResult:
    journal: Path
    counts: dict[str, int]            # rows added per table
    runs: list[tuple[str, int, int]]  # (source, old run id, new run id)


def merge(repo: Path, inputs: Sequence[Path]) -> MergeResult:
    """Merge ``inputs`` into the repository's journal, all or nothing."""
    from phasemod.lock import RepoLock

    if not inputs:
        raise MergeRefused("journal merge: name the journals to merge (e.g. shard-*/journal.sqlite3)")
    local = (Path(repo) / STATE_DIR / JOURNAL_NAME).resolve()
    seen: set[Path] = set()
    for path in inputs:
        resolved = Path(path).resolve()
        if resolved == local:
            raise MergeRefused(f"{path}: is this repository's own journal; name the other clones' journals")
        if resolved in seen:
            raise MergeRefused(f"{path}: named twice")
        seen.add(resolved)
    sources = [read_source(Path(p)) for p in inputs]
    with RepoLock(Path(repo), "journal merge"), Journal.open(Path(repo)) as journal:
        mine = Source(journal.path, _read_rows(journal._db, journal.path))
        _refuse_overlaps([mine, *sources])
        return _insert(journal, sources)


def read_source(path: Path) -> Source:
    if not path.is_file():
        raise MergeRefused(f"{path}: no such file; pass the journal files (.phasemod/journal.sqlite3 of each clone)")
    try:
        db = _open_read_only(path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise MergeRefused(f"{path}: cannot be opened as a journal ({exc})") from exc
    try:
        if version != SCHEMA_VERSION:
            raise MergeRefused(f"{path}: journal schema {version}, this phasemod merges schema {SCHEMA_VERSION}; "
                               "run the same phasemod version in every clone (or open that journal once with "
                               "this version to migrate it)")
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise MergeRefused(f"{path}: damaged (sqlite quick_check fails); it cannot be merged")
        return Source(path, _read_rows(db, path))
    except sqlite3.DatabaseError as exc:
        raise MergeRefused(f"{path}: not a phasemod journal ({exc})") from exc
    finally:
        db.close()


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Read-only (a write-ahead log beside it is read too); in a read-only directory,
    where SQLite cannot make its shared-memory file, as an immutable file."""
    uri = path.resolve().as_uri()
    for suffix in ("?mode=ro", "?mode=ro&immutable=1"):
        db = sqlite3.connect(uri + suffix, uri=True)
        try:
            db.execute("PRAGMA trusted_schema = OFF")
            db.execute("PRAGMA user_version").fetchone()
            return db
        except sqlite3.OperationalError:
            db.close()
            if suffix.endswith("immutable=1"):
                raise
    raise AssertionError("unreachable")


def _read_rows(db: sqlite3.Connection, path: Path) -> dict[str, list[dict]]:
    tables = {row[0]: row[1] for row in db.execute("SELECT name, type FROM sqlite_master")}
    out: dict[str, list[dict]] = {}
    for table, columns in COLUMNS.items():
        if tables.get(table) != "table":
            raise MergeRefused(f"{path}: has no {table} table; not a phasemod journal")
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if not set(columns) <= have:
            raise MergeRefused(f"{path}: table {table} lacks {', '.join(sorted(set(columns) - have))}; "
                               "not a phasemod journal")
        cursor = db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
        out[table] = [dict(zip(columns, row)) for row in cursor]
    for table, columns in OPTIONAL.items():
        if tables.get(table) == "table":
            cursor = db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
            out[table] = [dict(zip(columns, row)) for row in cursor]
    _check_rows(out, path)
    return out


# ---------------------------------------------------------------------------- checks

def _check_rows(rows: dict[str, list[dict]], path: Path) -> None:
    def bad(table: str, row: dict, column: str, what: str) -> MergeRefused:
        return MergeRefused(f"{path}: {table} row {row.get('id')!r}: {column}: {what}; this journal cannot be merged")

    run_ids = set()
    for r in rows["runs"]:
        for col in ("id", "phase", "pid"):
            if not _int(r[col]):
                raise bad("runs", r, col, "expected an integer")
        for col in ("phase_name", "command", "started"):
            if not _text(r[col]):
                raise bad("runs", r, col, "expected text")
        if r["ended"] is not None and not _text(r["ended"]):
            raise bad("runs", r, "ended", "expected text or null")
        if r["outcome"] not in RUN_OUTCOMES:
            raise bad("runs", r, "outcome", f"expected one of {', '.join(RUN_OUTCOMES)}")
        run_ids.add(r["id"])
    for f in rows["files"]:
        if not _int(f["id"]) or f["run_id"] not in run_ids:
            raise bad("files", f, "run_id", "names no run of this journal")
        _check_path(f["path"], lambda what: bad("files", f, "path", what))
        if f["action"] not in FILE_ACTIONS:
            raise bad("files", f, "action", f"expected one of {', '.join(FILE_ACTIONS)}")
        if f["state"] not in FILE_STATES:
            raise bad("files", f, "state", f"expected one of {', '.join(FILE_STATES)}")
        for col in ("hash_before", "hash_after"):
            if f[col] is not None and not (isinstance(f[col], str) and _HEX64.match(f[col])):
                raise bad("files", f, col, "expected a sha256 hex digest or null")
        content = f["content_before"]
        if content is not None and not isinstance(content, bytes):
            raise bad("files", f, "content_before", "expected bytes or null")
        if content_hash(content) != f["hash_before"]:
            raise bad("files", f, "content_before", "does not match hash_before (the saved original is damaged)")
        for col in ("mode_before", "mode_after"):
            if f[col] is not None and not (_int(f[col]) and 0 <= f[col] <= 0o7777):
                raise bad("files", f, col, "expected permission bits or null")
        try:
            dirs = json.loads(f["created_dirs"]) if isinstance(f["created_dirs"], str) else None
        except ValueError:
            dirs = None
        if not isinstance(dirs, list):
            raise bad("files", f, "created_dirs", "expected a JSON list of directories")
        for d in dirs:
            _check_path(d, lambda what: bad("files", f, "created_dirs", what))
        if not _text(f["recorded"]):
            raise bad("files", f, "recorded", "expected text")
    for h in rows["hunks"]:
        if not _int(h["id"]) or h["run_id"] not in run_ids:
            raise bad("hunks", h, "run_id", "names no run of this journal")
        _check_path(h["path"], lambda what: bad("hunks", h, "path", what))
        for col in ("hunk_key", "recipe", "decided_at"):
            if not _text(h[col]):
                raise bad("hunks", h, col, "expected text")
        for col in ("text_before", "text_after"):
            if not isinstance(h[col], str):
                raise bad("hunks", h, col, "expected text")
        if not _int(h["idx"]):
            raise bad("hunks", h, "idx", "expected an integer")
        if h["decision"] not in DECISIONS:
            raise bad("hunks", h, "decision", f"expected one of {', '.join(DECISIONS)}")
        if h["cluster"] is not None and not isinstance(h["cluster"], str):
            raise bad("hunks", h, "cluster", "expected text or null")
    for v in rows["validations"]:
        if not _int(v["id"]) or v["run_id"] not in run_ids:
            raise bad("validations", v, "run_id", "names no run of this journal")
        if not _text(v["command"]) or not isinstance(v["output_tail"], str) or not _text(v["recorded"]):
            raise bad("validations", v, "command", "expected text")
        if v["exit_code"] is not None and not _int(v["exit_code"]):
            raise bad("validations", v, "exit_code", "expected an integer or null")
        if isinstance(v["duration"], bool) or not isinstance(v["duration"], (int, float)) or v["duration"] < 0:
            raise bad("validations", v, "duration", "expected seconds")
        if v["timed_out"] not in (0, 1) or v["severity"] not in ("critical", "warn"):
            raise bad("validations", v, "severity", "expected critical or warn, timed_out 0 or 1")
    for p in rows.get("run_problems", []):
        if not _int(p["id"]) or p["run_id"] not in run_ids:
            raise bad("run_problems", p, "run_id", "names no run of this journal")
        if not _text(p["reason"]):
            raise bad("run_problems", p, "reason", "expected text")
    for rb in rows["rollbacks"]:
        try:
            ids, conflicts = json.loads(rb["run_ids"]), json.loads(rb["conflicts"])
        except (TypeError, ValueError):
            raise bad("rollbacks", rb, "run_ids", "expected JSON lists") from None
        if not isinstance(ids, list) or not all(i in run_ids for i in ids):
            raise bad("rollbacks", rb, "run_ids", "names runs this journal does not have")
        if not isinstance(conflicts, list) or not all(isinstance(c, str) for c in conflicts):
            raise bad("rollbacks", rb, "conflicts", "expected a JSON list of paths")
        if rb["outcome"] not in ROLLBACK_OUTCOMES or not _int(rb["restored"]) or \
                (rb["phase"] is not None and not _int(rb["phase"])) or not _text(rb["started"]):
            raise bad("rollbacks", rb, "outcome", f"expected one of {', '.join(ROLLBACK_OUTCOMES)}")


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: object) -> bool:
    return isinstance(value, str) and len(value) < 1_000_000


def _check_path(value: object, bad) -> None:
    if not isinstance(value, str) or not value or "\0" in value or "\\" in value:
        raise bad("expected a repo-relative POSIX path")
    parts = PurePosixPath(value).parts
    if value.startswith("/") or ".." in parts or parts[0] in (".git", STATE_DIR) or "." in value.split("/"):
        raise bad(f"{value!r} leads outside the repository or into .git/.phasemod")


# ---------------------------------------------------------------------------- merging

def _refuse_overlaps(sources: Sequence[Source]) -> None:
    owner: dict[tuple[int, str], tuple[Source, int]] = {}
    clashes = []
    for source in sources:
        for key, run_id in sorted(source.live_changes().items()):
            if key in owner and owner[key][0] is not source:
                other, other_run = owner[key]
                clashes.append(f"{key[1]}: changed at phase {key[0]} by {other.path} (run {other_run}) and by "
                               f"{source.path} (run {run_id})")
            else:
                owner.setdefault(key, (source, run_id))
    if clashes:
        more = f" (and {len(clashes) - 5} more)" if len(clashes) > 5 else ""
        raise ProblemsFound("journal merge refused, nothing was merged: the same file is changed at the same phase "
                            "in two journals, so a rollback could not tell which original to restore:\n"
                            + "\n".join(clashes[:5]) + more
                            + "\nmerge only journals of disjoint shards (run --shard K/N), or roll one back first")


def _insert(journal: Journal, sources: Sequence[Source]) -> MergeResult:
    counts = dict.fromkeys(COLUMNS, 0)
    mapping: list[tuple[str, int, int]] = []
    with journal._tx() as db:
        for source in sources:
            new_run: dict[int, int] = {}
            for r in source.rows["runs"]:
                outcome = "interrupted" if r["outcome"] == "running" else r["outcome"]   # killed in its clone
                new_run[r["id"]] = db.execute(
                    "INSERT INTO runs (phase, phase_name, command, pid, started, ended, outcome) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (r["phase"], r["phase_name"], r["command"], r["pid"], r["started"], r["ended"], outcome)).lastrowid
                mapping.append((str(source.path), r["id"], new_run[r["id"]]))
            for table in ("files", "hunks", "validations", *OPTIONAL):
                if table not in source.rows:
                    continue
                columns = [c for c in {**COLUMNS, **OPTIONAL}[table] if c != "id"]
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                db.executemany(sql, [tuple(new_run[row[c]] if c == "run_id" else row[c] for c in columns)
                                     for row in source.rows[table]])
            for rb in source.rows["rollbacks"]:
                outcome = "interrupted" if rb["outcome"] == "running" else rb["outcome"]
                db.execute("INSERT INTO rollbacks (run_ids, phase, started, ended, outcome, restored, conflicts) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (json.dumps(sorted(new_run[i] for i in json.loads(rb["run_ids"]))), rb["phase"],
                            rb["started"], rb["ended"], outcome, rb["restored"], rb["conflicts"]))
            for table, rows in source.rows.items():
                counts[table] = counts.get(table, 0) + len(rows)
    return MergeResult(journal.path, counts, mapping)
