"""Legacy shop API."""
from ..core import pricing_v2 as pricing
from ..core.pricing_v2 import Price, total
from ..core.pricing_v2 import *  # noqa: F403

__all__ = ["pricing", "Price", "total"]
