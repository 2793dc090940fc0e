"""Data access integration (keep_local_name: false, relative import with a fallback)."""
try:
    from .execution_engine import ExecutionEngine
except ImportError:  # pragma: no cover
    ExecutionEngine = None


def make_engine(user_context):
    if ExecutionEngine is None:
        raise RuntimeError("engine unavailable")
    return ExecutionEngine(context=user_context)
