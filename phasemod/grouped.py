"""Grouped review: cluster a phase's hunks, ask once per cluster, and turn each cluster
decision into recorded per-hunk decisions that phases.run_phase then applies.

Never prompts, prints or writes files: the decisions come from callbacks, the writes from
phases.run_phase (the same journaled path as one-by-one review).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from phasemod import clusters as clusterlib
from phasemod import engine, hunks as hunklib, textio
from phasemod.clusters import Cluster
from phasemod.manifest import Phase
from phasemod.model import FileOutcome, Hunk, Status

if TYPE_CHECKING:
    from phasemod.journal import Journal
    from phasemod.phases import Decide, PhaseReport, RunOptions

__all__ = ["GROUP_THRESHOLD", "ClusterChoice", "ClusterPrompt", "DecideCluster", "Planned", "GroupedPlan",
           "order", "review", "phase_clusters", "PhaseClusters"]

# More proposed hunks than this and `run -i` reviews by cluster unless told otherwise:
# below it, stepping through each hunk is quick and clusters would mostly be singletons.
GROUP_THRESHOLD = 50


class ClusterChoice(str, enum.Enum):
    ACCEPT = "y"    # every hunk of the cluster
    REJECT = "n"    # every hunk of the cluster
    SPLIT = "s"     # step through its hunks one by one
    QUIT = "q"      # stop; what was decided stays recorded


@dataclass(frozen=True)
class ClusterPrompt:
    """One cluster put to the reviewer. ``hunks`` are the ones still to decide (a resumed
    review leaves out those decided before); ``cluster.hunks`` are all of them."""

    phase: Phase
    cluster: Cluster
    hunks: tuple[Hunk, ...]
    number: int             # 1-based among the clusters asked about in this review
    total: int
    hunks_left: int         # undecided hunks in the phase, this cluster's included


DecideCluster = Callable[[ClusterPrompt], ClusterChoice]


@dataclass(frozen=True)
class Planned:
    """A hunk's decision from grouped review; ``hunk`` carries the edited text if edited."""

    choice: str             # accepted | rejected | edited
    hunk: Hunk
    cluster: str
    recorded: bool          # already in the journal for this run (decided during this review)


@dataclass
class GroupedPlan:
    decisions: dict[str, Planned] = field(default_factory=dict)   # by Hunk.key
    clusters: list[Cluster] = field(default_factory=list)
    quit: bool = False
    interrupted: bool = False


def order(clusters: Sequence[Cluster], unusual_first: bool = False) -> list[Cluster]:
    """Largest first (the order of ``clusters.cluster``); unusual ones first if asked."""
    if not unusual_first:
        return list(clusters)
    return [c for c in clusters if c.unusual] + [c for c in clusters if not c.unusual]


def _peek(outcomes: Iterable[FileOutcome], dirty: set[str], threshold: int) -> tuple[list[FileOutcome], bool]:
    """Read outcomes until more than ``threshold`` reviewable hunks were seen (or the end);
    (what was read, whether there are more)."""
    seen: list[FileOutcome] = []
    hunks = 0
    it = iter(outcomes)
    for outcome in it:
        seen.append(outcome)
        if outcome.status is Status.CHANGED and outcome.path not in dirty:
            hunks += len(outcome.hunks)
            if hunks > threshold:
                return seen + list(it), True
    return seen, False


def review(report: "PhaseReport", journal: "Journal", options: "RunOptions", outcomes: Iterable[FileOutcome],
           previous: dict[str, str], dirty: set[str], decide: "Decide",
           decide_cluster: DecideCluster) -> tuple[Iterator[FileOutcome], GroupedPlan | None]:
    """Collect the phase's outcomes and, when grouping applies, review them by cluster.
    Returns the outcomes to apply and the plan (None: review one by one instead).
    Every decision is recorded in the journal as soon as it is made."""
    if options.grouping == "one-by-one":
        return iter(outcomes), None
    if options.grouping == "grouped":
        collected, big = list(outcomes), True
    else:
        collected, big = _peek(outcomes, dirty, GROUP_THRESHOLD)
    if not big:
        return iter(collected), None
    reviewable = [o for o in collected if o.status is Status.CHANGED and o.path not in dirty]
    plan = GroupedPlan(clusters=clusterlib.cluster(h for o in reviewable for h in o.hunks))
    _Review(report, journal, plan, previous, reviewable, decide, decide_cluster).run(options.unusual_first)
    return iter(collected), plan


class _Review:
    """The loop over clusters; decisions go to ``plan`` and to the journal at once."""

    def __init__(self, report: "PhaseReport", journal: "Journal", plan: GroupedPlan, previous: dict[str, str],
                 outcomes: Sequence[FileOutcome], decide: "Decide", decide_cluster: DecideCluster) -> None:
        self.report, self.journal, self.plan = report, journal, plan
        self.previous = previous
        self.decide, self.decide_cluster = decide, decide_cluster
        self.by_path = {o.path: o for o in outcomes}
        self.accept_all = False

    def run(self, unusual_first: bool) -> None:
        todo: list[tuple[Cluster, tuple[Hunk, ...]]] = []
        for c in order(self.plan.clusters, unusual_first):
            left = []
            for h in c.hunks:
                choice = self.previous.get(h.key)
                if choice in ("accepted", "rejected"):
                    # Decided in an earlier run: not asked again, recorded again for this run.
                    self.plan.decisions[h.key] = Planned(choice, h, c.id, recorded=False)
                else:
                    left.append(h)
            if left:
                todo.append((c, tuple(left)))
        hunks_left = sum(len(left) for _, left in todo)
        try:
            for number, (c, left) in enumerate(todo, 1):
                if self.accept_all:
                    choice = ClusterChoice.ACCEPT
                else:
                    choice = self.decide_cluster(ClusterPrompt(self.report.phase, c, left, number, len(todo),
                                                               hunks_left))
                if choice is ClusterChoice.QUIT:
                    self.plan.quit = True
                    return
                if choice is ClusterChoice.SPLIT:
                    self._split(c, left)
                    if self.plan.quit:
                        return
                else:
                    decision = "accepted" if choice is ClusterChoice.ACCEPT else "rejected"
                    for h in left:
                        self._record(h, decision, c)
                hunks_left -= len(left)
        except KeyboardInterrupt:
            # Ctrl-C at a prompt: a `q` that also ends the command with 130.
            self.plan.quit = self.plan.interrupted = True

    def _record(self, hunk: Hunk, choice: str, c: Cluster, decided: Hunk | None = None) -> None:
        shown = decided or hunk
        self.journal.record_hunk(self.report.run_id, hunk.path, hunk.key, hunk.index, ",".join(hunk.recipes),
                                 "".join(hunk.before), "".join(shown.after), choice, cluster=c.id)
        self.plan.decisions[hunk.key] = Planned(choice, shown, c.id, recorded=True)

    def _split(self, c: Cluster, left: tuple[Hunk, ...]) -> None:
        from phasemod.phases import Decision, Prompt

        file_choice: dict[str, str] = {}
        paths = sorted({h.path for h in left})
        for number, hunk in enumerate(left, 1):
            if self.accept_all:
                self._record(hunk, "accepted", c)
                continue
            if hunk.path in file_choice:
                self._record(hunk, file_choice[hunk.path], c)
                continue
            prompt = Prompt(self.report.phase, hunk, number, len(left), paths.index(hunk.path) + 1, len(paths),
                            cluster=c.id)
            while True:
                decision, edited = self.decide(prompt)
                if decision is Decision.QUIT:
                    self.plan.quit = True
                    return
                if decision is Decision.EDIT:
                    if edited is None:
                        continue
                    candidate, problem = self._edited(hunk, edited)
                    if problem:
                        prompt = Prompt(prompt.phase, candidate, prompt.hunk_number, prompt.hunk_total,
                                        prompt.file_number, prompt.file_total,
                                        f"the edited hunk does not parse ({problem}); e edits it again, the "
                                        "other keys decide about the proposed hunk", cluster=c.id)
                        continue
                    self._record(hunk, "edited", c, candidate)
                    break
                accept = decision in (Decision.ACCEPT, Decision.ACCEPT_FILE, Decision.ACCEPT_ALL)
                self._record(hunk, "accepted" if accept else "rejected", c)
                if decision in (Decision.ACCEPT_FILE, Decision.REJECT_FILE):
                    # The rest of this file within this cluster: the other clusters of the
                    # file are different edits and are asked about on their own.
                    file_choice[hunk.path] = "accepted" if accept else "rejected"
                if decision is Decision.ACCEPT_ALL:
                    self.accept_all = True
                break

    def _edited(self, hunk: Hunk, edited: str) -> tuple[Hunk, str]:
        outcome = self.by_path[hunk.path]
        source = textio.decode_for(hunk.path, outcome.old_bytes)
        candidate = Hunk(hunk.path, hunk.index, hunk.start, hunk.before, tuple(hunklib.split_lines(edited)),
                         hunk.recipes, hunk.context_before, hunk.context_after, hunk.ordinal)
        trial = hunklib.rebuild(source.text, [candidate if h.index == hunk.index else h for h in outcome.hunks],
                                [hunk.index])
        problem = engine.check_rewrite(hunk.path, source.text, trial) if textio.is_python(hunk.path) else ""
        return candidate, problem


# ---------------------------------------------------------------------------- plan --clusters

@dataclass(frozen=True)
class PhaseClusters:
    """What `plan --clusters` shows for one phase: every proposed hunk, clustered."""

    phase: Phase
    hunks: int
    clusters: tuple[Cluster, ...]

    @property
    def decisions(self) -> int:
        """Review decisions a grouped review needs: one per cluster."""
        return len(self.clusters)


def phase_clusters(repo: Path, phase: Phase, shard: tuple[int, int] | None = None,
                   jobs: int | None = None) -> PhaseClusters:
    """Run the engine over the phase without writing anything and cluster its hunks."""
    selection = engine.select_phase(repo, phase, None, shard)
    hunks = [h for o in engine.run_selection(repo, selection, jobs) if o.status is Status.CHANGED for h in o.hunks]
    return PhaseClusters(phase, len(hunks), tuple(clusterlib.cluster(hunks)))
