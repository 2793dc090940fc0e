"""Carry out a phase: propose (engine), ask for decisions (a callback), journal and apply,
validate, and report. The single place where proposals become writes.

Never prompts or prints itself: the caller supplies ``decide`` and renders the report.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from phasemod import engine, hunks as hunklib, scan, syntax, textio, vcs
from phasemod.apply import FileChanged, apply_change
from phasemod.errors import EngineError, ProblemsFound
from phasemod.journal import Journal
from phasemod.manifest import Phase
from phasemod.model import FileOutcome, Finding, FindingKind, Hunk, Reference, Status
from phasemod.select import repo_files, select
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
    """What a reviewer is asked about: one hunk and where it stands."""

    phase: Phase
    hunk: Hunk
    hunk_number: int        # 1-based within the file
    hunk_total: int
    file_number: int        # 1-based among the phase's files with changes so far
    file_total: int         # files selected for the phase
    error: str = ""         # why the previous edit of this hunk was refused


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
    blocked_by: list[Reference] = field(default_factory=list)   # delete_files refused because of these
    diff: list[str] = field(default_factory=list)               # --dry-run: unified diffs per file

    def problems(self, allow_unparseable: bool = False) -> list[Finding]:
        return [f for f in self.findings if not (allow_unparseable and f.kind is FindingKind.UNPARSEABLE)]

    @property
    def validation_failed(self) -> bool:
        return any(not v.ok and v.severity == "critical" for v in self.validations)


# ---------------------------------------------------------------------------- gating

def check_requirements(journal: Journal | None, phase: Phase, phases: Sequence[Phase]) -> None:
    """Refuse a phase whose required phases are not applied and validated."""
    by_number = {p.number: p for p in phases}
    missing = []
    for number in phase.requires:
        state = journal.phase_state(number) if journal is not None else "not-run"
        required = by_number.get(number)
        ok = state == "validated" or (state == "applied" and required is not None and not required.validate)
        if not ok:
            name = required.name if required else str(number)
            missing.append(f"phase {number} ({name}) is {state}")
    if missing:
        raise ProblemsFound(f"phase {phase.number} ({phase.name}) requires earlier phases: {'; '.join(missing)}. "
                            f"Run them first (phasemod run {' '.join(str(n) for n in phase.requires)} --yes), "
                            "or validate them (phasemod validate N)")


# ---------------------------------------------------------------------------- proposals

def propose(repo: Path, phase: Phase, options: RunOptions, files: Sequence[str] | None = None
            ) -> tuple[engine.Selection, Iterator[FileOutcome]]:
    selection = engine.select_phase(repo, phase, files, options.shard)
    return selection, engine.run_selection(repo, selection, options.jobs)


def deletions(repo: Path, phase: Phase, all_files: Sequence[str], phases: Sequence[Phase],
              shard: tuple[int, int] | None = None) -> tuple[list[str], list[Reference], bool]:
    """(files the phase deletes, references that block it, require_no_references)."""
    paths: list[str] = []
    required = False
    for spec in phase.recipes:
        if spec.name != "delete_files":
            continue
        required = required or spec.options.require_no_references
        paths += [p for p in select(all_files, spec.options.paths) if p not in paths]
    from phasemod.select import in_shard

    paths = [p for p in paths if in_shard(p, shard)]
    if not paths or not required:
        return paths, [], required
    targets = [t for t in scan.targets_of(phases) if t.recipe != "rename_in_text"]
    doomed = set(paths)
    candidates = [(p, targets) for p in all_files if p.endswith((".py", ".pyi")) and p not in doomed]
    results = scan.scan_files(repo, candidates, phase.source_roots, jobs=engine.default_jobs())
    blocking = [r for result in results for r in result.references]
    blocking += [Reference(result.path, result.error_line, r.kind, r.old, f"unparseable: {result.error}")
                 for result in results if result.error for r in result.references[:1]]
    return paths, blocking, required


# ---------------------------------------------------------------------------- running

def run_phase(repo: Path, phase: Phase, phases: Sequence[Phase], options: RunOptions,
              journal: Journal | None, decide: Decide | None = None,
              on_outcome: Callable[[FileOutcome], None] | None = None) -> PhaseReport:
    report = PhaseReport(phase)
    all_files = repo_files(repo)
    dry = options.mode == "dry-run"
    if not dry:
        assert journal is not None
        check_requirements(journal, phase, phases)
    previous = journal.decisions(phase.number) if journal is not None and not options.revisit else {}
    selection, outcomes = propose(repo, phase, options, all_files)
    report.selected = len(selection.files)
    dirty = vcs.dirty_files(repo) if not dry and not options.allow_dirty else set()
    if not dry:
        report.run_id = journal.begin_run(phase.number, phase.name, options.command)
    state = _ReviewState()
    files_with_changes = 0
    try:
        for outcome in outcomes:
            report.outcomes.append(outcome)
            report.findings += outcome.findings
            if on_outcome:
                on_outcome(outcome)
            if outcome.status is not Status.CHANGED:
                continue
            files_with_changes += 1
            if dry:
                old = textio.decode_python(outcome.old_bytes) if outcome.path.endswith(".py") else \
                    textio.decode_text(outcome.old_bytes)
                new = old.__class__(outcome.new_bytes[3 if old.bom else 0:].decode(old.encoding), old.encoding, old.bom)
                report.diff.append(hunklib.file_diff(outcome.path, old.text, new.text))
                report.accepted_hunks += len(outcome.hunks)
                continue
            if outcome.path in dirty:
                report.findings.append(Finding(FindingKind.REFUSED, outcome.path, 0,
                                               "has uncommitted changes; commit or stash them, or pass --allow-dirty"))
                continue
            if state.quit:
                continue
            _review_and_apply(repo, outcome, report, journal, options, decide, previous, state,
                              files_with_changes, len(selection.files))
        if not state.quit:
            _delete_files(repo, phase, phases, all_files, report, journal, dry, options)
    except KeyboardInterrupt:
        if report.run_id is not None:
            journal.end_run(report.run_id, "interrupted")
        raise
    report.quit = state.quit
    if report.run_id is not None:
        journal.end_run(report.run_id, "applied")
        if options.validate and phase.validate and report.applied:
            validate_phase(repo, phase, journal, report, phases)
        if options.commit and report.applied and not report.rolled_back:
            vcs.commit(repo, report.applied, f"phasemod: phase {phase.number} {phase.name}: "
                       f"{len(report.applied)} files, {report.accepted_hunks} hunks accepted")
    return report


@dataclass
class _ReviewState:
    accept_all: bool = False
    quit: bool = False


def _review_and_apply(repo: Path, outcome: FileOutcome, report: PhaseReport, journal: Journal,
                      options: RunOptions, decide: Decide | None, previous: dict[str, str], state: _ReviewState,
                      file_number: int, file_total: int) -> None:
    source = (textio.decode_python if outcome.path.endswith(".py") else textio.decode_text)(outcome.old_bytes)
    hunks = list(outcome.hunks)
    accepted: dict[int, Hunk] = {}
    decided: dict[int, str] = {}
    file_choice: str | None = None
    interactive = options.mode == "interactive" and decide is not None
    for number, hunk in enumerate(hunks, 1):
        if not interactive or state.accept_all or file_choice == "accept":
            choice = "accepted"
        elif file_choice == "reject":
            choice = "rejected"
        elif hunk.key in previous and previous[hunk.key] in ("accepted", "rejected", "edited"):
            choice = previous[hunk.key]
        else:
            choice, hunk = _ask(decide, Prompt(report.phase, hunk, number, len(hunks), file_number, file_total),
                                source.text, hunks, accepted, state)
            if choice == "quit":
                break
            if choice == "accept-file":
                file_choice, choice = "accept", "accepted"
            elif choice == "reject-file":
                file_choice, choice = "reject", "rejected"
        decided[hunk.index] = choice
        if choice in ("accepted", "edited"):
            accepted[hunk.index] = hunk
    final = hunklib.rebuild(source.text, [accepted.get(h.index, h) for h in hunks], accepted)
    for hunk in hunks:
        if hunk.index in decided:
            h = accepted.get(hunk.index, hunk)
            journal.record_hunk(report.run_id, outcome.path, hunk.key, hunk.index, ",".join(hunk.recipes),
                                "".join(hunk.before), "".join(h.after), decided[hunk.index])
    report.accepted_hunks += sum(1 for c in decided.values() if c in ("accepted", "edited"))
    report.rejected_hunks += sum(1 for c in decided.values() if c == "rejected")
    if final == source.text:
        return
    problem = engine.check_rewrite(outcome.path, source.text, final) if outcome.path.endswith(".py") else ""
    if problem:
        report.findings.append(Finding(FindingKind.DROPPED, outcome.path, 0,
                                       f"the accepted hunks together break the file ({problem}); left unchanged"))
        return
    try:
        apply_change(journal, repo, report.run_id, outcome.path, source.encode(final), expected=outcome.old_bytes)
    except FileChanged as exc:
        report.findings.append(Finding(FindingKind.REFUSED, outcome.path, 0, str(exc)))
        return
    report.applied.append(outcome.path)


def _ask(decide: Decide, prompt: Prompt, text: str, hunks: list[Hunk], accepted: dict[int, Hunk],
         state: _ReviewState) -> tuple[str, Hunk]:
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
            trial = hunklib.rebuild(text, [candidate if h.index == hunk.index else h for h in hunks],
                                    [hunk.index])
            error = ""
            if hunk.path.endswith(".py"):
                try:
                    syntax.parse(trial)
                except syntax.ParseError as exc:
                    error = f"the edited hunk does not parse: line {exc.line}: {exc.message}"
            if not error:
                return "edited", candidate
            prompt = Prompt(prompt.phase, hunk, prompt.hunk_number, prompt.hunk_total, prompt.file_number,
                            prompt.file_total, error)


def _delete_files(repo: Path, phase: Phase, phases: Sequence[Phase], all_files: Sequence[str],
                  report: PhaseReport, journal: Journal | None, dry: bool, options: RunOptions) -> None:
    paths, blocking, _ = deletions(repo, phase, all_files, phases, options.shard)
    if not paths:
        return
    if blocking:
        report.blocked_by = blocking
        report.findings.append(Finding(FindingKind.REFUSED, paths[0], 0,
                                       f"delete_files refused: {len(blocking)} code references to the old "
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


def validate_phase(repo: Path, phase: Phase, journal: Journal, report: PhaseReport,
                   phases: Sequence[Phase]) -> None:
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

def phase_number(phases: Sequence[Phase], wanted: str) -> int:
    from phasemod.manifest import select_phases

    return select_phases(phases, [wanted])[0].number


def run_phases(repo: Path, phases: Sequence[Phase], chosen: Sequence[Phase], options: RunOptions,
               decide: Decide | None = None, on_outcome: Callable[[FileOutcome], None] | None = None,
               on_warning: Callable[[str], None] | None = None) -> list[PhaseReport]:
    """Run the chosen phases in order; stop after a phase that failed validation or was quit."""
    from phasemod.lock import RepoLock

    reports: list[PhaseReport] = []
    if options.mode == "dry-run":
        for phase in chosen:
            reports.append(run_phase(repo, phase, phases, options, None, None, on_outcome))
        return reports
    with RepoLock(repo, options.command) as lock, Journal.open(repo) as journal:
        if lock.warning and on_warning:
            on_warning(lock.warning)
        for run in journal.interrupted_runs():
            if on_warning:
                on_warning(f"run {run.id} (phase {run.phase}) was interrupted; its files are each either as "
                           f"they were or fully rewritten. `phasemod rollback --run {run.id}` restores them.")
        for phase in chosen:
            report = run_phase(repo, phase, phases, options, journal, decide, on_outcome)
            reports.append(report)
            if report.quit or report.validation_failed or report.blocked_by:
                break
    return reports


def exit_code(reports: Sequence[PhaseReport], allow_unparseable: bool = False) -> int:
    for report in reports:
        if report.validation_failed or report.blocked_by or report.problems(allow_unparseable):
            return 1
    return 0


def check(repo: Path, phases: Sequence[Phase], paths: Sequence[str] = ()) -> list[Reference]:
    """Every remaining reference to any old symbol of the manifests (in ``paths`` if given)."""
    from phasemod.select import check_glob

    all_files = repo_files(repo)
    if paths:
        for p in paths:
            check_glob(p)
        patterns = [p.rstrip("/") + "/" if (repo / p).is_dir() else p for p in paths]
        all_files = select(all_files, patterns)
    targets = scan.targets_of(phases)
    roots = tuple(sorted({r for p in phases for r in p.source_roots}))
    code = [t for t in targets if t.recipe != "rename_in_text"]
    prose = [t for t in targets if t.recipe == "rename_in_text"]
    from phasemod.recipes import rename_in_text

    items = [(p, code if p.endswith((".py", ".pyi")) else prose if p.lower().endswith(rename_in_text.SUFFIXES)
              else []) for p in all_files]
    cache = scan.ScanCache.load(repo, targets, roots)
    results = scan.scan_files(repo, items, roots, cache, engine.default_jobs())
    return [r for result in results for r in result.references]


def validate(repo: Path, phase: Phase) -> list[ValidationResult]:
    """`phasemod validate`: run and record the phase's validations against its latest run."""
    from phasemod.lock import RepoLock

    with RepoLock(repo, f"validate {phase.number}"), Journal.open(repo) as journal:
        runs = [r for r in journal.runs(phase.number) if r.outcome != "dry-run"]
        if not runs:
            raise ProblemsFound(f"phase {phase.number} ({phase.name}) has not been run; "
                                f"run it first: phasemod run {phase.number} --yes")
        results = run_validations(repo, phase.validate)
        for v in results:
            journal.record_validation(runs[-1].id, v.command, v.exit_code, v.duration, v.timed_out, v.severity,
                                      v.output_tail)
    return results


def _dependents(phases: Sequence[Phase]) -> Callable[[int], list[int]]:
    return lambda number: [p.number for p in phases if number in p.requires]


def rollback_plan(repo: Path, phases: Sequence[Phase], phase: int | None, run_id: int | None):
    from phasemod.rollback import plan_rollback

    with Journal.open(repo) as journal:
        return plan_rollback(journal, repo, phase=phase, run_id=run_id, dependents=_dependents(phases))


def rollback(repo: Path, phases: Sequence[Phase], phase: int | None, run_id: int | None, force: bool):
    from phasemod.lock import RepoLock
    from phasemod.rollback import execute_rollback, plan_rollback

    with RepoLock(repo, "rollback"), Journal.open(repo) as journal:
        plan = plan_rollback(journal, repo, phase=phase, run_id=run_id, dependents=_dependents(phases))
        return execute_rollback(journal, repo, plan, force=force)


def journal_log(repo: Path, phase: int | None) -> dict:
    with Journal.open(repo) as journal:
        return journal.log(phase)
