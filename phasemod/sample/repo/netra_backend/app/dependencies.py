"""FastAPI-style dependencies: one engine per request."""
from typing import Optional

from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine
from netra_backend.app.services.module_loading import import_string

ENGINE_PATH = "netra_backend.app.agents.supervisor.execution_engine.ExecutionEngine"


def get_engine(user_context) -> ExecutionEngine:
    # ExecutionEngine owns the per-request agent lifecycle here.
    engine = ExecutionEngine(context=user_context)
    return engine


def engine_class() -> type:
    return import_string("netra_backend.app.agents.supervisor.execution_engine:ExecutionEngine")


def maybe_engine(user_context, reuse: Optional[ExecutionEngine] = None) -> ExecutionEngine:
    if reuse is not None and isinstance(reuse, ExecutionEngine):
        return reuse
    return ExecutionEngine.create_for_user(user_context)
