"""The recipe protocol: what every recipe declares, and what the engine may ask of it.

A recipe is one class in one module of ``recipes/`` (or a user's ``package.module:name``).
The engine, the manifest schema, ``plan``/``status``/``check``/``report`` and the delete
guard read recipes only through this interface, so adding a recipe touches no other file.
See docs/recipes/writing.md.
"""
from __future__ import annotations

import dataclasses
import enum
import keyword
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Sequence

from phasemod.model import Kind

if TYPE_CHECKING:
    from pathlib import Path

    from bowler import Query
    from fissix.pytree import Node

__all__ = ["Reads", "Recipe", "Example", "Found", "Source", "FilePlan", "Workspace", "Proposal", "Stage", "option",
           "dotted_path", "shown"]

_SHOW_CHARS = 60


class Reads(str, enum.Enum):
    """The kind of files a recipe reads, and so which transform it provides."""

    PYTHON = "python"   # .py/.pyi, parsed once per phase; the transform is a Bowler Query
    TEXT = "text"       # non-Python files ending in one of ``suffixes``; a text → text transform
    FILES = "files"     # no file content; the transform is a FilePlan (files to delete)


@dataclass(frozen=True)
class Example:
    """One before/after case; the tests run it and the recipe's doc page shows it."""

    options: Mapping[str, Any]   # as a manifest would write them
    before: str
    after: str
    path: str = "app/example.py"  # where the file lives (its module for Python: app.example)
    title: str = ""


@dataclass(frozen=True)
class Source:
    """One file handed to ``survey``: its text and, for Python, its parsed tree."""

    path: str                  # repo-relative, POSIX separators
    text: str
    tree: "Node | None" = None  # Python recipes only
    module: str = ""           # dotted module name ('' outside a package)
    is_package: bool = False


@dataclass(frozen=True)
class Found:
    """What ``survey`` found in one file: (1-based line, kind) of each remaining reference,
    or (line, kind, note) where the note says why a person must review it (an import
    counted as "needs review"), and whether the file also uses the new name ("imports both")."""

    references: tuple[tuple[int, Kind] | tuple[int, Kind, str], ...] = ()
    imports_new: bool = False


@dataclass(frozen=True)
class FilePlan:
    """What a FILES recipe wants done: delete ``delete`` (repo-relative paths), and whether
    that must wait until no guarded reference remains in the repository; or write
    ``write`` (path -> the file's whole new text; ``create`` lists those that do not
    exist yet), reviewed, journaled and undone like any rewrite; or nothing, because
    ``refusal`` says why (on ``refusal_path``:``refusal_line``; no path: the options
    name nothing in the repository)."""

    delete: tuple[str, ...] = ()
    guarded: bool = False
    write: Mapping[str, str] = dataclasses.field(default_factory=dict)
    create: tuple[str, ...] = ()
    refusal: str = ""
    refusal_path: str = ""
    refusal_line: int = 0


@dataclass(frozen=True)
class Workspace:
    """What a FILES recipe that writes files may read: the repository root, the phase's
    ``source_roots``, and the texts earlier recipes of the phase planned (read them
    first: the phase's plans chain in manifest order)."""

    root: "Path"
    source_roots: tuple[str, ...] = ()
    planned: Mapping[str, str] = dataclasses.field(default_factory=dict)


class Stage(str, enum.Enum):
    """The kinds of phase ``phasemod init`` proposes, in the order they run."""

    CODE = "code"        # Python files: production code, then tests
    TEXT = "text"        # docs, reports, configuration
    DELETE = "delete"    # the old module goes, once nothing refers to it


@dataclass(frozen=True)
class Proposal:
    """What ``phasemod init`` was asked to plan: move the symbol ``old`` to ``new``;
    ``old_files`` are the repository files of the old module (and its backups)."""

    old: str
    new: str
    keep_local_name: bool = True
    old_files: tuple[str, ...] = ()


class Recipe:
    """Base class of every recipe. Subclass it in one module; set the class attributes and
    implement the transform for ``reads`` (``query``, ``rewrite`` or ``plan``)."""

    id: ClassVar[str]
    description: ClassVar[str]              # one line, shown by `phasemod recipes`
    reads: ClassVar[Reads]
    Options: ClassVar[type]                 # a frozen dataclass; fields made with option()
    suffixes: ClassVar[tuple[str, ...]] = ()  # TEXT recipes: the file endings they read
    guards_deletion: ClassVar[bool] = False   # its remaining references block FILES deletions
    examples: ClassVar[Sequence[Example]] = ()

    # -- checks (the manifest calls problems(); fields check themselves first)
    def validate(self, options: Any) -> list[tuple[str, str]]:
        """Checks across fields: (option, problem) pairs. Fields are checked before."""
        return []

    def problems(self, options: Any) -> list[tuple[str, str]]:
        """Every field's own check, then (only if they pass) ``validate``."""
        found = []
        for spec in dataclasses.fields(options):
            check = spec.metadata.get("check")
            problem = check(getattr(options, spec.name)) if check else None
            if problem:
                found.append((spec.name, problem))
        return found or list(self.validate(options))

    # -- what it looks for
    def needles(self, options: Any) -> tuple[bytes, ...] | None:
        """Bytes a file must contain for the recipe to possibly change it (None: no prefilter)."""
        return None

    def guard_needles(self, options: Any) -> tuple[bytes, ...] | None:
        """Bytes every file holding a guarded reference contains (default: ``needles``)."""
        return self.needles(options)

    def words(self, options: Any) -> tuple[str, ...] | None:
        """PYTHON recipes: the identifiers the transform and the survey read. The engine
        then parses only the top-level statements that name one of them, every import,
        and the statements naming what those bind; the rest of the file stays text the
        recipe never sees (phasemod/syntax/lean.py). None (the default): whole files."""
        return None

    def subject(self, options: Any) -> str:
        """What the recipe moves away from, as references name it (``Reference.old``)."""
        return ""

    def text_pattern(self, options: Any) -> re.Pattern[str] | None:
        """For a file that cannot be parsed: a line matching this counts as a reference."""
        old = self.subject(options)
        if not old:
            return None
        return re.compile(r"(?<![\w.])" + re.escape(old.rpartition(".")[2]) + r"(?!\w)|" + re.escape(old))

    # Optional: remaining references for plan/status/check/report; None = it counts nothing.
    survey: Callable[[Any, Source], Found] | None = None

    # -- the transform, one per kind of file read
    def query(self, options: Any, files: Sequence[str]) -> "Query":
        """PYTHON: an unexecuted Bowler Query; the engine applies it to trees it parsed."""
        raise NotImplementedError(f"{self.id} reads {self.reads.value}, not Python")

    def rewrite(self, options: Any, text: str, path: str) -> str:
        """TEXT: the file's text with every reference rewritten (a second call changes nothing)."""
        raise NotImplementedError(f"{self.id} reads {self.reads.value}, not text")

    def plan(self, options: Any, files: Sequence[str], workspace: Workspace | None = None) -> FilePlan:
        """FILES: which of the repository's ``files`` to delete, or which files to write
        (``workspace`` is given when the engine plans the phase's writes; the deletion
        guard and examples of deleting recipes call it without)."""
        raise NotImplementedError(f"{self.id} reads {self.reads.value}, not file lists")

    def propose(self, proposal: Proposal, stage: Stage) -> Mapping[str, Any] | None:
        """`phasemod init`: this recipe's options (as a manifest writes them) in a proposed
        phase of ``stage`` for a symbol move, or None when it has no part in it."""
        return None

    def make_options(self, values: Mapping[str, Any]) -> Any:
        return self.Options(**values)


def dotted_words(*paths: str) -> tuple[str, ...]:
    """The first and last name of each dotted path: what every spelling of a reference to
    it (``import a.b``, ``from a import b``, ``a.b.X``, relative imports) contains."""
    return tuple(sorted({part for path in paths for part in (path.partition(".")[0], path.rpartition(".")[2])
                         if part}))


def option(*, example: Any, check: Callable[[Any], str | None] | None = None, default: Any = dataclasses.MISSING,
           repo_paths: bool = False, doc: str = "") -> Any:
    """A field of a recipe's ``Options``: ``example`` is shown in messages and docs,
    ``check(value)`` returns a problem or None, ``repo_paths`` makes the value a list of
    repo-relative globs (checked never to leave the repository)."""
    metadata = {"example": example, "check": check, "repo_paths": repo_paths, "doc": doc}
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or an OptionsMapping as a default, options are frozen")
    return dataclasses.field(default=default, metadata=metadata)


def dotted_path(example: str, min_parts: int = 1) -> Callable[[Any], str | None]:
    """A check: a dotted path of identifiers with at least ``min_parts`` parts."""
    def check(value: Any) -> str | None:
        parts = str(value).split(".")
        if not all(part.isidentifier() for part in parts):
            return f"expected a dotted path like {example}, got {shown(value)}"
        keywords = [part for part in parts if keyword.iskeyword(part)]
        if keywords:
            return f"expected a dotted path of identifiers like {example}, got {shown(value)}: {keywords[0]!r} is a Python keyword"
        if len(parts) < min_parts:
            return f"expected at least module.Name like {example}, got {shown(value)}; name the module that defines it"
        return None
    return check


def shown(value: object) -> str:
    """A value as messages echo it: YAML spelling for null/booleans, cut to one line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= _SHOW_CHARS else text[: _SHOW_CHARS - 4] + "...'"


def yaml_flow(value: Any) -> str:
    """An example value as one would write it in a manifest (flow style)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_flow(v) for v in value) + "]"
    return str(value)
