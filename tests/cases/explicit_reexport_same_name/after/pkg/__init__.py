from ._moved import Undefined as Undefined
from .runtime import Context as Context
