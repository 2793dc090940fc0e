from .helpers import TAX


class Price:
    pass


def total(x):
    return x
