"""The phasemod command line: argument parsing and presentation only.

Every command calls the engine (the ``phasemod`` package) and renders its records; no
SQL, no fissix and no YAML here.
"""
from __future__ import annotations

import click

from phasemod import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phasemod")
def cli() -> None:
    """Phased, reviewable, reversible symbol migrations for Python code bases."""


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
