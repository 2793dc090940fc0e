"""Test-only: journal and apply a change set, or roll a run back, in a process that the
crash tests kill at a chosen step (PHASEMOD_TEST_KILL_AT_STEP); never used by phasemod.

    python crash_driver.py apply REPO CHANGES.json   # [[path, base64 bytes | null], ...]
    python crash_driver.py rollback REPO RUN_ID

Prints {"run": id, "trail": [step names]} when it was not killed.
"""
from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

from phasemod.apply import apply_change, crash_trail
from phasemod.journal import Journal
from phasemod.lock import RepoLock
from phasemod.rollback import execute_rollback, plan_rollback


def main(argv: list[str]) -> int:
    mode, repo = argv[1], Path(argv[2])
    with RepoLock(repo, command="crash_driver " + mode), Journal.open(repo) as journal:
        if mode == "apply":
            changes = json.loads(Path(argv[3]).read_text())
            run = journal.begin_run(1, "crash", "crash_driver apply")
            for path, data in changes:
                apply_change(journal, repo, run, path, None if data is None else base64.b64decode(data))
            journal.end_run(run, "applied")
        else:
            run = int(argv[3])
            result = execute_rollback(journal, repo, plan_rollback(journal, repo, run_id=run))
            if result.conflicts:
                print("\n".join(c.conflict for c in result.conflicts), file=sys.stderr)
                return 1
    print(json.dumps({"run": run, "trail": crash_trail()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
