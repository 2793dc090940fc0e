"""Group hunks that make the same normalised token-level edit, so review is per change.

Never merges two hunks whose edit scripts differ, and never reads files or prompts.
"""
from __future__ import annotations

import difflib
import hashlib
import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from phasemod.model import Hunk

__all__ = ["Cluster", "UNUSUAL_MAX", "WINDOW", "cluster", "edit_script", "signature", "signature_examples"]

# A cluster this small is flagged for a closer look: a change made only once or twice
# across a migration is usually a special case (a decoy, an odd import form).
UNUSUAL_MAX = 2
# Abstracted context kept on each side of a change, within its logical line. Enough to
# tell a call from an annotation from an import; small enough that long parameter
# lists or different statement tails do not split one change into many clusters.
WINDOW = 0

# ---------------------------------------------------------------------------- lexer
# Token kinds. Code: N name, K keyword, U number, O operator, L end of logical line.
# Strings: Q opening (prefix + quote), q closing quote, w word, s whitespace, p other
# character. Comments: H "#", h end of comment, and the same w/s/p inside.
_KEYWORDS = frozenset(keyword.kwlist)
_PREFIX = "[rRbBuUfFtT]{0,2}"
# A string is matched whole, its closing quote optional: a fragment may end inside one.
_STRING_FORMS = (
    ("s3", "'''", r"(?:[^'\\]|\\[\s\S]|'(?!''))*"),
    ("d3", '"""', r'(?:[^"\\]|\\[\s\S]|"(?!""))*'),
    ("s1", "'", r"(?:[^'\\\r\n]|\\(?:\r\n|[\s\S]))*"),
    ("d1", '"', r'(?:[^"\\\r\n]|\\(?:\r\n|[\s\S]))*'),
)
_STRING_KINDS = frozenset(name for name, _, _ in _STRING_FORMS)
_CODE = re.compile(
    r"(?P<sp>[ \t\f]+|\\(?:\r\n|\r|\n))"
    r"|(?P<nl>\r\n|\r|\n)"
    r"|(?P<com>\#[^\r\n]*)"
    + "".join(f"|(?P<{name}>{_PREFIX}{quote})(?P<{name}_body>{body})(?P<{name}_end>{quote})?"
              for name, quote, body in _STRING_FORMS)
    + r"|(?P<num>0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)"
    r"|(?P<name>[^\W\d]\w*)"
    r"|(?P<op>\*\*=?|//=?|>>=?|<<=?|->|:=|[-+*/%@&|^=<>!]=|[-+*/%@&|^~<>=.,:;()\[\]{}!])"
    r"|(?P<other>[\s\S])"
)
_TEXT = re.compile(r"(?P<w>\w+)|(?P<s>\s+)|(?P<p>[\s\S])")
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = frozenset(_OPENERS.values())

Token = tuple[str, str]


def _text_tokens(body: str, out: list[Token]) -> None:
    for m in _TEXT.finditer(body):
        out.append((m.lastgroup or "p", m.group()))


def lex(text: str) -> tuple[Token, ...]:
    """Tokens of a fragment of Python source. Never fails: a fragment may start or end
    inside a statement, a bracket or a string, so nothing here needs balance."""
    out: list[Token] = []
    append = out.append
    depth = 0
    line_has_code = False
    for m in _CODE.finditer(text):
        kind = m.lastgroup
        if kind == "sp":
            continue
        if kind == "nl":
            # Only logical line ends count: a newline inside brackets is layout.
            if depth == 0 and line_has_code:
                append(("L", "\n"))
                line_has_code = False
            continue
        line_has_code = True
        tok = m.group()
        if kind == "name":
            append(("K" if tok in _KEYWORDS else "N", tok))
        elif kind == "op":
            if tok in _OPENERS:
                depth += 1
            elif tok in _CLOSERS and depth:
                depth -= 1
            append(("O", tok))
        elif kind == "num":
            append(("U", tok))
        elif kind == "com":
            append(("H", "#"))
            _text_tokens(tok[1:], out)
            append(("h", ""))
        elif kind == "other":
            append(("O", tok))
        else:
            # `lastgroup` names the last group that matched: the closing quote when
            # there is one, else the body or the opening.
            name = kind.split("_")[0]
            append(("Q", m.group(name)))
            _text_tokens(m.group(name + "_body"), out)
            closing = m.group(name + "_end")
            if closing:
                append(("q", closing))
    if line_has_code and depth == 0:
        append(("L", "\n"))
    return tuple(out)


# ---------------------------------------------------------------------------- edit script
_NAMEISH = frozenset("Nw")
_TEXTY = frozenset("wsp")
_PLACEHOLDER = {"(": "(...)", "[": "[...]", "{": "{...}", "Q": "STR"}


def _is_name(tok: Token) -> bool:
    return tok[0] in _NAMEISH


def _is_sep(tok: Token) -> bool:
    return tok == ("O", ".") or (tok[0] == "p" and tok[1] in "./:")


def _chainish(item: tuple) -> bool:
    if item[0] == "=":
        return _is_name(item[1]) or _is_sep(item[1])
    toks = item[1] + item[2]
    return all(_is_name(t) or _is_sep(t) for t in toks)


def _merge(before: tuple[Token, ...], after: tuple[Token, ...]) -> list[tuple]:
    """One sequence holding both sides: ("=", token) or ("~", deleted, inserted)."""
    items: list[tuple] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            items.extend(("=", t) for t in after[j1:j2])
        else:
            items.append(("~", before[i1:i2], after[j1:j2]))
    return items


def _collapse(items: list[tuple]) -> list[tuple]:
    """Unchanged bracket and string groups become one placeholder; unchanged comments
    vanish (they never carry the edit)."""
    changed_upto = [0]
    for it in items:
        changed_upto.append(changed_upto[-1] + (it[0] == "~"))
    stack: list[int] = []
    match: dict[int, int] = {}
    for i, it in enumerate(items):
        if it[0] != "=":
            continue
        kind, text = it[1]
        if (kind == "O" and text in _OPENERS) or kind in "QH":
            stack.append(i)
        elif (kind == "O" and text in _CLOSERS) or kind in "qh":
            want = {"q": "Q", "h": "H"}.get(kind)
            for depth in range(len(stack) - 1, -1, -1):
                okind, otext = items[stack[depth]][1]
                if (want and okind == want) or (not want and okind == "O" and _OPENERS.get(otext) == text):
                    match[stack[depth]] = i
                    del stack[depth:]
                    break
    # Inside a bracket that holds the change, the other arguments are use-site detail:
    # each run of unchanged arguments becomes one "...".
    skip: dict[int, int] = {}
    for i, j in match.items():
        if items[i][1][0] != "O" or changed_upto[j + 1] == changed_upto[i]:
            continue
        segments: list[tuple[int, int]] = []
        start = k = i + 1
        while k < j:
            if items[k][0] == "=" and items[k][1] == ("O", ","):
                segments.append((start, k))
                start = k + 1
            k = match.get(k, k) + 1 if items[k][0] == "=" else k + 1
        segments.append((start, j))
        run: list[tuple[int, int]] = []
        for seg in [*segments, None]:
            if seg is not None and changed_upto[seg[1]] == changed_upto[seg[0]]:
                run.append(seg)
                continue
            if run and run[-1][1] > run[0][0]:
                skip[run[0][0]] = run[-1][1]
            run = []
    out: list[tuple] = []
    i = 0
    while i < len(items):
        if i in skip:
            out.append(("=", ("P", "...")))
            i = skip[i]
            continue
        j = match.get(i)
        if j is not None and changed_upto[j + 1] == changed_upto[i]:
            kind, text = items[i][1]
            if kind != "H":
                out.append(("=", ("P", _PLACEHOLDER.get(text, _PLACEHOLDER.get(kind, "STR")))))
            i = j + 1
            continue
        out.append(items[i])
        i += 1
    return out


def _lines_with_change(items: list[tuple]) -> list[bool]:
    """For each item: does its logical line hold a change?"""
    flags = [False] * len(items)
    start = 0
    for k in range(len(items) + 1):
        if k == len(items) or (items[k][0] == "=" and items[k][1][0] == "L"):
            if any(items[j][0] == "~" for j in range(start, k)):
                for j in range(start, k):
                    flags[j] = True
            start = k + 1
    return flags


def _abstract(items: list[tuple]) -> list[tuple]:
    """Mark what stays verbatim (the change and what names its referent) and replace
    the rest of the context with placeholders. Returns ("~", ...) items unchanged and
    ("=", token, keep) items for the context."""
    n = len(items)
    verbatim = [False] * n
    # Dotted chains: the part before the last change says what is changed (module path,
    # `obj.` receiver), so it stays; the part after it is only use-site detail.
    i = 0
    while i < n:
        if not _chainish(items[i]):
            i += 1
            continue
        j = i + 1
        while j < n and _chainish(items[j]):
            prev, cur = items[j - 1], items[j]
            joins = prev[0] == "~" or cur[0] == "~" or _is_sep(prev[1]) or _is_sep(cur[1])
            if not joins:
                break
            j += 1
        changes = [k for k in range(i, j) if items[k][0] == "~"]
        if changes:
            for k in range(i, changes[-1]):
                verbatim[k] = True
        i = j
    # An import's module path says where the names come from: with any change on the
    # line it stays verbatim, so an edit to an import of some other module never joins.
    line_changed = _lines_with_change(items)
    for k, it in enumerate(items):
        statement_start = k == 0 or items[k - 1][0] == "=" and items[k - 1][1][0] == "L"
        starts_import = it[1] == ("K", "from") or it[1] == ("K", "import") and statement_start
        if it[0] == "=" and starts_import and line_changed[k]:
            verbatim[k] = True
            j = k + 1
            while j < n and items[j][0] == "=" and (_is_name(items[j][1]) or _is_sep(items[j][1])):
                verbatim[j] = True
                j += 1
    # A name touching a change takes part in it (`{+New as+} Old`: the kept `Old` is
    # now the alias). In code two names never touch without an operator between them,
    # so only such bindings are kept; in text, only beside a pure insertion/deletion.
    for k, it in enumerate(items):
        if it[0] == "~":
            pure = not it[1] or not it[2]
            for nb in (k - 1, k + 1):
                if 0 <= nb < n and items[nb][0] == "=" and (
                        items[nb][1][0] == "N" or pure and _is_name(items[nb][1])):
                    verbatim[nb] = True
    out: list[tuple] = []
    for k, it in enumerate(items):
        if it[0] == "~":
            out.append(it)
            continue
        kind, text = it[1]
        if verbatim[k]:
            out.append(("=", it[1], True))
        elif kind == "N":
            prev = items[k - 1] if k else None
            alias = prev is not None and prev[0] == "=" and prev[1] == ("K", "as")
            nxt_sep = k + 1 < n and items[k + 1][0] == "=" and _is_sep(items[k + 1][1])
            prev_sep = prev is not None and prev[0] == "=" and _is_sep(prev[1])
            if prev_sep and out and out[-1][0] == "=" and out[-1][1] == ("P", "NAME"):
                continue  # `a.b.c` unchanged: one NAME, not NAME.NAME.NAME
            out.append(("=", ("P", "ALIAS" if alias and not nxt_sep else "NAME"), False))
        elif kind == "O" and text == "." and out and out[-1][0] == "=" and out[-1][1] == ("P", "NAME") \
                and k + 1 < n and items[k + 1][0] == "=" and items[k + 1][1][0] == "N" and not verbatim[k + 1]:
            continue  # the dot inside an unchanged chain, folded into its NAME
        elif kind == "U":
            out.append(("=", ("P", "NUM"), False))
        elif kind in _TEXTY:
            out.append(("=", ("P", "…"), False))
        elif kind == "h":
            out.append(("=", ("h", ""), False))
        else:
            out.append(("=", it[1], False))
    return out


def _window(items: list[tuple], width: int) -> tuple:
    """Keep `width` context items either side of each change (within its logical line)
    and fold everything farther away into one "…"."""
    squeezed: list[tuple] = []
    for it in items:
        if it[0] == "=" and it[1] in (("P", "…"), ("L", "\n")) and squeezed and squeezed[-1][0] == "=" \
                and squeezed[-1][1] == it[1]:
            continue
        squeezed.append(it)
    while squeezed and squeezed[0][0] == "=" and squeezed[0][1][0] == "L":
        squeezed.pop(0)
    n = len(squeezed)
    keep = [it[0] == "~" or it[2] for it in squeezed]
    shown = list(keep)
    # A line whose only change is in its comment: the code around the comment is not
    # part of the edit (a trailing comment and a comment line read the same).
    hidden = [False] * n
    line: list[int] = []
    in_comment = code_change = False
    for k in range(n + 1):
        it = squeezed[k] if k < n else ("=", ("L", "\n"), False)
        if it[0] == "=" and it[1][0] == "L":
            if not code_change:
                for m in line:
                    hidden[m] = True
            line, code_change, in_comment = [], False, False
            continue
        toks = (it[1],) if it[0] == "=" else it[1] + it[2]
        if it[0] == "~" and not in_comment and not any(t[0] in "Hh" for t in toks):
            code_change = True
        if not in_comment and it[0] == "=" and it[1][0] != "H" and not keep[k]:
            line.append(k)
        for t in toks:
            in_comment = True if t[0] == "H" else False if t[0] == "h" else in_comment
    for k in range(n):
        if not keep[k]:
            continue
        for step in (-1, 1):
            j, count = k + step, 0
            while 0 <= j < n and not keep[j] and not hidden[j]:
                is_end = squeezed[j][1] == ("L", "\n")
                if count == width and not (step == 1 and is_end and width):
                    break
                shown[j] = True
                if is_end:
                    break
                count += 1
                j += step
    _show_role(squeezed, keep, hidden, shown)
    script: list = []
    for k, it in enumerate(squeezed):
        if hidden[k]:
            continue
        if shown[k]:
            script.append(it[1] if it[0] == "=" else ("~", it[1], it[2]))
        elif not script or script[-1] != ("P", "…"):
            script.append(("P", "…"))
    return tuple(script)


# Tokens that make the name next to them a binding, not a use: `def X`, `class X`,
# `as X`, `import X`, `X = ...` (a target or a keyword argument), `X: ...` (a parameter
# or an annotated target). A change beside one of them keeps both its neighbours.
_BINDS_NEXT = frozenset({("K", kw) for kw in ("def", "class", "as", "import", "global", "nonlocal", "for",
                                              "lambda", "del")})
_BINDS_PREV = frozenset({("O", "="), ("O", ":"), ("O", ":=")})


def _show_role(items: list[tuple], keep: list[bool], hidden: list[bool], shown: list[bool]) -> None:
    """Context that decides what a change means stays visible: the neighbours of a
    binding, and the opening and closing marks of the string or comment it is in."""
    n = len(items)
    k = 0
    while k < n:
        if not keep[k]:
            k += 1
            continue
        end = k
        while end + 1 < n and keep[end + 1]:
            end += 1
        left, right = k - 1, end + 1
        left_tok = items[left][1] if left >= 0 and items[left][0] == "=" else None
        right_tok = items[right][1] if right < n and items[right][0] == "=" else None
        if left_tok in _BINDS_NEXT or right_tok in _BINDS_PREV:
            for j in (left, right):
                if 0 <= j < n and not hidden[j]:
                    shown[j] = True
        elif right_tok == ("O", ".") and items[end][0] == "~":
            shown[right] = True   # `[-Old-]{+New+}.attr`: the class's attribute, not the class
        k = end + 1
    opener: int | None = None
    for k, it in enumerate(items):
        toks = (it[1],) if it[0] == "=" else it[1] + it[2]
        if it[0] == "~" and opener is not None:
            shown[opener] = True
        if it[0] == "=" and it[1][0] in "QH":
            opener = k
        elif it[0] == "=" and it[1][0] in "qh":
            if opener is not None and shown[opener]:
                shown[k] = True
            opener = None
        elif any(t[0] in "QHqh" for t in toks):
            opener = None


@lru_cache(maxsize=65536)
def _script(before: str, after: str, width: int) -> tuple:
    old, new = lex(before), lex(after)
    if old == new:
        # Only layout changed: no token-level edit to normalise, so the exact text is
        # the key and such hunks cluster only with byte-identical ones.
        return (("whitespace", before, after),)
    return _window(_abstract(_collapse(_merge(old, new))), width)


def edit_script(hunk: Hunk) -> tuple:
    """The hunk's normalised token-level edit: a tuple of context tokens (kind, text),
    with placeholders as kind "P", and changes ("~", deleted tokens, inserted tokens)."""
    return _script("".join(hunk.before), "".join(hunk.after), WINDOW)


# ---------------------------------------------------------------------------- rendering
_TIGHT_BEFORE = frozenset({".", ",", ":", ")", "]", "}", ";"})
_TIGHT_AFTER = frozenset({".", "(", "[", "{", "@"})
# Words of an import statement stand apart from the dots of a relative module path:
# `from ..pkg import x`, `from . import x`, never `from..pkg` or `from .import`.
_SPACED = frozenset({"from", "import"})


def _piece(tok: Token) -> str:
    kind, text = tok
    if kind == "L":
        return "⏎"
    if kind == "h":
        return ""
    return text


def _join(parts: list[tuple[str, bool]]) -> str:
    out = ""
    prev_text, prev_texty = "", False
    for text, texty in parts:
        if not text:
            continue
        if not out:
            out = text
        elif not (texty and prev_texty) and (text in _SPACED or prev_text in _SPACED):
            out += " " + text
        elif (texty and prev_texty) or text in _TIGHT_BEFORE \
                or prev_text in _TIGHT_AFTER \
                or text in ("(", "[", "(...)", "[...]") and prev_text[-1:].isalnum() | (prev_text[-1:] in ")]_}"):
            out += text
        else:
            out += " " + text
        prev_text, prev_texty = text, texty
    return out


def _parts(toks: Iterable[Token], in_text: bool) -> list[tuple[str, bool]]:
    parts = []
    for tok in toks:
        texty = tok[0] in _TEXTY or (in_text and tok == ("P", "…"))
        parts.append((_piece(tok), texty))
    return parts


def render(script: tuple) -> str:
    """A one-line, readable form of an edit script: context with placeholders,
    `[-removed-]{+inserted+}` for the change."""
    if len(script) == 1 and script[0][0] == "whitespace":
        _, before, after = script[0]
        digest = hashlib.sha1(f"{before}\0{after}".encode()).hexdigest()[:12]
        return f"whitespace-only {digest}: {before.strip()[:40]!r}"
    parts: list[tuple[str, bool]] = []
    in_text = False
    for it in script:
        if it[0] == "~":
            dels, ins = it[1], it[2]
            texty = any(t[0] in _TEXTY for t in dels + ins) or in_text
            chunk = ""
            if dels:
                chunk += "[-" + _join(_parts(dels, in_text)) + "-]"
            if ins:
                chunk += "{+" + _join(_parts(ins, in_text)) + "+}"
            parts.append((chunk, texty))
            for t in dels + ins:
                if t[0] in "QH":
                    in_text = True
                elif t[0] in "qh":
                    in_text = False
            continue
        if it[0] in "QH":
            parts.append((_piece(it), True))
            in_text = True
            continue
        if it[0] in "qh":
            parts.append((_piece(it), True))
            in_text = False
            continue
        parts.extend(_parts([it], in_text))
    return _join(parts)


def signature(hunk: Hunk) -> str:
    """Stable, readable key of what the hunk changes (see docs/clusters.md)."""
    return render(edit_script(hunk))


# ---------------------------------------------------------------------------- clusters
@dataclass(frozen=True)
class Cluster:
    """Hunks that make one identical normalised edit; decided together in review."""

    id: str
    signature: str
    hunks: tuple[Hunk, ...]
    unusual: bool   # size <= UNUSUAL_MAX: a rare edit, worth a closer look

    @property
    def size(self) -> int:
        return len(self.hunks)


def _hunk_order(h: Hunk) -> tuple:
    # repr breaks the remaining ties (context, any later field), so the order never
    # depends on the input order.
    return (h.path, h.start, h.index, h.before, h.after, repr(h))


def cluster(hunks: Iterable[Hunk], unusual_max: int = UNUSUAL_MAX) -> list[Cluster]:
    """Partition `hunks` by edit script: largest cluster first, then by signature.
    Hunks inside a cluster are in (path, line) order; the result does not depend on
    the order of the input."""
    groups: dict[tuple, list[Hunk]] = {}
    for h in hunks:
        groups.setdefault(edit_script(h), []).append(h)
    named: list[tuple[str, tuple, list[Hunk]]] = []
    seen: dict[str, tuple] = {}
    for script in sorted(groups, key=repr):
        sig = render(script)
        if sig in seen and seen[sig] != script:
            # Two different edits that read the same (only possible with exotic
            # tokens): keep them apart and make the difference visible.
            sig += " #" + hashlib.sha1(repr(script).encode()).hexdigest()[:8]
        seen[sig] = script
        named.append((sig, script, groups[script]))
    named.sort(key=lambda e: (-len(e[2]), e[0]))
    return [
        Cluster(id=hashlib.sha1(sig.encode()).hexdigest()[:10], signature=sig,
                hunks=tuple(sorted(members, key=_hunk_order)), unusual=len(members) <= unusual_max)
        for sig, _, members in named
    ]


# ---------------------------------------------------------------------------- examples
_OLD = "netra_backend.app.agents.supervisor.execution_engine"
_NEW = "netra_backend.app.agents.supervisor.user_execution_engine"
EXAMPLES: tuple[tuple[str, str, str], ...] = (
    ("import kept under the old name",
     f"from {_OLD} import ExecutionEngine\n",
     f"from {_NEW} import UserExecutionEngine as ExecutionEngine\n"),
    ("import renamed",
     f"from {_OLD} import ExecutionEngine\n",
     f"from {_NEW} import UserExecutionEngine\n"),
    ("aliased import",
     f"    from {_OLD} import ExecutionEngine as AgentEngine  # legacy\n",
     f"    from {_NEW} import UserExecutionEngine as AgentEngine  # legacy\n"),
    ("call renamed",
     "        engine = ExecutionEngine(context=user_context, websocket_bridge=bridge)\n",
     "        engine = UserExecutionEngine(context=user_context, websocket_bridge=bridge)\n"),
    ("same call, other variable and arguments",
     "    runner = ExecutionEngine(ctx)\n",
     "    runner = UserExecutionEngine(ctx)\n"),
    ("decoy: a longer name",
     "    factory = ExecutionEngineFactory(max_engines=8)\n",
     "    factory = UserExecutionEngineFactory(max_engines=8)\n"),
    ("annotation",
     "    pool: dict[str, ExecutionEngine] = {}\n",
     "    pool: dict[str, UserExecutionEngine] = {}\n"),
    ("dotted-path string",
     f'    with patch("{_OLD}.ExecutionEngine.execute_agent", new_callable=AsyncMock) as m:\n',
     f'    with patch("{_NEW}.UserExecutionEngine.execute_agent", new_callable=AsyncMock) as m:\n'),
    ("comment",
     "    # Uses ExecutionEngine for agent processing.\n",
     "    # Uses UserExecutionEngine for agent processing.\n"),
    ("one name leaves a parenthesized import",
     "    ExecutionEngine,\n",
     ""),
    ("import split in two",
     f"from {_OLD} import EngineStats, ExecutionEngine\n",
     f"from {_OLD} import EngineStats\nfrom {_NEW} import UserExecutionEngine as ExecutionEngine\n"),
    ("relative import",
     "from .supervisor.execution_engine import ExecutionEngine\n",
     "from .supervisor.user_execution_engine import UserExecutionEngine\n"),
)


def signature_examples() -> list[tuple[str, str, str, str]]:
    """(description, before, after, signature) for each documented example."""
    out = []
    for description, before, after in EXAMPLES:
        hunk = Hunk(path="example.py", index=0, start=1, before=tuple(before.splitlines(True)),
                    after=tuple(after.splitlines(True)))
        out.append((description, before, after, signature(hunk)))
    return out
