"""Grouped review through CliRunner: cluster decisions, split, quit and resume mid-cluster,
journal rows per hunk with the cluster id, rollback, and `plan --clusters --json`."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cli_repo import run_cli, tree_bytes
from repos import write_repo

from phasemod.clusters import cluster, edit_script
from phasemod.grouped import GROUP_THRESHOLD, order
from phasemod.model import Hunk
from bench_paths import GENERATOR

MANIFEST = """\
phase: 1
name: phase-1
requires: []
files:
  include: ["pkg/m*.py"]
recipes:
  - move_symbol:
      old: pkg.old_mod.Old
      new: pkg.new_mod.New
      keep_local_name: false
"""
IMPORT, CALL, ATTRIBUTE, STRING = "import", "call", "attribute", "string"


def module(n: int, call: bool, attribute: bool, string: bool) -> str:
    text = f'"""Module {n}."""\nfrom pkg.old_mod import Old\n\n\n'
    if call:
        text += f"def make_{n}(ctx):\n    return Old(ctx, {n})\n\n\n"
    if attribute:
        text += f"current_{n} = Old.default()\n"
    if string:
        text += 'TARGET = "pkg.old_mod.Old"\n'
    return text


def make_repo(root: Path, files: int = 6) -> Path:
    """Four clusters: the import in every file (6), the call in m0-m3 (4), a class
    attribute in m0-m2 (3) and a dotted-path string in the last file (1, unusual)."""
    tree = {"pkg/__init__.py": "", "pkg/old_mod.py": "class Old:\n    pass\n", "pkg/new_mod.py": "class New:\n    pass\n"}
    tree.update({f"pkg/m{n}.py": module(n, n < 4, n < 3, n == files - 1) for n in range(files)})
    return write_repo(root, tree, {"01.yaml": MANIFEST})


def journal_rows(repo: Path) -> list[dict]:
    db = sqlite3.connect(repo / ".phasemod/journal.sqlite3")
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT run_id, path, idx, hunk_key, decision, cluster FROM hunks ORDER BY id")]
    finally:
        db.close()


def cluster_ids(repo: Path) -> dict[str, str]:
    """Which cluster id each kind of edit has, from `plan --clusters --json`."""
    result = run_cli(repo, "plan", "--clusters", "--json")
    assert result.exit_code == 0, result.output
    (phase,) = json.loads(result.stdout)["clusters"]
    ids = {}
    for c in phase["clusters"]:
        kind = IMPORT if "import" in c["signature"] else STRING if '"' in c["signature"] else \
            ATTRIBUTE if "{+New+}." in c["signature"] else CALL
        ids[kind] = c["id"]
    return ids


def test_plan_clusters_json_counts_decisions_and_writes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    before = tree_bytes(repo)
    result = run_cli(repo, "plan", "--clusters", "--json")
    assert result.exit_code == 0, result.output
    (phase,) = json.loads(result.stdout)["clusters"]
    assert (phase["phase"], phase["hunks"], phase["decisions"], phase["unusual"]) == (1, 14, 4, 1)
    assert [c["size"] for c in phase["clusters"]] == [6, 4, 3, 1]
    assert [c["unusual"] for c in phase["clusters"]] == [False, False, False, True]
    assert phase["clusters"][0]["files"] == 6 and phase["clusters"][0]["paths"][0] == "pkg/m0.py"
    assert "-from pkg.old_mod import Old" in phase["clusters"][0]["example"]
    # plan records the progress baseline in .phasemod/ and nothing else (no journal, no tree change)
    assert tree_bytes(repo) == before and not (repo / ".phasemod/journal.sqlite3").exists()
    text = run_cli(repo, "--no-color", "plan", "--clusters")
    assert "14 hunks in 4 clusters" in text.stdout


def test_accept_split_reject_then_rows_carry_cluster_ids(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    ids = cluster_ids(repo)
    # import: y; call: split (y n y n); attribute: n; string: y. The imports accepted with
    # uses rejected would leave `Old` unbound in m0-m3: the safety net asks once, and `D`
    # drops what needs the rejected uses in every such file.
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--grouped", input="y\ns\ny\nn\ny\nn\nn\ny\nD\n")
    assert result.exit_code == 0, result.output
    assert "cluster 1/4" in result.stdout and "UNUSUAL" in result.stdout
    assert "(cluster " + ids[CALL] + ": hunk 2/4, file 2/4" in result.stdout
    assert result.stdout.count("these decisions would break the file") == 1
    assert "safety net: pkg/m1.py: " in result.stdout and "drop 1" in result.stdout
    for n in range(4):
        assert "pkg.old_mod import Old" in (repo / f"pkg/m{n}.py").read_text()
    assert "from pkg.new_mod import New" in (repo / "pkg/m4.py").read_text()
    assert 'TARGET = "pkg.new_mod.New"' in (repo / "pkg/m5.py").read_text()
    rows = journal_rows(repo)
    assert all(r["run_id"] == 1 for r in rows)
    by_cluster: dict[str, list[str]] = {}
    for r in rows:
        by_cluster.setdefault(r["cluster"], []).append(r["decision"])
    # the cluster decisions, then what the safety net dropped (4 imports, 2 calls)
    assert by_cluster == {ids[IMPORT]: ["accepted"] * 6 + ["rejected"] * 4,
                          ids[CALL]: ["accepted", "rejected"] * 2 + ["rejected"] * 2,
                          ids[ATTRIBUTE]: ["rejected"] * 3, ids[STRING]: ["accepted"]}
    # `log --json` shows each hunk once with its last decision, cluster ids included, and
    # the run's summary counts the same.
    log = json.loads(run_cli(repo, "log", "--json").stdout)
    last = {r["hunk_key"]: r for r in rows}
    assert sorted((h["path"], h["index"], h["cluster"], h["decision"]) for h in log["runs"][0]["hunks"]) == \
        sorted((r["path"], r["idx"], r["cluster"], r["decision"]) for r in last.values())
    counts = log["runs"][0]["decisions"]
    assert f"{counts['accepted']} hunks accepted, {counts['rejected']} rejected" in result.stdout


def test_quit_mid_cluster_then_resume_asks_only_the_rest(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    ids = cluster_ids(repo)
    first = run_cli(repo, "--no-color", "run", "1", "-i", "--grouped", input="y\ns\ny\nn\nq\n")
    assert first.exit_code == 0, first.output
    assert "resumes where you left off" in first.stdout
    decided = journal_rows(repo)
    assert [(r["path"], r["decision"], r["cluster"]) for r in decided[6:]] == \
        [("pkg/m0.py", "accepted", ids[CALL]), ("pkg/m1.py", "rejected", ids[CALL])]
    # Only m4 (the import, its only hunk) is fully decided: the others wait for the rest.
    assert (repo / "pkg/m4.py").read_text().count("pkg.new_mod") == 1
    assert "pkg.old_mod" in (repo / "pkg/m0.py").read_text()
    # The rejected call (m1) and attribute cluster would leave `Old` unbound: `T` takes
    # what they need in every such file.
    second = run_cli(repo, "--no-color", "run", "1", "-i", "--grouped", input="y\nn\ny\nT\n")
    assert second.exit_code == 0, second.output
    assert second.stdout.count("Apply this cluster") == 3
    assert f"cluster 1/3 [{ids[CALL]}]: 2 hunks in 2 files (2 decided earlier)" in second.stdout
    assert "Apply this hunk" not in second.stdout
    assert "return New(ctx, 0)" in (repo / "pkg/m0.py").read_text()
    assert "return New(ctx, 1)" in (repo / "pkg/m1.py").read_text()
    assert "return New(ctx, 3)" in (repo / "pkg/m3.py").read_text()
    assert "current_0 = New.default()" in (repo / "pkg/m0.py").read_text()
    rows = [r for r in journal_rows(repo) if r["run_id"] == 2]
    # The resumed run records every hunk it applies, earlier decisions included, each
    # with its cluster id; the safety net's takes follow, without one.
    assert all(r["cluster"] for r in rows if r["decision"] == "rejected")
    decided = [(r["path"], r["idx"], r["decision"]) for r in rows]
    assert decided.index(("pkg/m1.py", 1, "rejected")) < decided.index(("pkg/m1.py", 1, "accepted"))
    third = run_cli(repo, "--no-color", "run", "1", "-i", "--grouped", input="")
    assert "Apply this" not in third.stdout


def test_rollback_after_grouped_review_is_byte_identical(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    original = tree_bytes(repo)
    assert run_cli(repo, "run", "1", "-i", "--grouped", input="y\ns\ny\nn\nq\n").exit_code == 0
    assert run_cli(repo, "run", "1", "-i", "--grouped", input="y\ny\nn\nD\n").exit_code == 0
    assert tree_bytes(repo) != original
    result = run_cli(repo, "rollback", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert tree_bytes(repo) == original


def test_unusual_first_and_split_accept_all(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    ids = cluster_ids(repo)
    # The unusual string cluster comes first; then split the import cluster and `A`.
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--grouped", "--unusual-first", input="n\ns\nA\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.index(ids[STRING]) < result.stdout.index(ids[IMPORT])
    assert result.stdout.count("Apply this") == 3
    assert 'TARGET = "pkg.old_mod.Old"' in (repo / "pkg/m5.py").read_text()
    assert "current_0 = New.default()" in (repo / "pkg/m0.py").read_text()
    assert {r["decision"] for r in journal_rows(repo) if r["cluster"] != ids[STRING]} == {"accepted"}


def test_grouping_is_the_default_only_above_the_threshold(tmp_path: Path) -> None:
    small = make_repo(tmp_path / "small")
    result = run_cli(small, "--no-color", "run", "1", "-i", input="q\n")
    assert "Apply this hunk" in result.stdout and "Apply this cluster" not in result.stdout
    big = make_repo(tmp_path / "big", files=GROUP_THRESHOLD)
    result = run_cli(big, "--no-color", "run", "1", "-i", input="q\n")
    assert "Apply this cluster" in result.stdout
    result = run_cli(big, "--no-color", "run", "1", "-i", "--one-by-one", input="q\n")
    assert "Apply this hunk" in result.stdout and "Apply this cluster" not in result.stdout


def test_help_and_unknown_keys_do_not_decide(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--grouped", input="?\nx\nq\n")
    assert "s - split" in result.stdout and "unknown key 'x'" in result.stdout
    assert journal_rows(repo) == []


def test_order_puts_unusual_first_keeping_size_order() -> None:
    hunks = [Hunk(f"p{i}.py", 0, 1, ("a = Old()\n",), ("a = New()\n",)) for i in range(3)]
    hunks += [Hunk("q.py", 0, 1, ("# Old\n",), ("# New\n",))]
    clusters = cluster(hunks)
    assert [c.size for c in clusters] == [3, 1]
    assert [c.size for c in order(clusters, unusual_first=True)] == [1, 3]
    assert all(len({edit_script(h) for h in c.hunks}) == 1 for c in clusters)


# ---------------------------------------------------------------- the generated tree
CORPUS_GENERATOR = GENERATOR


def test_generated_tree_clusters_hold_identical_token_edits(tmp_path: Path) -> None:
    """The engine's real hunks on a generated tree: inside every cluster, every hunk makes
    the same raw token-level change (lexed, not normalised) and has the same edit script."""
    import subprocess
    import sys

    import pytest

    from phasemod.clusters import _merge, lex
    from phasemod.grouped import phase_clusters
    from phasemod.manifest import load_manifests

    if not CORPUS_GENERATOR.exists():
        pytest.skip(f"{CORPUS_GENERATOR} is not available")
    root = tmp_path / "corpus"
    subprocess.run([sys.executable, str(CORPUS_GENERATOR), str(root), "--files", "300", "--affected", "80",
                    "--refs", "600"], check=True, capture_output=True)
    total_hunks = total_decisions = 0
    for phase in load_manifests(root / "phase_manifests"):
        data = phase_clusters(root, phase, jobs=2)
        assert sum(c.size for c in data.clusters) == data.hunks
        for c in data.clusters:
            scripts = {edit_script(h) for h in c.hunks}
            assert len(scripts) == 1, c.signature
            changes = {tuple((it[1], it[2]) for it in _merge(lex("".join(h.before)), lex("".join(h.after)))
                             if it[0] == "~") for h in c.hunks}
            assert len(changes) == 1, (c.signature, changes)
        total_hunks += data.hunks
        total_decisions += data.decisions
    assert total_hunks > 200 and total_decisions * 4 < total_hunks


# ---------------------------------------------------------------- --filter-kind, --filter-path
def test_plan_filters_references_and_clusters_and_names_the_edit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    data = json.loads(run_cli(repo, "plan", "--clusters", "--json", "--filter-kind", "string",
                              "--filter-kind", "import").stdout)
    (status,) = data["phases"]
    assert status["by_kind"]["string"] == 1 and status["by_kind"]["import"] == 6 and status["remaining"] == 7
    (phase,) = data["clusters"]
    assert (phase["hunks"], phase["left_out"]) == (7, 7)
    assert [c["edit"] for c in phase["clusters"]] == ["import of Old from pkg.old_mod -> New from pkg.new_mod",
                                                      "string: pkg.old_mod.Old -> pkg.new_mod.New"]
    text = run_cli(repo, "--no-color", "plan", "--clusters", "--filter-path", "pkg/m5.py").stdout
    assert "filter: path pkg/m5.py" in text and "2 hunks in 2 clusters (12 hunks left out by the filter)" in text
    assert "1 hunk in 1 file (unusual), e.g. pkg/m5.py" in text
    assert "      string: pkg.old_mod.Old -> pkg.new_mod.New" in text


def test_unknown_kind_and_filters_without_review_are_usage_errors(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    result = run_cli(repo, "run", "1", "-i", "--filter-kind", "imports")
    assert result.exit_code == 2
    assert ("--filter-kind 'imports': unknown kind; use one of import, instantiation, annotation, reference, "
            "string, docs") in result.stderr
    assert run_cli(repo, "plan", "--filter-kind", "call").exit_code == 2
    result = run_cli(repo, "run", "1", "--yes", "--filter-path", "pkg/m1.py")
    assert result.exit_code == 2 and "use them with -i" in result.stderr
    assert journal_rows(repo) == [] if (repo / ".phasemod/journal.sqlite3").exists() else True


def test_one_by_one_review_with_a_kind_filter_leaves_the_rest_undecided(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    before = tree_bytes(repo)
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--one-by-one", "--filter-kind", "instantiation",
                     input="y\n" * 7)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Apply this hunk") == 7          # the calls and the attribute uses
    assert "7 hunks left out by the filter: undecided" in result.stdout
    assert "validation skipped" not in result.stdout or "not complete" in result.stdout
    # Every file still has an undecided import: none is written, the decisions are recorded.
    assert tree_bytes(repo) == before
    assert [r["decision"] for r in journal_rows(repo)] == ["accepted"] * 7
    # Without the filter, only what was left out is asked; then every file is written.
    second = run_cli(repo, "--no-color", "run", "1", "-i", "--one-by-one", input="A\n")
    assert second.exit_code == 0, second.output
    assert second.stdout.count("Apply this hunk") == 1 and "left out" not in second.stdout
    assert "return New(ctx, 0)" in (repo / "pkg/m0.py").read_text()
    assert 'TARGET = "pkg.new_mod.New"' in (repo / "pkg/m5.py").read_text()


def test_grouped_review_with_a_path_filter_and_a_refused_cluster_edit(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "repo")
    seen: list[str] = []
    edits = iter(["+from pkg.new_mod import Neww", "+from pkg.new_mod import New  # moved"])

    def edit(text: str, **kw) -> str:
        seen.append(text)
        return "\n".join(next(edits) if line.startswith("+") else line for line in text.split("\n"))

    monkeypatch.setattr("click.edit", edit)
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--grouped", "--filter-path", "pkg/m[45].py",
                     input="e\ne\ny\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Apply this cluster") == 3       # import (refused edit, edit), string
    assert "cluster 1/2 [" in result.stdout and "2 hunks in 2 files" in result.stdout
    assert "! the edited example breaks a name" in result.stdout
    assert seen[1].startswith("# refused: the edited example breaks a name")
    assert "edited 2 hunks of cluster" in result.stdout
    assert "11 hunks left out by the filter" in result.stdout
    assert (repo / "pkg/m4.py").read_text().count("from pkg.new_mod import New  # moved") == 1
    assert 'TARGET = "pkg.new_mod.New"' in (repo / "pkg/m5.py").read_text()
    assert "pkg.old_mod" in (repo / "pkg/m0.py").read_text()


def test_undo_takes_back_a_cluster_edit(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "repo")
    monkeypatch.setattr("click.edit", lambda text, **kw: text.replace("+from pkg.new_mod import New",
                                                                      "+from pkg.new_mod import New  # moved"))
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--grouped", "--no-validate", input="e\nu\ny\nA\n")
    assert result.exit_code == 0, result.output
    assert "edited 6 hunks of cluster" in result.stdout
    assert "(undone: cluster 1 (edited); decide it again)" in result.stdout
    assert [r["decision"] for r in journal_rows(repo)].count("accepted") == 14
    assert not any("# moved" in (repo / f"pkg/m{n}.py").read_text() for n in range(6))
