"""Pipeline executor: imports the module, not the class."""
from netra_backend.app.agents.supervisor import execution_engine


def build(user_context):
    return execution_engine.ExecutionEngine(context=user_context), None
