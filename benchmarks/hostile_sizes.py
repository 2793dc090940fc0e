"""Per-file cost against file size: one generated module of many top-level statements,
each naming the old class, migrated with `phasemod run 1 --yes --jobs 1`.

    python benchmarks/hostile_sizes.py [MB ...]          # default: 1 10

Prints, per size, the statements, wall seconds and peak RSS of the phasemod process, and
the time ratio against the first size. Works in a temporary directory it removes.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MANIFEST = """phase: 1
name: one
files:
  include: ["pkg/**/*.py"]
recipes:
  - move_symbol:
      old: pkg.old.Old
      new: pkg.new.New
      keep_local_name: false
"""


def make(root: Path, megabytes: float) -> int:
    (root / "pkg").mkdir(parents=True)
    (root / "phase_manifests").mkdir()
    (root / "phase_manifests/01.yaml").write_text(MANIFEST)
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/old.py").write_text("class Old:\n    pass\n")
    (root / "pkg/new.py").write_text("class New:\n    pass\n")
    lines, size, n = ["from pkg.old import Old\n"], 0, 0
    while size < megabytes * 1_000_000:
        lines.append(f"value_{n} = Old() if {n} else None\n")
        size += len(lines[-1])
        n += 1
    (root / "pkg/big.py").write_text("".join(lines))
    return n


def main(sizes: list[float]) -> None:
    first = None
    for megabytes in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            statements = make(Path(tmp), megabytes)
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "phasemod.runner", "--repo", tmp, "--max-file-size",
                                   str(int(megabytes) + 1), "run", "1", "--yes", "--jobs", "1"],
                                  capture_output=True, text=True)
            took = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        first = first or took
        print(f"{megabytes:6.1f} MB  {statements:8d} statements  exit {proc.returncode}  {took:8.1f} s  "
              f"peak RSS so far {rss} MB  time x{took / first:.1f}", flush=True)


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [1.0, 10.0])
