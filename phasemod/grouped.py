"""Grouped review: cluster a phase's hunks, ask once per cluster, and turn each cluster
decision into recorded per-hunk decisions that phases.run_phase then applies.

Never prompts, prints or writes files: the decisions come from callbacks (through the
ask/edit loop of phasemod/review.py, shared with one-by-one review), the writes from the
applier (the same journaled path as one-by-one review).
"""
from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from phasemod import clusters as clusterlib
from phasemod import editmerge, editwords, engine, hunks as hunklib, textio
from phasemod.clusters import Cluster
from phasemod.manifest import Phase
from phasemod.model import FileOutcome, Hunk, Status
from phasemod.review import Decide, Decision, Prompt, Verdict, ask, edit_problem

if TYPE_CHECKING:
    from phasemod.hunkfilter import HunkFilter, HunkKinds
    from phasemod.journal import Journal

__all__ = ["GROUP_THRESHOLD", "ClusterChoice", "ClusterPrompt", "ClusterEdit", "DecideCluster", "Planned",
           "GroupedPlan", "Scope", "order", "review", "phase_clusters", "PhaseClusters"]

# More proposed hunks than this and `run -i` reviews by cluster unless told otherwise:
# below it, stepping through each hunk is quick and clusters would mostly be singletons.
GROUP_THRESHOLD = 50
# Hunks whose kinds are looked up to show a cluster's kinds (a cluster is one edit).
KIND_SAMPLE = 3
EDIT_REFUSED = ("the edited example {problem}; e edits it again, the other keys decide about the cluster as "
                "proposed")


class ClusterChoice(str, enum.Enum):
    ACCEPT = "y"    # every hunk of the cluster
    REJECT = "n"    # every hunk of the cluster
    SPLIT = "s"     # step through its hunks one by one
    QUIT = "q"      # stop; what was decided stays recorded
    ACCEPT_ALL = "A"   # this cluster and every remaining one
    EDIT = "e"      # edit the example; the same edit for every hunk where it applies cleanly
    BACK = "k"      # the previous cluster (its decision can be changed)
    UNDO = "u"      # take back the last cluster decision and ask it again
    GOTO = "g"      # cluster N (the answer carries N)


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
    decided: str = ""       # its decision so far in this review (a cluster gone back to), else ''
    note: str = ""          # what the last key did or why it could not (k, u, g)
    kinds: tuple[str, ...] = ()   # the reference kinds its hunks touch (phasemod/hunkfilter.py)
    error: str = ""         # why the last edit of the example was refused
    edited: Hunk | None = None    # that refused edit (`e` starts from it)

    @property
    def words(self) -> str:
        """The cluster's edit in words (phasemod/editwords.py)."""
        return editwords.describe(self.hunks[0])


@dataclass(frozen=True)
class ClusterEdit:
    """What `e` on a cluster did: the hunks that took the edit, and those left
    undecided (with why) for a later run."""

    cluster: Cluster
    applied: tuple[Hunk, ...]
    left: tuple[tuple[Hunk, str], ...]


# The answer: a choice, or (choice, text) for one that carries text (GOTO: the number;
# EDIT: the example's new lines as edited).
DecideCluster = Callable[[ClusterPrompt], "ClusterChoice | tuple[ClusterChoice, str]"]


@dataclass
class Scope:
    """What a grouped review looks at: the hunks' kinds, a review filter (the hunks it
    leaves out stay undecided) and the edits of an earlier run (reused on resume)."""

    kinds: "HunkKinds | None" = None
    only: "HunkFilter | None" = None
    edits: dict[str, str] = field(default_factory=dict)
    index: Any = None       # the repo's modules (namecheck.ModuleIndex) for checking edits


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
    left_out: int = 0       # hunks the review filter left out (undecided)
    undecided: int = 0      # hunks a cluster edit did not apply to (undecided)


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


def review(phase: Phase, run_id: int | None, journal: "Journal", grouping: str, unusual_first: bool,
           outcomes: Iterable[FileOutcome], previous: dict[str, str], dirty: set[str], decide: Decide,
           decide_cluster: DecideCluster, scope: Scope | None = None
           ) -> tuple[Iterator[FileOutcome], GroupedPlan | None]:
    """Collect the phase's outcomes and, when grouping applies, review them by cluster.
    Returns the outcomes to apply and the plan (None: review one by one instead).
    Every decision is recorded in the journal as soon as it is made."""
    if grouping == "one-by-one":
        return iter(outcomes), None
    if grouping == "grouped":
        collected, big = list(outcomes), True
    else:
        collected, big = _peek(outcomes, dirty, GROUP_THRESHOLD)
    if not big:
        return iter(collected), None
    reviewable = [o for o in collected if o.status is Status.CHANGED and o.path not in dirty]
    scope = scope or Scope()
    plan = GroupedPlan()
    hunks: list[Hunk] = []
    for o in reviewable:
        chosen = scope.kinds.selected(scope.only, o) if scope.only and scope.kinds else None
        for h in o.hunks:
            if chosen is not None and h.index not in chosen and previous.get(h.key) not in _DECIDED:
                plan.left_out += 1   # not asked, not decided: a later run -i asks it
            else:
                hunks.append(h)
    plan.clusters = clusterlib.cluster(hunks)
    _Review(phase, run_id, journal, plan, previous, reviewable, decide, decide_cluster, scope).run(unusual_first)
    return iter(collected), plan


_DECIDED = ("accepted", "rejected", "edited")


class _Review:
    """The loop over clusters; decisions go to ``plan`` and to the journal at once."""

    def __init__(self, phase: Phase, run_id: int | None, journal: "Journal", plan: GroupedPlan,
                 previous: dict[str, str], outcomes: Sequence[FileOutcome], decide: Decide,
                 decide_cluster: DecideCluster, scope: Scope | None = None) -> None:
        self.phase, self.run_id, self.journal, self.plan = phase, run_id, journal, plan
        self.previous = previous
        self.scope = scope or Scope()
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
                elif choice == "edited" and h.key in self.scope.edits:
                    self.plan.decisions[h.key] = Planned(choice, hunklib.edited(h, self.scope.edits[h.key]), c.id,
                                                         recorded=False)
                else:
                    left.append(h)
            if left:
                todo.append((c, tuple(left)))
        decided: dict[int, str] = {}     # todo index -> accepted | rejected | split | edited
        history: list[int] = []          # todo indices in the order decided
        undecided: dict[int, int] = {}   # todo index -> hunks its edit left undecided
        note = ""
        at = 0 if todo else None
        try:
            while at is not None:
                c, left = todo[at]
                hunks_left = sum(len(lf) for n, (_, lf) in enumerate(todo) if n not in decided)
                if self.accept_all:
                    choice, answer = ClusterChoice.ACCEPT, ""
                else:
                    prompt = ClusterPrompt(self.phase, c, left, at + 1, len(todo), hunks_left, decided.get(at, ""),
                                           note, self._kinds(left))
                    choice, answer = _answer(self.decide_cluster(prompt))
                    while choice is ClusterChoice.EDIT:
                        # The example's edit, checked; refused: asked again with the reason.
                        refused = self._check_edit(left[0], answer)
                        if refused is None:
                            break
                        prompt = dataclasses.replace(prompt, error=refused[1], edited=refused[0])
                        choice, answer = _answer(self.decide_cluster(prompt))
                    if choice is ClusterChoice.ACCEPT_ALL:
                        self.accept_all = True
                        choice = ClusterChoice.ACCEPT
                note = ""
                if choice is ClusterChoice.QUIT:
                    self.plan.quit = True
                    return
                if choice is ClusterChoice.BACK:
                    at, note = (at - 1, "") if at > 0 else (at, "no previous cluster")
                    continue
                if choice is ClusterChoice.GOTO:
                    wanted = int(answer) if answer.strip().isdigit() else 0
                    if 1 <= wanted <= len(todo):
                        at = wanted - 1
                    else:
                        note = f"no cluster {answer.strip()}: this review has clusters 1 to {len(todo)}"
                    continue
                if choice is ClusterChoice.UNDO:
                    if not history:
                        note = "nothing to undo in this review"
                        continue
                    at = history.pop()
                    note = f"undone: cluster {at + 1} ({decided.pop(at)}); decide it again"
                    self._withdraw(todo[at][1])
                    undecided.pop(at, None)
                    continue
                if at in decided:   # decided again: the new decision replaces the recorded one
                    self._withdraw(left)
                    undecided.pop(at, None)
                if choice is ClusterChoice.SPLIT:
                    self._split(c, left)
                    if self.plan.quit:
                        return
                    decided[at] = "split"
                elif choice is ClusterChoice.EDIT:
                    undecided[at] = self._edit(c, left, answer)
                    decided[at] = "edited"
                else:
                    decision = Verdict.ACCEPTED if choice is ClusterChoice.ACCEPT else Verdict.REJECTED
                    for h in left:
                        self._record(h, decision, c)
                    decided[at] = decision.value
                if at in history:
                    history.remove(at)
                history.append(at)
                after = [n for n in range(at + 1, len(todo)) if n not in decided]
                before = [n for n in range(0, at) if n not in decided]
                at = (after or before or [None])[0]
        except KeyboardInterrupt:
            # Ctrl-C at a prompt: a `q` that also ends the command with 130.
            self.plan.quit = self.plan.interrupted = True
        finally:
            self.plan.undecided = sum(undecided.values())

    def _kinds(self, hunks: Sequence[Hunk]) -> tuple[str, ...]:
        """The kinds the cluster's hunks touch (every hunk when a kind filter already
        surveyed them all, else the first few: a cluster is one edit)."""
        from phasemod.hunkfilter import kind_names

        kinds = self.scope.kinds
        if kinds is None:
            return ()
        sample = hunks if self.scope.only and self.scope.only.kinds else hunks[:KIND_SAMPLE]
        return tuple(kind_names({k for h in sample for k in kinds.of(self.by_path[h.path], h)}))

    def _check_edit(self, example: Hunk, text: str) -> tuple[Hunk, str] | None:
        """The refused edit of the example and why, or None when it is fine."""
        outcome = self.by_path[example.path]
        candidate = hunklib.edited(example, text)
        problem = edit_problem(_source(outcome).text, outcome.hunks, candidate, self.scope.index)
        return (candidate, EDIT_REFUSED.format(problem=problem)) if problem else None

    def _edit(self, c: Cluster, left: tuple[Hunk, ...], text: str) -> int:
        """`e`: the example's edit (checked), made to every hunk of the cluster where it
        applies cleanly and the file still parses and binds; the rest stay undecided.
        Returns how many were left undecided."""
        example = left[0]
        proposed = "".join(example.after)
        applied: list[Hunk] = []
        rest: list[tuple[Hunk, str]] = []
        for h in left:
            after = editmerge.replay(proposed, text, "".join(h.after))
            if after is None:
                rest.append((h, "the edit does not apply cleanly here (the lines it changes differ)"))
                continue
            edited = hunklib.edited(h, after)
            o = self.by_path[h.path]
            problem = edit_problem(_source(o).text, o.hunks, edited, self.scope.index) if h is not example else ""
            if problem:
                rest.append((h, f"with the edit the file {problem}"))
                continue
            self._record(h, Verdict.EDITED, c, edited)
            applied.append(edited)
        tell = getattr(self.decide_cluster, "edited", None)
        if tell is not None:
            tell(ClusterEdit(c, tuple(applied), tuple(rest)))
        return len(rest)

    def _withdraw(self, hunks: Sequence[Hunk]) -> None:
        """The hunks are undecided again (their rows of this run are removed, in one transaction)."""
        keys = [h.key for h in hunks if self.plan.decisions.pop(h.key, None) is not None]
        if keys:
            self.journal.withdraw_hunks(self.run_id, keys)

    def _record(self, hunk: Hunk, verdict: Verdict, c: Cluster, decided: Hunk | None = None) -> None:
        shown = decided or hunk
        self.journal.record_hunk(self.run_id, hunk.path, hunk.key, hunk.index, ",".join(hunk.recipes),
                                 "".join(hunk.before), "".join(shown.after), verdict.value, cluster=c.id)
        self.plan.decisions[hunk.key] = Planned(verdict.value, shown, c.id, recorded=True)

    def _split(self, c: Cluster, left: tuple[Hunk, ...]) -> None:
        file_choice: dict[str, Verdict] = {}
        paths = sorted({h.path for h in left})
        for number, hunk in enumerate(left, 1):
            if self.accept_all:
                self._record(hunk, Verdict.ACCEPTED, c)
                continue
            if hunk.path in file_choice:
                self._record(hunk, file_choice[hunk.path], c)
                continue
            prompt = Prompt(self.phase, hunk, number, len(left), paths.index(hunk.path) + 1, len(paths), cluster=c.id)
            outcome = self.by_path[hunk.path]
            decision, decided = ask(self.decide, prompt, _source(outcome).text, outcome.hunks, self.scope.index)
            if decision is Decision.QUIT:
                self.plan.quit = True
                return
            verdict = decision.verdict
            assert verdict is not None
            self._record(hunk, verdict, c, decided if verdict is Verdict.EDITED else None)
            if decision.rest_of_file:
                # The rest of this file within this cluster: the other clusters of the
                # file are different edits and are asked about on their own.
                file_choice[hunk.path] = verdict
            if decision is Decision.ACCEPT_ALL:
                self.accept_all = True


def _answer(answer: "ClusterChoice | tuple[ClusterChoice, str]") -> tuple[ClusterChoice, str]:
    return answer if isinstance(answer, tuple) else (answer, "")


def _source(outcome: FileOutcome) -> textio.Source:
    return textio.decode_for(outcome.path, outcome.old_bytes)


# ---------------------------------------------------------------------------- plan --clusters

@dataclass(frozen=True)
class PhaseClusters:
    """What `plan --clusters` shows for one phase: every proposed hunk, clustered."""

    phase: Phase
    hunks: int
    clusters: tuple[Cluster, ...]
    left_out: int = 0       # hunks a filter (--filter-kind, --filter-path) left out

    @property
    def decisions(self) -> int:
        """Review decisions a grouped review needs: one per cluster."""
        return len(self.clusters)

    def as_json(self) -> dict:
        """The `plan --clusters --json` document of this phase (docs/grouped-review.md)."""
        return {"phase": self.phase.number, "name": self.phase.name, "hunks": self.hunks,
                "decisions": self.decisions, "unusual": sum(1 for c in self.clusters if c.unusual),
                "left_out": self.left_out, "clusters": [cluster_json(c) for c in self.clusters]}


def cluster_json(c: Cluster) -> dict:
    return {"id": c.id, "size": c.size, "unusual": c.unusual, "signature": c.signature,
            "edit": editwords.describe(c.hunks[0]),
            "example": "\n".join(hunklib.unified(c.hunks[0])), "example_path": c.hunks[0].path,
            "files": len({h.path for h in c.hunks}), "paths": sorted({h.path for h in c.hunks})[:5]}


def phase_clusters(repo: Path, phase: Phase, shard: tuple[int, int] | None = None,
                   jobs: int | None = None, only: "HunkFilter | None" = None,
                   learn: Callable[[str, Any], None] | None = None) -> PhaseClusters:
    """Run the engine over the phase without writing anything and cluster its hunks;
    ``learn(path, learned)`` gets what the engine's parse tells of each file as read
    (phasemod.model.Learned), so that counting the phase afterwards parses nothing."""
    from phasemod import proposals

    selection = engine.select_phase(repo, phase, None, shard)
    outcomes = proposals.load(repo, phase, shard, selection.files)
    if outcomes is None:
        outcomes = list(engine.run_selection(repo, selection, jobs, learn="read" if learn else ""))
        for o in outcomes:
            if o.learned is not None and learn is not None:
                learn(o.path, o.learned)
        # What a following `run -i` of the phase would compute again: kept for it.
        proposals.save(repo, phase, shard, selection.files, outcomes)
    changed = [o for o in outcomes if o.status is Status.CHANGED]
    hunks = [h for o in changed for h in o.hunks]
    if only:
        from phasemod.hunkfilter import HunkKinds

        kinds = HunkKinds(repo, phase)
        kept = [h for o in changed for chosen in (kinds.selected(only, o),) for h in o.hunks if h.index in chosen]
        return PhaseClusters(phase, len(kept), tuple(clusterlib.cluster(kept)), len(hunks) - len(kept))
    return PhaseClusters(phase, len(hunks), tuple(clusterlib.cluster(hunks)))
