"""`phasemod run` through CliRunner: modes, scripted review, resume, --revisit, dry run, log."""
from __future__ import annotations

import json
import re
from pathlib import Path

from cli_repo import make_repo, run_cli, snapshot, tree_bytes, use_file


def asked(output: str, path: str, hunk: int, file: int, hunks: int = 9, files: int = 3) -> bool:
    """Whether the review header for hunk/file was shown. While the engine is still
    reading, the totals are those found so far and end in "+"; otherwise exact."""
    pattern = rf"{re.escape(path)} \(hunk {hunk}/(\d+)(\+?), file {file}/(\d+)(\+?), phase 1 phase-1\)"
    for m in re.finditer(pattern, output):
        hunk_total, more, file_total, more2 = int(m[1]), m[2], int(m[3]), m[4]
        assert more == more2
        assert (hunk_total, file_total) == (hunks, files) if not more else hunk_total <= hunks and file_total <= files
        return True
    return False


def test_dry_run_writes_nothing_at_all(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    before = snapshot(repo)
    result = run_cli(repo, "run", "--all", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "-    return Old()  # use 0" in result.stdout and "+    return New()  # use 0" in result.stdout
    assert "3 would change" in result.stdout
    assert snapshot(repo) == before
    assert not (repo / ".phasemod").exists()


def test_without_a_terminal_or_mode_exit_2_and_never_wait(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    result = run_cli(repo, "run", "1", input="y\n")
    assert result.exit_code == 2
    assert "no terminal to ask on: pass --yes" in result.stderr
    assert not (repo / ".phasemod").exists()


def test_two_modes_are_bad_usage(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    assert run_cli(repo, "run", "1", "--yes", "--dry-run").exit_code == 2


def test_yes_then_second_run_changes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    first = run_cli(repo, "run", "1", "--yes", "--json")
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)["phases"][0]
    assert data["hunks_accepted"] == 9 and len(data["applied"]) == 3 and data["rolled_back"] is False
    after = snapshot(repo)
    second = run_cli(repo, "run", "1", "--yes", "--json")
    assert second.exit_code == 0
    assert json.loads(second.stdout)["phases"][0]["applied"] == []
    assert snapshot(repo) == after


def test_scripted_review_quit_keeps_decisions_and_resumes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    original = tree_bytes(repo)
    first = run_cli(repo, "run", "1", "-i", input="y\nn\nq\n")
    assert first.exit_code == 0, first.output
    assert asked(first.stdout, "pkg/p1_0.py", 1, 1) and asked(first.stdout, "pkg/p1_0.py", 3, 1)
    assert "`phasemod run 1 -i` resumes" in first.stdout
    assert "validation skipped" not in first.stdout or "stopped" in first.stdout
    # The file under review is left as it was; its two decisions are recorded.
    assert tree_bytes(repo) == original
    log = json.loads(run_cli(repo, "log", "1", "--json").stdout)
    assert [h["decision"] for h in log["runs"][0]["hunks"]] == ["accepted", "rejected"]

    # Resume: only hunk 3 of the first file is asked, then the rest is accepted. Hunk 2
    # rejected would leave `Old` unbound: the safety net asks, `t` takes it too.
    second = run_cli(repo, "run", "1", "-i", input="y\nt\nA\n")
    assert second.exit_code == 0, second.output
    assert "(hunk 1/" not in second.stdout and "(hunk 2/" not in second.stdout
    assert asked(second.stdout, "pkg/p1_0.py", 3, 1)
    assert "undefined name 'Old' (bound before the rewrite, unbound after it)" in second.stdout
    text = (repo / "pkg/p1_0.py").read_text()
    assert "from pkg.new_mod import New" in text
    assert "return New()  # use 0" in text and "return New()  # use 1" in text   # hunk 2 taken too
    assert (repo / "pkg/p1_2.py").read_text() == use_file(2).replace("pkg.old_mod import Old", "pkg.new_mod import New") \
        .replace("Old()", "New()")

    rolled = run_cli(repo, "rollback", "1", "--yes")
    assert rolled.exit_code == 0, rolled.output
    assert tree_bytes(repo) == original


def test_revisit_asks_again(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    run_cli(repo, "run", "1", "-i", input="n\nq\n")
    resumed = run_cli(repo, "run", "1", "-i", input="q\n")
    assert asked(resumed.stdout, "pkg/p1_0.py", 2, 1) and "(hunk 1/" not in resumed.stdout
    revisit = run_cli(repo, "run", "1", "-i", "--revisit", input="q\n")
    assert asked(revisit.stdout, "pkg/p1_0.py", 1, 1)


def test_review_keys_file_and_help(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    result = run_cli(repo, "run", "1", "-i", "--no-validate", input="?\nx\na\nd\ny\nn\nn\nd\n")
    assert result.exit_code == 0, result.output
    assert "a - accept this hunk and the rest of this file" in result.stdout
    assert "unknown key 'x'" in result.stdout
    # a: file 1 whole; d: file 2 rejected whole; file 3: y n n would leave `Old` unbound,
    # and `d` at the safety net's question drops the import change too
    assert "New()" not in (repo / "pkg/p1_1.py").read_text()
    assert (repo / "pkg/p1_0.py").read_text().count("New()") == 2
    assert (repo / "pkg/p1_2.py").read_text() == use_file(2)
    log = json.loads(run_cli(repo, "log", "--json").stdout)
    decisions = [h["decision"] for h in log["runs"][0]["hunks"]]
    # each hunk once, with its last decision: file 3's import, first accepted, was dropped
    assert decisions == ["accepted"] * 3 + ["rejected"] * 6
    assert log["runs"][0]["decisions"] == {"accepted": 3, "edited": 0, "rejected": 6}
    assert "3 hunks accepted, 6 rejected" in result.stdout


def test_edit_in_editor_then_unparseable_edit_shown_again(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "repo", files=1, uses=1)
    edits = iter(["    return New(  # broken", "    return New()  # edited by hand"])
    seen = []
    # The editor gets the whole hunk; the second edit starts from the refused one.
    monkeypatch.setattr("click.edit", lambda text, **kw: seen.append(text) or re.sub(r"(?m)^\+.*$", "+" + next(edits),
                                                                                     text))
    result = run_cli(repo, "run", "1", "-i", "--no-validate", input="y\ne\ne\n")
    assert result.exit_code == 0, result.output
    assert "the edited hunk does not parse" in result.stdout
    assert "+    return New(  # broken" in result.stdout   # the refused edit is shown again
    assert "-    return Old()  # use 0" in seen[0] and "# refused: " not in seen[0]
    assert "# refused: the edited hunk does not parse" in seen[1] and "+    return New(  # broken" in seen[1]
    assert "return New()  # edited by hand" in (repo / "pkg/p1_0.py").read_text()
    hunks = json.loads(run_cli(repo, "log", "--json").stdout)["runs"][0]["hunks"]
    assert hunks[1]["decision"] == "edited" and hunks[1]["after"] == "    return New()  # edited by hand\n"


def test_editor_failure_asks_again(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=1, uses=1)
    result = run_cli(repo, "run", "1", "-i", "--no-validate", input="e\nn\nq\n",
                     env={"EDITOR": "false", "VISUAL": "false"})
    assert "the editor failed" in result.stdout
    assert result.exit_code == 0


def test_an_edit_is_kept_when_the_review_resumes(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "repo", files=1, uses=2)
    monkeypatch.setattr("click.edit", lambda text, **kw: re.sub(r"(?m)^\+.*$", "+    return New()  # edited by hand",
                                                                 text))
    run_cli(repo, "run", "1", "-i", "--no-validate", input="n\ne\nq\n")
    assert "New" not in (repo / "pkg/p1_0.py").read_text()     # quit inside the file: nothing written
    resumed = run_cli(repo, "run", "1", "-i", "--no-validate", input="y\nt\n")
    assert resumed.exit_code == 0 and resumed.stdout.count("Apply this hunk") == 1
    # the rejected import would leave `New` unbound: `t` takes it too, the edit is kept
    assert "undefined name 'New'" in resumed.stdout
    text = (repo / "pkg/p1_0.py").read_text()
    assert "return New()  # edited by hand" in text and "from pkg.new_mod import New" in text


def test_an_edit_that_changes_the_context_is_refused_and_offered_again(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "repo", files=1, uses=1)
    seen: list[str] = []
    fixes = iter([lambda t: t.replace(" def f0():", " def g0():"),                      # context changed
                  lambda t: t.replace(" def g0():", " def f0():").replace("+    return New()  # use 0",
                                                                          "+    return New()  # kept")])
    monkeypatch.setattr("click.edit", lambda text, **kw: seen.append(text) or next(fixes)(text))
    result = run_cli(repo, "--no-color", "run", "1", "-i", "--no-validate", input="y\ne\ne\n")
    assert result.exit_code == 0, result.output
    assert "! the edit was refused: the ' ' and '-' lines must stay as shown (line 6 of the file differs)" \
        in result.stdout
    # Offered again from what was written, the reason on top; the context is fixed there.
    assert seen[1].startswith("# refused: the ' ' and '-' lines must stay as shown") and " def g0():" in seen[1]
    assert "return New()  # kept" in (repo / "pkg/p1_0.py").read_text()
