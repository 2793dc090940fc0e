"""Move one symbol in one parsed module: find its references and rewrite them in place.

The semantics of move_symbol (SPEC "Recipe semantics"); it never reads or writes files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from fissix import pytree
from fissix.pgen2 import token
from fissix.pygram import python_symbols as syms

from phasemod import importorder, treeedit
from phasemod.fieldnames import FieldName, field_names, is_fstring
from phasemod.model import Kind
from phasemod.sites import (Outcome, Site, attribute_trailers, comments_of, dedupe, in_annotation, in_dunder_all,
                             is_docstring, line_sites, string_body, use_kind)
from phasemod.resolve import Analysis, Binding, ImportEntry, ImportStatement, NameSite, Scope, analyze
from phasemod.starnames import StarNames

StarLookup = Callable[[str], StarNames]

Leaf, Node = pytree.Leaf, pytree.Node


@dataclass(frozen=True)
class Move:
    """``old_module.old_name`` becomes ``new_module.new_name``."""

    old_module: str
    old_name: str
    new_module: str
    new_name: str
    keep_local_name: bool = True
    rename_comments: bool = True

    @classmethod
    def from_paths(cls, old: str, new: str, keep_local_name: bool = True, rename_comments: bool = True) -> "Move":
        old_module, _, old_name = old.rpartition(".")
        new_module, _, new_name = new.rpartition(".")
        return cls(old_module, old_name, new_module, new_name, keep_local_name, rename_comments)

    @property
    def old(self) -> str:
        return f"{self.old_module}.{self.old_name}"

    @property
    def new(self) -> str:
        return f"{self.new_module}.{self.new_name}"

    def dotted_pattern(self) -> re.Pattern[str]:
        return re.compile(r"(?<![\w.])" + re.escape(self.old_module) + r"([.:])" + re.escape(self.old_name) + r"(?!\w)")

    def word_pattern(self) -> re.Pattern[str]:
        return re.compile(r"(?<![\w.])" + re.escape(self.old_name) + r"(?!\w)")


@dataclass
class _ModuleUse:
    """A use of the old module object that reaches the old symbol: ``m.Old``, ``a.b.mod.Old``."""

    head: Leaf                  # the first NAME of the chain
    trailers: list[Node]        # trailers that spell the module path after the head, then `.Old`
    binding: Binding


@dataclass
class _FieldUse:
    """A name read inside an f-string replacement field (the literal is one STRING leaf)."""

    host: Leaf
    scope: Scope
    field: FieldName

    @property
    def line(self) -> int:
        return self.host.get_lineno() + self.host.value.count("\n", 0, self.field.offset)

    @property
    def kind(self) -> Kind:
        after = self.host.value[self.field.offset + len(self.field.name):].lstrip(" ")
        return Kind.INSTANTIATION if after.startswith("(") else Kind.REFERENCE


def _field_uses(analysis: Analysis, names: set[str]) -> list[_FieldUse]:
    """The uses of ``names`` inside f-string fields (only literals that mention one are read)."""
    out = []
    for leaf, scope in analysis.strings:
        if "{" in leaf.value and is_fstring(leaf.value) and any(n in leaf.value for n in names):
            out += [_FieldUse(leaf, scope, f) for f in field_names(leaf.value) if f.name in names]
    return out


@dataclass
class _Plan:
    """Everything the analysis found, before any edit."""

    analysis: Analysis
    class_imports: list[tuple[ImportStatement, ImportEntry]] = field(default_factory=list)
    module_imports: list[tuple[ImportStatement, ImportEntry, Binding]] = field(default_factory=list)
    stars: list[ImportStatement] = field(default_factory=list)
    star_old: ImportStatement | None = None       # a star import that provides `Old` to this file's free uses
    star_names: StarNames | None = None           # what that star import provides
    star_name: str = ""                           # the name it provides (`Old`) when resolved
    star_review: list[tuple[ImportStatement, str]] = field(default_factory=list)  # unresolvable, with why
    star_sites: list[NameSite] = field(default_factory=list)        # free uses of `Old` (bound by no statement)
    name_sites: list[NameSite] = field(default_factory=list)        # uses bound to the old class by an unaliased import
    alias_sites: list[NameSite] = field(default_factory=list)       # uses through `import Old as X`
    old_scopes: set[int] = field(default_factory=set)               # id() of scopes binding `Old` to the old symbol
    renamed_scopes: set[int] = field(default_factory=set)           # those whose binding is renamed (keep false)
    module_uses: dict[int, list[_ModuleUse]] = field(default_factory=dict)     # id(binding) -> uses reaching Old
    module_patch_uses: dict[int, list[tuple[Leaf, Leaf]]] = field(default_factory=dict)  # patch.object(m, "Old")
    module_other_uses: dict[int, int] = field(default_factory=dict)  # id(binding) -> count of other uses
    fields: list[_FieldUse] = field(default_factory=list)            # names read in f-string fields
    field_sites: list[_FieldUse] = field(default_factory=list)       # ... bound to the old class as `Old`
    field_alias_sites: list[_FieldUse] = field(default_factory=list)  # ... through `import Old as X`
    star_field_sites: list[_FieldUse] = field(default_factory=list)  # free `Old` in f-string fields
    field_module_uses: dict[int, list[_FieldUse]] = field(default_factory=dict)  # id(binding) -> `m.Old` in fields


def plan(tree: Node, move: Move, module: str, is_package: bool, stars: StarLookup | None = None) -> _Plan:
    analysis = analyze(tree, module, is_package)
    p = _Plan(analysis)
    for stmt in analysis.imports:
        if stmt.is_from and stmt.module == move.old_module:
            if stmt.star:
                p.stars.append(stmt)
            p.class_imports += [(stmt, e) for e in stmt.entries if e.name == move.old_name]
        for entry in stmt.entries:
            target = f"{stmt.module}.{entry.name}" if stmt.is_from else entry.name
            if target == move.old_module:
                binding = next(b for b in stmt.scope.bindings[entry.bound] if b.statement is stmt)
                p.module_imports.append((stmt, entry, binding))
    p.old_scopes.update(id(stmt.scope) for stmt, e in p.class_imports if e.bound == move.old_name)
    if not move.keep_local_name:
        p.renamed_scopes.update(p.old_scopes)
    old_bindings = {id(b) for stmt, e in p.class_imports
                    for b in stmt.scope.bindings.get(e.bound, ()) if b.statement is stmt}
    p.fields = _field_uses(analysis, {e.bound for _, e in p.class_imports} | {b.name for _, _, b in p.module_imports}
                           | ({move.old_name} if p.stars else set()))
    for use in p.fields:
        scope = analysis.lookup(use.field.name, use.scope)
        if scope is not None and any(id(b) in old_bindings for b in scope.bindings[use.field.name]):
            (p.field_sites if use.field.name == move.old_name else p.field_alias_sites).append(use)
    for name in {e.bound for _, e in p.class_imports}:
        for site in analysis.sites.get(name, ()):
            scope = analysis.lookup(name, site.scope)
            if scope is None or not any(id(b) in old_bindings for b in scope.bindings[name]):
                continue
            if name == move.old_name:
                p.name_sites.append(site)
            else:
                p.alias_sites.append(site)
    for _, entry, binding in p.module_imports:
        _collect_module_uses(p, analysis, binding, move)
    if p.stars:
        _resolve_stars(p, move, stars)
    return p


def _resolve_stars(p: _Plan, move: Move, stars: StarLookup | None) -> None:
    """Decide what the star imports of the old module give this file's free uses of `Old`:
    the old symbol (resolved: handled as an import), not it, or unknown (needs review)."""
    analysis = p.analysis
    p.star_sites = [s for s in analysis.sites.get(move.old_name, ())
                    if not s.store and analysis.lookup(move.old_name, s.scope) is None]
    p.star_field_sites = [u for u in p.fields
                          if u.field.name == move.old_name and analysis.lookup(move.old_name, u.scope) is None]
    exported = move.old_name not in analysis.module.bindings and any(
        in_dunder_all(leaf) and string_body(leaf.value) == move.old_name for leaf, _ in analysis.strings)
    if not p.star_sites and not p.star_field_sites and not exported:
        return
    stmt = [s for s in p.stars if s.scope is analysis.module][-1:] or p.stars[-1:]
    names = stars(move.old_module) if stars is not None else None
    if names is not None and move.old_name in names.names:
        p.star_old, p.star_names, p.star_name = stmt[0], names, move.old_name
        p.old_scopes.add(id(analysis.module))
        if not move.keep_local_name:
            p.renamed_scopes.add(id(analysis.module))
        p.name_sites += p.star_sites
        p.field_sites += p.star_field_sites
    elif names is None or not names.complete:
        reason = names.reason if names is not None else "the names it provides cannot be resolved here"
        p.star_review += [(s, reason) for s in p.stars]


def _collect_module_uses(p: _Plan, analysis: Analysis, binding: Binding, move: Move) -> None:
    name = binding.name
    path = (binding.submodule or move.old_module) if binding.submodule else move.old_module
    # trailers needed after the head: for `import a.b.mod` the head `a` needs `.b .mod`
    needed = path.split(".")[1:] if binding.submodule else []
    uses, patches, other = [], [], 0
    imports = {id(b) for _, _, b in p.module_imports}

    def owns(scope: Scope | None) -> bool:
        # Of the old module's imports binding the name in that scope, the last one is
        # what a use reads (`import m as om` twice: the use is the second one's, once).
        owners = [b for b in scope.bindings[name] if id(b) in imports] if scope is not None else []
        return bool(owners) and owners[-1] is binding

    for site in analysis.sites.get(name, ()):
        if site.store:
            continue
        if not owns(analysis.lookup(name, site.scope)):
            continue
        leaf = site.leaf
        trailers = attribute_trailers(leaf)
        spelled = [t.children[1].value for t in trailers]
        if binding.submodule and spelled[: len(needed)] != needed:
            continue  # `a.other` through `import a.b.mod`: not a use of the module
        rest = spelled[len(needed):]
        if rest[:1] == [move.old_name]:
            uses.append(_ModuleUse(leaf, trailers[: len(needed) + 1], binding))
        elif not rest and not binding.submodule and (patch := _patch_object_string(leaf, move)) is not None:
            patches.append((leaf, patch))
        else:
            other += 1
    field_uses = []
    chain = ".".join([name, *needed, move.old_name])
    for use in p.fields:
        if use.field.name != name or not owns(analysis.lookup(name, use.scope)):
            continue
        text = use.host.value[use.field.offset:]
        if text.startswith(chain) and not text[len(chain):len(chain) + 1].isidentifier():
            field_uses.append(use)
        else:
            other += 1  # the module used for something else inside an f-string: keep it imported
    p.module_uses[id(binding)] = uses
    p.module_patch_uses[id(binding)] = patches
    p.module_other_uses[id(binding)] = other
    p.field_module_uses[id(binding)] = field_uses


def _patch_object_string(leaf: Leaf, move: Move) -> Leaf | None:
    """``patch.object(m, "Old")``/``getattr(m, "Old")``: the string leaf naming the old symbol."""
    parent = leaf.parent
    if parent is None or parent.type != syms.arglist or parent.children[0] is not leaf:
        return None
    if len(parent.children) < 3 or parent.children[1].type != token.COMMA:
        return None
    arg = parent.children[2]
    if isinstance(arg, Leaf) and arg.type == token.STRING and string_body(arg.value) == move.old_name:
        return arg
    return None


# ---------------------------------------------------------------------------- references

def references(tree: Node, move: Move, module: str, is_package: bool,
               stars: StarLookup | None = None) -> list[Site]:
    """Every reference to the old symbol in ``tree``, classified by kind, in line order."""
    return survey(tree, move, module, is_package, stars)[0]


def survey(tree: Node, move: Move, module: str, is_package: bool,
           stars: StarLookup | None = None) -> tuple[list[Site], bool]:
    """(references, whether the module also imports the new symbol or module)."""
    if module == move.old_module:
        return _orphan_survey(tree, move, module, is_package), False
    p = plan(tree, move, module, is_package, stars)
    imports_new = any(stmt.is_from and (stmt.module == move.new_module or
                                        any(f"{stmt.module}.{e.name}" == move.new_module for e in stmt.entries))
                      or not stmt.is_from and any(e.name == move.new_module for e in stmt.entries)
                      for stmt in p.analysis.imports)
    return _sites(tree, move, p), imports_new


def _sites(tree: Node, move: Move, p: _Plan) -> list[Site]:
    sites: list[Site] = []
    for stmt, entry in p.class_imports:
        sites.append(Site(entry.node.get_lineno() or stmt.line, Kind.IMPORT))
    if p.star_old is not None:
        sites.append(Site(p.star_old.line, Kind.IMPORT))
    for stmt, reason in p.star_review:
        sites.append(Site(stmt.line, Kind.IMPORT, f"star import: {reason}"))
    for stmt, entry, binding in p.module_imports:
        if p.module_uses[id(binding)] or p.module_patch_uses[id(binding)] or p.field_module_uses[id(binding)]:
            sites.append(Site(entry.node.get_lineno() or stmt.line, Kind.IMPORT))
    for site in p.name_sites + p.alias_sites:
        if not site.store:
            sites.append(Site(site.leaf.get_lineno(), use_kind(site.leaf)))
    for use in p.field_sites + p.field_alias_sites + [u for us in p.field_module_uses.values() for u in us]:
        sites.append(Site(use.line, use.kind))
    for uses in p.module_uses.values():
        for use in uses:
            sites.append(Site(use.head.get_lineno(), use_kind(use.trailers[-1].children[1])))
    for patches in p.module_patch_uses.values():
        sites += [Site(s.get_lineno(), Kind.STRING) for _, s in patches]
    if p.star_review:
        for site in p.star_sites:
            sites.append(Site(site.leaf.get_lineno(), use_kind(site.leaf), "through star import"))
        for use in p.star_field_sites:
            sites.append(Site(use.line, use.kind, "through star import"))
    dotted = move.dotted_pattern()
    word = move.word_pattern()
    names_old = bool(p.name_sites or p.star_old or p.star_review or p.class_imports)
    exported = {e.bound for stmt, e in p.class_imports if stmt.scope is p.analysis.module}
    if p.star_old is not None:
        exported.add(move.old_name)
    for leaf, scope in p.analysis.strings:
        if dotted.search(leaf.value):
            sites.append(Site(leaf.get_lineno(), Kind.STRING))
        elif is_docstring(leaf):
            if names_old and word.search(leaf.value):
                sites += line_sites(leaf, word, Kind.DOCS)
        elif in_dunder_all(leaf) and string_body(leaf.value) in exported:
            sites.append(Site(leaf.get_lineno(), Kind.REFERENCE))
        elif word.search(leaf.value) and in_annotation(leaf) and _binds_old(p, move.old_name, scope):
            sites.append(Site(leaf.get_lineno(), Kind.ANNOTATION))
    for leaf in p.analysis.commented:
        if "#" in leaf.prefix:
            for lineno, comment in comments_of(leaf):
                # The dotted path, and the bare name while the file still imports the old
                # symbol (the import's move clears it); the old module path alone is no
                # reference: only a module move changes it.
                if dotted.search(comment) or (names_old and word.search(comment)):
                    sites.append(Site(lineno, Kind.DOCS))
    return dedupe(sites)


def _renamed_module_scope(p: _Plan) -> bool:
    return id(p.analysis.module) in p.renamed_scopes


def _old_scope(p: _Plan, name: str, scope: Scope) -> int | None:
    """id() of the scope whose binding of ``name`` a use in ``scope`` sees; a free use
    provided by a resolved star import counts as the module's."""
    found = p.analysis.lookup(name, scope)
    if found is None:
        return id(p.analysis.module) if p.star_old is not None and name == p.star_name else None
    return id(found)


def _binds_old(p: _Plan, name: str, scope: Scope) -> bool:
    return _old_scope(p, name, scope) in p.old_scopes


def _scope_renamed(p: _Plan, name: str, scope: Scope) -> bool:
    return _old_scope(p, name, scope) in p.renamed_scopes


# ---------------------------------------------------------------------------- rewriting

def migrate(tree: Node, move: Move, module: str, is_package: bool, stars: StarLookup | None = None) -> Outcome:
    """Rewrite ``tree`` in place. On a conflict nothing is changed. ``stars`` tells what a
    star import of a repo module provides (None: star imports cannot be resolved)."""
    out = Outcome()
    if module == move.old_module:
        return _migrate_orphans(tree, move, module, is_package)
    p = plan(tree, move, module, is_package, stars)
    out.needs_review += [(s.line, f"star import of {move.old_module}: {reason}; "
                                  f"import {move.new_name} from {move.new_module} explicitly")
                         for s, reason in p.star_review]
    out.conflicts += _conflicts(p, move)
    if out.conflicts:
        return out
    order = importorder.snapshot(tree)
    editor = _Editor(tree, move, module, is_package, p)
    editor.run()
    importorder.place(tree, editor.placed, order)
    out.changed = editor.changed
    return out


def _conflicts(p: _Plan, move: Move) -> list[tuple[int, str]]:
    found = []
    renames = not move.keep_local_name and (p.star_old is not None or any(
        e.asname is None or e.asname == move.old_name for _, e in p.class_imports))
    if renames and move.new_name != move.old_name:
        for scope in p.analysis.scopes:
            for b in scope.bindings.get(move.new_name, ()):
                if b.kind == "import" and b.target == move.new:
                    continue
                found.append((b.leaf.get_lineno(), f"`{move.new_name}` is already bound here; renaming "
                              f"`{move.old_name}` would shadow it. Rename the existing binding or use "
                              "keep_local_name: true"))
    for stmt, entry, binding in p.module_imports:
        if p.module_other_uses[id(binding)] and (p.module_uses[id(binding)] or p.module_patch_uses[id(binding)]
                                                 or p.field_module_uses[id(binding)]):
            name = _new_module_binding_name(entry, binding, move)
            for b in p.analysis.module.bindings.get(name, ()):
                if not (b.kind == "import" and (b.target == move.new_module or b.submodule == move.new_module
                                                or name == move.new_module.split(".")[0])):
                    found.append((b.leaf.get_lineno(), f"`{name}` is already bound here; the new module "
                                  f"{move.new_module} cannot be imported under that name"))
    return sorted(set(found))


def _new_module_binding_name(entry: ImportEntry, binding: Binding, move: Move) -> str:
    if binding.submodule:
        return move.new_module.split(".")[0]
    return move.new_module.rpartition(".")[2]


class _Editor:
    def __init__(self, tree: Node, move: Move, module: str, is_package: bool, p: _Plan) -> None:
        self.tree, self.move, self.module, self.is_package, self.p = tree, move, module, is_package, p
        self.changed = False
        self.placed: list[Node] = []   # import statements this rewrite wrote: they go to their sorted place
        self.field_edits: dict[int, tuple[Leaf, list[tuple[int, int, str]]]] = {}

    def edit_field(self, use: _FieldUse, length: int, text: str) -> None:
        """Replace ``length`` characters at a field use with ``text`` (applied in one go per literal)."""
        self.field_edits.setdefault(id(use.host), (use.host, []))[1].append((use.field.offset, length, text))

    def apply_field_edits(self) -> None:
        for leaf, edits in self.field_edits.values():
            value = leaf.value
            for offset, length, text in sorted(set(edits), reverse=True):
                value = value[:offset] + text + value[offset + length:]
            self.set(leaf, value)

    def insert_import(self, anchor: pytree.Base, text: str, comments: list[str] | None = None) -> None:
        self.placed.append(treeedit.insert_after(anchor, text, comments or ()))

    def rewrote(self, node: pytree.Base) -> None:
        self.placed.append(treeedit.statement_of(node))

    def set(self, leaf: Leaf, value: str) -> None:
        if leaf.value != value:
            leaf.value = value
            self.changed = True

    def run(self) -> None:
        move, p = self.move, self.p
        # Uses first: the import edits below replace nodes the sites point into.
        if not move.keep_local_name:
            for site in p.name_sites:
                if _old_scope(p, move.old_name, site.scope) in p.renamed_scopes:
                    self.set(site.leaf, move.new_name)
            for use in p.field_sites:
                if _old_scope(p, move.old_name, use.scope) in p.renamed_scopes:
                    self.edit_field(use, len(move.old_name), move.new_name)
        self._module_uses()
        self.apply_field_edits()
        self._strings()
        self._comments()
        self._class_imports()
        self._star_import()
        self._module_imports()

    # -- imports of the class --------------------------------------------------------
    def _class_imports(self) -> None:
        move = self.move
        by_stmt: dict[int, tuple[ImportStatement, list[ImportEntry]]] = {}
        for stmt, entry in self.p.class_imports:
            by_stmt.setdefault(id(stmt), (stmt, []))[1].append(entry)
        for stmt, entries in by_stmt.values():
            spec = self._module_spec(stmt)
            new_entries = []
            for entry in entries:
                local = entry.asname or (move.old_name if move.keep_local_name else move.new_name)
                if entry.asname == entry.name:
                    # `Old as Old` marks an explicit re-export (typed packages): keep the form.
                    local = move.old_name if move.keep_local_name else move.new_name
                    new_entries.append(f"{move.new_name} as {local}")
                elif local == move.new_name:
                    if not move.keep_local_name and entry.asname is None and self._already_imports_new(stmt.scope):
                        continue  # the file already imports the new name: no duplicate
                    new_entries.append(move.new_name)
                else:
                    new_entries.append(f"{move.new_name} as {local}")
            others = [e for e in stmt.entries if e not in entries]
            if not others and new_entries:
                treeedit.set_from_module(stmt.node, spec)
                self.rewrote(stmt.node)
                for entry, text in zip(entries, new_entries):
                    treeedit.replace_import_entry(entry.node, text)
                # entries dropped as duplicates (only possible with several entries)
                for entry in entries[len(new_entries):]:
                    treeedit.remove_import_entry(entry.node)
            else:
                if not others:  # every entry was a duplicate: drop the whole statement
                    treeedit.remove_statement(stmt.node)
                    self.changed = True
                    continue
                # a comment on a moved name's line moves with it to the new import line
                comments = [c for entry in entries if (c := treeedit.remove_import_entry(entry.node, not new_entries))]
                if new_entries:
                    self.insert_import(stmt.node, f"from {spec} import {', '.join(new_entries)}", comments)
            self.changed = True

    def _star_import(self) -> None:
        """Import the symbol a star import provided explicitly, from its new module: in place
        of the star import when it provides nothing else this file uses, else after it."""
        move, stmt = self.move, self.p.star_old
        if stmt is None:
            return
        if move.keep_local_name:
            text = move.new_name if move.new_name == move.old_name else f"{move.new_name} as {move.old_name}"
        elif self._already_imports_new(stmt.scope):
            return  # the uses were renamed to a name the file already imports
        else:
            text = move.new_name
        spec = self._module_spec(stmt)
        if self._star_still_needed():
            self.insert_import(stmt.node, f"from {spec} import {text}")
        else:
            star = next(c for c in stmt.node.children if isinstance(c, Leaf) and c.type == token.STAR)
            treeedit.set_from_module(stmt.node, spec)
            treeedit.replace_import_entry(star, text)
            self.rewrote(stmt.node)
        self.changed = True

    def _star_still_needed(self) -> bool:
        """Whether the file may use another name the star import provides (or re-export it)."""
        p, names = self.p, self.p.star_names
        if names is None or not names.complete or self.is_package:
            return True
        analysis = p.analysis
        others = names.names - {self.move.old_name}
        for name in others:
            if any(not s.store and analysis.lookup(name, s.scope) is None for s in analysis.sites.get(name, ())):
                return True
        if any(analysis.lookup(u.field.name, u.scope) is None for u in _field_uses(analysis, set(others))):
            return True
        words = re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, sorted(others))) + r")(?!\w)") \
            if others else None
        for leaf, _ in analysis.strings:
            if words is not None and (in_dunder_all(leaf) or in_annotation(leaf)) and words.search(leaf.value):
                return True
        return False

    def _already_imports_new(self, scope: Scope) -> bool:
        # Only the same scope: a function that rebinds the name (`New = None` in an
        # `except ImportError:`) makes it local, so an outer import would not reach it.
        found = self.p.analysis.lookup(self.move.new_name, scope)
        return found is scope and any(b.kind == "import" and b.target == self.move.new
                                         for b in found.bindings[self.move.new_name])

    def _module_spec(self, stmt: ImportStatement) -> str:
        """How to spell the new module in a from-import that replaces ``stmt``."""
        new = self.move.new_module
        if not stmt.level or not self.module:
            return new
        package = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
        target = new.split(".")
        if not package or package[0] != target[0]:
            return new  # outside this top-level package: relative imports cannot reach it
        common = 0
        while common < min(len(package), len(target) - 1) and package[common] == target[common]:
            common += 1
        return "." * (len(package) - common + 1) + ".".join(target[common:])

    # -- the module object ----------------------------------------------------------------
    def _module_uses(self) -> None:
        move = self.move
        for stmt, entry, binding in self.p.module_imports:
            uses = self.p.module_uses[id(binding)]
            patches = self.p.module_patch_uses[id(binding)]
            fields = self.p.field_module_uses[id(binding)]
            if not uses and not patches and not fields:
                continue
            chain = len(".".join([binding.name, *(binding.submodule.split(".")[1:] if binding.submodule else []),
                                  move.old_name]))
            keep_old = self.p.module_other_uses[id(binding)] > 0
            if binding.submodule:  # import a.b.old_mod: uses spell the whole path
                for use in uses:
                    treeedit.replace_attribute_chain(use.head, use.trailers, move.new_module.split(".") + [move.new_name])
                for field_use in fields:
                    self.edit_field(field_use, chain, move.new)
                if keep_old:
                    self.insert_import(stmt.node, f"import {move.new_module}")
                else:
                    treeedit.replace_dotted(entry.node if entry.asname is None else entry.node.children[0],
                                            move.new_module)
                    self.rewrote(stmt.node)
            else:
                if keep_old:
                    parent, _, tail = move.new_module.rpartition(".")
                    head = tail
                    self.insert_import(stmt.node, f"from {parent} import {tail}" if parent else f"import {tail}")
                else:
                    head = binding.name if entry.asname else move.new_module.rpartition(".")[2]
                    self._rewrite_module_import(stmt, entry)
                for use in uses:
                    treeedit.replace_attribute_chain(use.head, use.trailers, [head, move.new_name])
                for field_use in fields:
                    self.edit_field(field_use, chain, f"{head}.{move.new_name}")
                for leaf, string in patches:
                    self.set(leaf, head)
                    quote = string.value[-1]
                    prefix = string.value[: string.value.index(quote)]
                    self.set(string, f"{prefix}{quote}{move.new_name}{quote}")
            self.changed = True

    def _rewrite_module_import(self, stmt: ImportStatement, entry: ImportEntry) -> None:
        move = self.move
        parent, _, tail = move.new_module.rpartition(".")
        if not stmt.is_from:
            treeedit.replace_dotted(entry.node.children[0] if entry.asname else entry.node, move.new_module)
            self.rewrote(stmt.node)
            return
        alias = f" as {entry.asname}" if entry.asname else ""
        if len(stmt.entries) == 1 and (stmt.module == parent):
            treeedit.replace_import_entry(entry.node, f"{tail}{alias}")
            self.rewrote(stmt.node)
        elif len(stmt.entries) == 1:
            treeedit.set_from_module(stmt.node, parent)
            treeedit.replace_import_entry(entry.node, f"{tail}{alias}")
            self.rewrote(stmt.node)
        else:
            comment = treeedit.remove_import_entry(entry.node, keep_comment=False)
            self.insert_import(stmt.node, f"from {parent} import {tail}{alias}", [comment] if comment else [])

    # -- strings, comments, docstrings ----------------------------------------------------
    def _strings(self) -> None:
        move, p = self.move, self.p
        dotted = move.dotted_pattern()
        word = move.word_pattern()
        rename_words = bool(p.renamed_scopes)
        module_renamed = _renamed_module_scope(p)
        for leaf, scope in p.analysis.strings:
            value = dotted.sub(lambda m: f"{move.new_module}{m.group(1)}{move.new_name}", leaf.value)
            if rename_words:
                if is_docstring(leaf):
                    if move.rename_comments:
                        value = word.sub(move.new_name, value)
                elif module_renamed and in_dunder_all(leaf) and string_body(value) == move.old_name:
                    value = value.replace(move.old_name, move.new_name)
                elif in_annotation(leaf) and _scope_renamed(p, move.old_name, scope):
                    value = word.sub(move.new_name, value)
            self.set(leaf, value)

    def _comments(self) -> None:
        move = self.move
        dotted = move.dotted_pattern()
        words = move.rename_comments and bool(self.p.renamed_scopes)
        word = move.word_pattern()
        for leaf in self.p.analysis.commented:
            if "#" not in leaf.prefix:
                continue
            prefix = dotted.sub(lambda m: f"{move.new_module}{m.group(1)}{move.new_name}", leaf.prefix)
            if words:
                prefix = "\n".join(word.sub(move.new_name, line) if "#" in line else line
                                   for line in prefix.split("\n"))
            if prefix != leaf.prefix:
                leaf.prefix = prefix
                self.changed = True

    def _module_imports(self) -> None:
        """Module imports were rewritten together with their uses (see _module_uses)."""


# ---------------------------------------------------------------------------- the old module itself

def _orphan_uses(analysis: Analysis, move: Move) -> list[NameSite]:
    """Uses of the old name in the old module once it no longer binds it (the definition
    was cut out by hand): free names that only an import can bind again."""
    if move.old_name in analysis.module.bindings:
        return []
    return [site for site in analysis.sites.get(move.old_name, ())
            if not site.store and analysis.lookup(move.old_name, site.scope) is None]


def _orphan_survey(tree: Node, move: Move, module: str, is_package: bool) -> list[Site]:
    analysis = analyze(tree, module, is_package)
    if any(stmt.star for stmt in analysis.imports):
        return []   # a star import may still bind the name: nothing certain to report
    return dedupe([Site(s.leaf.get_lineno(), use_kind(s.leaf)) for s in _orphan_uses(analysis, move)])


def _migrate_orphans(tree: Node, move: Move, module: str, is_package: bool) -> Outcome:
    """The old module's own free uses of the moved name get an import of the new home
    (``New as Old`` in alias mode; ``New`` and renamed uses otherwise)."""
    out = Outcome()
    analysis = analyze(tree, module, is_package)
    if any(stmt.star for stmt in analysis.imports):
        return out
    uses = _orphan_uses(analysis, move)
    if not uses:
        return out
    rename = not move.keep_local_name and move.new_name != move.old_name
    if rename:
        for b in analysis.module.bindings.get(move.new_name, ()):
            out.conflicts.append((b.leaf.get_lineno(), f"`{move.new_name}` is already bound here; renaming "
                                  f"`{move.old_name}` would shadow it. Rename the existing binding or use "
                                  "keep_local_name: true"))
        if out.conflicts:
            return out
        for site in uses:
            site.leaf.value = move.new_name
    entry = move.new_name if rename or move.new_name == move.old_name else f"{move.new_name} as {move.old_name}"
    first_use = min(s.leaf.get_lineno() for s in uses)
    _insert_module_import(tree, analysis, f"from {move.new_module} import {entry}", first_use)
    out.changed = True
    return out


def _insert_module_import(tree: Node, analysis: Analysis, text: str, before_line: int) -> None:
    """Add a top-level import after the module's last top-level import above
    ``before_line``, else after its docstring and ``__future__`` imports, else first."""
    from phasemod.syntax import parse

    anchors = [stmt.node for stmt in analysis.imports if stmt.scope is analysis.module
               and stmt.statement.parent is tree and stmt.line < before_line]
    if anchors:
        treeedit.insert_after(anchors[-1], text)
        return
    first = tree.children[0] if tree.children else None
    if first is not None and first.type == syms.simple_stmt and is_docstring(first.children[0]):
        treeedit.insert_after(first.children[0], text)
        return
    parsed = parse(text + "\n").children[0]
    parsed.remove()
    if first is not None:
        leaf = next(first.leaves()) if isinstance(first, Node) else first
        next(parsed.leaves()).prefix, leaf.prefix = leaf.prefix, ""
    tree.insert_child(0, parsed)
