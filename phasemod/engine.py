"""Run a phase's recipes over its files: parse each file once, apply every recipe to the
same tree, and yield one FileOutcome per file, in path order.

Never prompts, prints, writes files or imports Click; decisions are made by the caller.
"""
from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from fissix import pygram

from phasemod import applies, catalog, collect, context, coverage, hunks, namecheck, pools, resolve, scan, starnames, \
    syntax, textio, units
from phasemod.errors import ManifestError
from phasemod.manifest import Phase, RecipeSpec
from phasemod.model import FileOutcome, Finding, FindingKind, Learned, Status
from phasemod.modules import module_of
from phasemod.recipe import Reads, Recipe, Workspace
from phasemod.select import in_shard, matches, names_in, read_regular, repo_files, select, too_large
from phasemod.syntax import lean

PYTHON_SUFFIXES = textio.PYTHON_SUFFIXES


@dataclass(frozen=True)
class Edits:
    """What the phase's FILES recipes planned to write (a moved definition), in recipe order:
    the whole new text of each file they change or create, and their refusals."""

    texts: dict[str, str]
    created: frozenset[str]
    recipes: dict[str, tuple[int, ...]]             # path -> the recipes that planned it
    findings: dict[str, tuple[Finding, ...]]        # path -> refusals reported on it


@dataclass(frozen=True)
class Selection:
    """The files of one phase and, for each, which of the phase's recipes apply."""

    phase: Phase
    files: tuple[str, ...]
    recipes: tuple[tuple[int, ...], ...]   # parallel to files: indices into phase.recipes
    edits: Edits | None = None
    never_selected: tuple[str, ...] = ()   # matched by the globs, but phasemod's own manifests


def select_phase(repo: Path, phase: Phase, all_files: Sequence[str] | None = None,
                 shard: tuple[int, int] | None = None, plan: bool = True) -> Selection:
    """The phase's files; with ``plan``, also the files its FILES recipes plan to write
    (added even where the globs do not select them: the new module may not exist yet).
    A refused plan narrows the selection to the refused files: the phase's other recipes
    would point references at a definition that did not move."""
    files, never = coverage.split_never_selected(repo, phase, repo_files(repo) if all_files is None else all_files)
    coverage.check_includes(phase, files, never)
    selected = select(files, phase.files.include, phase.files.exclude)
    coverage.check_not_empty(phase, selected)
    chosen = [p for p in selected if in_shard(p, shard)]
    edits = plan_edits(repo, phase, files) if plan else None
    if edits is not None and edits.findings:
        paths = tuple(sorted(edits.findings))
        refused = Edits({}, frozenset(), {}, edits.findings)
        return Selection(phase, paths, tuple(tuple(_planners(phase)) for _ in paths), refused)
    if edits is not None:
        chosen = sorted(set(chosen) | {p for p in edits.texts if in_shard(p, shard)})
    kept, per_file = [], []
    for path in chosen:
        indices = tuple(i for i, spec in enumerate(phase.recipes) if applies.recipe_applies(spec, path))
        if edits is not None and path in edits.texts:
            selected = matches(path, phase.files.include, phase.files.exclude)
            indices = tuple(i for i in indices if selected) + edits.recipes[path]
        if indices:
            kept.append(path)
            per_file.append(indices)
    return Selection(phase, tuple(kept), tuple(per_file), edits if edits is not None and edits.texts else None,
                     tuple(select(never, phase.files.include, phase.files.exclude)))


def _planners(phase: Phase) -> list[int]:
    return [i for i, spec in enumerate(phase.recipes) if applies.reads_only(spec).reads is Reads.FILES]


def plan_edits(repo: Path, phase: Phase, files: Sequence[str]) -> Edits | None:
    """Run the phase's FILES recipes' plans in order, each seeing the texts the earlier
    ones planned; None when none of them writes a file."""
    texts: dict[str, str] = {}
    created: set[str] = set()
    by: dict[str, tuple[int, ...]] = {}
    findings: dict[str, tuple[Finding, ...]] = {}
    for i in _planners(phase):
        spec = phase.recipes[i]
        recipe, options = catalog.resolve(spec)
        plan = recipe.plan(options, files, Workspace(repo, phase.source_roots, dict(texts)))
        if plan.refusal and not plan.refusal_path:   # the options name nothing in the repository
            raise ManifestError([f"recipe {spec.name} (line {spec.line}): {plan.refusal}"])
        if plan.refusal:
            found = Finding(FindingKind.REFUSED, plan.refusal_path, plan.refusal_line,
                            f"{spec.name}: {plan.refusal}", spec.name)
            findings[plan.refusal_path] = findings.get(plan.refusal_path, ()) + (found,)
            continue
        for path, text in plan.write.items():
            if path in plan.create and path not in texts:
                created.add(path)
            texts[path] = text
            by[path] = tuple(dict.fromkeys((*by.get(path, ()), i)))
    if not texts and not findings:
        return None
    return Edits(texts, frozenset(created), by, findings)




# ---------------------------------------------------------------------------- per process state

@dataclass(frozen=True)
class _Compiled:
    recipe: Recipe
    options: Any
    fixers: tuple[Any, ...]                 # PYTHON: the query compiled to fissix fixers
    needles: tuple[bytes, ...] | None       # None: no prefilter


class _Recipes:
    """The phase's recipes compiled once per process: Bowler fixers or text transforms."""

    def __init__(self, phase: Phase, edits: Edits | None = None, repo: Path | None = None,
                 learn: str = "") -> None:
        self.phase = phase
        self.edits = edits
        # Hand back what the parse tells of each file (Learned): of the file as a batch
        # run writes it ("written"), or as it was read, for commands that write nothing ("read").
        self.learn = learn
        # What the repo's modules provide, for the import safety net (read on demand).
        self.index = namecheck.ModuleIndex(repo, None, phase.source_roots, edits.texts if edits else None) \
            if repo is not None else None
        self.compiled: list[_Compiled] = []
        for spec in phase.recipes:
            recipe, options = catalog.resolve(spec)
            fixers = tuple(_fixers(spec, recipe, options)) if recipe.reads is Reads.PYTHON else ()
            needles = recipe.needles(options)
            self.compiled.append(_Compiled(recipe, options, fixers, None if needles is None else tuple(needles)))
        # What the Python recipes read (phasemod/syntax/lean.py); None: whole files.
        self.words = lean.words_of((c.recipe, c.options) for c in self.compiled if c.recipe.reads is Reads.PYTHON)

    def needles(self, indices: Sequence[int]) -> tuple[bytes, ...] | None:
        found: set[bytes] = set()
        for i in indices:
            n = self.compiled[i].needles
            if n is None:
                return None
            found.update(n)
        return tuple(found)


def _fixers(spec: RecipeSpec, recipe: Recipe, options: Any) -> list[Any]:
    """Build a recipe's query; a user recipe's failure is a one-line error about it."""
    if ":" not in spec.name:
        return compile_query(recipe.query(options, []))
    try:
        return compile_query(recipe.query(options, []))
    except Exception as exc:
        raise ManifestError([f"recipe {spec.name!r} (line {spec.line}): did not build a Bowler Query "
                             f"({type(exc).__name__}: {exc}); fix the recipe function"]) from None


def compile_query(query: Any) -> list[Any]:
    fixers = []
    for fixer_class in query.compile():
        fixer = fixer_class({"print_function": True}, [])
        fixers.append(fixer)
    return fixers


def _matches_every_root(pattern: Any) -> bool:
    """Bowler's ``select_root`` pattern, ``file_input< any* >``. It matches every module,
    but fissix matches its wildcard by slicing the child list once per child: quadratic in
    the top-level statements of a file (seconds at 10,000, minutes at 100,000)."""
    from fissix.pytree import NodePattern, WildcardPattern

    if not (isinstance(pattern, NodePattern) and pattern.name is None and pattern.content
            and len(pattern.content) == 1):
        return False
    star = pattern.content[0]
    if not (isinstance(star, WildcardPattern) and star.name is None and star.min == 0
            and star.max >= 2**31 - 1 and star.content is not None and len(star.content) == 1
            and len(star.content[0]) == 1):
        return False
    anything = star.content[0][0]
    return (type(anything) is NodePattern and anything.type is None and anything.content is None
            and anything.name is None)


def apply_fixers(fixers: Sequence[Any], tree: Any, filename: str) -> None:
    """Apply compiled Bowler/fissix fixers to an already parsed tree, in order."""
    for fixer in fixers:
        fixer.set_filename(filename)
        fixer.start_tree(tree, filename)
        root_only = getattr(fixer.pattern, "type", None) == tree.type == pygram.python_symbols.file_input
        nodes = [tree] if root_only else list(tree.pre_order())
        whole_root = root_only and _matches_every_root(fixer.pattern)
        for node in nodes:
            if root_only or node.parent is not None or node is tree:
                results = {"node": node} if whole_root else fixer.match(node)
                if results:
                    new = fixer.transform(node, results)
                    if new is not None and new is not node:
                        node.replace(new)
        fixer.finish_tree(tree, filename)


# ---------------------------------------------------------------------------- one file



def process_file(repo: Path, path: str, indices: Sequence[int], recipes: _Recipes) -> FileOutcome:
    try:
        with collect.per_file():   # phasemod/collect.py: trees are cycles
            return _process_file(repo, path, indices, recipes)
    except RecursionError:
        # fissix walks trees recursively and compile() has its own limit: a generated
        # file nested that deep is reported like an unparseable one, never a crash.
        return _failed(path, 0, scan.TOO_DEEP)


def _process_file(repo: Path, path: str, indices: Sequence[int], recipes: _Recipes) -> FileOutcome:
    full = repo / path
    edits = recipes.edits
    planned = edits.texts.get(path) if edits is not None else None
    create = edits is not None and path in edits.created
    try:
        data = b"" if create else read_regular(full)
    except OSError as exc:
        return FileOutcome(path, Status.FAILED, reason=f"cannot read: {exc.strerror}",
                           findings=(Finding(FindingKind.UNPARSEABLE, path, 0, f"cannot read: {exc.strerror}"),))
    refusals = edits.findings.get(path, ()) if edits is not None else ()
    needles = recipes.needles([i for i in indices if recipes.compiled[i].recipe.reads is not Reads.FILES])
    if planned is None and needles is not None and not names_in(data, needles):
        return FileOutcome(path, Status.UNCHANGED, findings=refusals)
    if too_large(data):
        return _failed(path, 0, too_large(data))
    is_python = path.endswith(PYTHON_SUFFIXES)
    try:
        source = textio.decode_for(path, data)
    except textio.DecodeError as exc:
        return _failed(path, 0, str(exc))
    module, is_package = module_of(str(repo), path, recipes.phase.source_roots)
    ctx = context.FileContext(path, module, is_package,
                              modules=starnames.repo_modules(str(repo), recipes.phase.source_roots))
    ctx.findings.extend(refusals)
    read: Learned | None = None
    if is_python:
        try:
            tree = lean.parse_lean(source.text if planned is None else planned, recipes.words)
        except syntax.ParseError as exc:
            return _failed(path, exc.line, exc.message)
        changed_by = [recipes.phase.recipes[i].name for i in edits.recipes.get(path, ())] \
            if edits is not None and planned is not None and planned != source.text else []
        python_recipes = [i for i in indices if recipes.compiled[i].recipe.reads is Reads.PYTHON]
        analysis = resolve.analyze(tree, module, is_package)
        names_before = namecheck.facts_of_analysis(analysis)
        if recipes.learn == "read" and planned is None:
            # What `status` counts in the file as read, from this parse and analysis.
            with resolve.unchanged(tree, {(module, is_package): analysis}):
                read = Learned(scan.digest_of(data), module, is_package, names_before,
                               scan.scan_file(repo, path, scan.phase_targets(recipes.phase, path),
                                              recipes.phase.source_roots, data, tree=tree))
        # A file the running Python cannot compile (newer syntax) is checked after the
        # rewrite by parsing again the statements it changed: their texts before it.
        statements = [str(c) for c in tree.children] if getattr(tree, "beyond_python", False) else ()
        with context.entering(ctx):
            for n, i in enumerate(python_recipes):
                fixers = recipes.compiled[i].fixers
                ctx.recipe = recipes.phase.recipes[i].name
                before = len(ctx.findings)
                # Which recipe changed the file is only a question when there are several.
                snapshot = str(tree) if len(python_recipes) > 1 else None
                if n == 0 and ":" not in ctx.recipe:
                    # phasemod's own rewriters analyze the tree before their first edit:
                    # the analysis just made is theirs (once, and only for this recipe).
                    resolve.hand_over(tree, analysis, module, is_package)
                try:
                    apply_fixers(fixers, tree, str(full))
                finally:
                    resolve.forget()
                if any(f.kind is FindingKind.CONFLICT for f in ctx.findings[before:]):
                    continue
                if snapshot is None or str(tree) != snapshot:
                    changed_by.append(ctx.recipe)
        new_text = str(tree)
        if new_text != source.text:
            # The rewritten tree is read as a fresh parse of the new text would be: its
            # lines renumbered, one analysis for the name check and the survey (_learn).
            lean.renumber(tree)
            after = resolve.analyze(tree, module, is_package)
            names_after = namecheck.facts_of_analysis(after)
            if namecheck.compare(names_before, names_after, recipes.index):
                # Lines from a fresh parse of the result (the rewritten tree's are approximate).
                unsafe = namecheck.check_rewrite(source.text, new_text, module, is_package, recipes.index)
                if unsafe:
                    return _unsafe(path, tuple(ctx.findings), unsafe)
    else:
        new_text = source.text
        changed_by = []
        for i in indices:
            compiled = recipes.compiled[i]
            if compiled.recipe.reads is not Reads.TEXT:
                continue
            rewritten = compiled.recipe.rewrite(compiled.options, new_text, path)
            if rewritten != new_text:
                changed_by.append(recipes.phase.recipes[i].name)
                new_text = rewritten
    findings = tuple(ctx.findings)
    if new_text == source.text:
        # The import check after the phase reads this file as it is: its facts are known.
        learned = Learned(scan.digest_of(data), module, is_package, names_before) \
            if recipes.learn == "written" and is_python and planned is None else read
        return FileOutcome(path, Status.UNCHANGED, findings=findings, encoding=source.encoding, learned=learned)
    problem = check_rewrite(path, source.text, new_text, tree, statements) if is_python else ""
    if problem and lean.is_lean(tree):
        # The statements kept as text were only proven to parse, not to compile: a file
        # that was already broken is unparseable, as its whole parse says.
        try:
            syntax.parse(source.text if planned is None else planned)
        except syntax.ParseError as exc:
            return _failed(path, exc.line, exc.message)
    if problem:
        dropped = Finding(FindingKind.DROPPED, path, 0, f"the rewrite would break the file ({problem}); left unchanged")
        return FileOutcome(path, Status.FAILED, findings=findings + (dropped,), reason=problem)
    try:
        new_bytes = source.encode(new_text)
    except UnicodeEncodeError as exc:
        dropped = Finding(FindingKind.DROPPED, path, 0, f"the new text cannot be encoded as {source.encoding}: {exc}")
        return FileOutcome(path, Status.FAILED, findings=findings + (dropped,))
    proposed = hunks.make_hunks(path, source.text, new_text, tuple(changed_by))
    if is_python:   # one multi-line import split over hunks is one decision (phasemod/units.py)
        proposed = units.join_statements(source.text, proposed)
    learned = _learn(repo, path, new_bytes, module, is_package, recipes,
                     (tree, after, names_after) if is_python else None) if recipes.learn == "written" else read
    return FileOutcome(path, Status.CHANGED, data, new_bytes, proposed,
                       findings, encoding=source.encoding, create=create, learned=learned)


def _learn(repo: Path, path: str, new_bytes: bytes, module: str, is_package: bool,
           recipes: _Recipes, rewritten: tuple[Any, resolve.Analysis, Any] | None) -> Learned | None:
    """What `status` and the migration record will count in the rewritten file (the
    phase's survey, as `phase_status` computes it) and the facts the import check after
    the phase needs, read from the rewritten tree (``rewritten``: the tree, renumbered, its
    analysis and its facts). Nothing parses the file again after the write."""
    phase = recipes.phase
    digest = scan.digest_of(new_bytes)
    targets = scan.phase_targets(phase, path)
    if rewritten is None:
        return Learned(digest, module, is_package, None, scan.scan_file(repo, path, targets, phase.source_roots,
                                                                        new_bytes))
    tree, analysis, facts = rewritten
    with resolve.unchanged(tree, {(module, is_package): analysis}):   # the surveys share it
        found = scan.scan_file(repo, path, targets, phase.source_roots, new_bytes, tree=tree)
    return Learned(digest, module, is_package, facts, found)


def _unsafe(path: str, findings: tuple[Finding, ...], problems: Sequence[namecheck.NameProblem]) -> FileOutcome:
    """The rewrite would break names or imports: the file is left as it is and reported."""
    found = tuple(Finding(FindingKind.UNSAFE, path, p.line, f"{p.message}; the file was left unchanged")
                  for p in problems)
    return FileOutcome(path, Status.FAILED, findings=findings + found, reason=problems[0].message)


def _failed(path: str, line: int, message: str) -> FileOutcome:
    return FileOutcome(path, Status.FAILED, reason=message,
                       findings=(Finding(FindingKind.UNPARSEABLE, path, line, message),))


def check_rewrite(path: str, old: str, new: str, tree: Any = None, before: Sequence[str] = ()) -> str:
    """'' if ``new`` is acceptable: it compiles, or (when the running Python cannot
    compile the original either) it still parses with phasemod's grammar. ``tree`` (the
    rewritten tree of ``new``, renumbered) and ``before`` (the texts of its top-level
    statements before the rewrite): then only the statements the rewrite changed are
    parsed again."""
    try:
        compile(new, path, "exec", dont_inherit=True)
        return ""
    except (SyntaxError, ValueError) as new_error:
        try:
            compile(old, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            try:
                if tree is not None and before:
                    _parse_changed(tree, before)
                else:
                    syntax.parse(new)
                return ""
            except syntax.ParseError as exc:
                return f"line {exc.line}: {exc.message}"
        return f"line {getattr(new_error, 'lineno', 0)}: {getattr(new_error, 'msg', new_error)}"


def _parse_changed(tree: Any, before: Sequence[str]) -> None:
    """Parse each top-level statement of ``tree`` whose text is not one of ``before``
    (a top-level statement parses alone, with the file's line numbers)."""
    unchanged = set(before)
    for child in tree.children:
        text = str(child)
        if text not in unchanged:
            syntax.parse_block(text, (child.get_lineno() or 1) - lean.line_breaks(child.prefix))


# ---------------------------------------------------------------------------- a whole phase

_worker: tuple[Path, _Recipes] | None = None


def _init_worker(repo: Path, phase: Phase, edits: Edits | None = None, learn: str = "") -> None:
    global _worker
    _worker = (repo, _Recipes(phase, edits, repo, learn))


def _work(item: tuple[str, tuple[int, ...]]) -> FileOutcome:
    assert _worker is not None
    repo, recipes = _worker
    return process_file(repo, item[0], item[1], recipes)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def run_selection(repo: Path, selection: Selection, jobs: int | None = None,
                  learn: str = "") -> Iterator[FileOutcome]:
    """Yield one outcome per selected file, in path order, as soon as each is ready;
    ``learn`` ("written" or "read"): each outcome also carries what the parse tells of the
    file as the outcome leaves it, or as it was read (phasemod.model.Learned).

    The worker pool is started here, in the calling thread, even when another thread
    consumes the outcomes: a process forked from a secondary thread cannot run Python
    signal handlers, so it would survive the pool's SIGTERM and hang its shutdown."""
    items = list(zip(selection.files, selection.recipes))
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if jobs == 1 or len(items) < 8:
        return _serial(repo, selection, items, learn)
    # A recipe that cannot be built must fail here: in a pool initializer it would make
    # the pool respawn workers for ever.
    _Recipes(selection.phase, selection.edits)
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pool = ctx.Pool(min(jobs, len(items)), initializer=_init_worker,
                    initargs=(repo, selection.phase, selection.edits, learn))
    return _pooled(pool, items, max(1, min(16, len(items) // (jobs * 8) or 1)))


def _serial(repo: Path, selection: Selection, items: list, learn: str = "") -> Iterator[FileOutcome]:
    recipes = _Recipes(selection.phase, selection.edits, repo, learn)
    for path, indices in items:
        yield process_file(repo, path, indices, recipes)


def _pooled(pool: Any, items: list, chunksize: int) -> Iterator[FileOutcome]:
    with pools.closing_pool(pool):
        yield from pool.imap(_work, items, chunksize=chunksize)


