"""Review: what a reviewer is asked (``Prompt``), what they answer (``Decision``), what is
recorded for each hunk (``Verdict``), and the one ask/edit loop shared by the reviewers:
one by one (``one_by_one``, here) and grouped (phasemod/grouped.py). Reviewers yield
decisions; the applier (phasemod/applier.py) journals and writes.

Never prompts or prints itself: the answers come from a ``decide`` callback.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

from phasemod import engine, hunks as hunklib, textio
from phasemod.manifest import Phase
from phasemod.model import Hunk


class Verdict(str, enum.Enum):
    """What happens to one hunk; the values are what the journal records."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EDITED = "edited"


class Decision(str, enum.Enum):
    """A reviewer's answer (the values are the keys of `run -i`)."""

    ACCEPT = "y"
    REJECT = "n"
    ACCEPT_FILE = "a"
    REJECT_FILE = "d"
    ACCEPT_ALL = "A"
    QUIT = "q"
    EDIT = "e"
    # Moving, not deciding (one-by-one review; see phasemod/session.py).
    PREVIOUS = "k"              # the previous hunk
    PREVIOUS_UNDECIDED = "K"    # the previous undecided hunk
    NEXT_UNDECIDED = "j"        # leave this one undecided, the next undecided hunk
    NEXT = "J"                  # leave this one undecided, the next hunk
    UNDO = "u"                  # take back the last decision and ask it again
    GOTO = "g"                  # hunk N (the answer carries N)
    SEARCH = "/"                # the next hunk whose diff matches (the answer carries the pattern)

    @property
    def verdict(self) -> Verdict | None:
        """The verdict for the hunk asked about (None: quit, nothing decided)."""
        return _VERDICTS.get(self)

    @property
    def rest_of_file(self) -> bool:
        return self in (Decision.ACCEPT_FILE, Decision.REJECT_FILE)


_VERDICTS = {Decision.ACCEPT: Verdict.ACCEPTED, Decision.ACCEPT_FILE: Verdict.ACCEPTED,
             Decision.ACCEPT_ALL: Verdict.ACCEPTED, Decision.REJECT: Verdict.REJECTED,
             Decision.REJECT_FILE: Verdict.REJECTED, Decision.EDIT: Verdict.EDITED}
NAVIGATION = frozenset({Decision.PREVIOUS, Decision.PREVIOUS_UNDECIDED, Decision.NEXT_UNDECIDED, Decision.NEXT,
                        Decision.UNDO, Decision.GOTO, Decision.SEARCH})


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
    kinds: tuple[str, ...] = ()   # the kinds of reference the hunk touches (model.Kind values)
    cluster_id: str = ""    # the cluster of equal edits the hunk belongs to (phasemod/clusters.py)
    decided: str = ""       # its decision so far in this review (a hunk gone back to), else ''
    note: str = ""          # what the last key did or why it could not (navigation)
    navigation: bool = False  # k K j J u g / are offered (one-by-one review)


Decide = Callable[[Prompt], "tuple[Decision, str | None]"]


EDIT_REFUSED = ("the edited hunk {problem}; "
                "e edits it again, the other keys decide about the proposed hunk")


def edit_problem(text: str, hunks: Sequence[Hunk], candidate: Hunk, index: Any = None) -> str:
    """Why the file with ``candidate`` in place of its proposal would be broken ('' if
    not): it does not parse, or (the safety net's name checks, phasemod/namecheck.py) it
    leaves a name unbound, adds a duplicate or unused import, or (with the repo's
    ``index``, a namecheck.ModuleIndex) imports a name a repo module does not define,
    where the file with the proposed hunk does not."""
    if not textio.is_python(candidate.path):
        return ""
    # The file as the whole proposal would leave it, with this hunk as edited.
    everything = [h.index for h in hunks]
    trial = hunklib.rebuild(text, [candidate if h.index == candidate.index else h for h in hunks], everything)
    broken = engine.check_rewrite(candidate.path, text, trial)
    if broken:
        return f"does not parse ({broken})"
    proposal = next((h for h in hunks if h.index == candidate.index), None)
    if proposal is not None and _code_of("".join(proposal.after)) == _code_of("".join(candidate.after)):
        return ""   # only comments or layout changed: the names are the proposal's, already checked
    from phasemod import namecheck

    module, is_package = "", False
    if index is not None:
        from phasemod.modules import module_of

        module, is_package = module_of(str(index.repo), candidate.path, index.source_roots)
    before, proposed = _facts(text, module, is_package), _facts(hunklib.rebuild(text, hunks, everything), module,
                                                                 is_package)
    after = namecheck.facts(trial, module, is_package)
    if before is None or proposed is None or after is None:
        return ""
    known = {(p.code, p.message) for p in namecheck.compare(before, proposed, index)}
    new = [p for p in namecheck.compare(before, after, index) if (p.code, p.message) not in known]
    if new:
        return "breaks a name (" + "; ".join(f"line {p.line}: {p.message}" for p in new) + ")"
    return ""


@functools.lru_cache(maxsize=8)
def _facts(text: str, module: str, is_package: bool) -> Any:
    """A file's name facts, kept for the next edit of the same file (a cluster edit
    checks many hunks of one file against the same original and proposal)."""
    from phasemod import namecheck

    return namecheck.facts(text, module, is_package)


def _code_of(text: str) -> tuple:
    """The code tokens of a fragment, comments and layout left out (phasemod/clusters.py's lexer)."""
    from phasemod.clusters import lex

    out, comment = [], False
    for kind, token in lex(text):
        if kind == "H":
            comment = True
        elif kind == "h":
            comment = False
        elif not comment and kind != "L":
            out.append((kind, token))
    return tuple(out)


def ask(decide: Decide, prompt: Prompt, text: str, hunks: Sequence[Hunk], index: Any = None
        ) -> tuple[Decision, Hunk]:
    """Ask until a decision. An edit is taken only when the file with it still parses
    (then the returned hunk is the edited one); else the reviewer sees the refused edit
    and why, and is asked again."""
    hunk = prompt.hunk
    while True:
        decision, edited = decide(prompt)
        if decision is not Decision.EDIT:
            return decision, hunk
        if edited is None:
            continue
        candidate = hunklib.edited(hunk, edited)
        problem = edit_problem(text, hunks, candidate, index)
        if not problem:
            return decision, candidate
        # Shown again: the refused edit (so `e` starts from it) and why.
        prompt = dataclasses.replace(prompt, hunk=candidate, error=EDIT_REFUSED.format(problem=problem))


def previous_edits(log: Mapping[str, Any]) -> dict[str, str]:
    """Hunk key -> the text a reviewer wrote with `e` in an earlier run (resume reuses it),
    from the journal's log of the phase."""
    edits: dict[str, str] = {}
    for run in log["runs"]:
        if run["outcome"] not in ("rolled-back", "dry-run"):
            for h in run["hunks"]:
                if h["decision"] == Verdict.EDITED:
                    edits[h["key"]] = h["after"]
    return edits


@dataclass
class ReviewState:
    """The one-by-one reviewer's state across the files of a phase."""

    stream: Any                     # counts what the engine found so far: .files, .hunks, .done
    edits: dict[str, str] = field(default_factory=dict)
    accept_all: bool = False
    quit: bool = False
    interrupted: bool = False
    files_seen: int = 0     # files with changes so far, this one included
    hunks_seen: int = 0     # hunks of the files before this one
    index: Any = None       # the repo's modules for the safety net (namecheck.ModuleIndex), made on demand
    resolve_all: str = ""   # take | drop: the safety net's answer for every later file (T, D)
    left_out: int = 0       # hunks a review filter did not ask about (they stay undecided)


@dataclass(frozen=True)
class Decided:
    """One hunk's verdict. ``key`` is the proposal's (an edit's own key would not match on
    resume); ``hunk`` carries the edited text when edited."""

    key: str
    hunk: Hunk
    verdict: Verdict


def one_by_one(phase: Phase, hunks: Sequence[Hunk], text: str, interactive: bool, decide: Decide | None,
               previous: Mapping[str, str], state: ReviewState) -> Iterator[Decided]:
    """Decide a file's hunks in order: batch accepts all; a review asks (with `a`/`d` for
    the rest of the file, `A` for the rest of the phase), reusing decisions and edits of
    an earlier run. Stops early (``state.quit``) on `q` or Ctrl-C: the file is left as it
    is, its decisions so far are kept."""
    rest_of_file: Verdict | None = None
    for number, proposed in enumerate(hunks, 1):
        hunk = proposed
        if not interactive or state.accept_all:
            verdict = Verdict.ACCEPTED
        elif rest_of_file is not None:
            verdict = rest_of_file
        elif previous.get(hunk.key) in (Verdict.ACCEPTED, Verdict.REJECTED):
            verdict = Verdict(previous[hunk.key])
        elif previous.get(hunk.key) == Verdict.EDITED and hunk.key in state.edits:
            verdict, hunk = Verdict.EDITED, hunklib.edited(hunk, state.edits[hunk.key])
        else:
            assert decide is not None
            stream = state.stream
            prompt = Prompt(phase, hunk, state.hunks_seen + number, max(stream.hunks, state.hunks_seen + len(hunks)),
                            state.files_seen, max(stream.files, state.files_seen), counting=not stream.done)
            try:
                decision, hunk = ask(decide, prompt, text, hunks, state.index)
            except KeyboardInterrupt:
                # Ctrl-C at the prompt is a `q` that also ends the command with 130.
                decision, state.interrupted = Decision.QUIT, True
            if decision is Decision.QUIT:
                # The file under review stays as it is: applying part of its hunks would
                # change what the engine proposes on resume. Its decisions are recorded,
                # so the next `run -i` applies them and asks only the rest.
                state.quit = True
                return
            verdict = decision.verdict  # type: ignore[assignment]
            if decision.rest_of_file:
                rest_of_file = verdict
            if decision is Decision.ACCEPT_ALL:
                state.accept_all = True
        yield Decided(proposed.key, hunk, verdict)
