"""Compare phasemod.syntax with CPython 3.13 on the snippets of tests/syntax/verdicts_313.py.

Usage: python benchmarks/syntax_verdicts.py [--python PY313] [--show N]
Prints how many valid snippets phasemod rejects, how many invalid ones it accepts, and
(with CPython 3.13 present) how often the error line and column agree. Reads only.
"""
from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from syntax_mutations import DEFAULT_PY313, cpython_verdicts  # the script beside this one

ROOT = Path(__file__).resolve().parent.parent


def load_cases() -> tuple[list[tuple[bool, str]], dict[str, str]]:
    spec = importlib.util.spec_from_file_location("verdicts_313", ROOT / "tests" / "syntax" / "verdicts_313.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.CASES, module.NOT_DETECTED


def main() -> None:
    from phasemod.syntax import ParseError, parse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=DEFAULT_PY313)
    parser.add_argument("--show", type=int, default=10)
    args = parser.parse_args()
    cases, not_detected = load_cases()
    ours: list[list[int] | None] = []
    for _accepted, snippet in cases:
        try:
            parse(snippet)
            ours.append(None)
        except ParseError as exc:
            ours.append([exc.line, exc.column])
    valid = [i for i, (accepted, _s) in enumerate(cases) if accepted]
    invalid = [i for i, (accepted, _s) in enumerate(cases) if not accepted]
    rejected_valid = [i for i in valid if ours[i] is not None]
    accepted_invalid = [i for i in invalid if ours[i] is None]
    print(f"{len(cases)} snippets: {len(valid)} valid, {len(invalid)} invalid (CPython 3.13)")
    print(f"valid snippets phasemod rejects:   {len(rejected_valid)}")
    print(f"invalid snippets phasemod accepts: {len(accepted_invalid)}"
          f" ({sum(cases[i][1] in not_detected for i in accepted_invalid)} listed in NOT_DETECTED)")
    for i in (rejected_valid + accepted_invalid)[: args.show]:
        print(f"  {cases[i][1]!r}: phasemod {ours[i]}")
    if Path(args.python).exists():
        cpython = cpython_verdicts(args.python, [s for _a, s in cases])
        both = [i for i in invalid if ours[i] is not None and cpython[i] is not None and cpython[i][0]]
        line = sum(ours[i][0] == cpython[i][0] for i in both)
        column = sum(ours[i] == cpython[i] for i in both)
        print(f"error line as CPython:   {line}/{len(both)}")
        print(f"line and column:         {column}/{len(both)}")


if __name__ == "__main__":
    main()
