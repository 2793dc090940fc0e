"""Garbage collection around per-file work.

A syntax tree is a web of parent/child cycles. Left to the cyclic collector while it is
built, analyzed and rewritten, a tree is scanned again and again and promoted to the
oldest generation, where it is freed only by a full collection: on a large tree the
dead trees then pile up (hundreds of megabytes) and each full collection walks them
all. So the collector is paused for one file's work and, every few files, the young
generations, where the finished trees are, are collected.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator

_EVERY = 32
_since = 0


@contextlib.contextmanager
def per_file() -> Iterator[None]:
    """One file's parse, analysis and rewrite: the collector is paused (nested: once)."""
    global _since
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            _since += 1
            if _since >= _EVERY:
                _since = 0
                # The young generations only: a full collection would walk every
                # long-lived object of the command each time.
                gc.collect(1)
