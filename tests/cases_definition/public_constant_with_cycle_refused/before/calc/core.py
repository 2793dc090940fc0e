PRECISION = 4


def rounded(x: float) -> float:
    return round(x, PRECISION)


def half(x: float) -> float:
    return rounded(x / 2)
