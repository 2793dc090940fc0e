"""The `e` buffer: the whole hunk with context and `#` instructions, read back into the
hunk's new lines (phasemod/hunkedit.py)."""
from __future__ import annotations

import pytest

from phasemod.hunkedit import EditError, buffer, parse
from phasemod.model import Hunk

HUNK = Hunk("pkg/a.py", 0, 4, ("    return Old()\r\n",), ("    return New()\r\n",), (),
            ("\r\n", "def f():\r\n"), ("\r\n", "x = 1\r\n"))


def test_buffer_shows_context_minus_plus_and_instructions() -> None:
    text = buffer(HUNK, refused="the edited hunk does not parse (line 5)")
    assert text.startswith("# refused: the edited hunk does not parse (line 5)\n \n def f():\n-    return Old()\n"
                           "+    return New()\n \n x = 1\n# Edit this hunk")
    assert "\r" not in text


def test_edit_of_the_plus_lines_keeps_crlf() -> None:
    text = buffer(HUNK).replace("+    return New()", "+    return New()  # checked\n+    log(1)")
    assert parse(HUNK, text) == "    return New()  # checked\r\n    log(1)\r\n"


def test_a_kept_minus_line_and_dropped_plus_lines() -> None:
    text = buffer(HUNK).replace("-    return Old()", "     return Old()").replace("+    return New()\n", "")
    assert parse(HUNK, text) == "    return Old()\r\n"


def test_trimmed_blank_context_lines_and_a_cancelled_edit() -> None:
    text = buffer(HUNK).replace(" \n", "\n")      # an editor that strips trailing spaces
    assert parse(HUNK, text) == "    return New()\r\n"
    assert parse(HUNK, "# only comments\n\n") is None


def test_deletion_hunk_takes_added_lines_and_the_end_of_file_stays_without_newline() -> None:
    deletion = Hunk("pkg/a.py", 1, 3, ("    Old,\n",), (), (), ("from m import (\n", "    Other,\n"), (")\n",))
    assert "-    Old,\n )\n" in buffer(deletion)
    assert parse(deletion, buffer(deletion).replace("-    Old,\n", "-    Old,\n+    # Old moved\n")) == "    # Old moved\n"
    last = Hunk("a.py", 0, 2, ("Old()",), ("New()",), (), ("x = 1\n",), ())
    assert parse(last, buffer(last).replace("+New()", "+New()  # ok")) == "New()  # ok"


@pytest.mark.parametrize("change, reason", [
    (lambda t: t.replace(" def f():", " def g():"), "must stay as shown (line 3 of the file differs)"),
    (lambda t: t.replace("-    return Old()\n", ""), "must stay as shown"),
    (lambda t: t.replace("+    return New()\n", "").replace(" x = 1\n", " x = 1\n+    return New()\n"),
     "must stay between the context lines"),
    (lambda t: t.replace("+    return New()", "    return New()"), "must stay as shown"),
    (lambda t: t.replace("+    return New()", "return New()"), "starts with 'r'"),
])
def test_edits_outside_the_plus_lines_are_refused_with_the_reason(change, reason) -> None:
    with pytest.raises(EditError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(HUNK, change(buffer(HUNK)))
