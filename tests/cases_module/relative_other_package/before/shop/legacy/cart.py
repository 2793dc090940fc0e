from .pricing import Price
from . import pricing as p


def make():
    return Price(), p.Price()
