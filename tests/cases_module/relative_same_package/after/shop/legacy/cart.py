from ..core.pricing_v2 import Price
from ..core import pricing_v2
from . import other_thing
from ..core import pricing_v2 as p2


def make():
    return Price(), pricing_v2.Price(), p2.Price
