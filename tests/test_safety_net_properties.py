"""The safety net as a property (hypothesis): random review decisions (accept, reject,
edit-to-identity, and take/drop when asked) on every golden case and on a small
generated tree; every file phasemod writes still binds every name and resolves every
repo import it did before, or the run reported it."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bench_paths import GENERATOR
from phasemod import namecheck, phases as run_api, textio
from phasemod.journal import Journal
from phasemod.manifest import load_manifests
from phasemod.model import FindingKind
from phasemod.modules import module_of
from phasemod.phases import Decision, Prompt, RunOptions

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "before").is_dir())
CHOICES = [Decision.ACCEPT, Decision.REJECT, Decision.EDIT, Decision.ACCEPT_FILE, Decision.REJECT_FILE]


class Scripted:
    """A reviewer whose every answer hypothesis draws."""

    def __init__(self, data) -> None:
        self.data = data
        self.asked = 0

    def __call__(self, prompt: Prompt) -> tuple[Decision, str | None]:
        choice = self.data.draw(st.sampled_from(CHOICES))
        if choice is Decision.EDIT:
            return choice, "".join(prompt.hunk.after)     # an edit that changes nothing
        return choice, None

    def resolve(self, question) -> tuple[str, str | None]:
        self.asked += 1
        return self.data.draw(st.sampled_from(["take", "drop", "take-all", "drop-all", "quit"])), None


def review(repo: Path, data) -> tuple[list, Scripted]:
    phases = load_manifests(repo / "phase_manifests")
    reviewer = Scripted(data)
    options = RunOptions(mode="interactive", validate=False, allow_dirty=True, jobs=1, grouping="one-by-one")
    reports = run_api.run_phases(repo, phases, phases, options, decide=reviewer)
    return reports, reviewer


def assert_written_files_are_whole(repo: Path, reports: list) -> None:
    reported = {f.path for r in reports for f in r.findings + r.after if f.kind is FindingKind.UNSAFE}
    index = namecheck.ModuleIndex(repo)
    with Journal.open(repo, create=False) as journal:
        records = journal.files([r.id for r in journal.runs()], with_content=True)
    for record in records:
        if record.state != "applied" or not record.path.endswith((".py", ".pyi")) or record.path in reported \
                or not (repo / record.path).exists() or record.content_before is None:
            continue    # deleted by the phase, or created
        before = textio.decode_python(record.content_before).text
        after = textio.decode_python((repo / record.path).read_bytes()).text
        module, is_package = module_of(str(repo), record.path)
        problems = namecheck.check_rewrite(before, after, module, is_package, index)
        assert not problems, (record.path, [p.message for p in problems], after)
        try:
            compile(before, record.path, "exec", dont_inherit=True)
        except SyntaxError:
            continue    # newer syntax than the running Python: phasemod's own parser judged it
        compile(after, record.path, "exec", dont_inherit=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), data=st.data())
def test_random_reviews_of_golden_cases_write_only_whole_files(name: str, data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(CASES / name / "before", repo)
        (repo / "phase_manifests").mkdir()
        shutil.copy(CASES / name / "manifest.yaml", repo / "phase_manifests" / "01.yaml")
        reports, _ = review(repo, data)
        assert_written_files_are_whole(repo, reports)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    if not GENERATOR.exists():
        pytest.skip(f"{GENERATOR} is not available")
    root = tmp_path_factory.mktemp("generated") / "tree"
    subprocess.run([sys.executable, str(GENERATOR), str(root), "--files", "150", "--affected", "40", "--refs", "200"],
                   check=True, capture_output=True)
    for manifest in (root / "phase_manifests").glob("*.yaml"):   # no validation commands
        text = manifest.read_text()
        manifest.write_text(text.split("\nvalidate:")[0] + "\n" + ("on_failure: rollback\n"
                                                                    if "on_failure" in text else ""))
    return root


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_reviews_of_a_generated_tree_write_only_whole_files(generated: Path, data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "tree"
        shutil.copytree(generated, repo)
        reports, _ = review(repo, data)
        assert_written_files_are_whole(repo, reports)
