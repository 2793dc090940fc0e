"""The phase graph: across a manifests directory, phase numbers and names are unique,
every ``requires`` entry names an earlier phase (so there is no cycle, and a cycle is
named as such), and the default requirement is every lower-numbered phase.

Works on what each file said (``Draft``), so every problem of every file comes at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from phasemod import yamlsafe as y
from phasemod.errors import ManifestError


@dataclass
class Draft:
    """What one file said, as far as it was valid; cross-file checks read this."""

    path: Path
    out: y.Problems
    number: int | None = None
    number_line: int = 1
    name: str | None = None
    name_line: int = 1
    requires: list[tuple[int | str, int]] | None = None    # (entry, line); None: key absent
    requires_line: int = 1
    phase: Any = None                                       # set when the file is valid


def resolve(draft: Draft, drafts: Sequence[Draft]) -> tuple[int, ...]:
    if draft.requires is None:
        return tuple(sorted(d.number for d in drafts if d.number is not None and d.number < (draft.number or 0)))
    by_name = {d.name: d.number for d in drafts if d.name is not None}
    return tuple(entry if isinstance(entry, int) else by_name[entry] for entry, _ in draft.requires)  # type: ignore[misc]


def cross_check(drafts: Sequence[Draft]) -> None:
    for attr, line_attr, what in (("number", "number_line", "phase"), ("name", "name_line", "name")):
        owners: dict[object, list[Draft]] = {}
        for draft in drafts:
            if getattr(draft, attr) is not None:
                owners.setdefault(getattr(draft, attr), []).append(draft)
        for value, same in owners.items():
            if len(same) < 2:
                continue
            for draft in same:
                others = ", ".join(str(d.path) for d in same if d is not draft)
                fix = "give every phase its own number" if what == "phase" else "give every phase its own name"
                draft.out.add(getattr(draft, line_attr), what, f"{what} {y.show(value)} is also used by {others}; {fix}")
    numbers = {d.number: d for d in drafts if d.number is not None}
    names = {d.name: d.number for d in drafts if d.name is not None and d.number is not None}
    known = ", ".join(f"{d.number} {d.name}" for d in sorted(numbers.values(), key=lambda d: d.number or 0)) or "none"
    edges: dict[int, list[tuple[int, int]]] = {}      # number → [(required number, line)]
    for draft in drafts:
        for i, (entry, line) in enumerate(draft.requires or ()):
            target = entry if isinstance(entry, int) else names.get(entry)
            if target is None or target not in numbers:
                hint = f"{y.closest(entry, list(names))}" if isinstance(entry, str) else ""
                draft.out.add(line, f"requires[{i}]", f"no phase {y.show(entry)} in {draft.path.parent}; {hint}known phases: {known}")
            elif draft.number is not None and target != draft.number:
                edges.setdefault(draft.number, []).append((target, line))
    in_cycle = _report_cycles(edges, numbers)
    for source, targets in edges.items():
        for target, line in targets:
            if target > source and (source, target) not in in_cycle:
                numbers[source].out.add(line, "requires", f"phase {source} requires phase {target} ({numbers[target].name}), which runs later; phases run in number order, so require only lower-numbered phases (or renumber)")


def _report_cycles(edges: dict[int, list[tuple[int, int]]], numbers: dict[int, Draft]) -> set[tuple[int, int]]:
    """Report each requires cycle once, at the entry that closes it; return its edges."""
    state: dict[int, int] = {}    # 1: on the current path, 2: done
    stack: list[int] = []
    in_cycle: set[tuple[int, int]] = set()

    def visit(node: int) -> None:
        state[node] = 1
        stack.append(node)
        for target, line in edges.get(node, ()):
            if state.get(target) == 1:
                loop = stack[stack.index(target):] + [target]
                in_cycle.update(zip(loop, loop[1:]))
                shown = " -> ".join(f"{n} {numbers[n].name}" for n in loop)
                numbers[node].out.add(line, "requires", f"requires cycle: {shown}; a phase may require only lower-numbered phases, remove one of these entries")
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    # Iterative depth would be safer for thousands of phases; manifests hold a handful.
    for start in sorted(edges):
        if start not in state:
            visit(start)
    return in_cycle


def select_phases(phases: Sequence[Any], wanted: Sequence[str]) -> tuple[Any, ...]:
    """The phases named in ``wanted`` (numbers or names), in phase order, each once.

    Unknown entries raise one ManifestError listing them all with the known phases.
    """
    by_number = {str(p.number): p for p in phases}
    by_name = {p.name: p for p in phases}
    chosen: dict[int, Any] = {}
    unknown: list[str] = []
    for item in wanted:
        text = str(item).strip()
        phase = by_name.get(text) or (by_number.get(str(int(text))) if re.fullmatch(r"-?\d+", text) else None)
        if phase is None:
            unknown.append(text)
        else:
            chosen[phase.number] = phase
    if unknown:
        where = phases[0].path.parent if phases else Path("phase_manifests")
        known = ", ".join(p.label for p in sorted(phases, key=lambda p: p.number)) or "none"
        raise ManifestError([
            f"{where}:0: phase: no phase {y.show(text)}; {y.closest(text, list(by_name))}known phases: {known}"
            for text in unknown
        ])
    return tuple(chosen[n] for n in sorted(chosen))
