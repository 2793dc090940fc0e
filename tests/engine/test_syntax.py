"""Tests for phasemod.syntax: modern constructs, rejected snippets, round trips, Bowler.

They read the interpreters on this machine and write only to pytest's temporary dirs.
"""
from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sysconfig
import tokenize
from pathlib import Path

import pytest
from fissix import pygram, pytree
from fissix.pgen2 import token

from phasemod.syntax import ParseError, parse

DATA = Path(__file__).parents[1] / "syntax"
CONSTRUCTS = DATA / "constructs_313.py.txt"
PY313 = Path("/root/.pyenv/versions/3.13.0/bin/python3")
SYMS = pygram.python_symbols

_spec = importlib.util.spec_from_file_location("reference_names", DATA / "reference_names.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)  # type: ignore[union-attr]


def invalid_snippets() -> list[str]:
    text = (DATA / "invalid.txt").read_text()
    chunks = text.split("# ---\n")
    chunks[0] = chunks[0].split("\n", 1)[1]
    return [chunk.rstrip("\n") + "\n" for chunk in chunks]


def our_names(tree: pytree.Node) -> list[list]:
    """NAME-like leaves as the tokenizer module reports them (async/await are NAMEs there)."""
    return [
        [leaf.value, leaf.lineno, leaf.column]
        for leaf in tree.leaves()
        if leaf.type in (token.NAME, token.ASYNC, token.AWAIT)
    ]


def _dotted(node: pytree.Base) -> str:
    return "".join(leaf.value for leaf in node.leaves())


def _alias(node: pytree.Base) -> list:
    if node.type in (SYMS.import_as_name, SYMS.dotted_as_name):
        return [_dotted(node.children[0]), node.children[2].value]
    return [_dotted(node), None]


def our_imports(tree: pytree.Node) -> list[list]:
    found = []
    for node in tree.pre_order():
        if node.type == SYMS.import_name:
            first = node.children[0]
            names = node.children[1]
            items = names.children[::2] if names.type == SYMS.dotted_as_names else [names]
            found.append([first.lineno, first.column, None, 0, [_alias(i) for i in items]])
        elif node.type == SYMS.import_from:
            first = node.children[0]
            level, module, i = 0, None, 1
            while node.children[i].type != token.NAME or node.children[i].value != "import":
                child = node.children[i]
                if child.type == token.DOT:
                    level += 1
                else:
                    module = _dotted(child)
                i += 1
            rest = [c for c in node.children[i + 1 :] if c.type not in (token.LPAR, token.RPAR)]
            target = rest[0]
            if target.type == token.STAR:
                aliases = [["*", None]]
            elif target.type == SYMS.import_as_names:
                aliases = [_alias(c) for c in target.children if c.type != token.COMMA]
            else:
                aliases = [_alias(target)]
            found.append([first.lineno, first.column, module, level, aliases])
    return sorted(found, key=lambda item: (item[0], item[1]))


# --- modern constructs -------------------------------------------------------------------


def test_constructs_round_trip() -> None:
    text = CONSTRUCTS.read_text()
    assert str(parse(text)) == text


@pytest.mark.skipif(not PY313.exists(), reason="CPython 3.13 not installed")
def test_constructs_match_cpython_313_names_and_imports() -> None:
    out = subprocess.run(
        [str(PY313), str(DATA / "reference_names.py"), str(CONSTRUCTS)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    expected = json.loads(out)[str(CONSTRUCTS)]
    tree = parse(CONSTRUCTS.read_text())
    assert our_names(tree) == expected["names"]
    assert our_imports(tree) == expected["imports"]


@pytest.mark.skipif(not PY313.exists(), reason="CPython 3.13 not installed")
def test_constructs_file_is_valid_313() -> None:
    subprocess.run(
        [str(PY313), "-c", "import sys; compile(open(sys.argv[1]).read(), 'c', 'exec')", str(CONSTRUCTS)],
        check=True,
    )


@pytest.mark.parametrize("snippet", invalid_snippets())
def test_invalid_snippet_rejected(snippet: str) -> None:
    with pytest.raises(ParseError):
        parse(snippet)


@pytest.mark.skipif(not PY313.exists(), reason="CPython 3.13 not installed")
def test_invalid_snippets_are_invalid_for_313() -> None:
    script = (
        "import json, sys\n"
        "bad = []\n"
        "for i, s in enumerate(json.load(sys.stdin)):\n"
        "    try:\n"
        "        compile(s, 'c', 'exec')\n"
        "        bad.append(i)\n"
        "    except SyntaxError:\n"
        "        pass\n"
        "print(json.dumps(bad))\n"
    )
    out = subprocess.run(
        [str(PY313), "-c", script], input=json.dumps(invalid_snippets()), capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == []


def test_parse_error_position() -> None:
    with pytest.raises(ParseError) as info:
        parse("x = 1\ndef f(/, a): pass\n")
    assert (info.value.line, info.value.column) == (2, 6)
    assert info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "match = 1\ncase = match\ntype = case\n_ = type\n",
        "match(x)\nmatch[x]: int = 1\nmatch.y\nmatch\n",
        "type(x)\ntype.x = 1\ntype if x else y\ntype\n",
        "case[1]: int\ncase = 3\n",
        "def f():\n    match = 1\n    return match\n",
        "x = 1",
        "x = 1\r\ny = 2\r\n",
        "if x:\r\n\tpass\r\n# end",
        "\x0cx = 1\n\x0c\ndef f():\n    pass\n",
        "x = (1,\n     2)  # c\n\n\n",
        "",
        "\n\n# only a comment",
        "x = 1 \\\n    + 2\n",
        "if x:\n    pass\n  # odd comment\n",
        "s = '''a\nb''' ; t = 1\n",
        "class A:\n    def f(self):\n        pass\n\n\n\n# trailing\n",
        "def f():\n    return (await x for x in y)\n",
        "def f():\n    return [x for x in (yield)]\n",
        "def g(): [x for x in [(yield 1)]]\n",
        'x = f"{3!s  }" f"{3!r:>{w}}"\n',
        'x = f"{1+2 = # a comment\n}"\n',
        "for x in y:\n    try:\n        pass\n    finally:\n        continue\n",
        "x = 1if 1else 0\n",
        "match x:\n    # comment\n\n    case 1:\n        match y:\n            case 2:\n                case = 3\n",
        "try:\n    pass\nexcept A, B:\n    pass\n",
    ],
)
def test_round_trip_edge_cases(text: str) -> None:
    tree = parse(text)
    assert isinstance(tree, pytree.Node)
    assert str(tree) == text


def test_soft_keyword_statements_use_keyword_shapes() -> None:
    tree = parse("match x:\n    case 1:\n        pass\ntype A[T] = list[T]\n")
    kinds = {pytree.type_repr(n.type) for n in tree.pre_order()}
    assert {"match_stmt", "case_block", "type_stmt", "typeparams"} <= kinds


def test_classic_decorators_keep_lib2to3_shape() -> None:
    tree = parse("@a.b(c)\n@d\n@e[0]\ndef f(): pass\n")
    decorators = [n for n in tree.pre_order() if n.type == SYMS.decorator]
    first = decorators[0]
    assert [c.type for c in first.children] == [
        token.AT, SYMS.dotted_name, token.LPAR, token.NAME, token.RPAR, token.NEWLINE
    ]
    assert [c.type for c in decorators[1].children] == [token.AT, token.NAME, token.NEWLINE]
    assert decorators[2].children[1].type == SYMS.power


# --- the running interpreter's standard library ---------------------------------------------


def stdlib_sample(count: int = 120) -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(
        p for p in root.rglob("*.py") if "site-packages" not in p.parts and "lib2to3" not in p.parts
    )
    step = max(1, len(files) // count)
    return files[::step][:count]


def _read_source(path: Path) -> str | None:
    data = path.read_bytes()
    try:
        compile(data, str(path), "exec")
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return text[1:] if text.startswith("\ufeff") else text


def test_stdlib_sample_round_trips_with_cpython_names_and_imports() -> None:
    checked = 0
    for path in stdlib_sample():
        text = _read_source(path)
        if text is None:
            continue
        tree = parse(text)
        assert str(tree) == text, path
        assert our_names(tree) == reference.names(text), path
        assert our_imports(tree) == reference.imports(text), path
        checked += 1
    assert checked > 100


# --- fissix and Bowler see the extended grammar -----------------------------------------------


def test_fissix_pygram_is_extended() -> None:
    assert pygram.python_symbols.match_stmt == pygram.python_grammar.symbol2number["match_stmt"]
    assert pytree.type_repr(pygram.python_symbols.import_from) == "import_from"
    from fissix import fixer_util

    tree = parse("from a import b\nimport c\n\ndef f[T](x): pass\n")
    assert fixer_util.find_binding("b", tree) is not None
    assert fixer_util.find_binding("f", tree) is not None
    assert fixer_util.does_tree_import("a", "b", tree)


MODERN_MODULE = '''\
from shapes import Point, Shape
import shapes.extra as extra


class Registry[T: Shape]:
    items: list[T]

    def register[S](self, item: S, /, *, strict: bool = False) -> S:
        match item:
            case Point(x=0, y=0):
                return Point(1, 2)
            case _:
                pass
        with (open("a") as first, open("b") as second):
            label = f"{item!r:>{width}} {"nested"}"
        return item


def build[T](value: T) -> T:
    total = Point(3, 4)
    type Alias[K] = dict[K, Point]
    return value


result = build(Registry())
counter = 0
counter += extra.VALUE
'''


def _run_query(tmp_path: Path, make_query) -> str:
    from bowler import Query

    target = tmp_path / "modern.py"
    target.write_text(MODERN_MODULE)
    query = make_query(Query(str(target)))
    query.execute(write=True, silent=True, interactive=False)
    return target.read_text()


def test_bowler_select_class_renames(tmp_path: Path) -> None:
    out = _run_query(tmp_path, lambda q: q.select_class("Point").rename("Vector"))
    # select_class covers definitions, calls, subclassing and imports, not bare references.
    assert "case Vector(x=0, y=0):" in out
    assert "return Vector(1, 2)" in out and "total = Vector(3, 4)" in out
    assert "from shapes import Vector, Shape" in out


def test_bowler_select_function_finds_generic_def(tmp_path: Path) -> None:
    out = _run_query(tmp_path, lambda q: q.select_function("build").rename("make"))
    assert "def make[T](value: T) -> T:" in out
    assert "result = make(Registry())" in out


def test_bowler_select_method_finds_generic_method(tmp_path: Path) -> None:
    out = _run_query(tmp_path, lambda q: q.select_method("register").rename("add"))
    assert "def add[S](self, item: S, /, *, strict: bool = False) -> S:" in out


def test_bowler_select_module_and_attribute(tmp_path: Path) -> None:
    out = _run_query(tmp_path, lambda q: q.select_module("shapes").rename("geometry"))
    assert "from geometry import Point, Shape" in out
    out = _run_query(tmp_path, lambda q: q.select_attribute("VALUE").rename("AMOUNT"))
    assert "extra.AMOUNT" in out


def test_bowler_select_var_and_pattern(tmp_path: Path) -> None:
    out = _run_query(tmp_path, lambda q: q.select_var("counter").rename("count"))
    assert "count = 0" in out and "count += extra.VALUE" in out
    found: list[str] = []

    def collect(node, capture, filename):
        found.append(str(capture["name"]).strip())

    _run_query(tmp_path, lambda q: q.select_pattern("typeparams< '[' name=any* ']' >").modify(collect))
    _run_query(tmp_path, lambda q: q.select_pattern("match_stmt< 'match' name=any any* >").modify(collect))
    assert "item" in found
    assert any("Shape" in f for f in found)
