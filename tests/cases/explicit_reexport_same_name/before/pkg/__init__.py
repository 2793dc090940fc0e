from .runtime import Context as Context
from .runtime import Undefined as Undefined
