"""Run a phase's validation commands in the repo root, with timeouts and bounded output.

Commands are taken as written in the manifest; nothing is interpolated into them. They
run with the directory of the Python running phasemod first on ``PATH``, so ``python``
and ``phasemod`` in a command are the ones of the environment phasemod runs in (as tox
and nox do for their environments).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from phasemod.manifest import Validation

TAIL_BYTES = 4000


@dataclass(frozen=True)
class ValidationResult:
    command: str
    severity: str
    exit_code: int | None     # None: it did not finish (timeout) or could not start
    duration: float
    timed_out: bool
    output_tail: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


def command_env() -> dict[str, str]:
    """The environment of a validation command: ours, with our interpreter's directory first on PATH."""
    env = dict(os.environ)
    bindir = os.path.dirname(os.path.abspath(sys.executable))
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def run_validations(repo: Path, checks: Sequence[Validation]) -> list[ValidationResult]:
    return [run_one(repo, check) for check in checks]


def run_one(repo: Path, check: Validation) -> ValidationResult:
    started = time.monotonic()
    # Output goes to a temporary file, not a pipe: a flooding command cannot block us
    # and we keep only the tail.
    import tempfile

    with tempfile.TemporaryFile() as out:
        try:
            proc = subprocess.Popen(check.run, shell=True, cwd=repo, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True, env=command_env())
        except OSError as exc:
            return ValidationResult(check.run, check.severity, None, 0.0, False, f"cannot start: {exc}")
        timed_out = False
        try:
            code: int | None = proc.wait(timeout=check.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            code = None
        except BaseException:   # Ctrl-C / SIGTERM: the command must not outlive us
            _kill_group(proc)
            raise
        duration = time.monotonic() - started
        size = out.seek(0, os.SEEK_END)
        out.seek(max(0, size - TAIL_BYTES))
        tail = out.read().decode("utf-8", "replace")
    if timed_out:
        tail += f"\n[phasemod: timed out after {check.timeout:g}s; the command and its children were killed]"
    return ValidationResult(check.run, check.severity, code, duration, timed_out, tail)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the command's whole process group, then SIGKILL whatever is left of it
    (a child that ignores SIGTERM, or outlives its parent, is killed too)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
