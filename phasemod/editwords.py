"""A hunk's edit for people: in words (``import of Old from a.old -> New from a.new``)
and as a token diff (``from a.[-old-]{+new+} import ...``), derived from the hunk's own
text, so it reads right for any symbol move.

Pure text functions: no terminal (colours are the caller's), no files.
"""
from __future__ import annotations

import difflib
import re
from typing import Callable, Sequence

from phasemod import textio
from phasemod.model import Hunk

__all__ = ["describe", "token_diff"]

_CHUNK = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")       # a name or a dotted path
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_FROM = re.compile(r"^\s*from\s+(\.*[\w.]*)\s+import\s+(.*)$")
_IMPORT = re.compile(r"^\s*import\s+(.*)$")
_NAMES_ONLY = re.compile(r"^\s*[\w\s,.]+\)?\s*,?\s*$")


def _code(line: str) -> str:
    """The line without its comment (a `#` outside quotes) and its ending."""
    quote = ""
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "#":
            return line[:i].rstrip()
    return line.rstrip("\r\n").rstrip()


def _statements(lines: Sequence[str]) -> list[str]:
    """Logical lines: bracketed continuation lines joined, comments dropped."""
    out, current, depth = [], "", 0
    for raw in lines:
        code = _code(raw)
        current += (" " if current else "") + code.strip()
        depth += code.count("(") - code.count(")")
        if depth <= 0:
            if current:
                out.append(current)
            current, depth = "", 0
    if current:
        out.append(current)
    return out


def _imports(lines: Sequence[str], enclosing: str = "") -> list[tuple[str, str]]:
    """(module, name or `name as alias`) for every import in ``lines``; ``enclosing`` is
    the module of a parenthesized `from M import (` the lines sit inside."""
    found: list[tuple[str, str]] = []
    for statement in _statements(lines):
        m = _FROM.match(statement)
        if m:
            names = m.group(2).replace("(", " ").replace(")", " ")
            found += [(m.group(1), " ".join(n.split())) for n in names.split(",") if n.strip()]
            continue
        m = _IMPORT.match(statement)
        if m:
            found += [(" ".join(n.split()), "") for n in m.group(1).split(",") if n.strip()]
            continue
        if enclosing and _NAMES_ONLY.match(statement):
            found += [(enclosing, " ".join(n.split())) for n in statement.replace(")", " ").split(",") if n.strip()]
    return found


def _enclosing(hunk: Hunk) -> str:
    """The module of an open `from M import (` just above the hunk ('' if none)."""
    for line in reversed(hunk.context_before):
        code = _code(line)
        m = _FROM.match(code)
        if m and "(" in code and ")" not in code:
            return m.group(1)
        if ")" in code or not _NAMES_ONLY.match(code or " x"):
            return ""
    return ""


def _import_words(items: list[tuple[str, str]]) -> str:
    by_module: dict[str, list[str]] = {}
    for module, name in items:
        by_module.setdefault(module, []).append(name)
    return ", ".join(f"{' and '.join(names)} from {module}" if names[0] else f"module {module}"
                     for module, names in by_module.items())


def _site(text: str, start: int, end: int) -> str:
    """What the changed span of ``text`` is: a call, a string, a comment, an annotation."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    code = _code(before + "x")
    if len(code) < len(before) + 1:
        return "comment"
    if (before.count('"') - before.count('\\"')) % 2 or (before.count("'") - before.count("\\'")) % 2:
        return "string"
    after = text[end:end + 1]
    if after == "(":
        return "call"
    if before.rstrip().endswith((":", "->")) or re.search(r"[:>]\s*[\w.]+\[[^\]]*$", before):
        return "annotation"
    if re.match(r"^\s*class\s+\w+\s*\(", before):
        return "base class"
    return "use"


def describe(hunk: Hunk) -> str:
    """The hunk's edit in words: imports by module and name, other changes as
    `old -> new` with where they stand (call, string, comment, ...; `text` in a file
    that is not Python)."""
    before, after = "".join(hunk.before), "".join(hunk.after)
    if before.split() == after.split():
        return "whitespace only"
    enclosing = _enclosing(hunk)
    old_imports, new_imports = _imports(hunk.before, enclosing), _imports(hunk.after, enclosing)
    if old_imports or new_imports:
        gone = [i for i in old_imports if i not in new_imports]
        added = [i for i in new_imports if i not in old_imports]
        if gone and added:
            return f"import of {_import_words(gone)} -> {_import_words(added)}"
        if added:
            return f"import of {_import_words(added)} added"
        if gone:
            return f"import of {_import_words(gone)} removed"
    old_chunks = [(m.group(), m.start(), m.end()) for m in _CHUNK.finditer(before)]
    new_chunks = [(m.group(), m.start(), m.end()) for m in _CHUNK.finditer(after)]
    matcher = difflib.SequenceMatcher(None, [c[0] for c in old_chunks], [c[0] for c in new_chunks], autojunk=False)
    words: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        old = " ".join(dict.fromkeys(c[0] for c in old_chunks[i1:i2]))   # `Old, Old` -> `New, New`: once
        new = " ".join(dict.fromkeys(c[0] for c in new_chunks[j1:j2]))
        where = "text" if not textio.is_python(hunk.path) else \
            _site(after, new_chunks[j1][1], new_chunks[j2 - 1][2]) if j2 > j1 else \
            _site(before, old_chunks[i1][1], old_chunks[i2 - 1][2])
        text = f"{old} -> {new}" if old and new else f"{old} removed" if old else f"{new} added"
        phrase = f"{where}: {text}"
        if phrase not in words:
            words.append(phrase)
    if not words:
        return "punctuation or layout changed"
    return "; ".join(words[:4]) + (f"; and {len(words) - 4} more" if len(words) > 4 else "")


def token_diff(hunk: Hunk, mark_old: Callable[[str], str] = lambda t: f"[-{t}-]",
               mark_new: Callable[[str], str] = lambda t: f"{{+{t}+}}") -> list[str]:
    """The hunk's changed lines as one text, each removed run of tokens marked with
    ``mark_old`` and each inserted run with ``mark_new`` (a word diff), split into lines."""
    old = _TOKEN.findall("".join(line.rstrip("\r\n") + "\n" for line in hunk.before))
    new = _TOKEN.findall("".join(line.rstrip("\r\n") + "\n" for line in hunk.after))
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(new[j1:j2]))
            continue
        for tokens, mark in ((old[i1:i2], mark_old), (new[j1:j2], mark_new)):
            # Marks stop at line ends, so each printed line carries its own.
            for k, piece in enumerate("".join(tokens).split("\n")):
                if k:
                    out.append("\n")
                if piece:
                    out.append(mark(piece))
    return "".join(out).rstrip("\n").split("\n")
