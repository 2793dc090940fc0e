"""Golden Path: every user gets an engine of their own and events reach them."""
import os
import sys
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine  # noqa: E402
from netra_backend.app.dependencies import get_engine  # noqa: E402
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager  # noqa: E402


def test_each_user_gets_an_engine() -> None:
    manager = WebSocketManager()
    first = manager.engine_for(SimpleNamespace(user_id="a"))
    second = manager.engine_for(SimpleNamespace(user_id="b"))
    assert first is not second
    assert get_engine(SimpleNamespace(user_id="c")).context.user_id == "c"


def test_agent_events_reach_the_user() -> None:
    engine = ExecutionEngine(context=SimpleNamespace(user_id="d"))
    assert engine.execute_agent("triage") == {"agent": "triage", "user": "d", "status": "completed"}


if __name__ == "__main__":
    test_each_user_gets_an_engine()
    test_agent_events_reach_the_user()
    print("golden path ok")
