"""Analytics: uses the warehouse's ExecutionEngine, which must not change."""
from netra_backend.app.db.query_engine import ExecutionEngine

warehouse = ExecutionEngine(dsn="sqlite://")
