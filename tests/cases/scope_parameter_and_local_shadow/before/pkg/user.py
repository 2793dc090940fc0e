from pkg.old_mod import Old


def with_param(Old):
    return Old


def with_local():
    Old = 3
    return Old


def uses_module_level():
    return Old()


lam = lambda Old: Old
squares = [Old for Old in range(3)]
