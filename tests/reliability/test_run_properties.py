"""Properties of run and rollback over generated small trees (mixed CRLF/LF, BOM, tabs,
file modes), driving the engine API with a scripted ``decide`` callback for speed:
run then rollback is byte-identical; a second run changes nothing; a review with random
decisions (quit and resume included) then rollback is byte-identical."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from cli_repo import MANIFEST, snapshot
from phasemod import phases as run_api
from phasemod.manifest import load_manifests
from phasemod.phases import Decision, Prompt, RunOptions

LINES = ["x = Old()", "y: Old = None", "print('Old is old')", "z = 1", "if isinstance(z, Old):\n{i}pass",
         "def g():\n{i}return Old", "# Old in a comment", "class Sub(Old):\n{i}pass"]

files = st.lists(st.fixed_dictionaries({
    "newline": st.sampled_from(["\n", "\r\n"]),
    "mixed": st.booleans(),          # one LF line in a CRLF file (or the reverse)
    "bom": st.booleans(),
    "indent": st.sampled_from(["    ", "\t"]),
    "mode": st.sampled_from([0o644, 0o755, 0o600, 0o664]),
    "body": st.lists(st.sampled_from(LINES), max_size=5),
    "imports": st.booleans(),
}), min_size=1, max_size=4)


def build(root: Path, specs: list[dict]) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/old_mod.py").write_text("class Old:\n    pass\n")
    (root / "pkg/new_mod.py").write_text("class New:\n    pass\n")
    for n, spec in enumerate(specs):
        lines = (["from pkg.old_mod import Old"] if spec["imports"] else []) + \
            [line.format(i=spec["indent"]) for line in spec["body"]]
        text = "".join(line + ("\n" if spec["mixed"] and k == 0 and spec["newline"] == "\r\n" else spec["newline"])
                       for k, line in enumerate("\n".join(lines).split("\n")))
        path = root / f"pkg/p1_{n}.py"
        path.write_bytes((b"\xef\xbb\xbf" if spec["bom"] else b"") + text.encode())
        os.chmod(path, spec["mode"])
    (root / "phase_manifests").mkdir()
    (root / "phase_manifests/01.yaml").write_text(MANIFEST.format(number=1, name="phase-1", requires="[]",
                                                                  include='"pkg/p1_*.py"', validate="",
                                                                  on_failure="rollback"))
    return root


def run(repo: Path, mode: str = "yes", decide=None, revisit: bool = False):
    phases = load_manifests(repo / "phase_manifests")
    options = RunOptions(mode=mode, jobs=1, revisit=revisit, command="property test")
    return run_api.run_phases(repo, phases, phases, options, decide)


def rollback_all(repo: Path) -> None:
    phases = load_manifests(repo / "phase_manifests")
    result = run_api.rollback(repo, phases, 1, None, force=False)
    assert result.ok


SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(files)
def test_run_then_rollback_is_byte_identical_and_second_run_changes_nothing(specs: list[dict]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = build(Path(tmp) / "repo", specs)
        original = snapshot(repo)
        first = run(repo)
        assert not first[0].problems(), first[0].findings
        migrated = snapshot(repo)
        second = run(repo)
        assert second[0].applied == [] and snapshot(repo) == migrated
        rollback_all(repo)
        assert snapshot(repo) == original


@SETTINGS
@given(files, st.data())
def test_random_review_then_rollback_is_byte_identical(specs: list[dict], data: st.DataObject) -> None:
    keys = st.sampled_from([Decision.ACCEPT, Decision.REJECT, Decision.ACCEPT_FILE, Decision.REJECT_FILE,
                            Decision.ACCEPT_ALL, Decision.QUIT, Decision.EDIT])

    def decide(prompt: Prompt):
        decision = data.draw(keys)
        if decision is Decision.EDIT:   # an edit that parses, or one that must be refused
            good = data.draw(st.booleans())
            text = "".join(prompt.hunk.after)
            return decision, text if good else text + "(\n"
        return decision, None

    with tempfile.TemporaryDirectory() as tmp:
        repo = build(Path(tmp) / "repo", specs)
        original = snapshot(repo)
        for _ in range(data.draw(st.integers(1, 3))):       # quit and resume, maybe more than once
            run(repo, "interactive", decide, revisit=data.draw(st.booleans()))
        rollback_all(repo)
        assert snapshot(repo) == original
