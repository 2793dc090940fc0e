"""Public API: explicit re-exports (typed packages)."""
from .new_mod import New as New
from .old_mod import Other as Other
