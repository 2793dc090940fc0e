"""rename_in_text: rewrite a dotted path (and optionally the bare name) in prose files.

A pure text transform; never chooses files or writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ID = "rename_in_text"
DESCRIPTION = "Rewrite a symbol's dotted path, and optionally its bare name, in Markdown, reST, YAML, TOML, INI and text."
TARGET = "text"


@dataclass(frozen=True)
class Options:
    old: str
    new: str
    bare_name: Literal["docs", "never"] = "docs"
