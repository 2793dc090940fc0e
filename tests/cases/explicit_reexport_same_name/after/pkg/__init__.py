from .runtime import Context as Context
from ._moved import Undefined as Undefined
