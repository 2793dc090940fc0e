"""Bytes to text and back, keeping the encoding, the BOM and every newline as they were.

Never guesses: a file that cannot be decoded is reported, not rewritten.
"""
from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass


class DecodeError(Exception):
    """The bytes are not valid in the file's declared (or default) encoding."""


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
        return Source(body.decode(encoding), encoding, bom)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DecodeError(f"cannot decode as {encoding}: {exc}") from None


def decode_text(data: bytes) -> Source:
    """Decode a prose/config file: UTF-8, with or without BOM."""
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    try:
        return Source(body.decode("utf-8"), "utf-8", bom)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"not UTF-8 text: {exc}") from None
