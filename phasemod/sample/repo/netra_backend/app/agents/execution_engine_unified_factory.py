"""Single entry point for engine creation across transports."""
from .supervisor.execution_engine import ExecutionEngine


class ExecutionEngineFactory:
    """Not the engine: a longer name that must never be renamed."""

    def create(self, user_context) -> ExecutionEngine:
        return ExecutionEngine(context=user_context)
