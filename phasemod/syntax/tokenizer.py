"""Split Python 3.13 source into the tokens the parser consumes, each with its prefix.

It never decides grammar beyond soft keywords and never loses a character of the text.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from fissix.pgen2 import grammar as pgen_grammar
from fissix.pgen2 import token

from .fstrings import FStringError, fstring_end, plain_string_end
from .literals import plain_literal_error

# A NAME that the tokenizer found in soft-keyword position (``match``, ``case``, ``type``).
SOFT_KEYWORD = -1
# Where tokenizing stopped at an error CPython reports only if parsing gets that far.
ERRORTOKEN = token.ERRORTOKEN
MAX_INDENT = 100  # CPython's limits on indentation levels and open brackets
MAX_BRACKETS = 200

# (type, value, prefix, line, column); prefix is the exact text since the previous token.
Token = tuple[int, str, str, int, int]

HARD_KEYWORDS = frozenset(
    "False None True and as assert async await break class continue def del elif else "
    "except finally for from global if import in is lambda nonlocal not or pass raise "
    "return try while with yield".split()
)


class TokenizeError(Exception):
    """Text that CPython's tokenizer rejects; ``line`` is 1-based, ``column`` 0-based.

    ``unclosed`` marks "'(' was never closed", which CPython reports instead of a syntax
    error found on a later line than the bracket."""

    def __init__(self, message: str, line: int, column: int, unclosed: bool = False) -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.unclosed = message, line, column, unclosed
        self.overrides = False


_NUMBER = (
    r"0[xX](?:_?[0-9a-fA-F])+"
    r"|0[bB](?:_?[01])+"
    r"|0[oO](?:_?[0-7])+"
    r"|(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][-+]?[0-9](?:_?[0-9])*)?[jJ]?"
)
_OPERATOR = r"\*\*=?|//=?|>>=?|<<=?|->|:=|!=|[-+*/%&@|^=<>]=?|[~:;.,()\[\]{}]"
_MAIN = re.compile(
    r"[ \t\f]*(?:\\(?:\r\n|\r|\n)[ \t\f]*)*(?:#[^\r\n]*)?"
    r"(?:(\r\n|\n|\r)"
    r"|(" + _NUMBER + r")"
    r"|((?:[rR][bBfF]?|[bBfF][rR]?|[uU])?(?:'''|\"\"\"|'|\"))"
    r"|([\w\x80-\U0010ffff]+)"
    r"|(" + _OPERATOR + r")"
    r"|(\Z))"
)
_BLANK_LINES = re.compile(r"(?:[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\n|\r))*")
_INDENT = re.compile(r"[ \t\f]*")
_BAD_DECIMAL = re.compile(r"0[_0]*[1-9]")

_OPMAP = pgen_grammar.opmap
_NAME, _NUMBER_T, _STRING = token.NAME, token.NUMBER, token.STRING
_NEWLINE, _INDENT_T, _DEDENT, _END = token.NEWLINE, token.INDENT, token.DEDENT, token.ENDMARKER
_ASYNC, _AWAIT = token.ASYNC, token.AWAIT
_OPENERS = frozenset("([{")
_CLOSERS = {")": "(", "]": "[", "}": "{"}
# Letters that may follow a number directly: CPython only warns before these keywords.
_NUMBER_END_OK = ("and", "else", "for", "if", "in", "is", "not", "or")
_NUMBER_KIND = {"x": "hexadecimal", "o": "octal", "b": "binary"}


def _newlines(segment: str) -> tuple[int, int]:
    """Number of line breaks in ``segment`` and the offset just past the last one (or -1)."""
    count = segment.count("\n")
    last_n = segment.rfind("\n")
    if "\r" in segment:
        count += segment.count("\r") - segment.count("\r\n")
        last_n = max(last_n, segment.rfind("\r"))
    return count, last_n + 1 if last_n >= 0 else -1


def _columns(indent: str) -> tuple[int, int]:
    """Indentation width with tabs to multiples of 8 and with tabs as 1, as CPython compares."""
    col = alt = 0
    for ch in indent:
        if ch == " ":
            col += 1
            alt += 1
        elif ch == "\t":
            col = (col // 8 + 1) * 8
            alt += 1
        else:
            col = alt = 0
    return col, alt


def tokenize(
    text: str,
    names: set[str],
    check_field: Callable[[str, int, int], None] | None = None,
    deferred: list[TokenizeError] | None = None,
    first_line: int = 1,
) -> list[Token]:
    """Tokens of ``text`` ending with ENDMARKER; adds every NAME value to ``names``;
    ``check_field`` sees each f-string replacement field's expression text, with the line
    and column of the string token; ``first_line``: the line number of ``text``'s first
    line (a block of statements cut from a longer file).

    An error ends the list with an ``ERRORTOKEN`` and goes to ``deferred`` (or is raised
    when that is None): the parser decides whether CPython would report it or a syntax
    error before it. ``overrides`` marks the errors CPython reports even then."""
    if "\0" in text:
        line, col = _position(text, text.index("\0"))
        raise TokenizeError("source code cannot contain null bytes", line, col)
    toks: list[Token] = []
    append = toks.append
    add_name = names.add
    main = _MAIN.match
    n = len(text)
    pos = prev_end = line_start = 0
    lineno = first_line
    depth = 0
    brackets: list[tuple[str, int, int]] = []  # open brackets: (char, line, column)
    stop: TokenizeError | None = None
    # (width, width with tabs as 1, whether this block is the body of a match statement)
    indents = [(0, 0, False)]
    opens_match_body = False
    line_first = 0  # index in toks of the current logical line's first token
    at_bol = True
    try:
        while True:
            if at_bol:
                at_bol = False
                end = _BLANK_LINES.match(text, pos).end()
                if end > pos:
                    count, last = _newlines(text[pos:end])
                    lineno += count
                    line_start = pos + last
                    pos = end
                end = _INDENT.match(text, pos).end()
                if end == n:
                    break
                if text[end] == "#":
                    break  # a last comment line without a line break belongs to ENDMARKER
                col, alt = _columns(text[pos:end])
                top_col, top_alt, _ = indents[-1]
                if col > top_col:
                    if alt <= top_alt:
                        stop = TokenizeError("inconsistent use of tabs and spaces in indentation", lineno, end - line_start)
                        break
                    if len(indents) >= MAX_INDENT:
                        stop = TokenizeError("too many levels of indentation", lineno, 0)
                        break
                    indents.append((col, alt, opens_match_body))
                    append((_INDENT_T, text[pos:end], text[prev_end:pos], lineno, 0))
                    prev_end = end
                elif col < top_col:
                    first = True
                    while col < indents[-1][0]:
                        indents.pop()
                        append((_DEDENT, "", text[prev_end:end] if first else "", lineno, end - line_start))
                        first = False
                    if col != indents[-1][0]:
                        eol = len(text[end:].split("\n", 1)[0].split("\r", 1)[0])  # CPython points past the line
                        stop = TokenizeError("unindent does not match any outer indentation level", lineno, end + eol - line_start)
                        break
                    if alt != indents[-1][1]:
                        stop = TokenizeError("inconsistent use of tabs and spaces in indentation", lineno, end - line_start)
                        break
                    prev_end = end
                elif alt != top_alt:
                    stop = TokenizeError("inconsistent use of tabs and spaces in indentation", lineno, end - line_start)
                    break
                pos = end
                line_first = len(toks)
                opens_match_body = False
            m = main(text, pos)
            if m is None:
                bad = pos
                while bad < n and text[bad] in " \t\f":
                    bad += 1
                if text.startswith("\\", bad):
                    stop = TokenizeError("unexpected character after line continuation character", lineno, bad - line_start)
                    break
                if text[bad] in "$?`!":
                    # CPython makes these an operator token that no rule accepts.
                    stop = TokenizeError("invalid syntax", lineno, bad - line_start)
                    break
                raise TokenizeError(f"invalid character {text[bad:bad + 1]!r}", lineno, bad - line_start)
            kind = m.lastindex
            start = m.start(kind)
            end = m.end()
            prefix = text[prev_end:start]
            if start > pos:
                # Only continuation lines here: earlier breaks were counted where they were read.
                gap = text[pos:start]
                if "\n" in gap or "\r" in gap:
                    count, last = _newlines(gap)
                    lineno += count
                    line_start = pos + last
            column = start - line_start
            if kind == 4:  # name
                value = m.group(4)
                if not value.isascii() and not value.isidentifier():
                    raise TokenizeError(f"invalid character in identifier {value!r}", lineno, column)
                if value == "async":
                    append((_ASYNC, value, prefix, lineno, column))
                elif value == "await":
                    append((_AWAIT, value, prefix, lineno, column))
                else:
                    idx = len(toks)
                    if idx == line_first:
                        # Directly inside a match statement only case blocks can start a line.
                        if value == "case" and indents[-1][2]:
                            append((SOFT_KEYWORD, value, prefix, lineno, column))
                            prev_end = pos = end
                            continue
                    elif toks[-1][1] == "type" and value not in HARD_KEYWORDS:
                        # ``type`` followed by a plain name where a statement starts can only be
                        # a type alias statement.
                        prev = toks[-1]
                        if prev[0] == _NAME and depth == 0 and (idx - 1 == line_first or toks[-2][1] in (";", ":")):
                            toks[-1] = (SOFT_KEYWORD,) + prev[1:]
                    add_name(value)
                    append((_NAME, value, prefix, lineno, column))
            elif kind == 5:  # operator
                value = m.group(5)
                if value in _OPENERS:
                    depth += 1
                    brackets.append((value, lineno, column))
                    if depth > MAX_BRACKETS:
                        raise TokenizeError("too many nested parentheses", lineno, column)
                elif value in _CLOSERS:
                    if not depth:
                        raise TokenizeError(f"unmatched {value!r}", lineno, column)
                    opener, open_line, _open_col = brackets.pop()
                    if opener != _CLOSERS[value]:
                        where = "" if open_line == lineno else f" on line {open_line}"
                        raise TokenizeError(
                            f"closing parenthesis {value!r} does not match opening parenthesis {opener!r}{where}", lineno, column
                        )
                    depth -= 1
                append((_OPMAP[value], value, prefix, lineno, column))
            elif kind == 1:  # line break
                if depth:
                    # Inside brackets a line break is part of the next token's prefix.
                    lineno += 1
                    line_start = pos = end
                    continue
                value = m.group(1)
                if len(toks) > line_first and toks[-1][1] == ":":
                    # No simple statement ends with a colon, so this line is a match header.
                    first_tok = toks[line_first]
                    if first_tok[1] == "match" and first_tok[0] == _NAME:
                        toks[line_first] = (SOFT_KEYWORD,) + first_tok[1:]
                        opens_match_body = True
                append((_NEWLINE, value, prefix, lineno, column))
                lineno += 1
                line_start = end
                at_bol = True
            elif kind == 3:  # string
                opener = m.group(3)
                quote = opener.lstrip("rRbBfFuU")
                letters = opener[: len(opener) - len(quote)].lower()
                try:
                    if "f" in letters:
                        fields: list[tuple[int, int]] = []
                        end = fstring_end(text, end, quote, "r" in letters, fields)
                        if check_field is not None:
                            for field_start, field_end in fields:
                                try:
                                    check_field(text[field_start:field_end], lineno, column)
                                except TokenizeError as exc:
                                    raise FStringError("f-string: " + exc.message, field_start) from None
                    else:
                        end = plain_string_end(text, end, quote)
                        if "b" in letters or "r" not in letters and text.find("\\", m.end(), end) >= 0:
                            bad = plain_literal_error(text[m.end() : end - len(quote)], "b" in letters, "r" in letters)
                            if bad is not None:
                                raise FStringError(bad[0], start)
                except FStringError as exc:
                    line, col = _position(text, exc.offset if "f" in letters else start)
                    raise TokenizeError(exc.message, line, col) from None
                value = text[start:end]
                append((_STRING, value, prefix, lineno, column))
                if "\n" in value or "\r" in value:
                    count, last = _newlines(value)
                    lineno += count
                    line_start = start + last
            elif kind == 2:  # number
                value = m.group(2)
                if value[0] == "0" and _BAD_DECIMAL.match(value) and value.replace("_", "").isdigit():
                    raise TokenizeError("leading zeros in decimal integer literals are not permitted", lineno, column)
                after = text[end : end + 1]
                if after and (after.isalnum() or after == "_") and after.isascii() and not text.startswith(_NUMBER_END_OK, end):
                    kind = "imaginary" if value[-1] in "jJ" else _NUMBER_KIND.get(value[1:2].lower(), "decimal")
                    raise TokenizeError(f"invalid {kind} literal", lineno, end - line_start)
                append((_NUMBER_T, value, prefix, lineno, column))
            else:  # end of text
                if depth:
                    opener, open_line, open_col = brackets[-1]
                    stop = TokenizeError(f"{opener!r} was never closed", open_line, open_col, unclosed=True)
                    break
                if prefix.rstrip(" \t\f\r\n").endswith("\\") and not prefix.lstrip(" \t\f").startswith("#"):
                    line, col = _position(text, text.rfind("\\") + 1)  # just after the backslash
                    stop = TokenizeError("unexpected EOF while parsing", line, col)
                    break
                if len(toks) > line_first:
                    # CPython ends an unterminated last line with an empty NEWLINE.
                    append((_NEWLINE, "", prefix, lineno, column))
                    prev_end = start
                pos = n
                break
            prev_end = pos = end
    except TokenizeError as exc:
        # CPython reports these even after a syntax error found earlier (it tokenizes
        # the rest of the file), unless that error is an unexpected indent or dedent.
        exc.overrides = True
        stop = exc

    if stop is not None:
        if deferred is None:
            raise stop
        deferred.append(stop)
        append((ERRORTOKEN, "", "", lineno, pos - line_start))
        return toks
    column = n - line_start
    rest = text[prev_end:]
    for _ in indents[1:]:
        append((_DEDENT, "", rest, lineno, column))
        rest = ""
    append((_END, "", rest, lineno, column))
    return toks


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and 0-based column of ``offset``."""
    count, last = _newlines(text[:offset])
    return count + 1, offset - (last if last >= 0 else 0)
