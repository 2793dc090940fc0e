"""Hostile Python sources through the real CLI: each file is migrated with its encoding,
BOM and newlines kept, or reported as unparseable and left byte for byte as it was.

Every case also runs `rollback` and checks the original bytes come back.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from hostile_support import cli_run, files_of, make_repo, outside

IMPORT_OLD, IMPORT_NEW = b"from pkg.old import Old", b"from pkg.new import New"

# (id, original bytes, expected bytes after `run --yes`)
MIGRATED = [
    ("lf", b"from pkg.old import Old\nOld()\n", b"from pkg.new import New\nNew()\n"),
    ("crlf", b"from pkg.old import Old\r\nOld()\r\n", b"from pkg.new import New\r\nNew()\r\n"),
    ("mixed-newlines", b"from pkg.old import Old\r\nOld()\nx = 1\r\ny = Old\n",
     b"from pkg.new import New\r\nNew()\nx = 1\r\ny = New\n"),
    ("lone-cr", b"from pkg.old import Old\rOld()\r", b"from pkg.new import New\rNew()\r"),
    ("no-final-newline", b"from pkg.old import Old\nOld()", b"from pkg.new import New\nNew()"),
    ("bom", b"\xef\xbb\xbffrom pkg.old import Old\nOld()\n", b"\xef\xbb\xbffrom pkg.new import New\nNew()\n"),
    ("bom-crlf", b"\xef\xbb\xbffrom pkg.old import Old\r\nOld()\r\n",
     b"\xef\xbb\xbffrom pkg.new import New\r\nNew()\r\n"),
    ("latin-1-cookie", b"# -*- coding: latin-1 -*-\nfrom pkg.old import Old\nname = '\xe9t\xe9'  # caf\xe9\nOld()\n",
     b"# -*- coding: latin-1 -*-\nfrom pkg.new import New\nname = '\xe9t\xe9'  # caf\xe9\nNew()\n"),
    ("cp1252-cookie", b"# coding=cp1252\nfrom pkg.old import Old\nq = '\x93quoted\x94'\nOld()\n",
     b"# coding=cp1252\nfrom pkg.new import New\nq = '\x93quoted\x94'\nNew()\n"),
    ("utf-8-non-ascii", "from pkg.old import Old\nnom = 'Über ☃'\nOld()\n".encode(),
     "from pkg.new import New\nnom = 'Über ☃'\nNew()\n".encode()),
    ("form-feed", b"from pkg.old import Old\n\x0c\ndef f():\n    return Old()\n",
     b"from pkg.new import New\n\x0c\ndef f():\n    return New()\n"),
    ("tabs", b"from pkg.old import Old\nif True:\n\tx = Old()\n\tif x:\n\t\tOld()\n",
     b"from pkg.new import New\nif True:\n\tx = New()\n\tif x:\n\t\tNew()\n"),
    ("trailing-whitespace", b"from pkg.old import Old   \nOld() \t\n", b"from pkg.new import New   \nNew() \t\n"),
    ("backslash-continuation", b"from pkg.old import \\\n    Old\nx = \\\n    Old()\n",
     b"from pkg.new import \\\n    New\nx = \\\n    New()\n"),
]

# (id, bytes): never rewritten, reported as unparseable with the file's path
UNPARSEABLE = [
    ("undecodable-utf-8", b"from pkg.old import Old\nx = '\xff\xfe'\nOld()\n"),
    ("latin-1-bytes-without-cookie", b"from pkg.old import Old\nx = 'caf\xe9'\nOld()\n"),
    ("unknown-cookie", b"# -*- coding: no-such-codec -*-\nfrom pkg.old import Old\nOld()\n"),
    ("utf-16-cookie", b"# -*- coding: utf-16 -*-\nfrom pkg.old import Old\nOld()\n"),
    ("bom-with-latin-1-cookie", b"\xef\xbb\xbf# coding: latin-1\nfrom pkg.old import Old\nOld()\n"),
    ("null-byte", b"from pkg.old import Old\nx = 1\x00\nOld()\n"),
    ("not-python-html", b"<html><body>pkg.old.Old {{ Old }}</body></html>\n"),
    ("not-python-binary", b"\x89PNG\r\n\x1a\n\x00\x00pkg.old.Old\x00Old\xff\xd8"),
    ("not-python-json", b'{"target": "pkg.old.Old", "Old": [1, 2,\n'),
    ("unterminated-string", b"from pkg.old import Old\nx = 'abc\nOld()\n"),
    ("bad-indent", b"from pkg.old import Old\nif 1:\n  Old()\n Old()\n"),
    ("deep-parentheses", b"from pkg.old import Old\nx = " + b"(" * 5000 + b"Old" + b")" * 5000 + b"\n"),
    ("deep-lists", b"from pkg.old import Old\nx = " + b"[" * 1000 + b"Old" + b"]" * 1000 + b"\n"),
    ("long-binary-chain", b"from pkg.old import Old\nx = Old" + b" + 1" * 5_000 + b"\n"),
]


def _run_and_rollback(tmp_path: Path, data: bytes, *extra: str):
    repo = make_repo(tmp_path, {"pkg/a.py": data})
    before_out, before_repo = outside(repo), files_of(repo)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1", *extra)
    after = (repo / "pkg/a.py").read_bytes()
    rolled = cli_run(repo, "rollback", "1", "--yes")
    assert rolled.exit_code == 0, rolled.output
    assert files_of(repo) == before_repo
    assert outside(repo) == before_out
    return result, after


@pytest.mark.parametrize("data, expected", [c[1:] for c in MIGRATED], ids=[c[0] for c in MIGRATED])
def test_migrated_with_encoding_and_newlines_kept(tmp_path: Path, data: bytes, expected: bytes) -> None:
    result, after = _run_and_rollback(tmp_path, data)
    assert result.exit_code == 0, result.output
    assert after == expected


@pytest.mark.parametrize("data", [c[1] for c in UNPARSEABLE], ids=[c[0] for c in UNPARSEABLE])
def test_unparseable_reported_never_touched(tmp_path: Path, data: bytes) -> None:
    result, after = _run_and_rollback(tmp_path, data)
    assert result.exit_code == 1, result.output
    assert after == data
    assert "pkg/a.py" in result.output and "unparseable" in result.output
    repo = tmp_path / "repo"
    # Its references still count as remaining (or it is listed as unparseable).
    assert cli_run(repo, "status", "--fail-on-remaining").exit_code == 1


@pytest.mark.parametrize("data", [c[1] for c in UNPARSEABLE[:3]], ids=[c[0] for c in UNPARSEABLE[:3]])
def test_allow_unparseable_exits_zero_and_migrates_the_rest(tmp_path: Path, data: bytes) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": data, "pkg/b.py": b"from pkg.old import Old\n"})
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1", "--allow-unparseable")
    assert result.exit_code == 0, result.output
    assert (repo / "pkg/a.py").read_bytes() == data
    assert (repo / "pkg/b.py").read_bytes() == b"from pkg.new import New\n"


def test_dry_run_of_hostile_files_writes_nothing(tmp_path: Path) -> None:
    files = {f"pkg/m_{i}.py": c[1] for i, c in enumerate(MIGRATED + UNPARSEABLE)}
    repo = make_repo(tmp_path, files)
    before = files_of(repo), outside(repo)
    result = cli_run(repo, "run", "1", "--dry-run", "--jobs", "2")
    assert result.exit_code == 1
    assert (files_of(repo), outside(repo)) == before
    assert not (repo / ".phasemod" / "journal.sqlite3").exists()


def test_many_hostile_files_in_parallel_workers(tmp_path: Path) -> None:
    files = {f"pkg/m_{i}.py": c[1] for i, c in enumerate(MIGRATED + UNPARSEABLE)}
    repo = make_repo(tmp_path, files)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "3")
    assert result.exit_code == 1, result.output
    for i, case in enumerate(MIGRATED):
        assert (repo / f"pkg/m_{i}.py").read_bytes() == case[2], case[0]
    for i, case in enumerate(UNPARSEABLE, len(MIGRATED)):
        assert (repo / f"pkg/m_{i}.py").read_bytes() == case[1], case[0]


def test_ten_megabyte_generated_file(tmp_path: Path) -> None:
    # A generated module: one import, 10 MB of identical data lines, one use at the end.
    line = b"    '" + b"a" * 80 + b"'\n"
    body = b"BLOB = (\n" + line * (10_000_000 // len(line) + 1) + b")\n"
    data = IMPORT_OLD + b"\n" + body + b"x = Old()\n"
    assert len(data) >= 10_000_000
    result, after = _run_and_rollback(tmp_path, data)
    assert result.exit_code == 0, result.output
    assert after == IMPORT_NEW + b"\n" + body + b"x = New()\n"


def test_python_file_without_references_is_never_decoded(tmp_path: Path) -> None:
    # Bytes no codec accepts, but no old name: skipped by the byte prefilter, not reported.
    repo = make_repo(tmp_path, {"pkg/a.py": b"\xff\xfe\x00garbage"})
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (repo / "pkg/a.py").read_bytes() == b"\xff\xfe\x00garbage"
