#!/usr/bin/env python3
"""Judge a migrated copy of a reference tree against the answer key the generator wrote.

    python benchmarks/score_tree.py ORIGINAL MIGRATED [--expected FILE] [--json]

Standard library only; it knows nothing about phasemod. Run it with Python 3.12 or newer:
the tree holds 3.12 syntax, and a file the running interpreter cannot compile in ORIGINAL
is counted as ``unchecked_py`` and its references as not migrated.

How each answer-key record is judged:
- Where did the line go? Changed files are aligned line by line with difflib
  (``SequenceMatcher``, autojunk off): an original line in an equal run maps to its
  counterpart, one in a replaced run to all the lines that replaced it, a deleted one to
  nothing. The record is judged on those lines (its region).
- What does a name mean? The migrated file's imports (anywhere in it, relative ones
  resolved against its package) give each local name its dotted targets; a name or
  attribute chain is "old" when it resolves to the deprecated class (or below it), "new"
  for the new class; with ``from <old module> import *`` a free ``ExecutionEngine`` is old.
- True references are migrated when: ``import``: no import of the old class or module
  overlaps the region and the file imports the new class or module; ``code``
  (instantiation, annotation, reference): the names on the region's lines, names inside
  string constants that parse as expressions included, resolve to new and none to old;
  ``string``: the region names the new dotted path and not the old; ``docs``: the region
  is not empty and holds neither the bare word ``ExecutionEngine`` nor the old module path
  (in Python files the bare word is fine when the file binds it only to the new class).
  Gaining ``UserUserExecution`` or ``UserExecutionEngine{Factory,Config}`` fails any record;
  a reference in a deleted file or in a file that no longer compiles is not migrated.
- Decoys are damaged when their line no longer occurs in its region, or (``binding``)
  when the name is no longer imported from the old module alone.
- A file is broken when it compiled before, changed, and no longer compiles.
"""
from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from pathlib import Path

BARE = re.compile(r"(?<![\w])ExecutionEngine(?![\w])")
DAMAGE = re.compile(r"UserUserExecution|UserExecutionEngine(?:Factory|Config)|user_user_execution_engine")


def compiles(text: str, name: str) -> bool:
    try:
        compile(text, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def regions(before: list[str], after: list[str]) -> dict[int, list[int]]:
    """Original line number (1-based) -> the migrated line numbers it became."""
    where: dict[int, list[int]] = {}
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        new_block = list(range(b0 + 1, b1 + 1))
        for offset, line in enumerate(range(a0 + 1, a1 + 1)):
            where[line] = [b0 + offset + 1] if op == "equal" else new_block
    return where


class Bindings:
    """What each name of one parsed file may refer to, from all of its imports."""

    def __init__(self, tree: ast.Module, path: str, key: dict) -> None:
        self.key = key
        self.targets: dict[str, set[tuple[str, bool]]] = defaultdict(set)   # name -> {(dotted, through_root)}
        self.imported_modules: set[str] = set()
        self.star_from: set[str] = set()
        self.old_import_spans: list[tuple[int, int]] = []
        package = path[: -len(".py")].split("/")[:-1]
        for node in ast.walk(tree):
            span = (node.lineno, node.end_lineno or node.lineno) if isinstance(node, ast.stmt) else None
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imported_modules.add(alias.name)
                    if alias.asname:
                        self.targets[alias.asname].add((alias.name, False))
                    else:
                        top = alias.name.partition(".")[0]
                        self.targets[top].add((top, True))
                    if alias.name == key["old_module"]:
                        self.old_import_spans.append(span)
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) + 1 - node.level] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                for alias in node.names:
                    dotted = f"{module}.{alias.name}"
                    if alias.name == "*":
                        self.star_from.add(module)
                    else:
                        if dotted in (key["old_module"], key["new_module"]):
                            self.imported_modules.add(dotted)
                        self.targets[alias.asname or alias.name].add((dotted, False))
                    if dotted == key["old_module"] or module == key["old_module"] and alias.name in ("ExecutionEngine",
                                                                                                     "*"):
                        self.old_import_spans.append(span)

    def resolve(self, node: ast.AST) -> set[tuple[str, bool]]:
        if isinstance(node, ast.Attribute):
            return {(f"{dotted}.{node.attr}", root) for dotted, root in self.resolve(node.value)}
        if not isinstance(node, ast.Name):
            return set()
        found = set(self.targets.get(node.id, ()))
        if not found and node.id == "ExecutionEngine" and self.key["old_module"] in self.star_from:
            found.add((self.key["old"], False))
        return found

    def side(self, dotted: str, through_root: bool) -> str | None:
        for label, cls, module in (("old", self.key["old"], self.key["old_module"]),
                                   ("new", self.key["new"], self.key["new_module"])):
            inside = dotted == cls or dotted.startswith(cls + ".")
            if inside and (not through_root or module in self.imported_modules):
                return label
        return None

    def sides_on(self, tree: ast.Module, lines: set[int]) -> set[str]:
        sides: set[str] = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) not in lines:
                continue
            candidates: list[ast.AST] = [node]
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 200:
                try:
                    candidates = list(ast.walk(ast.parse(node.value.strip(), mode="eval")))
                except SyntaxError:
                    candidates = []
            for expr in candidates:
                if isinstance(expr, (ast.Name, ast.Attribute)):
                    for dotted, root in self.resolve(expr):
                        label = self.side(dotted, root)
                        if label:
                            sides.add(label)
        return sides

    def has_new_import(self) -> bool:
        if self.key["new_module"] in self.imported_modules:
            return True
        return any(dotted == self.key["new"] for found in self.targets.values() for dotted, _ in found)

    def bare_name_means_new(self) -> bool:
        found = self.targets.get("ExecutionEngine", set())
        return bool(found) and all(self.side(d, r) == "new" for d, r in found)


def verdict_true(record: dict, region: list[int], lines: list[str], names: Bindings | None, tree, key: dict) -> str:
    text = "\n".join(lines[n - 1] for n in region)
    if DAMAGE.search(text) and not DAMAGE.search(record["text"]):
        return "corrupted"
    old_path = re.compile(re.escape(key["old"]) + r"(?![\w])")
    check = record["check"]
    if check == "string":
        if old_path.search(text):
            return "old"
        return "migrated" if re.search(re.escape(key["new"]) + r"(?![\w])", text) else "lost"
    if check == "docs":
        if not region:
            return "lost"
        stale = BARE.search(text) or re.search(re.escape(key["old_module"]) + r"(?![\w])", text)
        alias_kept = names is not None and record["file"].endswith(".py") and names.bare_name_means_new()
        return "migrated" if not stale or alias_kept else "old"
    if names is None:
        return "broken"
    if check == "import":
        if region and any(a <= region[-1] and b >= region[0] for a, b in names.old_import_spans):
            return "old"
        return "migrated" if names.has_new_import() else "lost"
    sides = names.sides_on(tree, set(region))
    if "old" in sides:
        return "old"
    return "migrated" if "new" in sides else "lost"


def verdict_decoy(record: dict, region: list[int], lines: list[str], names: Bindings | None) -> str:
    if record["check"] == "binding" and names is not None:
        intact = names.targets.get(record["name"]) == {(f"{record['module']}.{record['name']}", False)}
    else:
        intact = any(lines[n - 1] == record["text"] for n in region)
    return "intact" if intact else "damaged"


def score(original: Path, migrated: Path, key: dict) -> dict:
    per_file: dict[str, list[dict]] = defaultdict(list)
    for record in key["refs"]:
        per_file[record["file"]].append(record)
    paths = sorted(p for p in original.rglob("*")
                   if p.is_file() and p.name != "EXPECTED.json" and "phase_manifests" not in p.parts)
    files, broken, untouched, untouched_modern = Counter(), [], [], []
    judged: list[tuple[dict, str]] = []
    corruption = 0
    for path in paths:
        rel = path.relative_to(original).as_posix()
        before = path.read_text(encoding="utf-8")
        other = migrated / rel
        after = other.read_text(encoding="utf-8") if other.exists() else None
        files["deleted" if after is None else "unchanged" if after == before else "changed"] += 1
        if after is not None:
            corruption += max(0, len(DAMAGE.findall(after)) - len(DAMAGE.findall(before)))
        python = rel.endswith(".py")
        ok_before = python and compiles(before, rel)
        files["unchecked_py"] += python and not ok_before
        ok_after = after is not None and python and (ok_before if after == before else compiles(after, rel))
        if ok_before and after is not None and after != before and not ok_after:
            broken.append(rel)
        records = per_file.get(rel, [])
        if after == before and any(r["must_change"] for r in records):
            untouched.append(rel)
            if key["files"].get(rel, {}).get("modern"):
                untouched_modern.append(rel)
        if not records:
            continue
        if after is None:
            judged += [(r, "deleted") for r in records]
            continue
        lines = after.split("\n")
        where = ({n: [n] for n in range(1, before.count("\n") + 2)} if after == before
                 else regions(before.split("\n"), lines))
        tree = names = None
        if ok_after:
            tree = ast.parse(after)
            names = Bindings(tree, rel, key)
        for r in records:
            region = where.get(r["line"], [])
            if not r["must_change"]:
                judged.append((r, verdict_decoy(r, region, lines, names)))
            elif python and not ok_after:
                judged.append((r, "broken"))
            else:
                judged.append((r, verdict_true(r, region, lines, names, tree, key)))
    true = [(r, v) for r, v in judged if r["must_change"]]
    decoys = [(r, v) for r, v in judged if not r["must_change"]]

    def ratio_by(field: str) -> dict:
        groups: dict = defaultdict(lambda: [0, 0])
        for r, v in true:
            value = r.get(field, key["files"].get(r["file"], {}).get(field))
            groups[value][0] += v == "migrated"
            groups[value][1] += 1
        return {k: f"{a}/{b}" for k, (a, b) in sorted(groups.items(), key=lambda kv: str(kv[0]))}

    review = [(r, v) for r, v in true if r.get("review")]
    migrated_n = sum(v == "migrated" for _, v in true)
    return {"true_refs": len(true), "migrated": migrated_n, "migrated_pct": round(100 * migrated_n / max(len(true), 1), 1),
            "true_outcomes": dict(Counter(v for _, v in true)), "migrated_by_kind": ratio_by("kind"),
            "migrated_by_phase": ratio_by("phase"),
            "review_refs": f"{sum(v == 'migrated' for _, v in review)}/{len(review)}",
            "decoys": len(decoys), "decoys_damaged": sum(v == "damaged" for _, v in decoys),
            "damaged_by_kind": dict(Counter(r["kind"] for r, v in decoys if v == "damaged")),
            "files": dict(files), "broken_files": len(broken), "broken_examples": broken[:10],
            "affected_untouched": len(untouched), "affected_untouched_modern": len(untouched_modern),
            "corruption_tokens_added": corruption,
            "expected_deletions_done": f"{sum(not (migrated / d).exists() for d in key['delete'])}/{len(key['delete'])}",
            "python": sys.version.split()[0]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("original", type=Path, help="the tree as generated (holds EXPECTED.json)")
    ap.add_argument("migrated", type=Path, help="the migrated copy")
    ap.add_argument("--expected", type=Path, help="answer key (default ORIGINAL/EXPECTED.json)")
    ap.add_argument("--json", action="store_true", help="print JSON")
    opts = ap.parse_args(argv)
    key = json.loads((opts.expected or opts.original / "EXPECTED.json").read_text(encoding="utf-8"))
    result = score(opts.original, opts.migrated, key)
    if opts.json:
        print(json.dumps(result, indent=1))
    else:
        for name, value in result.items():
            print(f"{name:26} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
