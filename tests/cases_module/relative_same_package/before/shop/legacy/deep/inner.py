from ..pricing import Price
from ...legacy.pricing import Price as P2
