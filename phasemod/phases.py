"""Carry out a phase: propose (engine), ask for decisions (a callback), journal and apply,
validate, and report. The single place where proposals become writes.

Never prompts or prints itself: the caller supplies ``decide`` and renders the report.
"""
from __future__ import annotations

import dataclasses
import enum
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from phasemod import catalog, engine, grouped, hunks as hunklib, recording, scan, textio, vcs
from phasemod.apply import FileChanged, UnsafeWrite, WriteFailed, apply_change
from phasemod.errors import EngineError, ProblemsFound
from phasemod.journal import Journal
from phasemod.manifest import Phase
from phasemod.recipe import Reads
from phasemod.model import FileOutcome, Finding, FindingKind, Hunk, Reference, Status
from phasemod.select import repo_files
from phasemod.validation import ValidationResult, run_validations


class Decision(str, enum.Enum):
    ACCEPT = "y"
    REJECT = "n"
    ACCEPT_FILE = "a"
    REJECT_FILE = "d"
    ACCEPT_ALL = "A"
    QUIT = "q"
    EDIT = "e"


@dataclass(frozen=True)
class Prompt:
    """What a reviewer is asked about: one hunk and where it stands in the phase.

    The engine streams its outcomes, so the first hunk is asked about before the whole
    tree has been read: the totals count what has been found so far and are final only
    when ``counting`` is false (see docs/review.md)."""

    phase: Phase
    hunk: Hunk              # the proposal, or the refused edit of it when ``error`` is set
    hunk_number: int        # 1-based among the hunks the phase proposes in this run
    hunk_total: int         # hunks proposed so far
    file_number: int        # 1-based among the phase's files with changes
    file_total: int         # files with changes found so far
    error: str = ""         # why the previous edit of this hunk was refused
    counting: bool = False  # the engine is still reading files: the totals may grow
    cluster: str = ""       # grouped review, a split cluster: its id (numbers count within it)


Decide = Callable[[Prompt], "tuple[Decision, str | None]"]


@dataclass
class RunOptions:
    mode: str = "yes"                 # yes | dry-run | interactive
    jobs: int | None = None
    validate: bool = True
    allow_dirty: bool = False
    allow_unparseable: bool = False
    revisit: bool = False
    shard: tuple[int, int] | None = None
    command: str = ""
    commit: bool = False
    grouping: str = "auto"            # auto (grouped above 50 hunks) | grouped | one-by-one
    unusual_first: bool = False       # grouped review: unusual clusters first
    on_selected: Callable[[Phase, int], None] | None = None   # (phase, files selected): sizes a progress bar


@dataclass
class PhaseReport:
    phase: Phase
    run_id: int | None = None
    selected: int = 0
    outcomes: list[FileOutcome] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)       # paths written or deleted
    deleted: list[str] = field(default_factory=list)
    accepted_hunks: int = 0
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


# ---------------------------------------------------------------------------- proposals

def propose(repo: Path, phase: Phase, options: RunOptions, files: Sequence[str] | None = None
            ) -> tuple[engine.Selection, Iterator[FileOutcome]]:
    selection = engine.select_phase(repo, phase, files, options.shard)
    return selection, engine.run_selection(repo, selection, options.jobs)


def deletions(repo: Path, phase: Phase, all_files: Sequence[str], phases: Sequence[Phase],
              shard: tuple[int, int] | None = None) -> tuple[list[str], list[Reference], bool]:
    """(files the phase's FILES recipes delete, references that block it, whether guarded)."""
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
    results = scan.scan_files(repo, [c for c in candidates if c[1]], phase.source_roots, jobs=engine.default_jobs())
    blocking = [r for result in results for r in result.references]
    blocking += [Reference(result.path, result.error_line, r.kind, r.old, f"unparseable: {result.error}")
                 for result in results if result.error for r in result.references[:1]]
    return paths, blocking, required


def _names_module(path: Path, needles: tuple[bytes, ...]) -> bool:
    from phasemod.select import names_in

    try:
        return names_in(path.read_bytes(), needles)
    except OSError:
        return True  # let the scan report why it cannot be read


# ---------------------------------------------------------------------------- running

class _Stream:
    """The engine's outcomes in path order. For a review, a thread reads them ahead, so
    the first hunk is asked about at once and the totals grow while the reviewer reads;
    ``stop()`` ends the reading early (``q``, Ctrl-C)."""

    _END = object()

    def __init__(self, outcomes: Iterator[FileOutcome], ahead: bool) -> None:
        self.files = 0          # outcomes with changes found so far
        self.hunks = 0          # their hunks
        self.done = not ahead
        self._outcomes = outcomes
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if ahead:
            self._queue: queue.Queue = queue.Queue()
            self._thread = threading.Thread(target=self._read, name="phasemod-engine", daemon=True)
            self._thread.start()

    def _count(self, outcome: FileOutcome) -> None:
        if outcome.status is Status.CHANGED:
            self.files += 1
            self.hunks += len(outcome.hunks)

    def _read(self) -> None:
        try:
            for outcome in self._outcomes:
                self._count(outcome)
                self._queue.put(outcome)
                if self._stop.is_set():
                    break
        except BaseException as exc:  # handed to the consumer, which raises it
            self._queue.put(exc)
        finally:
            close = getattr(self._outcomes, "close", None)
            if close is not None:
                close()
            self.done = True
            self._queue.put(self._END)

    def __iter__(self) -> Iterator[FileOutcome]:
        if self._thread is None:
            for outcome in self._outcomes:
                self._count(outcome)
                yield outcome
            return
        while not self._stop.is_set():
            item = self._queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            # The reader notices after the file in hand; a worker pool is closed with it.
            self._thread.join(timeout=10)


def run_phase(repo: Path, phase: Phase, phases: Sequence[Phase], options: RunOptions,
              journal: Journal | None, decide: Decide | None = None,
              on_outcome: Callable[[FileOutcome], None] | None = None,
              decide_cluster: "grouped.DecideCluster | None" = None) -> PhaseReport:
    """Propose, decide, journal and apply, then validate one phase (gating is the caller's)."""
    report = PhaseReport(phase)
    all_files = repo_files(repo)
    dry = options.mode == "dry-run"
    interactive = options.mode == "interactive" and decide is not None
    previous = journal.decisions(phase.number) if journal is not None and not options.revisit else {}
    recorded = not dry and recording.enabled(repo, phase)
    baseline = recording.pending_baseline(repo, phase, options.shard, phases) if recorded else None
    selection, outcomes = propose(repo, phase, options, all_files)
    report.selected = len(selection.files)
    if options.on_selected:
        options.on_selected(phase, report.selected)
    dirty = set() if dry or options.allow_dirty else _dirty(repo, journal)
    if not dry:
        report.run_id = journal.begin_run(phase.number, phase.name, options.command)
    planned = None
    if interactive and decide_cluster is not None:
        # Grouped review sees every hunk before asking; it records its decisions and
        # the loop below applies them (phasemod/grouped.py).
        outcomes, planned = grouped.review(report, journal, options, outcomes, previous, dirty, decide, decide_cluster)
    stream = _Stream(outcomes, ahead=interactive and planned is None)
    state = _ReviewState(stream, edits=_previous_edits(journal, phase.number) if previous else {})
    try:
        for outcome in stream:
            # The report keeps each outcome for its counts, not its bytes: at 40,000 files
            # the bytes would dominate memory.
            report.outcomes.append(dataclasses.replace(outcome, old_bytes=b"", new_bytes=b""))
            report.findings += outcome.findings
            if on_outcome:
                on_outcome(outcome)
            if outcome.status is not Status.CHANGED:
                continue
            state.files_seen += 1
            if dry:
                old = textio.decode_python(outcome.old_bytes) if outcome.path.endswith(".py") else \
                    textio.decode_text(outcome.old_bytes)
                new = old.__class__(outcome.new_bytes[3 if old.bom else 0:].decode(old.encoding), old.encoding, old.bom)
                report.diff.append(hunklib.file_diff(outcome.path, old.text, new.text))
                report.accepted_hunks += len(outcome.hunks)
            elif outcome.path in dirty:
                report.findings.append(Finding(FindingKind.REFUSED, outcome.path, 0,
                                               "has uncommitted changes; commit or stash them, or pass --allow-dirty"))
            else:
                _review_and_apply(repo, outcome, report, journal, interactive, decide, previous, state, planned)
            state.hunks_seen += len(outcome.hunks)
            if state.quit:
                stream.stop()
                break
        if planned is not None:
            state.quit, state.interrupted = planned.quit, planned.interrupted
        if not state.quit:
            _delete_planned(repo, phase, phases, all_files, report, journal, dry, options)
    except KeyboardInterrupt:
        stream.stop()
        if report.run_id is not None:
            journal.end_run(report.run_id, "interrupted")
        raise
    report.quit = state.quit
    report.interrupted = state.interrupted
    if report.run_id is None:
        return report
    journal.end_run(report.run_id, "interrupted" if state.interrupted else "applied")
    try:
        if state.quit:
            report.validation_skipped = "the review was stopped before the end of the phase"
        elif options.validate and phase.validate and (report.applied or (
                _complete(report, options) and recorded and recording.needs_validation(phase))):
            validate_phase(repo, phase, journal, report)
    except KeyboardInterrupt:   # an unfinished validation proves nothing: not applied+validated
        journal.end_run(report.run_id, "interrupted")
        raise
    record_file = None
    if recorded:
        record_file = recording.after_run(repo, phase, options.shard, len(report.applied), _complete(report, options),
                                          report.validations, report.rolled_back, baseline, phases)
    if options.commit and (report.applied or record_file) and not report.rolled_back:
        vcs.commit(repo, [*report.applied, *recording.paths_to_commit(repo, phase)], commit_message(report))
    return report


def _complete(report: PhaseReport, options: RunOptions) -> bool:
    """Every selected file and deletion went through (else the record says partial); a
    needs-review item stays a remaining reference, the file itself went through."""
    through = {FindingKind.NEEDS_REVIEW}
    return not (report.quit or report.interrupted or report.blocked_by or
                [f for f in report.problems(options.allow_unparseable) if f.kind not in through])


def commit_message(report: PhaseReport) -> str:
    p = report.phase
    changed = len(report.applied) - len(report.deleted)
    return (f"phasemod: phase {p.number} {p.name}: {changed} files changed, {len(report.deleted)} deleted, "
            f"{report.accepted_hunks} hunks accepted, {report.rejected_hunks} rejected\n\n"
            f"Journal run {report.run_id}; `phasemod log {p.number}` shows every hunk and decision.\n")


def _dirty(repo: Path, journal: Journal | None) -> set[str]:
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


def _previous_edits(journal: Journal, phase: int) -> dict[str, str]:
    """Hunk key -> the text a reviewer wrote with `e` in an earlier run (resume reuses it)."""
    edits: dict[str, str] = {}
    for run in journal.log(phase)["runs"]:
        if run["outcome"] not in ("rolled-back", "dry-run"):
            for h in run["hunks"]:
                if h["decision"] == "edited":
                    edits[h["key"]] = h["after"]
    return edits


@dataclass
class _ReviewState:
    stream: _Stream
    edits: dict[str, str] = field(default_factory=dict)
    accept_all: bool = False
    quit: bool = False
    interrupted: bool = False
    files_seen: int = 0     # files with changes so far, this one included
    hunks_seen: int = 0     # hunks of the files before this one


def _review_and_apply(repo: Path, outcome: FileOutcome, report: PhaseReport, journal: Journal,
                      interactive: bool, decide: Decide | None, previous: dict[str, str],
                      state: _ReviewState, planned: "grouped.GroupedPlan | None" = None) -> None:
    source = (textio.decode_python if outcome.path.endswith(".py") else textio.decode_text)(outcome.old_bytes)
    hunks = list(outcome.hunks)
    accepted: dict[int, Hunk] = {}
    batch: list[tuple[str, int, str, str, str, str]] = []
    file_choice: str | None = None
    for number, hunk in enumerate(hunks, 1):
        if planned is not None:
            entry = planned.decisions.get(hunk.key)
            if entry is None:
                return   # left undecided by a stopped grouped review: the file stays as it is
            choice, hunk = entry.choice, entry.hunk
            if not entry.recorded:
                journal.record_hunk(report.run_id, outcome.path, hunk.key, hunk.index, ",".join(hunk.recipes),
                                    "".join(hunk.before), "".join(hunk.after), choice, cluster=entry.cluster)
        elif not interactive or state.accept_all or file_choice == "accept":
            choice = "accepted"
        elif file_choice == "reject":
            choice = "rejected"
        elif previous.get(hunk.key) in ("accepted", "rejected"):
            choice = previous[hunk.key]
        elif previous.get(hunk.key) == "edited" and hunk.key in state.edits:
            choice = "edited"
            hunk = Hunk(hunk.path, hunk.index, hunk.start, hunk.before,
                        tuple(hunklib.split_lines(state.edits[hunk.key])), hunk.recipes, hunk.context_before,
                        hunk.context_after, hunk.ordinal)
        else:
            assert decide is not None
            stream = state.stream
            prompt = Prompt(report.phase, hunk, state.hunks_seen + number, max(stream.hunks, state.hunks_seen + len(hunks)),
                            state.files_seen, max(stream.files, state.files_seen), counting=not stream.done)
            try:
                choice, hunk = _ask(decide, prompt, source.text, hunks, state)
            except KeyboardInterrupt:
                # Ctrl-C at the prompt is a `q` that also ends the command with 130.
                choice, state.quit, state.interrupted = "quit", True, True
            if choice == "quit":
                # The file under review stays as it is: applying part of its hunks would
                # change what the engine proposes on resume. Its decisions are recorded,
                # so the next `run -i` applies them and asks only the rest.
                return
            if choice == "accept-file":
                file_choice, choice = "accept", "accepted"
            elif choice == "reject-file":
                file_choice, choice = "reject", "rejected"
        # Recorded at once, so that `q`, Ctrl-C or a kill loses no decision; a batch run
        # decides nothing by hand and records a file's hunks in one transaction before writing it.
        if planned is None and not interactive:
            batch.append((hunks[number - 1].key, hunk.index, ",".join(hunk.recipes), "".join(hunk.before),
                          "".join(hunk.after), choice))
        elif planned is None:   # under the proposal's key (an edit's own key would not match on resume)
            journal.record_hunk(report.run_id, outcome.path, hunks[number - 1].key, hunk.index, ",".join(hunk.recipes),
                                "".join(hunk.before), "".join(hunk.after), choice)
        if choice in ("accepted", "edited"):
            accepted[hunk.index] = hunk
            report.accepted_hunks += 1
        else:
            report.rejected_hunks += 1
    if batch:
        journal.record_hunks(report.run_id, outcome.path, batch)
    final = hunklib.rebuild(source.text, [accepted.get(h.index, h) for h in hunks], accepted)
    if final == source.text:
        return
    # The engine already checked its whole proposal; only a subset or an edit needs a new check.
    whole = all(accepted.get(h.index) == h for h in hunks)
    problem = engine.check_rewrite(outcome.path, source.text, final) if outcome.path.endswith(".py") and not whole \
        else ""
    if problem:
        report.findings.append(Finding(FindingKind.DROPPED, outcome.path, 0,
                                       f"the accepted hunks together break the file ({problem}); left unchanged"))
        return
    try:
        apply_change(journal, repo, report.run_id, outcome.path, source.encode(final), expected=outcome.old_bytes)
    except (FileChanged, UnsafeWrite, WriteFailed) as exc:
        # This file only (changed, read-only, behind a link, disk full): the file is as
        # it was, the pending journal row says so, and the other files still migrate.
        report.findings.append(Finding(FindingKind.REFUSED, outcome.path, 0, str(exc)))
        return
    report.applied.append(outcome.path)


def _ask(decide: Decide, prompt: Prompt, text: str, hunks: list[Hunk], state: _ReviewState) -> tuple[str, Hunk]:
    """Ask until a decision; an edit is taken only when the file with it still parses."""
    hunk = prompt.hunk
    while True:
        decision, edited = decide(prompt)
        if decision is Decision.ACCEPT:
            return "accepted", hunk
        if decision is Decision.REJECT:
            return "rejected", hunk
        if decision is Decision.ACCEPT_FILE:
            return "accept-file", hunk
        if decision is Decision.REJECT_FILE:
            return "reject-file", hunk
        if decision is Decision.ACCEPT_ALL:
            state.accept_all = True
            return "accepted", hunk
        if decision is Decision.QUIT:
            state.quit = True
            return "quit", hunk
        if decision is Decision.EDIT and edited is not None:
            candidate = Hunk(hunk.path, hunk.index, hunk.start, hunk.before, tuple(hunklib.split_lines(edited)),
                             hunk.recipes, hunk.context_before, hunk.context_after, hunk.ordinal)
            trial = hunklib.rebuild(text, [candidate if h.index == hunk.index else h for h in hunks], [hunk.index])
            problem = engine.check_rewrite(hunk.path, text, trial) if hunk.path.endswith((".py", ".pyi")) else ""
            if not problem:
                return "edited", candidate
            # Shown again: the refused edit (so `e` starts from it) and why.
            prompt = Prompt(prompt.phase, candidate, prompt.hunk_number, prompt.hunk_total, prompt.file_number,
                            prompt.file_total, f"the edited hunk does not parse ({problem}); "
                            "e edits it again, the other keys decide about the proposed hunk", prompt.counting)


def _delete_planned(repo: Path, phase: Phase, phases: Sequence[Phase], all_files: Sequence[str],
                  report: PhaseReport, journal: Journal | None, dry: bool, options: RunOptions) -> None:
    paths, blocking, _ = deletions(repo, phase, all_files, phases, options.shard)
    if not paths:
        return
    if blocking:
        report.blocked_by = blocking
        report.findings.append(Finding(FindingKind.REFUSED, paths[0], 0,
                                       f"{_deleter(phase)} refused: {len(blocking)} code references to the old "
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


def _deleter(phase: Phase) -> str:
    return next((s.name for s in phase.recipes if catalog.resolve(s)[0].reads is Reads.FILES), "deletion")


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


# ---------------------------------------------------------------------------- commands

def phase_number(phases: Sequence[Phase] | None, wanted: str, repo: Path | None = None) -> int:
    """A phase by number or name: from the manifests, else (``repo`` given: rollback
    reads only the journal) from the runs the journal recorded."""
    from phasemod.errors import EngineError
    from phasemod.manifest import select_phases

    try:
        if phases is None:
            raise EngineError("no manifests")
        return select_phases(phases, [wanted])[0].number
    except EngineError:
        if repo is None:
            raise
        from phasemod.rollback import journal_phase

        with Journal.open(repo, create=False) as journal:
            return journal_phase(journal, wanted)


def run_phases(repo: Path, phases: Sequence[Phase], chosen: Sequence[Phase], options: RunOptions,
               decide: Decide | None = None, on_outcome: Callable[[FileOutcome], None] | None = None,
               on_warning: Callable[[str], None] | None = None,
               decide_cluster: "grouped.DecideCluster | None" = None) -> list[PhaseReport]:
    """Run the chosen phases in order; stop after a phase that was refused (gating),
    failed validation, was quit or interrupted. ``--dry-run`` writes nothing at all."""
    from phasemod.lock import RepoLock

    reports: list[PhaseReport] = []
    if options.mode == "dry-run":
        for phase in chosen:
            reports.append(run_phase(repo, phase, phases, options, None, None, on_outcome))
        return reports
    with RepoLock(repo, options.command) as lock, Journal.open(repo) as journal:
        for text in _settle(lock, journal):
            if on_warning:
                on_warning(text)
        for phase in chosen:
            try:
                check_requirements(journal, phase, phases, unvalidated_ok=not options.validate, repo=repo)
            except ProblemsFound as exc:
                reports.append(PhaseReport(phase, refused=str(exc)))
                break
            report = run_phase(repo, phase, phases, options, journal, decide, on_outcome, decide_cluster)
            reports.append(report)
            if report.quit or report.validation_failed or report.blocked_by:
                break
    return reports


def _settle(lock, journal: Journal) -> list[str]:
    """Under the lock: mark runs left 'running' by a killed process as interrupted, and
    say so (with the stale-lock warning, if any)."""
    notes = [lock.warning] if lock.warning else []
    notes += journal.settle_rollbacks()
    for run in journal.interrupted_runs():
        journal.end_run(run.id, "interrupted")
        notes.append(f"run {run.id} (phase {run.phase} {run.phase_name}, started {run.started}) was interrupted; "
                     f"each of its files is either as it was or fully rewritten. `phasemod rollback --run {run.id}` "
                     "restores them, or run the phase again to finish it")
    return notes


def notice_interrupted(repo: Path) -> list[str]:
    """For commands that do not take the lock themselves (status, log, rollback's
    preview): settle interrupted runs if the journal exists and nobody holds the lock.
    Writes nothing when there is no journal."""
    from phasemod import state
    from phasemod.lock import LockHeld, RepoLock

    if state.journal_path(repo, create=False) is None:
        return []
    try:
        with RepoLock(repo, "settle interrupted runs") as lock, Journal.open(repo, create=False) as journal:
            return _settle(lock, journal)
    except LockHeld:
        return []   # a live process holds it: its runs are not interrupted


def exit_code(reports: Sequence[PhaseReport], allow_unparseable: bool = False) -> int:
    """130 interrupted; 1 refused, validation failed, blocked or findings; else 0."""
    if any(r.interrupted for r in reports):
        return 130
    for report in reports:
        if report.refused or report.validation_failed or report.blocked_by or report.problems(allow_unparseable):
            return 1
    return 0


def validate(repo: Path, phase: Phase, commit: bool = False, phases: Sequence[Phase] = ()) -> list[ValidationResult]:
    """`phasemod validate`: run and record the phase's validations against its latest run."""
    from phasemod.lock import RepoLock

    with RepoLock(repo, f"validate {phase.number}"), Journal.open(repo) as journal:
        runs = [r for r in journal.runs(phase.number) if r.outcome not in ("dry-run", "rolled-back")]
        # Another clone's run counts: the record says the phase was applied there.
        recorded = recording.enabled(repo, phase) and recording.known_to_record(phase)
        if not runs and not recorded:
            raise ProblemsFound(f"phase {phase.number} ({phase.name}) has not been run; "
                                f"run it first: phasemod run {phase.number} --yes")
        results = run_validations(repo, phase.validate)
        for v in results:
            if runs:
                journal.record_validation(runs[-1].id, v.command, v.exit_code, v.duration, v.timed_out, v.severity,
                                          v.output_tail)
        if recording.enabled(repo, phase):
            recording.after_validate(repo, phase, results, phases)
        if commit:
            vcs.commit(repo, recording.paths_to_commit(repo, phase),
                       f"phasemod: phase {phase.number} {phase.name}: validation recorded\n")
    return results


def _dependents(phases: Sequence[Phase] | None, journal: Journal) -> Callable[[int], list[int]]:
    from phasemod.rollback import journal_dependents

    if phases is None:   # manifests gone or broken: the journal alone decides
        return journal_dependents(journal)
    return lambda number: [p.number for p in phases if number in p.requires]


def rollback_plan(repo: Path, phases: Sequence[Phase] | None, phase: int | None, run_id: int | None):
    from phasemod.rollback import plan_rollback

    with Journal.open(repo, create=False) as journal:
        return plan_rollback(journal, repo, phase=phase, run_id=run_id, dependents=_dependents(phases, journal))


def rollback(repo: Path, phases: Sequence[Phase] | None, phase: int | None, run_id: int | None, force: bool,
             commit: bool = False):
    from phasemod.lock import RepoLock
    from phasemod.rollback import execute_rollback, plan_rollback

    with RepoLock(repo, "rollback"), Journal.open(repo) as journal:
        plan = plan_rollback(journal, repo, phase=phase, run_id=run_id, dependents=_dependents(phases, journal))
        result = execute_rollback(journal, repo, plan, force=force)
        number = phase if phase is not None else (journal.run(run_id).phase if run_id is not None else None)
        target = next((p for p in phases or () if p.number == number), None)
        if result.ok and target is not None and recording.enabled(repo, target) and \
                not journal.live_runs(target.number):
            recording.after_rollback(repo, target, phases or ())
            if commit:
                vcs.commit(repo, [*(i.path for i in result.done), *recording.paths_to_commit(repo, target)],
                           f"phasemod: phase {target.number} {target.name}: rolled back "
                           f"({len(result.done)} files restored)\n")
        return result


def journal_log(repo: Path, phase: int | None) -> dict:
    """The journal as JSON-able data (docs/journal.md); an empty log when nothing ran."""
    from phasemod import state
    from phasemod.journal import SCHEMA_VERSION

    if state.journal_path(repo, create=False) is None:
        return {"schema": SCHEMA_VERSION, "journal": None, "runs": [], "rollbacks": []}
    with Journal.open(repo, create=False) as journal:
        return journal.log(phase)
