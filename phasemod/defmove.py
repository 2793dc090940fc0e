"""Move one top-level definition's source from a module to another.

Reads the repository through a ``RepoView`` and returns a ``Plan``: the full new text of
every file it changes or creates, or a refusal that says why the definition cannot move
alone. Never writes; the engine journals and writes the plan like any other rewrite.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Mapping, Sequence

from fissix import pytree
from fissix.pgen2 import token
from fissix.pygram import python_symbols as syms

from phasemod import syntax, textio
from phasemod.model import Kind
from phasemod.modules import forget_packages, module_of
from phasemod.resolve import Analysis, ImportEntry, ImportStatement, analyze
from phasemod.select import names_in, read_regular

Leaf, Node = pytree.Leaf, pytree.Node

SHIM_TABLE = "_MOVED_TO"
SHIM_COMMENT = "# Names moved elsewhere, still importable from here (phasemod)."
LINE_LIMIT = 88
_DEFS = {syms.classdef, syms.funcdef, syms.decorated, syms.async_stmt, getattr(syms, "async_funcdef", -1)}


class Refused(Exception):
    """The definition cannot move alone; ``str()`` says why and what to do."""

    def __init__(self, message: str, path: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.path, self.line = path, line


@dataclass(frozen=True)
class Plan:
    """The files a move changes (path -> full new text; ``created`` did not exist) or why not."""

    writes: Mapping[str, str] = field(default_factory=dict)
    created: tuple[str, ...] = ()
    refusal: str = ""
    refusal_path: str = ""
    refusal_line: int = 0
    notes: tuple[str, ...] = ()


class RepoView:
    """The repository as the move sees it: files on disk, overlaid by texts an earlier
    move of the same phase produced (so moves chain in recipe order)."""

    def __init__(self, root: Path, files: Sequence[str], source_roots: tuple[str, ...] = (),
                 overlay: Mapping[str, str] | None = None) -> None:
        self.root, self.source_roots = root, source_roots
        self.overlay = dict(overlay or {})
        forget_packages()   # packages this process saw missing may exist now
        self.files = sorted(set(files) | set(self.overlay))
        self._modules: dict[str, str] | None = None

    def text(self, rel: str) -> str | None:
        if rel in self.overlay:
            return self.overlay[rel]
        try:
            return textio.decode_python(read_regular(self.root / rel)).text
        except (OSError, textio.DecodeError):
            return None

    def module(self, rel: str) -> tuple[str, bool]:
        return module_of(str(self.root), rel, self.source_roots)

    def path_of(self, module: str) -> str | None:
        if self._modules is None:
            self._modules = {}
            for rel in self.files:
                if rel.endswith(".py"):
                    name, _ = self.module(rel)
                    if name:
                        self._modules.setdefault(name, rel)
        return self._modules.get(module)


# ---------------------------------------------------------------------------- entry point

def plan_move(view: RepoView, old_module: str, new_module: str, name: str, shim: str = "import") -> Plan:
    """Plan moving ``old_module.name`` to ``new_module`` (the recipe's doc page says how)."""
    try:
        return _Mover(view, old_module, new_module, name, shim).plan()
    except Refused as exc:
        message = re.sub(r"^" + re.escape(exc.path) + r"(:\d+)?: ", "", str(exc)) if exc.path else str(exc)
        return Plan(refusal=message, refusal_path=exc.path, refusal_line=exc.line)


@dataclass
class _Module:
    path: str
    module: str
    is_package: bool
    text: str
    tree: Node
    analysis: Analysis

    @classmethod
    def read(cls, view: RepoView, path: str, text: str | None = None) -> "_Module":
        text = view.text(path) if text is None else text
        if text is None:
            raise Refused(f"{path}: cannot be read", path)
        try:
            tree = syntax.parse(text)
        except syntax.ParseError as exc:
            raise Refused(f"{path}:{exc.line}: cannot be parsed ({exc.message}); fix it first", path, exc.line) from None
        module, is_package = view.module(path)
        return cls(path, module, is_package, text, tree, analyze(tree, module, is_package))

    def top(self, node: pytree.Base) -> pytree.Base:
        """The top-level statement holding ``node``."""
        while node.parent is not None and node.parent is not self.tree:
            node = node.parent
        return node

    def offsets(self) -> list[int]:
        out, at = [], 0
        for child in self.tree.children:
            out.append(at)
            at += len(str(child))
        out.append(at)
        return out

    def uses_relative_imports(self) -> bool:
        return any(s.level for s in self.analysis.imports if s.scope is self.analysis.module)


class _Mover:
    def __init__(self, view: RepoView, old_module: str, new_module: str, name: str, shim: str) -> None:
        self.view, self.old_module, self.new_module, self.name, self.shim = view, old_module, new_module, name, shim
        self.notes: list[str] = []
        self.created: list[str] = []
        self.new_path = ""
        self.packages: dict[str, str] = {}   # created __init__.py -> its package

    # -- the whole move
    def plan(self) -> Plan:
        old_path = self.view.path_of(self.old_module)
        if old_path is None:
            raise Refused(f"old_module {self.old_module} is not a module of this repository; "
                          "check the dotted name (and source_roots for a namespace package)")
        old = _Module.read(self.view, old_path)
        new_path = self.new_path = self.view.path_of(self.new_module) or self._new_path(old)
        new_text = self.view.text(new_path) if new_path not in self.created else None
        new = _Module.read(self.view, new_path, new_text) if new_text is not None else None
        definition = self._definition(old, new)
        if definition is None:
            return Plan(notes=(f"{self.old_module}.{self.name} is already defined in {self.new_module}; nothing to move",))
        moved_text, cut = self._cut(old, definition)
        imports, from_old, copied = self._dependencies(old, definition)
        copied = [text for text in copied if not self._defined_alike(new, text)]
        if copied:
            moved_text = "".join(line + "\n" for line in copied) + "\n\n" + moved_text
        writes: dict[str, str] = {}
        for path, package in self.packages.items():
            writes[path] = f'"""The {package} package."""\n'
        writes[new_path] = self._new_text(old, new, new_path, moved_text, imports, from_old)
        writes[old_path] = self._old_text(old, definition, cut, bool(from_old))
        self._check_cycles(writes, old_path, new_path)
        return Plan(writes, tuple(self.created), notes=tuple(self.notes))

    def _new_path(self, old: _Module) -> str:
        """Where a missing new module goes: beside the old module's top package, with the
        ``__init__.py`` of every package that does not exist yet."""
        depth = len(old.module.split(".")) + (1 if old.is_package else 0)
        root = PurePosixPath(old.path).parents[depth - 1]
        parts = self.new_module.split(".")
        for i in range(1, len(parts)):
            package = ".".join(parts[:i])
            if self.view.path_of(package) is None:
                init = str(root.joinpath(*parts[:i], "__init__.py"))
                if (self.view.root / init).exists():
                    raise Refused(f"{init}: exists but is not seen as package {package}; "
                                  "add source_roots to the manifest", old.path)
                self.created.append(init)
                self.packages[init] = package
        path = str(root.joinpath(*parts[:-1], parts[-1] + ".py"))
        self.created.append(path)
        return path

    # -- finding the definition
    def _definition(self, old: _Module, new: _Module | None) -> pytree.Base | None:
        bindings = old.analysis.module.bindings.get(self.name, [])
        defs = [b for b in bindings if b.kind != "import"]
        new_binds = new is not None and any(b.kind != "import" for b in new.analysis.module.bindings.get(self.name, []))
        if not defs:
            if new_binds:
                return None
            raise Refused(f"{old.path}: {self.old_module} has no top-level definition of {self.name}; "
                          "check the name (only a class, function or constant defined there can move)",
                          old.path)
        if new_binds:
            line = next(b.leaf.get_lineno() for b in new.analysis.module.bindings[self.name] if b.kind != "import")
            raise Refused(f"{new.path}:{line}: {self.new_module} already defines {self.name}; "
                          "rename or remove one of them first", new.path, line)
        tops = {id(old.top(b.leaf)): old.top(b.leaf) for b in bindings}
        lines = ", ".join(str(b.leaf.get_lineno()) for b in bindings)
        if len(bindings) > 1:
            raise Refused(f"{old.path}: {self.name} is bound {len(bindings)} times (lines {lines}); "
                          "a single definition moves: merge them first", old.path, bindings[0].leaf.get_lineno())
        stmt = next(iter(tops.values()))
        line = bindings[0].leaf.get_lineno()
        if stmt.type not in _DEFS and not self._is_single_assignment(stmt):
            raise Refused(f"{old.path}:{line}: {self.name} is not a plain top-level class, function or "
                          "`NAME = value` (it is inside a block or assigned with other names); move it by hand",
                          old.path, line)
        for scope in old.analysis.scopes:
            if self.name in scope.declared_global:
                raise Refused(f"{old.path}:{line}: a function of {self.old_module} rebinds {self.name} with "
                              "`global`; after the move it would change the old module's copy; move it by hand",
                              old.path, line)
        return stmt

    def _is_single_assignment(self, stmt: pytree.Base) -> bool:
        if stmt.type != syms.simple_stmt or len(stmt.children) != 2:
            return False
        expr = stmt.children[0]
        if expr.type != syms.expr_stmt:
            return False
        first = expr.children[0]
        if isinstance(first, Leaf) and first.value == self.name:
            second = expr.children[1]
            if second.type == syms.annassign:
                return True
            return len(expr.children) == 3 and second.type == token.EQUAL
        return False

    # -- cutting its text out
    def _cut(self, old: _Module, stmt: pytree.Base) -> tuple[str, tuple[int, int, str]]:
        """(the moved text, (start, end, replacement) of the old module's span): the
        statement's lines, the comment lines right above it (no blank line between) and
        the indented comment lines that end its body."""
        lines = old.text.splitlines(keepends=True)
        leaves = [leaf for leaf in stmt.leaves() if leaf.value]
        first = leaves[0].get_lineno() - 1
        last = leaves[-1].get_lineno() - 1 + leaves[-1].value.count("\n") - (1 if leaves[-1].value.endswith("\n") else 0)
        start = first
        while start > 0 and lines[start - 1].startswith("#"):
            start -= 1
        if start == 0 and first > 0 and not any(line.strip() and not line.startswith("#") for line in lines[:first]):
            start = first   # the file's own header (license, shebang) stays where it is
        end = last + 1
        if stmt.type != syms.simple_stmt:
            probe = end
            while probe < len(lines) and (not lines[probe].strip() or
                                          (lines[probe][:1] in (" ", "\t") and lines[probe].lstrip().startswith("#"))):
                probe += 1
                if lines[probe - 1].strip():
                    end = probe
        moved = "".join(lines[start:end])
        if not moved.endswith("\n"):
            moved += "\n"
        offset = [0]
        for line in lines:
            offset.append(offset[-1] + len(line))
        return moved, (offset[start], offset[end], "")

    # -- what it needs
    def _dependencies(self, old: _Module, stmt: pytree.Base) -> tuple[list[str], list[str], list[str]]:
        """(import lines the new module needs, public names it imports from the old
        module, private type variables it gets a copy of)."""
        analysis = old.analysis
        nodes = [stmt]
        while True:
            used = self._names_used(old, nodes)
            copies = [self._type_variable(old, name) for name in used]
            more = [node for node in copies if node is not None and all(node is not n for n in nodes)]
            if not more:
                break
            nodes += more
        inside = {id(leaf) for node in nodes for leaf in node.leaves()}
        copied = [_code(node) for node in sorted(nodes[1:], key=_first_line)]
        used = {name: line for name, line in used.items() if self._type_variable(old, name) is None}
        for scope in analysis.scopes:
            if id(next(scope.node.leaves(), None)) in inside and scope.declared_global:
                names = ", ".join(sorted(scope.declared_global))
                raise Refused(f"{old.path}: {self.name} declares `global {names}`; after the move it would rebind "
                              f"names of {self.new_module}, not {self.old_module}; move it by hand", old.path)
        private, public, imports = [], [], []
        wanted: dict[int, tuple[ImportStatement, list[ImportEntry]]] = {}
        copied_blocks: list[pytree.Base] = []
        for name, line in sorted(used.items(), key=lambda item: item[1]):
            bindings = analysis.module.bindings[name]
            if all(b.kind == "import" and b.statement is not None for b in bindings):
                for b in bindings:
                    top = old.top(b.statement.node)
                    if top.type == syms.simple_stmt:
                        chosen = wanted.setdefault(id(b.statement), (b.statement, []))[1]
                        chosen += [e for e in b.statement.entries if e.bound == name and all(e is not c for c in chosen)]
                    elif top not in copied_blocks:
                        copied_blocks.append(top)
            elif name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                private.append((name, min(b.leaf.get_lineno() for b in bindings)))
            else:
                public.append(name)
        if private:
            listed = ", ".join(f"{n} (line {ln})" for n, ln in private)
            raise Refused(f"{old.path}: {self.name} cannot move alone: it uses private helpers of {self.old_module}: "
                          f"{listed}. Importing them back from {self.old_module} would tie {self.new_module} to the "
                          f"old module's internals and make an import cycle with the name left behind. Move them "
                          "first (a move entry of their own, listed before this one) or make them public.",
                          old.path, private[0][1])
        for stmt_, entries in wanted.values():
            in_order = [e for e in stmt_.entries if any(e is c for c in entries)]
            imports += [(stmt_.line, line) for line in self._import_lines(stmt_, in_order)]
        for block in copied_blocks:
            text = str(block)
            imports.append((_first_line(block), text[len(next(block.leaves()).prefix):].rstrip("\n")))
        # in the old module's order; names imported from it as ruff/isort order them
        # A blank line between two of them in the old module (import groups) is kept: "".
        old_lines = old.text.splitlines()
        lines: list[str] = []
        previous = 0
        seen: set[str] = set()
        for at, line in sorted(imports, key=lambda item: item[0]):
            if not line or line in seen:
                continue
            seen.add(line)
            if lines and any(not text.strip() for text in old_lines[previous:at - 1]):
                lines.append("")
            lines.append(line)
            previous = at
        return lines, sorted(public, key=_name_order), copied

    def _names_used(self, old: _Module, nodes: list[pytree.Base]) -> dict[str, int]:
        """Module-level names of the old module that the statements use (first line of use)."""
        analysis = old.analysis
        inside = {id(leaf) for node in nodes for leaf in node.leaves()}
        used: dict[str, int] = {}
        for name, sites in analysis.sites.items():
            for site in sites:
                if id(site.leaf) in inside and name != self.name and analysis.lookup(name, site.scope) is analysis.module:
                    if not (site.store and site.scope is analysis.module):
                        used.setdefault(name, site.leaf.get_lineno())
        return used

    def _defined_alike(self, new: _Module | None, text: str) -> bool:
        """Does the new module already hold this very statement? A different binding of
        the same name is a conflict."""
        name = text.split("=", 1)[0].strip()
        theirs = new.analysis.module.bindings.get(name, []) if new is not None else []
        if not theirs:
            return False
        if any(_code(new.top(b.leaf)) == text for b in theirs):
            return True
        line = theirs[0].leaf.get_lineno()
        raise Refused(f"{new.path}:{line}: {self.new_module} already binds {name}, which the moved code means as "
                      f"{text}; rename one of them first", new.path, line)

    @staticmethod
    def _type_variable(old: _Module, name: str) -> pytree.Base | None:
        """The statement ``_T = TypeVar("_T", ...)`` (or ParamSpec, TypeVarTuple) that alone
        binds the private ``name``: the new module gets its own copy, as if it had written it."""
        bindings = old.analysis.module.bindings.get(name, [])
        if not name.startswith("_") or len(bindings) != 1 or bindings[0].kind != "store":
            return None
        top = old.top(bindings[0].leaf)
        if top.type != syms.simple_stmt or len(top.children) != 2 or top.children[0].type != syms.expr_stmt:
            return None
        expr = top.children[0]
        if len(expr.children) != 3 or not isinstance(expr.children[0], Leaf) or expr.children[0].value != name:
            return None
        value = expr.children[2]
        called = "".join(str(c).strip() for c in value.children[:-1]) if value.type == syms.power else ""
        return top if called.rpartition(".")[2] in ("TypeVar", "ParamSpec", "TypeVarTuple") else None

    def _import_lines(self, stmt: ImportStatement, entries: list[ImportEntry]) -> list[str]:
        """The import statement(s) the new module needs for these entries of ``stmt``."""
        def spelled(entry: ImportEntry) -> str:
            return entry.name + (f" as {entry.asname}" if entry.asname else "")

        if not stmt.is_from:
            return [f"import {spelled(e)}" for e in entries if e.name != self.new_module]
        if stmt.module in (self.new_module, "__future__") or not entries:
            return []   # what the new module defines itself is used directly
        spec = _relative(stmt.module, self.new_module) if stmt.level else stmt.module
        return [_wrap(f"from {spec} import ", [spelled(e) for e in entries])]

    # -- the new module
    def _new_text(self, old: _Module, new: _Module | None, new_path: str, moved: str,
                  imports: list[str], from_old: list[str]) -> str:
        futures = [_code(s.statement) for s in old.analysis.imports
                   if s.scope is old.analysis.module and s.module == "__future__" and not s.level]
        relative = (new.uses_relative_imports() if new is not None and new.analysis.imports
                    else old.uses_relative_imports())
        if from_old:
            spec = _relative(self.old_module, self.new_module) if relative else self.old_module
            imports = _add_to_group(imports, _wrap(f"from {spec} import ", from_old))
        if new is None:
            head = _header_comment(old.text) + "".join(line + "\n" for line in futures)
            if futures and imports:
                head += "\n"
            head += "".join(line + "\n" for line in imports)
            return head + ("\n\n" if head else "") + moved
        wanted = [line for line in imports if line and not self._already_imported(new, line)]
        missing_futures = [f for f in futures if f not in {str(s.statement).strip() for s in new.analysis.imports}]
        if missing_futures:
            self.notes.append(f"{new_path}: added {', '.join(missing_futures)} (the moved code was written under it)")
        text = _insert_imports(new, wanted, missing_futures)
        text = text.rstrip("\n")
        return (text + "\n\n\n" if text.strip() else "") + moved

    def _already_imported(self, new: _Module, line: str) -> bool:
        """True when ``new`` already binds every name of the import line to the same thing;
        a different binding of one of them is a conflict."""
        tree = syntax.parse(line + "\n")
        probe = analyze(tree, new.module, new.is_package)
        present = True
        for name, bindings in probe.module.bindings.items():
            mine = bindings[0]
            theirs = new.analysis.module.bindings.get(name)
            if not theirs:
                present = False
                continue
            if not any(b.kind == "import" and b.target == mine.target and b.submodule == mine.submodule for b in theirs):
                b = theirs[0]
                raise Refused(f"{new.path}:{b.leaf.get_lineno()}: {self.new_module} already binds {name} to something "
                              f"else than the moved code means by it ({line.strip()}); rename one of them first",
                              new.path, b.leaf.get_lineno())
        return present

    # -- the old module
    def _old_text(self, old: _Module, stmt: pytree.Base, cut: tuple[int, int, str], new_imports_old: bool) -> str:
        start, end, replacement = cut
        uses_self = self._own_uses(old, stmt)
        others = uses_self is None and self._others_use(old)
        edits: list[tuple[int, int, str]] = [(start, end, replacement)]
        relative = old.uses_relative_imports()
        spec = _relative(self.new_module, self.old_module) if relative and _same_top(self.old_module, self.new_module) \
            else self.new_module
        if self.shim == "deprecation":
            if uses_self is not None:
                raise Refused(f"{old.path}:{uses_self}: {self.old_module} still uses {self.name} itself; a deprecation "
                              "shim only warns for a name the module does not bind. Use shim: import, or move those "
                              "uses first.", old.path, uses_self)
            edits.append(self._shim_edit(old, deprecated=True))
            self.notes.append(f"{old.path}: importing {self.name} from here warns DeprecationWarning")
        elif uses_self is not None or others:
            if new_imports_old:
                if uses_self is not None:
                    raise Refused(f"{old.path}:{uses_self}: import cycle: {self.new_module} must import names of "
                                  f"{self.old_module}, and {self.old_module} still uses {self.name} (line {uses_self}). "
                                  "Move those uses too, or move the names it uses first.", old.path, uses_self)
                # A module-level import back would be a cycle: a lazy module __getattr__ is not.
                edits.append(self._shim_edit(old, deprecated=False))
                self.notes.append(f"{old.path}: {self.name} is re-exported lazily (module __getattr__): "
                                  f"{self.new_module} imports from {self.old_module}")
            else:
                line = f"from {spec} import {self.name}"
                if uses_self is None:
                    line = f"# {self.name} moved to {self.new_module}; importable from here until migrated.\n" \
                           f"{line}  # noqa: F401"
                at = _header_end(old)
                # a group of its own after imports of other packages (isort's sections)
                before = _last_import(old)
                if before is not None and _family(before) != _family(spec):
                    line = "\n" + line
                edits.append((at, at, line + "\n"))
        text = _apply(old.text, edits)
        text = _tidy_blank_lines(text)
        return self._drop_unused_imports(old, text, stmt)

    def _own_uses(self, old: _Module, stmt: pytree.Base) -> int | None:
        """The first line where the old module itself uses the name (outside its definition)."""
        inside = {id(leaf) for leaf in stmt.leaves()}
        for site in old.analysis.sites.get(self.name, []):
            if id(site.leaf) not in inside and old.analysis.lookup(self.name, site.scope) is old.analysis.module:
                return site.leaf.get_lineno()
        return None

    def _others_use(self, old: _Module) -> bool:
        """Does ``__all__`` export the name, or does any other file of the repository refer to it there?"""
        if _in_all(old, self.name):
            return True
        from phasemod.relocate import Move, survey

        move = Move.from_paths(f"{self.old_module}.{self.name}", f"{self.new_module}.{self.name}")
        needles = (self.name.encode(), self.old_module.rpartition(".")[2].encode())
        for rel in self.view.files:
            if not rel.endswith((".py", ".pyi")) or rel == old.path or not self._contains(rel, needles):
                continue
            text = self.view.text(rel)
            if text is None:
                continue
            try:
                tree = syntax.parse(text)
            except syntax.ParseError:
                return True   # cannot tell: keep the old name working
            module, is_package = self.view.module(rel)
            if _code_sites(survey(tree, move, module, is_package)[0]):
                return True
        return False

    def _shim_edit(self, old: _Module, deprecated: bool) -> tuple[int, int, str]:
        table: dict[str, tuple[str, bool]] = {}
        offsets = old.offsets()
        start = end = offsets[-1]
        for i, child in enumerate(old.tree.children):
            if _assigns(child, SHIM_TABLE):
                table = _shim_table(str(child.children[0].children[-1]))
                if table is None:
                    raise Refused(f"{old.path}: {SHIM_TABLE} is not the table a move writes; "
                                  "restore it or remove it", old.path)
                start = _comment_start(old.text, child)
                end = offsets[i + 2] if i + 1 < len(old.tree.children) and _defines(old.tree.children[i + 1], "__getattr__") \
                    else offsets[i + 1]
        if start == end and "__getattr__" in old.analysis.module.bindings:
            line = old.analysis.module.bindings["__getattr__"][0].leaf.get_lineno()
            raise Refused(f"{old.path}:{line}: {self.old_module} already has a module __getattr__; a shim would "
                          "replace it. Add the moved name to it by hand, or use shim: import.", old.path, line)
        if start == end and SHIM_TABLE in old.analysis.module.bindings:
            raise Refused(f"{old.path}: {SHIM_TABLE} is already bound; rename it", old.path)
        table[self.name] = (self.new_module, deprecated)
        return (start, end, _shim_text(table))

    def _drop_unused_imports(self, old: _Module, text: str, stmt: pytree.Base) -> str:
        """Remove imports the moved code alone used, unless anything could still use them:
        an ``__all__`` entry, a ``noqa`` comment, or any other file of the repository that
        names both the old module and the imported name."""
        inside = {id(leaf) for leaf in stmt.leaves()}
        candidates = set()
        for name, sites in old.analysis.sites.items():
            bindings = old.analysis.module.bindings.get(name, [])
            if bindings and all(b.kind == "import" for b in bindings) and any(id(s.leaf) in inside for s in sites):
                candidates.add(name)
        if not candidates:
            return text
        after = _Module.read(self.view, old.path, text)
        drop: list[tuple[ImportStatement, ImportEntry]] = []
        for stmt_ in after.analysis.imports:
            if stmt_.scope is not after.analysis.module or after.top(stmt_.node).type != syms.simple_stmt:
                continue
            if "noqa" in str(stmt_.statement) or "noqa" in next(after.top(stmt_.node).leaves()).prefix:
                continue
            for entry in stmt_.entries:
                bound = entry.bound
                if bound not in candidates or _in_all(after, bound) or self._used(after, bound):
                    continue
                if self._named_elsewhere(old.path, bound):
                    continue
                drop.append((stmt_, entry))
        if not drop:
            return text
        from phasemod import treeedit

        for stmt_, entry in drop:
            if len(stmt_.entries) == 1 or not stmt_.is_from:
                if len(stmt_.entries) == 1:
                    treeedit.remove_statement(stmt_.node)
            else:
                treeedit.remove_import_entry(entry.node)
                stmt_.entries.remove(entry)
        return _tidy_blank_lines(str(after.tree))

    @staticmethod
    def _used(module: _Module, name: str) -> bool:
        return any(not s.store for s in module.analysis.sites.get(name, []))

    def _named_elsewhere(self, old_path: str, name: str) -> bool:
        """Does another file use ``old_module.name`` (import it from there, spell the
        dotted path)? The new module's own copy of the import does not count; a file that
        cannot be parsed counts (it may)."""
        from phasemod.relocate import Move, survey

        needles = (self.old_module.rpartition(".")[2].encode(), name.encode())
        move = Move.from_paths(f"{self.old_module}.{name}", f"{self.new_module}.{name}")
        for rel in self.view.files:
            if rel in (old_path, self.new_path) or not rel.endswith((".py", ".pyi")) or not self._contains(rel, needles):
                continue
            text = self.view.text(rel)
            try:
                tree = syntax.parse(text or "")
            except syntax.ParseError:
                return True
            module, is_package = self.view.module(rel)
            if _code_sites(survey(tree, move, module, is_package)[0]):
                return True
        return False

    def _contains(self, rel: str, needles: tuple[bytes, ...]) -> bool:
        """Does the file hold every one of the names (as whole words)?"""
        if rel in self.view.overlay:
            data = self.view.overlay[rel].encode()
        else:
            try:
                data = read_regular(self.view.root / rel)
            except OSError:
                return False
        return all(names_in(data, (n,)) for n in needles)

    # -- cycles
    def _check_cycles(self, writes: Mapping[str, str], old_path: str, new_path: str) -> None:
        graph = _ImportGraph(self.view, writes)
        before = _ImportGraph(self.view, {})
        for module, path in ((self.new_module, new_path), (self.old_module, old_path)):
            cycle = graph.cycle(module)
            if cycle and not before.cycle(module):
                shown = " -> ".join(cycle)
                raise Refused(f"{old_path}: moving {self.name} would create an import cycle: {shown}. Move the "
                              "names it uses from there first, or break the cycle by hand.", old_path)


# ---------------------------------------------------------------------------- import graph

class _ImportGraph:
    """Module-level imports between the repository's modules (what runs at import time:
    not imports inside functions or under ``if TYPE_CHECKING:``)."""

    def __init__(self, view: RepoView, texts: Mapping[str, str]) -> None:
        self.view, self.texts = view, texts
        self.edges: dict[str, set[str]] = {}

    def _path(self, module: str) -> str | None:
        for path in self.texts:
            if path.endswith(".py") and self.view.module(path)[0] == module:
                return path
        return self.view.path_of(module)

    def imports(self, module: str) -> set[str]:
        if module in self.edges:
            return self.edges[module]
        self.edges[module] = set()
        path = self._path(module)
        text = self.texts.get(path) if path in self.texts else (self.view.text(path) if path else None)
        if not text:
            return self.edges[module]
        try:
            tree = syntax.parse(text)
        except syntax.ParseError:
            return self.edges[module]
        name, is_package = self.view.module(path)
        analysis = analyze(tree, name or module, is_package)
        found: set[str] = set()
        for stmt in analysis.imports:
            if stmt.scope.kind not in ("module", "class") or _type_checking_only(stmt.node):
                continue
            if stmt.is_from:
                targets = [stmt.module] + [f"{stmt.module}.{e.name}" for e in stmt.entries]
            else:
                targets = [e.name for e in stmt.entries]
            for target in targets:
                if self._path(target) is not None:
                    found.add(target)
        self.edges[module] = found
        return found

    def cycle(self, start: str) -> list[str]:
        """A chain of imports leading from ``start`` back to it ([] if none)."""
        parents: dict[str, str] = {}
        queue, seen = [start], {start}
        while queue:
            current = queue.pop(0)
            for target in sorted(self.imports(current)):
                if target == start:
                    chain = [current]
                    while chain[-1] != start:
                        chain.append(parents[chain[-1]])
                    return [*reversed(chain), start]
                if target not in seen:
                    seen.add(target)
                    parents[target] = current
                    queue.append(target)
        return []


def _type_checking_only(node: pytree.Base) -> bool:
    while node.parent is not None:
        node = node.parent
        if node.type == syms.if_stmt and "TYPE_CHECKING" in str(node.children[1]):
            return True
    return False


# ---------------------------------------------------------------------------- text helpers

def _first_line(node: pytree.Base) -> int:
    return next(leaf for leaf in node.leaves() if leaf.value).get_lineno()


def _name_order(name: str) -> tuple[int, str]:
    """isort's and ruff's force-sort-by-type order: CONSTANTS, Classes, functions."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def _relative(target: str, here: str) -> str:
    """How the module ``here`` (not a package) spells an import of ``target``: relative
    when both are in the same top-level package, else absolute."""
    if not _same_top(target, here):
        return target
    package = here.split(".")[:-1]
    parts = target.split(".")
    common = 0
    while common < min(len(package), len(parts)) and package[common] == parts[common]:
        common += 1
    dots = len(package) - common + 1
    return "." * dots + ".".join(parts[common:])


def _same_top(a: str, b: str) -> bool:
    return "." in a and "." in b and a.split(".")[0] == b.split(".")[0]


def _wrap(head: str, names: Iterable[str]) -> str:
    names = list(names)
    line = head + ", ".join(names)
    if len(line) <= LINE_LIMIT:
        return line
    return head + "(\n" + "".join(f"    {n},\n" for n in names) + ")"


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _code_sites(sites: list) -> list:
    """References that code makes (a comment naming the dotted path imports nothing)."""
    return [site for site in sites if site.kind is not Kind.DOCS]


def _code(node: pytree.Base) -> str:
    """A statement's text without the comments and blank lines before it."""
    return str(node)[len(next(node.leaves()).prefix):].strip()


def _header_comment(text: str) -> str:
    """The comment block a module starts with (license, copyright), without a shebang or
    coding line, followed by its blank line: a created module gets the same."""
    lines = text.splitlines(keepends=True)
    taken: list[str] = []
    for number, line in enumerate(lines):
        if not line.startswith("#"):
            break
        if number < 2 and (line.startswith("#!") or re.match(r"^#.*coding[:=]", line)):
            continue
        taken.append(line)
    return "".join(taken)


def _spec_of(line: str) -> str:
    return line.split(" import ", 1)[0].removeprefix("from ").removeprefix("import ")


def _add_to_group(lines: list[str], line: str) -> list[str]:
    """Add ``line`` to the last import group when it imports from the same package the
    same way (relative, or absolute from the same top-level package), in sorted place if
    that group was sorted; otherwise as a group of its own."""
    start = max((i + 1 for i, existing in enumerate(lines) if not existing), default=0)
    group = lines[start:]
    spec = _spec_of(line)

    def family(text: str) -> str:
        other = _spec_of(text)
        return "." if other.startswith(".") else other.split(".")[0]

    if not group or not all(text.startswith("from ") and family(text) == family(line) for text in group):
        return lines + ([""] if lines else []) + [line]
    if [_spec_of(t) for t in group] == sorted(_spec_of(t) for t in group):
        at = next((i for i, text in enumerate(group) if _spec_of(text) > spec), len(group))
        return lines[:start] + group[:at] + [line] + group[at:]
    return lines + [line]


def _tidy_blank_lines(text: str) -> str:
    """At most two blank lines in a row at the top level, none at the end of the file."""
    text = re.sub(r"\n(?:[ \t]*\n){3,}(?=\S)", "\n\n\n", text)
    stripped = text.rstrip().lstrip("\n")
    return stripped + "\n" if stripped else ""


def _comment_start(text: str, stmt: pytree.Base) -> int:
    """The offset where the statement starts, with the comment lines right above it."""
    lines = text.splitlines(keepends=True)
    first = _first_line(stmt) - 1
    while first > 0 and lines[first - 1].startswith("#"):
        first -= 1
    return sum(len(line) for line in lines[:first])


def _family(spec: str) -> str:
    """Relative imports are one family; absolute ones belong to their top-level package."""
    return "." if spec.startswith(".") else spec.split(".")[0]


def _last_import(module: _Module) -> str | None:
    """The module (as written) of the last import of the module's header, if any."""
    found = None
    for child in module.tree.children:
        if child.type == syms.simple_stmt and child.children[0].type in (syms.import_name, syms.import_from):
            found = _spec_of(_code(child))
        elif not (child.type == syms.simple_stmt and child.children[0].type == token.STRING):
            break
    return found


def _header_end(module: _Module) -> int:
    """Offset just after the module's leading docstring and top-level imports."""
    offsets = module.offsets()
    end = 0
    for i, child in enumerate(module.tree.children):
        if child.type == syms.simple_stmt and child.children[0].type in (syms.import_name, syms.import_from):
            end = offsets[i + 1]
        elif i == 0 and child.type == syms.simple_stmt and child.children[0].type == token.STRING:
            end = offsets[i + 1]
        else:
            break
    if end == 0:
        # no docstring and no import: after the file's header comment (license), if any
        lines = module.text.splitlines(keepends=True)
        count = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
        if count and count < len(lines) and not lines[count].strip():
            end = sum(len(line) for line in lines[:count + 1])
    return end


def _insert_imports(new: _Module, lines: list[str], futures: list[str]) -> str:
    offsets = new.offsets()
    text = new.text
    edits = []
    if lines:
        at = _header_end(new)
        block = "".join(line + "\n" for line in lines)
        if at == 0 and text.strip():
            block += "\n\n"
        edits.append((at, at, block))
    if futures:
        first = new.tree.children[0]
        at = offsets[1] if first.type == syms.simple_stmt and first.children[0].type == token.STRING else 0
        edits.append((at, at, "".join(f + "\n" for f in futures)))
    return _apply(text, edits)


def _assigns(child: pytree.Base, name: str) -> bool:
    return (child.type == syms.simple_stmt and child.children[0].type == syms.expr_stmt
            and isinstance(child.children[0].children[0], Leaf) and child.children[0].children[0].value == name)


def _defines(child: pytree.Base, name: str) -> bool:
    return child.type == syms.funcdef and child.children[1].value == name


def _in_all(module: _Module, name: str) -> bool:
    for child in module.tree.children:
        if _assigns(child, "__all__") or (child.type == syms.simple_stmt and "__all__" in str(child.children[0])[:12]):
            if re.search(r"""["']""" + re.escape(name) + r"""["']""", str(child)):
                return True
    return False


_SHIM_ROW = re.compile(r"""\s*["'](\w+)["']\s*:\s*\(\s*["']([\w.]+)["']\s*,\s*(True|False)\s*\)\s*,?""")


def _shim_table(text: str) -> dict[str, tuple[str, bool]] | None:
    """The rows of a ``_MOVED_TO = {...}`` table as written by ``_shim_text`` (None if it
    is not one: the text is read, never evaluated)."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        return None
    rows, at, inner = {}, 0, body[1:-1]
    while (match := _SHIM_ROW.match(inner, at)) and match.end() > at:
        rows[match.group(1)] = (match.group(2), match.group(3) == "True")
        at = match.end()
    return rows if not inner[at:].strip() else None


def _shim_text(table: Mapping[str, tuple[str, bool]]) -> str:
    rows = "".join(f'    "{name}": ("{module}", {deprecated}),\n' for name, (module, deprecated) in sorted(table.items()))
    return (
        f"\n\n{SHIM_COMMENT}\n"
        f"{SHIM_TABLE} = {{\n{rows}}}\n"
        "\n\n"
        "def __getattr__(name: str) -> object:\n"
        f"    if name not in {SHIM_TABLE}:\n"
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
        "    import importlib\n"
        "    import warnings\n"
        "\n"
        f"    module, deprecated = {SHIM_TABLE}[name]\n"
        "    if deprecated:\n"
        '        old, new = f"{__name__}.{name}", f"{module}.{name}"\n'
        '        warnings.warn(f"{old} moved to {new}; import it from there",\n'
        "                      DeprecationWarning, stacklevel=2)\n"
        "    return getattr(importlib.import_module(module), name)\n"
    )
