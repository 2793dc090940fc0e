"""rename_in_text: rewrite a dotted path (and optionally the bare name) in prose and config files.

A pure text transform on decoded str; never chooses files, writes, or reflows a line.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Literal

from phasemod.textrefs import (
    Block, MigratePython, doctest_runs, imports_symbol, markdown_blocks, migrate_doctest,
    migrate_snippet, rest_blocks, rewrite_dotted, rewrite_text, split_lines, starts_example,
)

ID = "rename_in_text"
DESCRIPTION = "Rewrite a symbol's dotted path, and optionally its bare name, in Markdown, reST, YAML, TOML, INI and text."
TARGET = "text"

CONFIG = (".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf")
SUFFIXES = (".md", ".markdown", ".rst", ".rest", ".txt", ".text") + CONFIG
DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
BOM = "\ufeff"
COMMENT = re.compile(r"^[ \t]*[#;]")  # a whole-line comment in a config file is prose

# Rewritten with old=a.b.old_mod.Old, new=a.c.new_mod.New, bare_name=docs, in a .md file.
EXAMPLES = [
    ("See `a.b.old_mod.Old.run` and a.b.old_mod:Old.\n", "See `a.c.new_mod.New.run` and a.c.new_mod:New.\n"),
    ("| Old | deprecated |\n", "| New | deprecated |\n"),
    ("Old moved out of a.b.old_mod.\n", "New moved out of a.b.old_mod.\n"),
    ("OldFactory, UserOld and obj.Old stay.\n", "OldFactory, UserOld and obj.Old stay.\n"),
    ("```python\nengine = Old()\n```\n", "```python\nengine = New()\n```\n"),
]


@dataclass(frozen=True)
class Options:
    old: str                                   # dotted path: package.module.Name
    new: str                                   # dotted path: package.module.NewName
    bare_name: Literal["docs", "never"] = "docs"  # docs: the bare name in prose too


def validate(options: Options) -> list[tuple[str, str]]:
    problems = [(key, "expected a dotted path like pkg.mod.Name") for key in ("old", "new")
                if not DOTTED.match(getattr(options, key))]
    if options.bare_name not in ("docs", "never"):
        problems.append(("bare_name", "expected docs or never"))
    return problems


def rewrite(options: Options, text: str, path: str, migrate_python: MigratePython | None = None) -> str:
    """The text with every reference rewritten; a second call changes nothing."""
    return _migrate(options, text, path, migrate_python)[0]


def find(options: Options, text: str, path: str,
         migrate_python: MigratePython | None = None) -> list[tuple[int, str]]:
    """(1-based line, stripped text) of every line `rewrite` would change."""
    lines = split_lines(text.removeprefix(BOM))
    return [(n + 1, lines[n].strip()) for n in _migrate(options, text, path, migrate_python)[1]]


def _migrate(options: Options, text: str, path: str, hook: MigratePython | None) -> tuple[str, list[int]]:
    suffix = PurePosixPath(path).suffix.lower()
    bom = BOM if text.startswith(BOM) else ""
    lines = split_lines(text[len(bom):])
    blocks = markdown_blocks(lines) if suffix in (".md", ".markdown") else rest_blocks(lines) if suffix in (".rst", ".rest") else []
    code = {b.start: b for b in blocks if b.language in ("python", "doctest") and b.end > b.start}
    limits = sorted([b.start for b in blocks] + [b.end for b in blocks] + [len(lines)])
    out: list[str] = []
    changed: list[int] = []
    i = 0
    while i < len(lines):
        block = code.get(i)
        if block is None and starts_example(lines[i]):
            block = doctest_runs(lines, i, next(limit for limit in limits if limit > i))[0]
        block = block or Block(i, i + 1, "text")
        old = lines[block.start:block.end]
        new = _migrate_code(options, old, block, hook) if block.language != "text" and hook else None
        if new is None:  # the whole block is prose, not only its first line
            new = [rewrite_text(line, options.old, options.new, bare=_prose(options, suffix, line)) for line in old]
        if new != old:
            for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
                # a pure insertion is reported on the line it follows
                span = range(i1, i2) if i2 > i1 else [max(0, min(i1, len(old)) - 1)]
                changed += [block.start + k for k in span if tag != "equal"]
        out += new
        i = block.end
    return bom + "".join(out), sorted(set(changed))


def _prose(options: Options, suffix: str, line: str) -> bool:
    """May the bare name be rewritten on this line?"""
    return options.bare_name == "docs" and (suffix not in CONFIG or bool(COMMENT.match(line)))


def _migrate_code(options: Options, lines: list[str], block: Block, hook: MigratePython) -> list[str] | None:
    """Code migrated by the hook; None means "treat it as prose": it does not parse, or the
    hook left alone a fragment that imports nothing of ours (its names mean what the prose
    around it means)."""
    doctest = block.language == "doctest" or next((ln for ln in lines if ln.strip()), "").lstrip().startswith(">>>")
    dotted = partial(rewrite_dotted, old_full=options.old, new_full=options.new)
    new = migrate_doctest(lines, hook, dotted) if doctest else migrate_snippet(lines, hook)
    if new == lines and not imports_symbol("".join(lines), options.old, options.new):
        return None
    return new
