"""Find where a PEP 701 f-string literal ends, nested quotes, fields and specs included.

It only measures: it never builds tokens for the inside of the literal.
"""
from __future__ import annotations

import itertools
import re

# Longest runs that need no decision, so the scanner touches few characters itself.
_LITERAL = {
    ("'", False): re.compile(r"[^{}\\'\r\n]*"),
    ('"', False): re.compile(r'[^{}\\"\r\n]*'),
    ("'", True): re.compile(r"[^{}\\']*"),
    ('"', True): re.compile(r'[^{}\\"]*'),
}
_EXPR = re.compile(r"[^'\"{}()\[\]#\\:!\r\n]*")
_SPEC = re.compile(r"[^{}\\'\"\r\n]*")
_COMMENT = re.compile(r"[^\r\n]*")
_PLAIN_END = {
    "'": re.compile(r"[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'"),
    '"': re.compile(r'[^"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^"\\\r\n]*)*"'),
    "'''": re.compile(r"[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''"),
    '"""': re.compile(r'[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'),
}
_PREFIXES = frozenset(
    "".join(chars)
    for base in ("", "r", "u", "f", "b", "rb", "br", "fr", "rf")
    for chars in itertools.product(*[(ch, ch.upper()) for ch in base])
)


class FStringError(Exception):
    """An f-string that CPython's tokenizer rejects; ``offset`` is where it went wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset


def plain_string_end(text: str, pos: int, quote: str) -> int:
    """Offset past the closing ``quote`` of a non-f string whose body starts at ``pos``."""
    m = _PLAIN_END[quote].match(text, pos)
    if m is None:
        raise FStringError("unterminated string literal", pos)
    return m.end()


def fstring_end(text: str, pos: int, quote: str, raw: bool, fields: list[tuple[int, int]] | None = None) -> int:
    """Offset past the closing ``quote`` of an f-string whose body starts at ``pos``;
    appends the (start, end) offsets of each replacement field's expression to ``fields``."""
    triple = len(quote) == 3
    q = quote[0]
    literal = _LITERAL[(q, triple)].match
    n = len(text)
    while True:
        p = literal(text, pos).end()
        if p >= n:
            raise FStringError("unterminated f-string literal", p)
        c = text[p]
        if c == q:
            if not triple:
                return p + 1
            if text.startswith(quote, p):
                return p + 3
            pos = p + 1
        elif c == "\\":
            nxt = text[p + 1 : p + 2]
            if nxt in ("{", "}"):
                pos = p + 1
            elif nxt == "N" and not raw and text[p + 2 : p + 3] == "{":
                close = text.find("}", p + 3)
                if close < 0:
                    raise FStringError("malformed \\N escape", p)
                pos = close + 1
            elif text.startswith("\r\n", p + 1):
                pos = p + 3
            else:
                pos = p + 2
        elif c == "{":
            if text[p + 1 : p + 2] == "{":
                pos = p + 2
            else:
                pos = _field_end(text, p + 1, quote, fields)
        elif c == "}":
            if text[p + 1 : p + 2] != "}":
                raise FStringError("f-string: single '}' is not allowed", p)
            pos = p + 2
        else:
            raise FStringError("unterminated f-string literal", p)


def _field_end(text: str, pos: int, quote: str, fields: list[tuple[int, int]] | None) -> int:
    """Offset past the ``}`` closing a replacement field whose expression starts at ``pos``."""
    depth = 0
    expr_end = -1
    comments: list[tuple[int, int]] = []
    n = len(text)
    start = pos
    while True:
        p = _EXPR.match(text, pos).end()
        if p >= n:
            raise FStringError("f-string: expecting '}'", p)
        c = text[p]
        if c in "'\"":
            pos = _nested_string_end(text, p, fields)
        elif c in "([{":
            depth += 1
            pos = p + 1
        elif c in ")]}":
            if depth == 0:
                if c == "}":
                    if p == start:
                        raise FStringError("f-string: valid expression required before '}'", p)
                    if fields is not None:
                        fields.append((start, _expression_end(text, start, p if expr_end < 0 else expr_end, comments)))
                    return p + 1
                raise FStringError(f"f-string: unmatched '{c}'", p)
            depth -= 1
            pos = p + 1
        elif c == "#":
            pos = _COMMENT.match(text, p).end()
            comments.append((p, pos))
        elif c == ":":
            pos = p + 1
            if depth == 0:
                if p == start:
                    raise FStringError("f-string: valid expression required before ':'", p)
                if fields is not None:
                    fields.append((start, _expression_end(text, start, p if expr_end < 0 else expr_end, comments)))
                return _spec_end(text, p + 1, quote, fields)
        elif c == "!":
            if text[p + 1 : p + 2] == "=":
                pos = p + 2
            else:
                if depth == 0:
                    after = p + 2
                    while text[after : after + 1] in (" ", "\t"):
                        after += 1
                    if text[p + 1 : p + 2] not in ("r", "s", "a") or text[after : after + 1] not in (":", "}"):
                        raise FStringError("f-string: invalid conversion character", p)
                    expr_end = p  # a conversion follows the expression
                    pos = after
                else:
                    pos = p + 1
        elif c == "\\":
            pos = p + 3 if text.startswith("\r\n", p + 1) else p + 2
        else:
            pos = p + 1


def _expression_end(text: str, start: int, end: int, comments: list[tuple[int, int]]) -> int:
    """Where the expression of a field ending at ``end`` stops: before a self-documenting
    ``=`` (``f"{x = }"``), which may be followed by whitespace and comments."""
    core = text[start:end]
    for c_start, c_end in comments:
        core = core[: c_start - start] + " " * (c_end - c_start) + core[c_end - start :]
    stripped = core.rstrip()
    if stripped.endswith("=") and not stripped.endswith(("==", "!=", "<=", ">=")):
        return start + len(stripped) - 1
    return end


def _spec_end(text: str, pos: int, quote: str, fields: list[tuple[int, int]] | None) -> int:
    """Offset past the ``}`` ending a format spec that starts at ``pos``."""
    n = len(text)
    while True:
        p = _SPEC.match(text, pos).end()
        if p >= n:
            raise FStringError("f-string: expecting '}'", p)
        c = text[p]
        if c == "{":
            pos = _field_end(text, p + 1, quote, fields)
        elif c == "}":
            return p + 1
        elif c == "\\":
            pos = p + 2
        elif c in "\r\n":
            if len(quote) == 1:
                raise FStringError("unterminated f-string literal", p)
            pos = p + 1
        elif text.startswith(quote, p):
            raise FStringError("f-string: expecting '}'", p)
        else:
            pos = p + 1


def _nested_string_end(text: str, p: int, fields: list[tuple[int, int]] | None) -> int:
    """Offset past a string literal inside a replacement field, its quote at ``p``."""
    k = p
    while k > 0 and text[k - 1].isalpha() and p - k < 3:
        k -= 1
    prefix = text[k:p]
    if prefix not in _PREFIXES:
        prefix = ""
    q = text[p]
    quote = q * 3 if text.startswith(q * 3, p) else q
    body = p + len(quote)
    lowered = prefix.lower()
    if "f" in lowered:
        # Fields of a nested f-string are checked when its enclosing field is parsed.
        return fstring_end(text, body, quote, "r" in lowered)
    return plain_string_end(text, body, quote)
