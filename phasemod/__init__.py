"""phasemod: phased, reviewable, reversible symbol migrations for Python code bases.

The engine package: manifests in, file outcomes and hunks out; it never prompts.
"""
__version__ = "0.1.0"

# The extended grammar must be installed into fissix before Bowler or any fixer
# compiles a pattern, so it is loaded with the package itself.
from phasemod import syntax as _syntax  # noqa: E402,F401
