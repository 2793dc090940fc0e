"""Hostile manifests through the real CLI: every one is a one-line `file:line: key: ...`
error with exit 2, no traceback, and nothing written inside or outside the repository.

Extends tests/test_manifest_fuzz.py (the loader alone) to whole commands.
"""
from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_support import MANIFEST, cli_run, files_of, make_repo, one_line_error, outside
from test_manifest_fuzz import BASE, FRAGMENTS, dump, mutated

SOURCE = b"from pkg.old import Old\nOld()\n"
# BASE without the user recipe (not importable here) and with paths of the test repository,
# so that mutations which keep the manifest valid really run and get rolled back.
RUNNABLE = {**BASE, "files": {"include": ["pkg/**/*.py", "docs/*.md"], "exclude": ["**/*.backup_*"]},
            "recipes": [r for r in BASE["recipes"] if ":" not in next(iter(r))], "source_roots": []}
SECOND_RUNNABLE = {**RUNNABLE, "phase": 2, "name": "second-phase", "requires": []}
OUTCOMES: dict[int, int] = {}
CLI_FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SECOND = MANIFEST.replace("phase: 1", "phase: 2").replace("name: one", "name: two")
BOMB = "".join(f"{k}: &{k} [{', '.join(['*' + p] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))

# (id, manifest text or bytes, a second manifest or None, a fragment the error must contain)
BAD = [
    ("empty", "", None, "empty"),
    ("only-comments", "# nothing\n", None, "only comments"),
    ("list-root", "- phase: 1\n", None, "mapping"),
    ("scalar-root", "hello\n", None, "mapping"),
    ("phase-not-int", MANIFEST.replace("phase: 1", "phase: one"), None, ":1: phase:"),
    ("phase-bool", MANIFEST.replace("phase: 1", "phase: true"), None, "phase:"),
    ("phase-negative", MANIFEST.replace("phase: 1", "phase: -3"), None, "phase:"),
    ("name-missing", MANIFEST.replace("name: one\n", ""), None, "name: missing"),
    ("recipes-missing", MANIFEST.split("recipes:")[0], None, "recipes:"),
    ("recipes-empty", MANIFEST.split("recipes:")[0] + "recipes: []\n", None, "recipes"),
    ("unknown-key", MANIFEST + "bogus: 1\n", None, ":10: bogus: unknown key"),
    ("unknown-recipe-key", MANIFEST + "      colour: red\n", None, "colour"),
    ("unknown-recipe", MANIFEST.replace("move_symbol:", "move_everything:"), None, "move_everything"),
    ("files-not-mapping", MANIFEST.replace('  include: ["pkg/**/*.py"]', "  - x"), None, "files"),
    ("include-not-list", MANIFEST.replace('["pkg/**/*.py"]', "7"), None, "files.include"),
    ("keep-local-name-string", MANIFEST.replace("keep_local_name: false", "keep_local_name: maybe"), None,
     "keep_local_name"),
    ("duplicate-phase", MANIFEST, MANIFEST.replace("name: one", "name: other"), "phase"),
    ("duplicate-name", MANIFEST, MANIFEST.replace("phase: 1", "phase: 2"), "name"),
    ("duplicate-key", MANIFEST + "phase: 3\n", None, "phase"),
    ("requires-cycle", MANIFEST.replace("name: one", "name: one\nrequires: [two]"),
     SECOND.replace("name: two", "name: two\nrequires: [one]"), "requires"),
    ("requires-unknown", MANIFEST.replace("name: one", "name: one\nrequires: [nine]"), None, "requires"),
    ("requires-self", MANIFEST.replace("name: one", "name: one\nrequires: [one]"), None, "requires"),
    ("python-object-tag", MANIFEST + "description: !!python/object/apply:os.system ['touch PWNED']\n", None,
     "tag"),
    ("python-name-tag", "phase: !!python/name:os.system\n" + MANIFEST.split("\n", 1)[1], None, "tag"),
    ("python-module-tag", MANIFEST + "description: !!python/module:os\n", None, "tag"),
    ("alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB + MANIFEST, None, "alias"),
    ("merge-key", "base: &b {phase: 1}\n<<: *b\n" + MANIFEST.split("\n", 1)[1], None, ""),
    ("non-utf8", MANIFEST.replace("name: one", "name: on\udcffe").encode("utf-8", "surrogateescape"), None,
     "UTF-8"),
    ("utf16", MANIFEST.encode("utf-16"), None, ""),
    ("nul-byte", MANIFEST.replace("one", "o\x00ne").encode(), None, ""),
    ("huge", MANIFEST + "description: " + "x" * 2_000_000 + "\n", None, "larger than"),
    ("deep", "a: " + "[" * 5000 + "]" * 5000 + "\n", None, "deep"),
    ("tab-indent", "phase: 1\n\tname: x\n", None, "YAML"),
    ("two-documents", MANIFEST + "---\n" + SECOND, None, ""),
    ("glob-dotdot", MANIFEST.replace("pkg/**/*.py", "../**/*.py"), None, "'..'"),
    ("glob-absolute", MANIFEST.replace("pkg/**/*.py", "/etc/*"), None, "absolute"),
    ("glob-windows", MANIFEST.replace("pkg/**/*.py", "C:\\\\x\\\\*.py"), None, "files.include"),
    ("glob-newline", MANIFEST.replace('"pkg/**/*.py"', '"pkg/\\n*.py"'), None, "files.include"),
    ("glob-empty", MANIFEST.replace('"pkg/**/*.py"', '""'), None, "files.include"),
    ("delete-dotdot", MANIFEST + "  - delete_files:\n      paths: [../sentinel/keep.txt]\n", None, "'..'"),
    ("delete-absolute", MANIFEST + "  - delete_files:\n      paths: [/etc/passwd]\n", None, "absolute"),
    ("dotted-not-identifier", MANIFEST.replace("old: pkg.old.Old", "old: pkg.1old.Old"), None, "old"),
    ("dotted-spaces", MANIFEST.replace("old: pkg.old.Old", "old: pkg.old Old"), None, "old"),
    ("dotted-empty-part", MANIFEST.replace("old: pkg.old.Old", "old: pkg..Old"), None, "old"),
    ("dotted-keyword", MANIFEST.replace("new: pkg.new.New", "new: pkg.class.New"), None, "keyword"),
    ("dotted-keyword-name", MANIFEST.replace("new: pkg.new.New", "new: pkg.new.None"), None, "new"),
    ("dotted-number", MANIFEST.replace("old: pkg.old.Old", "old: 12"), None, "old"),
    ("old-equals-new", MANIFEST.replace("new: pkg.new.New", "new: pkg.old.Old"), None, "same"),
    ("timeout-negative", MANIFEST + "validate:\n  - run: 'true'\n    timeout: -1\n", None, "timeout"),
    ("severity-unknown", MANIFEST + "validate:\n  - run: 'true'\n    severity: fatal\n", None, "severity"),
    ("on-failure-unknown", MANIFEST + "on_failure: explode\n", None, "on_failure"),
    ("run-not-string", MANIFEST + "validate:\n  - run: [rm, -rf, /]\n", None, "run"),
]


def _write_manifests(repo: Path, first: str | bytes, second: str | bytes | None) -> None:
    for name, content in (("01.yaml", first), ("02.yaml", second)):
        if content is not None:
            (repo / "phase_manifests" / name).write_bytes(content.encode() if isinstance(content, str) else content)


@pytest.mark.parametrize("command", [("plan",), ("run", "1", "--yes", "--jobs", "1"), ("status",), ("check",)],
                         ids=["plan", "run", "status", "check"])
@pytest.mark.parametrize("first, second, fragment", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_manifest_is_a_one_line_error(tmp_path: Path, first: Any, second: Any, fragment: str,
                                          command: tuple[str, ...]) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE}, manifest=None)
    _write_manifests(repo, first, second)
    before_repo, before_out = files_of(repo), outside(repo)
    result = cli_run(repo, *command)
    assert result.exit_code == 2, result.output
    message = one_line_error(result)
    assert "phase_manifests/0" in message and fragment in message
    # Each problem is one line: path:line: key: what to do.
    assert all(len(line) < 400 for line in message.splitlines())
    assert files_of(repo) == before_repo and outside(repo) == before_out
    assert not (repo / "PWNED").exists()


def test_user_recipe_failures_are_one_line_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "hostile_recipes.py").write_text(textwrap.dedent("""
        def boom(options, files):
            raise ValueError("recipe exploded")

        def garbage(options, files):
            return 42
    """))
    (plugins / "broken_module.py").write_text("raise RuntimeError('import-time failure')\n")
    monkeypatch.syspath_prepend(str(plugins))
    for name, fragment in (("no_such_package.mod:fn", "cannot import"), ("hostile_recipes:missing", "cannot import"),
                           ("broken_module:fn", "import-time failure"), ("hostile_recipes:boom", "recipe exploded"),
                           ("hostile_recipes:garbage", "did not build")):
        for jobs in ("1", "4"):
            root = tmp_path / f"{name.replace(':', '_')}-{jobs}"
            repo = make_repo(root, {f"pkg/m{i}.py": SOURCE for i in range(10)},
                             MANIFEST.replace("move_symbol:", f"{name}:"))
            before = files_of(repo), outside(repo)
            result = cli_run(repo, "run", "1", "--yes", "--jobs", jobs)
            assert result.exit_code == 2, result.output
            assert fragment in one_line_error(result)
            assert (files_of(repo), outside(repo)) == before
    sys.modules.pop("hostile_recipes", None)
    sys.modules.pop("broken_module", None)


def _fuzz_run(*manifests: bytes) -> None:
    """The CLI property: exit 2 with `phasemod:` lines and no write, or a run that
    rollback undoes byte for byte; never a traceback, never a write outside."""
    with tempfile.TemporaryDirectory() as root:
        repo = make_repo(Path(root), {"pkg/a.py": SOURCE, "pkg/old.py": b"class Old: pass\n",
                                      "docs/a.md": b"Use `pkg.old.Old` here.\n"}, manifest=None)
        _write_manifests(repo, *manifests, *([None] * (2 - len(manifests))))
        before_repo, before_out = files_of(repo), outside(repo)
        planned = cli_run(repo, "plan")
        result = cli_run(repo, "run", "--all", "--yes", "--no-validate", "--jobs", "1")
        OUTCOMES[result.exit_code] = OUTCOMES.get(result.exit_code, 0) + 1
        assert outside(repo) == before_out
        if result.exit_code == 2:
            assert planned.exit_code == 2
            one_line_error(result)
            assert files_of(repo) == before_repo
            return
        for number in sorted({int(line.split()[1]) for line in result.output.splitlines()
                              if line.startswith("phase ") and line.split()[1].isdigit()}, reverse=True):
            cli_run(repo, "rollback", str(number), "--yes")
        assert files_of(repo) == before_repo
        assert outside(repo) == before_out


@CLI_FUZZ
@given(st.just(RUNNABLE) | mutated(RUNNABLE), st.just(SECOND_RUNNABLE) | mutated(SECOND_RUNNABLE))
def test_fuzzed_manifests_through_the_cli(first: Any, second: Any) -> None:
    # Validation commands are never run here (--no-validate): fuzzed text is not executed.
    _fuzz_run(dump(first), dump(second))


@CLI_FUZZ
@given(st.lists(FRAGMENTS, max_size=10))
def test_fragment_soup_through_the_cli(fragments: list[str]) -> None:
    _fuzz_run("".join(fragments).encode("utf-8"))


@CLI_FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_through_the_cli(data: bytes) -> None:
    _fuzz_run(data)


def test_fuzz_reached_both_outcomes() -> None:
    # Runs after the fuzz tests above (file order): both rejected and applied manifests were tried.
    if OUTCOMES:
        assert OUTCOMES.get(2, 0) and sum(n for code, n in OUTCOMES.items() if code != 2), OUTCOMES
