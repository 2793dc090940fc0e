from shop.core import pricing_v2
from shop.legacy import pricing
from shop.core.pricing_v2 import Price
from shop.legacy.pricing import Price, total
import shop.core.pricing_v2
import shop.legacy.pricing


def f():
    return pricing.total(), pricing_v2.total(), shop.legacy.pricing.Price, Price
