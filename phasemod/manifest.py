"""Phase manifests: YAML files → frozen ``Phase`` records, every problem reported at once.

One file's keys are read here; the YAML itself through phasemod/yamlsafe.py (a safe
composer: it never constructs arbitrary objects, and no glob leaves the repo), recipe
entries through phasemod/schema.py (never importing a user recipe), and the checks
across files through phasemod/phasegraph.py.
"""
from __future__ import annotations

import dataclasses
import errno
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from phasemod import yamlsafe as y
from phasemod.errors import ManifestError
from phasemod.phasegraph import Draft, cross_check, resolve, select_phases  # noqa: F401 (re-exported)
from phasemod.schema import RecipeSpec, example_entry, options_schema as _options_schema, recipe_entry  # noqa: F401
from phasemod.yamlsafe import MAX_DEPTH, MAX_FILE_BYTES, FileSet, OptionsMapping  # noqa: F401 (re-exported)

__all__ = [
    "FileSet", "RecipeSpec", "Validation", "Phase", "OptionsMapping",
    "load_phase_file", "load_manifests", "select_phases",
    "MAX_FILE_BYTES", "MAX_DEPTH",
]

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_MAX_NAME = 64


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Validation:
    run: str
    timeout: float = 600
    severity: Literal["critical", "warn"] = "critical"
    line: int = 0


@dataclass(frozen=True)
class Phase:
    number: int
    name: str
    description: str
    requires: tuple[int, ...]     # phase numbers; default: every lower-numbered phase
    files: FileSet
    recipes: tuple[RecipeSpec, ...]
    validate: tuple[Validation, ...]
    on_failure: Literal["rollback", "stop"]
    source_roots: tuple[str, ...]
    path: Path                    # the manifest file, as given
    allow_empty: bool = False     # selecting no file is not an error
    # What the file wrote under `requires` (None: the key was absent). load_phase_file
    # cannot resolve names or the default without the other files; load_manifests can.
    requires_as_written: tuple[int | str, ...] | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"


# ----------------------------------------------------------------------------- one file

_ROOT_KEYS = ("phase", "name", "description", "requires", "files", "recipes", "validate",
              "on_failure", "source_roots", "allow_empty")
_VALIDATE_KEYS = ("run", "timeout", "severity")


def _parse(path: Path) -> Draft:
    draft = Draft(path, y.Problems(str(path)))
    out = draft.out
    from phasemod.select import read_regular

    try:   # a regular file only: a FIFO or device named *.yaml must not block or flood the load
        data = read_regular(path, MAX_FILE_BYTES)
    except OSError as err:
        if err.errno != errno.EFBIG:
            out.add(0, y.FILE_KEY, f"cannot read the file ({err.strerror or err}); check the path and permissions")
            return draft
        data = b" " * (MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        out.add(1, y.FILE_KEY, f"larger than {MAX_FILE_BYTES // 1024} KiB; a phase manifest is a short plan, split it into phases")
        return draft
    root = y.compose(data, out)
    if root is None:
        return draft
    if not isinstance(root, yaml.MappingNode):
        got = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        out.add(y.line_of(root), y.FILE_KEY, f"expected a mapping with phase, name, files and recipes at the top, got {got}")
        return draft
    try:
        entries = y.mapping(root, "", _ROOT_KEYS, out)
    except y.Bad:
        return draft
    root_line = y.line_of(root)
    fields: dict[str, Any] = {}

    def need(key: str, hint: str) -> None:
        if key not in entries:
            out.add(root_line, key, f"missing required key; add {hint}")

    need("phase", "phase: <number> (unique; phases run in number order)")
    need("name", "name: <slug> like critical-business-path")
    need("files", "files: {include: [pkg/**/*.py]} (globs relative to the repo root)")
    need("recipes", f"recipes: with at least one recipe, like '- {example_entry()}'")

    def take(key: str, read: Any) -> None:
        if key in entries:
            try:
                fields[key] = read(entries[key][1], key)
            except y.Bad:
                pass

    take("phase", lambda n, k: _phase_number(n, k, out))
    if "phase" in fields:
        draft.number, draft.number_line = fields["phase"], y.line_of(entries["phase"][1])
    take("name", lambda n, k: _slug(n, k, out))
    if "name" in fields:
        draft.name, draft.name_line = fields["name"], y.line_of(entries["name"][1])
    take("description", lambda n, k: y.string(n, k, out, empty_ok=True))
    if "requires" in entries:
        draft.requires_line = y.line_of(entries["requires"][1])
        take("requires", lambda n, k: _requires(n, k, out))
        draft.requires = fields.get("requires")
    take("files", lambda n, k: y.fileset(n, k, out, include_required=True))
    take("recipes", lambda n, k: _recipes(n, k, out))
    take("validate", lambda n, k: _validations(n, k, out))
    take("on_failure", lambda n, k: y.choice(n, k, ("rollback", "stop"), out))
    take("source_roots", lambda n, k: y.globs(n, k, out, dirs=True))
    take("allow_empty", lambda n, k: _flag(n, k, out))
    if draft.number is not None and draft.requires:
        for entry, line in draft.requires:
            if entry in (draft.number, draft.name):
                out.add(line, "requires", f"phase {draft.number} cannot require itself; remove {y.show(entry)}")
    if out.items:
        return draft
    written = None if draft.requires is None else tuple(entry for entry, _ in draft.requires)
    draft.phase = Phase(
        number=fields["phase"], name=fields["name"], description=fields.get("description", ""),
        requires=tuple(e for e in written or () if isinstance(e, int)),
        files=fields["files"], recipes=fields["recipes"], validate=fields.get("validate", ()),
        on_failure=fields.get("on_failure", "rollback"), source_roots=fields.get("source_roots", ()),
        path=path, requires_as_written=written, allow_empty=fields.get("allow_empty", False),
    )
    return draft


def _flag(node: yaml.Node, key: str, out: y.Problems) -> bool:
    value = y.plain(node, key, out)
    if not isinstance(value, bool):
        out.add(y.line_of(node), key, f"expected true or false, {y.got(value)}")
        raise y.Bad
    return value


def _phase_number(node: yaml.Node, key: str, out: y.Problems) -> int:
    number = y.integer(node, key, out, example=" like 1")
    if not 0 <= number < 2**63:   # the journal stores it as a 64-bit integer
        out.add(y.line_of(node), key, f"expected a phase number from 0 to {2**63 - 1} like 1, got {number}")
        raise y.Bad
    return number


def _slug(node: yaml.Node, key: str, out: y.Problems) -> str:
    value = y.plain(node, key, out)
    if not isinstance(value, str) or not SLUG.fullmatch(value) or value.isdigit() or len(value) > _MAX_NAME:
        if isinstance(value, str):
            suggestion = "-".join(re.findall(r"[a-z0-9]+", value.lower()))[:_MAX_NAME]
            if suggestion.isdigit():
                suggestion = f"phase-{suggestion}"
            why = "a name needs a letter so it cannot be taken for a phase number; " if SLUG.fullmatch(value) and value.isdigit() else ""
        else:
            suggestion, why = "", ""
        write = f"; write {suggestion!r}" if suggestion and suggestion != value else ""
        out.add(y.line_of(node), key, f"{why}expected a slug of lowercase letters, digits and '-' (at most {_MAX_NAME}) like critical-business-path, {y.got(value)}{write}")
        raise y.Bad
    return value


def _requires(node: yaml.Node, key: str, out: y.Problems) -> list[tuple[int | str, int]]:
    items = y.sequence(node, key, out, single=False, example=" of phase numbers or names like [1, critical-business-path]")
    result: list[tuple[int | str, int]] = []
    seen: dict[int | str, int] = {}
    bad = False
    for i, item in enumerate(items):
        item_key = f"{key}[{i}]"
        try:
            value = y.plain(item, item_key, out)
        except y.Bad:
            bad = True
            continue
        if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
            out.add(y.line_of(item), item_key, f"expected a phase number or name, {y.got(value)}")
            bad = True
            continue
        if value in seen:
            out.add(y.line_of(item), item_key, f"{y.show(value)} is listed twice (first at line {seen[value]}); keep one")
            bad = True
            continue
        seen[value] = y.line_of(item)
        result.append((value, y.line_of(item)))
    if bad:
        raise y.Bad
    return result


def _recipes(node: yaml.Node, key: str, out: y.Problems) -> tuple[RecipeSpec, ...]:
    items = y.sequence(node, key, out, single=False, example=f" of recipes like '- {example_entry()}'")
    if not items:
        out.add(y.line_of(node), key, f"must list at least one recipe, like '- {example_entry()}'")
        raise y.Bad
    specs: list[RecipeSpec] = []
    bad = False
    for i, item in enumerate(items):
        try:
            specs.append(recipe_entry(i, item, out))
        except y.Bad:
            bad = True
    if bad:
        raise y.Bad
    return tuple(specs)


def _validations(node: yaml.Node, key: str, out: y.Problems) -> tuple[Validation, ...]:
    items = y.sequence(node, key, out, single=False, example=" of commands like '- run: python -m pytest -q'")
    result: list[Validation] = []
    bad = False
    for i, item in enumerate(items):
        item_key = f"{key}[{i}]"
        try:
            entries = y.mapping(item, item_key, _VALIDATE_KEYS, out, example=" like {run: python -m pytest -q, timeout: 600}")
        except y.Bad:
            bad = True
            continue
        values: dict[str, Any] = {}
        if "run" not in entries:
            out.add(y.line_of(item), y.join(item_key, "run"), "missing required key; add run: <command run in the repo root>")
            bad = True
        for name, (_, value_node) in entries.items():
            sub = y.join(item_key, name)
            try:
                if name == "run":
                    values[name] = y.string(value_node, sub, out, example=" like python -m pytest -q")
                elif name == "timeout":
                    values[name] = _timeout(value_node, sub, out)
                else:
                    values[name] = y.choice(value_node, sub, ("critical", "warn"), out)
            except y.Bad:
                bad = True
        if not bad:
            result.append(Validation(line=y.line_of(item), **values))
    if bad:
        raise y.Bad
    return tuple(result)


def _timeout(node: yaml.Node, key: str, out: y.Problems) -> float:
    value = y.plain(node, key, out)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        out.add(y.line_of(node), key, f"expected a positive number of seconds like 600, {y.got(value)}")
        raise y.Bad
    return value


def load_phase_file(path: Path) -> Phase:
    """Load and validate one manifest on its own; raise ManifestError with all its problems.

    Without the other manifests, ``requires`` holds only the phase numbers the file
    wrote (names and the default "every lower-numbered phase" need load_manifests);
    ``requires_as_written`` keeps everything.
    """
    draft = _parse(Path(path))
    if draft.phase is None:
        raise ManifestError(draft.out.lines())
    return draft.phase


# ----------------------------------------------------------------------------- directory


def _manifest_files(directory: Path) -> list[Path]:
    # Dot-files are editor droppings (.#01.yaml) and never manifests.
    return sorted(p for p in directory.iterdir()
                  if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def load_manifests(directory: Path) -> tuple[Phase, ...]:
    """Load every ``*.yaml``/``*.yml`` in ``directory``, sorted by phase number.

    On top of each file's own checks: phase numbers and names are unique, every
    ``requires`` entry names an existing phase by number or name, and only a
    lower-numbered one (phases run in number order, so that also rules out cycles,
    which are named as such). All problems of all files come in one ManifestError.
    """
    directory = Path(directory)
    where = f"{directory}:0: (directory)"
    if not directory.is_dir():
        raise ManifestError([f"{where}: no such directory; pass --manifests DIR or create {directory}/ with one YAML file per phase"])
    try:
        files = _manifest_files(directory)
    except OSError as err:
        raise ManifestError([f"{where}: cannot list the directory ({err.strerror or err}); check its permissions"]) from None
    if not files:
        raise ManifestError([f"{where}: holds no *.yaml or *.yml manifests; write one file per phase, like 01-first-phase.yaml"])
    drafts = [_parse(path) for path in files]
    cross_check(drafts)
    problems = [line for draft in drafts for line in draft.out.lines()]
    if problems:
        raise ManifestError(problems)
    phases = []
    for draft in drafts:
        assert draft.phase is not None
        phases.append(dataclasses.replace(draft.phase, requires=resolve(draft, drafts)))
    return tuple(sorted(phases, key=lambda phase: phase.number))
