"""`phasemod init`: propose the phased plan of a symbol move from the code itself.

Surveys the repository with the recipes' own survey (the one ``status`` uses), groups
the files holding references into phases (production code ordered by the import graph,
then tests, then docs and the deletion of the old module), names each phase's files by
the shortest exact globs, discovers a validation command per phase, and writes one
manifest per phase. The rules are documented in docs/init.md.
"""
from __future__ import annotations

import configparser
import heapq
import json
import re
import shlex
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

from phasemod import catalog, importgraph
from phasemod.display import count
from phasemod.errors import UsageError
from phasemod.modules import module_of
from phasemod.recipe import Proposal, Stage, dotted_path
from phasemod.select import matches, repo_files

MANIFEST_SUFFIXES = (".yaml", ".yml")
BACKUPS = "**/*.backup_*"
_CHECK = dotted_path("pkg.mod.Name", min_parts=2)


@dataclass
class PhasePlan:
    """One proposed phase: its files (with reference counts), globs and validation."""

    number: int
    name: str
    description: str
    rule: str
    stage: Stage
    files: dict[str, int] = field(default_factory=dict)     # path -> references
    include: list[str] = field(default_factory=list)
    delete: tuple[str, ...] = ()
    validate: list[str] = field(default_factory=list)

    @property
    def references(self) -> int:
        return sum(self.files.values())


@dataclass(frozen=True)
class Request:
    old: str
    new: str
    phases: int = 4
    keep_local_name: bool = True
    critical: tuple[str, ...] = ()
    source_roots: tuple[str, ...] = ()


@dataclass(frozen=True)
class Moves:
    """The symbol move asked for, and the other names importers take from the old module:
    those it re-exports from their real home move with it (``also``: (old, new) paths),
    those it defines itself are listed (``stranded``: name -> importing files), since
    deleting the module would break them."""

    main: tuple[str, str]
    also: tuple[tuple[str, str], ...] = ()
    stranded: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def all(self) -> tuple[tuple[str, str], ...]:
        return (self.main, *self.also)


def propose(repo: Path, request: Request, manifests: Path) -> tuple[list[PhasePlan], Moves]:
    """The proposed phases for ``request`` in ``repo`` (nothing is written), and the moves
    they make."""
    for key, value in (("--old", request.old), ("--new", request.new)):
        problem = _CHECK(value)
        if problem:
            raise UsageError(f"{key}: {problem}")
    if request.old == request.new:
        raise UsageError("--new is the same as --old; name where the symbol moves to")
    if request.phases < 3:
        raise UsageError(f"--phases {request.phases}: at least 3 (code, tests, docs and cleanup)")
    all_files = [f for f in repo_files(repo) if not _inside(repo, f, manifests)]
    old_files = _old_module_files(repo, all_files, request)
    if not any(not matches(f, [BACKUPS]) for f in old_files):
        raise UsageError(f"--old {request.old}: no file of the repository defines module "
                         f"{request.old.rpartition('.')[0]}; check the dotted path (or pass --repo)")
    python_files = [f for f in all_files if f.endswith((".py", ".pyi"))]
    graph = importgraph.build(repo, python_files, request.source_roots)
    moves = other_names(request, graph, old_files)
    counts = _survey(repo, request, moves, old_files)
    code = {p: n for p, n in counts.items() if p.endswith((".py", ".pyi")) and not is_test(p)}
    tests = {p: n for p, n in counts.items() if p.endswith((".py", ".pyi")) and is_test(p)}
    text = {p: n for p, n in counts.items() if not p.endswith((".py", ".pyi"))}
    for pattern in request.critical:
        if not any(matches(f, [pattern]) for f in all_files):
            raise UsageError(f"--critical {pattern}: matches no file of the repository")
    critical_tests = {p: n for p, n in tests.items() if request.critical and matches(p, request.critical)}
    tests = {p: n for p, n in tests.items() if p not in critical_tests}
    plans = _code_phases(code, graph, request, critical_tests)
    if tests:
        plans.append(PhasePlan(0, "tests", "Test code and fixtures",
                               "test files: test_*.py, *_test.py, conftest.py, files under tests/ or test/",
                               Stage.CODE, dict(sorted(tests.items()))))
    plans.append(PhasePlan(0, "docs-and-cleanup", "Docs, reports and configuration; then the old module goes",
                           "every non-Python file with references; delete the old module and its backups "
                           "once no reference remains", Stage.TEXT, dict(sorted(text.items())),
                           delete=tuple(old_files)))
    for number, plan in enumerate(plans, start=1):
        plan.number = number
    owner = {path: plan.number for plan in plans for path in plan.files}
    for plan in plans:
        plan.include = minimal_globs(sorted(plan.files), owner, plan.number)
        if plan.delete and not plan.include:
            plan.include = [f for f in old_files if not matches(f, [BACKUPS])]
    _discover_validation(repo, plans, graph, python_files, request, manifests)
    return plans, moves


def other_names(request: Request, graph: importgraph.ImportGraph, old_files: Sequence[str]) -> Moves:
    """What else importers take from the old module (see ``Moves``)."""
    old_module, _, old_name = request.old.rpartition(".")
    source = next((f for f in old_files if not matches(f, [BACKUPS])), None)
    homes = {name: base for base, names in graph.names.get(source, []) if base != old_module for name in names}
    users: dict[str, set[str]] = {}
    for path, statements in graph.names.items():
        if path in old_files:
            continue
        for base, names in statements:
            if base == old_module:
                for name in names:
                    if name != old_name:
                        users.setdefault(name, set()).add(path)
    also = tuple((f"{old_module}.{name}", f"{homes[name]}.{name}") for name in sorted(users) if name in homes)
    stranded = tuple((name, tuple(sorted(users[name]))) for name in sorted(users) if name not in homes)
    return Moves((request.old, request.new), also, stranded)


def is_test(path: str) -> bool:
    """A test file by its name or directory (the rule docs/init.md states)."""
    p = PurePosixPath(path)
    name = p.name
    return (name.startswith("test_") or p.stem.endswith("_test") or name == "conftest.py"
            or any(part in ("tests", "test") for part in p.parts[:-1]))


def _inside(repo: Path, path: str, directory: Path) -> bool:
    try:
        inside = directory.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return False
    return inside not in ("", ".") and (path == inside or path.startswith(inside + "/"))


def _old_module_files(repo: Path, files: Sequence[str], request: Request) -> list[str]:
    """The old module's file and the ``*.backup_*`` copies beside it."""
    module = request.old.rpartition(".")[0]
    found = [f for f in files if f.endswith((".py", ".pyi"))
             and module_of(str(repo), f, request.source_roots)[0] == module]
    backups = []
    for path in found:
        stem = PurePosixPath(path)
        backups += [f for f in files if PurePosixPath(f).parent == stem.parent
                    and f.startswith(str(stem.with_suffix(""))) and matches(f, [BACKUPS])]
    return sorted(set(found + backups))


def _entries(request: Request, moves: Moves, stage: Stage, old_files: Sequence[str] = ()) -> list[dict]:
    """The manifest's recipe entries for a phase of ``stage``: whatever recipes propose,
    for each move (a deletion once)."""
    pairs = moves.all if stage is not Stage.DELETE else (moves.main,)
    out = []
    for old, new in pairs:
        proposal = Proposal(old, new, request.keep_local_name, tuple(old_files))
        for recipe in catalog.builtin().values():
            options = recipe.propose(proposal, stage)
            if options is not None:
                out.append({recipe.id: dict(options)})
    return out


def _survey(repo: Path, request: Request, moves: Moves, old_files: Sequence[str]) -> dict[str, int]:
    """References per file, counted by the recipes' own survey (as ``status`` does)."""
    from phasemod import status
    from phasemod.manifest import load_phase_file

    entries = _entries(request, moves, Stage.CODE) + _entries(request, moves, Stage.TEXT)
    with tempfile.TemporaryDirectory(prefix="phasemod-init-") as tmp:
        path = Path(tmp) / "survey.yaml"
        path.write_text(_yaml({"phase": 1, "name": "survey", "files": {"include": ["**/*"], "exclude": [BACKUPS]},
                               "recipes": entries, "source_roots": list(request.source_roots)}), encoding="utf-8")
        phase = load_phase_file(path)
        report = status.phase_status(repo, [phase], record_baseline=False)
    counts: Counter[str] = Counter()
    for reference in report[0].references:
        if reference.path not in old_files:
            counts[reference.path] += 1
    return dict(counts)


# ----------------------------------------------------------------------------- grouping

def _code_phases(code: dict[str, int], graph: importgraph.ImportGraph, request: Request,
                 critical_tests: dict[str, int]) -> list[PhasePlan]:
    """Production code in import order (a module many others import first; a cycle in one
    piece), cut into ``phases - 2`` phases of about equal references; ``--critical``
    files (tests included) and the affected modules they import go to phase 1."""
    wanted = request.phases - 2
    code = {**code, **critical_tests}
    if not code:
        return []
    edges = {p: {t for t in graph.imports.get(p, ()) if t in code} for p in code}
    ordered = _import_order(list(code), edges, graph.importers())
    critical = {p for p in code if request.critical and matches(p, request.critical)}
    first: set[str] = set()
    todo = list(critical)
    while todo:                     # critical files, and what they import among the affected
        path = todo.pop()
        if path in first:
            continue
        first.add(path)
        todo += edges[path]
    for component in ordered:
        if first & set(component):
            first |= set(component)
    rest = [c for c in ordered if not first & set(c)]
    groups = [sorted(first)] if first else []
    slots = wanted - len(groups)
    if rest and slots <= 0:
        groups[0] += [p for c in rest for p in c]
    elif rest:
        total = sum(code[p] for c in rest for p in c)
        current: list[str] = []
        done, cut = 0, 1
        for component in rest:
            current += component
            done += sum(code[p] for p in component)
            if cut < slots and done >= total * cut / slots:
                groups.append(current)
                current, cut = [], cut + 1
        if current:
            groups.append(current)
    plans = []
    for i, group in enumerate(g for g in groups if g):
        critical_phase = bool(first) and i == 0
        name = "critical-path" if critical_phase else ("core" if i == 0 else
                                                        "integration" if i == 1 else f"integration-{i}")
        rule = ("files matching --critical and the affected modules they import" if critical_phase else
                "production code in import order: modules imported by many first, an import cycle in one phase")
        description = ("Critical path named with --critical" if critical_phase else
                       "Core modules (imported by the others)" if i == 0 else "Integration-level code")
        plans.append(PhasePlan(0, name, description, rule, Stage.CODE, {p: code[p] for p in sorted(group)}))
    return plans


def _import_order(nodes: list[str], edges: dict[str, set[str]], importers: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles in an order where each comes after what it imports; among those
    ready, the one most imported first, then by path (deterministic)."""
    parts = importgraph.components(nodes, edges)
    of = {p: i for i, c in enumerate(parts) for p in c}
    needs = {i: {of[t] for p in c for t in edges[p]} - {i} for i, c in enumerate(parts)}
    users: dict[int, set[int]] = {i: set() for i in range(len(parts))}
    for i, deps in needs.items():
        for d in deps:
            users[d].add(i)
    weight = {i: -sum(len(importers.get(p, ())) for p in c) for i, c in enumerate(parts)}
    ready = [(weight[i], parts[i][0], i) for i, deps in needs.items() if not deps]
    heapq.heapify(ready)
    out = []
    while ready:
        _, _, i = heapq.heappop(ready)
        out.append(parts[i])
        for user in users[i]:
            needs[user].discard(i)
            if not needs[user]:
                heapq.heappush(ready, (weight[user], parts[user][0], user))
    return out


def minimal_globs(files: Sequence[str], owner: dict[str, int], phase: int) -> list[str]:
    """The shortest globs selecting exactly ``files`` among the files with references:
    a directory whose every such file belongs to ``phase`` becomes ``dir/**/*.ext``
    (``dir/**`` when several kinds of file), else the file itself."""
    if not files:
        return []
    out: list[str] = []
    covered: set[str] = set()
    for path in files:
        if path in covered:
            continue
        best = None
        parent = PurePosixPath(path).parent
        while str(parent) not in ("", "."):
            prefix = str(parent) + "/"
            under = [f for f in owner if f.startswith(prefix)]
            if len(under) > 1 and all(owner[f] == phase for f in under):
                best = (prefix, under)
            parent = parent.parent
        if best is None:
            out.append(_escape(path))
            covered.add(path)
            continue
        prefix, under = best
        suffixes = {PurePosixPath(f).suffix for f in under}
        glob = f"{_escape(prefix)}**/*{suffixes.pop()}" if len(suffixes) == 1 and "" not in suffixes else f"{_escape(prefix)}**"
        out.append(glob)
        covered.update(under)
    return out


def _escape(path: str) -> str:
    return re.sub(r"([\[\]*?!\\])", r"\\\1", path)


# ----------------------------------------------------------------------------- validation

def _discover_validation(repo: Path, plans: list[PhasePlan], graph: importgraph.ImportGraph,
                         python_files: Sequence[str], request: Request, manifests: Path) -> None:
    """Per code phase: the tests importing a changed module directly or through one
    module; the docs phase: ``phasemod check``."""
    runner = test_command(repo)
    skipped = norecursedirs(repo)
    tests = [f for f in python_files
             if (PurePosixPath(f).name.startswith("test_") or PurePosixPath(f).stem.endswith("_test"))
             and not _skipped_dir(f, skipped)]
    every: set[str] = set()
    for plan in plans:
        if plan.stage is Stage.TEXT:
            continue
        changed = set(plan.files)
        near = changed | {p for p, targets in graph.imports.items() if targets & changed}
        guarding = sorted(t for t in tests if t in changed or graph.imports.get(t, frozenset()) & near)
        every.update(guarding)
        plan.validate = [_pytest(runner, guarding) if guarding else
                         "python -m compileall -q " + " ".join(shlex.quote(p) for p in sorted(changed))]
    for plan in plans:
        if plan.stage is Stage.TEXT:   # the references are gone, and the code still works
            option = "" if _default_manifests(repo, manifests) else f" --manifests {shlex.quote(_shown(repo, manifests))}"
            plan.validate = [f"python -m phasemod{option} check"] + ([_pytest(runner, sorted(every))] if every else [])


def _pytest(runner: str, files: Sequence[str]) -> str:
    return " ".join([runner, *(shlex.quote(t) for t in files), "-q"])


_PYTEST_DEFAULT_SKIPS = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")


def norecursedirs(repo: Path) -> tuple[str, ...]:
    """The directories pytest does not collect from, as the project configures them
    (pyproject.toml, pytest.ini, setup.cfg, tox.ini), else pytest's default."""
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        try:
            import tomllib
        except ImportError:          # Python 3.10: read the one key by hand
            tomllib = None
        text = pyproject.read_text(encoding="utf-8", errors="replace")
        value = None
        if tomllib is not None:
            try:
                value = tomllib.loads(text).get("tool", {}).get("pytest", {}).get("ini_options", {}).get("norecursedirs")
            except tomllib.TOMLDecodeError:
                value = None
        else:
            match = re.search(r'^norecursedirs\s*=\s*"([^"]*)"', text, re.M)
            value = match.group(1) if match else None
        if value is not None:
            return tuple(value.split() if isinstance(value, str) else value)
    for name, section in (("pytest.ini", "pytest"), ("setup.cfg", "tool:pytest"), ("tox.ini", "pytest")):
        path = repo / name
        if path.is_file():
            parser = configparser.RawConfigParser(strict=False)
            try:
                parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
            except configparser.Error:
                continue
            if parser.has_option(section, "norecursedirs"):
                return tuple(parser.get(section, "norecursedirs").split())
    return _PYTEST_DEFAULT_SKIPS


def _skipped_dir(path: str, patterns: Sequence[str]) -> bool:
    import fnmatch

    parts = PurePosixPath(path).parts[:-1]
    for depth in range(1, len(parts) + 1):
        directory = "/".join(parts[:depth])
        if any(fnmatch.fnmatch(directory if "/" in pattern else parts[depth - 1], pattern) for pattern in patterns):
            return True
    return False


def test_command(repo: Path) -> str:
    """The project's configured pytest command (tox's ``commands``), else ``python -m pytest``."""
    for name, section in (("tox.ini", "testenv"), ("setup.cfg", "testenv")):
        path = repo / name
        if not path.is_file():
            continue
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
            commands = parser.get(section, "commands", fallback="")
        except configparser.Error:
            continue
        for line in commands.splitlines():
            words = line.split()
            for i, word in enumerate(words):
                if word.endswith("pytest") and "{" not in word:
                    return " ".join(words[: i + 1])
    return "python -m pytest"


def _default_manifests(repo: Path, manifests: Path) -> bool:
    return manifests.resolve() == (repo / "phase_manifests").resolve()


def _shown(repo: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------- manifests

def manifest_text(plan: PhasePlan, request: Request, moves: Moves, command: str, previous: int | None) -> str:
    """One phase manifest, with a header saying it was proposed, by what and by which rule."""
    stage_entries = _entries(request, moves, plan.stage)
    if plan.delete:
        stage_entries += _entries(request, moves, Stage.DELETE, plan.delete)
    document = {
        "phase": plan.number, "name": plan.name, "description": plan.description,
        "requires": [] if previous is None else [previous],
        "files": {"include": plan.include, "exclude": [BACKUPS]},
        "recipes": stage_entries,
        "validate": [{"run": run, "timeout": 600, "severity": "critical"} for run in plan.validate],
        "on_failure": "rollback",
    }
    if request.source_roots:
        document["source_roots"] = list(request.source_roots)
    if plan.delete and not plan.files:
        document["allow_empty"] = True    # only the deletion: nothing is left to select once it ran
    header = (f"# Proposed by `{command}`.\n"
              f"# Phase {plan.number} rule: {plan.rule}.\n"
              f"# {count(len(plan.files), 'file')}, {count(plan.references, 'reference')} when proposed. Edit freely: "
              "`phasemod plan` shows what it selects.\n")
    if plan.delete:
        header += "".join(f"# WARNING: {line}\n" for line in warnings(moves))
    return header + _yaml(document)


def _yaml(value: object, indent: int = 0) -> str:
    """Block-style YAML of dicts and lists; scalars as JSON (a valid YAML subset)."""
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines.append(_yaml(item, indent + 2).rstrip("\n"))
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
    else:
        for item in value:  # type: ignore[union-attr]
            if isinstance(item, dict) and item:
                body = _yaml(item, indent + 2).rstrip("\n")
                lines.append(f"{pad}- " + body[indent + 2:])
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    return "\n".join(lines) + "\n"


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return "[]" if isinstance(value, list) else "{}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if re.fullmatch(r"[A-Za-z_][\w.\-/]*", text) and text.lower() not in ("true", "false", "null", "yes", "no",
                                                                        "on", "off", "y", "n", "~"):
        return text
    return json.dumps(text, ensure_ascii=False)


def write(manifests: Path, plans: Sequence[PhasePlan], request: Request, moves: Moves, command: str,
          force: bool) -> list[Path]:
    """Write one manifest per phase; refuse to replace manifests unless ``force``."""
    names = [manifests / f"{plan.number:02d}-{plan.name}.yaml" for plan in plans]
    existing = sorted(p for p in (manifests.iterdir() if manifests.is_dir() else ())
                      if p.suffix in MANIFEST_SUFFIXES)
    if existing and not force:
        raise UsageError(f"{existing[0]}: {manifests} already holds manifests; pass --force to replace "
                         "them, or --manifests DIR to write elsewhere")
    others = [p for p in existing if p not in names]
    if others:
        raise UsageError(f"{others[0]}: not one of the proposed manifests; move it out of {manifests} "
                         "first (--force replaces only manifests of the same name)")
    manifests.mkdir(parents=True, exist_ok=True)
    previous = None
    for plan, path in zip(plans, names):
        text = manifest_text(plan, request, moves, command, previous)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        previous = plan.number
    return names


def summary(plans: Iterable[PhasePlan]) -> list[str]:
    return [f"phase {p.number} {p.name}: {count(len(p.files), 'file')}, {count(p.references, 'reference')} "
            f"({count(len(p.include), 'glob')}){'; deletes ' + ', '.join(p.delete) if p.delete else ''}" for p in plans]


def warnings(moves: Moves) -> list[str]:
    """What the deletion of the old module would still break."""
    return [f"{name} is defined in the old module and imported by {len(files)} file(s) (e.g. {files[0]}): "
            f"move it to its new home in an earlier phase, or the deletion breaks them"
            for name, files in moves.stranded]
