"""tinyweb: a toy web toolkit written for phasemod's tests (the shape of a typed package)."""
from .routing import Router as Router
from .runtime import JSONRequest as JSONRequest
from .runtime import Request as Request
from .runtime import Response as Response

__all__ = ["JSONRequest", "Request", "Response", "Router"]
