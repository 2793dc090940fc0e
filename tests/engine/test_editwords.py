"""A cluster's edit in words and as a token diff (phasemod/editwords.py), and the replay
of one hunk's edit on the other hunks of its cluster (phasemod/editmerge.py)."""
from __future__ import annotations

import pytest

from phasemod.clusters import EXAMPLES
from phasemod.editmerge import replay
from phasemod.editwords import describe, token_diff
from phasemod.model import Hunk

OLD = "netra_backend.app.agents.supervisor.execution_engine"
NEW = "netra_backend.app.agents.supervisor.user_execution_engine"
WORDS = {
    "import kept under the old name":
        f"import of ExecutionEngine from {OLD} -> UserExecutionEngine as ExecutionEngine from {NEW}",
    "import renamed": f"import of ExecutionEngine from {OLD} -> UserExecutionEngine from {NEW}",
    "call renamed": "call: ExecutionEngine -> UserExecutionEngine",
    "decoy: a longer name": "call: ExecutionEngineFactory -> UserExecutionEngineFactory",
    "annotation": "annotation: ExecutionEngine -> UserExecutionEngine",
    "dotted-path string": f"string: {OLD}.ExecutionEngine.execute_agent -> {NEW}.UserExecutionEngine.execute_agent",
    "comment": "comment: ExecutionEngine -> UserExecutionEngine",
}


def hunk(before: str, after: str, context: tuple[str, ...] = ()) -> Hunk:
    return Hunk("a.py", 0, 1, tuple(before.splitlines(True)), tuple(after.splitlines(True)), (), context)


@pytest.mark.parametrize("description, before, after", [e for e in EXAMPLES if e[0] in WORDS])
def test_the_edit_in_words(description: str, before: str, after: str) -> None:
    assert describe(hunk(before, after)) == WORDS[description]


def test_words_for_other_moves_and_forms() -> None:
    assert describe(hunk("import a.b.old\n", "import a.b.new\n")) == "import of module a.b.old -> module a.b.new"
    assert describe(hunk("    Old,\n", "", ("from pkg.old_mod import (\n",))) == "import of Old from pkg.old_mod removed"
    assert describe(hunk("def f(x: Old) -> Old:\n", "def f(x: New) -> New:\n")) == "annotation: Old -> New"
    assert describe(hunk("x  =  1\n", "x = 1\n")) == "whitespace only"
    doc = Hunk("docs/a.md", 0, 1, ("Use `Old()` here.\n",), ("Use `New()` here.\n",))
    assert describe(doc) == "text: Old -> New"


def test_token_diff_marks_the_changed_tokens_only() -> None:
    h = hunk("from pkg.old_mod import Old\nx = Old()\n", "from pkg.new_mod import New\nx = New()\n")
    assert token_diff(h) == ["from pkg.[-old_mod-]{+new_mod+} import [-Old-]{+New+}", "x = [-Old-]{+New+}()"]


def test_replay_applies_where_clean_and_refuses_where_the_edit_meets_a_difference() -> None:
    example, edited = "    return New(ctx, 0)\n", "    return New(ctx, 0)  # checked\n"
    assert replay(example, edited, "    return New(ctx, 7)\n") == "    return New(ctx, 7)  # checked\n"
    assert replay(example, edited, example) == edited
    assert replay(example, "    return New(ctx, 1)\n", "    return New(ctx, 7)\n") is None
    assert replay("    x = New(a)\n", "    x = New(a, strict=True)\n", "    y = New(a)\n") == \
        "    y = New(a, strict=True)\n"


def test_the_prompt_token_lines_drop_the_common_indent_and_colour_the_changes() -> None:
    from phasemod.grouped_console import token_lines

    h = hunk("        x = Old(a)\n", "        x = New(a)\n")
    assert token_lines(h, color=False) == ["x = [-Old-]{+New+}(a)"]
    (line,) = token_lines(h, color=True)
    assert line.startswith("x = \x1b[31m\x1b[7mOld\x1b[0m\x1b[32m\x1b[7mNew\x1b[0m(a)")
