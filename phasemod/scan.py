"""Count what is left to migrate: references to each phase's old symbols, by file and kind.

Read-only: used by plan, status, check and delete_files' guard; never changes a file.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from phasemod import catalog, collect, context, starnames, syntax, textio
from phasemod.applies import recipe_applies
from phasemod.manifest import Phase, RecipeSpec
from phasemod.recipe import Found, Reads, Recipe, Source
from phasemod.model import Kind, Reference
from phasemod.modules import module_of
from phasemod.pools import closing_pool
from phasemod.select import names_in, read_regular, too_large
from phasemod.textrefs import split_lines

CACHE_VERSION = 5  # bump whenever the survey rules change

TOO_DEEP = "nested too deeply to parse or rewrite safely (Python's recursion limit); migrate it by hand"


@dataclass(frozen=True)
class Target:
    """One thing to look for: a recipe that surveys, with its options."""

    recipe: Recipe
    options: Any

    @property
    def old(self) -> str:
        """What its references name (``Reference.old``)."""
        return self.recipe.subject(self.options)

    @property
    def reads(self) -> Reads:
        return self.recipe.reads

    def needles(self) -> tuple[bytes, ...]:
        return tuple(self.recipe.needles(self.options) or ())

    def reads_path(self, path: str) -> bool:
        """Whether the target's recipe reads this kind of file."""
        if textio.is_python(path):
            return self.reads is Reads.PYTHON
        return self.reads is Reads.TEXT and path.lower().endswith(tuple(s.lower() for s in self.recipe.suffixes))


@dataclass(frozen=True)
class FileScan:
    path: str
    references: tuple[Reference, ...] = ()
    error: str = ""           # unparseable / undecodable: why
    error_line: int = 0
    imports_both: bool = False
    depends: tuple[tuple[str, tuple[int, int] | None], ...] = ()  # other files the result read (star imports)


def _target(spec: RecipeSpec) -> Target | None:
    recipe, options = catalog.resolve(spec)
    if recipe.survey is None or recipe.reads is Reads.FILES or not recipe.needles(options):
        return None  # it counts nothing (or would have to parse every file to count)
    return Target(recipe, options)


def targets_of(phases: Iterable[Phase]) -> list[Target]:
    """The distinct things the phases move: every recipe that surveys, once per options."""
    seen, out = set(), []
    for phase in phases:
        for spec in phase.recipes:
            target = _target(spec)
            if target is not None and (target.recipe.id, target.options) not in seen:
                seen.add((target.recipe.id, target.options))
                out.append(target)
    return out


def phase_targets(phase: Phase, path: str) -> list[Target]:
    """The targets of ``phase`` whose recipe applies to ``path`` (per-recipe filters)."""
    return [t for spec, t in ((s, _target(s)) for s in phase.recipes) if t is not None and recipe_applies(spec, path)]


def source_roots_of(phases: Iterable[Phase]) -> tuple[str, ...]:
    """Every phase's ``source_roots``, once: how a scan over several phases names modules."""
    return tuple(sorted({r for p in phases for r in p.source_roots}))


def split_by_reader(path: str, targets: Sequence[Target]) -> list[Target]:
    """The targets that read ``path`` (Python recipes for .py/.pyi, text recipes for their suffixes)."""
    return [t for t in targets if t.reads_path(path)]


def scan_file(repo: Path, path: str, targets: Sequence[Target], source_roots: tuple[str, ...] = (),
              data: bytes | None = None, tree: Any = None, facts: list | None = None) -> FileScan:
    """References to ``targets`` in one file; ``tree``: the parse of ``data``'s text, when
    the caller already has it (the engine, for the file it just rewrote). ``facts``: a
    parsed Python file's import safety net facts are appended to it as
    (content hash, module, is_package, facts)."""
    try:
        with collect.per_file():   # phasemod/collect.py: trees are cycles
            return _scan_file(repo, path, targets, source_roots, data, tree, facts)
    except RecursionError:
        # Trees nested deeper than Python's stack: an unparseable file, its text matches count.
        try:
            text = read_regular(repo / path).decode("latin-1") if data is None else data.decode("latin-1")
        except OSError:
            text = ""
        return FileScan(path, _text_matches(path, text, [t for t in targets if t.reads is Reads.PYTHON]),
                        TOO_DEEP)


def _scan_file(repo: Path, path: str, targets: Sequence[Target], source_roots: tuple[str, ...] = (),
               data: bytes | None = None, tree: Any = None, facts: list | None = None) -> FileScan:
    if data is None:
        try:
            data = read_regular(repo / path)
        except OSError as exc:
            return FileScan(path, error=f"cannot read: {exc.strerror}")
    live = [t for t in targets if names_in(data, t.needles())]
    if not live:
        return FileScan(path)
    is_python = textio.is_python(path)
    live = [t for t in live if t.reads_path(path)]
    if not live:
        return FileScan(path)
    if too_large(data):
        return FileScan(path, _text_matches(path, data.decode("latin-1"), live), too_large(data))
    try:
        source = textio.decode_for(path, data)
    except textio.DecodeError as exc:
        return FileScan(path, _text_matches(path, data.decode("latin-1"), live), str(exc))
    if not is_python:
        return FileScan(path, _references(path, source.text, live, Source(path, source.text)))
    if tree is None:
        try:
            tree = _parse(source.text, live)
        except syntax.ParseError as exc:
            return FileScan(path, _text_matches(path, source.text, live), exc.message, exc.line)
    module, is_package = module_of(str(repo), path, source_roots)
    modules = starnames.repo_modules(str(repo), source_roots)
    modules.consulted.clear()
    ctx = context.FileContext(path, module, is_package, modules=modules)
    from phasemod import resolve   # not at import time: `status` answers from its cache without fissix

    # A survey may ask what star imports of repo modules provide; surveys only read the
    # tree, so they share one analysis of it.
    with context.entering(ctx), resolve.unchanged(tree):
        found = [(t, t.recipe.survey(t.options, Source(path, source.text, tree, module, is_package))) for t in live]
        if facts is not None:
            from phasemod.namecheck import facts_of_tree

            facts.append((digest_of(data), module, is_package, facts_of_tree(tree, module, is_package)))
    refs = _references(path, source.text, [t for t, _ in found], None, [f for _, f in found])
    both = any(f.imports_new and any(ref[1] is Kind.IMPORT for ref in f.references) for _, f in found)
    return FileScan(path, refs, imports_both=both, depends=tuple(dict.fromkeys(modules.consulted)))


def _parse(text: str, targets: Sequence[Target]) -> Any:
    """Only the statements the targets' surveys read (`Recipe.words`), when each says."""
    from phasemod.syntax import lean   # `status` answering from its cache imports no parser

    return lean.parse_lean(text, lean.words_of((t.recipe, t.options) for t in targets))


def _references(path: str, text: str, targets: Sequence[Target], source: Source | None,
                found: Sequence[Found] | None = None) -> tuple[Reference, ...]:
    """The surveys of ``targets`` (run here on ``source`` unless ``found`` is given) as
    references with their source lines."""
    if found is None:
        assert source is not None
        found = [t.recipe.survey(t.options, source) for t in targets]
    # Line numbers as the recipe counts them: Python's for code, newlines only for text.
    lines = text.splitlines() if textio.is_python(path) else split_lines(text.removeprefix("\ufeff"))
    return tuple(Reference(path, line, kind, t.old, lines[line - 1].strip() if 0 < line <= len(lines) else "",
                           note[0] if note else "")
                 for t, f in zip(targets, found) for line, kind, *note in f.references)


def _text_matches(path: str, text: str, targets: Sequence[Target]) -> tuple[Reference, ...]:
    """For a file that cannot be parsed: every line naming an old symbol counts."""
    out = []
    if not text.isascii():   # identifiers count by their NFKC form, as Python binds them
        text = unicodedata.normalize("NFKC", text)
    for t in targets:
        name = t.recipe.text_pattern(t.options)
        if name is None:
            continue
        for i, line in enumerate(text.splitlines(), 1):
            if name.search(line):
                out.append(Reference(path, i, Kind.REFERENCE, t.old, line.strip()))
    return tuple(out)


# ---------------------------------------------------------------------------- cache

@dataclass
class ScanCache:
    """Scan results keyed by (path, size, mtime) and checked by content hash, like a build
    cache: an unchanged tree costs a stat per file and a hash per candidate file."""

    path: Path | None
    key: str
    entries: dict[str, tuple[int, int, str, FileScan]] = field(default_factory=dict)
    dirty: bool = False
    repo: Path | None = None

    @classmethod
    def load(cls, repo: Path, targets: Sequence[Target], source_roots: tuple[str, ...] = ()) -> "ScanCache":
        from phasemod import state

        key = cache_key(targets, source_roots)
        cache = cls(None, key)
        cache.repo = repo
        data = state.read_file(repo, state.cache_name("scan", key))
        if data:
            cache.entries = _valid_entries(data, key)
        # What this process learnt of files it rewrote: checked by content hash on lookup.
        for path, (digest, result) in _learned.get((str(repo), key), {}).items():
            cache.entries[path] = (-1, -1, digest, result)
        return cache

    def lookup(self, repo: Path, path: str) -> tuple[FileScan | None, bytes | None]:
        try:
            st = os.lstat(repo / path)
        except OSError:
            return None, None
        if not stat.S_ISREG(st.st_mode):
            return None, None
        entry = self.entries.get(path)
        if entry and not _still_valid(repo, entry[3]):
            entry = None  # a module its star import reads changed
        if entry and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
            return entry[3], None
        try:
            data = read_regular(repo / path)
        except OSError:
            return None, None
        digest = digest_of(data)
        if entry and entry[2] == digest:
            self.entries[path] = (st.st_size, st.st_mtime_ns, digest, entry[3])
            self.dirty = True
            return entry[3], None
        return None, data

    def store(self, repo: Path, path: str, data: bytes | None, result: FileScan, digest: str = "") -> None:
        """Keep ``result`` for the file whose bytes are ``data`` (or whose hash is ``digest``)."""
        if data is None and not digest:
            return
        try:
            st = os.stat(repo / path)
        except OSError:
            return
        self.entries[path] = (st.st_size, st.st_mtime_ns, digest or digest_of(data), result)
        self.dirty = True

    def save(self) -> None:
        """Write the cache as JSON, only where a state directory already exists."""
        from phasemod import state

        if not self.dirty or self.repo is None:
            return
        entries = {path: [size, mtime, digest, _scan_json(scan)] for path, (size, mtime, digest, scan)
                   in self.entries.items()}
        state.write_file(self.repo, state.cache_name("scan", self.key),
                         json.dumps({"schema": CACHE_VERSION, "key": self.key, "entries": entries}).encode())


def cache_key(targets: Sequence[Target], source_roots: tuple[str, ...] = ()) -> str:
    return hashlib.sha256(repr((CACHE_VERSION, [(t.recipe.id, repr(t.options)) for t in targets],
                                source_roots)).encode()).hexdigest()[:16]


def digest_of(data: bytes) -> str:
    """The content hash the cache checks entries by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# (repo, cache key) -> path -> (content hash, result): scans the engine made of the files
# it rewrote, from its own parse, so that counting them afterwards parses nothing. An
# entry is used only while the file's content hash matches.
_learned: dict[tuple[str, str], dict[str, tuple[str, FileScan]]] = {}


def learn(repo: Path, key: str, path: str, digest: str, result: FileScan) -> None:
    _learned.setdefault((str(repo), key), {})[path] = (digest, result)


_KINDS = {k.value: k for k in Kind}


def _scan_json(result: FileScan) -> dict:
    return {"error": result.error, "error_line": result.error_line, "both": result.imports_both,
            "refs": [[r.line, r.kind.value, r.old, r.text, r.note] for r in result.references],
            "depends": [[rel, list(stamp) if stamp else None] for rel, stamp in result.depends]}


def _valid_entries(data: bytes, key: str) -> dict[str, tuple[int, int, str, FileScan]]:
    """The entries of a cache file, every value checked; {} when anything is off."""
    try:
        loaded = json.loads(data)
        if not (isinstance(loaded, dict) and loaded.get("schema") == CACHE_VERSION and loaded.get("key") == key
                and isinstance(loaded.get("entries"), dict)):
            return {}
        out = {}
        for path, entry in loaded["entries"].items():
            size, mtime, digest, scan = entry
            refs = scan["refs"]
            if not (type(size) is int and type(mtime) is int and isinstance(digest, str)
                    and isinstance(scan["error"], str) and type(scan["error_line"]) is int
                    and isinstance(scan["both"], bool) and isinstance(refs, list)):
                return {}
            references = []
            for line, kind, old, text, note in refs:
                if not (type(line) is int and isinstance(old, str) and isinstance(text, str) and isinstance(note, str)):
                    return {}
                references.append(Reference(path, line, _KINDS[kind], old, text, note))
            depends = []
            for rel, stamp in scan["depends"]:
                if not (isinstance(rel, str) and (stamp is None or (
                        isinstance(stamp, list) and len(stamp) == 2 and all(type(v) is int for v in stamp)))):
                    return {}
                depends.append((rel, tuple(stamp) if stamp else None))
            out[path] = (size, mtime, digest, FileScan(path, tuple(references), scan["error"], scan["error_line"],
                                                       scan["both"], tuple(depends)))
        return out
    except (ValueError, TypeError, KeyError):
        return {}


def _still_valid(repo: Path, result: FileScan) -> bool:
    for rel, stamp in getattr(result, "depends", ()):
        try:
            st = os.stat(repo / rel)
            now: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            now = None
        if now != stamp:
            return False
    return True


def scan_files(repo: Path, files: Sequence[tuple[str, Sequence[Target]]], source_roots: tuple[str, ...] = (),
               cache: ScanCache | None = None, jobs: int = 1, facts: Callable[..., None] | None = None
               ) -> list[FileScan]:
    """Scan many files, using and filling ``cache``; results in input order. ``facts``:
    called with each parsed Python file's (content hash, module, is_package, facts)."""
    results: list[FileScan | None] = [None] * len(files)
    # Files to parse: scanned at once when serial; for a pool, only their paths are kept
    # (the workers read them), so that a phase of 10,000 files never holds all their bytes.
    todo: list[tuple[int, str, Sequence[Target], bytes | None]] = []
    serial = jobs <= 1
    if serial:
        _scan_init(repo, source_roots, facts is not None)

    def done(i: int, path: str, digest: str, result: FileScan, learnt: list) -> None:
        results[i] = result
        for entry in learnt:
            facts(*entry)
        if cache:
            cache.store(repo, path, None, result, digest)

    for i, (path, targets) in enumerate(files):
        if not targets:
            results[i] = FileScan(path)
            continue
        hit, data = cache.lookup(repo, path) if cache else (None, None)
        if hit is not None:
            results[i] = hit
            continue
        if data is None:
            try:
                data = read_regular(repo / path)
            except OSError as exc:
                results[i] = FileScan(path, error=f"cannot read: {exc.strerror}")
                continue
        if not names_in(data, [n for t in targets for n in t.needles()]):
            results[i] = FileScan(path)
            if cache:
                cache.store(repo, path, data, results[i])
            continue
        if serial:
            done(i, path, *_scan_one((i, path, targets, data)))
        else:
            todo.append((i, path, targets, None))
    for (i, path, _, _), outcome in zip(todo, _scan_many(repo, todo, source_roots, jobs, facts is not None)):
        done(i, path, *outcome)
    if cache:
        cache.save()
    return [r for r in results if r is not None]


_scan_state: tuple[Path, tuple[str, ...], bool] | None = None


def _scan_init(repo: Path, source_roots: tuple[str, ...], with_facts: bool = False) -> None:
    global _scan_state
    _scan_state = (repo, source_roots, with_facts)


def _scan_one(item: tuple[int, str, Sequence[Target], bytes | None]) -> tuple[str, FileScan, list]:
    """(content hash, scan, facts learnt) of one file; read here when ``item`` has no bytes."""
    assert _scan_state is not None
    repo, roots, with_facts = _scan_state
    learnt: list | None = [] if with_facts else None
    data = item[3]
    if data is None:
        try:
            data = read_regular(repo / item[1])
        except OSError as exc:
            return "", FileScan(item[1], error=f"cannot read: {exc.strerror}"), []
    return digest_of(data), scan_file(repo, item[1], item[2], roots, data, facts=learnt), learnt or []


def _scan_pooled(item: tuple[int, str, Sequence[Target], bytes | None]) -> tuple[tuple[str, FileScan, list], list]:
    """`_scan_one` in a worker, with the lean parse's plans it made (phasemod/syntax/lean.py):
    the parent keeps them, so that the phase's own workers, forked later, parse those
    files without asking CPython's parser again."""
    from phasemod.syntax import lean

    return _scan_one(item), lean.take_plans()


def _scan_many(repo: Path, todo: list, source_roots: tuple[str, ...], jobs: int, with_facts: bool = False):
    if jobs <= 1 or len(todo) < 16:
        _scan_init(repo, source_roots, with_facts)
        return (_scan_one(item) for item in todo)
    import multiprocessing

    from phasemod.syntax import lean

    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with closing_pool(ctx.Pool(jobs, initializer=_scan_init, initargs=(repo, source_roots, with_facts))) as pool:
        done = pool.map(_scan_pooled, todo, chunksize=max(1, len(todo) // (jobs * 8)))
    out = []
    for outcome, plans in done:
        lean.keep_plans(plans)
        out.append(outcome)
    return out


