from ...core.pricing_v2 import Price
from ...core.pricing_v2 import Price as P2
