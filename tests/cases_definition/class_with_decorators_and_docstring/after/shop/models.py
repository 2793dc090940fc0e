"""Shop models."""
from typing import Optional

from shop.orders import Order


def make(id: int, note: Optional[str] = None) -> Order:
    return Order(id, note)
