from .pricing import Price
from . import pricing
from . import pricing as p2, other_thing


def make():
    return Price(), pricing.Price(), p2.Price
