"""The lean parse (phasemod/syntax/lean.py): a tree that prints back byte for byte, with
only the statements that can matter parsed, on the file's own lines; whole-file results
and errors when it cannot be lean; `renumber` gives a rewritten tree a fresh parse's
lines; and the engine's outcomes are the same as with every file parsed whole."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Iterator

import pytest
from fissix import pytree
from fissix.pgen2 import token
from hypothesis import HealthCheck, given, settings, strategies as st

from phasemod import engine, syntax
from phasemod.manifest import load_manifests
from phasemod.model import FileOutcome
from phasemod.recipes.move_module import MoveModule
from phasemod.recipes.move_symbol import MoveSymbol
from phasemod.syntax import lean
from phasemod.syntax.lean import OPAQUE, is_lean, parse_lean, renumber
from repos import write_repo

WORDS = ("Old",)
_BREAK = re.compile(r"\r\n|\r|\n")


# ---------------------------------------------------------------------------- helpers

def child_holding(tree: pytree.Node, snippet: str) -> pytree.Base:
    """The one top-level child of ``tree`` whose text holds ``snippet``."""
    found = [c for c in tree.children if snippet in str(c)]
    assert len(found) == 1, (snippet, [str(c) for c in tree.children])
    return found[0]


def is_opaque(tree: pytree.Node, snippet: str) -> bool:
    return child_holding(tree, snippet).type == OPAQUE


def opaque_lines(tree: pytree.Node) -> set[int]:
    """The lines the OPAQUE leaves' values (not their prefixes) cover."""
    lines: set[int] = set()
    for child in tree.children:
        if child.type == OPAQUE:
            count = len(_BREAK.findall(child.value)) + (0 if child.value.endswith(("\n", "\r")) else 1)
            lines.update(range(child.lineno, child.lineno + count))
    return lines


def names(tree: pytree.Node, skip: set[int] = frozenset()) -> list[tuple[str, int]]:
    return [(leaf.value, leaf.lineno) for leaf in tree.leaves() if leaf.type == token.NAME and leaf.lineno not in skip]


def assert_lean_round_trip(text: str, words=WORDS) -> pytree.Node:
    """``parse_lean`` prints ``text`` back, and its parsed statements' NAME leaves are
    the whole parse's, on the same lines."""
    tree = parse_lean(text, words)
    assert str(tree) == text
    whole = syntax.parse(text)
    assert names(tree) == names(whole, opaque_lines(tree))
    return tree


def placed(tree: pytree.Node) -> Iterator[tuple[int, pytree.Leaf]]:
    """Each leaf with the offset in ``str(tree)`` where its value starts."""
    offset = 0
    for leaf in tree.leaves():
        offset += len(leaf.prefix)
        yield offset, leaf
        offset += len(leaf.value)


def assert_lines_of_a_fresh_parse(tree: pytree.Node) -> None:
    """Every leaf of ``tree`` has the line of the leaf of a fresh whole parse of its text
    that starts where it starts (an OPAQUE leaf: the first token of its statements)."""
    fresh: dict[int, list[pytree.Leaf]] = {}
    for offset, leaf in placed(syntax.parse(str(tree))):
        fresh.setdefault(offset, []).append(leaf)
    lean_tree = is_lean(tree)
    for offset, leaf in placed(tree):
        if lean_tree and leaf.type == token.DEDENT:
            # The lines between two top-level statements are the prefix of the second in
            # a lean tree; a whole parse gives those after an indented block to the DEDENT
            # that ends it, which then starts (and has its line) after them.
            continue
        if leaf.type == OPAQUE:
            match = [f for f in fresh[offset] if f.value][:1]
            assert match and leaf.value.startswith(match[0].value), (leaf, fresh[offset])
        else:
            match = [f for f in fresh.get(offset, ()) if (f.type, f.value) == (leaf.type, leaf.value)]
            assert match, (leaf, fresh.get(offset))
        assert leaf.lineno == match[0].lineno, (leaf, match[0])


def leaf_rows(tree: pytree.Node) -> list[tuple[int, str, str, int]]:
    return [(leaf.type, leaf.value, leaf.prefix, leaf.lineno) for leaf in tree.leaves()]


# ---------------------------------------------------------------------------- 1. round trip

ROUND_TRIPS = {
    "semicolons": ("import os\nx = 1\na = 1; b = Old\nc = 2; d = 3\n",
                   {"a = 1; b = Old": False, "c = 2; d = 3": True, "x = 1": True}),
    "decorators with comments": ("import os\n\n\n@dec  # first\n# between\n@other(1)\ndef f():\n    pass\n\n\n"
                                 "@dec\n# Old between decorators\n@other\ndef g():\n    pass\nz = 1\n",
                                 {"@dec  # first\n# between\n@other(1)\ndef f()": True, "def g()": False,
                                  "z = 1": True}),
    "comments and blank lines": ("import os\n\n# one\n\nx = 1\n\n\n# two\n# three\n\ny = Old\n\n# four\nz = 2\n",
                                 {"x = 1": True, "y = Old": False, "z = 2": True}),
    "trailing comment block": ("import os\nx = 1\ny = Old\nz = 2\n\n# trailing\n# block\n",
                               {"x = 1": True, "y = Old": False, "z = 2": True}),
    "no final newline": ("import os\nx = 1\ny = Old\nz = 2", {"x = 1": True, "z = 2": True}),
    "no final newline, parsed last": ("import os\nx = 1\ny = 2\nz = Old", {"x = 1\ny = 2": True, "z = Old": False}),
    "crlf": ("import os\r\nx = 1\r\ny = Old\r\nz = 2\r\n\r\n# end\r\n", {"x = 1": True, "y = Old": False}),
    "lone cr": ("import os\rx = 1\ry = Old\rz = 2\r", {"x = 1": True, "y = Old": False, "z = 2": True}),
    "form feeds": ("import os\n\x0c\nx = 1\n\x0cy = Old\n\x0c\nz = 2\n", {"x = 1": True, "y = Old": False}),
    "triple-quoted code at column 0": ('import os\ns = """\ndef f(): Old\nclass C:\n"""\nx = 1\n'
                                       't = """\ndef g(): pass\nimport_me = 1\n"""\ny = 2\n',
                                       {"def f(): Old": False, "x = 1": True, "def g(): pass": True}),
    "backslash continuations": ("import os\nx = 1 + \\\n    2\ny = \\\n    Old\nz = 3\n",
                                {"x = 1 +": True, "Old": False, "z = 3": True}),
    "over-indented comment after a class": ("import os\nclass C:\n    x = 1\n        # over-indented\ny = Old\nz = 2\n"
                                            "class D:\n    x = 1\n        # over-indented too\nw = 3\n",
                                            {"class C": True, "y = Old": False, "class D": True}),
}


@pytest.mark.parametrize("text, expected", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_lean_tree_prints_back_and_keeps_the_file_lines(text: str, expected: dict[str, bool]) -> None:
    tree = assert_lean_round_trip(text)
    assert is_lean(tree)
    for snippet, opaque in expected.items():
        assert is_opaque(tree, snippet) is opaque, snippet
    assert_lines_of_a_fresh_parse(tree)


def test_the_comments_before_a_statement_are_its_prefix() -> None:
    tree = parse_lean("import os\n\n# one\nx = 1\n# Old here\ny = 2\n\n# two\nz = 3\n# end\n", WORDS)
    leaf = child_holding(tree, "x = 1")
    assert (leaf.type, leaf.prefix, leaf.value, leaf.lineno) == (OPAQUE, "\n# one\n", "x = 1\n", 4)
    assert not is_opaque(tree, "y = 2")               # the comment before it names the word
    leaf = child_holding(tree, "z = 3")
    assert (leaf.prefix, leaf.value, leaf.lineno) == ("\n# two\n", "z = 3\n", 9)
    assert tree.children[-1].type == token.ENDMARKER and tree.children[-1].prefix == "# end\n"


POOL = (
    "x{n} = {n}\n",
    "a{n} = 1; b{n} = Old\n",
    "c{n} = 1; d{n} = 2\n",
    "def f{n}(a, b=Old):\n    return a\n",
    "def g{n}():\n    return {n}\n",
    "@dec\n# between\n@other\ndef h{n}():\n    pass\n",
    "class K{n}:\n    x = 1\n        # over-indented\n",
    "class R{n}(Old):\n    pass\n",
    "use{n} = R{n}\n",
    's{n} = """\ndef q(): Old\nclass Z:\n"""\n',
    't{n} = """\nimport nothing\n"""\n',
    "v{n} = 1 + \\\n    2\n",
    "w{n} = Old + \\\n    {n}\n",
    "if TYPE_CHECKING:\n    from m import Old\n",
    "y{n} = 'Old'  # a string\n",
    "z{n} = 3  # Old in a comment\n",
    "for i{n} in range(3):\n    pass\nelse:\n    pass\n",
)
SEPARATORS = ("", "\n", "\n\n", "# comment\n", "\n# c\n\n", "\x0c\n", "    # indented comment\n")


@st.composite
def files(draw: st.DrawFn) -> str:
    statements = [draw(st.sampled_from(POOL)).format(n=n) for n in range(draw(st.integers(2, 12)))]
    statements.insert(draw(st.integers(0, len(statements))), "kept = 0\n")   # never parsed: the tree is lean
    parts = ['"""Docstring."""\n']
    for statement in statements:
        parts.append(draw(st.sampled_from(SEPARATORS)))
        parts.append(statement)
    parts.append(draw(st.sampled_from(("", "# trailing\n", "\n# one\n# two\n"))))
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.rstrip("\n")
    return text.replace("\n", draw(st.sampled_from(("\n", "\r\n", "\r"))))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_random_files_round_trip_with_the_file_lines(text: str) -> None:
    tree = assert_lean_round_trip(text)
    assert is_lean(tree) and is_opaque(tree, "kept = 0")
    assert_lines_of_a_fresh_parse(tree)


# ---------------------------------------------------------------------------- 2. selection

def test_statements_not_naming_the_words_stay_text() -> None:
    text = '"""Doc."""\nx = 1\n\n\ndef f():\n    return x\n\n\nclass C:\n    pass\n\n\ny = f()\n'
    tree = parse_lean(text, WORDS)
    assert not is_opaque(tree, '"""Doc."""')          # the first statement
    assert [c.value for c in tree.children if c.type == OPAQUE] == [text[text.index("x = 1"):]]


def test_imports_and_what_holds_one_are_parsed() -> None:
    text = ("x = 0\na = 1\nimport os\nb = 2\nfrom typing import TYPE_CHECKING\nc = 3\n"
            "if TYPE_CHECKING:\n    from m import Thing\nd = 4\n"
            "def build():\n    import json\n    return json\ne = 5\n")
    tree = assert_lean_round_trip(text)
    for snippet in ("x = 0", "import os", "from typing", "if TYPE_CHECKING", "def build"):
        assert not is_opaque(tree, snippet), snippet
    for snippet in ("a = 1", "b = 2", "c = 3", "d = 4", "e = 5"):
        assert is_opaque(tree, snippet), snippet


def test_statements_naming_what_a_parsed_statement_binds_are_parsed() -> None:
    text = ("x = 0\na = 1\nclass Runner(Old):\n    pass\nb = 2\n"
            "def f():\n    return Runner()\nc = 3\nrun = f\nd = 4\n")
    tree = assert_lean_round_trip(text)
    assert not is_opaque(tree, "class Runner")
    assert not is_opaque(tree, "def f")               # names Runner
    assert not is_opaque(tree, "run = f")             # names f, which f's statement binds
    for snippet in ("a = 1", "b = 2", "c = 3", "d = 4"):
        assert is_opaque(tree, snippet), snippet


def test_a_name_imported_with_a_word_makes_its_uses_parsed() -> None:
    tree = assert_lean_round_trip("x = 0\nfrom m import Old, helper\na = 1\nb = helper()\nc = other()\n")
    assert not is_opaque(tree, "b = helper()")
    assert is_opaque(tree, "a = 1") and is_opaque(tree, "c = other()")


def test_a_word_in_a_comment_or_a_string_counts_a_longer_name_does_not() -> None:
    text = "x = 0\na = 1  # Old\nb = 'uses Old'\nc = OldFactory\nd = Old_\ne = 'pkg.Old.run'\n"
    tree = assert_lean_round_trip(text)
    for snippet in ("a = 1", "b = ", "e = "):
        assert not is_opaque(tree, snippet), snippet
    assert is_opaque(tree, "c = OldFactory\nd = Old_")


@pytest.mark.parametrize("spelling", ["\uff2f\uff4c\uff44", "\U0001d40e\U0001d425\U0001d41d", "O\uff4cd"],
                         ids=["fullwidth", "math bold", "mixed"])
def test_a_compatibility_spelling_of_a_word_counts(spelling: str) -> None:
    text = f"x = 0\na = 1\n{spelling} = 2\nb = {spelling}\nc = 3\n"
    assert ("Old", 3) in names(syntax.parse(text))    # Python binds it as `Old`
    tree = assert_lean_round_trip(text)
    assert not is_opaque(tree, f"{spelling} = 2") and not is_opaque(tree, f"b = {spelling}")
    assert is_opaque(tree, "a = 1") and is_opaque(tree, "c = 3")


def test_a_module_with_a_star_import_is_parsed_whole() -> None:
    # `helper` may come from the star import: whether it is still needed depends on every
    # statement (the lean tree once let a move drop `from pkg.old_mod import *` here).
    for star in ("from m import *", "from m import \\\n    *", "try:\n    from m import *\nexcept ImportError:\n    pass"):
        text = f"{star}\n\nz = Old()\nw = helper()\nv = 1\n"
        assert leaf_rows(parse_lean(text, WORDS)) == leaf_rows(syntax.parse(text))
    assert is_lean(parse_lean("import m  # not: import *\n\nz = Old()\nw = helper()\n", WORDS))


# ---------------------------------------------------------------------------- 3. fallbacks

FALLBACKS = {
    "no words": ("import os\nx = 1\ny = 2\nz = 3\n", ()),
    "fewer than three statements": ("x = 1\ny = Old\n", WORDS),
    "everything wanted": ("import os\ny = Old\nz = Old()\n", WORDS),
}
# Syntax the running Python may not parse (then ``ast`` cannot give the statements).
NEWER = {
    "pep 695 alias": "import os\ntype X = int\nx = 1\ny = Old\nz = 2\n",
    "pep 695 generics": "import os\ndef first[T](xs: list[T]) -> T:\n    return xs[0]\nx = 1\ny = Old\n",
    "pep 701 f-string": "import os\nx = 1\ns = f\"{'a' + \"b\"}\"\ny = Old\nz = 2\n",
}


def assert_whole(text: str, words: tuple[str, ...]) -> None:
    tree = parse_lean(text, words)
    assert not is_lean(tree)
    assert str(tree) == text
    assert leaf_rows(tree) == leaf_rows(syntax.parse(text))


@pytest.mark.parametrize("text, words", FALLBACKS.values(), ids=FALLBACKS.keys())
def test_fallbacks_are_the_whole_parse(text: str, words: tuple[str, ...]) -> None:
    assert_whole(text, words)


@pytest.mark.parametrize("text", NEWER.values(), ids=NEWER.keys())
def test_syntax_newer_than_the_running_python_is_parsed_whole(text: str) -> None:
    try:
        compile(text, "<test>", "exec", dont_inherit=True)
    except SyntaxError:
        assert_whole(text, WORDS)
    else:
        pytest.skip(f"Python {sys.version_info[0]}.{sys.version_info[1]} parses it: nothing to fall back from")


ERRORS = {
    "unclosed bracket": "import os\nx = 1\ny = (\nz = Old\n",
    "bad indent": "import os\nx = 1\n  y = Old\nz = 2\n",
    "syntax error in a text statement": "import os\nx = 1 +\ny = Old\nz = 2\n",
}
# Errors CPython finds only when it compiles: parse_lean does not look for them in the
# statements it keeps as text; the engine does, for every file it rewrites (below).
COMPILE_ERRORS = {
    "return outside a function": "import os\nx = Old\ny = 1\nreturn y\nz = 2\n",
    "await outside a function": "import os\nx = Old\nawait y\nz = 2\n",
    "nonlocal at module level": "import os\nx = Old\nnonlocal y\nz = 2\n",
    "nonlocal without a binding": "import os\nx = Old\ndef f():\n    nonlocal q\nz = 2\n",
    "break outside a loop": "import os\nx = Old\ny = 1\nbreak\nz = 2\n",
    "late future import": "import os\nx = Old\ny = 1\nfrom __future__ import annotations\nz = 2\n",
    "unknown future": "from __future__ import braces\nx = Old\ny = 1\nz = 2\n",
    "duplicate argument": "import os\nx = Old\ndef f(a, a):\n    pass\nz = 2\n",
    "yield outside a function": "import os\nx = Old\ny = 1\nyield y\nz = 2\n",
}


@pytest.mark.parametrize("text", ERRORS.values(), ids=ERRORS.keys())
def test_a_file_that_does_not_parse_fails_as_the_whole_parse_does(text: str) -> None:
    with pytest.raises(syntax.ParseError) as whole:
        syntax.parse(text)
    with pytest.raises(syntax.ParseError) as lean_error:
        parse_lean(text, WORDS)
    assert (lean_error.value.message, lean_error.value.line, lean_error.value.column) == \
        (whole.value.message, whole.value.line, whole.value.column)


@pytest.mark.parametrize("text", COMPILE_ERRORS.values(), ids=COMPILE_ERRORS.keys())
def test_compile_errors_in_text_statements_are_left_to_the_engine(text: str) -> None:
    """In a parsed statement (the first one, one naming a word) the error is the whole
    parse's; in a statement kept as text, or one that is wrong only where it stands, it
    is not looked for (app/broken.py below shows
    the engine reporting such a file as the whole parse does)."""
    with pytest.raises(syntax.ParseError) as whole:
        syntax.parse(text)
    try:
        tree = parse_lean(text, WORDS)
    except syntax.ParseError as exc:
        assert (exc.message, exc.line) == (whole.value.message, whole.value.line)
    else:
        # Kept as text, or (a late `from __future__` import) a statement fine on its own.
        assert str(tree) == text and is_lean(tree)


# ---------------------------------------------------------------------------- 4. renumber

RENUMBERED = ('"""Doc."""\nimport os\n\n\nclass A:\n    x = 1\n        # over-indented\n    # body comment\n\n'
              "    def m(self):\n        # first\n        return Old\n\n\n"
              "def g():\n    if os:\n        pass\n    # after\n# col0\n    return 2\n# before x\nx = 1\n\n\n"
              "y = Old()\r\nz = '''a\nb'''\nw = 3\n")


def _rewrite(tree: pytree.Node, value: str) -> None:
    """What a rewrite does: a multi-line import inserted after the imports, and a name
    replaced."""
    snippet = syntax.parse("from pkg.new_mod import (\n    New,\n    Other,\n)\n")
    stmt = snippet.children[0]
    stmt.remove()
    at = next(i for i, c in enumerate(tree.children) if "import os" in str(c)) + 1
    tree.insert_child(at, stmt)
    for leaf in tree.leaves():
        if leaf.type == token.NAME and leaf.value == "Old":
            leaf.value = value


@pytest.mark.parametrize("parse", [syntax.parse, lambda text: parse_lean(text, WORDS)], ids=["whole", "lean"])
@pytest.mark.parametrize("value", ["Brand_New", "New"])
def test_renumber_gives_the_lines_of_a_fresh_parse(parse, value: str) -> None:
    tree = parse(RENUMBERED)
    assert_lines_of_a_fresh_parse(tree)
    _rewrite(tree, value)
    with pytest.raises(AssertionError):               # the lines are stale before renumber
        assert_lines_of_a_fresh_parse(tree)
    renumber(tree)
    assert_lines_of_a_fresh_parse(tree)
    if parse is syntax.parse:                         # whole trees: every leaf, INDENT and DEDENT too
        assert leaf_rows(tree) == leaf_rows(syntax.parse(str(tree)))
    else:
        assert is_lean(tree)


def test_renumber_counts_line_breaks_in_values() -> None:
    tree = syntax.parse("x = 1\ns = '''a\r\nb\rc'''\ny = Old\n")
    string = next(leaf for leaf in tree.leaves() if leaf.type == token.STRING)
    string.value = "'''one\ntwo\nthree\nfour'''"
    renumber(tree)
    assert leaf_rows(tree) == leaf_rows(syntax.parse(str(tree)))
    assert next(leaf.lineno for leaf in tree.leaves() if leaf.value == "Old") == 6


# ---------------------------------------------------------------------------- 5. the engine

PAD = "\n\ndef unrelated_{n}(a, b):\n    total = a + b\n    return total * {n}\n"


def pad(count: int, start: int) -> str:
    return "".join(PAD.format(n=start + i) for i in range(count))


MODULES = {
    "app/alias.py": ('"""Through an alias."""\nimport pkg.old_mod as om\n' + pad(2, 0)
                     + "\n\ndef make():\n    return om.Old()\n" + pad(2, 10) + "\n\nhelper = om.helper\n"),
    "app/from_as.py": "from pkg.old_mod import Old as O\n" + pad(3, 0) + "\n\nvalue = O()\n",
    "app/shadow.py": ("from pkg.old_mod import Old\n" + pad(2, 0) + "\n\ndef f(Old):\n    return Old\n\n\nx = Old()\n"
                      + pad(2, 5)),
    "app/rebind.py": ("from pkg.old_mod import Old\n" + pad(2, 0)
                      + "\n\ndef g():\n    Old = int\n    return Old('1')\n\n\ny = Old()\n" + pad(2, 7)),
    "app/strings.py": ("import mock\n" + pad(2, 0) + "\n\ntarget = 'pkg.old_mod.Old'\n"
                       "patcher = mock.patch(\"pkg.old_mod.Old.run\")\n" + pad(2, 3)),
    "app/star.py": "from pkg.old_mod import *\n" + pad(2, 0) + "\n\nz = Old()\nw = helper()\n" + pad(2, 3),
    "app/checking.py": ("from __future__ import annotations\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                        "    from pkg.old_mod import Old\n" + pad(2, 0) + "\n\ndef h(x: Old) -> Old:\n    return x\n"
                        + pad(2, 4)),
    "app/subclass.py": ('"""Sub."""\nfrom pkg.old_mod import Old\n' + pad(2, 0) + "\n\nclass Runner(Old):\n    pass\n"
                        + pad(2, 3) + "\n\ndef run():\n    return Runner()\n"),
    "app/collision.py": ("from pkg.old_mod import Old\n\nx = Old()\n" + pad(3, 0) + "\n\nclass New:\n    pass\n"
                         + pad(2, 5)),
    "app/local.py": '"""Local import."""\n' + pad(2, 0) + "\n\ndef build():\n    from pkg.old_mod import Old\n" \
                    "    return Old()\n" + pad(2, 4),
    "app/dotted.py": ("import pkg.old_mod\n" + pad(2, 0) + "\n\nobj = pkg.old_mod.Old()\nother = pkg.old_mod.helper()\n"
                      + pad(2, 4)),
    "app/merged.py": ('"""Doc."""\nfrom pkg.new_mod import New\n\n\ndef f():\n    return 1\n# keep me\n'
                      "from pkg.old_mod import Old\n\nx = Old()\ny = New()\n" + pad(2, 0)),
    "app/split.py": ('"""Doc."""\nimport os\n\n\ndef f():\n    return os\n    # indented\n# keep me\n'
                     "from pkg.old_mod import Old, helper\n\nx = Old()\n" + pad(2, 0) + "\n\nw = helper()\n"),
    "app/comments.py": ('"""Doc."""\nfrom pkg.old_mod import Old\n\n\nclass K:\n    a = 1\n        # over Old\n'
                        + pad(2, 0) + "\n\nx = Old()\n# the Old one, at the end\n"),
    "app/trailing.py": ("from pkg.old_mod import Old\n\nx = Old()\n" + pad(2, 0)
                        + "\n\n# the Old one\n# pkg.old_mod.Old again\n"),
    "app/broken.py": "from pkg.old_mod import Old\n\nx = Old()\ny = 1\nreturn y\n",
}
BASE = {
    "pkg/__init__.py": "",
    "pkg/old_mod.py": "class Old:\n    pass\n\n\ndef helper():\n    return 1\n\n\n__all__ = ['Old', 'helper']\n",
    "pkg/new_mod.py": "class New:\n    pass\n",
    "app/__init__.py": "",
}
MOVE_SYMBOL = ("  - move_symbol:\n      old: pkg.old_mod.Old\n      new: pkg.new_mod.New\n"
               "      keep_local_name: {keep}\n")
MOVE_MODULE = "  - move_module:\n      old: pkg.old_mod\n      new: pkg.new_mod\n"
MANIFEST = "phase: 1\nname: move\nfiles:\n  include: [\"app/**/*.py\"]\nrecipes:\n{recipe}"
# Parsed whole by design: the star import. (app/broken.py is lean: its error, in a statement
# kept as text, is found when the engine compiles its rewrite, and reported as a whole parse does.)
WHOLE = {"app/star.py"}


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name, recipe in (("symbol_keep", MOVE_SYMBOL.format(keep="true")),
                         ("symbol_rename", MOVE_SYMBOL.format(keep="false")), ("module", MOVE_MODULE)):
        out[name] = write_repo(tmp_path_factory.mktemp(name), {**BASE, **MODULES},
                               {"01.yaml": MANIFEST.format(recipe=recipe)})
    return out


def _run(repo: Path, learn: str) -> list[FileOutcome]:
    (phase,) = load_manifests(repo / "phase_manifests")
    return list(engine.run_selection(repo, engine.select_phase(repo, phase), jobs=1, learn=learn))


def _facts(outcome: FileOutcome, words: set[str]) -> tuple:
    """The import safety net's facts, as far as a lean tree sees them: names used only
    in statements kept as text are not seen, nor where other names are first used."""
    facts = outcome.learned.facts
    return (facts.from_imports, facts.import_bindings, facts.star,
            {name: line for name, line in facts.unbound.items() if name in words})


@pytest.mark.parametrize("learn", ["written", "read"])
@pytest.mark.parametrize("name", ["symbol_keep", "symbol_rename", "module"])
def test_engine_outcomes_are_the_whole_parse_outcomes(repos: dict[str, Path], name: str, learn: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    repo = repos[name]
    lean_files: dict[str, bool] = {}
    real = lean.parse_lean

    def spying(text: str, words):
        tree = real(text, words)
        path = next(p for p, t in MODULES.items() if t == text) if text in MODULES.values() else "?"
        lean_files[path] = is_lean(tree)
        return tree

    with monkeypatch.context() as patch:
        patch.setattr(lean, "parse_lean", spying)
        leaned = _run(repo, learn)
    assert {p for p, was in lean_files.items() if was} == set(MODULES) - WHOLE
    with monkeypatch.context() as patch:
        patch.setattr(MoveSymbol, "words", lambda self, options: None)
        patch.setattr(MoveModule, "words", lambda self, options: None)
        whole = _run(repo, learn)

    words = {"Old", "New", "pkg", "old_mod", "new_mod"}
    assert [o.path for o in leaned] == [o.path for o in whole]
    for mine, theirs in zip(leaned, whole):
        assert mine.status == theirs.status, mine.path
        assert mine.new_bytes == theirs.new_bytes, mine.path
        assert mine.hunks == theirs.hunks, mine.path
        assert [(f.kind, f.line, f.message) for f in mine.findings] == \
            [(f.kind, f.line, f.message) for f in theirs.findings], mine.path
        assert mine == theirs
        assert (mine.learned is None) == (theirs.learned is None), mine.path
        if mine.learned is not None:
            assert mine.learned.scan == theirs.learned.scan, mine.path
            if mine.learned.facts is not None:
                assert _facts(mine, words) == _facts(theirs, words), mine.path
    statuses = {o.path: o.status.value for o in leaned}
    assert statuses["app/broken.py"] == "failed"
    if name == "symbol_rename":
        collision = next(o for o in leaned if o.path == "app/collision.py")
        assert collision.status.value == "unchanged"
        assert [f.kind.value for f in collision.findings] == ["conflict"]
    if name != "module" and learn == "written":
        star = next(o for o in leaned if o.path == "app/star.py")
        assert b"from pkg.old_mod import *" in star.new_bytes   # `helper` still comes from it


# ---------------------------------------------------------------------------- 6. random modules

# Top-level statements a module using the old class may be made of: imports of it in
# every form, uses, shadowing, aliases, subclasses, strings, comments, and statements
# that name none of it (which the lean parse keeps as text).
PIECES = (
    "from pkg.old_mod import Old\n",
    "from pkg.old_mod import Old as O\n",
    "from pkg.old_mod import Old, helper\n",
    "import pkg.old_mod\n",
    "import pkg.old_mod as om\n",
    "from pkg import old_mod\n",
    "from pkg.new_mod import New\n",
    "x = Old()\n",
    "y = O()\n",
    "z = om.Old()\n",
    "w = old_mod.Old\n",
    "v = pkg.old_mod.Old\n",
    "h = helper()\n",
    "def f(Old):\n    return Old\n",
    "def g() -> Old:\n    return Old()\n",
    "def local():\n    from pkg.old_mod import Old\n    return Old\n",
    "class Runner(Old):\n    pass\n",
    "def run():\n    return Runner()\n",
    "class New:\n    pass\n",
    "Old = int\n",
    "target = 'pkg.old_mod.Old'\n",
    "# the Old one\nq = 1\n",
    "def plain(a, b):\n    return a + b\n",
    "class Plain:\n    def m(self):\n        return 2\n",
    "CONSTANT = [1, 2, 3]\n",
    "if True:\n    r = 3\n",
    '"""A docstring."""\n',
)


def _outcomes(repo: Path, whole: bool, monkeypatch: pytest.MonkeyPatch) -> list[FileOutcome]:
    with monkeypatch.context() as patch:
        if whole:
            patch.setattr(MoveSymbol, "words", lambda self, options: None)
            patch.setattr(MoveModule, "words", lambda self, options: None)
        lean._PLANS.clear()
        return _run(repo, "written")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(PIECES), min_size=3, max_size=12),
       recipe=st.sampled_from([MOVE_SYMBOL.format(keep="true"), MOVE_SYMBOL.format(keep="false"), MOVE_MODULE]))
def test_random_modules_have_the_whole_parse_outcomes(tmp_path_factory: pytest.TempPathFactory,
                                                      monkeypatch: pytest.MonkeyPatch, pieces: list[str],
                                                      recipe: str) -> None:
    """Whatever a module is made of, the lean run proposes, finds and counts exactly what
    the whole-file run does."""
    text = "".join(pieces)
    repo = write_repo(tmp_path_factory.mktemp("random"), {**BASE, "app/mod.py": text},
                      {"01.yaml": MANIFEST.format(recipe=recipe)})
    leaned, whole = _outcomes(repo, False, monkeypatch), _outcomes(repo, True, monkeypatch)
    for mine, theirs in zip(leaned, whole):
        assert (mine.path, mine.status, mine.new_bytes, mine.hunks) == \
            (theirs.path, theirs.status, theirs.new_bytes, theirs.hunks)
        assert [(f.kind, f.line, f.message) for f in mine.findings] == \
            [(f.kind, f.line, f.message) for f in theirs.findings]
        assert (mine.learned and mine.learned.scan) == (theirs.learned and theirs.learned.scan)
