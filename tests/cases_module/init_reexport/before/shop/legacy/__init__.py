"""Legacy shop API."""
from . import pricing
from .pricing import Price, total
from .pricing import *  # noqa: F403

__all__ = ["pricing", "Price", "total"]
