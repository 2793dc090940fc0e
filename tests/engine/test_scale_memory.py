"""What keeps memory flat on a large tree: the collector paused per file, scans that never
hold every file's bytes, and the after-phase check's facts kept least-recently-read first
out, with only the unbound names a check reads.

Tests only; repositories are built under tmp_path.
"""
from __future__ import annotations

import gc
from pathlib import Path

import pytest

from phasemod import aftercheck, collect, namecheck, scan
from phasemod.manifest import load_manifests
from repos import write_repo

MANIFEST = ("phase: 1\nname: move\nfiles:\n  include: [\"app/**/*.py\"]\nrecipes:\n"
            "  - move_symbol:\n      old: pkg.old_mod.Old\n      new: pkg.new_mod.New\n")
USER = "from pkg.old_mod import Old\nfrom pkg.util import helper\n\n\ndef f{n}():\n    return Old(helper, missing{n})\n"


def _repo(root: Path, users: int) -> Path:
    files = {"pkg/__init__.py": "", "pkg/old_mod.py": "class Old:\n    pass\n",
             "pkg/new_mod.py": "class New:\n    pass\n", "pkg/util.py": "def helper():\n    pass\n",
             "app/__init__.py": "", "app/plain.py": "x = 1\n"}
    files.update({f"app/user_{n:02d}.py": USER.format(n=n) for n in range(users)})
    return write_repo(root, files, {"01.yaml": MANIFEST})


def test_the_collector_is_paused_for_one_file_and_restored() -> None:
    assert gc.isenabled()
    with collect.per_file():
        assert not gc.isenabled()
        with collect.per_file():   # nested: still paused, and not re-enabled by the inner one
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collect.per_file():
            pass
        assert not gc.isenabled()   # a caller that paused it keeps it paused
    finally:
        gc.enable()


def test_a_pool_scan_reads_the_files_itself_and_agrees_with_a_serial_one(tmp_path: Path) -> None:
    repo = _repo(tmp_path, users=24)
    (phase,) = load_manifests(repo / "phase_manifests")
    items = [(p, scan.phase_targets(phase, p)) for p in sorted(str(f.relative_to(repo)) for f in
                                                               (repo / "app").glob("*.py"))]
    serial_cache = scan.ScanCache(None, "serial")
    pooled_cache = scan.ScanCache(None, "pooled")
    serial = scan.scan_files(repo, items, (), serial_cache, jobs=1)
    pooled = scan.scan_files(repo, items, (), pooled_cache, jobs=2)
    assert serial == pooled
    assert sum(len(r.references) for r in serial) == 24 * 2   # the import and the call of each user
    # The cache keeps each file's content hash, whoever read it.
    for path, _ in items:
        digest = scan.digest_of((repo / path).read_bytes())
        assert serial_cache.entries[path][2] == pooled_cache.entries[path][2] == digest


@pytest.fixture(autouse=True)
def _own_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept facts are process state: each test starts empty and leaves them as found."""
    monkeypatch.setattr(aftercheck, "_known", {})
    monkeypatch.setattr(aftercheck, "_watched", None)


def test_kept_facts_hold_only_the_moved_names_unbound_uses(tmp_path: Path) -> None:
    repo = _repo(tmp_path, users=1)
    phases = load_manifests(repo / "phase_manifests")
    text = USER.format(n=0)
    found = namecheck.facts(text, "app.user_00")
    assert set(found.unbound) >= {"missing0"}
    with aftercheck.watching(phases):
        aftercheck.remember("d0", "app.user_00", False, found)
        kept = aftercheck._known[("d0", "app.user_00", False)]
        assert "missing0" not in kept.unbound   # not a moved name: no check reads it
        assert kept.from_imports == found.from_imports
        aftercheck.remember("d1", "m", False, namecheck.facts("x = Old\n", "m"))
        assert aftercheck._known[("d1", "m", False)].unbound == {"Old": 1}
    # Afterwards nothing narrowed for those phases is kept, and nothing is narrowed.
    assert aftercheck._known == {} and aftercheck._watched is None
    aftercheck.remember("d0", "app.user_00", False, found)
    assert "missing0" in aftercheck._known[("d0", "app.user_00", False)].unbound


def test_the_least_recently_read_facts_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aftercheck, "_KNOWN_LIMIT", 2)
    data = {name: f"import {name}\n".encode() for name in ("a", "b", "c")}
    aftercheck._facts(data["a"], "ma", False)
    aftercheck._facts(data["b"], "mb", False)
    aftercheck._facts(data["a"], "ma", False)    # read again: now the most recent
    aftercheck._facts(data["c"], "mc", False)    # over the limit: b goes, not a
    assert [key[1] for key in aftercheck._known] == ["ma", "mc"]
