"""Single source of truth for per-user agent execution."""
from typing import Any


class UserExecutionEngine:
    """One engine per user request: no state is shared between users."""

    def __init__(self, context: Any = None, websocket_bridge: Any = None) -> None:
        self.context = context
        self.websocket_bridge = websocket_bridge

    @classmethod
    def create_for_user(cls, context: Any) -> "UserExecutionEngine":
        return cls(context=context)

    def execute_agent(self, name: str) -> dict:
        return {"agent": name, "user": getattr(self.context, "user_id", None), "status": "completed"}
