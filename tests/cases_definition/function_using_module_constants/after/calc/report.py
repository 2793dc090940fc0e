from .core import digits
from .geometry import area

summary = (area(1.0), digits())
