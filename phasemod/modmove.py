"""Move one module in one parsed file: find every import and use of it and rewrite them in place.

The semantics of move_module (docs/recipes/move_module.md); it never reads or writes files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from fissix import pytree
from fissix.pygram import python_symbols as syms

from phasemod import treeedit
from phasemod.model import Kind
from phasemod.sites import (Outcome, Site, attribute_trailers, comments_of, dedupe, in_annotation, in_dunder_all,
                             is_docstring, string_body, use_kind)
from phasemod.resolve import Analysis, ImportEntry, ImportStatement, NameSite, Scope, analyze, package_of

Leaf, Node = pytree.Leaf, pytree.Node


@dataclass(frozen=True)
class ModuleMove:
    """The module ``old`` (and its submodules, if a package) becomes ``new``."""

    old: str
    new: str

    def moved(self, dotted: str) -> str | None:
        """``dotted`` with the old module prefix replaced, or None if it is not under ``old``."""
        if dotted == self.old:
            return self.new
        if dotted.startswith(self.old + "."):
            return self.new + dotted[len(self.old):]
        return None

    @property
    def old_tail(self) -> str:
        return self.old.rpartition(".")[2]

    @property
    def new_tail(self) -> str:
        return self.new.rpartition(".")[2]

    def member_pattern(self) -> re.Pattern[str]:
        """``old_mod.`` as the head of a chain inside a string annotation."""
        return re.compile(r"(?<![\w.])" + re.escape(self.old_tail) + r"(?=\s*\.)")

    def dotted_pattern(self) -> re.Pattern[str]:
        # Never inside a longer name: `a.b.old_mod_extra`, `x.a.b.old_mod`.
        return re.compile(r"(?<![\w.])" + re.escape(self.old) + r"(?!\w)")


@dataclass
class _ChainUse:
    """``head.t1.t2...`` spelling the old module path through an ``import a.b...`` binding."""

    head: Leaf
    trailers: list[Node]        # the trailers that spell the module path after the head


@dataclass
class _Plan:
    analysis: Analysis
    from_module: list[ImportStatement] = field(default_factory=list)          # from old[.sub] import ...
    from_entries: list[tuple[ImportStatement, ImportEntry]] = field(default_factory=list)  # from a.b import old_mod
    plain: list[tuple[ImportStatement, ImportEntry]] = field(default_factory=list)         # import a.b.old_mod [as m]
    renamed: list[NameSite] = field(default_factory=list)      # uses of `old_mod` bound by `from a.b import old_mod`
    chains: list[_ChainUse] = field(default_factory=list)      # `a.b.old_mod...` through `import a.b.old_mod`
    other_head_uses: dict[int, int] = field(default_factory=dict)  # id(import statement) -> other uses of its head
    keep_name: set[int] = field(default_factory=set)             # id(entry): `__init__` re-exports keep their name
    review: list[tuple[int, str]] = field(default_factory=list)     # uses the recipe cannot rewrite
    review_leaves: list[Leaf] = field(default_factory=list)


def in_old_module(move: ModuleMove, module: str) -> bool:
    """The old module itself (or a file of the old package) is left alone."""
    return bool(module) and move.moved(module) is not None


def plan(tree: Node, move: ModuleMove, module: str, is_package: bool) -> _Plan:
    analysis = analyze(tree, module, is_package)
    p = _Plan(analysis)
    renamed_bindings: set[int] = set()
    for stmt in analysis.imports:
        if stmt.is_from:
            if move.moved(stmt.module) is not None:
                p.from_module.append(stmt)
                continue
            for entry in stmt.entries:
                if move.moved(f"{stmt.module}.{entry.name}") is not None:
                    p.from_entries.append((stmt, entry))
                    if entry.asname is None and is_package and stmt.scope is analysis.module:
                        # a package's own name for the module is its public API: keep it
                        p.keep_name.add(id(entry))
                    elif entry.asname is None and move.new_tail != move.old_tail:
                        renamed_bindings.update(id(b) for b in stmt.scope.bindings.get(entry.bound, ())
                                                if b.statement is stmt)
        else:
            p.plain += [(stmt, e) for e in stmt.entries if move.moved(e.name) is not None]
    for name in {move.old_tail} if renamed_bindings else set():
        for site in analysis.sites.get(name, ()):
            scope = analysis.lookup(name, site.scope)
            if scope is not None and any(id(b) in renamed_bindings for b in scope.bindings[name]):
                p.renamed.append(site)
    _collect_chains(p, move)
    return p


def _collect_chains(p: _Plan, move: ModuleMove) -> None:
    """Uses spelling the old module path from a package name: ``a.b.old_mod.X``."""
    analysis = p.analysis
    parts = move.old.split(".")
    head = parts[0]
    if len(parts) == 1:
        return  # `import old_mod`: uses go through the binding, which the import rewrite renames
    owners = {id(stmt): stmt for stmt, e in p.plain if e.asname is None}
    for site in analysis.sites.get(head, ()):
        if site.store:
            continue
        scope = analysis.lookup(head, site.scope)
        if scope is None:
            continue
        imports = [b for b in scope.bindings[head] if b.kind == "import" and b.target == head]
        if not imports:
            continue
        trailers = attribute_trailers(site.leaf)
        spelled = [t.children[1].value for t in trailers]
        owner = next((b.statement for b in imports if b.statement is not None and id(b.statement) in owners), None)
        if spelled[: len(parts) - 1] == parts[1:]:
            if any(b.submodule and move.moved(b.submodule) is not None for b in imports):
                p.chains.append(_ChainUse(site.leaf, trailers[: len(parts) - 1]))
            else:  # `import a.b` then `a.b.old_mod.X`: the old module is imported elsewhere
                p.review.append((site.leaf.get_lineno(), f"`{'.'.join([head, *spelled[:len(parts) - 1]])}` is "
                                 f"reached through a parent package import; import {move.new} explicitly"))
                p.review_leaves.append(site.leaf)
        elif owner is not None and all(b.statement is not None and id(b.statement) in owners for b in imports):
            # only the old module's import makes the package name available here
            p.other_head_uses[id(owner)] = p.other_head_uses.get(id(owner), 0) + 1


# ---------------------------------------------------------------------------- references

def survey(tree: Node, move: ModuleMove, module: str, is_package: bool) -> tuple[list[Site], bool]:
    """(references to the old module, whether the file also imports the new one)."""
    if in_old_module(move, module):
        return [], False
    p = plan(tree, move, module, is_package)
    sites: list[Site] = []
    for stmt in p.from_module:
        sites.append(Site(stmt.line, Kind.IMPORT, "star import" if stmt.star else ""))
    for stmt, entry in p.from_entries + p.plain:
        sites.append(Site(entry.node.get_lineno() or stmt.line, Kind.IMPORT))
    for site in p.renamed:
        if not site.store:
            sites.append(Site(site.leaf.get_lineno(), _member_kind(site.leaf, [])))
    for use in p.chains:
        sites.append(Site(use.head.get_lineno(), _member_kind(use.head, use.trailers)))
    sites += [Site(leaf.get_lineno(), Kind.REFERENCE, "through a parent package") for leaf in p.review_leaves]
    dotted, member = move.dotted_pattern(), move.member_pattern()
    for leaf, scope in p.analysis.strings:
        if dotted.search(leaf.value):
            sites.append(Site(leaf.get_lineno(), Kind.DOCS if is_docstring(leaf) else Kind.STRING))
        elif p.renamed and in_dunder_all(leaf) and string_body(leaf.value) == move.old_tail:
            sites.append(Site(leaf.get_lineno(), Kind.REFERENCE))
        elif _renamed_in(p, scope, move.old_tail) and in_annotation(leaf) and member.search(leaf.value):
            sites.append(Site(leaf.get_lineno(), Kind.ANNOTATION))
    for leaf in p.analysis.commented:
        if "#" in leaf.prefix:
            sites += [Site(line, Kind.DOCS) for line, text in comments_of(leaf) if dotted.search(text)]
    imports_new = any(_imports(stmt, move.new) for stmt in p.analysis.imports)
    return dedupe(sites), imports_new


def _renamed_in(p: _Plan, scope: Scope, name: str) -> bool:
    """Whether the module name seen from ``scope`` is one this rewrite renames."""
    if not p.renamed:
        return False
    found = p.analysis.lookup(name, scope)
    return found is not None and any(p.analysis.lookup(name, s.scope) is found for s in p.renamed)


def _imports(stmt: ImportStatement, module: str) -> bool:
    if stmt.is_from:
        return stmt.module == module or stmt.module.startswith(module + ".") or \
            any(f"{stmt.module}.{e.name}" == module for e in stmt.entries)
    return any(e.name == module or e.name.startswith(module + ".") for e in stmt.entries)


def _member_kind(head: Leaf, trailers: list[Node]) -> Kind:
    """Kind of ``old_mod.X...``: decided by the member after the module path."""
    following = trailers[-1].next_sibling if trailers else head.next_sibling
    if following is not None and following.type == syms.trailer and following.children[0].value == ".":
        return use_kind(following.children[1])
    return use_kind(head) if not trailers else Kind.REFERENCE


# ---------------------------------------------------------------------------- rewriting

def migrate(tree: Node, move: ModuleMove, module: str, is_package: bool) -> Outcome:
    """Rewrite ``tree`` in place. On a conflict nothing is changed."""
    out = Outcome()
    if in_old_module(move, module):
        return out
    p = plan(tree, move, module, is_package)
    out.needs_review += p.review
    out.conflicts += _conflicts(p, move)
    if out.conflicts:
        return out
    editor = _Editor(tree, move, module, is_package, p)
    editor.run()
    out.changed = editor.changed
    return out


def _conflicts(p: _Plan, move: ModuleMove) -> list[tuple[int, str]]:
    found = []
    if p.renamed or any(e.asname is None and move.new_tail != move.old_tail for _, e in p.from_entries):
        for scope in p.analysis.scopes:
            for b in scope.bindings.get(move.new_tail, ()):
                if b.kind == "import" and b.target == move.new:
                    continue
                found.append((b.leaf.get_lineno(), f"`{move.new_tail}` is already bound here; renaming the module "
                              f"name `{move.old_tail}` would shadow it. Rename the existing binding, or import "
                              f"{move.new} under another name"))
    new_head, old_head = move.new.split(".")[0], move.old.split(".")[0]
    if new_head != old_head and any(e.asname is None for _, e in p.plain):
        for scope in p.analysis.scopes:
            for b in scope.bindings.get(new_head, ()):
                if not (b.kind == "import" and b.target == new_head):
                    found.append((b.leaf.get_lineno(), f"`{new_head}` is already bound here; `import {move.new}` "
                                  "would shadow it. Rename the existing binding"))
    return sorted(set(found))


def relative_spec(target: str, module: str, is_package: bool) -> str | None:
    """``target`` spelled relative to the file's package, or None when it lies outside the
    file's top-level package (a relative import cannot reach it)."""
    package = package_of(module, is_package).split(".") if module else []
    parts = target.split(".")
    if not package or not package[0] or package[0] != parts[0]:
        return None
    common = 0
    while common < min(len(package), len(parts)) and package[common] == parts[common]:
        common += 1
    return "." * (len(package) - common + 1) + ".".join(parts[common:])


class _Editor:
    def __init__(self, tree: Node, move: ModuleMove, module: str, is_package: bool, p: _Plan) -> None:
        self.tree, self.move, self.module, self.is_package, self.p = tree, move, module, is_package, p
        self.changed = False

    def set(self, leaf: Leaf, value: str) -> None:
        if leaf.value != value:
            leaf.value = value
            self.changed = True

    def spec(self, stmt: ImportStatement, target: str) -> str:
        """How a from-import that replaces ``stmt`` spells ``target``: relative stays relative."""
        if stmt.level:
            relative = relative_spec(target, self.module, self.is_package)
            if relative is not None:
                return relative
        return target

    def run(self) -> None:
        move, p = self.move, self.p
        # Leaf values first: the import edits below replace nodes that sites point into.
        for site in p.renamed:
            self.set(site.leaf, move.new_tail)
        new_parts = move.new.split(".")
        for use in p.chains:
            treeedit.replace_attribute_chain(use.head, use.trailers, new_parts)
            self.changed = True
        self._strings()
        self._comments()
        for stmt in p.from_module:
            new_module = move.moved(stmt.module)
            assert new_module is not None
            if self._drop_duplicates(stmt, [(e, e.bound, f"{new_module}.{e.name}") for e in stmt.entries]):
                continue
            treeedit.set_from_module(stmt.node, self.spec(stmt, new_module))
            self.changed = True
        self._from_entries()
        self._plain()

    def _drop_duplicates(self, stmt: ImportStatement, entries: list[tuple[ImportEntry, str, str]]) -> bool:
        """Remove entries (entry, name it will bind, dotted target) that the same scope already
        imports from elsewhere; True when the whole statement went."""
        twins = [e for e, name, target in entries if self._already_bound(stmt, name, target)]
        if not twins:
            return False
        self.changed = True
        if len(twins) == len(stmt.entries):
            treeedit.remove_statement(stmt.node)
            return True
        for entry in twins:
            treeedit.remove_import_entry(entry.node)
            stmt.entries.remove(entry)
        return False

    def _already_bound(self, stmt: ImportStatement, name: str, target: str) -> bool:
        return any(b.kind == "import" and b.target == target and b.statement is not stmt
                   for b in stmt.scope.bindings.get(name, ()))

    def _from_entries(self) -> None:
        """``from a.b import old_mod [as m]`` becomes ``from a.c import new_mod [as m]``."""
        move = self.move
        by_stmt: dict[int, tuple[ImportStatement, list[ImportEntry]]] = {}
        for stmt, entry in self.p.from_entries:
            by_stmt.setdefault(id(stmt), (stmt, []))[1].append(entry)
        for stmt, entries in by_stmt.values():
            targets = [move.moved(f"{stmt.module}.{e.name}") or "" for e in entries]
            names = [e.asname or (e.name if id(e) in self.p.keep_name else t.rpartition(".")[2])
                     for e, t in zip(entries, targets)]
            if self._drop_duplicates(stmt, list(zip(entries, names, targets))):
                continue
            kept = [i for i, e in enumerate(entries) if e in stmt.entries]
            entries, targets, names = [entries[i] for i in kept], [targets[i] for i in kept], [names[i] for i in kept]
            groups: dict[str, list[str]] = {}
            for target, name in zip(targets, names):
                parent, _, tail = target.rpartition(".")
                groups.setdefault(parent, []).append(tail if name == tail else f"{tail} as {name}")
            others = [e for e in stmt.entries if e not in entries]
            if not others and len(groups) == 1:
                parent, texts = next(iter(groups.items()))
                if parent != stmt.module:
                    treeedit.set_from_module(stmt.node, self.spec(stmt, parent) if parent else parent)
                for entry, text in zip(entries, texts):
                    treeedit.replace_import_entry(entry.node, text)
            else:
                if not others:
                    # several targets in different packages: one statement each
                    for parent, texts in reversed(list(groups.items())):
                        treeedit.insert_after(stmt.node, f"from {self.spec(stmt, parent)} import {', '.join(texts)}")
                    treeedit.remove_statement(stmt.node)
                else:
                    comments = [c for entry in entries if (c := treeedit.remove_import_entry(entry.node, False))]
                    for i, (parent, texts) in enumerate(reversed(list(groups.items()))):
                        # the comments of moved names go with them (to the first new line)
                        treeedit.insert_after(stmt.node, f"from {self.spec(stmt, parent)} import {', '.join(texts)}",
                                              comments if i == len(groups) - 1 else ())
            self.changed = True

    def _plain(self) -> None:
        """``import a.b.old_mod [as m]`` becomes ``import a.c.new_mod [as m]``."""
        move = self.move
        for stmt, entry in self.p.plain:
            target = move.moved(entry.name)
            assert target is not None
            node = entry.node.children[0] if entry.asname else entry.node
            if self._already_bound_plain(stmt, entry, target):
                if len(stmt.entries) == 1:
                    treeedit.remove_statement(stmt.node)
                else:
                    _remove_plain_entry(entry.node)
                    stmt.entries.remove(entry)
                self.changed = True
                continue
            if entry.asname is None and self.p.other_head_uses.get(id(stmt)) and "." in move.old:
                # the head is used for other things too: keep the old parent package imported
                treeedit.replace_dotted(node, move.old.rpartition(".")[0])
                treeedit.insert_after(stmt.node, f"import {target}")
            else:
                treeedit.replace_dotted(node, target)
            self.changed = True

    def _already_bound_plain(self, stmt: ImportStatement, entry: ImportEntry, target: str) -> bool:
        if entry.asname:
            return any(b.kind == "import" and b.target == target and b.statement is not stmt
                       for b in stmt.scope.bindings.get(entry.asname, ()))
        head = target.split(".")[0]
        return any(b.kind == "import" and b.submodule == target and b.statement is not stmt
                   for b in stmt.scope.bindings.get(head, ()))

    def _strings(self) -> None:
        move, p = self.move, self.p
        dotted = move.dotted_pattern()
        member = move.member_pattern()
        for leaf, scope in p.analysis.strings:
            value = dotted.sub(move.new, leaf.value)
            if p.renamed and in_dunder_all(leaf) and string_body(value) == move.old_tail:
                value = value.replace(move.old_tail, move.new_tail)
            elif _renamed_in(p, scope, move.old_tail) and in_annotation(leaf):
                value = member.sub(move.new_tail, value)
            self.set(leaf, value)

    def _comments(self) -> None:
        dotted = self.move.dotted_pattern()
        for leaf in self.p.analysis.commented:
            if "#" in leaf.prefix:
                prefix = "\n".join(dotted.sub(self.move.new, line) if "#" in line else line
                                   for line in leaf.prefix.split("\n"))
                if prefix != leaf.prefix:
                    leaf.prefix = prefix
                    self.changed = True


def _remove_plain_entry(entry: pytree.Base) -> None:
    """Remove one entry of ``import a, b.c, d``."""
    after = entry.next_sibling
    before = entry.prev_sibling
    if after is not None and isinstance(after, Leaf) and after.value == ",":
        follower = after.next_sibling
        if follower is not None:
            follower.prefix = entry.prefix
        after.remove()
    elif before is not None and isinstance(before, Leaf) and before.value == ",":
        before.remove()
    entry.remove()

