"""SSOT: the engine everybody gets is the UserExecutionEngine."""
import os
import sys
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from netra_backend.app.agents import unified_tool_execution  # noqa: E402
from netra_backend.app.agents.supervisor import data_access_integration  # noqa: E402
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine  # noqa: E402


def main() -> None:
    ctx = SimpleNamespace(user_id="u2")
    assert isinstance(data_access_integration.make_engine(ctx), UserExecutionEngine)
    assert unified_tool_execution.run_tool(ctx, "search")["result"]["status"] == "completed"
    print("ssot ok")


if __name__ == "__main__":
    main()
