import shop.legacy.pricing.rules
import shop.legacy.pricing_rules
from shop.legacy.pricing.rules import Rule
from shop.legacy.pricing import rules as r


def build():
    return shop.legacy.pricing.rules.Rule(), Rule(), r.Rule(), shop.legacy.pricing_rules
