"""`phasemod demo`: migrate the bundled sample repository in a temporary directory.

Works only on its own copy; never touches the user's files.
"""
from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Callable

from phasemod import phases as phase_runner
from phasemod import status as status_mod
from phasemod.manifest import load_manifests


def sample_root() -> Path:
    return Path(str(resources.files("phasemod.sample") / "repo"))


def manifests_root() -> Path:
    return Path(str(resources.files("phasemod.phase_manifests")))


def prepare(target: Path) -> Path:
    """Copy the sample repository and the shipped manifests to ``target`` (must not exist)."""
    shutil.copytree(sample_root(), target, ignore=shutil.ignore_patterns("__pycache__"))
    manifests = target / "phase_manifests"
    manifests.mkdir()
    for yaml_file in sorted(manifests_root().glob("*.yaml")):
        shutil.copy2(yaml_file, manifests / yaml_file.name)
    return target


def run(keep: Path | None, color: bool, echo: Callable[..., None]) -> int:
    from phasemod import console

    if keep is not None and keep.exists():
        from phasemod.errors import UsageError

        raise UsageError(f"{keep}: already exists; name a new directory for --keep")
    workdir = Path(tempfile.mkdtemp(prefix="phasemod-demo-"))
    repo = prepare(keep if keep is not None else workdir / "netra")
    try:
        phases = load_manifests(repo / "phase_manifests")
        echo(f"sample repository: {repo}\n")
        echo("== plan")
        console.print_plan(status_mod.phase_status(repo, phases), color)
        echo("\n== run --all --yes")
        options = phase_runner.RunOptions(mode="yes", jobs=1, command="phasemod demo")
        reports = phase_runner.run_phases(repo, phases, phases, options)
        for report in reports:
            console.print_run(report, color)
            for path in report.applied:
                echo(f"    {path}")
        echo("\n== status")
        console.print_status(status_mod.phase_status(repo, phases), color)
        return phase_runner.exit_code(reports)
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
