"""Escape sequences CPython rejects inside string literals (they are decode errors there).

It only judges: invalid escapes CPython merely warns about are accepted.
"""
from __future__ import annotations

import codecs
import re

# Only these escapes can fail to decode; everything else is at most a SyntaxWarning.
_SUSPECT = re.compile(r"\\[xuUN]")
_ESCAPE = re.compile(r"\\([\s\S])")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_WIDTH = {"x": 2, "u": 4, "U": 8}


def escape_error(text: str, pos: int, is_bytes: bool = False) -> str | None:
    """The error for the escape whose backslash is at ``text[pos]``, or None if it decodes."""
    kind = text[pos + 1 : pos + 2]
    if kind in _WIDTH:
        if is_bytes and kind != "x":
            return None
        width = _WIDTH[kind]
        digits = text[pos + 2 : pos + 2 + width]
        if len(digits) < width or not _HEX_DIGITS.issuperset(digits):
            return f"(unicode error) truncated \\{kind} escape"
        if kind == "U" and int(digits, 16) > 0x10FFFF:
            return "(unicode error) illegal Unicode character"
        return None
    if kind == "N" and not is_bytes:
        close = text.find("}", pos + 3) if text.startswith("{", pos + 2) else -1
        if close < 0 or not _known_name(text[pos + 3 : close]):
            return "(unicode error) malformed or unknown \\N character escape"
    return None


def _known_name(name: str) -> bool:
    if not name:
        return False
    try:
        codecs.decode(("\\N{" + name + "}").encode("latin-1"), "unicode_escape")
    except (UnicodeError, ValueError):
        return False
    return True


def plain_literal_error(body: str, is_bytes: bool, raw: bool = False) -> tuple[str, int] | None:
    """(message, offset in ``body``) for the first escape of a non-raw literal's body
    that does not decode, or for a non-ASCII character in bytes."""
    if is_bytes and not body.isascii():
        return "bytes can only contain ASCII literal characters", 0
    if raw or _SUSPECT.search(body) is None:
        return None
    for m in _ESCAPE.finditer(body):
        if m.group(1) in "xuUN":
            message = escape_error(body, m.start(), is_bytes)
            if message is not None:
                return message, m.start()
    return None
