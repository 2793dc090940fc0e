"""Supervisor integration with the agent engine."""
from netra_backend.app.agents.supervisor.execution_engine import (
    MAX_CONCURRENT_AGENTS,  # still provided by the bridge
    ExecutionEngine,  # moving to user_execution_engine
)

__all__ = ["SupervisorAdapter", "ExecutionEngine"]


class SupervisorAdapter(ExecutionEngine):
    """Adapter keeping the legacy call signature for supervisor callers."""

    limit = MAX_CONCURRENT_AGENTS

    def run(self, ExecutionEngine=None):
        # a parameter named like the class: never renamed
        return ExecutionEngine
