"""One-by-one review with a way back: `k`/`K` previous (undecided) hunk, `j`/`J` leave it
undecided and go on, `u` undo, `g` hunk N, `/` search, across the files of a phase.

The session keeps every hunk it has shown, with its decision, and pulls the engine's
outcomes only when it needs the next file (the first hunk is asked about before the
tree is read). A file is settled (written, through the safety net) once all its hunks
are decided and the review has moved to another file; changing or undoing a decision
of a settled file first restores it from the journal (``Settler.reopen``), so the file
is written again from its new decisions.

Never prompts, prints or writes itself: answers come from ``decide``, journal records
and writes from the ``Settler`` the caller supplies (phasemod/phases.py).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Protocol

from phasemod import hunkinfo, hunks as hunklib
from phasemod.manifest import Phase
from phasemod.model import FileOutcome, Hunk
from phasemod.review import Decide, Decided, Decision, NAVIGATION, Prompt, Verdict, ask


@dataclass(eq=False)
class Item:
    """One hunk of the review and its decision so far."""

    entry: "Entry"
    hunk: Hunk                      # the proposal
    number: int                     # over the whole phase (hunkinfo.Numbering)
    verdict: Verdict | None = None
    edited: Hunk | None = None      # the reviewer's text when edited
    earlier: bool = False           # the decision came from an earlier run

    @property
    def shown(self) -> Hunk:
        return self.edited if self.edited is not None else self.hunk

    def decided(self) -> Decided:
        assert self.verdict is not None
        return Decided(self.hunk.key, self.shown, self.verdict)


@dataclass(eq=False)
class Entry:
    """One file with changes, as the review met it."""

    outcome: FileOutcome
    number: int
    text: str
    items: list[Item] = field(default_factory=list)
    settled: bool = False           # written (or left, with findings) for its current decisions
    left_out: int = 0               # hunks a review filter left undecided: the file is not written
    kinds: dict[int, tuple[str, ...]] | None = None

    @property
    def complete(self) -> bool:
        return all(i.verdict is not None for i in self.items)


class Settler(Protocol):
    """What the session asks of the applier (phasemod/phases.py)."""

    def record(self, item: Item) -> None: ...              # journal the item's decision at once
    def withdraw(self, item: Item) -> None: ...            # journal: the item is undecided again
    def settle(self, entry: Entry) -> list[Decided] | None: ...   # write; the final decisions (None: left)
    def reopen(self, entry: Entry) -> str: ...             # restore a settled file; '' or why not
    def stopped(self) -> bool: ...                         # the safety net's `q`


class Session:
    def __init__(self, repo: Path, phase: Phase, feed: Iterator[FileOutcome], numbering: hunkinfo.Numbering,
                 counting: Callable[[], bool], decide: Decide, previous: Mapping[str, str], edits: Mapping[str, str],
                 settler: Settler, index: Any = None,
                 only: Callable[[FileOutcome], set[int]] | None = None) -> None:
        self.repo, self.phase = repo, phase
        self.feed = feed
        self.numbering = numbering
        self.counting = counting        # () -> whether the engine is still reading
        self.decide = decide
        self.previous, self.edits = previous, edits
        self.settler = settler
        self.index = index              # the repo's modules (namecheck.ModuleIndex): edits are checked with it
        self.only = only                # a review filter: the indices of a file's hunks to ask (None: all)
        self.left_out = 0               # hunks the filter did not ask about (undecided; their files wait)
        self.items: list[Item] = []
        self.entries: list[Entry] = []
        self.history: list[list[Item]] = []   # the reviewer's decisions, last one last
        self.accept_all = False
        self.quit = False
        self.interrupted = False
        self.exhausted = False
        self._answer: str | None = None

    # --- the engine's outcomes, pulled when needed --------------------------------------

    def _pull(self) -> bool:
        """The next file with changes (False: there is none)."""
        if self.exhausted:
            return False
        outcome = next(self.feed, None)
        if outcome is None:
            self.exhausted = True
            return False
        from phasemod.applier import outcome_source

        number, numbers = self.numbering.place(outcome)
        # Kept for going back: the bytes read (restores, the write's check), not the
        # proposal's bytes, which the hunks carry.
        entry = Entry(dataclasses.replace(outcome, new_bytes=b"", learned=None), number, outcome_source(outcome).text)
        chosen = self.only(outcome) if self.only is not None else None
        for hunk, n in zip(outcome.hunks, numbers):
            item = Item(entry, hunk, n)
            choice = self.previous.get(hunk.key)
            if chosen is not None and hunk.index not in chosen and choice not in (
                    Verdict.ACCEPTED, Verdict.REJECTED, Verdict.EDITED):
                entry.left_out += 1   # not asked, not decided: the file waits for a later run
                self.left_out += 1
                continue
            if self.accept_all:
                item.verdict = Verdict.ACCEPTED
            elif choice in (Verdict.ACCEPTED, Verdict.REJECTED):
                item.verdict, item.earlier = Verdict(choice), True
            elif choice == Verdict.EDITED and hunk.key in self.edits:
                item.verdict, item.earlier = Verdict.EDITED, True
                item.edited = hunklib.edited(hunk, self.edits[hunk.key])
            entry.items.append(item)
        self.entries.append(entry)
        self.items += entry.items
        for item in entry.items:
            if item.verdict is not None:
                self.settler.record(item)
        return True

    def _forward(self, start: int) -> Iterator[int]:
        """Indices from ``start`` on, pulling files as the search goes."""
        i = start
        while True:
            while i >= len(self.items):
                if not self._pull():
                    return
            yield i
            i += 1

    # --- the loop -----------------------------------------------------------------------

    def run(self) -> None:
        cursor = self._next_undecided(-1)
        note = ""
        while cursor is not None:
            self._settle_others(self.items[cursor].entry)
            if self.settler.stopped():
                self.quit = True
                return
            item = self.items[cursor]
            try:
                decision, hunk = self._ask(item, note)
            except KeyboardInterrupt:
                self.quit = self.interrupted = True
                return
            note = ""
            if decision is Decision.QUIT:
                self.quit = True
                return
            if decision in NAVIGATION:
                cursor, note = self._move(decision, cursor)
                continue
            problem = self._decide(item, decision, hunk)
            if problem:
                note = problem
                continue
            if decision is Decision.ACCEPT_ALL:
                self._accept_everything()
                break
            cursor = self._next_undecided(cursor)
        self._settle_others(None)
        if self.settler.stopped():
            self.quit = True

    def _ask(self, item: Item, note: str) -> tuple[Decision, Hunk]:
        entry = item.entry
        if entry.kinds is None:
            entry.kinds = hunkinfo.kinds_of(self.repo, self.phase, entry.outcome)
        numbering = self.numbering
        counting = self.counting()
        last = self.items[-1]
        prompt = Prompt(self.phase, item.shown, item.number, max(numbering.hunks, last.number),
                        entry.number, max(numbering.files, self.entries[-1].number), counting=counting,
                        kinds=entry.kinds.get(item.hunk.index, ()), cluster_id=hunkinfo.cluster_id(item.hunk),
                        decided=item.verdict.value if item.verdict is not None else "", note=note, navigation=True)

        def capture(p: Prompt) -> tuple[Decision, str | None]:
            decision, answer = self.decide(p)
            self._answer = answer
            return decision, answer

        self._answer = None
        return ask(capture, prompt, entry.text, entry.outcome.hunks, self.index)

    # --- deciding -----------------------------------------------------------------------

    def _decide(self, item: Item, decision: Decision, hunk: Hunk) -> str:
        """Set the decision (and, for a/d, the rest of the file's undecided hunks)."""
        verdict = decision.verdict
        assert verdict is not None
        group = [item]
        if decision.rest_of_file:
            later = item.entry.items[item.entry.items.index(item) + 1:]
            group += [i for i in later if i.verdict is None]
        edited = hunk if verdict is Verdict.EDITED else None
        changes = [i for i in group if (i.verdict, i.edited) != (verdict, edited if i is item else None)]
        problem = self._reopen({i.entry for i in changes})
        if problem:
            return problem
        for i in group:
            i.verdict, i.edited, i.earlier = verdict, (edited if i is item else None), False
            self.settler.record(i)
        self.history.append(group)
        return ""

    def _reopen(self, entries: set[Entry]) -> str:
        for entry in entries:
            if entry.settled:
                problem = self.settler.reopen(entry)
                if problem:
                    return problem
                entry.settled = False
        return ""

    def _accept_everything(self) -> None:
        """`A`: this hunk and every hunk left undecided in the phase, the files not read yet included."""
        self.accept_all = True
        for item in self.items:
            if item.verdict is None:
                item.verdict = Verdict.ACCEPTED
                self.settler.record(item)
        while self._pull():
            pass

    def _settle_others(self, current: Entry | None) -> None:
        """Write every complete file the review has left (all of them at the end)."""
        for entry in self.entries:
            if entry is current or entry.settled or not entry.complete or entry.left_out:
                continue
            final = self.settler.settle(entry)
            entry.settled = True
            if final is not None:   # the safety net may have taken or dropped hunks
                by_key = {d.key: d for d in final}
                for item in entry.items:
                    d = by_key.get(item.hunk.key)
                    if d is not None:
                        item.verdict = d.verdict
            if self.settler.stopped():
                return

    # --- moving -------------------------------------------------------------------------

    def _next_undecided(self, cursor: int) -> int | None:
        """The next undecided hunk after ``cursor``, else the first one before it (as in
        `git add -p`); None when every hunk of the phase is decided."""
        for i in self._forward(cursor + 1):
            if self.items[i].verdict is None:
                return i
        for i in range(0, min(cursor + 1, len(self.items))):
            if self.items[i].verdict is None:
                return i
        return None

    def _move(self, decision: Decision, cursor: int) -> tuple[int, str]:
        answer = (self._answer or "").strip()
        if decision is Decision.PREVIOUS:
            return (cursor - 1, "") if cursor > 0 else (cursor, "no previous hunk")
        if decision is Decision.PREVIOUS_UNDECIDED:
            for i in range(cursor - 1, -1, -1):
                if self.items[i].verdict is None:
                    return i, ""
            return cursor, "no previous undecided hunk"
        if decision is Decision.NEXT:
            for i in self._forward(cursor + 1):
                return i, ""
            return cursor, "no next hunk"
        if decision is Decision.NEXT_UNDECIDED:
            found = self._next_undecided(cursor)
            if found is None or found == cursor:
                return cursor, "no other undecided hunk"
            return found, ""
        if decision is Decision.UNDO:
            return self._undo(cursor)
        if decision is Decision.GOTO:
            return self._goto(cursor, answer)
        return self._search(cursor, answer)

    def _undo(self, cursor: int) -> tuple[int, str]:
        if not self.history:
            return cursor, "nothing to undo in this review"
        group = self.history[-1]
        problem = self._reopen({i.entry for i in group})
        if problem:
            return cursor, problem
        self.history.pop()
        was = group[0].verdict.value if group[0].verdict is not None else "undecided"
        for item in group:
            item.verdict, item.edited = None, None
            self.settler.withdraw(item)
        more = f" and {len(group) - 1} more of its file" if len(group) > 1 else ""
        return self.items.index(group[0]), f"undone: hunk {group[0].number} ({was}){more}; decide it again"

    def _goto(self, cursor: int, answer: str) -> tuple[int, str]:
        if not answer:
            return cursor, ""
        if not answer.isdigit():
            return cursor, f"not a hunk number: {answer!r}"
        wanted = int(answer)
        for i in self._forward(0):
            if self.items[i].number == wanted:
                return i, ""
            if self.items[i].number > wanted:
                break
        first, last = self.items[0].number, self.items[-1].number
        if 1 <= wanted <= max(self.numbering.hunks, last):
            return cursor, f"hunk {wanted} is not in this review (decided and written in an earlier run)"
        return cursor, f"no hunk {wanted}: this review has hunks {first} to {last}"

    def _search(self, cursor: int, pattern: str) -> tuple[int, str]:
        if not pattern:
            return cursor, ""
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            return cursor, f"not a regular expression: {pattern!r} ({exc})"

        def matches(i: int) -> bool:
            h = self.items[i].shown
            return bool(regex.search("\n".join([h.path, *hunklib.unified(h)])))

        for i in self._forward(cursor + 1):
            if matches(i):
                return i, ""
        for i in range(0, cursor + 1):
            if matches(i):
                return i, "" if i != cursor else f"only this hunk matches /{pattern}/"
        return cursor, f"no hunk matches /{pattern}/"


__all__ = ["Entry", "Item", "Session", "Settler"]
