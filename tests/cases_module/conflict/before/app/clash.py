from shop.legacy import pricing

pricing_v2 = "already taken"


def f():
    return pricing.Price(), pricing_v2
