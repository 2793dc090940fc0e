"""delete_files: delete listed files once nothing refers to what they define.

Plans which files go and whether they must wait for the guard; the engine journals and
performs the deletion, and the guard counts the references of every recipe that
``guards_deletion`` in all manifests (docs/recipes/delete_files.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from phasemod.recipe import Example, FilePlan, Proposal, Reads, Recipe, Stage, Workspace, option
from phasemod.select import select


@dataclass(frozen=True)
class Options:
    paths: tuple[str, ...] = option(example=("pkg/old_module.py",), repo_paths=True,
                                    doc="paths or gitignore-style globs relative to the repo root")
    require_no_references: bool = option(example=True, default=True,
                                         doc="refuse while any code reference remains")


class DeleteFiles(Recipe):
    id = "delete_files"
    description = "Delete files (paths or globs), refusing while code still references the phase's old symbols."
    reads = Reads.FILES
    Options = Options
    # For a FILES recipe, before and after list the repository's files, one per line.
    examples = (
        Example({"paths": ["pkg/old.py", "**/*.backup_*"]}, "pkg/old.py\npkg/new.py\nlib/a.py.backup_1\n",
                "pkg/new.py\n", title="paths and globs"),
        Example({"paths": ["pkg/gone.py"]}, "pkg/old.py\n", "pkg/old.py\n", title="a path that matches nothing deletes nothing"),
    )

    def propose(self, proposal: Proposal, stage: Stage) -> dict | None:
        if stage is not Stage.DELETE or not proposal.old_files:
            return None
        return {"paths": list(proposal.old_files), "require_no_references": True}

    def plan(self, options: Options, files: Sequence[str], workspace: Workspace | None = None) -> FilePlan:
        return FilePlan(tuple(select(files, options.paths)), options.require_no_references)
