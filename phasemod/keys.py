"""Keys from the terminal for `run -i`: one keypress at a time, none lost.

Part of the command-line layer. On a terminal, stdin is put in cbreak mode (no line
buffering, no echo; Ctrl-C still sends SIGINT) once, for the whole review, and read one
byte at a time: keys typed before a prompt appears wait in the terminal's queue and are
the next answers, in order. An escape sequence (an arrow key: ESC [ A, a function key)
is read whole and ignored, never taken for letters. On anything but a terminal, each
answer is one line, as scripts and CliRunner send them.
"""
from __future__ import annotations

import atexit
import codecs
import contextlib
import os
import select
import sys
from typing import Callable, Iterator

ESC = "\x1b"
# After ESC, the rest of a sequence arrives within this many seconds (terminals send it
# in one write); a lone ESC is a key of its own.
SEQUENCE_WAIT = 0.05


class Keys:
    """The review's keyboard. ``key()`` returns one key ("" on Ctrl-D or end of input);
    ``line()`` reads an answer ended by Enter (the number for `g`, the pattern for `/`)."""

    def __init__(self, stream=None) -> None:
        self.stream = stream
        self._fd: int | None = None
        self._saved: list | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._rest = ""          # a non-terminal answer line's text after its key
        self._registered = False

    @property
    def _in(self):
        return self.stream if self.stream is not None else sys.stdin

    def is_terminal(self) -> bool:
        try:
            return self._in.isatty()
        except (AttributeError, ValueError):
            return False

    # --- terminal mode ----------------------------------------------------------------

    def start(self) -> None:
        """Cbreak mode from now on (kept across prompts, so typed-ahead keys wait unread
        and unechoed). TCSANOW: keys already typed are kept, never flushed."""
        if self._saved is not None or not self.is_terminal():
            return
        import termios
        import tty

        fd = self._in.fileno()
        try:
            saved = termios.tcgetattr(fd)
            tty.setcbreak(fd, termios.TCSANOW)
        except termios.error:
            return
        self._fd, self._saved = fd, saved
        if not self._registered:
            atexit.register(self.stop)
            self._registered = True

    def stop(self) -> None:
        """Give the terminal back as it was (line mode, echo)."""
        if self._saved is None or self._fd is None:
            return
        import termios

        try:
            termios.tcsetattr(self._fd, termios.TCSANOW, self._saved)
        except termios.error:
            pass
        self._saved = None

    @contextlib.contextmanager
    def suspended(self) -> Iterator[None]:
        """Line mode while another program owns the terminal ($EDITOR, a pager)."""
        was = self._saved is not None
        self.stop()
        try:
            yield
        finally:
            if was:
                self.start()

    # --- reading ----------------------------------------------------------------------

    def _byte(self, timeout: float | None = None) -> bytes:
        """One byte from the terminal (b"" at end of input or when ``timeout`` passed)."""
        assert self._fd is not None
        if timeout is not None:
            ready, _, _ = select.select([self._fd], [], [], timeout)
            if not ready:
                return b""
        return os.read(self._fd, 1)

    def _char(self) -> str | None:
        """One character (None at end of input); an escape sequence is skipped whole."""
        while True:
            data = self._byte()
            if not data:
                return None
            if data == b"\x1b":
                self._skip_sequence()
                continue
            text = self._decoder.decode(data)
            if text:
                return text

    def _skip_sequence(self) -> None:
        """The rest of an escape sequence: CSI (ESC [ params final), SS3 (ESC O x), or
        ESC plus one key (Alt+key); a lone ESC has nothing after it."""
        first = self._byte(SEQUENCE_WAIT)
        if first == b"[":
            while True:   # parameters and intermediates (0x20-0x3f), then a final byte (0x40-0x7e)
                b = self._byte(SEQUENCE_WAIT)
                if not b or 0x40 <= b[0] <= 0x7E:
                    return
        elif first == b"O":
            self._byte(SEQUENCE_WAIT)

    def key(self) -> str:
        """The next key: a printable character, "" for Ctrl-D / end of input. Ctrl-C
        raises KeyboardInterrupt. Enter and spaces between answers are skipped."""
        if not self.is_terminal():
            line = self._in.readline()
            if not line:
                return ""
            text = line.strip()
            self._rest = text[1:].strip()
            return text[:1]   # an empty line: as Ctrl-D
        self.start()
        while True:
            char = self._char()
            if char is None or char == "\x04":
                return ""
            if char == "\x03":
                raise KeyboardInterrupt
            if char in "\r\n \t":
                continue
            if char.isprintable():
                return char

    def line(self, prompt: str, echo: Callable[[str], None]) -> str | None:
        """An answer ended by Enter, shown as typed (Backspace erases); None when
        cancelled (ESC, Ctrl-D, end of input). A non-terminal answer may follow its key
        on the same line (`g 7`), else it is the next line."""
        if not self.is_terminal():
            if self._rest:
                rest, self._rest = self._rest, ""
                return rest
            echo(prompt)
            text = self._in.readline()
            echo((text.rstrip("\r\n") if text else "") + "\n")
            return text.rstrip("\r\n") if text else None
        self.start()
        echo(prompt)
        typed = ""
        while True:
            data = self._byte()
            if not data or data == b"\x04":
                echo("\n")
                return None
            if data == b"\x1b":
                if self._byte(SEQUENCE_WAIT) in (b"[", b"O"):
                    self._skip_rest()
                    continue
                echo("\n")
                return None   # ESC alone: cancel
            if data == b"\x03":
                raise KeyboardInterrupt
            if data in (b"\r", b"\n"):
                echo("\n")
                return typed
            if data in (b"\x7f", b"\x08"):
                if typed:
                    typed = typed[:-1]
                    echo("\b \b")
                continue
            text = self._decoder.decode(data)
            if text and text.isprintable():
                typed += text
                echo(text)

    def _skip_rest(self) -> None:
        while True:
            b = self._byte(SEQUENCE_WAIT)
            if not b or 0x40 <= b[0] <= 0x7E:
                return


_SHARED: Keys | None = None


def shared() -> Keys:
    """The one keyboard of this process: every prompt reads from the same queue."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Keys()
    return _SHARED


@contextlib.contextmanager
def review(enabled: bool) -> Iterator[None]:
    """Around a review: cbreak mode from the start (keys typed while the engine starts are
    kept), the terminal given back at the end."""
    keys = shared()
    keys._rest = ""
    if enabled:
        keys.start()
    try:
        yield
    finally:
        keys.stop()
