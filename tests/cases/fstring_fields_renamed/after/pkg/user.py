import pkg.new_mod as legacy
from pkg.new_mod import New


def describe(obj, width):
    label = f"{New()!r} is an {New.__name__:>{width}} ({obj.Old}, OldFactory)"
    nested = f"{f'{New}'}"
    spec = f"{obj:{New.fmt}}"
    local = [f"{Old}" for Old in range(3)]
    via_module = f"{legacy.New.__name__}"
    debug = f"{New=}"
    triple = f"""{
        New
    }"""
    return label, nested, spec, local, via_module, debug, triple
