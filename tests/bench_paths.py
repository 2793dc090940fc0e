"""Where the shared benchmark material lives: beside the repository (as CI lays it out),
else at the workstation's fixed path."""
from __future__ import annotations

from pathlib import Path

_BESIDE = Path(__file__).resolve().parents[2] / "shared" / "bench"
BENCH_DIR = _BESIDE if _BESIDE.is_dir() else Path("/work/shared/bench")
GENERATOR = BENCH_DIR / "make_netra_corpus.py"
SCORER = BENCH_DIR / "score_corpus.py"
