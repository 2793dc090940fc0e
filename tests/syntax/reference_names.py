"""Print, as JSON, the NAME tokens and imports CPython itself sees in a file.

Run by the syntax tests under whichever interpreter serves as the reference; reads only.
"""
from __future__ import annotations

import ast
import io
import json
import sys
import tokenize


def names(text: str) -> list[list]:
    """NAME tokens outside f-strings as [value, line, column]."""
    found = []
    fstring_depth = 0
    start_type = getattr(tokenize, "FSTRING_START", None)
    end_type = getattr(tokenize, "FSTRING_END", None)
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == start_type:
            fstring_depth += 1
        elif tok.type == end_type:
            fstring_depth -= 1
        elif tok.type == tokenize.NAME and not fstring_depth:
            found.append([tok.string, tok.start[0], tok.start[1]])
    return found


def imports(text: str) -> list[list]:
    """Every import statement as [line, column, module, level, [[name, asname], ...]]."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.append([node.lineno, node.col_offset, None, 0, [[a.name, a.asname] for a in node.names]])
        elif isinstance(node, ast.ImportFrom):
            found.append([node.lineno, node.col_offset, node.module, node.level, [[a.name, a.asname] for a in node.names]])
    return sorted(found, key=lambda item: (item[0], item[1]))


def main(paths: list[str]) -> None:
    result = {}
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
        result[path] = {"names": names(text), "imports": imports(text)}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
