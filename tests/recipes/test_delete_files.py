"""delete_files: refusal while references remain (every one listed, file:line and kind),
journaled deletion, rollback restoring the files, and backup cleanup as a manifest entry.

Tests only; every repository is built under tmp_path.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from phasemod.runner import cli

OLD = "shop.legacy.Price"
NEW = "shop.prices.Price"

FILES = {
    "shop/__init__.py": "",
    "shop/legacy.py": '"""Deprecated: use shop.prices."""\nclass Price:\n    pass\n',
    "shop/prices.py": "class Price:\n    pass\n",
    "shop/legacy.py.backup_20250110": "class Price:  # old copy\n    pass\n",
    "shop/prices.py.backup_pre_move": "class Price:\n    pass\n",
    "app/__init__.py": "",
    "app/cart.py": "from shop.legacy import Price\n\n\ndef total() -> Price:\n    return Price()\n",
    # outside phase 1: these references block the deletion until they move too
    "scripts/report.py": ("import shop.legacy\nfrom unittest import mock\n\n\n"
                          "def run(p: 'shop.legacy.Price'):\n    with mock.patch(\"shop.legacy.Price\"):\n"
                          "        return shop.legacy.Price()\n"),
}

PHASE_1 = f"""phase: 1
name: move-price
files:
  include: ["app/**/*.py"]
recipes:
  - move_symbol:
      old: {OLD}
      new: {NEW}
"""

PHASE_2 = """phase: 2
name: cleanup
files:
  include: ["scripts/**/*.py"]
recipes:
  - delete_files:
      paths: [shop/legacy.py, "**/*.backup_*"]
      require_no_references: {required}
"""


def phasemod(repo: Path, *args: str):
    return CliRunner().invoke(cli, ["--repo", str(repo), *args])


def build(root: Path, required: bool = True) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    manifests = root / "phase_manifests"
    manifests.mkdir()
    (manifests / "01.yaml").write_text(PHASE_1)
    (manifests / "02.yaml").write_text(PHASE_2.format(required=str(required).lower()))
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".phasemod" not in p.parts and "record" not in p.relative_to(root).parts[:2]}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = build(tmp_path / "repo")
    assert phasemod(repo, "run", "1", "--yes").exit_code == 0
    return repo


def test_refuses_while_references_remain_and_lists_each(repo: Path) -> None:
    before = snapshot(repo)
    result = phasemod(repo, "run", "2", "--yes")
    assert result.exit_code == 1
    assert "delete_files refused: 4 code references" in result.output
    for expected in ("scripts/report.py:1: import:", "scripts/report.py:5: string:",
                     "scripts/report.py:6: string:", "scripts/report.py:7: instantiation:"):
        assert expected in result.output, expected
    assert snapshot(repo) == before
    data = json.loads(phasemod(repo, "run", "2", "--yes", "--json").output)
    assert [(b["path"], b["line"], b["kind"]) for b in data["phases"][0]["blocked_by"]] == [
        ("scripts/report.py", 1, "import"), ("scripts/report.py", 5, "string"),
        ("scripts/report.py", 6, "string"), ("scripts/report.py", 7, "instantiation")]


def test_deletes_once_nothing_refers_and_rollback_restores(repo: Path) -> None:
    (repo / "scripts" / "report.py").write_text("def run():\n    return None\n")
    before = snapshot(repo)
    result = phasemod(repo, "run", "2", "--yes")
    assert result.exit_code == 0, result.output
    for gone in ("shop/legacy.py", "shop/legacy.py.backup_20250110", "shop/prices.py.backup_pre_move"):
        assert not (repo / gone).exists(), gone
    assert (repo / "shop" / "prices.py").exists()
    log = json.loads(phasemod(repo, "log", "2", "--json").output)
    deleted = {(f["path"], f["action"]) for run in log["runs"] for f in run["files"]}
    assert deleted == {("shop/legacy.py", "delete"), ("shop/legacy.py.backup_20250110", "delete"),
                       ("shop/prices.py.backup_pre_move", "delete")}
    undo = phasemod(repo, "rollback", "2", "--yes")
    assert undo.exit_code == 0, undo.output
    assert snapshot(repo) == before


def test_without_the_guard_it_deletes_anyway(tmp_path: Path) -> None:
    repo = build(tmp_path / "repo", required=False)
    assert phasemod(repo, "run", "1", "--yes").exit_code == 0
    result = phasemod(repo, "run", "2", "--yes")
    assert result.exit_code == 0, result.output
    assert not (repo / "shop" / "legacy.py").exists()


def test_dry_run_names_the_files_and_deletes_nothing(repo: Path) -> None:
    (repo / "scripts" / "report.py").write_text("def run():\n    return None\n")
    before = snapshot(repo)
    result = phasemod(repo, "--no-color", "run", "2", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "deleted file shop/legacy.py" in result.output
    assert snapshot(repo) == before
