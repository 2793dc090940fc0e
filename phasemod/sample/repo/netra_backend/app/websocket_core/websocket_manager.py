"""WebSocket manager: sends agent events to the right user."""
from typing import TYPE_CHECKING

from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine

if TYPE_CHECKING:
    from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine as LegacyEngine

class WebSocketManager:
    def __init__(self) -> None:
        self.engines: dict[str, ExecutionEngine] = {}
        self.execution_engine = None  # attribute, not the class

    def engine_for(self, user_context, previous: "LegacyEngine | None" = None) -> ExecutionEngine:
        engine = self.engines.get(user_context.user_id)
        if engine is None:
            engine = ExecutionEngine(context=user_context, websocket_bridge=self)
            self.engines[user_context.user_id] = engine
        return engine

    def notify(self, event: str, data: dict) -> None:
        from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine
        if isinstance(data.get("engine"), ExecutionEngine):
            data["engine_type"] = "user"
