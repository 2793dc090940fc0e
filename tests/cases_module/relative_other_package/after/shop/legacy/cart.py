from billing.pricing import Price
from billing import pricing as p


def make():
    return Price(), p.Price()
