"""What remains to migrate, per phase and kind: the data behind plan, status, check and report.

Read-only over the tree (a scan cache and the percent baseline live in .phasemod/).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from phasemod import engine, scan
from phasemod.manifest import Phase
from phasemod.model import Kind, Reference
from phasemod.select import walk

KINDS = tuple(k.value for k in Kind)
SCHEMA_VERSION = 1


@dataclass
class PhaseStatus:
    phase: Phase
    files: int = 0
    references: list[Reference] = field(default_factory=list)
    unparseable: list[tuple[str, int, str]] = field(default_factory=list)
    imports_both: list[str] = field(default_factory=list)
    needs_review: list[Reference] = field(default_factory=list)
    baseline: int | None = None
    never_selected: list[str] = field(default_factory=list)   # matched, but phasemod's own manifests
    state: str = "not-run"                      # the journal's phase state (partial, applied, ...)
    problems: list[str] = field(default_factory=list)   # why it is partial

    @property
    def by_kind(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for ref in self.references:
            counts[ref.kind.value] += 1
        return counts

    @property
    def remaining(self) -> int:
        return len(self.references)

    @property
    def percent(self) -> float | None:
        return percent_migrated(self.baseline, self.remaining)

    def as_json(self) -> dict:
        return {
            "phase": self.phase.number, "name": self.phase.name, "files": self.files,
            "remaining": self.remaining, "by_kind": self.by_kind, "baseline": self.baseline,
            "percent_migrated": self.percent,
            "references": [{"path": r.path, "line": r.line, "kind": r.kind.value, "old": r.old, "text": r.text}
                           for r in self.references],
            "unparseable": [{"path": p, "line": line, "error": e} for p, line, e in self.unparseable],
            "imports_both": self.imports_both,
            "needs_review": [{"path": r.path, "line": r.line, "text": r.text, "reason": r.note}
                             for r in self.needs_review],
            "state": self.state, "problems": self.problems, "never_selected": self.never_selected,
        }


def phase_status(repo: Path, phases: Sequence[Phase], shard: tuple[int, int] | None = None,
                 jobs: int | None = None, record_baseline: bool = True,
                 only: Sequence[int] | None = None, facts=None) -> list[PhaseStatus]:
    """Per phase, what remains; ``only``: just these phase numbers, counted with the
    same targets (and so the same scan cache) as a status of all ``phases``; ``facts``:
    see `scan.scan_files`."""
    all_files, problems = walk(repo)
    out = []
    targets_all = scan.targets_of(phases)
    roots = scan.source_roots_of(phases)
    baselines = _load_baselines(repo)
    states = phase_states(repo, phases)
    new_baseline = False
    for phase in phases:
        if only is not None and phase.number not in only:
            continue
        selection = engine.select_phase(repo, phase, all_files, shard, plan=False)
        items = [(path, scan.phase_targets(phase, path)) for path in selection.files]
        cache = _cache(repo, targets_all, roots, f"phase {phase.number}")
        results = scan.scan_files(repo, items, phase.source_roots, cache, engine.default_jobs() if jobs is None
                                  else jobs, facts)
        status = PhaseStatus(phase, len(selection.files), never_selected=list(selection.never_selected))
        for result in results:
            status.references += result.references
            if result.error:
                status.unparseable.append((result.path, result.error_line, result.error))
            if result.imports_both:
                status.imports_both.append(result.path)
            status.needs_review += [r for r in result.references if r.kind is Kind.IMPORT and r.note]
        # Walk problems: a special file the phase selects, or a directory that could hold some.
        status.unparseable += [(path, 0, reason) for path, reason in problems
                               if path not in all_files and (reason.startswith("cannot be listed")
                                                             or engine.select_phase(repo, phase, [path]).files)]
        key = _baseline_key(phase, shard)
        if record_baseline and key not in baselines:
            # One baseline: the count the first command to read the tree found; never overwritten.
            baselines[key] = status.remaining
            new_baseline = True
        status.baseline = baselines.get(key)
        recorded = _recorded_baseline(repo, phase, shard)
        if recorded is not None:   # the committed record's baseline is the team's one
            status.baseline = recorded
        status.state, status.problems = states.get(phase.number, ("not-run", []))
        out.append(status)
    if new_baseline:
        _save_baselines(repo, baselines)
    return out


def keep_only(report: Sequence[PhaseStatus], only) -> None:
    """`plan --filter-kind/--filter-path`: keep the references (and needs-review items)
    the filter lets through (phasemod/hunkfilter.py ``HunkFilter``)."""
    for status in report:
        status.references = [r for r in status.references if only.reference_ok(r)]
        status.needs_review = [r for r in status.needs_review if only.reference_ok(r)]
        status.imports_both = [p for p in status.imports_both if only.path_ok(p)]


def ensure_baseline(repo: Path, phases: Sequence[Phase], shard: tuple[int, int] | None = None,
                    jobs: int | None = None, facts=None) -> None:
    """Record the baseline of every phase not recorded yet, before a run changes the tree
    (``facts``: see `scan.scan_files`)."""
    from phasemod.errors import SelectionError

    baselines = _load_baselines(repo)
    missing = [phase.number for phase in phases if _baseline_key(phase, shard) not in baselines]
    if not missing:
        return
    # Counted with the targets of all phases, as `status` and the migration record count
    # them: the same scan cache then answers both without parsing a file again.
    try:
        phase_status(repo, phases, shard, jobs, only=missing, facts=facts)
    except SelectionError:
        for number in missing:
            try:
                phase_status(repo, phases, shard, jobs, only=[number], facts=facts)
            except SelectionError:
                continue    # its own run, plan or status reports the glob


def learner(repo: Path, phases: Sequence[Phase], phase: Phase):
    """``learn(path, digest, result)``: keep a scan of one of ``phase``'s files that the
    engine made from its own parse, for the counts taken after the run (same cache as
    `phase_status` of ``phases``)."""
    key = scan.cache_key(scan.targets_of(phases), scan.source_roots_of(phases) + (f"<phase {phase.number}>",))

    def learn(path: str, digest: str, result: scan.FileScan) -> None:
        scan.learn(repo, key, path, digest, result)

    return learn



def phase_states(repo: Path, phases: Sequence[Phase]) -> dict[int, tuple[str, list[str]]]:
    """Each phase's journal state and, when partial, why (read only; no journal: none)."""
    from phasemod import state as state_files
    from phasemod.journal import Journal

    path = state_files.journal_path(repo, create=False)
    if path is None or not path.is_file():
        return {}
    out = {}
    with Journal.open(repo, create=False) as journal:
        for phase in phases:
            state = journal.phase_state(phase.number)
            problems: list[str] = []
            if state == "partial":
                runs = [r for r in journal.runs(phase.number) if r.outcome != "dry-run"]
                problems = journal.run_problems(runs[-1].id)
            out[phase.number] = (state, problems)
    return out


def _cache(repo: Path, targets: Sequence[scan.Target], roots: tuple[str, ...], purpose: str) -> scan.ScanCache:
    """A scan cache of its own for each purpose: entries are keyed by path alone, and a
    phase (or check) may look for a different set of targets in the same file."""
    return scan.ScanCache.load(repo, targets, roots + (f"<{purpose}>",))


def percent_migrated(baseline: int | None, remaining: int) -> float | None:
    """The one percent formula of status, status --json and the report (None: no baseline)."""
    if baseline is None:
        return None
    if not baseline:
        return 100.0 if not remaining else 0.0
    return round(100.0 * max(0, baseline - remaining) / baseline, 1)


def overall(report: Sequence[PhaseStatus]) -> tuple[int | None, int, float | None]:
    """(baseline, remaining, percent) over all phases."""
    remaining = sum(s.remaining for s in report)
    baseline = sum(s.baseline or 0 for s in report) if all(s.baseline is not None for s in report) else None
    return baseline, remaining, percent_migrated(baseline, remaining)


def safety_findings(repo: Path, phases: Sequence[Phase]) -> list:
    """The import safety net's findings that still hold (phasemod/aftercheck.py)."""
    from phasemod.aftercheck import findings

    return findings(repo, phases)


def summary_json(report: Sequence[PhaseStatus], safety: Sequence = ()) -> dict:
    """The document ``status --json`` prints (schema: docs/status.md)."""
    by_kind = dict.fromkeys(KINDS, 0)
    for s in report:
        for kind, count in s.by_kind.items():
            by_kind[kind] += count
    baseline, remaining, percent = overall(report)
    return {"schema": SCHEMA_VERSION, "remaining": remaining, "by_kind": by_kind, "baseline": baseline,
            "percent_migrated": percent,
            "unparseable": sum(len(s.unparseable) for s in report),
            "needs_review": sum(len(s.needs_review) for s in report),
            "imports_both": sum(len(s.imports_both) for s in report),
            "breaks_imports": [{"path": f.path, "line": f.line, "message": f.message} for f in safety],
            "phases": [s.as_json() for s in report]}


def check(repo: Path, phases: Sequence[Phase], paths: Sequence[str] = (), manifests: Path | None = None,
          jobs: int | None = None) -> list[Reference]:
    """``check``: every remaining reference to any old symbol or module of the manifests,
    in ``paths`` (files, directories or globs) if given. The manifests themselves, which
    name the old symbols by design, are not searched."""
    from phasemod.select import check_glob, select

    all_files, problems = walk(repo)
    if paths:
        patterns = []
        for p in paths:
            p = _relative(repo, p)
            check_glob(p)
            patterns.append(p.rstrip("/") + "/" if (repo / p).is_dir() else p)
        all_files = select(all_files, patterns)
    if manifests is not None:
        inside = _relative(repo, str(manifests)).rstrip("/")
        all_files = [f for f in all_files if not (f == inside or f.startswith(inside + "/"))]
    targets = scan.targets_of(phases)
    roots = scan.source_roots_of(phases)
    items = [(p, scan.split_by_reader(p, targets)) for p in all_files]
    results = scan.scan_files(repo, items, roots, _cache(repo, targets, roots, "check"),
                              engine.default_jobs() if jobs is None else jobs)
    found = [r for result in results for r in result.references]
    # A file the parser cannot read may still hold references: its text matches count,
    # and when it has none the file is still named, so the gate never passes blind.
    found += [Reference(r.path, r.error_line, Kind.REFERENCE, "", f"unparseable: {r.error}")
              for r in results if r.error and not r.references]
    # Never pass blind: a directory not searched or a special file is named too.
    found += [Reference(path, 0, Kind.REFERENCE, "", f"unreadable: {reason}") for path, reason in problems
              if reason.startswith("cannot be listed") or (not paths or select([path], patterns))
              and scan.split_by_reader(path, targets)]
    return found


def _relative(repo: Path, path: str) -> str:
    """A PATH argument as given on the command line (absolute, or relative to the
    current directory or the repo) as a repo-relative POSIX path."""
    candidate = Path(path)
    if candidate.is_absolute() or (Path.cwd() / candidate).exists():
        try:
            return (Path.cwd() / candidate).resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:
            pass
    return candidate.as_posix().removeprefix("./")


def _recorded_baseline(repo: Path, phase: Phase, shard: tuple[int, int] | None) -> int | None:
    from phasemod import record

    if not record.enabled(repo, phase):
        return None
    return record.baseline_for(record.manifests_of(phase), phase.number, shard)


def _baseline_key(phase: Phase, shard: tuple[int, int] | None) -> str:
    return f"{phase.number}:{phase.name}" + (f":{shard[0]}/{shard[1]}" if shard else "")


def _load_baselines(repo: Path) -> dict[str, int]:
    from phasemod import state

    try:
        data = json.loads(state.read_file(repo, state.BASELINE_NAME, 1 << 24) or b"{}")
        return {str(k): v for k, v in data.items() if type(v) is int and v >= 0}
    except (ValueError, AttributeError):
        return {}


def _save_baselines(repo: Path, baselines: dict[str, int]) -> None:
    from phasemod import state

    state.write_file(repo, state.BASELINE_NAME, json.dumps(baselines, indent=1, sort_keys=True).encode(),
                     create=True)
