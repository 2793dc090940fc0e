from pkg.new_mod import New


def with_param(Old):
    return Old


def with_local():
    Old = 3
    return Old


def uses_module_level():
    return New()


lam = lambda Old: Old
squares = [Old for Old in range(3)]
