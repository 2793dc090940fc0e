"""Property: whatever bytes a manifest holds, loading yields Phases or a ManifestError.

Never another exception, and every problem is one `file:line: key.path: message` line.
"""
from __future__ import annotations

import copy
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phasemod.errors import ManifestError
from phasemod.manifest import Phase, load_manifests, load_phase_file

PROBLEM = re.compile(r"^.+:\d+: [^:]+: .+$")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BASE: dict[str, Any] = {
    "phase": 1,
    "name": "critical-business-path",
    "description": "Golden Path",
    "requires": [],
    "files": {"include": ["pkg/**/*.py"], "exclude": ["**/*.backup_*"]},
    "recipes": [
        {"move_symbol": {"old": "pkg.old.Old", "new": "pkg.new.New", "keep_local_name": True,
                         "files": {"exclude": ["pkg/skip.py"]}}},
        {"rename_in_text": {"old": "pkg.old.Old", "new": "pkg.new.New", "bare_name": "docs"}},
        {"move_module": {"old": "pkg.old", "new": "pkg.new"}},
        {"delete_files": {"paths": ["pkg/old.py"], "require_no_references": True}},
        {"tools.recipes:custom": {"x": [1, 2], "files": {"include": ["a/*.py"]}}},
    ],
    "validate": [{"run": "python -m pytest -q", "timeout": 600, "severity": "critical"}],
    "on_failure": "rollback",
    "source_roots": ["src"],
}

KEYS = st.sampled_from([
    "phase", "name", "description", "requires", "files", "include", "exclude", "recipes", "validate",
    "run", "timeout", "severity", "on_failure", "source_roots", "old", "new", "keep_local_name",
    "bare_name", "paths", "move_symbol", "delete_files", "pkg.mod:fn", "a:b", "", "x y", "<<",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=20), KEYS,
    st.sampled_from(["../x", "/etc", "C:\\x", "a\x00b", "pkg.class.X", "x.y", "warn", "stop", "never"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS | st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@contextmanager
def manifest_dir(*contents: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as root:
        directory = Path(root) / "phase_manifests"
        directory.mkdir()
        for i, data in enumerate(contents, 1):
            (directory / f"{i:02}.yaml").write_bytes(data)
        yield directory


def check_loads(*contents: bytes) -> None:
    """The property itself, for one directory and for each file alone."""
    with manifest_dir(*contents) as directory:
        try:
            phases = load_manifests(directory)
        except ManifestError as err:
            assert err.problems
            for line in err.problems:
                assert PROBLEM.match(line), line
        else:
            assert all(isinstance(phase, Phase) for phase in phases)
        for path in sorted(directory.iterdir()):
            try:
                load_phase_file(path)
            except ManifestError as err:
                assert err.problems and all(PROBLEM.match(line) for line in err.problems), err.problems


def dump(document: Any) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any] = BASE) -> Any:
    """A valid manifest (BASE by default) with a few random edits somewhere in its tree."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        parent: Any = document
        # Walk down a random path, then replace, delete or add at that spot.
        while isinstance(parent, (dict, list)) and parent and draw(st.booleans()):
            keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
            child = parent[draw(st.sampled_from(keys))]
            if not isinstance(child, (dict, list)):
                break
            parent = child
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if isinstance(parent, dict):
            if action == "add" or not parent:
                parent[draw(KEYS)] = draw(VALUES)
            else:
                key = draw(st.sampled_from(list(parent)))
                if action == "delete":
                    del parent[key]
                else:
                    parent[key] = draw(VALUES)
        elif isinstance(parent, list):
            if action == "add" or not parent:
                parent.append(draw(VALUES))
            else:
                index = draw(st.integers(0, len(parent) - 1))
                if action == "delete":
                    del parent[index]
                else:
                    parent[index] = draw(VALUES)
    return document


def test_base_document_is_valid() -> None:
    with manifest_dir(dump(BASE)) as directory:
        (phase,) = load_manifests(directory)
    assert len(phase.recipes) == 5


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    check_loads(data)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("phase: 1\nname-[]{},&*!|>'\"#%@`?\t -\\x0:.")) | st.characters(), max_size=200))
def test_random_yamlish_text(text: str) -> None:
    check_loads(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(VALUES)
def test_random_yaml_documents(document: Any) -> None:
    check_loads(dump(document))


@FUZZ
@given(mutated(), mutated())
def test_mutated_manifests(first: Any, second: Any) -> None:
    check_loads(dump(first), dump(second))


FRAGMENTS = st.sampled_from([
    "phase: 1\n", "phase: 2\n", "name: a\n", "name: a\n", "requires: [a, 1, 2]\n", "requires: [b]\n",
    "files: {include: [x]}\n", "files:\n  include: &g [x]\n  exclude: *g\n", "recipes:\n",
    "  - move_symbol: {old: a.B, new: c.D}\n", "  - move_symbol: !!python/object:os.system {}\n",
    "  - !!set {a}\n", "  - x.y:z: {files: {}}\n", "  - move_module: {old: *a}\n", "on_failure: !!str stop\n",
    "validate: [{run: !!binary aGk=}]\n", "x: &a [*a]\n", "---\n", "? [a]\n: b\n", "!!map {}\n", "%YAML 1.1\n",
    "phase: !!int 0x\n", "timeout: !!float x\n", "name: !!timestamp 2020-01-01\n", "\t", "\x85", "\ufeff",
])


@FUZZ
@given(st.lists(FRAGMENTS, max_size=10), st.lists(FRAGMENTS, max_size=10))
def test_fragment_soup(first: list[str], second: list[str]) -> None:
    check_loads("".join(first).encode("utf-8"), "".join(second).encode("utf-8"))
