"""phasemod: phased, reviewable, reversible symbol migrations for Python code bases.

The engine package: manifests in, file outcomes and hunks out; it never prompts.
"""
__version__ = "0.1.0"
