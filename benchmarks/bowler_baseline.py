#!/usr/bin/env python3
"""The baseline phasemod is compared with: Bowler's stock rename, used as its README
shows, over every .py file under ROOT (one query, no phases, no review).

    python benchmarks/bowler_baseline.py ROOT [--old DOTTED] [--new DOTTED]

It renames the module in imports and the class where Bowler's class selector finds it;
benchmarks/score_tree.py then shows what that leaves behind.
"""
from __future__ import annotations

import argparse

from bowler import Query

OLD = "netra_backend.app.agents.supervisor.execution_engine.ExecutionEngine"
NEW = "netra_backend.app.agents.supervisor.user_execution_engine.UserExecutionEngine"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root")
    ap.add_argument("--old", default=OLD, help="dotted path of the class to move")
    ap.add_argument("--new", default=NEW, help="dotted path it moves to")
    opts = ap.parse_args()
    old_module, old_class = opts.old.rsplit(".", 1)
    new_module, new_class = opts.new.rsplit(".", 1)
    query = Query([opts.root]).select_module(old_module).rename(new_module)
    query = query.select_class(old_class).rename(new_class)
    query.execute(write=True, interactive=False, silent=True)
    print(f"retcode={query.retcode} exceptions={len(query.exceptions)}")


if __name__ == "__main__":
    main()
