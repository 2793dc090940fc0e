"""Base class of every agent."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine


class BaseAgent:
    engine: "ExecutionEngine | None" = None

    def attach(self, engine: ExecutionEngine) -> None:
        self.engine = engine
