"""Undo journaled runs exactly: plan what to restore, then restore content, mode and deletions.

Never overwrites a file that changed since phasemod wrote it unless forced, and never
writes anything when a plan has unforced conflicts.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

from phasemod import state
from phasemod.apply import content_hash, crash_point, delete, read_current, remove_empty_dirs, stray_temps, \
    write_atomic
from phasemod.errors import EngineError
from phasemod.journal import FileRecord, Journal


class RollbackRefused(EngineError):
    """The rollback asked for cannot be done (unknown run, a dependent phase still applied)."""


class RollbackBlocked(RollbackRefused):
    """A phase that requires the target is still applied: a problem found, not bad usage."""

    exit_code = 1


@dataclass(frozen=True)
class RollbackItem:
    """One path to bring back to its state before the target runs."""

    path: str
    action: str                 # restore | recreate | remove | noop
    content: bytes | None       # the bytes to put back (None: the file must not exist)
    mode: int | None
    file_ids: tuple[int, ...]   # journal rows this item settles
    current_hash: str | None    # what the file holds now (None: absent)
    conflict: str = ""          # non-empty: the file is not what the journal left there
    created_dirs: tuple[str, ...] = ()   # made for a created file; removed when empty
    between: bytes | None = None         # the user's bytes a later run started from (a chain break)


@dataclass(frozen=True)
class RollbackPlan:
    run_ids: tuple[int, ...]
    phase: int | None
    items: tuple[RollbackItem, ...]
    stray_temps: tuple[str, ...] = ()   # temp files a killed write left behind

    @property
    def conflicts(self) -> tuple[RollbackItem, ...]:
        return tuple(i for i in self.items if i.conflict)

    @property
    def changes(self) -> tuple[RollbackItem, ...]:
        return tuple(i for i in self.items if i.action != "noop")


@dataclass(frozen=True)
class RollbackResult:
    rollback_id: int
    done: tuple[RollbackItem, ...]        # written back, re-created or removed
    conflicts: tuple[RollbackItem, ...]   # not written (unless forced, then also in done)
    forced: bool = False
    kept: tuple[str, ...] = ()            # copies of overwritten user bytes under .phasemod/conflicts/

    @property
    def ok(self) -> bool:
        return not self.conflicts or self.forced


Dependents = Iterable[int] | Callable[[int], Iterable[int]] | None


def _targets(journal: Journal, phase: int | None, run_id: int | None) -> tuple[int, list[int]]:
    if (phase is None) == (run_id is None):
        raise RollbackRefused("rollback: give exactly one of a phase or a run id")
    if run_id is not None:
        run = journal.run(run_id)
        if run is None:
            raise RollbackRefused(f"run {run_id}: no such run in {journal.path}; see `phasemod log`")
        return run.phase, [run_id]
    return phase, [r.id for r in journal.live_runs(phase)]  # type: ignore[arg-type]


def journal_dependents(journal: Journal) -> Callable[[int], list[int]]:
    """Without readable manifests: every later-numbered phase counts as requiring this one
    (the manifests' default), so the journal alone decides."""
    return lambda number: sorted({r.phase for r in journal.runs() if r.phase > number})


def journal_phase(journal: Journal, wanted: str) -> int:
    """A phase named by number or by the name its runs recorded (no manifests needed)."""
    for run in journal.runs():
        if wanted in (str(run.phase), run.phase_name):
            return run.phase
    raise RollbackRefused(f"phase {wanted}: not in the journal {journal.path}; see `phasemod log`")


def _refuse_if_required(journal: Journal, phase: int, dependents: Dependents) -> None:
    if dependents is None:
        return
    later = dependents(phase) if callable(dependents) else dependents
    for other in sorted(set(later) - {phase}):
        live = journal.live_runs(other)
        if live:
            raise RollbackBlocked(f"phase {phase}: phase {other} ({live[-1].phase_name}) requires it and is still "
                                  f"applied; roll back phase {other} first")


def plan_rollback(journal: Journal, repo: Path, phase: int | None = None, run_id: int | None = None,
                  dependents: Dependents = None) -> RollbackPlan:
    """What undoing ``phase`` (all its runs not yet rolled back) or one run would do.

    ``dependents``: the phases that require ``phase`` (or a callable giving them); if
    any of them is still applied, ``RollbackRefused`` is raised."""
    target_phase, run_ids = _targets(journal, phase, run_id)
    _refuse_if_required(journal, target_phase, dependents)
    by_path: dict[str, list[FileRecord]] = {}
    for row in journal.files(run_ids, with_content=True):
        if row.state in ("pending", "applied"):
            by_path.setdefault(row.path, []).append(row)
    items = []
    temps: list[str] = []
    for path in sorted(by_path):
        items.append(_plan_path(repo, path, by_path[path]))
        temps.extend(stray_temps(repo, path))
    return RollbackPlan(tuple(run_ids), phase, tuple(items), tuple(temps))


def _plan_path(repo: Path, path: str, rows: list[FileRecord]) -> RollbackItem:
    first, last = rows[0], rows[-1]   # in journal order: the oldest before, the newest after
    current = read_current(repo, path)
    now = (content_hash(current[0]), current[1]) if current else (None, None)
    ids = tuple(r.id for r in rows)
    dirs = first.created_dirs if first.content_before is None else ()
    if now == (first.hash_before, first.mode_before if current else None):
        return RollbackItem(path, "noop", first.content_before, first.mode_before, ids, now[0], "", dirs)
    action = _action(first.content_before, current)
    conflict, between = "", None
    if now not in _left_by(last):
        state = "is missing" if current is None else (f"now has sha256 {now[0][:12]}" if now[0] != last.hash_after
                                                      else f"now has mode {now[1]:o}")  # type: ignore[index]
        conflict = (f"{path}: changed since run {last.run_id} wrote it ({state}); rolling back would lose that "
                    "change, use --force to overwrite it (a copy is kept under .phasemod/conflicts/)")
    else:
        for older, newer in zip(rows, rows[1:]):
            if (newer.hash_before, newer.mode_before) not in _left_by(older):
                conflict = (f"{path}: changed between run {older.run_id} and run {newer.run_id} (run {newer.run_id} "
                            f"started from bytes run {older.run_id} did not write); rolling back would lose that "
                            "change, use --force to overwrite it (a copy is kept under .phasemod/conflicts/)")
                between = newer.content_before
                break
    return RollbackItem(path, action, first.content_before, first.mode_before, ids, now[0], conflict, dirs, between)


def _left_by(row: FileRecord) -> set[tuple[str | None, int | None]]:
    """What phasemod may have left on disk after ``row``: its after-state, or, for a row
    still pending (killed before or during the replace), also the state before it."""
    left = {(row.hash_after, row.mode_after)}
    if row.state == "pending":
        left.add((row.hash_before, row.mode_before))
    return left


def execute_rollback(journal: Journal, repo: Path, plan: RollbackPlan, force: bool = False) -> RollbackResult:
    """Carry out ``plan``. With unforced conflicts nothing is written and they are returned.

    Each file is re-checked just before writing, so a change made after planning is a
    conflict too. Safe to repeat after a crash: restored files are then no-ops."""
    rollback_id = journal.begin_rollback(plan.run_ids, plan.phase)
    items = [_recheck(repo, item) for item in plan.items]
    conflicts = tuple(i for i in items if i.conflict)
    if conflicts and not force:
        journal.end_rollback(rollback_id, "conflicts", 0, [c.path for c in conflicts])
        return RollbackResult(rollback_id, (), conflicts)
    done: list[RollbackItem] = []
    kept: list[str] = []
    try:
        for item in conflicts:   # forced: keep the user's bytes before they are overwritten
            current = read_current(repo, item.path)
            if current is not None:
                kept.append(state.keep_conflict(repo, rollback_id, item.path, current[0]))
            if item.between is not None:
                kept.append(state.keep_conflict(repo, rollback_id, item.path + ".between-runs", item.between))
        # Temps first: a killed write's temp keeps a created directory from being empty.
        for temp in plan.stray_temps:
            if read_current(repo, temp) is not None:
                delete(repo, temp)
        for item in items:
            if item.action in ("restore", "recreate"):
                write_atomic(repo, item.path, item.content, item.mode)  # type: ignore[arg-type]
            elif item.action == "remove" and read_current(repo, item.path) is not None:
                delete(repo, item.path)
            if item.created_dirs:
                remove_empty_dirs(repo, list(item.created_dirs))
            journal.file_restored(item.file_ids)
            if item.action != "noop":
                done.append(item)
        # A directory made for one created file may have held others created after it
        # (a new package: __init__.py, then the module): removable only now.
        remove_empty_dirs(repo, sorted({d for item in items for d in item.created_dirs}))
    except (EngineError, OSError) as exc:
        journal.end_rollback(rollback_id, "failed", len(done), [c.path for c in conflicts])
        if isinstance(exc, OSError):
            raise RollbackRefused(f"{state.location(repo)}: cannot keep a copy of a conflicting file "
                                  f"({exc.strerror}); nothing more was written") from exc
        raise
    crash_point("rollback-files-done")
    journal.finish_rollback(rollback_id, plan.run_ids, len(done), [c.path for c in conflicts])
    return RollbackResult(rollback_id, tuple(done), conflicts, forced=bool(conflicts), kept=tuple(kept))


def _action(content: bytes | None, current: tuple[bytes, int] | None) -> str:
    if content is None:
        return "remove" if current is not None else "noop"
    return "recreate" if current is None else "restore"


def _recheck(repo: Path, item: RollbackItem) -> RollbackItem:
    current = read_current(repo, item.path)
    now_hash = content_hash(current[0]) if current else None
    if now_hash == item.current_hash:
        return item
    if now_hash == content_hash(item.content) and (current is None or current[1] == item.mode):
        return replace(item, action="noop", current_hash=now_hash, conflict="")
    return replace(item, action=_action(item.content, current), current_hash=now_hash,
                   conflict=f"{item.path}: changed while the rollback was being prepared; run rollback again to see it")
