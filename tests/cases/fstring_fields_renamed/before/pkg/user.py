import pkg.old_mod as legacy
from pkg.old_mod import Old


def describe(obj, width):
    label = f"{Old()!r} is an {Old.__name__:>{width}} ({obj.Old}, OldFactory)"
    nested = f"{f'{Old}'}"
    spec = f"{obj:{Old.fmt}}"
    local = [f"{Old}" for Old in range(3)]
    via_module = f"{legacy.Old.__name__}"
    debug = f"{Old=}"
    triple = f"""{
        Old
    }"""
    return label, nested, spec, local, via_module, debug, triple
