"""The text a reviewer edits with `e` (the whole hunk, as a diff, with `#` instructions)
and the reading of it back into the hunk's new lines.

Pure text functions: no editor, no terminal, no file. The caller opens the editor and
checks the result (it must still parse and keep every name bound: phasemod/review.py).
"""
from __future__ import annotations

from phasemod.model import Hunk

__all__ = ["EditError", "buffer", "parse", "INSTRUCTIONS"]

INSTRUCTIONS = """\
# Edit this hunk, then save and quit. The lines above are the hunk of {path} at line {line}:
#   ' ' a line that stays (context: leave it as it is)
#   '-' a line the change removes: turn its '-' into ' ' to keep the line
#   '+' a line the change adds: edit it, delete it to drop it, or add '+' lines
# Lines starting with '#' are removed. An empty buffer cancels the edit.
# The result must still parse and keep every name it used bound, or it is refused and you
# can edit it again.
"""


class EditError(ValueError):
    """An edited buffer that cannot be read back as this hunk (the reason is the message)."""


def _newline(hunk: Hunk) -> str:
    lines = hunk.context_before + hunk.before + hunk.after + hunk.context_after
    return "\r\n" if any(line.endswith("\r\n") for line in lines) else "\n"


def _bare(line: str) -> str:
    return line.rstrip("\r\n")


def buffer(hunk: Hunk, refused: str = "") -> str:
    """What the editor shows: the hunk as ` `/`-`/`+` lines with its context, then the
    instructions; ``refused`` (why the last edit was refused) heads it as `#` lines."""
    head = "".join(f"# refused: {line}\n" for line in refused.splitlines())
    lines = [" " + _bare(x) for x in hunk.context_before]
    lines += ["-" + _bare(x) for x in hunk.before]
    lines += ["+" + _bare(x) for x in hunk.after]
    lines += [" " + _bare(x) for x in hunk.context_after]
    return head + "".join(line + "\n" for line in lines) + INSTRUCTIONS.format(path=hunk.path, line=hunk.start)


def parse(hunk: Hunk, text: str) -> str | None:
    """The hunk's new lines (with the file's line endings) as edited in ``text``; None
    when the buffer holds nothing but `#` lines and blanks (the edit is cancelled).
    Raises EditError when the ` ` and `-` lines are not the hunk's own lines in order,
    or the `+` lines left the place between the context lines."""
    rows = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if not line.startswith("#")]
    if not "".join(rows).strip():
        return None
    while rows and rows[-1] == "":   # the final newline; trailing blank context comes back below
        rows.pop()
    old: list[str] = []
    new: list[str] = []
    for number, row in enumerate(rows, 1):
        mark, body = (row[:1], row[1:]) if row else (" ", "")   # an emptied context line
        if mark == " ":
            old.append(body)
            new.append(body)
        elif mark == "-":
            old.append(body)
        elif mark == "+":
            new.append(body)
        elif row.startswith("@@"):
            continue
        else:
            raise EditError(f"line {number} of the edit starts with {mark!r}; every line starts with ' ', '-', "
                            "'+' or '#'")
    context_before = [_bare(x) for x in hunk.context_before]
    context_after = [_bare(x) for x in hunk.context_after]
    shown = context_before + [_bare(x) for x in hunk.before] + context_after
    if old == shown[:len(old)] and not any(shown[len(old):]):
        # Blank context lines at the end, lost with the trailing blanks an editor trims.
        new += shown[len(old):]
        old = shown
    if old != shown:
        first = next((i for i, (a, b) in enumerate(zip(old, shown)) if a != b), min(len(old), len(shown)))
        raise EditError(f"the ' ' and '-' lines must stay as shown (line {hunk.start - len(context_before) + first} "
                        "of the file differs); change the '+' lines, or turn a '-' into ' ' to keep that line")
    cut = len(new) - len(context_after)
    if new[:len(context_before)] != context_before or cut < len(context_before) or new[cut:] != context_after:
        raise EditError("the '+' lines must stay between the context lines shown above and below the change")
    body = new[len(context_before):cut]
    newline = _newline(hunk)
    ends = hunk.after[-1] if hunk.after else hunk.before[-1] if hunk.before else "\n"
    out = [line + newline for line in body]
    if out and not hunk.context_after and not ends.endswith(("\n", "\r")):
        out[-1] = body[-1]   # the hunk ends the file without a final newline: so does the edit
    return "".join(out)
