"""The SQLite journal in ``<repo>/.phasemod``: runs, files, hunks, validations, rollbacks.

Never touches the files it records: a file row is committed before its file is replaced
(write-ahead), and nothing here reads or writes the repository's own files.
"""
from __future__ import annotations

import hashlib

import json
import os
import sqlite3
import stat
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from phasemod import state
from phasemod.crashpoints import crash_point
from phasemod.errors import EngineError
from phasemod.state import JOURNAL_NAME
RUN_OUTCOMES = ("running", "applied", "dry-run", "failed", "interrupted", "rolled-back", "validation-failed")
FILE_ACTIONS = ("write", "delete", "create")
FILE_STATES = ("pending", "applied", "restored")
DECISIONS = ("accepted", "rejected", "edited", "pending")
ROLLBACK_OUTCOMES = ("running", "restored", "conflicts", "failed", "interrupted")
OUTPUT_TAIL_LIMIT = 20_000  # characters of validation output kept


def _check(column: str, values: tuple[str, ...]) -> str:
    return f"CHECK ({column} IN ({', '.join(repr(v) for v in values)}))"


# MIGRATIONS[n] turns a schema-n journal into schema n+1. Append only; never edit a
# shipped step, journals in the field were built by it.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        f"""CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            phase INTEGER NOT NULL,
            phase_name TEXT NOT NULL,
            command TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started TEXT NOT NULL,
            ended TEXT,
            outcome TEXT NOT NULL {_check('outcome', RUN_OUTCOMES)})""",
        f"""CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            path TEXT NOT NULL,
            action TEXT NOT NULL {_check('action', FILE_ACTIONS)},
            hash_before TEXT,
            content_before BLOB,
            hash_after TEXT,
            mode_before INTEGER,
            mode_after INTEGER,
            state TEXT NOT NULL {_check('state', FILE_STATES)},
            created_dirs TEXT NOT NULL DEFAULT '[]',
            recorded TEXT NOT NULL)""",
        "CREATE INDEX files_run ON files(run_id)",
        f"""CREATE TABLE hunks (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            path TEXT NOT NULL,
            hunk_key TEXT NOT NULL,
            idx INTEGER NOT NULL,
            recipe TEXT NOT NULL,
            text_before TEXT NOT NULL,
            text_after TEXT NOT NULL,
            decision TEXT NOT NULL {_check('decision', DECISIONS)},
            cluster TEXT,
            decided_at TEXT NOT NULL)""",
        "CREATE INDEX hunks_run ON hunks(run_id)",
        """CREATE TABLE validations (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            command TEXT NOT NULL,
            exit_code INTEGER,
            duration REAL NOT NULL,
            timed_out INTEGER NOT NULL,
            severity TEXT NOT NULL,
            output_tail TEXT NOT NULL,
            recorded TEXT NOT NULL)""",
        f"""CREATE TABLE rollbacks (
            id INTEGER PRIMARY KEY,
            run_ids TEXT NOT NULL,
            phase INTEGER,
            started TEXT NOT NULL,
            ended TEXT,
            outcome TEXT NOT NULL {_check('outcome', ROLLBACK_OUTCOMES)},
            restored INTEGER NOT NULL DEFAULT 0,
            conflicts TEXT NOT NULL DEFAULT '[]')""",
    ),
    (
        # The clone that writes this journal (state.clone_id): a journal that names another
        # clone came from elsewhere and is never read.
        "CREATE TABLE clone (id TEXT NOT NULL)",
    ),
    (
        # Why an applied run is only partial: a selected file or a deletion did not go through.
        """CREATE TABLE run_problems (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            reason TEXT NOT NULL)""",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


class JournalError(EngineError):
    """The journal cannot be opened, read or written."""


@dataclass(frozen=True)
class RunRecord:
    id: int
    phase: int
    phase_name: str
    command: str
    pid: int
    started: str
    ended: str | None
    outcome: str


@dataclass(frozen=True)
class FileRecord:
    id: int
    run_id: int
    path: str
    action: str
    hash_before: str | None
    hash_after: str | None
    mode_before: int | None
    mode_after: int | None
    state: str
    recorded: str
    created_dirs: tuple[str, ...] = ()    # directories made for a created file
    content_before: bytes | None = None   # loaded only when asked for


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def state_dir(repo: Path, create: bool = True) -> Path | None:
    """``<repo>/.phasemod``, checked (see phasemod.state)."""
    return state.state_dir(repo, create)


class Journal:
    """One open journal. Every public method commits before it returns."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._own_runs: set[int] = set()

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, repo: Path, create: bool = True) -> "Journal":
        """Open (or with ``create`` make) the repo's journal, migrating it to this schema."""
        path = state.journal_path(repo, create)
        if path is None:
            raise JournalError(f"{state.location(repo) / JOURNAL_NAME}: no journal yet; nothing has been run in "
                               "this repository")
        clone = state.clone_id(repo)
        try:
            db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise JournalError(f"{path}: cannot be opened ({exc}); check the permissions of {path.parent}") from exc
        journal = cls(db, path)
        try:
            with journal._guard():
                journal._prepare()
                journal._claim(clone)
        except BaseException:
            db.close()
            raise
        return journal

    def _prepare(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalError(f"{self.path}: written by a newer phasemod (journal schema {version}, this version "
                               f"reads up to {SCHEMA_VERSION}); upgrade phasemod to use it")
        if version == 0 and self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise JournalError(f"{self.path}: is an SQLite file but not a phasemod journal; move it out of .phasemod")
        if version:
            problem = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise sqlite3.DatabaseError(problem)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed pending row must survive a power loss, or the replaced file
        # would be unaccounted for.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        if version < SCHEMA_VERSION:
            with self._tx():
                # Re-read inside the write lock: another process may have migrated already.
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                for step in range(version, SCHEMA_VERSION):
                    for statement in MIGRATIONS[step]:
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _claim(self, clone: str) -> None:
        """Record this clone's id in a new journal; refuse a journal another clone wrote."""
        with self._tx() as db:
            rows = [r[0] for r in db.execute("SELECT id FROM clone")]
            if not rows:
                db.execute("INSERT INTO clone (id) VALUES (?)", (clone,))
        if rows and rows != [clone]:
            raise JournalError(f"{self.path}: written by another clone of this repository, not by this one; phasemod "
                               "never reads another clone's journal. Move it aside and run again")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite failures into one-line JournalErrors (programming errors stay loud)."""
        try:
            yield
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise JournalError(f"{self.path}: busy ({text}); another phasemod process is using it, "
                                   "retry when it has finished") from exc
            raise JournalError(f"{self.path}: cannot be used ({text}); check free disk space and permissions") from exc
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path}: damaged ({exc}); move it aside to start a new journal "
                               "(its rollback history is then lost)") from exc

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            if self._db.in_transaction:   # one cut short by a signal before its try (nothing written)
                self._db.execute("ROLLBACK")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, args: Iterable[object] = ()) -> list[dict]:
        with self._guard():
            cursor = self._db.execute(sql, tuple(args))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    # --- runs -----------------------------------------------------------------------------

    def begin_run(self, phase: int, name: str, command: str) -> int:
        with self._tx() as db:
            run_id = db.execute(
                "INSERT INTO runs (phase, phase_name, command, pid, started, outcome) VALUES (?, ?, ?, ?, ?, 'running')",
                (phase, name, command, os.getpid(), _now())).lastrowid
        self._own_runs.add(run_id)
        return run_id

    def end_run(self, run_id: int, outcome: str) -> None:
        if outcome not in RUN_OUTCOMES or outcome == "running":
            raise ValueError(f"not a final run outcome: {outcome}")
        with self._tx() as db:
            db.execute("UPDATE runs SET outcome = ?, ended = ? WHERE id = ?", (outcome, _now(), run_id))

    def record_problems(self, run_id: int, reasons: Iterable[str]) -> None:
        """Why the run is partial (each selected file or deletion that did not go through)."""
        with self._tx() as db:
            db.executemany("INSERT INTO run_problems (run_id, reason) VALUES (?, ?)",
                           [(run_id, reason) for reason in reasons])

    def run_problems(self, run_id: int) -> list[str]:
        return [r["reason"] for r in self._rows("SELECT reason FROM run_problems WHERE run_id = ? ORDER BY id",
                                                (run_id,))]

    def runs(self, phase: int | None = None) -> list[RunRecord]:
        where, args = ("WHERE phase = ?", (phase,)) if phase is not None else ("", ())
        return [RunRecord(**row) for row in self._rows(f"SELECT * FROM runs {where} ORDER BY id", args)]

    def run(self, run_id: int) -> RunRecord | None:
        rows = self._rows("SELECT * FROM runs WHERE id = ?", (run_id,))
        return RunRecord(**rows[0]) if rows else None

    def interrupted_runs(self) -> list[RunRecord]:
        """Runs still marked running that this process did not begin. Call it while
        holding the repo lock: then every such run was killed before it could finish."""
        return [r for r in self.runs() if r.outcome == "running" and r.id not in self._own_runs]

    def live_runs(self, phase: int) -> list[RunRecord]:
        """Runs of ``phase`` that still have files applied (or possibly applied)."""
        rows = self._rows(
            "SELECT DISTINCT runs.* FROM runs JOIN files ON files.run_id = runs.id "
            "WHERE runs.phase = ? AND files.state IN ('pending', 'applied') ORDER BY runs.id", (phase,))
        return [RunRecord(**row) for row in rows]

    def phase_state(self, phase: int) -> str:
        """not-run | running | interrupted | failed | partial | applied | validated |
        validation-failed | rolled-back: from the phase's latest run that was not a dry run.
        ``partial``: applied, but a selected file or a deletion did not go through."""
        runs = [r for r in self.runs(phase) if r.outcome != "dry-run"]
        if not runs:
            return "not-run"
        last = runs[-1]
        if last.outcome != "applied":
            return last.outcome
        files = self.files([last.id])
        if files and all(f.state == "restored" for f in files):
            return "rolled-back"   # a rollback killed after its last restore
        if self.run_problems(last.id):
            return "partial"
        latest: dict[str, dict] = {}
        for row in self._rows("SELECT * FROM validations WHERE run_id = ? ORDER BY id", (last.id,)):
            latest[row["command"]] = row
        if not latest:
            return "applied"
        failed = any(v["severity"] == "critical" and (v["timed_out"] or v["exit_code"] != 0) for v in latest.values())
        return "validation-failed" if failed else "validated"

    # --- files ----------------------------------------------------------------------------

    def file_pending(self, run_id: int, path: str, before: bytes | None, after: bytes | None,
                     mode_before: int | None, mode_after: int | None, action: str,
                     created_dirs: Iterable[str] = ()) -> int:
        """Record an intended change; committed (durably) before the caller touches the file.
        ``created_dirs``: directories the write will make (removed again by a rollback)."""
        if action not in FILE_ACTIONS:
            raise ValueError(f"not a file action: {action}")
        with self._tx() as db:
            file_id = db.execute(
                "INSERT INTO files (run_id, path, action, hash_before, content_before, hash_after, mode_before, "
                "mode_after, state, created_dirs, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                (run_id, path, action, content_hash(before), before, content_hash(after),
                 _mode(mode_before), _mode(mode_after), json.dumps(list(created_dirs)), _now())).lastrowid
        crash_point("pending-committed")
        return file_id

    def file_applied(self, file_id: int) -> None:
        self._set_state([file_id], "applied")
        crash_point("applied-committed")

    def file_restored(self, file_ids: Iterable[int]) -> None:
        self._set_state(list(file_ids), "restored")
        crash_point("restored-committed")

    def _set_state(self, file_ids: list[int], state: str) -> None:
        with self._tx() as db:
            db.executemany("UPDATE files SET state = ? WHERE id = ?", [(state, i) for i in file_ids])

    def files(self, run_ids: Iterable[int], with_content: bool = False) -> list[FileRecord]:
        ids = list(run_ids)
        if not ids:
            return []
        columns = "*" if with_content else "id, run_id, path, action, hash_before, hash_after, mode_before, " \
                                             "mode_after, state, created_dirs, recorded"
        rows = self._rows(f"SELECT {columns} FROM files WHERE run_id IN ({', '.join('?' * len(ids))}) ORDER BY id", ids)
        for row in rows:
            row["created_dirs"] = tuple(json.loads(row["created_dirs"]))
        return [FileRecord(**row) for row in rows]

    def content_before(self, file_id: int) -> bytes | None:
        """The bytes a journaled change replaced (None: it created the file)."""
        rows = self._rows("SELECT content_before FROM files WHERE id = ?", (file_id,))
        return rows[0]["content_before"] if rows else None

    def applied_file(self, run_id: int, path: str) -> FileRecord | None:
        """The run's latest applied change of ``path``, with its content before."""
        rows = self._rows("SELECT * FROM files WHERE run_id = ? AND path = ? AND state = 'applied' "
                          "ORDER BY id DESC LIMIT 1", (run_id, path))
        if not rows:
            return None
        rows[0]["created_dirs"] = tuple(json.loads(rows[0]["created_dirs"]))
        return FileRecord(**rows[0])

    # --- hunks and validations ------------------------------------------------------------

    def record_hunk(self, run_id: int, path: str, key: str, index: int, recipe: str, before: str,
                    after: str, decision: str, cluster: str | None = None) -> None:
        if decision not in DECISIONS:
            raise ValueError(f"not a hunk decision: {decision}")
        with self._tx() as db:
            db.execute("INSERT INTO hunks (run_id, path, hunk_key, idx, recipe, text_before, text_after, decision, "
                       "cluster, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (run_id, path, key, index, recipe, before, after, decision, cluster, _now()))

    def withdraw_hunk(self, run_id: int, key: str) -> None:
        """A decision of this run taken back (undo): the hunk is undecided again."""
        self.withdraw_hunks(run_id, [key])

    def withdraw_hunks(self, run_id: int, keys: Iterable[str]) -> None:
        """Several hunks' decisions of this run taken back, in one transaction."""
        with self._tx() as db:
            db.executemany("DELETE FROM hunks WHERE run_id = ? AND hunk_key = ?", [(run_id, key) for key in keys])

    def record_hunks(self, run_id: int, path: str, rows: Iterable[tuple[str, int, str, str, str, str]]) -> None:
        """Several hunks of one file, (key, index, recipe, before, after, decision) each, in
        one transaction: batch runs pay one commit per file instead of one per hunk."""
        rows = list(rows)
        if any(row[5] not in DECISIONS for row in rows):
            raise ValueError(f"not a hunk decision: {[row[5] for row in rows if row[5] not in DECISIONS][0]}")
        now = _now()
        with self._tx() as db:
            db.executemany("INSERT INTO hunks (run_id, path, hunk_key, idx, recipe, text_before, text_after, "
                           "decision, cluster, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                           [(run_id, path, *row, now) for row in rows])

    def decisions(self, phase: int) -> dict[str, str]:
        """Hunk key -> latest decision over the phase's runs that were not rolled back:
        what a resumed ``run -i`` need not ask again. A latest ``pending`` row (a decision
        of an earlier run undone in review) leaves the hunk out: it is asked again."""
        rows = self._rows(
            "SELECT hunks.hunk_key, hunks.decision FROM hunks JOIN runs ON runs.id = hunks.run_id "
            "WHERE runs.phase = ? AND runs.outcome NOT IN ('rolled-back', 'dry-run') ORDER BY hunks.id", (phase,))
        latest = {row["hunk_key"]: row["decision"] for row in rows}
        return {key: decision for key, decision in latest.items() if decision != "pending"}

    def decided_keys(self, phase: int) -> dict[str, list[tuple[str, int]]]:
        """Path -> (hunk key, index) of every hunk decided in the phase's runs that were
        not rolled back: how many hunks each file had, for numbering stable across runs."""
        rows = self._rows(
            "SELECT hunks.path, hunks.hunk_key, min(hunks.idx) AS idx FROM hunks JOIN runs ON runs.id = hunks.run_id "
            "WHERE runs.phase = ? AND runs.outcome NOT IN ('rolled-back', 'dry-run') AND hunks.decision != 'pending' "
            "GROUP BY hunks.path, hunks.hunk_key ORDER BY hunks.path, idx", (phase,))
        out: dict[str, list[tuple[str, int]]] = {}
        for row in rows:
            out.setdefault(row["path"], []).append((row["hunk_key"], row["idx"]))
        return out

    def decision_counts(self, run_id: int) -> dict[str, int]:
        """The run's hunks by their last decision: what its summary, ``log`` and the report
        count (each hunk once)."""
        rows = self._rows("SELECT decision FROM hunks WHERE id IN "
                          "(SELECT MAX(id) FROM hunks WHERE run_id = ? GROUP BY hunk_key)", (run_id,))
        return tally(rows)

    def record_validation(self, run_id: int, command: str, exit_code: int | None, duration: float,
                          timed_out: bool, severity: str, output_tail: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO validations (run_id, command, exit_code, duration, timed_out, severity, "
                       "output_tail, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (run_id, command, exit_code, float(duration), int(bool(timed_out)), severity,
                        output_tail[-OUTPUT_TAIL_LIMIT:], _now()))

    # --- rollbacks ------------------------------------------------------------------------

    def begin_rollback(self, run_ids: Iterable[int], phase: int | None) -> int:
        self.settle_rollbacks()   # the caller holds the repo lock: one still "running" was killed
        with self._tx() as db:
            rollback_id = db.execute("INSERT INTO rollbacks (run_ids, phase, started, outcome) VALUES (?, ?, ?, 'running')",
                                     (json.dumps(sorted(run_ids)), phase, _now())).lastrowid
        crash_point("rollback-begun")
        return rollback_id

    def end_rollback(self, rollback_id: int, outcome: str, restored: int, conflicts: Iterable[str]) -> None:
        if outcome not in ROLLBACK_OUTCOMES or outcome == "running":
            raise ValueError(f"not a final rollback outcome: {outcome}")
        with self._tx() as db:
            db.execute("UPDATE rollbacks SET outcome = ?, ended = ?, restored = ?, conflicts = ? WHERE id = ?",
                       (outcome, _now(), restored, json.dumps(list(conflicts)), rollback_id))

    def finish_rollback(self, rollback_id: int, run_ids: Iterable[int], restored: int,
                        conflicts: Iterable[str]) -> None:
        """The rolled-back runs and the rollback's outcome, in one transaction: a kill leaves
        either both updated or neither (then ``settle_rollbacks`` finishes the record)."""
        with self._tx() as db:
            now = _now()
            db.executemany("UPDATE runs SET outcome = 'rolled-back', ended = ? WHERE id = ?",
                           [(now, run_id) for run_id in run_ids])
            db.execute("UPDATE rollbacks SET outcome = 'restored', ended = ?, restored = ?, conflicts = ? WHERE id = ?",
                       (now, restored, json.dumps(list(conflicts)), rollback_id))
        crash_point("rollback-ended")

    def settle_rollbacks(self) -> list[str]:
        """Under the repo lock: a rollback left 'running' was killed. Its runs whose files
        are all restored are rolled back (the kill came after the last restore)."""
        notes = []
        for row in self._rows("SELECT * FROM rollbacks WHERE outcome = 'running' ORDER BY id"):
            run_ids = [int(i) for i in json.loads(row["run_ids"])]
            files = self.files(run_ids)
            with self._tx() as db:
                if files and all(f.state == "restored" for f in files):
                    db.executemany("UPDATE runs SET outcome = 'rolled-back', ended = ? WHERE id = ?",
                                   [(_now(), run_id) for run_id in run_ids])
                db.execute("UPDATE rollbacks SET outcome = 'interrupted', ended = ? WHERE id = ?", (_now(), row["id"]))
            notes.append(f"rollback {row['id']} (runs {', '.join(map(str, run_ids))}) was interrupted; "
                         + ("every file was restored, the runs are now marked rolled back"
                            if files and all(f.state == "restored" for f in files)
                            else "run `phasemod rollback` again to finish it"))
        return notes

    # --- log ------------------------------------------------------------------------------

    def log(self, phase: int | None = None) -> dict:
        """Everything recorded (file contents left out), JSON-able; see docs/journal.md."""
        runs = self.runs(phase)
        ids = [r.id for r in runs]
        marks = ", ".join("?" * len(ids))
        files: dict[int, list] = {i: [] for i in ids}
        hunks: dict[int, list] = {i: [] for i in ids}
        validations: dict[int, list] = {i: [] for i in ids}
        problems: dict[int, list] = {i: [] for i in ids}
        if ids:
            for row in self._rows(f"SELECT * FROM run_problems WHERE run_id IN ({marks}) ORDER BY id", ids):
                problems[row["run_id"]].append(row["reason"])
            for f in self.files(ids):
                entry = {k: v for k, v in asdict(f).items() if k not in ("run_id", "content_before")}
                files[f.run_id].append(dict(entry, created_dirs=list(f.created_dirs)))
            latest: dict[int, dict[str, dict]] = {i: {} for i in ids}
            for h in self._rows(f"SELECT * FROM hunks WHERE run_id IN ({marks}) ORDER BY id", ids):
                # A hunk decided again in the same run (the safety net's take/drop, a
                # reviewer's change of mind) counts once, with its last decision.
                latest[h.pop("run_id")][h["hunk_key"]] = {
                    "path": h["path"], "key": h["hunk_key"], "index": h["idx"], "recipe": h["recipe"],
                    "before": h["text_before"], "after": h["text_after"], "decision": h["decision"],
                    "cluster": h["cluster"], "decided_at": h["decided_at"]}
            hunks = {i: list(by_key.values()) for i, by_key in latest.items()}
            for v in self._rows(f"SELECT * FROM validations WHERE run_id IN ({marks}) ORDER BY id", ids):
                v["timed_out"] = bool(v["timed_out"])
                validations[v.pop("run_id")].append(v)
        rollbacks = []
        for rb in self._rows("SELECT * FROM rollbacks ORDER BY id"):
            rb["run_ids"] = json.loads(rb["run_ids"])
            rb["conflicts"] = json.loads(rb["conflicts"])
            if phase is None or rb["phase"] == phase or set(rb["run_ids"]) & set(ids):
                rollbacks.append(rb)
        return {
            "schema": SCHEMA_VERSION,
            "journal": str(self.path),
            "runs": [dict(asdict(r), files=files[r.id], hunks=hunks[r.id], decisions=tally(hunks[r.id]),
                          validations=validations[r.id],
                          state="partial" if r.outcome == "applied" and problems[r.id] else r.outcome,
                          problems=problems[r.id])
                     for r in runs],
            "rollbacks": rollbacks,
        }


def tally(hunks: Iterable[dict]) -> dict[str, int]:
    """How many hunks were accepted, edited and rejected (``decision`` of each row)."""
    counts = dict.fromkeys(("accepted", "edited", "rejected"), 0)
    for h in hunks:
        if h["decision"] in counts:
            counts[h["decision"]] += 1
    return counts


def _mode(mode: int | None) -> int | None:
    return None if mode is None else stat.S_IMODE(mode)


def content_hash(data: bytes | None) -> str | None:
    """The journal's content hash (sha256 hex); None stands for "no file"."""
    return None if data is None else hashlib.sha256(data).hexdigest()
