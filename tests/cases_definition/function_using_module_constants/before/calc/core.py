import math

PRECISION = 4
SCALE: float = 2.5


def area(r: float) -> float:
    """Area of a circle, scaled and rounded."""
    return round(math.pi * r * r * SCALE, PRECISION)


def digits() -> int:
    return PRECISION
