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

from phasemod import syntax
from phasemod.model import Kind
from phasemod.recipe import Example, Found, Proposal, Reads, Recipe, Source, Stage, dotted_path, option, shown
from phasemod.textrefs import (
    Block, MigratePython, doctest_runs, imports_symbol, markdown_blocks, migrate_doctest,
    migrate_snippet, rest_blocks, rewrite_dotted, rewrite_text, split_lines, starts_example,
)

CONFIG = (".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf")
SUFFIXES = (".md", ".markdown", ".rst", ".rest", ".txt", ".text") + CONFIG
BOM = "\ufeff"
COMMENT = re.compile(r"^[ \t]*[#;]")  # a whole-line comment in a config file is prose

_SYMBOL = dotted_path("pkg.mod.Name", min_parts=2)


@dataclass(frozen=True)
class Options:
    old: str = option(example="pkg.mod.Name", check=_SYMBOL, doc="dotted path: package.module.Name")
    new: str = option(example="pkg.mod.Name", check=_SYMBOL, doc="dotted path: package.module.NewName")
    bare_name: Literal["docs", "never"] = option(
        example="docs", default="docs", check=lambda v: None if v in ("docs", "never") else "expected docs or never",
        doc="docs: the bare name is rewritten in prose too; never: the full dotted path only")


_OPTIONS = {"old": "a.b.old_mod.Old", "new": "a.c.new_mod.New"}


class RenameInText(Recipe):
    id = "rename_in_text"
    description = "Rewrite a symbol's dotted path, and optionally its bare name, in Markdown, reST, YAML, TOML, INI and text."
    reads = Reads.TEXT
    Options = Options
    suffixes = SUFFIXES
    examples = (
        Example(_OPTIONS, "See `a.b.old_mod.Old.run` and a.b.old_mod:Old.\n",
                "See `a.c.new_mod.New.run` and a.c.new_mod:New.\n", "README.md", "dotted paths, with a method or a colon"),
        Example(_OPTIONS, "| Old | deprecated |\n", "| New | deprecated |\n", "README.md", "the bare name in prose"),
        Example(_OPTIONS, "Old moved out of a.b.old_mod.\n", "New moved out of a.b.old_mod.\n", "README.md",
                "the module path alone stays: the old module still exists"),
        Example(_OPTIONS, "OldFactory, UserOld and obj.Old stay.\n", "OldFactory, UserOld and obj.Old stay.\n",
                "README.md", "longer words and attributes stay"),
        Example(_OPTIONS, "```python\nengine = Old()\n```\n", "```python\nengine = New()\n```\n", "README.md",
                "a fenced Python block is migrated as code"),
        Example({**_OPTIONS, "bare_name": "never"}, "Old lives in a.b.old_mod.Old.\n",
                "Old lives in a.c.new_mod.New.\n", "README.md", "bare_name: never rewrites dotted paths only"),
        Example(_OPTIONS, "# Old is deprecated\nengine: a.b.old_mod.Old\nname: Old\n",
                "# New is deprecated\nengine: a.c.new_mod.New\nname: Old\n", "config.yaml",
                "in a config file the bare name moves only in whole-line comments"),
    )

    def propose(self, proposal: Proposal, stage: Stage) -> dict | None:
        if stage is not Stage.TEXT:
            return None
        return {"old": proposal.old, "new": proposal.new, "bare_name": "docs"}

    def validate(self, options: Options) -> list[tuple[str, str]]:
        if options.old == options.new:
            return [("new", f"is the same as old ({shown(options.old)}); write the dotted path it moves to")]
        return []

    def needles(self, options: Options) -> tuple[bytes, ...]:
        return (options.old.rpartition(".")[2].encode(),)

    def subject(self, options: Options) -> str:
        return options.old

    def rewrite(self, options: Options, text: str, path: str) -> str:  # type: ignore[override]
        return rewrite(options, text, path, python_block_migrator(options))

    def survey(self, options: Options, source: Source) -> Found:
        lines = find(options, source.text, source.path, python_block_migrator(options))
        return Found(tuple((line, Kind.DOCS) for line, _ in lines))


def python_block_migrator(options: Options) -> MigratePython:
    """Migrate a Python code block in prose with move_symbol's rules, renaming the local
    name (prose readers see the code, not an alias); None: it does not parse or conflicts."""
    from phasemod.relocate import Move, migrate

    move = Move.from_paths(options.old, options.new, keep_local_name=False)

    def migrate_block(code: str) -> str | None:
        try:
            tree = syntax.parse(code)
        except syntax.ParseError:
            return None
        if migrate(tree, move, "", False).conflicts:
            return None
        return str(tree)
    return migrate_block


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
