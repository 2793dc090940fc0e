"""Workflow orchestration through a module alias."""
import netra_backend.app.agents.supervisor.execution_engine as legacy_engine


def start(user_context):
    return legacy_engine.ExecutionEngine(context=user_context)
