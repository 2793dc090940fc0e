import math


def _square(x):
    return x * x


class Circle:
    def __init__(self, r):
        self.r = r

    def area(self):
        return math.pi * _square(self.r)
