"""End to end: the supervisor, the orchestrator and the pipeline all build engines."""
import os
import sys
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from netra_backend.app.agents.supervisor import pipeline_executor, workflow_orchestrator  # noqa: E402
from netra_backend.app.agents.supervisor.user_execution_engine import UserExecutionEngine  # noqa: E402


def main() -> None:
    ctx = SimpleNamespace(user_id="u1")
    assert isinstance(workflow_orchestrator.start(ctx), UserExecutionEngine)
    engine, _ = pipeline_executor.build(ctx)
    assert isinstance(engine, UserExecutionEngine)
    print("e2e ok")


if __name__ == "__main__":
    main()
