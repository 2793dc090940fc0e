"""Routing: handlers by path."""
from __future__ import annotations

from typing import Callable, Dict

from .runtime import Request, Response

Handler = Callable[[Request], Response]


class Router:
    def __init__(self) -> None:
        self.routes: Dict[str, Handler] = {}

    def add(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def dispatch(self, request: Request) -> Response:
        handler = self.routes.get(request.path)
        return handler(request) if handler else Response("not found", request)
