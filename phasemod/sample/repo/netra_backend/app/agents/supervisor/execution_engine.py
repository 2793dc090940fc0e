"""DEPRECATED compatibility bridge: import UserExecutionEngine instead."""
import warnings
from typing import Any

from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine

from netra_backend.app.core.limits import MAX_CONCURRENT_AGENTS  # noqa: F401  re-exported


class EngineStats:
    def __init__(self) -> None:
        self.runs = 0


class ExecutionEngine(UserExecutionEngine):
    """Deprecated alias kept for callers that have not migrated yet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn("ExecutionEngine is deprecated", DeprecationWarning, stacklevel=2)
        super().__init__(*args, **kwargs)
