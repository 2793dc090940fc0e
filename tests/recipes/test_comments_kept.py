"""No comment is ever lost: in every rewritten file the multiset of comments equals the
original's (a comment renamed with the symbol counts as the same comment). Checked over
every golden case and over random edits of them (hypothesis)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from comment_census import census
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phasemod import syntax, textio
from phasemod.modules import module_of
from phasemod.relocate import Move, migrate
from phasemod.starnames import RepoModules

CASES = Path(__file__).parents[1] / "cases"


def moves_of(case: Path) -> list[Move]:
    manifest = yaml.safe_load((case / "manifest.yaml").read_text())
    out = []
    for recipe in manifest["recipes"]:
        options = recipe.get("move_symbol")
        if options:
            out.append(Move.from_paths(options["old"], options["new"], options.get("keep_local_name", True),
                                       options.get("rename_comments", True)))
    return out


def python_files(case: Path) -> list[tuple[str, str]]:
    """(repo-relative path, text) of the case's parseable Python files that mention a moved name."""
    out = []
    for path in sorted((case / "before").rglob("*.py")):
        try:
            text = textio.decode_python(path.read_bytes()).text
            syntax.parse(text)
        except (textio.DecodeError, syntax.ParseError):
            continue
        out.append((path.relative_to(case / "before").as_posix(), text))
    return out


CASE_FILES = [(case.name, rel) for case in sorted(p for p in CASES.iterdir() if (p / "before").is_dir())
              for rel, _ in python_files(case)]


@pytest.mark.parametrize("case,rel", CASE_FILES, ids=[f"{c}/{r}" for c, r in CASE_FILES])
def test_golden_after_trees_keep_every_comment(case: str, rel: str) -> None:
    folder = CASES / case
    moves = [(m.old, m.new) for m in moves_of(folder)]
    before = textio.decode_python((folder / "before" / rel).read_bytes()).text
    after = textio.decode_python((folder / "after" / rel).read_bytes()).text
    assert census(after, moves) == census(before, moves)


def rewrite(case: Path, rel: str, text: str) -> str:
    root = case / "before"
    module, is_package = module_of(str(root), rel)
    tree = syntax.parse(text)
    for move in moves_of(case):
        migrate(tree, move, module, is_package, RepoModules(str(root)).star_names)
    return str(tree)


IMPORT = re.compile(r"^([ \t]*)from ([\w.]+) import ([\w, ]+?)[ \t]*$")
REFERRING = [(case, rel) for case, rel in CASE_FILES
             if any(m.old_name in dict(python_files(CASES / case))[rel] for m in moves_of(CASES / case))]


@st.composite
def edited_case_file(draw):
    """A golden case's file that names a moved symbol, edited at random: one-line
    from-imports spread over a parenthesized block with a comment on some names (also
    the last name, with or without a trailing comma), and comments added at line ends and
    on lines of their own."""
    case, rel = draw(st.sampled_from(REFERRING))
    lines = dict(python_files(CASES / case))[rel].split("\n")
    for i, line in enumerate(lines):
        match = IMPORT.match(line)
        if match is None or not draw(st.booleans()):
            continue
        indent, module, names = match.groups()
        parts = [n.strip() for n in names.split(",") if n.strip()]
        comma = draw(st.booleans())
        body = []
        for k, name in enumerate(parts):
            end = "," if k < len(parts) - 1 or comma else ""
            note = f"  # about {name}" if draw(st.booleans()) else ""
            above = [f"{indent}    # before {name}"] if draw(st.integers(0, 3)) == 0 else []
            body += above + [f"{indent}    {name}{end}{note}"]
        lines[i] = "\n".join([f"{indent}from {module} import (  # block" if draw(st.booleans())
                              else f"{indent}from {module} import ("] + body + [f"{indent})"])
    lines = "\n".join(lines).split("\n")
    for n in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        if draw(st.booleans()) and line.strip() and not line.rstrip().endswith("\\"):
            lines[i] = line + f"  # note {n}"
        else:
            indent = line[: len(line) - len(line.lstrip())]
            lines.insert(i, f"{indent}# remark {n}")
    return case, rel, "\n".join(lines)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_case_file())
def test_random_comment_edits_survive_the_rewrite(edited) -> None:
    case, rel, text = edited
    try:
        syntax.parse(text)
    except syntax.ParseError:
        return  # the edit broke the file (a comment after a line continuation): nothing to check
    new = rewrite(CASES / case, rel, text)
    syntax.parse(new)
    moves = [(m.old, m.new) for m in moves_of(CASES / case)]
    assert census(new, moves) == census(text, moves)
