"""Public API: explicit re-exports (typed packages)."""
from .new_mod import New as Old
from .old_mod import Other as Other
