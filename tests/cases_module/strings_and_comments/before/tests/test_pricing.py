"""Tests for shop.legacy.pricing (moved)."""
import importlib
from unittest import mock

# shop.legacy.pricing.Price is patched below
TARGET = "shop.legacy.pricing:Price"


@mock.patch("shop.legacy.pricing.Price.total")
def test_total(m):
    module = importlib.import_module("shop.legacy.pricing")
    with mock.patch("shop.legacy.pricing.total", return_value=1):
        return module
