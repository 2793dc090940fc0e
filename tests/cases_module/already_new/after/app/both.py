from shop.core import pricing_v2
from shop.core.pricing_v2 import Price
from shop.core.pricing_v2 import total
import shop.core.pricing_v2


def f():
    return pricing_v2.total(), pricing_v2.total(), shop.core.pricing_v2.Price, Price
