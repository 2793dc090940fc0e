"""The engine's error hierarchy: every user-facing failure is one of these.

The runner maps them to exit codes (2 for bad input, 1 for problems found); the engine
never prints, never exits and never shows a traceback itself.
"""
from __future__ import annotations


class EngineError(Exception):
    """Base class: a failure the user can act on; ``str()`` is the one-line message."""

    exit_code = 2


class UsageError(EngineError):
    """Bad command-line usage or a missing/invalid repository path."""


class ManifestError(EngineError):
    """One or more manifest problems, each already formatted as ``file:line: key: what to do``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class SelectionError(EngineError):
    """A glob or path that is unsafe (outside the repo) or malformed."""


class ProblemsFound(EngineError):
    """The command ran and found problems (conflicts, failed validation, remaining refs)."""

    exit_code = 1
