"""Manifest loading: valid plans load into frozen records; every problem has one exact line.

Messages are asserted verbatim: they are the user interface of a bad manifest.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
import textwrap
from pathlib import Path

import pytest

from phasemod import catalog
from phasemod.errors import ManifestError
from phasemod.manifest import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    FileSet,
    OptionsMapping,
    load_manifests,
    load_phase_file,
    select_phases,
)
from bench_paths import GENERATOR

HERE = Path(__file__).parents[1] / "manifests"
PROBLEM = re.compile(r"^.+:\d+: [^:]+: .+$")

VALID = """\
phase: {number}
name: {name}
files:
  include: [pkg/**/*.py]
recipes:
  - move_symbol:
      old: pkg.old.Thing
      new: pkg.new.Thing
{extra}"""


def phase_text(number: int = 1, name: str = "first", extra: str = "") -> str:
    return VALID.format(number=number, name=name, extra=textwrap.dedent(extra))


@pytest.fixture
def pm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A relative manifests directory, so messages read `pm/01.yaml:...`."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pm").mkdir()
    return Path("pm")


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(ManifestError) as info:
        load_manifests(directory)
    for line in info.value.problems:
        assert PROBLEM.match(line), line
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def file_problems(directory: Path, text: str | bytes, name: str = "01.yaml") -> list[str]:
    path = write(directory, name, text)
    with pytest.raises(ManifestError) as info:
        load_phase_file(path)
    return info.value.problems


# ----------------------------------------------------------------------------- valid


def test_spec_example_loads() -> None:
    (phase,) = load_manifests(HERE / "spec")
    assert phase.number == 1 and phase.name == "critical-business-path"
    assert phase.requires == () and phase.requires_as_written == ()
    assert phase.files == FileSet(("netra_backend/app/dependencies.py", "netra_backend/app/agents/**/*factory*.py"),
                                  ("**/*.backup_*",))
    assert [r.name for r in phase.recipes] == ["move_symbol", "rename_in_text", "move_module", "delete_files"]
    move = phase.recipes[0]
    assert move.options == catalog.builtin()["move_symbol"].Options(
        old="netra_backend.app.agents.supervisor.execution_engine.ExecutionEngine",
        new="netra_backend.app.agents.supervisor.user_execution_engine.UserExecutionEngine",
        keep_local_name=True)
    assert move.line == 11 and move.files is None
    assert phase.recipes[1].options.bare_name == "docs"
    assert phase.recipes[3].options.paths == ("netra_backend/app/agents/supervisor/execution_engine.py",)
    assert phase.recipes[3].options.require_no_references is True
    (check,) = phase.validate
    assert (check.run, check.timeout, check.severity, check.line) == ("python -m pytest tests/mission_critical -q", 600, "critical", 27)
    assert phase.on_failure == "rollback" and phase.source_roots == ()
    assert phase.path == HERE / "spec" / "01-critical-business-path.yaml"


def test_generated_corpus_manifests_load() -> None:
    phases = load_manifests(HERE / "netra")
    assert [(p.number, p.name, p.requires) for p in phases] == [
        (1, "critical-business-path", ()),
        (2, "integration-orchestration", (1,)),
        (3, "test-infrastructure", (2,)),
        (4, "documentation-cleanup", (3,)),
    ]
    two = phases[1]
    keep, rename = two.recipes
    assert keep.options.keep_local_name is True and rename.options.keep_local_name is False
    assert keep.files == FileSet((), ("netra_backend/app/agents/unified_tool_execution.py",
                                      "netra_backend/app/agents/supervisor/data_access_integration.py"))
    assert rename.files == FileSet(("netra_backend/app/agents/unified_tool_execution.py",
                                    "netra_backend/app/agents/supervisor/data_access_integration.py"))
    assert all(v.severity == "warn" and v.timeout == 600 for p in phases for v in p.validate)
    assert [r.name for r in phases[3].recipes] == ["rename_in_text", "delete_files"]


GENERATOR = GENERATOR


@pytest.mark.skipif(not GENERATOR.exists(), reason="corpus generator not available")
def test_live_generator_manifests_load(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_netra_corpus", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        for name, text in module.manifests().items():
            (tmp_path / name).write_text(text, encoding="utf-8")
    finally:
        del sys.modules[spec.name]
    assert [p.number for p in load_manifests(tmp_path)] == [1, 2, 3, 4]


def test_records_are_frozen_and_hashable(pm: Path) -> None:
    write(pm, "01.yaml", phase_text())
    (phase,) = load_manifests(pm)
    with pytest.raises(dataclasses.FrozenInstanceError):
        phase.number = 2  # type: ignore[misc]
    assert hash(phase) == hash(load_manifests(pm)[0])


def test_defaults(pm: Path) -> None:
    write(pm, "a.yml", phase_text(1, "a"))
    write(pm, "b.yaml", phase_text(5, "b"))
    write(pm, "c.yaml", phase_text(3, "c", "requires: [a]\n"))
    write(pm, "notes.txt", "not a manifest")
    write(pm, ".#b.yaml", "editor lock file")
    a, c, b = load_manifests(pm)
    assert (a.number, c.number, b.number) == (1, 3, 5)
    assert b.requires == (1, 3) and b.requires_as_written is None   # default: every lower number
    assert c.requires == (1,) and c.requires_as_written == ("a",)
    assert a.description == "" and a.validate == () and a.on_failure == "rollback"
    assert a.files.exclude == ()


def test_single_strings_and_optional_keys(pm: Path) -> None:
    write(pm, "01.yaml", """\
        phase: 7
        name: seven
        description: "Seven: a description with a colon"
        files: {include: src/**/*.py, exclude: "**/gen_*.py"}
        source_roots: [src, lib/namespace]
        on_failure: stop
        recipes:
          - delete_files: {paths: old/*.py, require_no_references: false}
          - move_module: {old: a.b, new: c}
        validate:
          - run: make check
            timeout: 1.5
            severity: warn
    """)
    (phase,) = load_manifests(pm)
    assert phase.files == FileSet(("src/**/*.py",), ("**/gen_*.py",))
    assert phase.source_roots == ("src", "lib/namespace") and phase.on_failure == "stop"
    assert phase.recipes[0].options.paths == ("old/*.py",)
    assert phase.validate[0].timeout == 1.5 and phase.validate[0].line == 11


def test_user_recipe_options_are_read_only_and_not_imported(pm: Path) -> None:
    write(pm, "01.yaml", phase_text(extra="""\
        validate: []
    """).replace("recipes:\n", """recipes:
  - not_installed_pkg.recipes:rename_settings:
      setting: [A, {b: 1}]
      files: {include: [settings/*.py]}
"""))
    (phase,) = load_manifests(pm)
    user = phase.recipes[0]
    assert user.name == "not_installed_pkg.recipes:rename_settings" and user.is_user_recipe
    assert isinstance(user.options, OptionsMapping)
    assert user.options == {"setting": ("A", OptionsMapping({"b": 1}))}
    assert user.files == FileSet(("settings/*.py",))
    with pytest.raises(TypeError):
        user.options["x"] = 1  # type: ignore[index]
    assert "not_installed_pkg" not in sys.modules
    hash(user)


def test_load_phase_file_alone(pm: Path) -> None:
    path = write(pm, "02.yaml", phase_text(2, "second", "requires: [1, first]\n"))
    phase = load_phase_file(path)
    assert phase.requires == (1,) and phase.requires_as_written == (1, "first")


def test_select_phases(pm: Path) -> None:
    for n, name in ((1, "one"), (2, "two"), (3, "three")):
        write(pm, f"{n}.yaml", phase_text(n, name))
    phases = load_manifests(pm)
    assert [p.number for p in select_phases(phases, ["three", "1", "01", "one"])] == [1, 3]
    with pytest.raises(ManifestError) as info:
        select_phases(phases, ["tow", "9"])
    assert info.value.problems == [
        "pm:0: phase: no phase 'tow'; did you mean 'two'? known phases: 1 one, 2 two, 3 three",
        "pm:0: phase: no phase '9'; known phases: 1 one, 2 two, 3 three",
    ]


def test_every_builtin_recipe_options_type_is_supported() -> None:
    from phasemod.manifest import _options_schema

    for recipe in catalog.builtin().values():
        assert _options_schema(recipe)


# ----------------------------------------------------------------------------- file-level problems


def test_empty_file(pm: Path) -> None:
    assert file_problems(pm, "") == ["pm/01.yaml:1: (file): the file is empty; write a mapping with phase, name, files and recipes"]
    assert file_problems(pm, "# only a comment\n") == [
        "pm/01.yaml:1: (file): the file holds only comments; write a mapping with phase, name, files and recipes"]


def test_non_mapping_root(pm: Path) -> None:
    assert file_problems(pm, "- phase: 1\n") == [
        "pm/01.yaml:1: (file): expected a mapping with phase, name, files and recipes at the top, got a list"]
    assert file_problems(pm, "just text\n") == [
        "pm/01.yaml:1: (file): expected a mapping with phase, name, files and recipes at the top, got a single value"]


def test_non_utf8(pm: Path) -> None:
    assert file_problems(pm, b"phase: 1\nname: caf\xe9\n") == [
        "pm/01.yaml:2: (file): not UTF-8 (byte 0xe9 at offset 18); save the file as UTF-8"]


def test_utf8_bom_is_accepted(pm: Path) -> None:
    path = write(pm, "01.yaml", b"\xef\xbb\xbf" + phase_text().encode())
    assert load_phase_file(path).number == 1


def test_too_big(pm: Path) -> None:
    text = phase_text() + "#" * MAX_FILE_BYTES
    assert file_problems(pm, text) == [
        "pm/01.yaml:1: (file): larger than 1024 KiB; a phase manifest is a short plan, split it into phases"]


def test_too_deep(pm: Path) -> None:
    text = "phase: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert file_problems(pm, text) == [
        f"pm/01.yaml:1: (file): nested more than {MAX_DEPTH} levels deep; a manifest needs only a few levels"]


def test_yaml_syntax_error(pm: Path) -> None:
    assert file_problems(pm, "phase: 1\nname: [unclosed\n") == [
        "pm/01.yaml:3: (file): not valid YAML: while parsing a flow sequence expected ',' or ']', but got '<stream end>'; "
        "fix the syntax (quote values that hold ': ' or start with '*', '&', '!', '%', '@')"]


def test_two_documents(pm: Path) -> None:
    (problem,) = file_problems(pm, phase_text() + "---\n" + phase_text())
    assert problem.startswith("pm/01.yaml:9: (file): not valid YAML: expected a single document in the stream but found another document;")


def test_alias_bomb(pm: Path) -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    problems = file_problems(pm, bomb)
    assert problems[0] == "pm/01.yaml:1: a: unknown key 'a'; allowed keys: phase, name, description, requires, files, recipes, validate, on_failure, source_roots, allow_empty"
    assert "pm/01.yaml:2: (file): YAML aliases (*name) are not allowed; write the value out in full" in problems
    assert len(problems) < 200   # one per alias at most, never an expansion


def test_alias_in_value(pm: Path) -> None:
    text = phase_text().replace("new: pkg.new.Thing", "new: *x").replace("old: pkg.old.Thing", "old: &x pkg.old.Thing")
    assert file_problems(pm, text) == ["pm/01.yaml:8: (file): YAML aliases (*name) are not allowed; write the value out in full"]


def test_python_tag(pm: Path) -> None:
    text = phase_text().replace("old: pkg.old.Thing", "old: !!python/object/apply:os.system [echo hi]")
    assert file_problems(pm, text) == [
        "pm/01.yaml:7: (file): tag '!!python/object/apply:os.system' is not allowed; manifests hold plain strings, "
        "numbers, booleans, lists and mappings, remove the tag"]


def test_explicit_tag_with_bad_value(pm: Path) -> None:
    text = phase_text().replace("phase: 1", "phase: !!int one")
    assert file_problems(pm, text) == ["pm/01.yaml:1: phase: 'one' is not a valid int; remove the tag or fix the value"]


def test_duplicate_keys(pm: Path) -> None:
    assert file_problems(pm, phase_text() + "name: again\n") == [
        "pm/01.yaml:9: name: duplicate key 'name' (first at line 2); keep only one"]
    text = phase_text().replace("new: pkg.new.Thing", "new: pkg.new.Thing\n      new: pkg.other.Thing")
    assert file_problems(pm, text) == [
        "pm/01.yaml:9: recipes[0].move_symbol.new: duplicate option 'new' (first at line 8); keep only one"]


def test_missing_directory_and_no_manifests(pm: Path) -> None:
    with pytest.raises(ManifestError) as info:
        load_manifests(Path("nowhere"))
    assert info.value.problems == [
        "nowhere:0: (directory): no such directory; pass --manifests DIR or create nowhere/ with one YAML file per phase"]
    with pytest.raises(ManifestError) as info:
        load_manifests(pm)
    assert info.value.problems == [
        "pm:0: (directory): holds no *.yaml or *.yml manifests; write one file per phase, like 01-first-phase.yaml"]


# ----------------------------------------------------------------------------- key-level problems


def test_unknown_key_with_suggestion(pm: Path) -> None:
    assert file_problems(pm, phase_text(extra="descripton: x\n")) == [
        "pm/01.yaml:9: descripton: unknown key 'descripton'; did you mean 'description'? allowed keys: "
        "phase, name, description, requires, files, recipes, validate, on_failure, source_roots, allow_empty"]


def test_unknown_option_with_suggestion(pm: Path) -> None:
    text = phase_text().replace("new: pkg.new.Thing", "new: pkg.new.Thing\n      keep_local_nam: false")
    assert file_problems(pm, text) == [
        "pm/01.yaml:9: recipes[0].move_symbol.keep_local_nam: unknown option 'keep_local_nam'; did you mean "
        "'keep_local_name'? allowed options: old, new, keep_local_name, rename_comments, files"]


@pytest.mark.parametrize("line, expected", [
    ("phase: true", "pm/01.yaml:1: phase: expected an integer like 1, got true"),
    ("phase: '1'", "pm/01.yaml:1: phase: expected an integer like 1, got '1'"),
    ("phase: 1.5", "pm/01.yaml:1: phase: expected an integer like 1, got the number 1.5"),
    ("phase: [1]", "pm/01.yaml:1: phase: expected an integer like 1, got a list"),
    ("phase:", "pm/01.yaml:1: phase: expected an integer like 1, got nothing (null)"),
    ("phase: -2", "pm/01.yaml:1: phase: expected a phase number from 0 to 9223372036854775807 like 1, got -2"),
], ids=["bool", "string", "float", "list", "null", "negative"])
def test_wrong_type_phase(pm: Path, line: str, expected: str) -> None:
    assert file_problems(pm, phase_text().replace("phase: 1", line)) == [expected]


@pytest.mark.parametrize("extra, expected", [
    ("description: [a]\n", "pm/01.yaml:9: description: expected a string, got a list"),
    ("requires: 1\n", "pm/01.yaml:9: requires: expected a list of phase numbers or names like [1, critical-business-path], got the number 1"),
    ("requires: [1.5]\n", "pm/01.yaml:9: requires[0]: expected a phase number or name, got the number 1.5"),
    ("requires: [2, 2]\n", "pm/01.yaml:9: requires[1]: 2 is listed twice (first at line 9); keep one"),
    ("on_failure: undo\n", "pm/01.yaml:9: on_failure: expected one of rollback, stop, got 'undo'"),
    ("source_roots: ['src/*']\n", "pm/01.yaml:9: source_roots[0]: must be a directory, not a glob, got 'src/*'"),
    ("validate: {run: x}\n", "pm/01.yaml:9: validate: expected a list of commands like '- run: python -m pytest -q', got a mapping"),
    ("validate: [{timeout: 5}]\n", "pm/01.yaml:9: validate[0].run: missing required key; add run: <command run in the repo root>"),
    ("validate: [{run: x, timeout: 0}]\n", "pm/01.yaml:9: validate[0].timeout: expected a positive number of seconds like 600, got the number 0"),
    ("validate: [{run: x, timeout: .inf}]\n", "pm/01.yaml:9: validate[0].timeout: expected a positive number of seconds like 600, got the number inf"),
    ("validate: [{run: x, severity: warning}]\n", "pm/01.yaml:9: validate[0].severity: expected one of critical, warn, got 'warning'; did you mean 'warn'?"),
    ("validate: [pytest]\n", "pm/01.yaml:9: validate[0]: expected a mapping like {run: python -m pytest -q, timeout: 600}, got 'pytest'"),
], ids=["description", "requires-scalar", "requires-float", "requires-twice", "on_failure", "source_root-glob",
        "validate-mapping", "validate-no-run", "timeout-zero", "timeout-inf", "severity", "validate-string"])
def test_wrong_types(pm: Path, extra: str, expected: str) -> None:
    assert file_problems(pm, phase_text(extra=extra)) == [expected]


def test_missing_fields(pm: Path) -> None:
    assert file_problems(pm, "description: nothing else\n") == [
        "pm/01.yaml:1: phase: missing required key; add phase: <number> (unique; phases run in number order)",
        "pm/01.yaml:1: name: missing required key; add name: <slug> like critical-business-path",
        "pm/01.yaml:1: files: missing required key; add files: {include: [pkg/**/*.py]} (globs relative to the repo root)",
        "pm/01.yaml:1: recipes: missing required key; add recipes: with at least one recipe, like "
        "'- move_module: {old: ..., new: ...}'",
    ]
    text = phase_text().replace("  include: [pkg/**/*.py]", "  exclude: [x]")
    assert file_problems(pm, text) == [
        "pm/01.yaml:4: files.include: missing required key; add include: [pkg/**/*.py] (globs relative to the repo root)"]
    text = phase_text().split("recipes:")[0] + "recipes: []\n"
    assert file_problems(pm, text) == [
        "pm/01.yaml:5: recipes: must list at least one recipe, like '- move_module: {old: ..., new: ...}'"]
    text = phase_text().replace("      new: pkg.new.Thing\n", "")
    assert file_problems(pm, text) == ["pm/01.yaml:7: recipes[0].move_symbol.new: missing required option; add new: pkg.mod.Name"]


@pytest.mark.parametrize("name, expected", [
    ("Critical Path", "expected a slug of lowercase letters, digits and '-' (at most 64) like critical-business-path, got 'Critical Path'; write 'critical-path'"),
    ("-x", "expected a slug of lowercase letters, digits and '-' (at most 64) like critical-business-path, got '-x'; write 'x'"),
    ("'42'", "a name needs a letter so it cannot be taken for a phase number; expected a slug of lowercase letters, digits and '-' (at most 64) like critical-business-path, got '42'; write 'phase-42'"),
    ("7", "expected a slug of lowercase letters, digits and '-' (at most 64) like critical-business-path, got the number 7"),
], ids=["spaces", "leading-dash", "digits", "int"])
def test_bad_slug(pm: Path, name: str, expected: str) -> None:
    assert file_problems(pm, phase_text().replace("name: first", f"name: {name}")) == [f"pm/01.yaml:2: name: {expected}"]


@pytest.mark.parametrize("glob, expected", [
    ("../x", "leaves the repo root with '..', got '../x'; write a path inside the repo"),
    ("pkg/../../x", "leaves the repo root with '..', got 'pkg/../../x'; write a path inside the repo"),
    ("/etc", "is an absolute path, got '/etc'; write it relative to the repo root, like 'etc'"),
    ("'C:/src'", "is a drive path, got 'C:/src'; write a path relative to the repo root"),
    ("'pkg\\mod.py'", "contains a backslash, got 'pkg\\\\mod.py'; use '/' as the separator"),
    ('"a\\nb"', "contains a NUL or line break, got 'a\\nb'; write one path per list item"),
    ("'~/x'", "refers to a home directory, got '~/x'; write a path relative to the repo root"),
    ("''", "must not be empty; write a path relative to the repo root like pkg/**/*.py"),
], ids=["dotdot", "inner-dotdot", "absolute", "drive", "backslash", "newline", "home", "empty"])
def test_bad_globs(pm: Path, glob: str, expected: str) -> None:
    text = phase_text().replace("include: [pkg/**/*.py]", f"include: [ok/*.py, {glob}]")
    assert file_problems(pm, text) == [f"pm/01.yaml:4: files.include[1]: {expected}"]


def test_bad_globs_everywhere(pm: Path) -> None:
    text = phase_text(extra="source_roots: [/src]\n").replace("exclude", "x").replace(
        "include: [pkg/**/*.py]", "include: [a]\n  exclude: ../b").replace(
        "      new: pkg.new.Thing\n", "      new: pkg.new.Thing\n      files: {include: [/abs]}\n  - delete_files: {paths: [x, ../y]}\n")
    assert file_problems(pm, text) == [
        "pm/01.yaml:5: files.exclude: leaves the repo root with '..', got '../b'; write a path inside the repo",
        "pm/01.yaml:10: recipes[0].move_symbol.files.include[0]: is an absolute path, got '/abs'; write it relative to the repo root, like 'abs'",
        "pm/01.yaml:11: recipes[1].delete_files.paths[1]: leaves the repo root with '..', got '../y'; write a path inside the repo",
        "pm/01.yaml:12: source_roots[0]: is an absolute path, got '/src'; write it relative to the repo root, like 'src'",
    ]


@pytest.mark.parametrize("old, new, expected", [
    ("foo bar", "pkg.new.Thing", "pm/01.yaml:7: recipes[0].move_symbol.old: expected a dotted path like pkg.mod.Name, got 'foo bar'"),
    ("pkg..Thing", "pkg.new.Thing", "pm/01.yaml:7: recipes[0].move_symbol.old: expected a dotted path like pkg.mod.Name, got 'pkg..Thing'"),
    ("pkg.old.Thing", "pkg.class.Thing", "pm/01.yaml:8: recipes[0].move_symbol.new: expected a dotted path of identifiers like pkg.mod.Name, got 'pkg.class.Thing': 'class' is a Python keyword"),
    ("Thing", "pkg.new.Thing", "pm/01.yaml:7: recipes[0].move_symbol.old: expected at least module.Name like pkg.mod.Name, got 'Thing'; name the module that defines it"),
    ("pkg.old.Thing", "pkg.old.Thing", "pm/01.yaml:8: recipes[0].move_symbol.new: is the same as old ('pkg.old.Thing'); write the dotted path it moves to"),
    ("pkg.old.Thing", "'7up.Thing'", "pm/01.yaml:8: recipes[0].move_symbol.new: expected a dotted path like pkg.mod.Name, got '7up.Thing'"),
], ids=["space", "empty-part", "keyword", "one-part", "same", "digit"])
def test_bad_dotted_paths(pm: Path, old: str, new: str, expected: str) -> None:
    text = phase_text().replace("old: pkg.old.Thing", f"old: {old}").replace("new: pkg.new.Thing", f"new: {new}")
    assert file_problems(pm, text) == [expected]


def test_move_module_accepts_a_top_level_module(pm: Path) -> None:
    path = write(pm, "01.yaml", phase_text().replace("move_symbol", "move_module").replace("pkg.old.Thing", "oldpkg"))
    assert load_phase_file(path).recipes[0].options.old == "oldpkg"


def test_recipe_option_types(pm: Path) -> None:
    text = phase_text().replace("new: pkg.new.Thing", "new: pkg.new.Thing\n      keep_local_name: 'no'\n"
                                "  - rename_in_text: {old: a.B, new: a.C, bare_name: always}\n"
                                "  - delete_files: {paths: {a: b}}\n  - move_module: {old: [a], new: b}")
    assert file_problems(pm, text) == [
        "pm/01.yaml:9: recipes[0].move_symbol.keep_local_name: expected true or false, got 'no'",
        "pm/01.yaml:10: recipes[1].rename_in_text.bare_name: expected one of docs, never, got 'always'",
        "pm/01.yaml:11: recipes[2].delete_files.paths: expected a list of globs like [pkg/**/*.py], got a mapping",
        "pm/01.yaml:12: recipes[3].move_module.old: expected a string like pkg.mod, got a list",
    ]


def test_unknown_recipe_lists_known(pm: Path) -> None:
    text = phase_text().replace("move_symbol:", "move_symbl:")
    assert file_problems(pm, text) == [
        "pm/01.yaml:6: recipes[0].move_symbl: unknown recipe 'move_symbl'; did you mean 'move_symbol'? known recipes: "
        "delete_files, move_definition, move_module, move_symbol, rename_in_text; a recipe of your own is named package.module:function"]


@pytest.mark.parametrize("name", ["pkg:mod:fn", "pkg.mod:", ":fn", "pkg-x.mod:fn", "pkg.class:fn", "pkg mod:fn"])
def test_user_recipe_form(pm: Path, name: str) -> None:
    text = phase_text().replace("move_symbol:", f"'{name}':")
    assert file_problems(pm, text) == [
        f"pm/01.yaml:6: recipes[0]: user recipe '{name}' must be named package.module:function "
        "(dotted identifiers, one ':'), like mytools.recipes:rename_settings"]


def test_recipe_entry_shapes(pm: Path) -> None:
    text = phase_text().replace("  - move_symbol:\n", "  - move_symbol: {}\n    extra: 1\n  - 5\n  - move_symbol:\n")
    assert file_problems(pm, text) == [
        "pm/01.yaml:6: recipes[0]: expected one recipe as a single-key mapping like '- move_module: {old: ..., new: ...}', "
        "got a mapping with 2 keys; start each recipe with its own '-'",
        "pm/01.yaml:8: recipes[1]: expected one recipe as a single-key mapping like '- move_module: {old: ..., new: ...}', "
        "got the number 5; start each recipe with its own '-'",
    ]


def test_per_recipe_files_problems(pm: Path) -> None:
    text = phase_text().replace("new: pkg.new.Thing", "new: pkg.new.Thing\n      files: {}")
    assert file_problems(pm, text) == [
        "pm/01.yaml:9: recipes[0].move_symbol.files: is empty; give include and/or exclude globs, or remove files"]
    text = phase_text().replace("new: pkg.new.Thing", "new: pkg.new.Thing\n      files: {inclde: [a]}")
    assert file_problems(pm, text) == [
        "pm/01.yaml:9: recipes[0].move_symbol.files.inclde: unknown key 'inclde'; did you mean 'include'? allowed keys: include, exclude"]


def test_recipe_validate_hook(pm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = type(catalog.builtin()["move_symbol"])
    monkeypatch.setattr(module, "validate", lambda self, options: [("new", "must live in pkg.new; move it there")])
    assert file_problems(pm, phase_text()) == ["pm/01.yaml:8: recipes[0].move_symbol.new: must live in pkg.new; move it there"]

    def broken(self: object, options: object) -> list[tuple[str, str]]:
        raise RuntimeError("boom")

    monkeypatch.setattr(module, "validate", broken)
    assert file_problems(pm, phase_text()) == [
        "pm/01.yaml:6: recipes[0].move_symbol: the recipe's own checks failed (RuntimeError: boom); report this as a bug"]


def test_phase_cannot_require_itself(pm: Path) -> None:
    assert file_problems(pm, phase_text(3, "three", "requires: [three]\n")) == [
        "pm/01.yaml:9: requires: phase 3 cannot require itself; remove 'three'"]


def test_all_errors_at_once(pm: Path) -> None:
    text = phase_text().replace("phase: 1", "phase: one").replace("name: first", "name: First").replace("pkg/**", "../pkg")
    assert file_problems(pm, text) == [
        "pm/01.yaml:1: phase: expected an integer like 1, got 'one'",
        "pm/01.yaml:2: name: expected a slug of lowercase letters, digits and '-' (at most 64) like critical-business-path, got 'First'; write 'first'",
        "pm/01.yaml:4: files.include[0]: leaves the repo root with '..', got '../pkg/*.py'; write a path inside the repo",
    ]


# ----------------------------------------------------------------------------- cross-file problems


def test_duplicate_numbers_and_names(pm: Path) -> None:
    write(pm, "01.yaml", phase_text(1, "one"))
    write(pm, "02.yaml", phase_text(1, "two"))
    write(pm, "03.yaml", phase_text(3, "two"))
    assert problems_of(pm) == [
        "pm/01.yaml:1: phase: phase 1 is also used by pm/02.yaml; give every phase its own number",
        "pm/02.yaml:1: phase: phase 1 is also used by pm/01.yaml; give every phase its own number",
        "pm/02.yaml:2: name: name 'two' is also used by pm/03.yaml; give every phase its own name",
        "pm/03.yaml:2: name: name 'two' is also used by pm/02.yaml; give every phase its own name",
    ]


def test_unknown_requires(pm: Path) -> None:
    write(pm, "01.yaml", phase_text(1, "one"))
    write(pm, "02.yaml", phase_text(2, "two", "requires: [9, onw]\n"))
    assert problems_of(pm) == [
        "pm/02.yaml:9: requires[0]: no phase 9 in pm; known phases: 1 one, 2 two",
        "pm/02.yaml:9: requires[1]: no phase 'onw' in pm; did you mean 'one'? known phases: 1 one, 2 two",
    ]


def test_requires_cycle(pm: Path) -> None:
    write(pm, "01.yaml", phase_text(1, "one", "requires: [three]\n"))
    write(pm, "02.yaml", phase_text(2, "two", "requires: [one]\n"))
    write(pm, "03.yaml", phase_text(3, "three", "requires: [2]\n"))
    assert problems_of(pm) == [
        "pm/02.yaml:9: requires: requires cycle: 1 one -> 3 three -> 2 two -> 1 one; a phase may require only "
        "lower-numbered phases, remove one of these entries",
    ]


def test_requires_later_phase(pm: Path) -> None:
    write(pm, "01.yaml", phase_text(1, "one", "requires: [2]\n"))
    write(pm, "02.yaml", phase_text(2, "two", "requires: []\n"))
    assert problems_of(pm) == [
        "pm/01.yaml:9: requires: phase 1 requires phase 2 (two), which runs later; phases run in number order, "
        "so require only lower-numbered phases (or renumber)"]


def test_problems_of_all_files_at_once(pm: Path) -> None:
    write(pm, "01.yaml", "")
    write(pm, "02.yaml", "- x\n")
    write(pm, "03.yaml", phase_text(3, "three", "requires: [nope]\n"))
    assert problems_of(pm) == [
        "pm/01.yaml:1: (file): the file is empty; write a mapping with phase, name, files and recipes",
        "pm/02.yaml:1: (file): expected a mapping with phase, name, files and recipes at the top, got a list",
        "pm/03.yaml:9: requires[0]: no phase 'nope' in pm; known phases: 3 three",
    ]


def test_docs_name_every_key_and_limit() -> None:
    from phasemod.manifest import _ROOT_KEYS, _VALIDATE_KEYS

    docs = (Path(__file__).parents[2] / "docs" / "manifests.md").read_text(encoding="utf-8")
    for key in (*_ROOT_KEYS, *_VALIDATE_KEYS, "include", "exclude"):
        assert f"`{key}`" in docs, key
    assert "1 MiB" in docs and MAX_FILE_BYTES == 1 << 20
    assert f"{MAX_DEPTH} levels" in docs
