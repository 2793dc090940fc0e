"""Tests for shop.core.pricing_v2 (moved)."""
import importlib
from unittest import mock

# shop.core.pricing_v2.Price is patched below
TARGET = "shop.core.pricing_v2:Price"


@mock.patch("shop.core.pricing_v2.Price.total")
def test_total(m):
    module = importlib.import_module("shop.core.pricing_v2")
    with mock.patch("shop.core.pricing_v2.total", return_value=1):
        return module
