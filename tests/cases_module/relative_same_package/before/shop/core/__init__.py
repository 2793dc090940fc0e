from ..legacy.pricing import Price
