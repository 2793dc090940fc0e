"""The request object (cut out of tinyweb.runtime by hand)."""
from __future__ import annotations


class Request:
    """An incoming request: a method, a path and a body."""

    def __init__(self, method: str = "GET", path: str = "/", body: str = "") -> None:
        self.method, self.path, self.body = method, path, body

    def describe(self) -> str:
        return f"{self.method} {self.path}"
