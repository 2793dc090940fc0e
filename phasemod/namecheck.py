"""The import safety net: does a rewritten module still bind every name it used and
import from the repo only what the repo provides? (SPEC "Safety net".)

Reads any syntax phasemod parses (3.12+ files under Python 3.10: phasemod's own parser
and name resolution, never the running interpreter's); never writes or imports code.
"""
from __future__ import annotations

import builtins
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from phasemod import syntax, textio
from phasemod.modules import module_of
from phasemod.resolve import Analysis, Scope, analyze
from phasemod.sites import in_annotation

_WORD = re.compile(r"[A-Za-z_]\w*")

# Names every module (or class body) may use without binding them.
_IMPLICIT = frozenset(dir(builtins)) | {
    "__name__", "__file__", "__doc__", "__package__", "__spec__", "__loader__", "__path__", "__builtins__",
    "__annotations__", "__dict__", "__module__", "__qualname__", "__class__", "__debug__", "__cached__",
    "WindowsError", "reveal_type", "reveal_locals", "__getattr__", "__all__"}


@dataclass(frozen=True)
class NameProblem:
    """One thing a rewrite broke, worded like pyflakes."""

    line: int
    code: str       # undefined-name | missing-import | duplicate-import | unused-import
    message: str
    name: str = ""  # the name it is about, where one is

    def render(self, path: str) -> str:
        return f"{path}:{self.line}: {self.message}"


@dataclass
class _Facts:
    """What one version of a module binds, uses and imports."""

    unbound: dict[str, int] = field(default_factory=dict)                    # name -> first line
    from_imports: dict[tuple[str, str], int] = field(default_factory=dict)   # (module, name) -> line
    import_bindings: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (scope, name) -> lines
    unused: dict[tuple[str, str], int] = field(default_factory=dict)         # (scope, name) -> line
    reexported: set[tuple[str, str]] = field(default_factory=set)            # `X as X`: neither used nor unused
    star: bool = False


class ModuleIndex:
    """The repo's Python modules and, read from disk on demand, the names each provides."""

    def __init__(self, repo: Path, files: Iterable[str] | None = None, source_roots: tuple[str, ...] = (),
                 planned: Mapping[str, str] | None = None) -> None:
        self.repo = Path(repo)
        self.source_roots = source_roots
        self._files = files
        # path -> text a FILES recipe of the phase writes (or creates), or a file's earlier text
        self.planned: Mapping[str, str] = planned if planned is not None else {}
        self._paths: dict[str, list[str]] | None = None
        self._provided: dict[str, frozenset[str] | None] = {}

    @classmethod
    def of_repo(cls, repo: Path, source_roots: tuple[str, ...] = ()) -> "ModuleIndex":
        return cls(repo, None, source_roots)

    @property
    def paths(self) -> dict[str, list[str]]:
        """module -> its files; the repo is listed the first time a question needs it."""
        if self._paths is None:
            from phasemod.select import repo_files

            self._paths = {}
            listed = list(repo_files(self.repo) if self._files is None else self._files)
            for path in listed + [p for p in self.planned if p not in listed]:
                if path.endswith((".py", ".pyi")):
                    module, _ = module_of(str(self.repo), path, self.source_roots)
                    if module:
                        self._paths.setdefault(module, []).append(path)
        return self._paths

    def forget(self, paths: Iterable[str]) -> None:
        """Files were rewritten: read them again when asked."""
        changed = set(paths)
        for module, files in self.paths.items():
            if changed.intersection(files):
                self._provided.pop(module, None)

    def provides(self, module: str, name: str) -> bool | None:
        """Whether ``from module import name`` works; None when it cannot be known
        statically (not a repo module, a star import or a module ``__getattr__``)."""
        if f"{module}.{name}" in self.paths:
            return True   # a submodule
        if module not in self.paths:
            return None
        names = self._names(module)
        return None if names is None else name in names

    def _names(self, module: str) -> frozenset[str] | None:
        if module in self._provided:
            return self._provided[module]
        found: set[str] = set()
        known = True
        for path in self.paths[module]:
            try:
                text = self.planned[path] if path in self.planned else \
                    textio.decode_python((self.repo / path).read_bytes()).text
                tree = syntax.parse(text)
            except (OSError, textio.DecodeError, syntax.ParseError, RecursionError):
                known = False
                break
            _, is_package = module_of(str(self.repo), path, self.source_roots)
            analysis = analyze(tree, module, is_package)
            if any(stmt.star and stmt.scope is analysis.module for stmt in analysis.imports) \
                    or "__getattr__" in analysis.module.bindings:
                known = False
                break
            found.update(analysis.module.bindings)
        result = frozenset(found) if known else None
        self._provided[module] = result
        return result


def facts(text: str, module: str = "", is_package: bool = False) -> _Facts | None:
    """The facts of one version of a module; None when it does not parse."""
    try:
        tree = syntax.parse(text)
    except (syntax.ParseError, RecursionError):
        return None
    return _facts(analyze(tree, module, is_package))


def facts_of_tree(tree: object, module: str = "", is_package: bool = False) -> _Facts:
    """The facts of an already parsed (possibly rewritten) tree."""
    return _facts(analyze(tree, module, is_package))  # type: ignore[arg-type]


def checked_part(found: _Facts, names: Iterable[str] | None = None) -> _Facts:
    """The part of ``found`` that `problems_of` reads (the rest left empty); ``names``:
    the only unbound names it will be asked about (None: all). Module and name strings
    are interned: thousands of files import the same few."""
    unbound = found.unbound if names is None else {n: line for n, line in found.unbound.items() if n in names}
    imports = {(sys.intern(module), sys.intern(name)): line for (module, name), line in found.from_imports.items()}
    return _Facts(unbound=unbound, from_imports=imports, star=found.star)


def facts_of_analysis(analysis: Analysis) -> _Facts:
    """The facts of a tree already analyzed (the analysis is only read)."""
    return _facts(analysis)


def _facts(analysis: Analysis) -> _Facts:
    out = _Facts(star=any(stmt.star for stmt in analysis.imports))
    used: set[tuple[int, str]] = set()          # (id(scope binding it), name)
    for name, sites in analysis.sites.items():
        for site in sites:
            if site.store:
                continue
            scope = analysis.lookup(name, site.scope)
            if scope is None:
                if name not in _IMPLICIT:
                    out.unbound.setdefault(name, site.leaf.get_lineno())
            else:
                used.add((id(scope), name))
    exported = _exported(analysis)
    # Names inside string annotations are uses (pyflakes agrees); other strings are not.
    # So are names in f-string replacement fields (read here from the text).
    mentioned = {word for leaf, _ in analysis.strings
                 if in_annotation(leaf) or "f" in leaf.value[:3].lower().split("'")[0].split('"')[0]
                 for word in _WORD.findall(leaf.value)}
    for stmt in analysis.imports:
        if stmt.is_from and stmt.module and not stmt.star and stmt.module != "__future__":
            for entry in stmt.entries:
                out.from_imports.setdefault((stmt.module, entry.name), entry.node.get_lineno() or stmt.line)
    for scope in analysis.scopes:
        path = _scope_path(scope)
        for name, bindings in scope.bindings.items():
            imports = [b for b in bindings if b.kind == "import"]
            if not imports:
                continue
            # `import a.b` and `import a.c` both bind `a`: no redefinition (pyflakes agrees).
            for b in imports:
                out.import_bindings.setdefault((path, b.submodule or name), []).append(b.leaf.get_lineno())
            if (id(scope), name) in used or (scope is analysis.module and name in exported) or name in mentioned:
                continue
            stmt = imports[-1].statement
            if stmt is not None and stmt.module == "__future__":
                continue
            if any(_explicit_reexport(b) for b in imports):
                out.reexported.add((path, name))
                continue
            out.unused[(path, name)] = imports[-1].leaf.get_lineno()
    return out


def _exported(analysis: Analysis) -> set[str]:
    """Names in a literal ``__all__`` (a use for the unused-import rule)."""
    from phasemod.sites import in_dunder_all, string_body

    return {body for leaf, scope in analysis.strings if scope is analysis.module and in_dunder_all(leaf)
            for body in [string_body(leaf.value)] if body}


def _explicit_reexport(binding) -> bool:
    stmt = binding.statement
    if stmt is None:
        return False
    return any(e.asname is not None and e.asname == e.name.rpartition(".")[2] and e.bound == binding.name
               for e in stmt.entries)


def _scope_path(scope: Scope) -> str:
    """A name for a scope that survives line shifts: the chain of def/class names."""
    parts = []
    current: Scope | None = scope
    while current is not None and current.parent is not None:
        node = current.node
        if current.kind in ("function", "class"):
            parts.append(node.children[1].value)
        else:
            parts.append(f"<{current.kind}>")
        current = current.parent
    return ".".join(reversed(parts))


def compare(before: _Facts, after: _Facts, index: ModuleIndex | None = None) -> list[NameProblem]:
    """What ``after`` breaks that ``before`` did not: pyflakes-style problems."""
    problems: list[NameProblem] = []
    if not after.star:
        for name, line in after.unbound.items():
            if name not in before.unbound:
                problems.append(NameProblem(line, "undefined-name", f"undefined name {name!r} (bound before the "
                                                                    "rewrite, unbound after it)"))
    for (module, name), line in after.from_imports.items():
        if (module, name) in before.from_imports or index is None:
            continue
        if index.provides(module, name) is False:
            problems.append(NameProblem(line, "missing-import", f"cannot import name {name!r} from {module!r}: "
                                                                "the repo's module does not define it"))
    for key, lines in after.import_bindings.items():
        if len(lines) > 1 and len(lines) > len(before.import_bindings.get(key, ())):
            problems.append(NameProblem(lines[-1], "duplicate-import",
                                        f"redefinition of {key[1]!r} from line {lines[0]} (imported twice)"))
    # Counted, then named: an unused import renamed by the move (`Old` -> `New`) is no new one.
    newly = len(after.unused) > len(before.unused) - len(before.reexported & set(after.unused))
    for key, line in after.unused.items() if newly else ():
        if key not in before.unused and key not in before.reexported:
            problems.append(NameProblem(line, "unused-import", f"{key[1]!r} imported but unused"))
    return sorted(problems, key=lambda p: (p.line, p.code))


def check_rewrite(old: str, new: str, module: str = "", is_package: bool = False,
                  index: ModuleIndex | None = None) -> list[NameProblem]:
    """Problems ``new`` has that ``old`` had not ([] when either does not parse: the
    syntax check reports that)."""
    before, after = facts(old, module, is_package), facts(new, module, is_package)
    if before is None or after is None:
        return []
    return compare(before, after, index)


def problems_of(found: _Facts, index: ModuleIndex, names: Sequence[str] = (),
                modules: Iterable[str] | None = None) -> list[NameProblem]:
    """Problems of one module as it stands (the after-phase check): its imports from
    ``modules`` (None: every repo module) must resolve, and ``names`` (the moved names)
    must be bound where used. A problem with modules the migration never touched is
    not the migration's, so the caller names the modules it changed."""
    scope = None if modules is None else set(modules)
    problems = [NameProblem(line, "missing-import", f"cannot import name {name!r} from {mod!r}: the repo's module "
                                                    "does not define it", name)
                for (mod, name), line in found.from_imports.items()
                if (scope is None or mod in scope) and index.provides(mod, name) is False]
    if not found.star:
        problems += [NameProblem(line, "undefined-name", f"undefined name {name!r}", name)
                     for name, line in found.unbound.items() if name in names]
    return sorted(problems, key=lambda p: (p.line, p.code))


def repo_index_for(repo: Path, source_roots: tuple[str, ...]) -> ModuleIndex:
    """A fresh index of the repo's modules (one per command or worker process)."""
    return ModuleIndex.of_repo(repo, source_roots)

