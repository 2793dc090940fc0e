"""Carry out a phase: propose (engine), have a reviewer decide (phasemod/review.py,
phasemod/grouped.py), apply (phasemod/applier.py), validate, record, and report; and the
commands around it (validate, rollback, log).

Never prompts or prints itself: the caller supplies ``decide`` and renders the report.
"""
from __future__ import annotations

import dataclasses
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

from phasemod import (applier, engine, grouped, hunkinfo, hunks as hunklib, namecheck, recording, review, safetynet,
                      session, vcs)
from phasemod.applier import PhaseReport, check_requirements, commit_message, validate_phase  # noqa: F401
from phasemod.errors import ProblemsFound
from phasemod.display import count
from phasemod.hunkfilter import HunkFilter, HunkKinds
from phasemod.journal import Journal
from phasemod.manifest import Phase
from phasemod.model import FileOutcome, Finding, FindingKind, Learned, Status
from phasemod.review import Decide, Decision, Prompt  # noqa: F401 (the reviewer's vocabulary, re-exported)
from phasemod.select import walk
from phasemod.validation import ValidationResult, run_validations


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
    only: "HunkFilter | None" = None   # review only these hunks (--filter-kind, --filter-path)
    on_selected: Callable[[Phase, int], None] | None = None   # (phase, files selected): sizes a progress bar


# ---------------------------------------------------------------------------- proposals

def propose(repo: Path, phase: Phase, options: RunOptions, files: Sequence[str] | None = None
            ) -> tuple[engine.Selection, Iterator[FileOutcome]]:
    selection = engine.select_phase(repo, phase, files, options.shard)
    if options.mode == "interactive":
        # `plan --clusters` may have computed exactly this for an unchanged tree.
        from phasemod import proposals

        kept = proposals.load(repo, phase, options.shard, selection.files)
        if kept is not None:
            return selection, iter(kept)
    # A batch run writes every proposal whole: what the engine's parse tells of each
    # file as it leaves it spares the counts and checks after the run a parse of it.
    return selection, engine.run_selection(repo, selection, options.jobs, learn="written" if options.mode == "yes" else "")


# ---------------------------------------------------------------------------- running

class _Stream:
    """The engine's outcomes in path order. For a review, a thread reads them ahead, so
    the first hunk is asked about at once and the totals grow while the reviewer reads;
    ``stop()`` ends the reading early (``q``, Ctrl-C)."""

    _END = object()

    def __init__(self, outcomes: Iterator[FileOutcome], ahead: bool,
                 on_count: Callable[[FileOutcome], None] | None = None) -> None:
        self.files = 0          # outcomes with changes found so far
        self.hunks = 0          # their hunks
        self.done = not ahead
        self._outcomes = outcomes
        self._on_count = on_count
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
        if self._on_count is not None:
            self._on_count(outcome)

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
    all_files, unreadable = walk(repo)
    dry = options.mode == "dry-run"
    interactive = options.mode == "interactive" and decide is not None
    previous = journal.decisions(phase.number) if journal is not None and not options.revisit else {}
    recorded = not dry and recording.enabled(repo, phase)
    baseline = recording.pending_baseline(repo, phase, options.shard, phases) if recorded else None
    selection, outcomes = propose(repo, phase, options, all_files)
    report.selected = len(selection.files)
    # A FIFO, device or socket the globs select, or a directory that could not be listed:
    # never read, and never passed over in silence.
    report.findings += [Finding(FindingKind.UNPARSEABLE, path, 0, reason) for path, reason in unreadable
                        if reason.startswith("cannot be listed") or engine.select_phase(repo, phase, [path]).files]
    if options.on_selected:
        options.on_selected(phase, report.selected)
    dirty = set() if dry or options.allow_dirty else applier.dirty_files(repo, journal)
    if not dry:
        report.run_id = journal.begin_run(phase.number, phase.name, options.command)
    planned = None
    only = options.only if interactive and options.only else None
    kinds = HunkKinds(repo, phase)
    edits = review.previous_edits(journal.log(phase.number)) if previous else {}
    index = namecheck.ModuleIndex(repo, None, phase.source_roots) if interactive else None
    if interactive and decide_cluster is not None:
        # Grouped review sees every hunk before asking; it records its decisions and
        # the loop below applies them (phasemod/grouped.py).
        outcomes, planned = grouped.review(phase, report.run_id, journal, options.grouping, options.unusual_first,
                                           outcomes, previous, dirty, decide, decide_cluster,
                                           grouped.Scope(kinds, only, edits, index))
    navigating = interactive and planned is None
    numbering = hunkinfo.Numbering(selection.files, journal.decided_keys(phase.number)) if navigating else None
    stream = _Stream(outcomes, ahead=navigating, on_count=numbering.count if numbering is not None else None)
    learn_scan = learner(repo, phases, phase) if not dry else None
    state = review.ReviewState(stream, edits=edits, index=index)

    def reviewable() -> Iterator[FileOutcome]:
        """The outcomes, each noted in the report; those to decide about are yielded."""
        for outcome in stream:
            # The report keeps each outcome for its counts, not its bytes: at 40,000 files
            # the bytes would dominate memory.
            report.outcomes.append(dataclasses.replace(outcome, old_bytes=b"", new_bytes=b"", learned=None))
            if outcome.learned is not None and learn_scan is not None:
                learn_scan(outcome.path, outcome.learned)
            report.findings += outcome.findings
            if on_outcome:
                on_outcome(outcome)
            if outcome.status is not Status.CHANGED:
                continue
            state.files_seen += 1
            if dry:
                report.diff.append(applier.dry_run_diff(outcome))
                report.accepted_hunks += len(outcome.hunks)
            elif outcome.path in dirty:
                report.findings.append(Finding(FindingKind.REFUSED, outcome.path, 0,
                                               "has uncommitted changes; commit or stash them, or pass --allow-dirty"))
            else:
                yield outcome
            state.hunks_seen += len(outcome.hunks)

    try:
        if numbering is not None:
            # One by one with a way back (phasemod/session.py): files are written as the
            # review leaves them, and restored when a decision of theirs changes.
            assert decide is not None and journal is not None
            settler = _Settler(repo, report, journal, decide, state, previous)
            review_session = session.Session(repo, phase, reviewable(), numbering, lambda: not stream.done, decide,
                                             previous, state.edits, settler, index=index,
                                             only=(lambda o: kinds.selected(only, o)) if only is not None else None)
            review_session.run()
            state.quit = state.quit or review_session.quit
            state.interrupted = review_session.interrupted
            state.left_out = review_session.left_out
            if state.quit:
                stream.stop()
        else:
            for outcome in reviewable():
                _decide_and_apply(repo, outcome, report, journal, interactive, decide, previous, state, planned)
                if state.quit:
                    stream.stop()
                    break
        if planned is not None:
            state.quit, state.interrupted = planned.quit, planned.interrupted
            state.left_out = planned.left_out
        report.left_out, report.undecided = state.left_out, (planned.undecided if planned is not None else 0)
        if not state.quit and not report.left_out and not report.undecided:
            applier.delete_planned(repo, phase, phases, all_files, report, journal, dry, options.shard,
                                       options.jobs)
    except KeyboardInterrupt:
        stream.stop()
        if report.run_id is not None:
            journal.end_run(report.run_id, "interrupted")
        raise
    report.quit = state.quit
    report.interrupted = state.interrupted
    if report.run_id is None:
        return report
    # The journal is the one count: the summary, `log`, `log --json` and the report agree.
    counts = journal.decision_counts(report.run_id)
    report.accepted_hunks, report.edited_hunks, report.rejected_hunks = \
        counts["accepted"], counts["edited"], counts["rejected"]
    if report.applied and not state.interrupted:
        _after_check(repo, phase, report, journal)
    report.partial = partial_reasons(report, options.allow_unparseable)
    if report.partial and not state.interrupted:
        journal.record_problems(report.run_id, report.partial)
    journal.end_run(report.run_id, "interrupted" if state.interrupted else "applied")
    try:
        if state.quit:
            report.validation_skipped = "the review was stopped before the end of the phase"
        elif report.left_out or report.undecided:
            report.validation_skipped = "hunks were left undecided; the phase is not complete"
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


def learner(repo: Path, phases: Sequence[Phase], phase: Phase) -> Callable[[str, Learned], None]:
    """Keep what the engine learnt of a file (phasemod.model.Learned) for the counts of
    the phase (status's scan cache) and the import check after it; both use it only
    while the file's content hash matches."""
    from phasemod import aftercheck, status

    scans = status.learner(repo, phases, phase)

    def learn(path: str, learned: Learned) -> None:
        if learned.facts is not None:
            aftercheck.remember(learned.digest, learned.module, learned.is_package, learned.facts)
        if learned.scan is not None:
            scans(path, learned.digest, learned.scan)

    return learn


def _after_check(repo: Path, phase: Phase, report: PhaseReport, journal: Journal) -> None:
    """The safety net over the files the phase changed and the importers of its modules;
    a problem that was there before the run is not the phase's (the journal keeps the
    bytes the run replaced)."""
    from phasemod import aftercheck

    changed = [p for p in report.applied if p not in report.deleted]

    def before() -> Mapping[str, bytes | None]:
        return _Replaced(journal, report.run_id)

    found: list = []
    results = aftercheck.check_phase(repo, phase, changed, before=before, found=found)
    if found:   # not the phase's, but said: the tree is not claimed to be whole
        shown = "; ".join(f"{path}:{p.line}: {p.message}" for path, p in found[:3])
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        report.notes.append(f"{count(len(found), 'problem')} the phase found and left as they were (there "
                            f"before the run, not the phase's): {shown}{more}")
    aftercheck.record(repo, results)
    report.after = [Finding(FindingKind.UNSAFE, path, p.line, p.message)
                    for path in sorted(results) for p in results[path]]


class _Replaced(Mapping[str, "bytes | None"]):
    """path -> the bytes a run replaced (its first change of the file; None: it created
    the file), read from the journal when asked: a phase of 10,000 files would otherwise
    hold them all at once."""

    def __init__(self, journal: Journal, run_id: int | None) -> None:
        self._journal = journal
        self._first: dict[str, int] = {}
        for f in journal.files([run_id]) if run_id is not None else ():
            self._first.setdefault(f.path, f.id)

    def __getitem__(self, path: str) -> bytes | None:
        return self._journal.content_before(self._first[path])

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)


# A file or deletion with one of these findings did not go through.
_NOT_THROUGH = (FindingKind.REFUSED, FindingKind.DROPPED, FindingKind.CONFLICT, FindingKind.UNPARSEABLE,
                FindingKind.UNSAFE)


def partial_reasons(report: PhaseReport, allow_unparseable: bool = False) -> list[str]:
    """Why the phase is not wholly applied: every selected file and every deletion must
    have gone through (SPEC "Safety net"); empty when it is ``applied``."""
    reasons = [f.render() for f in report.findings if f.kind in _NOT_THROUGH
               and not (allow_unparseable and f.kind is FindingKind.UNPARSEABLE)]
    if report.quit:
        reasons.append("the review was stopped before the end of the phase")
    if report.left_out:
        reasons.append(f"{count(report.left_out, 'hunk')} left out by the review filter (a later run -i asks them)")
    if report.undecided:
        reasons.append(f"{count(report.undecided, 'hunk')} left undecided (a later run -i asks them)")
    return reasons


class _Settler:
    """The one-by-one session's journal and writes (session.Settler)."""

    def __init__(self, repo: Path, report: PhaseReport, journal: Journal, decide: Decide,
                 state: review.ReviewState, previous: dict[str, str]) -> None:
        self.repo, self.report, self.journal, self.decide = repo, report, journal, decide
        self.state, self.previous = state, previous
        self.added: dict[int, list[Finding]] = {}   # id(entry) -> findings its settling added

    def record(self, item: "session.Item") -> None:
        applier.record_decision(self.journal, self.report.run_id, item.hunk.path, item.decided())

    def withdraw(self, item: "session.Item") -> None:
        h = item.hunk
        if h.key in self.previous:   # decided by an earlier run: a pending row makes a resume ask it
            self.journal.record_hunk(self.report.run_id, h.path, h.key, h.index, ",".join(h.recipes),
                                     "".join(h.before), "".join(h.after), "pending")
        else:
            self.journal.withdraw_hunk(self.report.run_id, h.key)

    def settle(self, entry: "session.Entry") -> list[review.Decided] | None:
        outcome, decided = entry.outcome, [i.decided() for i in entry.items]
        before = len(self.report.findings)
        try:
            if outcome.path.endswith((".py", ".pyi")) and \
                    not all(d.verdict is review.Verdict.ACCEPTED for d in decided):
                guarded = _safety_net(self.repo, outcome, self.report, self.journal, decided, self.decide,
                                      self.state, None)
                if guarded is None:
                    return None
                outcome, decided = guarded
            applier.apply_file(self.repo, outcome, decided, self.report, self.journal)
            return decided
        finally:
            self.added[id(entry)] = self.report.findings[before:]

    def reopen(self, entry: "session.Entry") -> str:
        path = entry.outcome.path
        if path in self.report.applied:
            problem = applier.restore_file(self.repo, self.journal, self.report.run_id, path)
            if problem:
                return problem
            self.report.applied.remove(path)
        for finding in self.added.pop(id(entry), []):
            if finding in self.report.findings:
                self.report.findings.remove(finding)
        return ""

    def stopped(self) -> bool:
        return self.state.quit


def _decide_and_apply(repo: Path, outcome: FileOutcome, report: PhaseReport, journal: Journal,
                      interactive: bool, decide: Decide | None, previous: dict[str, str],
                      state: review.ReviewState, planned: "grouped.GroupedPlan | None") -> None:
    """One file: its hunks' decisions (the grouped plan's, or the one-by-one reviewer's),
    recorded, then applied."""
    decided: list[review.Decided] = []
    if planned is not None:
        for hunk in outcome.hunks:
            entry = planned.decisions.get(hunk.key)
            if entry is None:
                return   # left undecided by a stopped grouped review: the file stays as it is
            d = review.Decided(hunk.key, entry.hunk, review.Verdict(entry.choice))
            if not entry.recorded:
                applier.record_decision(journal, report.run_id, outcome.path, d, cluster=entry.cluster)
            decided.append(d)
    else:
        text = applier.outcome_source(outcome).text
        for d in review.one_by_one(report.phase, outcome.hunks, text, interactive, decide, previous, state):
            if interactive:   # recorded at once, so that `q`, Ctrl-C or a kill loses no decision
                applier.record_decision(journal, report.run_id, outcome.path, d)
            decided.append(d)
        if state.quit:
            return
        if not interactive:   # a batch run records a file's hunks in one transaction
            applier.record_decisions(journal, report.run_id, outcome.path, decided)
    if outcome.path.endswith((".py", ".pyi")) and not all(d.verdict is review.Verdict.ACCEPTED for d in decided):
        guarded = _safety_net(repo, outcome, report, journal, decided, decide, state, planned)
        if guarded is None:
            return
        outcome, decided = guarded
    applier.apply_file(repo, outcome, decided, report, journal)


def _safety_net(repo: Path, outcome: FileOutcome, report: PhaseReport, journal: Journal,
                decided: list[review.Decided], decide: Decide | None, state: review.ReviewState,
                planned: "grouped.GroupedPlan | None") -> tuple[FileOutcome, list[review.Decided]] | None:
    """A partly accepted (or edited) file is written only once it breaks no name or import
    (SPEC "Safety net"): else the reviewer is asked to take the hunks the choice depends
    on, drop the ones that need them, or edit the file. None: leave the file as it is."""
    from phasemod.modules import module_of

    phase = report.phase
    if state.index is None:
        state.index = namecheck.ModuleIndex(repo, None, phase.source_roots)
    old = applier.outcome_source(outcome).text
    hunks = list(outcome.hunks)
    accepted = {d.hunk.index: d.hunk for d in decided if d.verdict in (review.Verdict.ACCEPTED, review.Verdict.EDITED)}
    module, is_package = module_of(str(repo), outcome.path, phase.source_roots)
    check = safetynet.checker(outcome.path, old, module, is_package, state.index)
    ask = getattr(decide, "resolve", None)
    question = safetynet.question(outcome.path, old, hunks, accepted, check)
    while question is not None:
        if state.resolve_all:   # T or D earlier: the same answer, said, not asked
            answer, edited = ("take" if state.resolve_all == "take" and question.take is not None else "drop"), None
            report.notes.append(f"{outcome.path}: {question.problems[0].message}; {answer} "
                                f"{', '.join(map(str, question.take if answer == 'take' else question.drop))} too")
        else:
            answer, edited = ask(question) if ask is not None and not state.quit else ("leave", None)
        if answer in ("take-all", "drop-all"):
            state.resolve_all = answer[:4]
            answer = answer[:4]
        if answer in ("take", "drop") and (answer == "drop" or question.take is not None):
            now = safetynet.resolve(answer, hunks, accepted, question)
            changed = []
            for d in decided:
                if (d.hunk.index in now) != (d.hunk.index in accepted):
                    verdict = review.Verdict.ACCEPTED if d.hunk.index in now else review.Verdict.REJECTED
                    d = review.Decided(d.key, d.hunk, verdict)
                    entry = planned.decisions.get(d.key) if planned is not None else None
                    applier.record_decision(journal, report.run_id, outcome.path, d,
                                            cluster=entry.cluster if entry is not None and entry.cluster else "")
                changed.append(d)
            return outcome, changed
        if answer == "edit" and edited is not None:
            problems = check(edited)
            if not problems:
                # The edited file as one hunk over the whole text (checked above).
                whole = hunklib.make_hunks(outcome.path, old, edited, tuple(dict.fromkeys(
                    r for h in hunks for r in h.recipes)))
                return dataclasses.replace(outcome, hunks=whole), \
                    [review.Decided(h.key, h, review.Verdict.ACCEPTED) for h in whole]
            question = safetynet.SafetyQuestion(question.path, tuple(problems), question.take, question.drop, edited)
            continue
        if answer == "quit":
            state.quit = True
        report.findings += [Finding(FindingKind.UNSAFE, outcome.path, p.line, f"{p.message}; the accepted hunks "
                                    "were not written (run the phase again to decide)") for p in question.problems]
        return None
    return outcome, decided


def _complete(report: PhaseReport, options: RunOptions) -> bool:
    """Every selected file and deletion went through (else the record says partial); a
    needs-review item stays a remaining reference, the file itself went through."""
    through = {FindingKind.NEEDS_REVIEW}
    return not (report.quit or report.interrupted or report.blocked_by or report.left_out or report.undecided or
                [f for f in report.problems(options.allow_unparseable) if f.kind not in through])


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
    from phasemod import aftercheck

    with RepoLock(repo, options.command) as lock, Journal.open(repo) as journal, aftercheck.watching(phases):
        for text in _settle(lock, journal):
            if on_warning:
                on_warning(text)
        from phasemod.status import ensure_baseline

        # The baseline's parse also gives the import check after each phase its facts.
        ensure_baseline(repo, phases, options.shard, options.jobs, aftercheck.remember)
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
    _prune_after(repo, phases, reports)
    return reports


def _prune_after(repo: Path, phases: Sequence[Phase], reports: list[PhaseReport]) -> None:
    """Keep only the safety-net findings that still hold once every chosen phase ran (a
    later phase may migrate the importer an earlier one left broken)."""
    if not any(r.after for r in reports):
        return
    from phasemod import aftercheck

    still = {(f.path, f.line, f.message) for f in aftercheck.findings(repo, phases)}
    for report in reports:
        report.after = [f for f in report.after if (f.path, f.line, f.message) in still]


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
        if report.refused or report.validation_failed or report.blocked_by or report.problems(allow_unparseable) \
                or report.after:
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
                           f"({count(len(result.done), 'file')} restored)\n")
        return result


def journal_log(repo: Path, phase: int | None) -> dict:
    """The journal as JSON-able data (docs/journal.md); an empty log when nothing ran."""
    from phasemod import state
    from phasemod.journal import SCHEMA_VERSION

    if state.journal_path(repo, create=False) is None:
        return {"schema": SCHEMA_VERSION, "journal": None, "runs": [], "rollbacks": []}
    with Journal.open(repo, create=False) as journal:
        return journal.log(phase)
