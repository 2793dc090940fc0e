"""Change earlier decisions in a grouped review of a big phase, in a real terminal.

    python benchmarks/review_navigation.py [--tree DIR] [--phase 3]

On a fresh copy of the reference tree (generated unless --tree names one), applies the
phases before PHASE with --yes, then reviews PHASE with `run -i --grouped` in a
pseudo-terminal (pexpect): accepts, rejects, goes back (`k`), changes a decision, undoes
one (`u`), jumps (`g`), and quits. Prints how long each key took to show the next
prompt, and checks that the journal and `log --json` count each hunk once, with its
last decision.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

PROMPT = r"Apply this cluster \(\d+ hunks?\) \[[^\]]*\]\? "
KEYS = [("y", PROMPT), ("y", PROMPT), ("n", PROMPT), ("k", PROMPT), ("k", PROMPT), ("n", PROMPT), ("u", PROMPT),
        ("y", PROMPT), ("g", r"go to cluster \(1-\d+\): "), ("7\r", PROMPT), ("n", PROMPT), ("k", PROMPT),
        ("y", PROMPT)]


def main() -> None:
    import pexpect

    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--phase", default="3")
    args = parser.parse_args()
    env = dict(os.environ, NO_COLOR="1")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tree = args.tree or bench.generate(work / "tree", 1)
        repo = bench.fresh_copy(tree, work, "review")
        for earlier in range(1, int(args.phase)):
            subprocess.run([*bench.phasemod_cmd(repo, "run", str(earlier), "--yes", "--no-validate")],
                           capture_output=True, env=env)
        started = time.perf_counter()
        child = pexpect.spawn(sys.executable, ["-m", "phasemod.runner", "--repo", str(repo), "run", args.phase, "-i",
                                               "--grouped", "--no-validate"], env=env, encoding="utf-8",
                              timeout=600, dimensions=(50, 200))
        child.expect(PROMPT)
        heads = [line for line in child.before.splitlines() if line.startswith("cluster ")]
        print(f"first cluster: {time.perf_counter() - started:.1f} s  {heads[-1] if heads else ''}")
        for key, expect in KEYS:
            t = time.perf_counter()
            child.send(key)
            child.expect(expect)
            shown = [line for line in child.before.splitlines() if line.startswith(("cluster ", "("))]
            print(f"  {key!r:6} {time.perf_counter() - t:5.2f} s  {' | '.join(shown[-2:])}")
        child.send("q")
        child.expect(pexpect.EOF)
        db = sqlite3.connect(repo / ".phasemod/journal.sqlite3")
        (run,) = db.execute("SELECT max(id) FROM runs").fetchone()
        rows = db.execute("SELECT hunk_key FROM hunks WHERE run_id = ?", (run,)).fetchall()
        db.close()
        log = json.loads(subprocess.run([*bench.phasemod_cmd(repo, "log", args.phase, "--json")], capture_output=True,
                                        text=True, env=env).stdout)["runs"][-1]
        print(f"journal rows {len(rows)}, hunks {len({r[0] for r in rows})}; log --json lists {len(log['hunks'])}, "
              f"decisions {log['decisions']}")


if __name__ == "__main__":
    main()
