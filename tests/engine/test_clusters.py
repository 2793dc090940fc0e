"""Hunk clusters: equal normalised edits group together, different edits never do."""
from __future__ import annotations

import difflib
import hashlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phasemod.clusters import UNUSUAL_MAX, Cluster, cluster, edit_script, lex, signature, signature_examples
from phasemod.model import Hunk
from bench_paths import GENERATOR

OLD_MOD = "netra_backend.app.agents.supervisor.execution_engine"
NEW_MOD = "netra_backend.app.agents.supervisor.user_execution_engine"
CORPUS_GENERATOR = GENERATOR


def hunk(before: str, after: str, path: str = "pkg/mod.py", start: int = 1, index: int = 0) -> Hunk:
    return Hunk(path=path, index=index, start=start, before=tuple(before.splitlines(True)),
                after=tuple(after.splitlines(True)))


def same(a: tuple[str, str], b: tuple[str, str]) -> bool:
    ha, hb = hunk(*a), hunk(*b)
    assert (signature(ha) == signature(hb)) == (edit_script(ha) == edit_script(hb))
    return edit_script(ha) == edit_script(hb)


# ---------------------------------------------------------------- same change, other context
CALL = ("engine = ExecutionEngine(context=user_context)\n", "engine = UserExecutionEngine(context=user_context)\n")
IMPORT = (f"from {OLD_MOD} import ExecutionEngine\n", f"from {NEW_MOD} import UserExecutionEngine as ExecutionEngine\n")
ALIASED = (f"from {OLD_MOD} import ExecutionEngine as AgentEngine\n",
           f"from {NEW_MOD} import UserExecutionEngine as AgentEngine\n")
ANNOTATION = ("    pool: dict[str, ExecutionEngine] = {}\n", "    pool: dict[str, UserExecutionEngine] = {}\n")
STRING = (f'patcher = patch("{OLD_MOD}.ExecutionEngine", autospec=True)\n',
          f'patcher = patch("{NEW_MOD}.UserExecutionEngine", autospec=True)\n')

SAME = {
    "indentation": (CALL, ("        engine = ExecutionEngine(context=user_context)\n",
                           "        engine = UserExecutionEngine(context=user_context)\n")),
    "arguments": (CALL, ("engine = ExecutionEngine(ctx, registry=reg, max_concurrent=4)\n",
                         "engine = UserExecutionEngine(ctx, registry=reg, max_concurrent=4)\n")),
    "variable-name": (CALL, ("runner = ExecutionEngine(context=user_context)\n",
                             "runner = UserExecutionEngine(context=user_context)\n")),
    "layout-inside-call": (CALL, ("engine = ExecutionEngine( context = user_context )\n",
                                  "engine = UserExecutionEngine( context = user_context )\n")),
    "trailing-comment": (CALL, ("engine = ExecutionEngine(context=user_context)  # per request\n",
                                "engine = UserExecutionEngine(context=user_context)  # per request\n")),
    "crlf": (CALL, ("engine = ExecutionEngine(context=user_context)\r\n",
                    "engine = UserExecutionEngine(context=user_context)\r\n")),
    "no-final-newline": (CALL, ("engine = ExecutionEngine(context=user_context)",
                                "engine = UserExecutionEngine(context=user_context)")),
    "alias-name": (ALIASED, (f"    from {OLD_MOD} import ExecutionEngine as LegacyEngine\n",
                             f"    from {NEW_MOD} import UserExecutionEngine as LegacyEngine\n")),
    "import-comment": (IMPORT, (f"from {OLD_MOD} import ExecutionEngine  # noqa: F401\r\n",
                                f"from {NEW_MOD} import UserExecutionEngine as ExecutionEngine  # noqa: F401\r\n")),
    "annotation-variable": (ANNOTATION, ("registry: dict[int, ExecutionEngine] = {}\n",
                                         "registry: dict[int, UserExecutionEngine] = {}\n")),
    "string-arguments": (STRING, (f'p = patch("{OLD_MOD}.ExecutionEngine", new=mocked)\n',
                                  f'p = patch("{NEW_MOD}.UserExecutionEngine", new=mocked)\n')),
    "comment-words": (("# Uses ExecutionEngine for agent processing.\n", "# Uses UserExecutionEngine for agent processing.\n"),
                      ("    # ExecutionEngine owns the lifecycle here.\n", "    # UserExecutionEngine owns the lifecycle here.\n")),
    "string-attribute-tail": ((f'@patch("{OLD_MOD}.ExecutionEngine.execute_agent")\n',
                               f'@patch("{NEW_MOD}.UserExecutionEngine.execute_agent")\n'),
                              (f'@patch("{OLD_MOD}.ExecutionEngine._emit_event")\n',
                               f'@patch("{NEW_MOD}.UserExecutionEngine._emit_event")\n')),
    "dotted-receiver-unchanged": (("x = self.cache.ExecutionEngine(a)\n", "x = self.cache.UserExecutionEngine(a)\n"),
                                  ("x = self.cache.ExecutionEngine(b, c)\n", "x = self.cache.UserExecutionEngine(b, c)\n")),
}


@pytest.mark.parametrize("a, b", SAME.values(), ids=SAME.keys())
def test_same_change_in_other_context_is_one_cluster(a, b):
    assert same(a, b), (signature(hunk(*a)), signature(hunk(*b)))


# ---------------------------------------------------------------- different changes
DIFFERENT = {
    "other-new-name": (CALL, ("engine = ExecutionEngine(context=user_context)\n",
                              "engine = AgentExecutionEngine(context=user_context)\n")),
    "other-old-name": (CALL, ("engine = ExecutionRunner(context=user_context)\n",
                              "engine = UserExecutionEngine(context=user_context)\n")),
    "longer-name-decoy": (CALL, ("engine = ExecutionEngineFactory(context=user_context)\n",
                                 "engine = UserExecutionEngineFactory(context=user_context)\n")),
    "import-vs-call": (IMPORT, CALL),
    "call-vs-annotation": (CALL, ("engine: ExecutionEngine = make()\n", "engine: UserExecutionEngine = make()\n")),
    "call-vs-attribute": (CALL, ("engine = ExecutionEngine.create_for_user(user_context)\n",
                                 "engine = UserExecutionEngine.create_for_user(user_context)\n")),
    "string-path-vs-name": (STRING, ("patcher = patch(ExecutionEngine, autospec=True)\n",
                                     "patcher = patch(UserExecutionEngine, autospec=True)\n")),
    "string-path-other-module": (STRING, ('patcher = patch("other.execution_engine.ExecutionEngine", autospec=True)\n',
                                          'patcher = patch("other.user_execution_engine.UserExecutionEngine", autospec=True)\n')),
    "alias-changed": (ALIASED, (f"from {OLD_MOD} import ExecutionEngine as AgentEngine\n",
                                f"from {NEW_MOD} import UserExecutionEngine as UserAgentEngine\n")),
    "keep-name-vs-rename-import": (IMPORT, (f"from {OLD_MOD} import ExecutionEngine\n",
                                            f"from {NEW_MOD} import UserExecutionEngine\n")),
    "import-from-other-module": (IMPORT, ("from sqlalchemy_like.engine import ExecutionEngine\n",
                                          f"from {NEW_MOD} import UserExecutionEngine as ExecutionEngine\n")),
    "alias-of-other-name": (IMPORT, (f"from {OLD_MOD} import EngineStats\n",
                                     f"from {NEW_MOD} import UserExecutionEngine as EngineStats\n")),
    "added-vs-replaced-line": (("", f"from {NEW_MOD} import UserExecutionEngine\n"),
                               ("import os\n", f"from {NEW_MOD} import UserExecutionEngine\n")),
    "receiver-differs": (("x = user_context.ExecutionEngine(a)\n", "x = user_context.UserExecutionEngine(a)\n"),
                         ("x = legacy_engine.ExecutionEngine(a)\n", "x = legacy_engine.UserExecutionEngine(a)\n")),
    "comment-vs-code": (("# Uses ExecutionEngine\n", "# Uses UserExecutionEngine\n"),
                        ("Uses(ExecutionEngine)\n", "Uses(UserExecutionEngine)\n")),
    "whitespace-only-edits": (("x = 1\n", "x  =  1\n"), ("y = 2\n", "y=2\n")),
    "crlf-to-lf-vs-nothing": (("x = 1\r\n", "x = 1\n"), ("x = 1\n", "x = 1\r\n")),
    "dropped-line-other-name": (("    ExecutionEngine,\n", ""), ("    EngineStats,\n", "")),
}


@pytest.mark.parametrize("a, b", DIFFERENT.values(), ids=DIFFERENT.keys())
def test_different_changes_never_share_a_cluster(a, b):
    assert not same(a, b), signature(hunk(*a))
    assert len(cluster([hunk(*a), hunk(*b)])) == 2


def test_multi_line_hunks_have_readable_signatures():
    paren = hunk(f"from {OLD_MOD} import (\n    EngineStats,\n    ExecutionEngine,\n)\n",
                 f"from {OLD_MOD} import (\n    EngineStats,\n)\nfrom {NEW_MOD} import UserExecutionEngine\n")
    sig = signature(paren)
    assert "[-" in sig and NEW_MOD in sig and OLD_MOD in sig
    split = hunk(f"from {OLD_MOD} import EngineStats, ExecutionEngine\n",
                 f"from {OLD_MOD} import EngineStats\nfrom {NEW_MOD} import UserExecutionEngine as ExecutionEngine\n")
    assert signature(split) != sig and "⏎" in signature(split)


def test_import_words_stand_apart_from_relative_dots():
    assert signature(hunk("from .sup.old import A\n", "from .sup.new import A\n")).startswith("from .sup.[-old-]")
    assert signature(hunk("from ..sup import old\n", "from ..sup import new\n")).startswith("from ..sup import [-")
    assert signature(hunk("from . import A\n", "from .new import A\n")).startswith("from .{+new+} …")
    assert signature(hunk("from . import A, B\n", "from . import A\n")).startswith("from . import A [-")


def test_lexer_survives_fragments():
    for text in ['    "unterminated\n', "'''open docstring\nmore", "foo(a,\n", ")\n", "x = $ ? `\n", "\\\n", ""]:
        lex(text)  # never raises
    assert [k for k, _ in lex("x = f'{a}' # c\n")] == ["N", "O", "Q", "p", "w", "p", "q", "H", "s", "w", "h", "L"]


def test_signature_examples_are_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "clusters.md").read_text(encoding="utf-8")
    for description, _before, _after, sig in signature_examples():
        assert sig in doc, f"docs/clusters.md lacks the signature of {description!r}: {sig}"


def test_cluster_records():
    hunks = [hunk(*CALL, path=f"m{i}.py") for i in range(3)] + [hunk(*IMPORT), hunk(*STRING)]
    result = cluster(hunks)
    assert [c.size for c in result] == [3, 1, 1]
    big = result[0]
    assert isinstance(big, Cluster) and not big.unusual and big.signature == signature(hunks[0])
    assert [h.path for h in big.hunks] == ["m0.py", "m1.py", "m2.py"]
    assert all(c.unusual for c in result[1:]) and UNUSUAL_MAX == 2
    assert result[1].signature < result[2].signature
    assert big.id == hashlib.sha1(big.signature.encode()).hexdigest()[:10]
    assert cluster(reversed(hunks)) == result


# ---------------------------------------------------------------- properties
LINES = [CALL[0], CALL[1], IMPORT[0], IMPORT[1], ALIASED[0], ALIASED[1], ANNOTATION[0], ANNOTATION[1],
         STRING[0], STRING[1], "    ExecutionEngine,\n", "x = 1\n", "x  = 1\r\n", "# Uses ExecutionEngine\n",
         '"""doc ExecutionEngine\n', "foo(ExecutionEngine)\n", "ExecutionEngineFactory()\n", ")\n", "\n"]
line_lists = st.lists(st.one_of(st.sampled_from(LINES), st.text(max_size=30)), max_size=4).map(tuple)
hunks_st = st.builds(Hunk, path=st.sampled_from(["a.py", "b/c.py", "d.py"]), index=st.integers(0, 3),
                     start=st.integers(1, 50), before=line_lists, after=line_lists)


@settings(max_examples=300, deadline=None)
@given(st.lists(hunks_st, max_size=25), st.randoms())
def test_clusters_partition_deterministically(hunks, rnd):
    result = cluster(hunks)
    flat = [h for c in result for h in c.hunks]
    assert sorted(map(repr, flat)) == sorted(map(repr, hunks))  # every hunk exactly once
    shuffled = list(hunks)
    rnd.shuffle(shuffled)
    assert cluster(shuffled) == result
    sizes = [c.size for c in result]
    assert sizes == sorted(sizes, reverse=True)
    assert len({c.id for c in result}) == len(result)
    assert len({c.signature for c in result}) == len(result)
    for c in result:
        assert len({edit_script(h) for h in c.hunks}) == 1
        assert c.unusual == (c.size <= UNUSUAL_MAX)


@settings(max_examples=300, deadline=None)
@given(hunks_st, hunks_st)
def test_signature_reads_the_edit_script(a, b):
    if edit_script(a) == edit_script(b):
        assert signature(a) == signature(b)
    assert signature(a) == signature(a.__class__(**{**a.__dict__, "path": "elsewhere.py", "start": 999}))


# ---------------------------------------------------------------- a generated tree
def hunks_from_texts(path: str, old_text: str, new_text: str) -> list[Hunk]:
    """Zero-context line hunks between two versions of a file (a stand-in for the
    engine's own diff, which is not what is under test here)."""
    old, new = old_text.splitlines(True), new_text.splitlines(True)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    return [Hunk(path=path, index=i, start=i1 + 1, before=tuple(old[i1:i2]), after=tuple(new[j1:j2]),
                 recipes=("move_symbol",)) for i, (_, i1, i2, j1, j2) in enumerate(changes)]


FOREIGN = re.compile(r"^\s*from (?!netra_backend\.app\.agents\.supervisor\.)[\w.]+ import ExecutionEngine\b", re.M)


def simulate_migration(path: str, text: str) -> str:
    """A line-by-line, word-aware stand-in for move_symbol. Files named in the
    generator's KEEP_FALSE list, and half of the rest (by path hash), rename uses too."""
    keep_false = path.endswith(("unified_tool_execution.py", "data_access_integration.py")) \
        or int(hashlib.sha1(path.encode()).hexdigest(), 16) % 2 == 0
    text = text.replace(f"{OLD_MOD}.ExecutionEngine", f"{NEW_MOD}.UserExecutionEngine")
    text = re.sub(rf"from {re.escape(OLD_MOD)} import ExecutionEngine as (\w+)",
                  rf"from {NEW_MOD} import UserExecutionEngine as \1", text)
    new_import = f"from {NEW_MOD} import UserExecutionEngine" + ("" if keep_false else " as ExecutionEngine")
    text = re.sub(rf"from {re.escape(OLD_MOD)} import ExecutionEngine$", new_import, text, flags=re.M)
    if keep_false and not FOREIGN.search(text):
        lines = [ln if ln.lstrip().startswith(("from ", "import "))
                 else re.sub(r"(?<![\w.])ExecutionEngine(?![\w=])", "UserExecutionEngine", ln)
                 for ln in text.splitlines(True)]
        text = "".join(lines)
    return text


@pytest.fixture(scope="module")
def corpus_hunks(tmp_path_factory) -> list[Hunk]:
    if not CORPUS_GENERATOR.exists():
        pytest.skip(f"{CORPUS_GENERATOR} is not available")
    root = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(CORPUS_GENERATOR), str(root), "--files", "300", "--affected", "80",
                    "--refs", "600"], check=True, capture_output=True)
    hunks: list[Hunk] = []
    for file in sorted(root.rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        if rel.endswith(("supervisor/execution_engine.py", "db/query_engine.py")):
            continue
        text = file.read_text(encoding="utf-8")
        hunks += hunks_from_texts(rel, text, simulate_migration(rel, text))
    return hunks


def test_generated_tree_collapses_to_few_clusters(corpus_hunks):
    result = cluster(corpus_hunks)
    assert len(corpus_hunks) > 200
    for c in result:
        scripts = {edit_script(h) for h in c.hunks}
        assert len(scripts) == 1, c.signature
        # Checked without the clustering code: every hunk of a cluster removes and adds
        # the same words (so a decoy edit, e.g. to ExecutionEngineFactory, cannot hide).
        assert len({word_change(h) for h in c.hunks}) == 1, c.signature
    regular = [c for c in result if not c.unusual]
    print(f"\n{len(corpus_hunks)} hunks -> {len(result)} clusters "
          f"({len(regular)} regular holding {sum(c.size for c in regular)} hunks, "
          f"{len(result) - len(regular)} unusual)")
    assert len(result) <= len(corpus_hunks) // 4
    assert sum(c.size for c in regular) >= 0.75 * len(corpus_hunks)


def word_change(h: Hunk) -> tuple:
    before = Counter(re.findall(r"\w+", "".join(h.before)))
    after = Counter(re.findall(r"\w+", "".join(h.after)))
    return tuple(sorted((before - after).items())), tuple(sorted((after - before).items()))


def test_clustering_twelve_thousand_hunks_partitions_them(corpus_hunks):
    # Speed is measured by benchmarks/bench.py, not asserted here.
    many = [Hunk(path=f"{i}/{h.path}", index=h.index, start=h.start, before=h.before, after=h.after)
            for i in range(10_000 // len(corpus_hunks) + 1) for h in corpus_hunks][:10_000]
    distinct = [hunk(f"v{i} = ExecutionEngine(arg{i})\n", f"v{i} = UserExecutionEngine(arg{i})\n") for i in range(2000)]
    result = cluster(many + distinct)
    assert sum(c.size for c in result) == 12_000
    same_call = [c for c in result if any(h in c.hunks for h in distinct[:1])]
    assert len(same_call) == 1 and all(h in same_call[0].hunks for h in distinct)


@settings(max_examples=500, deadline=None)
@given(hunks_st, hunks_st)
def test_different_edit_scripts_read_differently(a, b):
    if edit_script(a) != edit_script(b):
        assert signature(a) != signature(b)
