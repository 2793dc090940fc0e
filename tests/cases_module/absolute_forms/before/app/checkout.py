"""Checkout."""
from __future__ import annotations

import json
import shop.legacy.pricing
import shop.legacy.pricing as pr
from shop.legacy import pricing
from shop.legacy import pricing as pricing_mod, helpers
from shop.legacy.pricing import Price, total as sum_up
from shop.legacy.pricing import (
    Price as P,  # the class
    total,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shop.legacy.pricing import Price as TPrice

try:
    from shop.legacy.pricing import total as fast_total
except ImportError:
    fast_total = None


def checkout(items) -> "pricing.Price":
    from shop.legacy.pricing import Price as Inner
    a = shop.legacy.pricing.Price()
    b = pr.total(items)
    c: pricing.Price = pricing.Price()
    d = pricing_mod.total(items)
    return Inner(), a, b, c, d, json.dumps(helpers.TAX), P, total, sum_up, Price
