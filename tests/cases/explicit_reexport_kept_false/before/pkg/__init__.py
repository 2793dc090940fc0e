"""Public API: explicit re-exports (typed packages)."""
from .old_mod import Old as Old
from .old_mod import Other as Other
