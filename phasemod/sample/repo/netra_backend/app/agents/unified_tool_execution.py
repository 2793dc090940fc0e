"""Tool execution: renames the class everywhere (keep_local_name: false)."""
from netra_backend.app.agents.supervisor.execution_engine import ExecutionEngine
from netra_backend.app.db.query_engine import QueryEngine


def run_tool(user_context, tool: str) -> dict:
    """Run one tool through ExecutionEngine for agent processing."""
    engine: ExecutionEngine = ExecutionEngine(context=user_context)
    factory_name = "ExecutionEngineFactory"  # a longer name: untouched
    options = dict(ExecutionEngine="threaded")  # a keyword, not the class
    warehouse = QueryEngine("sqlite://")
    return {"result": engine.execute_agent(tool), "factory": factory_name, "options": options, "db": warehouse}
