"""Checkout."""
from __future__ import annotations

import json
import shop.core.pricing_v2
import shop.core.pricing_v2 as pr
from shop.core import pricing_v2
from shop.legacy import helpers
from shop.core import pricing_v2 as pricing_mod
from shop.core.pricing_v2 import Price, total as sum_up
from shop.core.pricing_v2 import (
    Price as P,  # the class
    total,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shop.core.pricing_v2 import Price as TPrice

try:
    from shop.core.pricing_v2 import total as fast_total
except ImportError:
    fast_total = None


def checkout(items) -> "pricing_v2.Price":
    from shop.core.pricing_v2 import Price as Inner
    a = shop.core.pricing_v2.Price()
    b = pr.total(items)
    c: pricing_v2.Price = pricing_v2.Price()
    d = pricing_mod.total(items)
    return Inner(), a, b, c, d, json.dumps(helpers.TAX), P, total, sum_up, Price
