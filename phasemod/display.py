"""Text that came from the repository (paths, source lines, command output) made safe to
print on a terminal or in a CI log: one printed line stays one line, and nothing in it
can move the cursor, retitle or clear the screen, or reorder text (bidi controls).

Never changes printable text: only control, format, separator and surrogate characters
are shown as escapes (``\\x1b``, ``\\n``, ``\\u202e``).
"""
from __future__ import annotations

import unicodedata

_SHOWN = {"\n": "\\n", "\r": "\\r", "\t": "\t"}
_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def escape(text: object) -> str:
    """``text`` with every unsafe character written as an escape (tabs kept)."""
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c in _SHOWN:
            out.append(_SHOWN[c])
        elif unicodedata.category(c) not in _UNSAFE:
            out.append(c)
        elif 0xDC80 <= ord(c) <= 0xDCFF:    # a file-name byte that is not UTF-8 (surrogateescape)
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        elif ord(c) < 0x100:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}")
    return "".join(out)


def count(number: int, noun: str, plural: str = "") -> str:
    """``1 hunk``, ``2 hunks``, ``0 files``: a number with its noun in the right form."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
