"""Between the commands and the migration record: what `run`, `validate` and `rollback`
append to it, and gating and `status` read from it together with the tree.

A required phase is satisfied when the record says it is validated (or applied, for a
phase without validation commands), its manifest is the one it was validated with, and
the tree agrees: its files hold no more references than the record says were left.
Without a record entry (a journal from before the record existed) the local journal's
state is used instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from phasemod import record, vcs
from phasemod.manifest import Phase
from phasemod.record import Entry, PhaseRecord, enabled, manifests_of  # noqa: F401 (re-exported)
from phasemod.validation import ValidationResult


def _shown(repo: Path, path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(repo).resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def paths_to_commit(repo: Path, phase: Phase) -> list[str]:
    """The record files a `--commit` of this phase includes, repo-relative."""
    if not enabled(repo, phase):
        return []
    root = Path(repo).resolve()
    return [p.resolve().relative_to(root).as_posix()
            for p in record.paths_to_commit(manifests_of(phase), [phase.number])]


def _shard_text(shard: tuple[int, int] | None) -> str | None:
    return None if shard is None else f"{shard[0]}/{shard[1]}"


def _entry(repo: Path, phase: Phase, event: str, shard: tuple[int, int] | None, **fields) -> Entry:
    return Entry(phase.number, phase.name, event, record.now(), record.manifest_hash(phase.path),
                 vcs.head_commit(repo), _shard_text(shard), **fields)


def _count(repo: Path, phase: Phase, shard: tuple[int, int] | None, phases: Sequence[Phase] = ()):
    """The phase's status, scanned with the targets of all ``phases`` so that it shares
    `status`'s scan cache (a file already scanned and unchanged is not parsed again)."""
    from phasemod.status import phase_status

    return phase_status(repo, phases or [phase], shard, only=[phase.number])[0]


def validations_json(results: Sequence[ValidationResult]) -> tuple[dict, ...]:
    return tuple({"command": v.command, "exit": v.exit_code, "duration": round(v.duration, 3),
                  "severity": v.severity, "timed_out": bool(v.timed_out)} for v in results)


def _validation_event(results: Sequence[ValidationResult]) -> str:
    return "validation-failed" if any(not v.ok and v.severity == "critical" for v in results) else "validated"


# ---------------------------------------------------------------------------- writing

def pending_baseline(repo: Path, phase: Phase, shard: tuple[int, int] | None,
                     phases: Sequence[Phase] = ()) -> Entry | None:
    """Before a phase's first run (per shard): what there is to migrate, to be recorded
    with the run's first event (a run that changes and records nothing leaves no line)."""
    if record.has_baseline(manifests_of(phase), phase.number, shard):
        return None
    counted = _count(repo, phase, shard, phases)
    return _entry(repo, phase, "baseline", shard, baseline=counted.by_kind)


def after_run(repo: Path, phase: Phase, shard: tuple[int, int] | None, applied: int, complete: bool,
              validations: Sequence[ValidationResult], rolled_back: bool,
              baseline: Entry | None = None, phases: Sequence[Phase] = ()) -> Path | None:
    """Record a run that wrote files, or that found the phase done in a tree the record
    does not yet call applied (a fresh clone, a hand migration). A run that changed
    nothing and could not finish records nothing. Returns the record file, if written."""
    manifests = manifests_of(phase)
    current = record.phase_record(manifests, phase.number)[0]
    remaining = _count(repo, phase, shard, phases).remaining
    digest = record.manifest_hash(phase.path)
    already = current.state in ("applied", "validated") and current.manifest == digest \
        and (current.remaining is None or remaining <= current.remaining)
    events: list[Entry] = []
    if applied or (complete and not already):
        events.append(_entry(repo, phase, "applied" if complete else "partial", shard, files=applied,
                             remaining=remaining))
    if validations:
        events.append(_entry(repo, phase, _validation_event(validations), shard, remaining=remaining,
                             validations=validations_json(validations)))
    if rolled_back:   # the failed validation stays on record, followed by the rollback
        events.append(_entry(repo, phase, "rolled-back", shard, remaining=remaining))
    if events and baseline is not None:
        events.insert(0, baseline)
    path = None
    for event in events:
        path = record.append(manifests, event)
    return path


def after_validate(repo: Path, phase: Phase, results: Sequence[ValidationResult],
                   phases: Sequence[Phase] = ()) -> Path:
    remaining = _count(repo, phase, None, phases).remaining
    return record.append(manifests_of(phase), _entry(repo, phase, _validation_event(results), None,
                                                     remaining=remaining, validations=validations_json(results)))


def after_rollback(repo: Path, phase: Phase, phases: Sequence[Phase] = ()) -> Path:
    remaining = _count(repo, phase, None, phases).remaining
    return record.append(manifests_of(phase), _entry(repo, phase, "rolled-back", None, remaining=remaining))


def needs_validation(phase: Phase) -> bool:
    """A run that changed nothing still validates a phase the record does not call
    validated with this manifest (a fresh clone of a hand-migrated tree)."""
    current = record.phase_record(manifests_of(phase), phase.number)[0]
    return not (current.state == "validated" and current.manifest == record.manifest_hash(phase.path))


def known_to_record(phase: Phase) -> bool:
    current = record.phase_record(manifests_of(phase), phase.number)[0]
    return bool(current.state)


# ---------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class Standing:
    """A phase as gating and `status` see it: the record's (or journal's) state, and
    what disagrees with it, with what to run."""

    phase: Phase
    state: str                  # applied | partial | validated | validation-failed | rolled-back | not-run | ...
    recorded: PhaseRecord
    source: str                 # "record" | "journal" | ""
    stale: str = ""             # why the record no longer describes the manifest
    disagrees: str = ""         # why the tree does not match what the record says
    remaining: int | None = None

    def satisfied(self, unvalidated_ok: bool = False) -> bool:
        if self.stale or self.disagrees:
            return False
        return self.state == "validated" or (self.state == "applied" and (not self.phase.validate or unvalidated_ok))

    def advice(self) -> str:
        n = self.phase.number
        if self.stale:
            return f"{self.stale}; run `phasemod run {n} --yes` (it validates the phase again)"
        if self.disagrees:
            return self.disagrees
        if self.state == "applied":
            return f"its validation has not run; run `phasemod validate {n}`"
        if self.state == "validation-failed":
            return f"fix what its validation reports, then run `phasemod validate {n}`"
        if self.state == "partial":
            detail = f" ({self.recorded.shards})" if self.recorded.shards else ""
            return f"not every file went through{detail}; run `phasemod run {n} --yes` to finish it"
        return f"run it first: `phasemod run {n} --yes`"


def standing(repo: Path, phase: Phase, journal_state: str | None, shard: tuple[int, int] | None = None,
             check_tree: bool = True, counted=None, phases: Sequence[Phase] = ()) -> Standing:
    recorded = record.phase_record(manifests_of(phase), phase.number)[0] if enabled(repo, phase) \
        else PhaseRecord(phase.number)
    if not recorded.state:
        return Standing(phase, journal_state or "not-run", recorded, "journal" if journal_state else "")
    stale = ""
    if recorded.manifest != record.manifest_hash(phase.path):
        stale = (f"{_shown(repo, phase.path)} changed since the record's last {recorded.state} entry "
                 f"({recorded.at}{', commit ' + recorded.commit[:10] if recorded.commit else ''})")
    disagrees, remaining = "", None
    if check_tree and recorded.state in ("applied", "validated") and recorded.remaining is not None:
        counted = counted or _count(repo, phase, shard, phases)
        remaining = counted.remaining
        allowed = recorded.remaining if shard is None else None
        if allowed is not None and remaining > allowed:
            first = counted.references[0]
            disagrees = (f"the record says {recorded.state} with {allowed} references left, but its files hold "
                         f"{remaining} (first: {first.path}:{first.line}); a commit was reverted or files were "
                         f"edited by hand: run `phasemod run {phase.number} --yes` to migrate them again")
    return Standing(phase, recorded.state, recorded, "record", stale, disagrees, remaining)


def requirement_problems(repo: Path, phase: Phase, phases: Sequence[Phase], journal, unvalidated_ok: bool,
                         shard: tuple[int, int] | None = None) -> list[str]:
    by_number = {p.number: p for p in phases}
    problems = []
    for number in phase.requires:
        required = by_number.get(number)
        journal_state = journal.phase_state(number) if journal is not None else None
        if required is None:
            problems.append(f"phase {number} is {journal_state or 'not-run'}")
            continue
        got = standing(repo, required, journal_state if journal_state != "not-run" else None, None, phases=phases)
        if not got.satisfied(unvalidated_ok):
            label = "is stale" if got.stale else "does not match its record" if got.disagrees else f"is {got.state}"
            problems.append(f"phase {number} ({required.name}) {label}: {got.advice()}")
    return problems


def journal_states(repo: Path, phases: Sequence[Phase]) -> dict[int, str]:
    """The local journal's state of each phase (empty without a journal)."""
    from phasemod import state
    from phasemod.journal import Journal

    if state.journal_path(repo, create=False) is None:
        return {}
    with Journal.open(repo, create=False) as journal:
        return {p.number: journal.phase_state(p.number) for p in phases}


def status_json(repo: Path, phases: Sequence[Phase], journal_states: dict[int, str],
                counted: Sequence | None = None) -> dict[int, dict]:
    """Per phase, what `status` shows of the record (``counted``: the status just taken,
    so the tree is not scanned again)."""
    by_number = {s.phase.number: s for s in counted or ()}
    out = {}
    for phase in phases:
        got = standing(repo, phase, journal_states.get(phase.number), counted=by_number.get(phase.number),
                       phases=phases)
        r = got.recorded
        out[phase.number] = {"name": phase.name, "state": got.state, "source": got.source or None,
                             "at": r.at or None, "commit": r.commit, "shards": r.shards or None,
                             "stale": got.stale or None, "disagrees": got.disagrees or None,
                             "validations": list(r.validations)}
    return out


def status_lines(records: dict[int, dict]) -> list[str]:
    """One paragraph per phase for `status`: its recorded state, and what disagrees."""
    lines = []
    for number, r in sorted(records.items()):
        if r["state"] in ("", "not-run"):
            continue
        where = "record" if r["source"] == "record" else "local journal only"
        text = f"phase {number} {r['name']}: {r['state']} ({where}"
        if r["at"]:
            text += f", {r['at']}"
        if r["commit"]:
            text += f", on commit {r['commit'][:10]}"
        text += ")"
        if r["shards"]:
            text += f"; {r['shards']}"
        for v in r["validations"]:
            code = "timed out" if v["timed_out"] else f"exit {v['exit']}"
            where = f" (shard {v['shard']})" if v.get("shard") else ""
            text += f"\n  validation{where}: {v['command']}: {code} in {v['duration']:.1f}s ({v['severity']})"
        if r["stale"]:
            text += f"\n  stale: {r['stale']}; run `phasemod run {number} --yes`"
        if r["disagrees"]:
            text += f"\n  disagrees: {r['disagrees']}"
        lines.append(text)
    return lines
