"""The speed features keep their promises: the byte prefilter, one parse per file per
phase, deterministic parallel output, the status cache, and shard partitions."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import phasemod.syntax
from phasemod import engine, status
from phasemod.manifest import load_manifests
from phasemod.select import in_shard, names_in, repo_files, shard_of

TWO_RECIPES = """\
phase: 1
name: both
files:
  include: ["pkg/**/*.py"]
  exclude: ["pkg/old_mod.py", "pkg/other_mod.py", "pkg/new_mod.py"]
recipes:
  - move_symbol:
      old: pkg.old_mod.Old
      new: pkg.new_mod.New
      keep_local_name: false
  - move_symbol:
      old: pkg.other_mod.Other
      new: pkg.new_mod.Fresh
      keep_local_name: false
"""

USES_BOTH = "from pkg.old_mod import Old\nfrom pkg.other_mod import Other\n\nx = Old()\ny = Other()\n"
USES_OLD = "from pkg.old_mod import Old\n\n\ndef f{n}() -> Old:\n    return Old()\n"
# Files whose bytes hold the names only inside longer identifiers, or not at all.
LOOKALIKE = "class UserOld:\n    pass\n\n\nclass OldFactory:\n    made = UserOld\n"
NOTHING = "value = 42\n"


def make_tree(root: Path, users: int = 3) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/old_mod.py").write_text("class Old:\n    pass\n")
    (root / "pkg/other_mod.py").write_text("class Other:\n    pass\n")
    (root / "pkg/new_mod.py").write_text("class New:\n    pass\n\n\nclass Fresh:\n    pass\n")
    (root / "pkg/both.py").write_text(USES_BOTH)
    (root / "pkg/lookalike.py").write_text(LOOKALIKE)
    (root / "pkg/nothing.py").write_text(NOTHING)
    for n in range(users):
        (root / f"pkg/user_{n:02d}.py").write_text(USES_OLD.format(n=n))
    (root / "phase_manifests").mkdir()
    (root / "phase_manifests/01.yaml").write_text(TWO_RECIPES)
    (root / ".phasemod").mkdir()
    return root


def run_phase(repo: Path, jobs: int = 1):
    (phase,) = load_manifests(repo / "phase_manifests")
    selection = engine.select_phase(repo, phase)
    return selection, list(engine.run_selection(repo, selection, jobs=jobs))


def test_names_in_matches_whole_names_only() -> None:
    needles = (b"Old", b"old_mod")
    assert names_in(b"x = Old()", needles)
    assert names_in(b'patch("pkg.old_mod.Old.run")', needles)
    assert names_in(b"from .old_mod import thing", needles)
    assert not names_in(b"UserOld OldFactory _Old Old2 user_old_mod old_mod_v2", needles)
    assert not names_in(b"nothing here", needles)
    # A non-ASCII neighbour counts as a boundary: parsing one file too many is safe.
    assert names_in("éOld".encode(), needles)


def test_prefilter_never_parses_a_file_without_the_names(tmp_path: Path, parses: list[str]) -> None:
    repo = make_tree(tmp_path, users=2)
    selection, outcomes = run_phase(repo)
    assert "pkg/lookalike.py" in selection.files and "pkg/nothing.py" in selection.files
    assert LOOKALIKE not in parses and NOTHING not in parses
    by_path = {o.path: o for o in outcomes}
    assert by_path["pkg/lookalike.py"].status.value == "unchanged"
    assert by_path["pkg/user_00.py"].status.value == "changed"


def test_each_selected_file_is_parsed_once_with_two_recipes(tmp_path: Path, parses: list[str]) -> None:
    repo = make_tree(tmp_path, users=2)
    _, outcomes = run_phase(repo)
    assert parses.count(USES_BOTH) == 1
    assert all(parses.count(USES_OLD.format(n=n)) == 1 for n in range(2))
    both = next(o for o in outcomes if o.path == "pkg/both.py")
    # the block was sorted: the rewritten imports keep it sorted (same module: by first name)
    assert both.new_bytes.decode() == ("from pkg.new_mod import Fresh\nfrom pkg.new_mod import New\n\n"
                                       "x = New()\ny = Fresh()\n")
    assert {r for h in both.hunks for r in h.recipes} == {"move_symbol"}


def test_jobs_one_and_two_give_identical_outcomes_in_identical_order(tmp_path: Path) -> None:
    repo = make_tree(tmp_path, users=24)
    _, serial = run_phase(repo, jobs=1)
    _, parallel = run_phase(repo, jobs=2)
    assert [o.path for o in serial] == sorted(o.path for o in serial)
    assert serial == parallel


def test_status_cache_answers_an_unchanged_tree_without_parsing(tmp_path: Path, parses: list[str]) -> None:
    repo = make_tree(tmp_path, users=3)
    phases = load_manifests(repo / "phase_manifests")
    first = [s.as_json() for s in status.phase_status(repo, phases, jobs=1)]
    assert first[0]["remaining"] > 0 and parses
    parses.clear()
    again = [s.as_json() for s in status.phase_status(repo, phases, jobs=1)]
    assert again == first
    assert parses == []   # the tree did not change: nothing is parsed


def test_status_cache_rescans_a_changed_file(tmp_path: Path, parses: list[str]) -> None:
    repo = make_tree(tmp_path, users=2)
    phases = load_manifests(repo / "phase_manifests")
    before = status.phase_status(repo, phases, jobs=1)[0].remaining
    parses.clear()
    (repo / "pkg/user_00.py").write_text(USES_OLD.format(n=0) + "z = Old\n")
    after = status.phase_status(repo, phases, jobs=1)[0].remaining
    assert parses == [USES_OLD.format(n=0) + "z = Old\n"]
    assert after == before + 1


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_shards_are_disjoint_and_cover_the_selection(tmp_path: Path, count: int) -> None:
    repo = make_tree(tmp_path, users=30)
    (phase,) = load_manifests(repo / "phase_manifests")
    whole = engine.select_phase(repo, phase)
    parts = [engine.select_phase(repo, phase, shard=(k, count)) for k in range(1, count + 1)]
    seen: list[str] = [p for part in parts for p in part.files]
    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(whole.files)
    for part in parts:   # each shard keeps the recipes chosen for its files
        assert dict(zip(part.files, part.recipes)).items() <= dict(zip(whole.files, whole.recipes)).items()


def test_shard_of_is_stable_across_processes(tmp_path: Path) -> None:
    paths = [f"src/pkg_{i}/module_{i}.py" for i in range(50)]
    here = [shard_of(p, 5) for p in paths]
    code = ("import sys; from phasemod.select import shard_of; "
            "print(' '.join(str(shard_of(p, 5)) for p in sys.argv[1:]))")
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code, *paths], capture_output=True, text=True, check=True,
                             env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"})
        assert [int(x) for x in out.stdout.split()] == here
    assert all(in_shard(p, (s + 1, 5)) for p, s in zip(paths, here))
    assert len(set(here)) > 1


def test_repo_walk_is_sorted_and_skips_state(tmp_path: Path) -> None:
    repo = make_tree(tmp_path, users=2)
    (repo / ".phasemod/scan.pickle").write_bytes(b"x")
    files = repo_files(repo)
    assert files == sorted(files)
    assert not any(p.startswith(".phasemod/") for p in files)


class _Phase:
    number = 3


def test_progress_bar_shows_done_total_rate_and_eta() -> None:
    import io

    from phasemod.console import Progress

    now = [0.0]
    out = io.StringIO()
    bar = Progress(True, stream=out, clock=lambda: now[0])
    bar.start(_Phase, 8)
    for _ in range(4):
        now[0] += 0.5
        bar.update()
    assert bar.line(now[0]) == "phase 3 [############............] 4/8 files  2 files/s  ETA 0:02"
    bar.close()
    assert out.getvalue().endswith("\r") and "4/8 files" in out.getvalue()


def test_progress_is_silent_when_disabled() -> None:
    import io

    from phasemod.console import Progress

    out = io.StringIO()
    bar = Progress(False, stream=out)
    bar.start(_Phase, 3)
    for _ in range(3):
        bar.update()
    bar.close()
    assert out.getvalue() == ""
