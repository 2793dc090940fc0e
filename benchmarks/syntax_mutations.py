"""Mutate standard-library files and compare phasemod.syntax with CPython 3.13's compile().

Usage:
  python benchmarks/syntax_mutations.py --write tests/syntax/mutations_313.json [--python PY313]
  python benchmarks/syntax_mutations.py [--table tests/syntax/mutations_313.json] [--show N]

``--write`` picks files of the running interpreter's standard library, makes mutants
(delete a bracket, delete a colon, insert ``return``/``yield``/``await`` where they are
not allowed, insert ``yield``/``return`` where they are) and stores each mutant as an
edit plus CPython 3.13's verdict (accepted, or the error line and column), with a hash of
each source file. Without ``--write`` it reads that table, parses every mutant with
phasemod and prints how often accept/reject, error line and error column agree.
It only reads the standard library; it writes only the ``--write`` file.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import io
import json
import random
import subprocess
import sys
import sysconfig
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TABLE = Path(__file__).resolve().parent.parent / "tests" / "syntax" / "mutations_313.json"
DEFAULT_PY313 = "/root/.pyenv/versions/3.13.0/bin/python3"
FILE_COUNT = 240
MIN_SIZE, MAX_SIZE = 1_500, 12_000

_VERDICTS = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
out = []
for text in json.load(sys.stdin):
    try:
        compile(text, "<mutant>", "exec", dont_inherit=True)
        out.append(None)
    except SyntaxError as exc:
        out.append([exc.lineno or 0, (exc.offset or 1) - 1])
    except ValueError:
        out.append([0, 0])
json.dump(out, sys.stdout)
"""


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the standard library directory
    offset: int  # where the edit starts
    delete: int  # characters removed there
    insert: str  # text inserted there
    expected: list[int] | None  # CPython: None (accepted) or [line, column]

    def apply(self, text: str) -> str:
        return text[: self.offset] + self.insert + text[self.offset + self.delete :]


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def candidate_files(root: Path) -> list[Path]:
    files = sorted(
        p
        for p in root.rglob("*.py")
        if "site-packages" not in p.parts and "lib2to3" not in p.parts and "test" not in p.parts[len(root.parts) : len(root.parts) + 1]
        and MIN_SIZE <= p.stat().st_size <= MAX_SIZE
    )
    step = max(1, len(files) // FILE_COUNT)
    return files[::step][:FILE_COUNT]


def read_text(path: Path, check: bool = True) -> str | None:
    """The decoded source, or None if it does not decode (or, with ``check``, not parse)."""
    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
        if check:
            ast.parse(text)
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return text[1:] if text.startswith("\ufeff") else text


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _statement_sites(tree: ast.Module) -> dict[str, list[ast.stmt]]:
    """Statements by the kind of body they stand in: module, class, function, async."""
    sites: dict[str, list[ast.stmt]] = {"module": [], "class": [], "function": [], "async": []}

    def visit(body: list[ast.stmt], kind: str) -> None:
        for stmt in body:
            sites[kind].append(stmt)
            if isinstance(stmt, ast.ClassDef):
                visit(stmt.body, "class")
            elif isinstance(stmt, ast.FunctionDef):
                visit(stmt.body, "function")
            elif isinstance(stmt, ast.AsyncFunctionDef):
                visit(stmt.body, "async")
            else:
                for field in ("body", "orelse", "finalbody"):
                    inner = getattr(stmt, field, None)
                    if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                        visit(inner, kind)

    visit(tree.body, "module")
    return sites


def make_mutants(rel: str, text: str, rng: random.Random) -> list[Mutant]:
    offsets = _line_offsets(text)
    lines = text.splitlines(keepends=True)
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    brackets = [t for t in tokens if t.type == tokenize.OP and t.string in "()[]{}"]
    colons = [t for t in tokens if t.type == tokenize.OP and t.string == ":"]
    mutants: list[Mutant] = []
    for group in (brackets, colons):
        if group:
            tok = rng.choice(group)
            mutants.append(Mutant(rel, offsets[tok.start[0] - 1] + tok.start[1], 1, "", None))

    def insertion(stmts: list[ast.stmt], statement: str) -> Mutant | None:
        usable = []
        for stmt in stmts:
            first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
            line = lines[first - 1]
            if len(line) - len(line.lstrip(" \t")) == stmt.col_offset or first != stmt.lineno:
                indent = line[: len(line) - len(line.lstrip(" \t"))]
                usable.append((first, indent))
        if not usable:
            return None
        first, indent = rng.choice(usable)
        return Mutant(rel, offsets[first - 1], 0, f"{indent}{statement}\n", None)

    sites = _statement_sites(ast.parse(text))
    wrong = [("module", "return"), ("module", "yield x"), ("class", "yield"), ("class", "return 1"),
             ("function", "await x"), ("module", "await x"), ("async", "yield from x")]
    right = [("function", "yield"), ("function", "return"), ("async", "await x"), ("class", "x = 1")]
    for choices in (wrong, right):
        rng.shuffle(choices)
        for kind, statement in choices:
            mutant = insertion(sites[kind], statement)
            if mutant is not None:
                mutants.append(mutant)
                break
    return mutants


def cpython_verdicts(python: str, texts: list[str]) -> list[list[int] | None]:
    out = subprocess.run([python, "-c", _VERDICTS], input=json.dumps(texts), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def write_table(path: Path, python: str) -> None:
    root = stdlib_root()
    rng = random.Random(313)
    sources: dict[str, str] = {}
    for file in candidate_files(root):
        text = read_text(file)
        if text is not None:
            sources[file.relative_to(root).as_posix()] = text
    # Only files CPython 3.13 compiles unmodified.
    names = list(sources)
    ok = cpython_verdicts(python, [sources[n] for n in names])
    sources = {n: sources[n] for n, verdict in zip(names, ok) if verdict is None}
    mutants = [m for rel, text in sources.items() for m in make_mutants(rel, text, rng)]
    verdicts = cpython_verdicts(python, [m.apply(sources[m.path]) for m in mutants])
    table = {
        "stdlib_version": sys.version.split()[0],
        "compiled_with": subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True, check=True).stdout.strip(),
        "files": {rel: hashlib.sha1(text.encode()).hexdigest()[:12] for rel, text in sources.items()},
        "mutants": [[m.path, m.offset, m.delete, m.insert, v] for m, v in zip(mutants, verdicts)],
    }
    path.write_text(json.dumps(table, indent=0, ensure_ascii=True) + "\n")
    print(f"wrote {len(mutants)} mutants of {len(sources)} files to {path}")


def load_mutants(path: Path) -> tuple[list[tuple[Mutant, str]], int]:
    """Mutants whose source file is unchanged on this machine, and how many files matched."""
    table = json.loads(path.read_text())
    root = stdlib_root()
    texts: dict[str, str] = {}
    for rel, digest in table["files"].items():
        file = root / rel
        if file.exists():
            text = read_text(file, check=False)
            if text is not None and hashlib.sha1(text.encode()).hexdigest()[:12] == digest:
                texts[rel] = text
    found = [(Mutant(p, o, d, i, v), texts[p]) for p, o, d, i, v in table["mutants"] if p in texts]
    return found, len(texts)


def our_verdict(text: str) -> list[int] | None:
    from phasemod.syntax import ParseError, parse

    try:
        parse(text)
    except ParseError as exc:
        return [exc.line, exc.column]
    return None


def measure(path: Path, show: int) -> None:
    mutants, files = load_mutants(path)
    start, cpu = time.perf_counter(), time.process_time()
    results = [(m, our_verdict(m.apply(text))) for m, text in mutants]
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    rejected = [(m, ours) for m, ours in results if m.expected is not None]
    verdict_same = sum((m.expected is None) == (ours is None) for m, ours in results)
    line_same = sum(ours is not None and ours[0] == m.expected[0] for m, ours in rejected)
    column_same = sum(ours is not None and ours == m.expected for m, ours in rejected)
    print(f"{len(mutants)} mutants of {files} files ({len(rejected)} rejected by CPython), parsed in {elapsed:.1f} s ({cpu:.1f} s of CPU)")
    print(f"accept/reject as CPython: {verdict_same}/{len(mutants)} ({100 * verdict_same / len(mutants):.2f} %)")
    print(f"error line as CPython:    {line_same}/{len(rejected)} ({100 * line_same / len(rejected):.2f} %)")
    print(f"line and column:          {column_same}/{len(rejected)} ({100 * column_same / len(rejected):.2f} %)")
    shown = 0
    for m, ours in results:
        if (m.expected is None) != (ours is None) or ours is not None and ours[0] != m.expected[0]:
            if shown < show:
                print(f"  {m.path} @{m.offset} -{m.delete} +{m.insert!r}: cpython {m.expected}, phasemod {ours}")
            shown += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="build the table with CPython 3.13 and write it here")
    parser.add_argument("--python", default=DEFAULT_PY313, help="the CPython 3.13 interpreter")
    parser.add_argument("--table", type=Path, default=DEFAULT_TABLE)
    parser.add_argument("--show", type=int, default=20, help="list this many disagreements")
    args = parser.parse_args()
    if args.write:
        write_table(args.write, args.python)
    else:
        measure(args.table, args.show)


if __name__ == "__main__":
    main()
