"""After a phase: the import safety net over every file it changed and every repo module
that imports the old or new module; the findings are kept for status, check and report.

Reads the tree and writes only ``.phasemod/safety.json``; never changes a source file.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from phasemod import namecheck, syntax, textio
from phasemod.manifest import Phase
from phasemod.model import Finding, FindingKind
from phasemod.modules import module_of
from phasemod.select import names_in, repo_files

STORE = "safety.json"


def moves_of(phases: Iterable[Phase]) -> list[tuple[str, str, str, str]]:
    """(old module, new module, old name, new name) of every Python recipe of the phases
    that moves a dotted path. A path may name a symbol (module.Name) or a module: both
    readings are kept, the check is about what they touch."""
    from phasemod.recipe import Reads
    from phasemod.scan import targets_of

    out = []
    for target in targets_of(phases):
        if target.recipe.reads is not Reads.PYTHON:
            continue
        old, new = target.options.old, target.options.new
        old_mod, _, old_name = old.rpartition(".")
        new_mod, _, new_name = new.rpartition(".")
        out.append((old_mod, new_mod, old_name, new_name))
        out.append((old, new, "", ""))
    return out


def check_phase(repo: Path, phase: Phase, changed: Sequence[str], source_roots: tuple[str, ...] = (),
                before: Callable[[], Mapping[str, bytes | None]] | None = None,
                found: list[tuple[str, namecheck.NameProblem]] | None = None
                ) -> dict[str, list[namecheck.NameProblem]]:
    """Problems (by path) of the changed files and of the modules importing an old or new
    module of the phase's moves: imports of repo modules that do not provide the name, and
    uses of the moved names left unbound.

    ``before`` (called only once a problem is found: path -> bytes before the phase, None
    for a file it created) leaves out (into ``found``, when given) the
    problems that were already there: an import of a name its module never defined, a use
    of a name nothing binds, are the repository's, not the phase's. Two problems about a
    moved name are always kept, because cutting a class out by hand makes them before the
    phase runs and the phase is green only once none is left: an import of the moved name
    that does not resolve, and a use of it left unbound in the module it was cut from."""
    moves = moves_of([phase])
    if not moves:
        return {}
    roots = source_roots or phase.source_roots
    # The modules the phase touched: its moves' old and new modules and the files it changed.
    modules = {m for old, new, _, _ in moves for m in (old, new)}
    touched = modules | {module_of(str(repo), p, roots)[0] for p in changed if p.endswith((".py", ".pyi"))}
    names = tuple({n for _, _, old, new in moves for n in (old, new) if n})
    needles = tuple({m.rpartition(".")[2].encode() for m in modules})
    index = namecheck.ModuleIndex(repo, None, roots)
    homes = {old for old, _, name, _ in moves if name}   # the modules the moved names were cut from
    earlier = _Before(repo, roots, before, homes, found if found is not None else []) if before is not None else None
    out: dict[str, list[namecheck.NameProblem]] = {}
    wanted = set(changed)
    for path in repo_files(repo):
        if not path.endswith((".py", ".pyi")):
            continue
        try:
            data = (repo / path).read_bytes()
        except OSError:
            continue
        if path not in wanted and not names_in(data, needles):
            continue
        problems = _check(repo, path, data, index, modules, touched, names, importer_only=path not in wanted,
                          source_roots=roots)
        if problems and earlier is not None:
            problems = earlier.new(path, data, problems, touched, names)
        out[path] = problems
    return out


class _Before:
    """The tree as it was before the phase: the changed files' earlier bytes over today's
    tree, to tell the problems a phase made from those it found."""

    def __init__(self, repo: Path, roots: tuple[str, ...], load: Callable[[], Mapping[str, bytes | None]],
                 homes: set[str], found: list[tuple[str, namecheck.NameProblem]]) -> None:
        self.repo, self.roots, self.load, self.homes, self.found = repo, roots, load, homes, found
        self._before: Mapping[str, bytes | None] | None = None
        self._index: namecheck.ModuleIndex | None = None

    def _loaded(self) -> tuple[Mapping[str, bytes | None], namecheck.ModuleIndex]:
        """The earlier bytes and the module index over them, read on the first problem
        (most phases have none, and then the journal's copies are never read)."""
        if self._before is None or self._index is None:
            self._before = self.load()
            self._index = namecheck.ModuleIndex(self.repo, None, self.roots, planned=_Texts(self._before))
        return self._before, self._index

    def new(self, path: str, data: bytes, problems: list[namecheck.NameProblem], touched: set[str],
            names: tuple[str, ...]) -> list[namecheck.NameProblem]:
        before, index = self._loaded()
        earlier = before.get(path, data)   # an unchanged file: the same bytes, the modules as they were
        module, is_package = module_of(str(self.repo), path, self.roots)
        facts = _facts(earlier, module, is_package) if earlier is not None else None
        if facts is None:
            return problems   # created by the phase (or unreadable before): every problem is new
        had = {(p.code, p.message) for p in namecheck.problems_of(facts, index, names, touched)}
        new = [p for p in problems if (p.code, p.message) not in had or p.name in names and (
            p.code == "missing-import" or module in self.homes)]
        self.found += [(path, p) for p in problems if p not in new]
        return new


class _Texts(Mapping[str, str]):
    """The earlier texts of the changed Python files, decoded when asked (a module index
    reads only the few modules a problem imports from)."""

    def __init__(self, before: Mapping[str, bytes | None]) -> None:
        self._before = before
        self._decoded: dict[str, str | None] = {}

    def _text(self, path: str) -> str | None:
        if path not in self._decoded:
            data = self._before.get(path) if path.endswith((".py", ".pyi")) else None
            try:
                self._decoded[path] = None if data is None else textio.decode_python(data).text
            except textio.DecodeError:
                self._decoded[path] = None
        return self._decoded[path]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and path in self._before and self._text(path) is not None

    def __getitem__(self, path: str) -> str:
        text = self._text(path) if path in self._before else None
        if text is None:
            raise KeyError(path)
        return text

    def __iter__(self) -> Iterator[str]:
        return (p for p in self._before if p.endswith((".py", ".pyi")))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _facts(data: bytes, module: str, is_package: bool) -> Any:
    """The import facts of a file's bytes (None: not decodable or not parseable), parsed
    once per content hash."""
    key = (_digest(data), module, is_package)
    facts = _known.pop(key, None)
    if facts is not None:
        _known[key] = facts   # the most recently read are the last to go
    else:
        try:
            facts = namecheck.facts_of_tree(syntax.parse(textio.decode_python(data).text), module, is_package)
        except (textio.DecodeError, syntax.ParseError, RecursionError):
            return None
        remember(*key, facts)
    return facts


def _check(repo: Path, path: str, data: bytes, index: namecheck.ModuleIndex, modules: set[str], touched: set[str],
           names: tuple[str, ...], importer_only: bool, source_roots: tuple[str, ...]) -> list[namecheck.NameProblem]:
    module, is_package = module_of(str(repo), path, source_roots)
    facts = _facts(data, module, is_package)
    if facts is None:
        return []   # unparseable files are listed by status on their own
    if importer_only and not any(m in modules or m.startswith(tuple(x + "." for x in modules))
                                 for m, _ in facts.from_imports) and not _imports_module(data, modules):
        return []
    return namecheck.problems_of(facts, index, names, touched)


def _imports_module(data: bytes, modules: set[str]) -> bool:
    return any(f"import {m}".encode() in data for m in modules)


# (content hash, module, is_package) -> facts: a module's facts depend on nothing else, so
# a file unchanged since an earlier phase's check, or parsed by the engine, is not parsed
# again. The least recently read go first once there are too many (every file of a
# 40,000-file tree that imports the old module is read by every phase's check).
_known: dict[tuple[str, str, bool], object] = {}
_KNOWN_LIMIT = 40_000
_watched: frozenset[str] | None = None   # the moved names: the only unbound names a check reads


@contextlib.contextmanager
def watching(phases: Sequence[Phase]) -> Iterator[None]:
    """While the command runs ``phases``: facts kept hold only the unbound names a check
    of theirs reads (their moved names), a fraction of the memory. Afterwards the kept
    facts are dropped, so that no other command reads facts narrowed for these."""
    global _watched
    previous = _watched
    _known.clear()
    _watched = frozenset(n for _, _, old, new in moves_of(phases) for n in (old, new) if n)
    try:
        yield
    finally:
        _known.clear()
        _watched = previous


def remember(digest: str, module: str, is_package: bool, facts: object) -> None:
    """Keep what the check reads of a module's facts (its from-imports, star imports and,
    while `watching` the command's phases, only its unbound moved names)."""
    key = (digest, module, is_package)
    _known.pop(key, None)
    _known[key] = namecheck.checked_part(facts, _watched)
    while len(_known) > _KNOWN_LIMIT:
        del _known[next(iter(_known))]


# ---------------------------------------------------------------------------- the store

def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def record(repo: Path, results: dict[str, list[namecheck.NameProblem]]) -> None:
    """Keep the results (replacing earlier ones for the same paths)."""
    from phasemod import state

    stored = _load(repo)
    for path, problems in results.items():
        try:
            digest = _digest((repo / path).read_bytes())
        except OSError:
            stored.pop(path, None)
            continue
        if problems:
            stored[path] = {"digest": digest, "problems": [[p.line, p.code, p.message] for p in problems]}
        else:
            stored.pop(path, None)
    state.write_file(repo, STORE, json.dumps(stored, indent=1, sort_keys=True).encode(), create=True)


def _load(repo: Path) -> dict[str, dict]:
    from phasemod import state

    try:
        data = json.loads(state.read_file(repo, STORE, 1 << 26) or b"{}")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def findings(repo: Path, phases: Sequence[Phase]) -> list[Finding]:
    """The recorded problems that still hold: a file changed since it was checked is
    checked again (its imports and the moved names), a vanished file is dropped."""
    stored = _load(repo)
    if not stored:
        return []
    out: list[Finding] = []
    moves = moves_of(phases)
    names = tuple({n for _, _, old, new in moves for n in (old, new) if n})
    modules = {m for old, new, _, _ in moves for m in (old, new)}
    roots = tuple(sorted({r for p in phases for r in p.source_roots}))
    index: namecheck.ModuleIndex | None = None
    for path in sorted(stored):
        entry = stored[path]
        try:
            data = (repo / path).read_bytes()
        except OSError:
            continue
        if _digest(data) == entry.get("digest"):
            problems = [namecheck.NameProblem(int(line), str(code), str(message))
                        for line, code, message in entry.get("problems", [])]
        else:
            index = index or namecheck.ModuleIndex(repo, None, roots)
            try:
                tree = syntax.parse(textio.decode_python(data).text)
            except (textio.DecodeError, syntax.ParseError, RecursionError):
                continue
            module, is_package = module_of(str(repo), path, roots)
            problems = namecheck.problems_of(namecheck.facts_of_tree(tree, module, is_package), index, names,
                                             modules)
        out += [Finding(FindingKind.UNSAFE, path, p.line, p.message) for p in problems]
    return out
