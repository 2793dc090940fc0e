"""Which repository modules each Python file imports, read from its lines, never executed.

A light, line-based reader used by ``phasemod init`` to order phases and to find the
tests that guard a phase. It sees ``import a.b``, ``from a import b, c`` (parenthesized
and backslash-continued forms included) and relative imports; it does not need the file
to parse, so it never fails on a file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from phasemod.modules import module_of

_IMPORT = re.compile(r"^\s*import\s+(.+)$")
_FROM = re.compile(r"^\s*from\s+(\.*)([\w.]*)\s+import\s+(.+)$")
_AS = re.compile(r"\s+as\s+\w+\s*$")


@dataclass(frozen=True)
class ImportGraph:
    """``imports[path]``: the repo files whose modules ``path`` imports; ``names[path]``:
    its ``from ... import`` statements as (absolute module, [names])."""

    imports: Mapping[str, frozenset[str]]
    names: Mapping[str, list[tuple[str, list[str]]]]

    def importers(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {path: set() for path in self.imports}
        for path, targets in self.imports.items():
            for target in targets:
                out.setdefault(target, set()).add(path)
        return out


def build(repo: Path, files: Sequence[str], source_roots: tuple[str, ...] = ()) -> ImportGraph:
    """The import graph among ``files`` (Python files, repo-relative)."""
    modules: dict[str, str] = {}
    packages: dict[str, tuple[str, bool]] = {}
    for path in files:
        module, is_package = module_of(str(repo), path, source_roots)
        packages[path] = (module, is_package)
        if module:
            modules.setdefault(module, path)
    imports, names = {}, {}
    for path in files:
        try:
            text = (repo / path).read_bytes().decode("utf-8", "replace")
        except OSError:
            text = ""
        module, is_package = packages[path]
        found = set()
        for name in imported_modules(text, module, is_package):
            target = modules.get(name)
            if target is not None and target != path:
                found.add(target)
        imports[path] = frozenset(found)
        names[path] = from_imports(text, module, is_package)
    return ImportGraph(imports, names)


def imported_modules(text: str, module: str = "", is_package: bool = False) -> set[str]:
    """Every dotted module a file's import statements may load (``from a import b``
    yields ``a`` and ``a.b``: ``b`` may be a submodule)."""
    out: set[str] = set()
    for statement in _statements(text):
        match = _FROM.match(statement)
        if match:
            base, names = _from_parts(match, module, is_package)
            if base is None:
                continue
            if base:
                out.add(base)
            out.update(f"{base}.{name}" if base else name for name in names)
            continue
        match = _IMPORT.match(statement)
        if match:
            out.update(_names(match.group(1)))
    return out


def from_imports(text: str, module: str = "", is_package: bool = False) -> list[tuple[str, list[str]]]:
    """``(absolute module, [names])`` of every ``from ... import`` statement."""
    out = []
    for statement in _statements(text):
        match = _FROM.match(statement)
        if match:
            base, names = _from_parts(match, module, is_package)
            if base:
                out.append((base, names))
    return out


def _from_parts(match: re.Match[str], module: str, is_package: bool) -> tuple[str | None, list[str]]:
    dots, base, names = match.groups()
    if dots:
        base = _absolute(len(dots), base, module, is_package)
    return base, _names(names)


def _statements(text: str) -> Iterable[str]:
    """Import statements joined onto one line (parentheses and backslashes followed)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].split("#", 1)[0].rstrip()
        i += 1
        stripped = line.lstrip()
        if not (stripped.startswith("import ") or stripped.startswith("from ")):
            continue
        while (line.endswith("\\") or line.count("(") > line.count(")")) and i < len(lines):
            line = line.rstrip("\\") + " " + lines[i].split("#", 1)[0].strip()
            i += 1
        yield line.replace("(", " ").replace(")", " ")


def _names(spec: str) -> list[str]:
    out = []
    for part in spec.split(";", 1)[0].split(","):
        name = _AS.sub("", part.strip()).strip()
        if name and name != "*" and all(p.isidentifier() for p in name.split(".")):
            out.append(name)
    return out


def _absolute(level: int, base: str, module: str, is_package: bool) -> str | None:
    parts = module.split(".") if module else []
    package = parts if is_package else parts[:-1]
    if level - 1 > len(package):
        return None
    anchor = package[: len(package) - (level - 1)]
    return ".".join(anchor + ([base] if base else []))


def components(nodes: Sequence[str], edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components (import cycles), each sorted, in an order where a
    component comes after every component it imports (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    wanted = set(nodes)
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(t for t in edges.get(root, ()) if t in wanted)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(t for t in edges.get(child, ()) if t in wanted))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return out
