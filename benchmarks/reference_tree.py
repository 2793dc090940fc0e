#!/usr/bin/env python3
"""Write the benchmark's reference tree: a synthetic backend monorepo that still uses the
deprecated ``ExecutionEngine``, its four phase manifests, and the exact answer key.

    python benchmarks/reference_tree.py OUT [--files 4000] [--affected 1024] [--refs 8408]
                                            [--seed 0] [--modern 0.15]

What the tree holds (defaults in brackets):
- ``--files`` files [4,000] (phase_manifests/ and EXPECTED.json not counted): packages
  under ``netra_backend/app`` and ``tests``, Markdown under ``docs`` and ``reports``,
  ``scripts``, the deprecated module ``.../supervisor/execution_engine.py`` (which also
  defines names that stay: EngineStats, MAX_CONCURRENT_AGENTS,
  create_request_scoped_engine), its replacement ``user_execution_engine.py`` and stale
  ``*.backup_*`` copies;
- ``--affected`` files [1,024] holding ``--refs`` true references [8,408], split over the
  four phases like the remediation plan (48 / 280 / 650 / 46 per 1,024 affected files) and
  over the kinds import 25 %, instantiation 21 %, annotation 14 %, reference 3 %, string
  3 %, docs 34 % (exact counts, largest remainder);
- every way a module names the class: plain, relative, multi-name, parenthesized,
  aliased, ``TYPE_CHECKING``, ``try/except ImportError``, module imports (``import m``,
  ``import m as x``, ``from pkg import m``), imports inside functions, two star imports
  (flagged ``review``), and test files that only patch dotted-path strings;
- decoys a correct migration leaves alone: another class named ``ExecutionEngine``,
  longer names (``ExecutionEngineFactory``/``Config``), the new class, local names
  (variables, parameters, attributes, keywords, keys), the bridge's other names (which
  must stay imported from it) and prose about the other names;
- syntax CPython 3.12 accepts and stock fissix rejects in a ``--modern`` fraction [15 %] of
  the ``.py`` files.

``EXPECTED.json`` is built while the text is written, so it is exact: one record per line
that mentions a name of interest (file, 1-based line, kind, ``must_change``, ``check``,
text). Its schema is the one ``benchmarks/score_tree.py`` reads. The same arguments always
give the same bytes.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

OLD_MOD = "netra_backend.app.agents.supervisor.execution_engine"
NEW_MOD = "netra_backend.app.agents.supervisor.user_execution_engine"
OLD = OLD_MOD + ".ExecutionEngine"
NEW = NEW_MOD + ".UserExecutionEngine"
KINDS = ("import", "instantiation", "annotation", "reference", "string", "docs")
SHARE = (0.25, 0.21, 0.14, 0.03, 0.03, 0.34)
PHASE_SHARE = (48, 280, 650, 46)              # affected files per phase, of 1,024
STAYING = ("EngineStats", "MAX_CONCURRENT_AGENTS", "create_request_scoped_engine")

SUP = "netra_backend/app/agents/supervisor/"
DEPRECATED_PATH = SUP + "execution_engine.py"
NEW_PATH = SUP + "user_execution_engine.py"
FACTORY_PATH = "netra_backend/app/agents/execution_engine_factory.py"
WAREHOUSE_PATH = "netra_backend/app/db/warehouse_engine.py"
CONFIG_PATH = "netra_backend/app/core/engine_config.py"
BACKUPS = (SUP + "execution_engine.py.backup_20250110", SUP + "execution_engine.py.backup_pre_migration",
           SUP + "user_execution_engine.py.backup_20250104", "netra_backend/app/dependencies.py.backup_20250108")
PHASE1_FILES = ("netra_backend/app/dependencies.py", "netra_backend/app/websocket_core/connection_manager.py",
                "netra_backend/app/agents/supervisor_entry.py", "netra_backend/app/agents/agent_base.py")
PHASE1_DIRS = ("netra_backend/app/websocket_core/", "netra_backend/app/agents/core/")
RENAME_FILES = ("netra_backend/app/agents/tool_execution.py", SUP + "data_access.py")   # keep_local_name: false
PHASE4_FILES = ("reports/migration/EXECUTION_ENGINE_MIGRATION.md", "docs/architecture/agent_execution.md")

APP_DIRS = {"agents": 6, "agents/supervisor": 4, "agents/core": 4, "agents/tools": 4, "agents/factories": 2,
            "agents/triage": 2, "agents/reporting": 2, "websocket_core": 4, "services": 8, "services/billing": 3,
            "services/analytics": 3, "routes": 5, "core": 5, "db": 4, "schemas": 4, "middleware": 2, "utils": 3,
            "llm": 3, "monitoring": 2}
TEST_DIRS = {"tests/mission_critical": 4, "tests/validation": 3, "tests/integration": 8, "tests/unit": 4,
             "tests/unit/agents": 4, "tests/unit/websocket": 3, "tests/e2e": 4, "netra_backend/tests/unit": 5,
             "netra_backend/tests/integration": 4}
DOC_DIRS = {"docs": 3, "docs/architecture": 3, "docs/adr": 2, "docs/guides": 2, "reports": 3, "reports/migration": 2,
            "reports/audits": 2}
TOPICS = ("agent thread message tool session tenant workflow billing quota audit metric cache token prompt trace "
          "event notification schedule report usage dataset vector checkpoint permission project job").split()
ROLES = "service manager registry handler store client tracker monitor builder adapter gateway processor".split()
ACTIONS = "load save fetch build publish refresh sync resolve collect merge archive dispatch compute verify".split()

# How a file binds the class: its import line(s), the expression that names the class,
# and which kinds of reference it may hold beyond the import.
ALL = KINDS
NO_DOCS = KINDS[:5]
MODULE_FORMS = {"module_alias", "module_full", "from_pkg"}
FORM_KINDS = {"plain": ALL, "relative": ALL, "multi": ALL, "paren": ALL, "try_import": ALL, "local": ALL,
              "aliased": NO_DOCS, "type_checking": ("import", "annotation", "string", "docs"),
              "module_alias": NO_DOCS[1:], "module_full": NO_DOCS[1:], "from_pkg": NO_DOCS[1:],
              "star": ("instantiation", "reference"), "strings_only": ("string",)}
FORM_WEIGHTS = {"app": {"plain": 30, "relative": 12, "multi": 9, "paren": 8, "aliased": 8, "type_checking": 8,
                        "try_import": 3, "module_alias": 4, "module_full": 2, "from_pkg": 4, "local": 8},
                "test": {"plain": 36, "local": 26, "aliased": 8, "multi": 5, "paren": 4, "module_alias": 4,
                         "from_pkg": 3, "try_import": 2, "module_full": 2}}
KIND_BIAS = {"app": (0.6, 1.0, 1.3, 0.5, 0.3, 1.5), "test": (1.2, 1.3, 0.5, 0.4, 1.2, 0.8)}


# ---------------------------------------------------------------- emitted lines

@dataclass
class Row:
    """One output line and the answer-key records it carries."""

    text: str
    marks: list[dict] = field(default_factory=list)


def ref(kind: str, form: str) -> dict:
    check = kind if kind in ("import", "string", "docs") else "code"
    mark = {"kind": kind, "must_change": True, "check": check, "form": form}
    if form == "star":
        mark["review"] = True
    return mark


def decoy(kind: str) -> dict:
    return {"kind": kind, "must_change": False, "check": "unchanged"}


def binding(name: str) -> dict:
    return {"kind": "other_name", "must_change": False, "check": "binding", "name": name, "module": OLD_MOD}


def rows(text: str, *marks: dict) -> list[Row]:
    """Split ``text`` into rows; the marks go on its first line."""
    out = [Row(t) for t in text.split("\n")]
    out[0].marks.extend(marks)
    return out


def indented(block: list[Row], by: int = 4) -> list[Row]:
    return [Row(" " * by + r.text if r.text else "", r.marks) for r in block]


def pascal(*words: str) -> str:
    return "".join(w.title() for w in words)


# ---------------------------------------------------------------- file plan

@dataclass
class Planned:
    path: str
    role: str                       # app, test, script, doc, init, fixed
    phase: int | None = None
    n_refs: int = 0
    form: str = ""
    kinds: list[str] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)
    modern: list[str] = field(default_factory=list)


def split_exact(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` that add up to ``total`` (largest remainder)."""
    scale = total / sum(weights)
    shares = [w * scale for w in weights]
    counts = [math.floor(s) for s in shares]
    by_fraction = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_fraction[: total - sum(counts)]:
        counts[i] += 1
    return counts


def new_paths(rng: random.Random, dirs: dict[str, int], count: int, stem, suffix: str, taken: set[str]) -> list[str]:
    made = []
    for folder, n in zip(dirs, split_exact(count, list(dirs.values()))):
        for _ in range(n):
            base = f"{folder}/{stem(folder, rng)}"
            path, k = base + suffix, 2
            while path in taken:
                path, k = f"{base}_{k}{suffix}", k + 1
            taken.add(path)
            made.append(path)
    return made


def app_stem(folder: str, rng: random.Random) -> str:
    topic = rng.choice(TOPICS)
    if folder.endswith("factories") or rng.random() < 0.03:
        return topic + "_factory"
    if folder.endswith("tools") and rng.random() < 0.5 or rng.random() < 0.02:
        return topic + "_dispatcher"
    return f"{topic}_{rng.choice(ROLES)}"


def package_inits() -> list[str]:
    dirs = {"netra_backend", "netra_backend/app", "netra_backend/tests", "tests"}
    dirs |= {f"netra_backend/app/{d}" for d in APP_DIRS} | set(TEST_DIRS)
    for d in list(dirs):
        parts = d.split("/")
        dirs |= {"/".join(parts[:i]) for i in range(1, len(parts))}
    return sorted(f"{d}/__init__.py" for d in dirs)


FIXED_OTHERS = ("README.md", "pytest.ini", "requirements.txt", "tests/conftest.py")


def plan_tree(opts: argparse.Namespace, rng: random.Random) -> list[Planned]:
    special = [DEPRECATED_PATH, NEW_PATH, FACTORY_PATH, WAREHOUSE_PATH, CONFIG_PATH]
    fixed = [*special, *BACKUPS, *FIXED_OTHERS]
    inits = package_inits()
    named_app = [*PHASE1_FILES, *RENAME_FILES]
    free = opts.files - len(fixed) - len(inits) - len(named_app) - len(PHASE4_FILES)
    if free < 40:
        sys.exit(f"--files {opts.files} is too small: use at least {opts.files - free + 40}")
    n_docs, n_scripts, n_tests = round(free * 0.085), max(1, round(free * 0.01)), round(free * 0.42)
    n_app = free - n_docs - n_scripts - n_tests
    taken = set(fixed) | set(inits) | set(named_app) | set(PHASE4_FILES)
    app = named_app + new_paths(rng, {f"netra_backend/app/{d}": w for d, w in APP_DIRS.items()}, n_app,
                                app_stem, ".py", taken)
    tests = new_paths(rng, TEST_DIRS, n_tests, lambda d, r: f"test_{r.choice(TOPICS)}_{r.choice(ACTIONS)}", ".py",
                      taken)
    docs = list(PHASE4_FILES) + new_paths(
        rng, DOC_DIRS, n_docs, lambda d, r: f"{r.choice(TOPICS)}_{r.choice(('design', 'runbook', 'notes', 'status'))}",
        ".md", taken)
    scripts = new_paths(rng, {"scripts": 1}, n_scripts, lambda d, r: f"{r.choice(ACTIONS)}_{r.choice(TOPICS)}s", ".py",
                        taken)
    plan = {p: Planned(p, "app") for p in app}
    plan.update({p: Planned(p, "test") for p in tests})
    plan.update({p: Planned(p, "doc") for p in docs})
    plan.update({p: Planned(p, "script") for p in scripts})

    choose_affected(opts, rng, plan, app, tests, docs)
    affected = [f for f in plan.values() if f.phase]
    weights = [min(rng.paretovariate(1.4), 12.0) * (2.5 if f.role == "doc" else 1.0) for f in affected]
    if opts.refs < len(affected):
        sys.exit(f"--refs {opts.refs} is too small for {len(affected)} affected files (one reference each at least)")
    for f, extra in zip(affected, split_exact(opts.refs - len(affected), weights)):
        f.n_refs = 1 + extra
    deal_kinds(opts.refs, affected, rng)
    place_decoys(plan, rng)
    python = sorted(p for p, f in plan.items() if f.role != "doc")
    for p in rng.sample(python, round(opts.modern * len(python))):
        plan[p].modern = rng.sample(sorted(MODERN), rng.randint(1, 2))
    return [*plan.values(), *(Planned(p, "init") for p in inits), *(Planned(p, "fixed") for p in fixed)]


def choose_affected(opts, rng, plan, app, tests, docs) -> None:
    need = split_exact(opts.affected, list(PHASE_SHARE))
    pools = {1: [p for p in app if p.startswith(PHASE1_DIRS) and p not in PHASE1_FILES],
             2: [p for p in app if not p.startswith(PHASE1_DIRS) and p not in PHASE1_FILES + RENAME_FILES],
             3: tests, 4: [p for p in docs if p not in PHASE4_FILES]}
    named = {1: list(PHASE1_FILES), 2: list(RENAME_FILES), 3: [], 4: list(PHASE4_FILES)}
    for phase, pool in pools.items():
        want = max(need[phase - 1], len(named[phase]))
        if want - len(named[phase]) > len(pool):
            sys.exit(f"phase {phase} needs {want} affected files but only {len(pool) + len(named[phase])} fit; "
                     "raise --files or lower --affected")
        pool = sorted(pool)
        rng.shuffle(pool)
        # factories and dispatchers are where the engine is built: they are affected more often
        pool.sort(key=lambda p: ("factory" not in p and "dispatcher" not in p) and rng.random() < 0.6)
        for p in named[phase] + pool[: want - len(named[phase])]:
            plan[p].phase = phase


def deal_kinds(total: int, affected: list[Planned], rng: random.Random) -> None:
    """Give each affected file a binding form and one kind per reference so that the
    kinds add up exactly to the SHARE split of ``total``."""
    left = dict(zip(KINDS, split_exact(total, list(SHARE))))
    python = []
    for f in affected:
        if f.role == "doc":
            f.kinds = ["docs"] * f.n_refs
            left["docs"] -= f.n_refs
            continue
        weights = dict(FORM_WEIGHTS[f.role])
        if not f.path.startswith("netra_backend/app/"):
            weights.pop("relative", None)
        f.form = rng.choices(list(weights), list(weights.values()))[0]
        if f.path in RENAME_FILES:
            f.form = "plain"
        if f.role == "test" and f.n_refs <= 3 and rng.random() < 0.35:
            f.form = "strings_only"
        first = "string" if f.form == "strings_only" else "import"
        f.kinds = [first]
        left[first] -= 1
        python.append(f)
    stars = [f for f in python if f.role == "app" and f.form == "plain" and f.n_refs >= 3 and f.phase == 2
             and f.path not in RENAME_FILES]
    for f in stars[:2]:
        f.form = "star"
    python.sort(key=lambda f: len(FORM_KINDS[f.form]))
    for f in python:
        allowed = FORM_KINDS[f.form]
        bias = dict(zip(KINDS, KIND_BIAS[f.role]))
        for _ in range(f.n_refs - 1):
            k = rng.choices(allowed, [max(left[k], 0.5) * bias[k] for k in allowed])[0]
            left[k] -= 1
            f.kinds.append(k)
    # Trade slots until every kind has exactly its share.
    for over in KINDS:
        for f in python:
            if left[over] >= 0:
                break
            allowed = FORM_KINDS[f.form]
            for i in range(1, len(f.kinds)):
                under = next((k for k in allowed if left[k] > 0), None)
                if left[over] >= 0 or under is None:
                    break
                if f.kinds[i] == over:
                    f.kinds[i] = under
                    left[over] += 1
                    left[under] -= 1


def place_decoys(plan: dict[str, Planned], rng: random.Random) -> None:
    for p in RENAME_FILES:
        plan[p].decoys += ["already_new", "longer_name", "docs_decoy"]
    for f in plan.values():
        if f.role == "doc" or f.path in RENAME_FILES:
            continue
        if (rng.random() < 0.35) if f.phase else (rng.random() < 0.045):
            kinds = ["local_name", "longer_name", "already_new", "docs_decoy", "other_name"]
            if f.form in ("", "aliased", "strings_only", *MODULE_FORMS):
                kinds.append("foreign_class")       # only where the bare name is free
            f.decoys += rng.sample(kinds, rng.randint(1, 3))


# ---------------------------------------------------------------- Python text

MODERN = {
    "posonly": '''
def slug_for(value: str, /, *, sep: str = "-") -> str:
    """Positional-only ``value``; keyword-only separator."""
    words = [w for w in value.lower().split() if w]
    return sep.join(words)''',
    "match": '''
def route_message(message: Any) -> str:
    match message:
        case {"kind": "start", "run": str(run)}:
            return "begin " + run
        case {"kind": "tool_started" | "tool_finished", **extra}:
            return "tool " + str(sorted(extra))
        case [head, *tail]:
            return f"{head}+{len(tail)}"
        case _:
            return "ignored"''',
    "paren_with": '''
def mirror_file(source: str, target: str) -> int:
    with (
        open(source, "rb") as reader,
        open(target, "wb") as writer,
    ):
        return writer.write(reader.read())''',
    "except_star": '''
async def drain(tasks: list[Any]) -> int:
    done = 0
    try:
        async with asyncio.TaskGroup() as group:
            for task in tasks:
                group.create_task(task())
                done += 1
    except* asyncio.CancelledError:
        logger.info("drain cancelled after %d tasks", done)
    except* OSError as failures:
        logger.error("%d tasks failed", len(failures.exceptions))
    return done''',
    "pep695": '''
type JsonMap = dict[str, Any]


class Slot[T]:
    """Holds one value of type ``T``."""

    def __init__(self, value: T) -> None:
        self.value = value


def last_of[T](values: list[T]) -> T | None:
    return values[-1] if values else None''',
    "pep701": '''
def headline(run: dict[str, Any], labels: list[str]) -> str:
    return f"{run["id"]}: {" / ".join(labels)} ({run.get("state", "new")})"''',
    "relaxed_decorator": '''
REGISTRY: dict[str, list[Any]] = {"on_start": []}


@REGISTRY["on_start"].append
def announce_start() -> None:
    logger.info("service starting")''',
    "star_subscript": '''
def gather_all[*Parts](*parts: *Parts) -> tuple[*Parts]:
    return parts''',
}


def filler_function(rng: random.Random, name: str, method: bool) -> list[str]:
    """A plausible helper: a few statements drawn at random, 6 to 30 lines."""
    topic, other = rng.choice(TOPICS), rng.choice(TOPICS)
    args = ["self"] if method else []
    args += [f"{topic}_id: str", f"limit: int = {rng.randint(2, 90)}"]
    head = ("async def" if rng.random() < 0.5 else "def") + f" {name}({', '.join(args)}) -> dict[str, Any]:"
    body = [f'"""{rng.choice(ACTIONS).title()} {topic} data for one {other}."""', "found: dict[str, Any] = {}"]
    for _ in range(rng.randint(2, 6)):
        pick = rng.randrange(6)
        if pick == 0:
            body += [f"for index, item in enumerate(range(limit)):",
                     f"    if index % {rng.randint(2, 9)} == 0:",
                     f'        found[f"{other}-{{index}}"] = item * {rng.randint(2, 40)}']
        elif pick == 1:
            body += ["try:", f'    found["{other}"] = int({topic}_id.split("-")[-1])',
                     "except (ValueError, IndexError) as exc:",
                     f'    logger.warning("bad {topic} id %s: %s", {topic}_id, exc)']
        elif pick == 2:
            body += [f"keys = sorted(k for k in found if k.startswith(\"{other[:3]}\"))",
                     f'found["keys"] = keys[:limit]']
        elif pick == 3:
            body += [f"if len(found) > limit:", f'    logger.debug("{topic}: trimming %d entries", len(found) - limit)',
                     "    found = dict(list(found.items())[:limit])"]
        elif pick == 4:
            body += [f'found.update({{"{topic}": {topic}_id, "checked_at": time.time(), '
                     f'"ratio": {rng.randint(1, 99)} / max(limit, 1)}})']
        else:
            body += [f"values = [len(str(v)) for v in found.values()]",
                     f'found["total"] = sum(values) if values else {rng.randint(0, 5)}']
    body.append("return found")
    return [head] + ["    " + line for line in body]


def filler_block(rng: random.Random) -> list[Row]:
    topic, role = rng.choice(TOPICS), rng.choice(ROLES)
    if rng.random() < 0.45:
        lines = [f"class {pascal(topic, role)}:", f'    """{topic.title()} {role}: one per process."""', "",
                 "    def __init__(self, backend: Any = None) -> None:", "        self._backend = backend",
                 "        self._seen: dict[str, Any] = {}"]
        for i in range(rng.randint(1, 5)):
            lines += [""] + ["    " + ln for ln in
                             filler_function(rng, f"{rng.choice(ACTIONS)}_{rng.choice(TOPICS)}_{i}", True)]
        return [Row(t) for t in lines]
    if rng.random() < 0.2:
        return [Row(t) for t in [f"@dataclass", f"class {pascal(topic, role)}Options:",
                                 f'    """Options for the {topic} {role}."""', "",
                                 "    enabled: bool = True", f"    batch: int = {rng.randint(1, 500)}",
                                 f"    labels: dict[str, str] = field(default_factory=dict)"]]
    return [Row(t) for t in filler_function(rng, f"{rng.choice(ACTIONS)}_{topic}_{rng.choice(ROLES)}", False)]


def relative_from(path: str) -> str:
    here = path.split("/")[:-1]
    target = OLD_MOD.split(".")
    common = 0
    while common < min(len(here), len(target)) and here[common] == target[common]:
        common += 1
    return "." * (len(here) - common + 1) + ".".join(target[common:])


class PythonFile:
    """Renders one planned .py file, recording each reference on the line it lands."""

    def __init__(self, f: Planned, rng: random.Random) -> None:
        self.f, self.rng = f, rng
        self.test = f.role == "test"
        self.alias = rng.choice(["LegacyEngine", "AgentEngine", "Engine", "BridgeEngine"])
        self.mod_alias = rng.choice(["legacy_engine", "ee", "engine_module"])
        self.future = rng.random() < (0.5 if f.form == "type_checking" else 0.15)
        self.name = {"aliased": self.alias, "module_alias": f"{self.mod_alias}.ExecutionEngine",
                     "module_full": OLD, "from_pkg": "execution_engine.ExecutionEngine"}.get(f.form, "ExecutionEngine")
        self.quote = f.form == "type_checking" and not self.future
        self.topic = rng.choice(TOPICS)
        self.needs_loader = False

    def mark(self, kind: str) -> dict:
        return ref(kind, self.f.form)

    def ann(self, text: str) -> str:
        return f'"{text}"' if self.quote else text

    # one reference, as rows placed inside a function body
    def snippet(self, kind: str) -> list[Row]:
        E, r, m = self.name, self.rng.randrange(5), self.mark(kind)
        if kind == "instantiation":
            return [rows(f"engine = {E}(context=ctx, websocket_bridge=bridge)", m),
                    rows(f"engine = {E}(\n    context=ctx,\n    agent_registry=registry,\n    max_concurrent=2,\n)", m),
                    rows(f'found["engine"] = {E}.create_for_user(ctx)', m),
                    rows(f"engines = [{E}(context=ctx) for _ in range(3)]", m),
                    rows(f"async with {E}(context=ctx) as scoped:\n"
                         f'    found["outcome"] = await scoped.execute_agent("triage", {{"q": "{self.topic}"}})', m)][r]
        if kind == "annotation":
            return [rows(f"engine: {self.ann(E + ' | None')} = None", m),
                    rows(f"by_user: dict[str, {self.ann(E)}] = {{}}", m),
                    rows(f"waiting: list[{self.ann(E)}] = []", m),
                    rows(f"current: Optional[{self.ann(E)}] = None", m),
                    rows(f"engine: {self.ann(E + ' | None')} = None", m)][r]
        if kind == "reference":
            return [rows(f"if not isinstance(ctx.engine, {E}):\n    raise TypeError(\"engine of the wrong type\")", m),
                    rows(f"engine_type = {E}", m), rows(f'registry.register("{self.topic}", {E})', m),
                    rows(f"assert issubclass(type(ctx.engine), {E})", m),
                    rows(f"engine_type = {E}", m)][r]
        if kind == "string":
            if self.test:
                return [rows(f'with patch("{OLD}.execute_agent", new_callable=AsyncMock) as run_agent:\n'
                             f'    run_agent.return_value = {{"status": "completed"}}\n    found["patched"] = True', m),
                        rows(f'patcher = patch("{OLD}", autospec=True)\nfake = patcher.start()\n'
                             'try:\n    found["fake"] = fake\nfinally:\n    patcher.stop()', m),
                        rows(f'target = "{OLD}._emit_event"\nfound["target"] = target', m)][r % 3]
            if r < 2:
                self.needs_loader = True
                return rows(f'engine_type = import_string("{OLD}")', m)
            return rows(f'found["engine_path"] = "{OLD}"', m)
        if kind == "docs":
            return [rows("# ExecutionEngine drives the agents of this request.", m),
                    rows("# Keep this in step with how ExecutionEngine reports progress.", m),
                    rows("# One ExecutionEngine per user; never shared.", m),
                    rows('found["ready"] = True  # ExecutionEngine sends agent_completed next', m),
                    rows("# ExecutionEngine drives the agents of this request.", m)][r]
        if kind == "import":
            return rows(self.local_import(), m)
        raise ValueError(kind)

    def local_import(self) -> str:
        if self.f.form == "aliased":
            return f"from {OLD_MOD} import ExecutionEngine as {self.alias}"
        if self.f.form == "relative":
            return f"from {relative_from(self.f.path)} import ExecutionEngine"
        return f"from {OLD_MOD} import ExecutionEngine"

    def top_import(self) -> tuple[list[Row], list[str]]:
        """The file's binding of the class, and the other names it imports with it."""
        form, m = self.f.form, self.mark("import")
        if form in ("multi", "paren"):
            others = self.rng.sample(STAYING, self.rng.randint(1, 2))
            names = ["ExecutionEngine", *others]
            self.rng.shuffle(names)
            marks = {n: (m if n == "ExecutionEngine" else binding(n)) for n in names}
            if form == "multi":
                return [Row(f"from {OLD_MOD} import {', '.join(names)}", list(marks.values()))], others
            return [Row(f"from {OLD_MOD} import ("), *(Row(f"    {n},", [marks[n]]) for n in names), Row(")")], others
        text = {"plain": f"from {OLD_MOD} import ExecutionEngine",
                "aliased": f"from {OLD_MOD} import ExecutionEngine as {self.alias}",
                "relative": f"from {relative_from(self.f.path)} import ExecutionEngine",
                "module_alias": f"import {OLD_MOD} as {self.mod_alias}", "module_full": f"import {OLD_MOD}",
                "from_pkg": "from netra_backend.app.agents.supervisor import execution_engine",
                "star": f"from {OLD_MOD} import *  # noqa: F403"}.get(form)
        if text:
            return rows(text, m), []
        if form == "type_checking":
            return [Row("if TYPE_CHECKING:"), Row(f"    from {OLD_MOD} import ExecutionEngine", [m])], []
        if form == "try_import":
            return [Row("try:"), Row(f"    from {OLD_MOD} import ExecutionEngine", [m]),
                    Row("except ImportError as exc:  # pragma: no cover"),
                    Row('    raise RuntimeError("the agent engine is not installed") from exc')], []
        return [], []                                         # local, strings_only

    def decoy_parts(self, kind: str) -> tuple[list[Row], list[Row], list[Row]]:
        """(import rows, body rows, module-level rows) of one decoy."""
        rng, t = self.rng, self.topic
        if kind == "local_name":
            choices = [
                ([], rows('execution_engine = registry.get(ctx.user_id) if registry else None', decoy(kind))
                 + rows("if execution_engine is not None:", decoy(kind))
                 + rows("    await execution_engine.shutdown()", decoy(kind)), []),
                ([], rows("ctx.execution_engine = bridge", decoy(kind)), []),
                ([], rows('settings = dict(ExecutionEngine="pooled", retries=2)', decoy(kind)), []),
                ([], rows('engine_attr = getattr(ctx, "execution_engine", None)', decoy(kind)), []),
                ([], rows("flavour = ctx.settings.ExecutionEngine", decoy(kind)), []),
                ([], rows('tags = {"execution_engine": "per-user", "tier": "pro"}', decoy(kind)), []),
                ([], [], rows("def pick_engine(ExecutionEngine: Any = None, fallback: Any = None) -> Any:", decoy(kind))
                 + [Row('    """The caller\'s engine class, else ``fallback``."""')]
                 + rows("    return ExecutionEngine or fallback", decoy(kind))),
            ]
            if self.f.form == "from_pkg":
                choices = choices[1:]
            return rng.choice(choices)
        if kind == "foreign_class":
            return rng.choice([
                (rows("from netra_backend.app.db.warehouse_engine import ExecutionEngine", decoy(kind)),
                 rows('warehouse = ExecutionEngine(dsn="postgresql://db/netra", pool_size=4)', decoy(kind))
                 + [Row('found["rows"] = warehouse.execute("SELECT 1")')], []),
                (rows("from sqlalchemy_like.engine import ExecutionEngine", decoy(kind)),
                 rows('if isinstance(bridge, ExecutionEngine):', decoy(kind)) + [Row('    found["sql"] = bridge')], [])])
        if kind == "longer_name":
            return rng.choice([
                (rows(f"from {FACTORY_PATH[:-3].replace('/', '.')} import ExecutionEngineFactory", decoy(kind)),
                 rows("factory = ExecutionEngineFactory(max_engines=4)", decoy(kind)), []),
                (rows(f"from {CONFIG_PATH[:-3].replace('/', '.')} import ExecutionEngineConfig", decoy(kind)),
                 rows("limits = ExecutionEngineConfig(timeout_s=20.0)", decoy(kind)), [])])
        if kind == "already_new":
            if self.test and rng.random() < 0.5:
                return [], rows(f'with patch("{NEW}.execute_agent", new_callable=AsyncMock):', decoy(kind)) + [
                    Row('    found["patched_new"] = True')], []
            return (rows(f"from {NEW_MOD} import UserExecutionEngine", decoy(kind)),
                    rows("isolated = UserExecutionEngine(context=ctx)", decoy(kind)), [])
        if kind == "other_name":
            if self.test and rng.random() < 0.5:
                return [], rows(f'with patch("{OLD_MOD}.EngineStats.snapshot"):', decoy(kind)) + [
                    Row('    found["stats"] = True')], []
            return (rows(f"from {OLD_MOD} import MAX_CONCURRENT_AGENTS", binding("MAX_CONCURRENT_AGENTS")),
                    rows("ceiling = MAX_CONCURRENT_AGENTS", decoy(kind)), [])
        if kind == "docs_decoy":
            return [], rng.choice([rows("# UserExecutionEngine isolates every user.", decoy(kind)),
                                   rows("# ExecutionEngineFactory keeps one pool per tenant.", decoy(kind))]), []
        raise ValueError(kind)

    def render(self) -> list[Row]:
        f, rng = self.f, self.rng
        kinds = f.kinds if f.form == "strings_only" else f.kinds[1:]
        form = f.form
        module_docs: list[Row] = []
        header_refs: list[Row] = []
        module_blocks: list[list[Row]] = []
        items: list[list[Row]] = []
        sig_annotations = decorated = doc_functions = 0
        local_imports = kinds.count("import") + (1 if form == "local" else 0)
        for kind in kinds:
            roll = rng.random()
            if kind == "import":
                continue
            if kind == "annotation" and f.role == "app" and form != "local" and roll < 0.4:
                sig_annotations += 1
            elif kind == "reference" and form in FORM_KINDS and form not in ("local", "strings_only", "type_checking") \
                    and roll < 0.3:
                if roll < 0.08 and not header_refs and "." not in self.name and form != "star":
                    header_refs = rows(f'__all__ = ["{pascal(self.topic, "service")}", "{self.name}"]',
                                       self.mark("reference"))
                else:
                    module_blocks.append(self.base_class())
            elif kind == "string" and self.test and roll < 0.3 and (form != "local" or decorated < local_imports):
                decorated += 1
            elif kind == "docs" and roll < 0.2 and len(module_docs) < 3:
                module_docs += rows(["The ExecutionEngine of each request is built in this module.",
                                     "Requests reach their agents through ExecutionEngine.",
                                     "Callers get an ExecutionEngine scoped to one user."][len(module_docs)],
                                    self.mark("docs"))
            elif kind == "docs" and roll < 0.35 and (form != "local" or doc_functions < local_imports):
                doc_functions += 1
            else:
                items.append(self.snippet(kind))
        import_rows, staying = self.top_import()
        decoy_imports: list[Row] = []
        for kind in f.decoys:
            head, body, block = self.decoy_parts(kind)
            decoy_imports = head + decoy_imports
            if body:
                items.append(body)
            if block:
                module_blocks.append(block)
        for name in staying:
            use = {"EngineStats": "stats = EngineStats()", "MAX_CONCURRENT_AGENTS": "ceiling = MAX_CONCURRENT_AGENTS",
                   "create_request_scoped_engine": "make_engine = create_request_scoped_engine"}[name]
            items.append(rows(use, decoy("other_name")))
        rng.shuffle(items)

        n_funcs = max(local_imports if form == "local" else kinds.count("import"), sig_annotations, decorated,
                      doc_functions, math.ceil(len(items) / rng.randint(3, 5)), 1 if items else 0)
        funcs: list[dict] = [{"items": []} for _ in range(n_funcs)]
        for i, item in enumerate(items):
            funcs[i % n_funcs if form == "local" else rng.randrange(n_funcs)]["items"].append(item)
        n_extra_imports = kinds.count("import")
        method = rng.random() < 0.7
        blocks: list[list[Row]] = []
        fn_rows = [self.function(i, fn, local=(i < local_imports if form == "local" else i < n_extra_imports),
                                 sig=i < sig_annotations, deco=i < decorated, doc=i < doc_functions, method=method)
                   for i, fn in enumerate(funcs)]
        if fn_rows and method:
            cls = [Row(f"class {'Test' if self.test else ''}{pascal(self.topic, rng.choice(ROLES))}Flow:"),
                   Row(f'    """How the {self.topic} flow runs its agents."""')]
            for fr in fn_rows:
                cls += [Row("")] + indented(fr)
            blocks.append(cls)
        else:
            blocks += fn_rows
        blocks += module_blocks
        blocks += [[Row(t) for t in MODERN[m].strip("\n").split("\n")] for m in f.modern]

        head = [Row(f'"""{self.topic.title()} {rng.choice(ROLES)} of the Netra agent platform.')]
        head += ([Row("")] + module_docs if module_docs else []) + [Row('"""')]
        if self.future:
            head.append(Row("from __future__ import annotations"))
        typing = "from typing import TYPE_CHECKING, Any, Optional" if form == "type_checking" else \
            "from typing import Any, Optional"
        head += [Row(""), Row("import asyncio"), Row("import logging"), Row("import time"),
                 Row("from dataclasses import dataclass, field"), Row(typing)]
        if self.test:
            head += [Row(""), Row("import pytest"), Row("from unittest.mock import AsyncMock, MagicMock, patch")]
        head.append(Row(""))
        for _ in range(rng.randint(1, 3)):
            t, r = rng.choice(TOPICS), rng.choice(ROLES)
            head.append(Row(f"from netra_backend.app.services.{t}_{r} import {pascal(t, r)}"))
        if f.phase or f.decoys:
            head.append(Row("from netra_backend.app.services.user_context import UserContext"))
        if self.needs_loader:
            head.append(Row("from netra_backend.app.utils.loading import import_string"))
        head += import_rows + decoy_imports + header_refs + [Row(""), Row("logger = logging.getLogger(__name__)")]

        target = max(50, min(800, int(rng.lognormvariate(math.log(170), 0.7))))
        size = len(head) + sum(len(b) + 2 for b in blocks)
        while size < target:
            block = filler_block(rng)
            if size + len(block) + 2 > 800:
                break
            blocks.insert(rng.randrange(len(blocks) + 1), block)
            size += len(block) + 2
        if f.role == "script":
            blocks.append([Row(t) for t in ("def main() -> int:", f'    logger.info("{self.topic} job done")',
                                            "    return 0", "", "", 'if __name__ == "__main__":',
                                            "    raise SystemExit(main())")])
        out = head
        for b in blocks:
            out += [Row(""), Row("")] + b
        return out

    def base_class(self) -> list[Row]:
        name = pascal(self.rng.choice(TOPICS), "engine")
        return rows(f"class {name}({self.name}):", self.mark("reference")) + [
            Row(f'    """Keeps the old call shape for {self.topic} callers."""'), Row(""),
            Row("    async def run(self, payload: dict[str, Any]) -> dict[str, Any]:"),
            Row(f'        return await self.execute_agent("{self.topic}", payload)')]

    def function(self, i: int, fn: dict, local: bool, sig: bool, deco: bool, doc: bool, method: bool) -> list[Row]:
        action = self.rng.choice(ACTIONS)
        out: list[Row] = []
        params = ["self"] if method else []
        if self.test:
            out.append(Row("@pytest.mark.asyncio"))
            if deco:
                out += rows(f'@patch("{OLD}.execute_agent")', self.mark("string"))
                params.append("run_agent")
            params.append("ctx")
            out.append(Row(f"async def test_{action}_{self.topic}_{i}({', '.join(params)}):"))
        else:
            params += ["ctx: UserContext", "bridge: Any = None", "registry: Any = None"]
            if sig:
                out += rows(f"async def {action}_{self.topic}_{i}({', '.join(params)}, "
                            f"engine: {self.ann(self.name + ' | None')} = None) -> dict[str, Any]:",
                            self.mark("annotation"))
            else:
                out.append(Row(f"async def {action}_{self.topic}_{i}({', '.join(params)}) -> dict[str, Any]:"))
        body = (rows(f'"""{action.title()} {self.topic} work through ExecutionEngine."""', self.mark("docs")) if doc
                else [Row(f'"""{action.title()} {self.topic} work for one request."""')])
        if local:
            body += rows(self.local_import(), self.mark("import"))
        if self.test:
            body += [Row("bridge = AsyncMock()"), Row("registry = MagicMock()")]
            if deco:
                body.append(Row('run_agent.return_value = {"status": "completed"}'))
        body.append(Row("found: dict[str, Any] = {}"))
        for item in fn["items"]:
            if self.rng.random() < 0.4:
                body.append(Row(self.rng.choice(['logger.debug("step for %s", ctx.user_id)', "await asyncio.sleep(0)",
                                                 'found["at"] = time.monotonic()'])))
            body += item
        body.append(Row("assert found is not None" if self.test else "return found"))
        return out + indented(body)


# ---------------------------------------------------------------- Markdown and fixed text

PROSE = ["Each request gets its own context object; nothing about a user leaks to another.",
         "Agents report progress as events: started, thinking, tool running, tool done, completed.",
         "The {t} path must stay green before any phase is merged.", "A phase is rolled back by reverting its commit.",
         "Latency per tenant is on the {t} dashboard.", "Factories build request-scoped objects only.",
         "Dispatchers forward tool progress to the WebSocket bridge.", "Open questions about {t} go to the owners."]
MD_REFS = ["The `ExecutionEngine` runs the agents of one request.", "- `ExecutionEngine` emits one event per agent step.",
           "Every WebSocket connection is served by one ExecutionEngine per user.",
           f"The legacy entry point is `{OLD}`.", "- Code that builds ExecutionEngine directly skips the factory.",
           "| ExecutionEngine | deprecated | {n} call sites |"]
MD_DECOYS = ["`UserExecutionEngine` gives every user an isolated engine.",
             "`ExecutionEngineFactory` keeps a pool per tenant."]


def render_markdown(f: Planned, rng: random.Random) -> list[Row]:
    topic = rng.choice(TOPICS)
    units: list[list[Row]] = []
    left = f.n_refs
    doc = ref("docs", "markdown")
    while left > 0:
        if left >= 2 and rng.random() < 0.2:
            units.append([Row("```python"), Row(f"from {OLD_MOD} import ExecutionEngine", [dict(doc)]), Row(""),
                          Row("engine = ExecutionEngine(context=ctx)", [dict(doc)]), Row("```")])
            left -= 2
        else:
            units.append([Row(rng.choice(MD_REFS).format(n=rng.randint(1, 60)), [dict(doc)])])
            left -= 1
    if f.phase or rng.random() < 0.1:
        units += [[Row(t, [decoy("docs_decoy")])] for t in rng.sample(MD_DECOYS, rng.randint(0, 2))]
    target = rng.randint(30, 300)
    while sum(map(len, units)) + 3 * len(units) < target:
        say = [rng.choice(PROSE).format(t=topic) for _ in range(rng.randint(1, 4))]
        units.append([Row(s) for s in say] if rng.random() < 0.6 else [Row("- " + s) for s in say])
    rng.shuffle(units)
    out = [Row(f"# {topic.title()} {rng.choice(['design', 'runbook', 'notes'])}"), Row("")]
    for i, unit in enumerate(units):
        if i % 4 == 0:
            out += [Row(f"## {rng.choice(ACTIONS).title()} the {rng.choice(TOPICS)} {rng.choice(ROLES)}"), Row("")]
        if unit[0].text.startswith("|"):
            out += [Row("| Component | State | Use |"), Row("| --- | --- | --- |")]
        out += unit + [Row("")]
    return out


DEPRECATED_TEXT = f'''"""Deprecated: import UserExecutionEngine from {NEW_MOD}.

This bridge is deleted in the last phase of the migration.
"""
import warnings
from typing import Any

from {NEW_MOD} import UserExecutionEngine

MAX_CONCURRENT_AGENTS = 8


class EngineStats:
    """Counters that old dashboards still read."""

    def __init__(self) -> None:
        self.runs = 0

    def snapshot(self) -> dict[str, int]:
        return {{"runs": self.runs}}


class ExecutionEngine(UserExecutionEngine):
    """Old name of UserExecutionEngine."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn("use UserExecutionEngine", DeprecationWarning, stacklevel=2)
        super().__init__(*args, **kwargs)


def create_request_scoped_engine(context: Any) -> ExecutionEngine:
    return ExecutionEngine(context=context)
'''
NEW_TEXT = '''"""Per-user agent execution: the one place engines come from."""
from __future__ import annotations

import asyncio
from typing import Any


class UserExecutionEngine:
    """One engine per request; nothing is shared between users."""

    def __init__(self, context: Any = None, websocket_bridge: Any = None, agent_registry: Any = None,
                 max_concurrent: int = 4) -> None:
        self.context = context
        self.websocket_bridge = websocket_bridge
        self.agent_registry = agent_registry
        self._gate = asyncio.Semaphore(max_concurrent)

    @classmethod
    def create_for_user(cls, context: Any) -> "UserExecutionEngine":
        return cls(context=context)

    async def execute_agent(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        async with self._gate:
            await self._emit_event("agent_started", {"agent": name})
            return {"agent": name, "status": "completed", "payload": payload}

    async def _emit_event(self, event: str, data: dict[str, Any]) -> None:
        if self.websocket_bridge is not None:
            await self.websocket_bridge.notify(event, data)

    async def shutdown(self) -> None:
        self.context = None

    async def __aenter__(self) -> "UserExecutionEngine":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.shutdown()
'''
FACTORY_TEXT = '''"""Pools of engines, one per tenant."""
from typing import Any


class ExecutionEngineFactory:
    """Builds one engine per request."""

    def __init__(self, max_engines: int = 8) -> None:
        self.max_engines = max_engines
        self.active: dict[str, Any] = {}
'''
WAREHOUSE_TEXT = '''"""SQL execution for the analytics warehouse (nothing to do with agents)."""
from typing import Any


class ExecutionEngine:
    """Runs SQL against the warehouse."""

    def __init__(self, dsn: str, pool_size: int = 4) -> None:
        self.dsn = dsn
        self.pool_size = pool_size

    def execute(self, sql: str) -> list[Any]:
        return []
'''
CONFIG_TEXT = '''"""Limits applied to every agent engine."""
from dataclasses import dataclass


@dataclass(frozen=True)
class ExecutionEngineConfig:
    timeout_s: float = 30.0
    max_concurrent: int = 4
'''
FIXED_TEXT = {DEPRECATED_PATH: DEPRECATED_TEXT, NEW_PATH: NEW_TEXT, FACTORY_PATH: FACTORY_TEXT,
              WAREHOUSE_PATH: WAREHOUSE_TEXT, CONFIG_PATH: CONFIG_TEXT,
              "README.md": "# Netra backend\n\nAgents, services and their tests.\n",
              "pytest.ini": "[pytest]\nasyncio_mode = auto\ntestpaths = tests netra_backend/tests\n",
              "requirements.txt": "fastapi>=0.110\npytest>=8\npytest-asyncio>=0.23\n",
              "tests/conftest.py": '"""Shared fixtures."""\nimport pytest\n\n\n@pytest.fixture\n'
                                   'def ctx():\n    return None\n'}
FIXED_ANSWERS = {  # decoys inside the fixed modules
    FACTORY_PATH: [("class ExecutionEngineFactory:", "longer_name")],
    WAREHOUSE_PATH: [("class ExecutionEngine:", "foreign_class")],
    CONFIG_PATH: [("class ExecutionEngineConfig:", "longer_name")]}


def manifests() -> dict[str, str]:
    def move(keep: bool, pad: str = "      ") -> str:
        return f"{pad}old: {OLD}\n{pad}new: {NEW}\n{pad}keep_local_name: {'true' if keep else 'false'}\n"

    def listed(items, pad: str = "    ") -> str:
        return "".join(f"{pad}- {i}\n" for i in items)

    def checks(*commands: str) -> str:
        return "validate:\n" + "".join(f"  - run: {c}\n    timeout: 600\n    severity: warn\n" for c in commands) + \
            "on_failure: rollback\n"

    top = "# Written by benchmarks/reference_tree.py: the four phases of the ExecutionEngine migration.\n"
    phase1 = [*PHASE1_FILES, *(d + "**/*.py" for d in PHASE1_DIRS)]
    deletions = [DEPRECATED_PATH, *(b for b in BACKUPS if b.startswith(SUP + "execution_engine"))]
    return {
        "01-critical-business-path.yaml":
            top + "phase: 1\nname: critical-business-path\ndescription: WebSocket events and the agent core\n"
            f"requires: []\nfiles:\n  include:\n{listed(phase1)}  exclude:\n    - \"**/*.backup_*\"\n"
            f"recipes:\n  - move_symbol:\n{move(True)}" + checks("python -m pytest tests/mission_critical -q"),
        "02-integration-orchestration.yaml":
            top + "phase: 2\nname: integration-orchestration\ndescription: Services, factories, dispatchers\n"
            f"requires: [1]\nfiles:\n  include:\n    - netra_backend/app/**/*.py\n  exclude:\n{listed(phase1)}"
            f"    - \"**/*.backup_*\"\n    - {DEPRECATED_PATH}\nrecipes:\n"
            f"  - move_symbol:\n{move(True)}      files:\n        exclude:\n{listed(RENAME_FILES, '          ')}"
            f"  - move_symbol:\n{move(False)}      files:\n        include:\n{listed(RENAME_FILES, '          ')}"
            + checks("python -m pytest tests/integration -q"),
        "03-test-infrastructure.yaml":
            top + "phase: 3\nname: test-infrastructure\ndescription: Every test suite\nrequires: [2]\n"
            "files:\n  include:\n    - tests/**/*.py\n    - netra_backend/tests/**/*.py\n  exclude:\n"
            f"    - \"**/*.backup_*\"\nrecipes:\n  - move_symbol:\n{move(True)}"
            + checks("python -m pytest tests/validation -q"),
        "04-documentation-cleanup.yaml":
            top + "phase: 4\nname: documentation-cleanup\ndescription: Docs and reports, then delete the bridge\n"
            "requires: [3]\nfiles:\n  include:\n    - docs/**/*.md\n    - reports/**/*.md\n  exclude:\n"
            f"    - \"**/*.backup_*\"\nrecipes:\n  - rename_in_text:\n      old: {OLD}\n      new: {NEW}\n"
            f"  - delete_files:\n      paths:\n{listed(deletions, '        ')}      require_no_references: true\n"
            + checks("python -m pytest tests/mission_critical -q"),
    }


# ---------------------------------------------------------------- writing

def build(opts: argparse.Namespace) -> tuple[dict[str, str], dict]:
    """The tree's texts (path -> text) and its answer key."""
    rng = random.Random(opts.seed)
    texts: dict[str, str] = {}
    records: list[dict] = []
    files_info: dict[str, dict] = {}
    for f in sorted(plan_tree(opts, rng), key=lambda f: f.path):
        own = random.Random(f"{opts.seed}/{f.path}")
        if f.role == "init":
            texts[f.path] = f'"""The {f.path.split("/")[-2].replace("_", " ")} package."""\n'
            continue
        if f.role == "fixed":
            if f.path in FIXED_TEXT:
                texts[f.path] = FIXED_TEXT[f.path]
                for text, kind in FIXED_ANSWERS.get(f.path, ()):
                    line = FIXED_TEXT[f.path].split("\n").index(text) + 1
                    records.append(dict(decoy(kind), file=f.path, line=line, text=text))
            continue
        out = render_markdown(f, own) if f.role == "doc" else PythonFile(f, own).render()
        texts[f.path] = "\n".join(r.text for r in out) + "\n"
        found = [dict(m, file=f.path, line=n, text=r.text) for n, r in enumerate(out, 1) for m in r.marks]
        records += found
        if found or f.modern:
            files_info[f.path] = {"role": f.role, "phase": f.phase, "form": f.form or None, "modern": f.modern,
                                  "true_refs": sum(m["must_change"] for m in found),
                                  "decoys": sum(not m["must_change"] for m in found)}
    for backup in BACKUPS:
        texts[backup] = texts[backup.split(".backup")[0]]
    true = [r for r in records if r["must_change"]]
    summary = {"files": len(texts), "py_files": sum(p.endswith(".py") for p in texts),
               "md_files": sum(p.endswith(".md") for p in texts),
               "affected_files": len({r["file"] for r in true}), "true_refs": len(true),
               "decoys": len(records) - len(true),
               "modern_files": sum(bool(i["modern"]) for i in files_info.values()),
               "true_by_kind": {k: sum(r["kind"] == k for r in true) for k in KINDS},
               "decoys_by_kind": {k: sum(r["kind"] == k for r in records if not r["must_change"])
                                  for k in sorted({r["kind"] for r in records if not r["must_change"]})},
               "true_by_phase": {p: sum(files_info.get(r["file"], {}).get("phase") == p for r in true)
                                 for p in (1, 2, 3, 4)}}
    answer = {"generator": {"script": "benchmarks/reference_tree.py", "version": 1,
                            "args": {k: v for k, v in vars(opts).items() if k != "out"}},
              "old": OLD, "new": NEW, "old_module": OLD_MOD, "new_module": NEW_MOD, "other_names": sorted(STAYING),
              "summary": summary,
              "delete": [DEPRECATED_PATH, *(b for b in BACKUPS if b.startswith(SUP + "execution_engine"))],
              "keep_local_name_false": list(RENAME_FILES), "files": files_info, "refs": records}
    return texts, answer


def write(out: Path, texts: dict[str, str], answer: dict) -> None:
    for path, text in texts.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (out / "phase_manifests").mkdir()
    for name, text in manifests().items():
        (out / "phase_manifests" / name).write_text(text, encoding="utf-8")
    (out / "EXPECTED.json").write_text(json.dumps(answer, indent=1) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="directory to create (must be absent or empty)")
    ap.add_argument("--files", type=int, default=4000, help="files to write (default 4000)")
    ap.add_argument("--affected", type=int, default=1024, help="files holding true references (default 1024)")
    ap.add_argument("--refs", type=int, default=8408, help="true references (default 8408)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--modern", type=float, default=0.15, help="fraction of .py files with 3.12 syntax (0.15)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    if opts.out.exists() and any(opts.out.iterdir()):
        sys.exit(f"{opts.out} exists and is not empty: name a new directory")
    texts, answer = build(opts)
    write(opts.out, texts, answer)
    print(json.dumps(answer["summary"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
