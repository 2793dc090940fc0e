"""Run a recipe's examples, and write them into its doc page.

``run(recipe, example)`` applies the recipe to the example's text the way the engine
applies it to a file (Python: parse, compiled query, file context; text: the transform;
files: the plan over a listing). The tests run every example of every recipe through it,
and ``python -m phasemod.examples [--write]`` checks (or refreshes) the "Examples"
section of each ``docs/recipes/<id>.md``.
"""
from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from phasemod import catalog, context, engine, syntax
from phasemod.manifest import OptionsMapping
from phasemod.recipe import Example, Reads, Recipe, yaml_flow

BEGIN = "<!-- examples: generated from the recipe's `examples` by `python -m phasemod.examples --write` -->"
END = "<!-- end of examples -->"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "recipes"


def freeze(value: Any) -> Any:
    """Example options as a manifest delivers them: tuples and read-only mappings."""
    if isinstance(value, Mapping):
        return OptionsMapping({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def options_of(recipe: Recipe, example: Example) -> Any:
    return recipe.make_options({k: freeze(v) for k, v in example.options.items()})


def run(recipe: Recipe, example: Example, text: str | None = None) -> str:
    """The example's ``before`` (or ``text``) after the recipe."""
    options = options_of(recipe, example)
    text = example.before if text is None else text
    if recipe.reads is Reads.TEXT:
        return recipe.rewrite(options, text, example.path)
    if recipe.reads is Reads.FILES and text.startswith(TREE):
        return _run_on_tree(recipe, options, text)
    if recipe.reads is Reads.FILES:
        files = text.splitlines()
        doomed = set(recipe.plan(options, files).delete)
        return "".join(f"{f}\n" for f in files if f not in doomed)
    path = PurePosixPath(example.path)
    is_package = path.stem == "__init__"
    parts = path.with_suffix("").parts[:-1] if is_package else path.with_suffix("").parts
    tree = syntax.parse(text)
    ctx = context.FileContext(example.path, ".".join(parts), is_package, recipe.id)
    with context.entering(ctx):
        engine.apply_fixers(engine.compile_query(recipe.query(options, [])), tree, example.path)
    return str(tree)


TREE = "==> "   # a FILES example that writes: each file's text under a `==> path <==` line


def parse_tree(text: str) -> dict[str, str]:
    files: dict[str, str] = {}
    path = None
    for line in text.splitlines(keepends=True):
        if line.startswith(TREE) and line.rstrip("\n").endswith(" <=="):
            path = line[len(TREE):].rstrip("\n")[: -len(" <==")]
            files[path] = ""
        elif path is not None:
            files[path] += line
    return files


def render_tree(files: Mapping[str, str]) -> str:
    return "".join(f"{TREE}{path} <==\n{files[path]}" for path in sorted(files))


def _run_on_tree(recipe: Recipe, options: Any, text: str) -> str:
    """Write the example's files into a temporary repository, plan there, apply the plan."""
    import tempfile

    from phasemod.recipe import Workspace

    files = parse_tree(text)
    with tempfile.TemporaryDirectory() as root:
        for path, content in files.items():
            target = Path(root, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        plan = recipe.plan(options, sorted(files), Workspace(Path(root)))
    if plan.refusal:
        raise AssertionError(f"{recipe.id}: example refused: {plan.refusal}")
    result = {**files, **plan.write}
    return render_tree({path: content for path, content in result.items() if path not in plan.delete})


def _fence(path: str, reads: Reads) -> str:
    if reads is Reads.PYTHON:
        return "python"
    if reads is Reads.FILES:
        return "text"
    return {".md": "markdown", ".rst": "rst", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml",
            ".ini": "ini", ".cfg": "ini"}.get(PurePosixPath(path).suffix.lower(), "text")


def markdown(recipe: Recipe) -> str:
    """The generated "Examples" section of the recipe's doc page."""
    out = [BEGIN, ""]
    for example in recipe.examples:
        fence = _fence(example.path, recipe.reads)
        where = "the repository's files" if recipe.reads is Reads.FILES else f"`{example.path}`"
        out += [f"**{example.title or 'Example'}** — options `{yaml_flow(dict(example.options))}`, in {where}:", "",
                f"~~~{fence}", example.before.rstrip("\n"), "~~~", "", "becomes", "",
                f"~~~{fence}", example.after.rstrip("\n"), "~~~", ""]
    out.append(END)
    return "\n".join(out) + "\n"


def refresh(page: str, recipe: Recipe) -> str:
    """``page`` with its generated section replaced (or appended under "## Examples")."""
    section = markdown(recipe)
    if BEGIN in page and END in page:
        head, rest = page.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        return head + section + ("\n" + tail if tail else "")
    return page.rstrip("\n") + "\n\n## Examples\n\n" + section


def main(argv: list[str]) -> int:
    write = "--write" in argv
    stale = []
    for recipe in catalog.builtin().values():
        page = DOCS / f"{recipe.id}.md"
        text = page.read_text(encoding="utf-8")
        fresh = refresh(text, recipe)
        if fresh != text:
            stale.append(str(page))
            if write:
                page.write_text(fresh, encoding="utf-8")
    for path in stale:
        print(f"{path}: {'rewritten' if write else 'examples out of date; run python -m phasemod.examples --write'}")
    return 0 if write or not stale else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
