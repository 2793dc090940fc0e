import dataclasses
from typing import Optional

from shop.registry import register


# Orders placed by customers.
# Kept immutable: see ADR-7.
@register("order")
@dataclasses.dataclass(frozen=True)
class Order:
    """One order.

    Totals are in cents.
    """

    id: int
    note: Optional[str] = None

    @property
    def label(self) -> str:
        return f"order {self.id}"
    # more fields later
