import shop.core.pricing_v2.rules
import shop.legacy.pricing_rules
from shop.core.pricing_v2.rules import Rule
from shop.core.pricing_v2 import rules as r


def build():
    return shop.core.pricing_v2.rules.Rule(), Rule(), r.Rule(), shop.legacy.pricing_rules
