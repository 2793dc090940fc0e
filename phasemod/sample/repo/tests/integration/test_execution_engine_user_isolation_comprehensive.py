"""Integration: engines keep users apart."""
from types import SimpleNamespace

from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine


class TestIsolation:
    def test_users_are_isolated(self) -> None:
        """ExecutionEngine instances never share a context."""
        a = ExecutionEngine(context=SimpleNamespace(user_id="a"))
        b = ExecutionEngine(context=SimpleNamespace(user_id="b"))
        assert a.context is not b.context

    def test_string_path(self) -> None:
        target = "netra_backend.app.agents.supervisor.execution_engine.ExecutionEngine._emit_event"
        assert target.endswith("_emit_event")
