import shop.legacy.pricing_extra
from shop.legacy import pricing_extra, pricing_rules as pricing
from shop.legacy.pricing_extra import Price
from other.vendor import pricing as vendor_pricing
from other.legacy.pricing import Price as OtherPrice

# shop.legacy.pricing_extra is a different module; so is other.shop.legacy.pricing
PATH = "shop.legacy.pricing_extra.Price"
OTHER = "vendor.shop.legacy.pricing.Price"


def use(obj, pricing_thing):
    pricing = obj.pricing
    return obj.shop.legacy.pricing.Price, pricing.Price, pricing_thing, Price, OtherPrice, vendor_pricing


def local_only():
    pricing = make_pricing()
    return pricing.Price
