class Price:
    pass


def total(x):
    return x
