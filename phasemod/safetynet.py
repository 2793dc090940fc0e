"""The safety net for reviewed files: when a reviewer's partial choice (or edit) would
break names or imports, find the hunks it depends on and what to ask.

Pure: it rebuilds texts and checks them; the caller asks the reviewer and writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from phasemod import engine, hunks as hunklib, namecheck
from phasemod.model import Hunk

Check = Callable[[str], "list[namecheck.NameProblem]"]


@dataclass(frozen=True)
class SafetyQuestion:
    """What the reviewer is asked when the decisions for a file would break it."""

    path: str
    problems: tuple[namecheck.NameProblem, ...]
    take: tuple[int, ...] | None     # hunk numbers (1-based) to accept too; None: no such fix
    drop: tuple[int, ...]            # hunk numbers (1-based) to reject too
    text: str                        # the file as the decisions would leave it (start of an edit)


def checker(path: str, old: str, module: str, is_package: bool,
            index: namecheck.ModuleIndex | None) -> Check:
    """problems(text): what ``text`` breaks compared with ``old`` (syntax first)."""
    def problems(text: str) -> list[namecheck.NameProblem]:
        if text == old:
            return []
        broken = engine.check_rewrite(path, old, text)
        if broken:
            return [namecheck.NameProblem(0, "syntax", f"the file does not parse: {broken}")]
        return namecheck.check_rewrite(old, text, module, is_package, index)
    return problems


def question(path: str, old: str, hunks: Sequence[Hunk], accepted: dict[int, Hunk], check: Check
             ) -> SafetyQuestion | None:
    """None when the decided file is fine; else the problems and the two ways out."""
    text = _rebuild(old, hunks, accepted)
    found = check(text)
    if not found:
        return None
    return SafetyQuestion(path, tuple(found), _take(old, hunks, accepted, check), _drop(old, hunks, accepted, check),
                          text)


def _rebuild(old: str, hunks: Sequence[Hunk], accepted: dict[int, Hunk]) -> str:
    return hunklib.rebuild(old, [accepted.get(h.index, h) for h in hunks], accepted)


def _take(old: str, hunks: Sequence[Hunk], accepted: dict[int, Hunk], check: Check) -> tuple[int, ...] | None:
    """The fewest rejected hunks whose acceptance makes the file whole (greedy)."""
    extra = [h for h in hunks if h.index not in accepted]
    chosen = {**accepted, **{h.index: h for h in extra}}
    if check(_rebuild(old, hunks, chosen)):
        return None
    for hunk in extra:
        trial = {k: v for k, v in chosen.items() if k != hunk.index}
        if not check(_rebuild(old, hunks, trial)):
            chosen = trial
    return tuple(sorted(i + 1 for i in chosen if i not in accepted))


def _drop(old: str, hunks: Sequence[Hunk], accepted: dict[int, Hunk], check: Check) -> tuple[int, ...]:
    """The fewest accepted hunks whose rejection makes the file whole (greedy)."""
    kept: dict[int, Hunk] = {}
    for index in sorted(accepted):
        trial = {**kept, index: accepted[index]}
        if not check(_rebuild(old, hunks, trial)):
            kept = trial
    return tuple(sorted(i + 1 for i in accepted if i not in kept))


def resolve(answer: str, hunks: Sequence[Hunk], accepted: dict[int, Hunk], q: SafetyQuestion
            ) -> dict[int, Hunk]:
    """The accepted hunks after ``t`` (take) or ``d`` (drop)."""
    by_number = {h.index + 1: h for h in hunks}
    if answer == "take" and q.take is not None:
        return {**accepted, **{by_number[n].index: by_number[n] for n in q.take}}
    if answer == "drop":
        return {k: v for k, v in accepted.items() if k + 1 not in q.drop}
    raise ValueError(answer)
