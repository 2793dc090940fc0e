from .core import area, digits

summary = (area(1.0), digits())
