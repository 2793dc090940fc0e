"""Runtime objects. `Request` used to live here; its uses stayed."""
from __future__ import annotations

import json
from typing import Optional


class JSONRequest(Request):
    """A request whose body is JSON."""

    def data(self) -> dict:
        return json.loads(self.body or "{}")


class Response:
    def __init__(self, text: str, request: Optional[Request] = None) -> None:
        self.text, self.request = text, request


def make_request(kind: type = Request, **fields: str) -> Request:
    return kind(**fields)
