"""Bytes to text and back, keeping the encoding, the BOM and every newline as they were.

Never guesses: a file that cannot be decoded is reported, not rewritten.
"""
from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass


class DecodeError(Exception):
    """The bytes are not valid in the file's declared (or default) encoding, or would not
    come back byte for byte when encoded again."""


PYTHON_SUFFIXES = (".py", ".pyi")

# Codecs whose bytes depend on what came before (escape sequences, shift states, base64
# runs): re-encoding a changed text could change bytes outside the edit.
_STATEFUL = ("unicode_escape", "raw_unicode_escape", "utf_7", "hz", "iso2022", "utf_16", "utf_32", "punycode",
             "idna", "palmos")


def is_python(path: str) -> bool:
    """Whether phasemod reads ``path`` as Python source (parsed, decoded per PEP 263)."""
    return path.endswith(PYTHON_SUFFIXES)


def decode_for(path: str, data: bytes) -> "Source":
    """The one decision for every file phasemod reads: Python source by PEP 263 (cookie,
    BOM, UTF-8 by default), anything else as UTF-8 text."""
    return decode_python(data) if is_python(path) else decode_text(data)


@dataclass(frozen=True)
class Source:
    text: str        # decoded, BOM removed, newlines untouched
    encoding: str    # codec name used to decode (and to encode back)
    bom: bool

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def decode_python(data: bytes) -> Source:
    """Decode a Python file per PEP 263 (coding cookie, BOM; UTF-8 by default)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise DecodeError(str(exc)) from None
    bom = data.startswith(codecs.BOM_UTF8)
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    body = data[len(codecs.BOM_UTF8):] if bom else data
    try:
        name = codecs.lookup(encoding).name
        text = body.decode(encoding)
    except (UnicodeError, LookupError) as exc:
        raise DecodeError(f"cannot decode as {encoding}: {exc}") from None
    if name.replace("-", "_").startswith(_STATEFUL):
        raise DecodeError(f"encoding {encoding} is stateful (an edit could change other bytes); convert the file "
                          "to UTF-8 first")
    if name != "utf-8" and text.encode(encoding) != body:
        raise DecodeError(f"encoding {encoding} does not round-trip (some bytes would change when written back); "
                          "convert the file to UTF-8 first")
    return Source(text, encoding, bom)


def decode_text(data: bytes) -> Source:
    """Decode a prose/config file: UTF-8, with or without BOM."""
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    try:
        return Source(body.decode("utf-8"), "utf-8", bom)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not UTF-8 text: {exc}") from None
