"""SQL execution for the analytics warehouse (unrelated to agents)."""


class QueryEngine:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn


class ExecutionEngine:
    """A different class that happens to share the name."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
