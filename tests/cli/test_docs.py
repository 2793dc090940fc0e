"""The documentation names every command, option, recipe option and manifest key."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import click
import pytest

from phasemod import catalog, examples
from phasemod.runner import cli

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    text = (DOCS / "cli.md").read_text()
    for name, command in cli.commands.items():
        assert f"## {name}" in text, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in text for opt in param.opts), f"{name} {param.opts}"
    for param in cli.params:
        if isinstance(param, click.Option):
            assert any(opt in text for opt in param.opts), param.opts


@pytest.mark.parametrize("name", list(catalog.builtin()))
def test_every_recipe_option_is_documented(name: str) -> None:
    text = (DOCS / "recipes" / f"{name}.md").read_text()
    index = (DOCS / "recipes" / "README.md").read_text()
    assert f"`{name}`" in index
    for field in dataclasses.fields(catalog.builtin()[name].Options):
        assert f"`{field.name}`" in text, f"{name}.{field.name}"


@pytest.mark.parametrize("name", list(catalog.builtin()))
def test_every_recipe_page_shows_its_examples(name: str) -> None:
    page = (DOCS / "recipes" / f"{name}.md").read_text()
    assert examples.markdown(catalog.builtin()[name]) in page, \
        f"docs/recipes/{name}.md: examples out of date; run python -m phasemod.examples --write"


def test_writing_a_recipe_shows_the_recipe_the_tests_run() -> None:
    page = (DOCS / "recipes" / "writing.md").read_text()
    source = (Path(__file__).parents[1] / "recipe_plugins" / "tiny_recipe.py").read_text()
    assert f"```python\n{source}```\n" in page
    assert len(source.splitlines()) <= 60
    namespace: dict = {}
    exec(compile(source, "writing.md", "exec"), namespace)  # the page's code, as a module
    recipe = namespace["RenameName"]()
    for example in recipe.examples:
        assert examples.run(recipe, example) == example.after


def test_readme_gives_the_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text()
    assert "python3 -m pip install -e . && phasemod demo" in readme
    assert "python3 -m pip install -e '.[test]' && python3 -m pytest -q" in readme
    assert "python3 -m pytest -q" in (DOCS.parent / ".ci" / "run").read_text()


def test_github_actions_example_is_a_valid_workflow_of_real_commands() -> None:
    """docs/examples/*.yml: valid against the GitHub workflow schema (vendored by
    check-jsonschema; actionlint is not installable from PyPI here), and every
    `phasemod` command in a `run:` step parses with the CLI's own options."""
    import json
    import re
    import shlex
    from importlib import resources

    import yaml

    # A test dependency (setup.cfg [test]); a venv made before it was added skips, CI has it.
    pytest.importorskip("check_jsonschema", reason="pip install -e '.[test]' again: check-jsonschema is missing")
    import jsonschema

    schema = json.loads(resources.files("check_jsonschema.builtin_schemas.vendor")
                        .joinpath("github-workflows.json").read_text(encoding="utf-8"))
    examples = sorted((DOCS / "examples").glob("*.yml"))
    assert examples
    for path in examples:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        workflow["on"] = workflow.pop(True)     # YAML 1.1 reads the key `on` as true; GitHub reads YAML 1.2
        jsonschema.validate(workflow, schema)
        commands = [line.strip() for job in workflow["jobs"].values() for step in job["steps"]
                    for line in step.get("run", "").splitlines() if line.strip().startswith("phasemod ")]
        assert commands, path
        for line in commands:
            words = [w for w in shlex.split(re.sub(r"\$\{\{[^}]*\}\}", "X", line)) if w != "phasemod"]
            group: click.Group = cli
            while isinstance(group, click.Group):
                name = words.pop(0)
                assert name in group.commands, f"{path.name}: {line}: no command {name}"
                command = group.commands[name]
                group = command   # type: ignore[assignment]
            known = {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts + p.secondary_opts}
            for word in words:
                if word.startswith("-") and word != "-":
                    assert word.split("=")[0] in known, f"{path.name}: {line}: {word} is no option of {name}"
