"""Test-only crash points of the write protocol: each step of a journaled write, a
rollback or a journal update counts itself here, and ``PHASEMOD_TEST_KILL_AT_STEP=N``
in the environment kills the process at the Nth step (see docs/journal.md).
"""
from __future__ import annotations

import os
import signal

KILL_ENV = "PHASEMOD_TEST_KILL_AT_STEP"

_trail: list[str] = []


def crash_point(name: str) -> None:
    """Count one step of the write protocol; with ``PHASEMOD_TEST_KILL_AT_STEP=N`` in the
    environment the process SIGKILLs itself at the Nth step (test-only, see docs/journal.md)."""
    _trail.append(name)
    target = os.environ.get(KILL_ENV, "")
    if target.isdigit() and len(_trail) == int(target):
        os.kill(os.getpid(), signal.SIGKILL)


def crash_trail() -> list[str]:
    """The names of the steps counted so far in this process (for the crash tests)."""
    return list(_trail)
