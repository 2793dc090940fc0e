"""Find where a PEP 701 f-string literal ends, nested quotes, fields and specs included.

It only measures: it never builds tokens for the inside of the literal.
"""
from __future__ import annotations

import itertools
import re

from .literals import escape_error

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
# Whitespace and comments allowed between a conversion character and ':' or '}'.
_AFTER_CONVERSION = re.compile(r"(?:[ \t\f\r\n]|#[^\r\n]*)*")
_BLANK = re.compile(r"(?:[ \t\f\r\n]|\\(?:\r\n|\r|\n)|#[^\r\n]*)*")
MAX_SPEC_NESTING = 2  # CPython: "f-string: expressions nested too deeply"
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
            elif nxt in ("x", "u", "U", "N") and not raw:
                message = escape_error(text, p)
                if message is not None:
                    raise FStringError(message, p)
                pos = text.find("}", p + 3) + 1 if nxt == "N" else p + 2
            elif text.startswith("\r\n", p + 1):
                pos = p + 3
            else:
                pos = p + 2
        elif c == "{":
            if text[p + 1 : p + 2] == "{":
                pos = p + 2
            else:
                pos = _field_end(text, p + 1, quote, raw, fields, 0)
        elif c == "}":
            if text[p + 1 : p + 2] != "}":
                raise FStringError("f-string: single '}' is not allowed", p)
            pos = p + 2
        else:
            raise FStringError("unterminated f-string literal", p)


def _require_expression(text: str, start: int, p: int) -> None:
    """A field needs an expression before its ``!``, ``:``, ``=`` or ``}`` at ``p``."""
    if _BLANK.match(text, start, p).end() == p:
        raise FStringError(f"f-string: valid expression required before {text[p]!r}", p)


def _field_end(
    text: str, pos: int, quote: str, raw: bool, fields: list[tuple[int, int]] | None, nesting: int
) -> int:
    """Offset past the ``}`` closing a replacement field whose expression starts at ``pos``;
    ``nesting`` counts the format specs this field sits in."""
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
                    if expr_end < 0:
                        _require_expression(text, start, p)
                    _field_expression(text, start, p if expr_end < 0 else expr_end, comments, fields)
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
                if expr_end < 0:
                    _require_expression(text, start, p)
                _field_expression(text, start, p if expr_end < 0 else expr_end, comments, fields)
                if nesting >= MAX_SPEC_NESTING:
                    raise FStringError("f-string: expressions nested too deeply", p)
                return _spec_end(text, p + 1, quote, raw, fields, nesting + 1)
        elif c == "!":
            if text[p + 1 : p + 2] == "=":
                pos = p + 2
            else:
                if depth == 0:
                    _require_expression(text, start, p)
                    after = _AFTER_CONVERSION.match(text, p + 2).end()
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


def _field_expression(
    text: str, start: int, end: int, comments: list[tuple[int, int]], fields: list[tuple[int, int]] | None
) -> None:
    """Record the field's expression; ``f"{=}"`` has none."""
    expr_end = _expression_end(text, start, end, comments)
    if expr_end != end:
        _require_expression(text, start, expr_end)
    if fields is not None:
        fields.append((start, expr_end))


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


def _spec_end(
    text: str, pos: int, quote: str, raw: bool, fields: list[tuple[int, int]] | None, nesting: int
) -> int:
    """Offset past the ``}`` ending a format spec that starts at ``pos``."""
    n = len(text)
    while True:
        p = _SPEC.match(text, pos).end()
        if p >= n:
            raise FStringError("f-string: expecting '}'", p)
        c = text[p]
        if c == "{":
            pos = _field_end(text, p + 1, quote, raw, fields, nesting)
        elif c == "}":
            return p + 1
        elif c == "\\":
            # A backslash in a spec is an ordinary character, except that CPython 3.13
            # decodes escapes there (in raw f-strings too), so \N{...} is one piece.
            nxt = text[p + 1 : p + 2]
            if nxt in ("x", "u", "U", "N"):
                message = "(unicode error) malformed \\N character escape" if raw and nxt == "N" else escape_error(text, p)
                if message is not None:
                    raise FStringError(message, p)
            pos = text.find("}", p + 3) + 1 if nxt == "N" else p + 1
        elif c in "\r\n":
            after = p
            while text[after : after + 1] in ("\r", "\n"):
                after += 1
            # CPython 3.13 lets a single-quoted f-string's spec end with line breaks
            # right before its '}', unless a nested field comes just before.
            if len(quote) == 1 and text[p - 1 : p] == "}":
                raise FStringError("unterminated f-string literal", p)
            if len(quote) == 1 and text[after : after + 1] != "}":
                raise FStringError("f-string: expecting '}'", after)
            pos = after
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
