"""Measure how many files phasemod.syntax and unmodified fissix parse, and how fast.

Usage: python benchmarks/parse_coverage.py [--compile-with PYTHON] [--show N] DIR...
It only reads the corpora; it never writes into them.
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import os
import subprocess
import sys
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import fissix
from fissix import pytree
from fissix.pgen2 import driver, pgen

from phasemod.syntax import ParseError, parse

_COMPILE_CHECK = """
import json, sys
ok = []
for path in json.load(sys.stdin):
    try:
        with open(path, 'rb') as handle:
            compile(handle.read(), path, 'exec', dont_inherit=True)
        ok.append(path)
    except (SyntaxError, ValueError, UnicodeDecodeError):
        pass
json.dump(ok, sys.stdout)
"""


def unmodified_fissix_driver() -> driver.Driver:
    """A driver on fissix's own Grammar.txt, untouched by phasemod's installation."""
    g = pgen.generate_grammar(os.path.join(os.path.dirname(fissix.__file__), "Grammar.txt"))
    del g.keywords["print"]  # what fissix itself uses for Python 3 code
    return driver.Driver(g, convert=pytree.convert)


@dataclass
class Result:
    files: int = 0
    ours_ok: int = 0
    fissix_ok: int = 0
    ours_mismatch: list[str] = field(default_factory=list)
    fissix_mismatch: int = 0
    failures: list[str] = field(default_factory=list)
    both_bytes: int = 0
    both_ours_s: float = 0.0
    both_fissix_s: float = 0.0
    all_bytes: int = 0
    all_ours_s: float = 0.0


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def compiling(paths: list[Path], python: str | None) -> list[Path]:
    """Files that the reference interpreter compiles."""
    names = [str(p) for p in paths]
    if python is None:
        out = subprocess.run([sys.executable, "-c", _COMPILE_CHECK], input=json.dumps(names), capture_output=True, text=True, check=True)
    else:
        out = subprocess.run([python, "-c", _COMPILE_CHECK], input=json.dumps(names), capture_output=True, text=True, check=True)
    good = set(json.loads(out.stdout))
    return [p for p in paths if str(p) in good]


def read_text(path: Path) -> str | None:
    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    return text[1:] if text.startswith("\ufeff") else text


def measure(root: Path, fissix_driver: driver.Driver, python: str | None, show: int) -> Result:
    result = Result()
    for path in compiling(python_files(root), python):
        text = read_text(path)
        if text is None:
            continue
        result.files += 1
        size = len(text.encode("utf-8", "surrogatepass"))
        # Cyclic GC runs between files, untimed, so that neither parser pays for a
        # collection triggered by the other's garbage.
        gc.collect()
        gc.disable()
        t0 = time.perf_counter()
        try:
            ours = parse(text)
        except ParseError as exc:
            ours = None
            if len(result.failures) < show:
                line = text.splitlines()[exc.line - 1] if 0 < exc.line <= len(text.splitlines()) else ""
                result.failures.append(f"{path}:{exc.line}:{exc.column}: {exc.message}\n        {line.strip()}")
        except RecursionError:
            ours = None
            result.failures.append(f"{path}: recursion limit")
        t1 = time.perf_counter()
        gc.collect()
        fissix_text = text if text.endswith("\n") else text + "\n"
        t1b = time.perf_counter()
        try:
            theirs = fissix_driver.parse_string(fissix_text)
        except Exception:
            theirs = None
        t2 = time.perf_counter()
        gc.enable()
        if ours is not None:
            result.ours_ok += 1
            result.all_bytes += size
            result.all_ours_s += t1 - t0
            if str(ours) != text:
                result.ours_mismatch.append(str(path))
        if theirs is not None:
            result.fissix_ok += 1
            if str(theirs) != fissix_text:
                result.fissix_mismatch += 1
        if ours is not None and theirs is not None:
            result.both_bytes += size
            result.both_ours_s += t1 - t0
            result.both_fissix_s += t2 - t1b
        del ours, theirs
    return result


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.2f} %" if whole else "n/a"


def report(root: Path, r: Result) -> None:
    mb = r.both_bytes / 1e6
    ours_rate = mb / r.both_ours_s if r.both_ours_s else 0.0
    fissix_rate = mb / r.both_fissix_s if r.both_fissix_s else 0.0
    print(f"== {root}")
    print(f"   files CPython compiles : {r.files}")
    print(f"   phasemod parses        : {r.ours_ok} ({_pct(r.ours_ok, r.files)}), round-trip mismatches {len(r.ours_mismatch)}")
    print(f"   fissix parses          : {r.fissix_ok} ({_pct(r.fissix_ok, r.files)}), round-trip mismatches {r.fissix_mismatch}")
    print(
        f"   speed on {r.both_bytes / 1e6:.2f} MB both parse: phasemod {ours_rate:.3f} MB/s, fissix {fissix_rate:.3f} MB/s"
        f" (phasemod time / fissix time = {r.both_ours_s / r.both_fissix_s if r.both_fissix_s else 0:.3f})"
    )
    if r.all_ours_s:
        print(f"   phasemod on all {r.all_bytes / 1e6:.2f} MB it parses: {r.all_bytes / 1e6 / r.all_ours_s:.3f} MB/s")
    for failure in r.failures:
        print(f"   FAIL {failure}")
    for path in r.ours_mismatch[:5]:
        print(f"   ROUND-TRIP {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--compile-with", help="interpreter deciding which files count (default: this one)")
    parser.add_argument("--show", type=int, default=5, help="failures to print per corpus")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    gc.freeze()
    fissix_driver = unmodified_fissix_driver()
    failed = False
    for root in args.dirs:
        r = measure(root, fissix_driver, args.compile_with, args.show)
        report(root, r)
        failed |= r.ours_ok != r.files or bool(r.ours_mismatch)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
