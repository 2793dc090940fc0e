"""Import a class from a dotted path (`pkg.mod.Name` or `pkg.mod:Name`)."""
import importlib


def import_string(path: str):
    module, _, name = path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module), name)
