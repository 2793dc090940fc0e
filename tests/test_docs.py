"""The documentation names every command, option, recipe option and manifest key."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import click
import pytest

from phasemod import catalog, examples
from phasemod.runner import cli

DOCS = Path(__file__).resolve().parents[1] / "docs"


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
    source = (Path(__file__).parent / "recipe_plugins" / "tiny_recipe.py").read_text()
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
