"""The applier: turn decided hunks into journaled, atomic writes; delete what FILES
recipes plan (behind the reference guard); validate; gate a phase on its requirements.

Never asks or prints: decisions come from the reviewers (phasemod/review.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from phasemod import catalog, engine, hunks as hunklib, scan, textio, vcs
from phasemod.apply import FileChanged, UnsafeWrite, WriteFailed, apply_change
from phasemod.display import count
from phasemod.errors import EngineError, ProblemsFound
from phasemod.journal import Journal
from phasemod.manifest import Phase
from phasemod.model import FileOutcome, Finding, FindingKind, Reference
from phasemod.recipe import Reads
from phasemod.review import Decided, Verdict
from phasemod.select import read_regular
from phasemod.validation import ValidationResult, run_validations


@dataclass
class PhaseReport:
    phase: Phase
    run_id: int | None = None
    selected: int = 0
    outcomes: list[FileOutcome] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)       # paths written or deleted
    deleted: list[str] = field(default_factory=list)
    accepted_hunks: int = 0     # by the journal's last decision of each hunk (a dry run: proposed)
    edited_hunks: int = 0
    rejected_hunks: int = 0
    findings: list[Finding] = field(default_factory=list)
    validations: list[ValidationResult] = field(default_factory=list)
    rolled_back: bool = False
    quit: bool = False
    interrupted: bool = False                                   # Ctrl-C / SIGTERM: decisions kept
    refused: str = ""                                           # gating: why the phase did not run
    validation_skipped: str = ""
    blocked_by: list[Reference] = field(default_factory=list)   # deletions refused because of these
    diff: list[str] = field(default_factory=list)               # --dry-run: unified diffs per file
    partial: list[str] = field(default_factory=list)            # why the phase is partial, not applied
    after: list[Finding] = field(default_factory=list)          # the safety net over the tree after the phase
    notes: list[str] = field(default_factory=list)              # what the safety net resolved without asking
    left_out: int = 0                                           # hunks a review filter did not ask about
    undecided: int = 0                                          # hunks a grouped edit left for a later run

    def problems(self, allow_unparseable: bool = False) -> list[Finding]:
        return [f for f in self.findings if not (allow_unparseable and f.kind is FindingKind.UNPARSEABLE)]

    @property
    def validation_failed(self) -> bool:
        return any(not v.ok and v.severity == "critical" for v in self.validations)


# ---------------------------------------------------------------------------- gating

def check_requirements(journal: Journal | None, phase: Phase, phases: Sequence[Phase],
                       unvalidated_ok: bool = False, repo: Path | None = None) -> None:
    """Refuse a phase whose required phases are not validated, by the migration record
    and the tree (phasemod/recording.py; the local journal when the record says nothing).
    With ``unvalidated_ok`` (the run itself passes --no-validate) an applied phase whose
    validation was skipped is enough; a failed validation never is."""
    from phasemod import recording

    missing = recording.requirement_problems(repo or Path("."), phase, phases, journal, unvalidated_ok)
    if missing:
        raise ProblemsFound(f"phase {phase.number} ({phase.name}) requires earlier phases: {'; '.join(missing)}")


# ---------------------------------------------------------------------------- one file

def record_decisions(journal: Journal, run_id: int | None, path: str, decided: Sequence[Decided]) -> None:
    """A batch run's decisions for one file, in one transaction, before the file is written."""
    journal.record_hunks(run_id, path, [(d.key, d.hunk.index, ",".join(d.hunk.recipes), "".join(d.hunk.before),
                                         "".join(d.hunk.after), d.verdict.value) for d in decided])


def record_decision(journal: Journal, run_id: int | None, path: str, d: Decided, cluster: str = "") -> None:
    """One reviewed decision, recorded at once so that `q`, Ctrl-C or a kill loses none."""
    extra = {"cluster": cluster} if cluster else {}
    journal.record_hunk(run_id, path, d.key, d.hunk.index, ",".join(d.hunk.recipes), "".join(d.hunk.before),
                        "".join(d.hunk.after), d.verdict.value, **extra)


def outcome_source(outcome: FileOutcome) -> textio.Source:
    """The file's text as the engine read it."""
    return textio.decode_for(outcome.path, outcome.old_bytes)


def apply_file(repo: Path, outcome: FileOutcome, decided: Iterable[Decided], report: PhaseReport,
               journal: Journal) -> None:
    """Write the file with its accepted (or edited) hunks, journaled and atomic; a subset
    or an edit that breaks the file, or a refused write, is a finding for this file only."""
    source = outcome_source(outcome)
    hunks = list(outcome.hunks)
    accepted = {d.hunk.index: d.hunk for d in decided if d.verdict in (Verdict.ACCEPTED, Verdict.EDITED)}
    final = hunklib.rebuild(source.text, [accepted.get(h.index, h) for h in hunks], accepted)
    if final == source.text:
        return
    # The engine already checked its whole proposal; only a subset or an edit needs a new check.
    whole = all(accepted.get(h.index) == h for h in hunks)
    problem = engine.check_rewrite(outcome.path, source.text, final) if textio.is_python(outcome.path) and not whole \
        else ""
    if problem:
        report.findings.append(Finding(FindingKind.DROPPED, outcome.path, 0,
                                       f"the accepted hunks together break the file ({problem}); left unchanged"))
        return
    try:
        apply_change(journal, repo, report.run_id, outcome.path, source.encode(final),
                     expected=None if outcome.create else outcome.old_bytes)
    except (FileChanged, UnsafeWrite, WriteFailed) as exc:
        # This file only (changed, read-only, behind a link, disk full): the file is as
        # it was, the pending journal row says so, and the other files still migrate.
        report.findings.append(Finding(FindingKind.REFUSED, outcome.path, 0, str(exc)))
        return
    report.applied.append(outcome.path)


def restore_file(repo: Path, journal: Journal, run_id: int | None, path: str) -> str:
    """Undo this run's write of ``path`` (a reviewer went back to one of its hunks): the
    bytes and mode from before, byte for byte, and the journal row marked restored, so
    `log`, `status` and `rollback` see the file as it is. '' or why it was not restored."""
    from phasemod.apply import content_hash, delete, read_current, remove_empty_dirs, whole_change, write_atomic

    row = journal.applied_file(run_id, path) if run_id is not None else None
    if row is None:
        return ""
    current = read_current(repo, path)
    if (content_hash(current[0]) if current else None) != row.hash_after:
        return (f"{path}: changed on disk since this review wrote it; its decisions stay (edit the file, or "
                "`phasemod rollback` after the run)")
    with whole_change():
        if row.content_before is None:
            delete(repo, path)
            if row.created_dirs:
                remove_empty_dirs(repo, list(row.created_dirs))
        else:
            write_atomic(repo, path, row.content_before, row.mode_before)
        journal.file_restored([row.id])
    return ""


def dry_run_diff(outcome: FileOutcome) -> str:
    """`--dry-run`: the unified diff of the whole proposal for one file."""
    old = outcome_source(outcome)
    new = old.__class__(outcome.new_bytes[3 if old.bom else 0:].decode(old.encoding), old.encoding, old.bom)
    return hunklib.file_diff(outcome.path, old.text, new.text)


# ---------------------------------------------------------------------------- deletions

def deletions(repo: Path, phase: Phase, all_files: Sequence[str], phases: Sequence[Phase],
              shard: tuple[int, int] | None = None, jobs: int | None = None) -> tuple[list[str], list[Reference], bool]:
    """(files the phase's FILES recipes delete, references that block it, whether guarded);
    ``jobs``: processes for the guard's scan (None: one per core)."""
    paths: list[str] = []
    required = False
    for spec in phase.recipes:
        recipe, options = catalog.resolve(spec)
        if recipe.reads is not Reads.FILES:
            continue
        plan = recipe.plan(options, all_files)
        required = required or plan.guarded
        paths += [p for p in plan.delete if p not in paths]
    from phasemod.select import in_shard

    paths = [p for p in paths if in_shard(p, shard)]
    if not paths or not required:
        return paths, [], required
    targets = [t for t in scan.targets_of(phases) if t.recipe.guards_deletion]
    doomed = set(paths)
    # Only files holding a guard needle can hold a guarded reference (for a moved symbol:
    # its old module's name; after the move that is a handful of files).
    needles = tuple({n for t in targets for n in t.recipe.guard_needles(t.options) or t.needles()})
    candidates = [(p, scan.split_by_reader(p, targets)) for p in all_files if p not in doomed
                  and _names_module(repo / p, needles)]
    results = scan.scan_files(repo, [c for c in candidates if c[1]], phase.source_roots,
                              jobs=engine.default_jobs() if jobs is None else jobs)
    blocking = [r for result in results for r in result.references]
    blocking += [Reference(result.path, result.error_line, r.kind, r.old, f"unparseable: {result.error}")
                 for result in results if result.error for r in result.references[:1]]
    return paths, blocking, required


def _names_module(path: Path, needles: tuple[bytes, ...]) -> bool:
    from phasemod.select import names_in

    try:
        return names_in(read_regular(path), needles)
    except OSError:
        return True  # let the scan report why it cannot be read


def delete_planned(repo: Path, phase: Phase, phases: Sequence[Phase], all_files: Sequence[str],
                   report: PhaseReport, journal: Journal | None, dry: bool, shard: tuple[int, int] | None,
                   jobs: int | None = None) -> None:
    """Delete what the phase's FILES recipes plan, journaled, unless the guard refuses."""
    paths, blocking, _ = deletions(repo, phase, all_files, phases, shard, jobs)
    if not paths:
        return
    if blocking:
        report.blocked_by = blocking
        report.findings.append(Finding(FindingKind.REFUSED, paths[0], 0,
                                       f"{_deleter(phase, all_files)} refused: {len(blocking)} code references to the old "
                                       "symbols remain (listed below); migrate them first"))
        return
    for path in paths:
        if dry:
            report.diff.append(f"deleted file {path}\n")
            report.deleted.append(path)
            continue
        try:
            apply_change(journal, repo, report.run_id, path, None)
        except (FileChanged, EngineError) as exc:
            report.findings.append(Finding(FindingKind.REFUSED, path, 0, str(exc)))
            continue
        report.deleted.append(path)
        report.applied.append(path)


def _deleter(phase: Phase, all_files: Sequence[str]) -> str:
    """The recipe that asked for the deletion (a FILES recipe may also only write files)."""
    for spec in phase.recipes:
        recipe, options = catalog.resolve(spec)
        if recipe.reads is Reads.FILES and recipe.plan(options, all_files).delete:
            return spec.name
    return "deletion"


def validate_phase(repo: Path, phase: Phase, journal: Journal, report: PhaseReport) -> None:
    """Run the phase's validations; a critical failure rolls back when on_failure says so."""
    run_id = report.run_id
    report.validations = run_validations(repo, phase.validate)
    for v in report.validations:
        journal.record_validation(run_id, v.command, v.exit_code, v.duration, v.timed_out, v.severity, v.output_tail)
    if report.validation_failed and phase.on_failure == "rollback":
        from phasemod.rollback import execute_rollback, plan_rollback

        plan = plan_rollback(journal, repo, run_id=run_id)
        result = execute_rollback(journal, repo, plan, force=False)
        report.rolled_back = result.ok


# ---------------------------------------------------------------------------- after the run

def commit_message(report: PhaseReport) -> str:
    p = report.phase
    changed = len(report.applied) - len(report.deleted)
    return (f"phasemod: phase {p.number} {p.name}: {count(changed, 'file')} changed, {len(report.deleted)} deleted, "
            f"{decision_counts(report)}\n\n"
            f"Journal run {report.run_id}; `phasemod log {p.number}` shows every hunk and decision.\n")


def decision_counts(report: PhaseReport) -> str:
    """``9 hunks accepted, 1 rejected`` (with ``, 1 edited`` when a hunk was edited): the
    words of the run summary and of the commit message, as `log` counts them."""
    edited = f", {report.edited_hunks} edited" if report.edited_hunks else ""
    return f"{count(report.accepted_hunks, 'hunk')} accepted{edited}, {report.rejected_hunks} rejected"


def dirty_files(repo: Path, journal: Journal | None) -> set[str]:
    """Files with uncommitted git changes, except those whose change is phasemod's own
    (their bytes are what an applied run of the journal wrote)."""
    dirty = vcs.dirty_files(repo)
    if not dirty or journal is None:
        return dirty
    from phasemod.apply import content_hash, read_current

    ours: dict[str, str | None] = {}
    for row in journal.files([r.id for r in journal.runs()]):
        if row.state == "applied":
            ours[row.path] = row.hash_after
    for path in [p for p in dirty if p in ours]:
        current = read_current(repo, path)
        if (content_hash(current[0]) if current else None) == ours[path]:
            dirty.discard(path)
    return dirty
