"""The facts about the file being rewritten that a recipe callback may need.

Set by the engine around each file; recipes read it and report findings into it.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from phasemod.model import Finding, FindingKind


@dataclass
class FileContext:
    path: str                 # repo-relative, POSIX separators
    module: str               # dotted module name ('' if the file is not in a package)
    is_package: bool
    recipe: str = ""
    findings: list[Finding] = field(default_factory=list)
    modules: Any = None       # a starnames.RepoModules: what a star import of a repo module provides

    def report(self, kind: FindingKind, line: int, message: str) -> None:
        self.findings.append(Finding(kind, self.path, line, message, self.recipe))


_current: ContextVar[FileContext] = ContextVar("phasemod_file")


def current() -> FileContext:
    """The file being processed (LookupError outside the engine)."""
    return _current.get()


@contextmanager
def entering(ctx: FileContext) -> Iterator[FileContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def module_rewriter(migrate: Callable[..., Any], move: Any) -> Callable[..., None]:
    """A Bowler ``modify`` callback that runs a whole-module rewriter (``migrate(tree,
    move, module, is_package)``) on the current file and reports its findings."""
    def rewrite(node: Any, capture: dict, filename: str) -> None:
        ctx = current()
        outcome = migrate(node, move, ctx.module, ctx.is_package)
        for line, message in outcome.conflicts:
            ctx.report(FindingKind.CONFLICT, line, message)
        for line, message in outcome.needs_review:
            ctx.report(FindingKind.NEEDS_REVIEW, line, message)
    return rewrite
