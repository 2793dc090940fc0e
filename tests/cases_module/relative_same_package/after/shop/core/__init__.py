from .pricing_v2 import Price
