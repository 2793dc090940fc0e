"""Hostile file names, globs, special files, spellings and encodings through the CLI:
no hang, no silent pass, no forged output line, no changed byte outside an edit; the
repository and the sentinel beside it are compared byte for byte after each attack.
"""
from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_repo import make_repo as make_big_repo, phasemod_command, run_process
from hostile_support import MANIFEST, cli_run, files_of, make_repo, one_line_error, outside

SOURCE = b"from pkg.old import Old\n\n\ndef make():\n    return Old()\n"
MIGRATED = b"from pkg.new import New\n\n\ndef make():\n    return New()\n"


def test_fullwidth_spelling_of_the_old_name_is_a_reference(tmp_path: Path) -> None:
    # Python binds identifiers by their NFKC form: `Ｏld` is `Old`.
    source = "from pkg.old import \uff2fld\n\n\ndef make():  # caf\u00e9\n    return \uff2fld()\n".encode()
    repo = make_repo(tmp_path, {"pkg/a.py": source})
    before_out = outside(repo)
    check = cli_run(repo, "check")
    assert check.exit_code == 1 and "pkg/a.py:1: import: pkg.old.Old" in check.stdout
    assert cli_run(repo, "status", "--fail-on-remaining").exit_code == 1
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0
    assert (repo / "pkg/a.py").read_bytes() == "from pkg.new import New\n\n\ndef make():  # caf\u00e9\n    return New()\n".encode()
    assert cli_run(repo, "check").exit_code == 0
    assert outside(repo) == before_out


def test_a_directory_past_path_max_fails_the_gate(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": MIGRATED})
    fd = os.open(repo, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(24):                     # 24 * 201 characters > PATH_MAX (4096)
            os.mkdir("d" * 200, dir_fd=fd)
            child = os.open("d" * 200, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        os.close(os.open("deep.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    finally:
        os.close(fd)
    before_out = outside(repo)
    check = cli_run(repo, "check")
    assert check.exit_code == 1 and "cannot be listed (File name too long)" in check.stdout
    status = cli_run(repo, "status", "--fail-on-remaining")
    assert status.exit_code == 1 and "cannot be listed" in status.stdout
    assert (repo / "pkg/a.py").read_bytes() == MIGRATED and outside(repo) == before_out


@pytest.mark.parametrize("glob, problem", [("[z-a]", "reversed range 'z-a' in a character class"),
                                           ("[]x", "empty character class '[]'")])
def test_bad_globs_are_one_line_errors(tmp_path: Path, glob: str, problem: str) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE}, MANIFEST.replace('"pkg/**/*.py"', f'"{glob}"'))
    before = files_of(repo)
    for command in (("plan",), ("status",), ("run", "1", "--yes")):
        result = cli_run(repo, *command)
        assert result.exit_code == 2
        assert f"01.yaml:4: files.include[0]: {problem}" in one_line_error(result)
    result = cli_run(make_repo(tmp_path / "check", {"pkg/a.py": SOURCE}), "check", glob)
    assert result.exit_code == 2 and problem in one_line_error(result)
    assert files_of(repo) == before


def test_a_glob_of_many_stars_matches_in_linear_time(tmp_path: Path) -> None:
    glob = "pkg/" + "*a" * 16 + "b.py"
    names = {f"pkg/{'a' * n}.py": SOURCE for n in (40, 240)}
    repo = make_repo(tmp_path, names, MANIFEST.replace('"pkg/**/*.py"', f'"{glob}", "pkg/aaab.py"'))
    (repo / "pkg/aaab.py").write_bytes(SOURCE)
    (repo / f"pkg/{'a' * 16}b.py").write_bytes(SOURCE)   # an include glob must match a file
    result = run_process(repo, "plan", timeout=120)   # backtracking took hours here
    assert result.returncode == 0, result.stderr
    assert "phase 1 one: 2 files selected" in result.stdout


def test_fifos_devices_and_sockets_are_findings_never_read(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    os.mkfifo(repo / "pkg/fifo.py")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(repo / "pkg/sock.py"))
    try:
        os.mknod(repo / "pkg/zero.py", 0o600 | 0o020000, os.makedev(1, 5))     # /dev/zero's numbers
        special = ("fifo", "sock", "zero")
    except PermissionError:
        special = ("fifo", "sock")
    before_out = outside(repo)
    for command in (("plan",), ("check",), ("status", "--fail-on-remaining"), ("run", "1", "--yes", "--jobs", "2")):
        result = run_process(repo, *command, timeout=120)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
        if command[0] in ("check", "status", "run"):
            assert result.returncode == 1
            for name in special:
                assert f"pkg/{name}.py" in result.stdout and "not a regular file" in result.stdout
    assert (repo / "pkg/a.py").read_bytes() == MIGRATED
    assert outside(repo) == before_out
    sock.close()


def test_a_fifo_manifest_is_a_one_line_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE})
    os.mkfifo(repo / "phase_manifests/02.yaml")
    result = run_process(repo, "plan", timeout=120)
    assert result.returncode == 2
    assert "02.yaml:0: (file): cannot read the file (not a regular file" in result.stderr


def test_a_file_over_the_size_limit_is_a_finding(tmp_path: Path) -> None:
    big = SOURCE + b"# " + b"x" * 1_150_000 + b"\n"               # 1.1 MiB, quick to parse
    repo = make_repo(tmp_path, {"pkg/big.py": big, "pkg/a.py": SOURCE})
    before_out = outside(repo)
    result = cli_run(repo, "--max-file-size", "1", "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 1
    assert "pkg/big.py: unparseable: 1.1 MiB, larger than the 1 MiB parse limit; not migrated, pass " \
           "--max-file-size to raise the limit" in result.stdout
    assert (repo / "pkg/big.py").read_bytes() == big and (repo / "pkg/a.py").read_bytes() == MIGRATED
    check = cli_run(repo, "--max-file-size", "1", "check")
    assert check.exit_code == 1 and "pkg/big.py:1: reference: pkg.old.Old" in check.stdout
    assert cli_run(repo, "run", "1", "--yes", "--jobs", "1").exit_code == 0   # the default limit is larger
    assert b"New()" in (repo / "pkg/big.py").read_bytes()
    assert outside(repo) == before_out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_a_pooled_run_and_releases_the_lock(tmp_path: Path, sig: int) -> None:
    repo = make_big_repo(tmp_path / "repo", files=300, uses=3)
    before_out = outside(repo)
    proc = subprocess.Popen([*phasemod_command(), "--repo", str(repo), "run", "1", "--yes", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            env=dict(os.environ, NO_COLOR="1"))
    deadline = time.monotonic() + 120
    first = repo / "pkg/p1_0.py"
    while b"New()" not in first.read_bytes() and proc.poll() is None:   # the pool is writing
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode in (0, 130), (out, err)     # 0: it had finished before the signal came
    assert "Traceback" not in err
    assert not (repo / ".phasemod" / "lock").exists()
    log = json.loads(run_process(repo, "log", "--json").stdout)
    assert log["runs"][0]["outcome"] in ("applied", "interrupted")
    assert {f["state"] for f in log["runs"][0]["files"]} <= {"applied"}
    assert outside(repo) == before_out


def test_few_file_descriptors_is_a_one_line_error(tmp_path: Path) -> None:
    repo = make_big_repo(tmp_path / "repo", files=40)
    result = subprocess.run([*phasemod_command(), "--repo", str(repo), "run", "1", "--yes", "--jobs", "2"],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (12, 12)))
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Too many open files (this process may open 12)" in lines[0], lines
    assert "ulimit -n" in lines[0] and "internal error" not in lines[0]


def test_phase_number_of_two_to_the_64_is_a_manifest_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": SOURCE}, MANIFEST.replace("phase: 1", f"phase: {2**64}"))
    for command in (("plan",), ("run", "1", "--yes")):
        result = cli_run(repo, *command)
        assert result.exit_code == 2
        assert "01.yaml:1: phase: expected a phase number from 0 to 9223372036854775807" in one_line_error(result)


NAMES = ["pkg/\x1b]0;TITLE\x07\x1b[2Jx.py", "pkg/line\n::error file=ci.py::forged.py", "pkg/\r\u202eyp.evil.py"]


def test_control_characters_in_names_and_lines_are_escaped(tmp_path: Path) -> None:
    source = "from pkg.old import Old\nOld()  # \x1b[2J \u202e::error::forged\n".encode()
    repo = make_repo(tmp_path, {name: source for name in NAMES})
    check = cli_run(repo, "check")
    assert check.exit_code == 1
    lines = check.stdout.splitlines()
    assert len(lines) == 2 * len(NAMES)                # one line per reference, whatever the names
    assert all(line.startswith("pkg/") for line in lines), lines
    assert not any(c in check.stdout for c in "\x1b\r\u202e")
    assert "pkg/\\x1b]0;TITLE\\x07\\x1b[2Jx.py:1: import" in check.stdout
    assert "pkg/line\\n::error file=ci.py::forged.py:2: instantiation" in check.stdout
    assert "Old()  # \\x1b[2J \\u202e::error::forged" in check.stdout
    review = cli_run(repo, "run", "1", "-i", "--one-by-one", "--jobs", "1", input="A\n")
    assert review.exit_code == 0, review.output
    assert not any(c in review.output for c in "\x1b\r\u202e")
    dry = cli_run(make_repo(tmp_path / "dry", {name: source for name in NAMES}), "run", "1", "--dry-run")
    assert not any(c in dry.output for c in "\x1b\r\u202e")
    assert "+New()  # \\x1b[2J \\u202e::error::forged" in dry.output


@pytest.mark.parametrize("data, why", [
    (b"# -*- coding: unicode_escape -*-\nfrom pkg.old import Old\nx = '\\u00e9'\nOld()\n", "is stateful"),
    (b"# coding: cp932\nfrom pkg.old import Old\nx = '\x87\x90'\nOld()\n", "does not round-trip"),
], ids=["unicode_escape", "cp932"])
def test_an_encoding_that_would_change_other_bytes_is_refused(tmp_path: Path, data: bytes, why: str) -> None:
    repo = make_repo(tmp_path, {"pkg/a.py": data})
    before, before_out = files_of(repo), outside(repo)
    result = cli_run(repo, "run", "1", "--yes", "--jobs", "1")
    assert result.exit_code == 1 and f"pkg/a.py: unparseable: encoding" in result.stdout and why in result.stdout
    assert files_of(repo) == before and outside(repo) == before_out
    assert cli_run(repo, "check").exit_code == 1


def test_a_latin1_stub_with_a_cookie_is_migrated_byte_for_byte(tmp_path: Path) -> None:
    stub = b"# -*- coding: latin-1 -*-\n# caf\xe9\nfrom pkg.old import Old\n\ndef make() -> Old: ...\n"
    cp932 = b"# coding: cp932\nfrom pkg.old import Old\nx = '\x82\xa0'\nOld()\n"
    repo = make_repo(tmp_path, {"pkg/a.pyi": stub, "pkg/b.py": cp932, "pkg/z.py": SOURCE},
                     MANIFEST.replace('"pkg/**/*.py"', '"pkg/**/*.py", "pkg/**/*.pyi"'))
    for mode in ("-i", "--yes"):
        result = cli_run(repo, "run", "1", mode, "--jobs", "1", input="A\n")
        assert result.exit_code == 0, result.output
    assert (repo / "pkg/a.pyi").read_bytes() == stub.replace(b"old import Old", b"new import New").replace(
        b"-> Old", b"-> New")
    assert (repo / "pkg/b.py").read_bytes() == cp932.replace(b"old import Old", b"new import New").replace(
        b"Old()", b"New()")
    assert (repo / "pkg/z.py").read_bytes() == MIGRATED
