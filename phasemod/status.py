"""What remains to migrate, per phase and kind: the data behind plan, status, check and report.

Read-only over the tree (a scan cache and the percent baseline live in .phasemod/).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from phasemod import engine, scan
from phasemod.manifest import Phase
from phasemod.model import Kind, Reference
from phasemod.select import repo_files

KINDS = tuple(k.value for k in Kind)


@dataclass
class PhaseStatus:
    phase: Phase
    files: int = 0
    references: list[Reference] = field(default_factory=list)
    unparseable: list[tuple[str, int, str]] = field(default_factory=list)
    imports_both: list[str] = field(default_factory=list)
    needs_review: list[Reference] = field(default_factory=list)
    baseline: int | None = None

    @property
    def by_kind(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for ref in self.references:
            counts[ref.kind.value] += 1
        return counts

    @property
    def remaining(self) -> int:
        return len(self.references)

    @property
    def percent(self) -> float | None:
        if not self.baseline:
            return 100.0 if self.baseline == 0 and not self.references else None
        return round(100.0 * max(0, self.baseline - self.remaining) / self.baseline, 1)

    def as_json(self) -> dict:
        return {
            "phase": self.phase.number, "name": self.phase.name, "files": self.files,
            "remaining": self.remaining, "by_kind": self.by_kind, "baseline": self.baseline,
            "percent_migrated": self.percent,
            "references": [{"path": r.path, "line": r.line, "kind": r.kind.value, "old": r.old, "text": r.text}
                           for r in self.references],
            "unparseable": [{"path": p, "line": line, "error": e} for p, line, e in self.unparseable],
            "imports_both": self.imports_both,
            "needs_review": [{"path": r.path, "line": r.line, "text": r.text} for r in self.needs_review],
        }


def phase_status(repo: Path, phases: Sequence[Phase], shard: tuple[int, int] | None = None,
                 jobs: int | None = None, record_baseline: bool = True) -> list[PhaseStatus]:
    all_files = repo_files(repo)
    out = []
    targets_all = scan.targets_of(phases)
    roots = tuple(sorted({r for p in phases for r in p.source_roots}))
    cache = scan.ScanCache.load(repo, targets_all, roots)
    baselines = _load_baselines(repo)
    for phase in phases:
        selection = engine.select_phase(repo, phase, all_files, shard)
        items = [(path, scan.phase_targets(phase, path)) for path in selection.files]
        results = scan.scan_files(repo, items, phase.source_roots, cache, engine.default_jobs() if jobs is None
                                  else jobs)
        status = PhaseStatus(phase, len(selection.files))
        for result in results:
            status.references += result.references
            if result.error:
                status.unparseable.append((result.path, result.error_line, result.error))
            if result.imports_both:
                status.imports_both.append(result.path)
            status.needs_review += [r for r in result.references if r.kind is Kind.IMPORT and "*" in r.text]
        key = _baseline_key(phase, shard)
        if record_baseline and status.remaining > baselines.get(key, -1):
            baselines[key] = status.remaining
        status.baseline = baselines.get(key)
        out.append(status)
    if record_baseline:
        _save_baselines(repo, baselines)
    return out


def _baseline_key(phase: Phase, shard: tuple[int, int] | None) -> str:
    return f"{phase.number}:{phase.name}" + (f":{shard[0]}/{shard[1]}" if shard else "")


def _load_baselines(repo: Path) -> dict[str, int]:
    path = repo / ".phasemod" / "baseline.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): int(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _save_baselines(repo: Path, baselines: dict[str, int]) -> None:
    state = repo / ".phasemod"
    if not state.is_dir():
        return
    tmp = state / "baseline.json.tmp"
    tmp.write_text(json.dumps(baselines, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, state / "baseline.json")
