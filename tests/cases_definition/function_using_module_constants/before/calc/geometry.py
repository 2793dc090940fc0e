"""Geometry helpers."""
import math


def perimeter(r: float) -> float:
    return 2 * math.pi * r
