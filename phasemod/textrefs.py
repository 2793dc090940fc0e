"""textrefs: find and rewrite references to a dotted Python symbol inside plain text.

Pure functions on str; they never read or write files and never touch a longer identifier.
"""
from __future__ import annotations

import difflib
import functools
import io
import re
import tokenize
from dataclasses import dataclass
from typing import Callable, Optional

MigratePython = Callable[[str], Optional[str]]

# A dotted chain: identifiers joined by "." or ":" (entry-point form). It never starts
# right after "." so that `x.Old` is seen whole and not as a bare `Old`.
CHAIN = re.compile(r"(?<![\w.])\w+(?:[.:]\w+)*")
SEPARATOR = re.compile(r"[.:]")
PROMPT = re.compile(r"^([ \t]*)(>>>|\.\.\.)(?: |(?=\r?\n?$))")
IMPORT_LINE = re.compile(r"^[ \t]*(?:(?:>>>|\.\.\.) +)?(?:from[ \t]+\S+[ \t]+)?import[ \t]")


def rewrite_dotted(text: str, old_full: str, new_full: str) -> str:
    """Rewrite `old_full` (also `mod:Name` and `old_full.attr`) where it is not part of a
    longer dotted name or identifier."""
    pattern, forms = _dotted_pattern(old_full, new_full)
    return pattern.sub(lambda m: forms[m.group()], text) if old_full.rpartition(".")[2] in text else text


@functools.lru_cache(maxsize=64)
def _dotted_pattern(old_full: str, new_full: str) -> tuple[re.Pattern[str], dict[str, str]]:
    old_mod, _, old_name = old_full.rpartition(".")
    new_mod, _, new_name = new_full.rpartition(".")
    forms = {old_full: new_full, f"{old_mod}:{old_name}": f"{new_mod}:{new_name}"}
    return re.compile(r"(?<![\w.])(?:%s)(?!\w)" % "|".join(map(re.escape, forms))), forms


def rewrite_words(text: str, old_name: str, new_name: str, *, old_module: str = "",
                  new_module: str = "") -> str:
    """Rewrite the whole word `old_name`; never inside `OldFactory`/`UserOld`, never as the
    attribute of something else (`obj.Old`). A qualifier that is a tail of `old_module`
    (`old_mod.Old`) is rewritten to the tail of `new_module` of the same length."""
    if old_name not in text:
        return text
    qualifier = old_module.split(".") if old_module else []
    target = (new_module.split(".") if new_module else []) + [new_name]

    def fix(match: re.Match[str]) -> str:
        chain = match.group()
        if old_name not in chain:
            return chain
        parts, seps = SEPARATOR.split(chain), SEPARATOR.findall(chain)
        for i, part in enumerate(parts):
            if part == old_name and i <= len(qualifier) and parts[:i] == qualifier[len(qualifier) - i:]:
                head = target[-(i + 1):]
                lead = "".join(p + s for p, s in zip(head, seps[:i] if len(head) == i + 1 else ["."] * i))
                return lead + head[-1] + "".join(s + p for s, p in zip(seps[i:], parts[i + 1:]))
        return chain

    return CHAIN.sub(fix, text)


def rewrite_module(text: str, old_module: str, new_module: str) -> str:
    """Rewrite a dotted module path that stands alone (not `old_module.Other`, which names
    something that may stay behind). Only a module move makes that path a reference."""
    if old_module not in text:
        return text
    return CHAIN.sub(lambda m: new_module if m.group() == old_module else m.group(), text)


def rewrite_text(text: str, old_full: str, new_full: str, *, bare: bool) -> str:
    """The text rules of a symbol move: the dotted path always; with `bare`, the bare name
    (and `old_mod.Old` short forms) as well. The old module path alone is no reference: the
    module still exists and keeps its other names."""
    text = rewrite_dotted(text, old_full, new_full)
    old_mod, _, old_name = old_full.rpartition(".")
    new_mod, _, new_name = new_full.rpartition(".")
    if old_mod in text:  # `from a.b.old_mod import Old` spells the full path too
        text = _import_pattern(old_mod, old_name).sub(f"from {new_mod} import {new_name}", text)
    if not bare:
        return text
    return rewrite_words(text, old_name, new_name, old_module=old_mod, new_module=new_mod)


@functools.lru_cache(maxsize=64)
def _import_pattern(old_module: str, old_name: str) -> re.Pattern[str]:
    """`from old_module import Old` alone (an alias may follow; another name may not)."""
    return re.compile(r"(?<![\w.])from[ \t]+%s[ \t]+import[ \t]+%s(?![\w.])(?![ \t]*,)"
                      % (re.escape(old_module), re.escape(old_name)))


def imports_symbol(code: str, old_full: str, new_full: str) -> bool:
    """Does the snippet import the old or new symbol (or their modules) itself?"""
    names = {p for full in (old_full, new_full) for p in full.split(".")[-2:]}
    return any(IMPORT_LINE.match(line) and names & set(re.findall(r"\w+", line)) for line in code.split("\n"))


# ---------------------------------------------------------------- lines and blocks

def split_lines(text: str) -> list[str]:
    """Lines with their endings; "".join() gives the text back byte for byte."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def dominant_ending(lines: list[str]) -> str:
    ends = [ending(line) for line in lines if ending(line)]
    return max(set(ends), key=ends.count) if ends else "\n"


@dataclass(frozen=True)
class Block:
    """Lines `start..end` (0-based, end exclusive) hold code in `language` ("python",
    "doctest" or anything else, which is prose)."""

    start: int
    end: int
    language: str


PY_LANGS = {"python": "python", "py": "python", "python3": "python", "py3": "python",
            "": "python", "pycon": "doctest", "doctest": "doctest", "testcode": "python"}
FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")
DIRECTIVE = re.compile(r"^([ \t]*)\.\.[ \t]+(code-block|code|sourcecode|testcode|doctest)::[ \t]*(\S*)")


def _language(word: str) -> str:
    word = word.strip().strip("{}.").split(" ")[0].split(",")[0].lower()
    return PY_LANGS.get(word, word or "text")


def markdown_blocks(lines: list[str]) -> list[Block]:
    """Fenced code blocks (``` or ~~~); an unclosed fence runs to the end."""
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i].rstrip("\r\n"))
        if not m or (m.group(2)[0] == "`" and "`" in m.group(3)):
            i += 1
            continue
        closing = re.compile(r"^[ \t]*%s{%d,}[ \t]*$" % (re.escape(m.group(2)[0]), len(m.group(2))))
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j].rstrip("\r\n"))), len(lines))
        info = m.group(3).strip()
        blocks.append(Block(i + 1, end, _language(info) if info else "text"))
        i = end + 1
    return blocks


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def rest_blocks(lines: list[str]) -> list[Block]:
    """`.. code-block:: LANG` (and code, sourcecode, testcode, doctest) bodies and `::`
    literal blocks, which Sphinx highlights as Python by default."""
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i].rstrip("\r\n")
        m = DIRECTIVE.match(line)
        literal = not m and line.rstrip().endswith("::") and not line.lstrip().startswith("..")
        if not (m or literal):
            i += 1
            continue
        language = ("doctest" if m.group(2) == "doctest" else _language(m.group(3) or m.group(2))) if m else "python"
        j = i + 1
        while m and j < len(lines) and lines[j].strip().startswith(":") and _indent(lines[j]) > _indent(line):
            j += 1  # directive options such as :linenos:
        while j < len(lines) and not lines[j].strip():
            j += 1  # the blank line before the body belongs to the prose
        start = j
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > _indent(line)):
            j += 1
        while j > start and not lines[j - 1].strip():
            j -= 1  # trailing blank lines belong to the prose after the block
        if any(lines[k].strip() for k in range(start, j)):
            blocks.append(Block(start, j, language))
        i = max(j, i + 1)
    return blocks


def starts_example(line: str) -> bool:
    """Is this a `>>>` line (the first line of a doctest example)?"""
    m = PROMPT.match(line)
    return bool(m) and m.group(2) == ">>>"


def doctest_runs(lines: list[str], start: int, end: int) -> list[Block]:
    """Runs of `>>>` examples with their output, each ending at a blank line."""
    runs, i = [], start
    while i < end:
        if not starts_example(lines[i]):
            i += 1
            continue
        j = i + 1
        while j < end and lines[j].strip():
            j += 1
        runs.append(Block(i, j, "doctest"))
        i = j
    return runs


# ---------------------------------------------------------------- code inside text

def migrate_snippet(lines: list[str], migrate: MigratePython) -> list[str] | None:
    """Run `migrate` on an indented code block; None when it does not parse."""
    body = [line.rstrip("\r\n") for line in lines]
    cut = min((_indent(b) for b in body if b.strip()), default=0)
    code = "\n".join(b[cut:] for b in body) + "\n"
    new = migrate(code)
    if new is None:
        return None
    if new == code:
        return list(lines)
    new_lines = new[:-1].split("\n") if new.endswith("\n") else new.split("\n")
    pad, eol = next((b[:cut] for b in body if b.strip()), ""), dominant_ending(lines)
    same_shape = len(new_lines) == len(lines)
    out = []
    for k, text in enumerate(new_lines):
        if same_shape and text == body[k][cut:]:
            out.append(lines[k])
        else:
            out.append((pad + text if text else "") + (ending(lines[k]) if same_shape else eol))
    return _settle_endings(out, lines)


def _settle_endings(out: list[str], lines: list[str]) -> list[str]:
    """Every line but the last ends with a newline; the last ends as the original did."""
    eol = dominant_ending(lines)
    out = [line if ending(line) else line + eol for line in out]
    if out and not ending(lines[-1]):
        out[-1] = out[-1].rstrip("\r\n")
    return out


def _statement_starts(code: str) -> set[int] | None:
    """0-based lines where a top-level statement (or comment) starts at column 0."""
    starts, at_start = set(), True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                at_start = True
            elif at_start and tok.type not in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
                if tok.start[1] == 0:
                    starts.add(tok.start[0] - 1)
                at_start = tok.type == tokenize.COMMENT
    except (tokenize.TokenError, SyntaxError):
        return None
    return starts


def migrate_doctest(lines: list[str], migrate: MigratePython,
                    rewrite_output: Callable[[str], str] = lambda line: line) -> list[str] | None:
    """Strip the prompts of a doctest run, migrate its source as one program, put the
    prompts back (`>>>` on every new statement) and keep each output, passed through
    `rewrite_output`, after its example. Lines before the first `>>>` stay as they are."""
    lead = next((k for k, line in enumerate(lines) if starts_example(line)), None)
    if lead is None:
        return None
    if lead:
        rest = migrate_doctest(lines[lead:], migrate, rewrite_output)
        return None if rest is None else lines[:lead] + rest
    sources: list[tuple[str, str, int]] = []   # (prompt as written, code, example index)
    raw: list[str] = []
    same: list[str] = []                        # the run with only its outputs rewritten
    outputs: dict[int, list[str]] = {}
    for line in lines:
        m = PROMPT.match(line)
        # `...` right after output is an ELLIPSIS output line, not a continuation
        if m and (m.group(2) == ">>>" or not outputs[sources[-1][2]]):
            example = len(outputs) if m.group(2) == ">>>" else sources[-1][2]
            outputs.setdefault(example, [])
            sources.append((line[: m.end()], line[m.end():].rstrip("\r\n"), example))
            raw.append(line)
            same.append(line)
        else:
            outputs[sources[-1][2]].append(rewrite_output(line))
            same.append(outputs[sources[-1][2]][-1])
    code = "\n".join(s for _, s, _ in sources) + "\n"
    new = migrate(code)
    if new is None:
        return None
    if new == code:
        return same
    new_code = new[:-1].split("\n") if new.endswith("\n") else new.split("\n")
    starts = _statement_starts(new)
    if starts is None:
        starts = {k for k, text in enumerate(new_code) if text[:1].strip()}
    indent, eol = PROMPT.match(lines[0]).group(1), dominant_ending(lines)
    anchor: dict[int, int] = {}     # old source line -> new line its outputs follow
    kept: dict[int, int] = {}       # new line -> old source line it equals
    matcher = difflib.SequenceMatcher(None, [s for _, s, _ in sources], new_code, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for i in range(i1, i2):
            anchor[i] = j1 + i - i1 if tag == "equal" else j2 - 1
            if tag == "equal":
                kept[j1 + i - i1] = i
    last = {example: i for i, (_, _, example) in enumerate(sources)}
    after: dict[int, list[str]] = {}
    for example, i in sorted(last.items()):
        after.setdefault(anchor[i], []).extend(outputs[example])
    out = list(after.get(-1, []))
    for j, text in enumerate(new_code):
        prompt = ">>>" if j in starts else "..."
        if j in kept and sources[kept[j]][0].strip() == prompt:
            out.append(raw[kept[j]])
        else:
            out.append(f"{indent}{prompt} {text}".rstrip(" ") + (ending(raw[kept[j]]) if j in kept else eol))
        out.extend(after.get(j, []))
    return _settle_endings(out, lines)
