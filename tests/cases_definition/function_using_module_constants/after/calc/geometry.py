"""Geometry helpers."""
import math
from calc.core import PRECISION, SCALE


def perimeter(r: float) -> float:
    return 2 * math.pi * r


def area(r: float) -> float:
    """Area of a circle, scaled and rounded."""
    return round(math.pi * r * r * SCALE, PRECISION)
