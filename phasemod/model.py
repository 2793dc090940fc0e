"""Frozen records that flow from the engine to the runner: hunks, findings, outcomes.

Pure values: nothing here touches disk, prompts or prints.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Kind(str, enum.Enum):
    """What a reference to an old symbol is, as counted by ``status``."""

    IMPORT = "import"
    INSTANTIATION = "instantiation"
    ANNOTATION = "annotation"
    REFERENCE = "reference"
    STRING = "string"
    DOCS = "docs"


class FindingKind(str, enum.Enum):
    CONFLICT = "conflict"          # the rewrite would bind a name the file already binds
    NEEDS_REVIEW = "needs_review"  # a use the recipe cannot resolve (star import, ...)
    UNPARSEABLE = "unparseable"    # the file could not be parsed
    DROPPED = "dropped"            # the rewrite broke the file and was not applied
    REFUSED = "refused"            # a write was refused (file changed, dirty, ...)
    UNSAFE = "unsafe"              # the result would leave a name unbound or a repo import broken


@dataclass(frozen=True)
class Finding:
    """Something a user must look at, with the place it is about."""

    kind: FindingKind
    path: str      # repo-relative, POSIX separators
    line: int      # 1-based; 0 when it concerns the whole file
    message: str
    recipe: str = ""

    def render(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.kind.value}: {self.message}"


@dataclass(frozen=True)
class Reference:
    """One remaining reference to an old symbol (``status``, ``check``, ``plan``)."""

    path: str
    line: int
    kind: Kind
    old: str        # the dotted ``old`` it refers to
    text: str = ""  # the source line, stripped
    note: str = ""  # why a person must look at it (an unresolvable star import), else ''


@dataclass(frozen=True)
class Hunk:
    """One contiguous change of a file: lines ``start .. start+len(before)`` (1-based)
    become ``after``. ``before``/``after`` keep their line endings."""

    path: str
    index: int              # 0-based position among the file's hunks
    start: int              # 1-based first line in the original text
    before: tuple[str, ...]
    after: tuple[str, ...]
    recipes: tuple[str, ...] = ()
    context_before: tuple[str, ...] = ()
    context_after: tuple[str, ...] = ()
    ordinal: int = 0        # how many earlier hunks of the file make the very same change

    @property
    def key(self) -> str:
        """Identity of the hunk across runs: path, content and ordinal, not the line
        number, which moves when an earlier hunk of the file was applied."""
        import hashlib

        digest = hashlib.sha1("".join(self.before).encode() + b"\0" + "".join(self.after).encode()).hexdigest()
        return f"{self.path}:{digest[:16]}:{self.ordinal}"


class Status(str, enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class FileOutcome:
    """What the engine proposes for one file. For a changed file ``old_bytes`` is what
    was read and ``new_bytes`` the fully rewritten file (encoding, BOM and newlines
    kept); applying a subset of ``hunks`` is the caller's choice. Unchanged and failed
    outcomes carry no bytes."""

    path: str
    status: Status
    old_bytes: bytes = b""
    new_bytes: bytes = b""
    hunks: tuple[Hunk, ...] = ()
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    encoding: str = "utf-8"
    delete: bool = False    # the recipe deletes the file (delete_files)
    create: bool = False    # the file does not exist yet (move_definition's new module)
    learned: "Learned | None" = field(default=None, compare=False)   # batch runs only (engine)


@dataclass(frozen=True)
class Learned:
    """What the engine learnt, from its own parse, of the file as its outcome leaves it
    (the new bytes when changed, else the bytes read): the phase's survey of it and the
    import safety net's facts. Used only while the file's content hash is ``digest``."""

    digest: str
    module: str
    is_package: bool
    facts: object = None    # namecheck facts (Python files)
    scan: object = None     # scan.FileScan under the phase's targets (changed files)


@dataclass(frozen=True)
class PhaseResult:
    """Everything one phase proposed, in deterministic (path) order."""

    phase: int
    name: str
    outcomes: tuple[FileOutcome, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> tuple[FileOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status is Status.CHANGED)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for o in self.outcomes for f in o.findings)
