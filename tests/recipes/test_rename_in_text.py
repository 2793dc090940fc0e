"""rename_in_text and textrefs: golden cases, word rules, code blocks, the generated corpus.

Tests only; they never touch files outside tmp_path.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from phasemod import textrefs
from phasemod.recipes import rename_in_text
from phasemod.recipes.rename_in_text import Options, find, rewrite
from bench_paths import BENCH_DIR

CASES = Path(__file__).parents[1] / "cases_text"
BENCH = BENCH_DIR


def alias_hook(old: str, new: str):
    """A stand-in for move_symbol in keep_local_name mode, good for the snippets here:
    `from old_mod import Old[, Other]` becomes `from new_mod import New as Old` (others stay),
    dotted uses move, and `import old_mod` follows when nothing else uses it."""
    old_mod, _, old_name = old.rpartition(".")
    new_mod, _, new_name = new.rpartition(".")

    def split(m: re.Match[str]) -> str:
        names = [n.strip() for n in m.group(2).split(",")]
        if old_name not in names:
            return m.group()
        rest = [n for n in names if n != old_name]
        moved = f"{m.group(1)}from {new_mod} import {new_name} as {old_name}"
        return moved + (f"\n{m.group(1)}from {old_mod} import {', '.join(rest)}" if rest else "")

    def hook(code: str) -> str | None:
        try:
            ast.parse(code)
        except SyntaxError:
            return None
        code = textrefs.rewrite_dotted(code, old, new)
        code = re.sub(rf"^([ \t]*)from {re.escape(old_mod)} import ([\w, ]+)$", split, code, flags=re.M)
        if f"{old_mod}." not in code:
            code = re.sub(rf"^([ \t]*)import {re.escape(old_mod)}$", rf"\1import {new_mod}", code, flags=re.M)
        return code

    return hook


def rename_hook(old: str, new: str):
    """A stand-in for move_symbol with keep_local_name false: import and uses both move."""
    def hook(code: str) -> str | None:
        try:
            ast.parse(code)
        except SyntaxError:
            return None
        return textrefs.rewrite_text(code, old, new, bare=True)

    return hook


def load_case(folder: Path):
    spec = yaml.safe_load((folder / "options.yaml").read_text())
    hook_name = spec.pop("migrate_python", "none")
    options = Options(**spec)
    hook = {"none": None, "alias": alias_hook(options.old, options.new)}[hook_name]
    before = next(folder.glob("before.*"))
    after = folder / ("after" + before.suffix)
    return options, hook, before, after


@pytest.mark.parametrize("folder", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_golden_case(folder: Path) -> None:
    options, hook, before, after = load_case(folder)
    text, expected = before.read_bytes().decode("utf-8"), after.read_bytes().decode("utf-8")
    migrated = rewrite(options, text, before.name, hook)
    assert migrated == expected
    assert rewrite(options, migrated, before.name, hook) == migrated, "second run changed something"
    assert find(options, migrated, before.name, hook) == []
    changed = [n for n, (a, b) in enumerate(zip(text.split("\n"), migrated.split("\n")), 1) if a != b]
    if text.count("\n") == migrated.count("\n"):  # same shape: find names exactly the changed lines
        assert [n for n, _ in find(options, text, before.name, hook)] == changed


@pytest.mark.parametrize("example", rename_in_text.RenameInText.examples, ids=lambda e: e.title)
def test_examples(example) -> None:
    options = Options(**example.options)
    assert rewrite(options, example.before, example.path) == example.after
    assert rewrite(options, example.after, example.path) == example.after


@pytest.mark.parametrize("text, expected", [
    ("Old", "New"), ("Old.run()", "New.run()"), ("`Old`", "`New`"), ("OldFactory", "OldFactory"),
    ("UserOld", "UserOld"), ("old_Old", "old_Old"), ("Old_Config", "Old_Config"), ("obj.Old", "obj.Old"),
    ("old_mod.Old", "new_mod.New"), ("b.old_mod.Old.x", "c.new_mod.New.x"), ("z.old_mod.Old", "z.old_mod.Old"),
    ("..Old", "..Old"), ("other:Old", "other:Old"), ("old_mod:Old", "new_mod:New"), ("Öld Old", "Öld New"),
], ids=repr)
def test_rewrite_words(text: str, expected: str) -> None:
    assert textrefs.rewrite_words(text, "Old", "New", old_module="a.b.old_mod", new_module="a.c.new_mod") == expected


def test_rewrite_words_without_module_only_takes_unqualified_words() -> None:
    assert textrefs.rewrite_words("Old, old_mod.Old, Old.x", "Old", "New") == "New, old_mod.Old, New.x"


@pytest.mark.parametrize("text, expected", [
    ("a.b.old_mod.Old", "a.c.new_mod.New"), ("a.b.old_mod.Old.run", "a.c.new_mod.New.run"),
    ("'a.b.old_mod:Old'", "'a.c.new_mod:New'"), ("a.b.old_mod.OldFactory", "a.b.old_mod.OldFactory"),
    ("x.a.b.old_mod.Old", "x.a.b.old_mod.Old"), ("xa.b.old_mod.Old", "xa.b.old_mod.Old"),
    ("a.b.old_mod.Old.", "a.c.new_mod.New."), ("Old", "Old"), ("a.b.old_mod", "a.b.old_mod"),
], ids=repr)
def test_rewrite_dotted(text: str, expected: str) -> None:
    assert textrefs.rewrite_dotted(text, "a.b.old_mod.Old", "a.c.new_mod.New") == expected


def test_new_name_containing_old_name_is_idempotent() -> None:
    old, new = "p.execution_engine.ExecutionEngine", "p.user_execution_engine.UserExecutionEngine"
    once = textrefs.rewrite_text("ExecutionEngine and p.execution_engine.ExecutionEngine", old, new, bare=True)
    assert once == "UserExecutionEngine and p.user_execution_engine.UserExecutionEngine"
    assert textrefs.rewrite_text(once, old, new, bare=True) == once


@pytest.mark.parametrize("text", [
    "2.0: marshmallow.fields gained a keyword.", ".. automodule:: a.b.old_mod", "import a.b.old_mod",
    "see a.b.old_mod.Other and a.b.old_mod:helper",
])
def test_module_path_alone_is_no_reference_of_a_symbol_move(text: str) -> None:
    # One class moved out of a module that still exists: the module path alone stays.
    for old, new in (("a.b.old_mod.Old", "a.c.new_mod.New"), ("marshmallow.fields.Nested", "marshmallow.nested.Nested")):
        options = Options(old, new)
        assert rewrite(options, text + "\n", "CHANGELOG.md") == text + "\n"
        assert find(options, text + "\n", "CHANGELOG.md") == []


def test_an_import_line_in_prose_is_the_full_path() -> None:
    options = Options("a.b.old_mod.Old", "a.c.new_mod.New", "never")
    text = "Use `from a.b.old_mod import Old as X`; `from a.b.old_mod import Old, Other` stays.\n"
    assert rewrite(options, text, "notes.md") == ("Use `from a.c.new_mod import New as X`; "
                                                 "`from a.b.old_mod import Old, Other` stays.\n")


def test_find_reports_lines_without_changing_anything() -> None:
    options = Options("a.b.old_mod.Old", "a.c.new_mod.New")
    text = "intro\r\n  Old here  \r\nOldFactory\n"
    assert find(options, text, "notes.txt") == [(2, "Old here")]
    assert find(Options(options.old, options.new, "never"), text, "notes.txt") == []


def test_hook_is_called_with_dedented_code_and_reindented() -> None:
    seen: list[str] = []

    def hook(code: str) -> str:
        seen.append(code)
        return code.replace("x = 1", "x = 2\ny = 3")

    text = "- item\n\n  ```python\n  if True:\n      x = 1\n  ```\n"
    out = rewrite(Options("a.b.old_mod.Old", "a.c.new_mod.New"), text, "doc.md", hook)
    assert seen == ["if True:\n    x = 1\n"]
    assert out == "- item\n\n  ```python\n  if True:\n      x = 2\n  y = 3\n  ```\n"


def test_validate() -> None:
    recipe = rename_in_text.RenameInText()
    assert recipe.problems(Options("a.b.Old", "a.c.New")) == []
    assert [k for k, _ in recipe.problems(Options("Old", "a.c.New", "always"))] == ["old", "bare_name"]  # type: ignore[arg-type]


def test_suffixes_cover_the_documented_formats() -> None:
    for suffix in (".md", ".rst", ".txt", ".yaml", ".yml", ".toml", ".ini", ".cfg"):
        assert suffix in rename_in_text.RenameInText.suffixes


FRAGMENTS = ["ExecutionEngine", "UserExecutionEngine", "ExecutionEngineFactory", "p.execution_engine",
             "p.execution_engine.ExecutionEngine", "p.execution_engine:ExecutionEngine", "execution_engine.",
             "obj.", ".", ":", " ", "\t", "\n", "\r\n", "`", "```python\n", "```\n", "~~~py\n", ">>> ", "... ",
             "::\n", ".. code-block:: python\n", "    ", "x = ", "(", ")", "# ", "import ", "from ", "\ufeff"]
PROPERTY_OPTIONS = Options("p.execution_engine.ExecutionEngine", "p.user_execution_engine.UserExecutionEngine")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40), st.sampled_from(["a.md", "a.rst", "a.yaml", "a.txt"]),
       st.booleans())
def test_property_idempotent_and_sed_safe(parts: list[str], path: str, with_hook: bool) -> None:
    text = "".join(parts)
    hook = rename_hook(PROPERTY_OPTIONS.old, PROPERTY_OPTIONS.new) if with_hook else None
    once = rewrite(PROPERTY_OPTIONS, text, path, hook)
    assert rewrite(PROPERTY_OPTIONS, once, path, hook) == once
    assert "UserUser" not in once and "user_user" not in once
    assert once.count("ExecutionEngineFactory") == text.count("ExecutionEngineFactory")
    if not with_hook:  # the word rules never add, drop or change a line ending
        assert [ln[len(ln.rstrip("\r\n")):] for ln in once.split("\n")] == \
               [ln[len(ln.rstrip("\r\n")):] for ln in text.split("\n")]
    assert bool(find(PROPERTY_OPTIONS, text, path, hook)) == (once != text)


# ---------------------------------------------------------------- generated corpus

@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (BENCH / "make_netra_corpus.py").exists():
        pytest.skip("bench scripts not available")
    out = tmp_path_factory.mktemp("corpus") / "netra"
    subprocess.run([sys.executable, str(BENCH / "make_netra_corpus.py"), str(out),
                    "--files", "300", "--affected", "80", "--refs", "600"], check=True, capture_output=True)
    return out


def _score_module():
    spec = importlib.util.spec_from_file_location("score_corpus", BENCH / "score_corpus.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_generated_corpus_markdown(corpus: Path, tmp_path: Path) -> None:
    exp = json.loads((corpus / "EXPECTED.json").read_text(encoding="utf-8"))
    options = Options(exp["old"], exp["new"])
    hook = rename_hook(exp["old"], exp["new"])
    migrated = tmp_path / "migrated"
    for src in corpus.rglob("*"):
        if src.is_file():
            dst = migrated / src.relative_to(corpus)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
    md = [p for top in ("docs", "reports") for p in (migrated / top).rglob("*.md")]
    assert md
    for path in md:
        text = path.read_bytes().decode("utf-8")
        new = rewrite(options, text, path.name, hook)
        assert rewrite(options, new, path.name, hook) == new
        path.write_bytes(new.encode("utf-8"))
    result = _score_module().score(corpus, migrated, exp)
    docs_md = [r for r in exp["refs"] if r["kind"] == "docs" and r["file"].endswith(".md")]
    assert docs_md
    md_outcomes = result["migrated_by_kind"]["docs"]
    md_files = {r["file"] for r in docs_md}
    py_docs = sum(1 for r in exp["refs"] if r["kind"] == "docs" and r["file"] not in md_files)
    migrated_docs, total_docs = map(int, md_outcomes.split("/"))
    assert total_docs - migrated_docs == py_docs, "every Markdown docs reference is migrated"
    assert result["damaged_by_kind"].get("docs_decoy", 0) == 0
    assert result["corruption_tokens_added"] == 0
