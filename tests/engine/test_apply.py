"""Atomic replace: bytes and modes kept, unsafe targets refused, failures leave no trace."""
from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from phasemod import apply
from phasemod.apply import UnsafeWrite, WriteFailed, delete, read_current, write_atomic
from phasemod.errors import EngineError


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("data", [
    b"a = 1\r\nb = 2\r\n",
    "\ufeffimport os\n".encode("utf-8"),
    "caf\xe9 = 'd\xe9j\xe0'\n".encode("latin-1"),
    b"\tmixed\r\nendings\nno newline at end",
    b"",
], ids=["crlf", "bom", "latin1", "mixed", "empty"])
def test_bytes_written_untouched(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_bytes(b"old\n")
    write_atomic(tmp_path, "pkg/m.py", data)
    assert (tmp_path / "pkg" / "m.py").read_bytes() == data
    assert listing(tmp_path) == ["pkg", "pkg/m.py"]


@pytest.mark.parametrize("mode", [0o600, 0o644, 0o755, 0o640, 0o666, 0o4750])
def test_mode_of_replaced_file_kept(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "m.py"
    target.write_bytes(b"old")
    os.chmod(target, mode)
    write_atomic(tmp_path, "m.py", b"new")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_bytes() == b"new"


def test_explicit_mode_and_new_directories(tmp_path: Path) -> None:
    write_atomic(tmp_path, "a/b/c.py", b"x", mode=0o751)
    assert stat.S_IMODE((tmp_path / "a/b/c.py").stat().st_mode) == 0o751
    write_atomic(tmp_path, "d.py", b"y")
    assert stat.S_IMODE((tmp_path / "d.py").stat().st_mode) == apply.default_mode()


def test_temp_file_is_private_and_exclusive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "m.py").write_bytes(b"old")
    os.chmod(tmp_path / "m.py", 0o666)
    real_open = os.open
    calls = []

    def open_spy(path, flags, mode=0o777, *, dir_fd=None):  # type: ignore[no-untyped-def]
        if str(path).endswith(apply.TEMP_SUFFIX):
            calls.append((str(path), mode, flags))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", open_spy)
    write_atomic(tmp_path, "m.py", b"new")
    (name, mode, flags), = calls
    assert name.startswith(".m.py.") and mode & 0o077 == 0
    assert flags & os.O_EXCL and flags & os.O_NOFOLLOW
    assert stat.S_IMODE((tmp_path / "m.py").stat().st_mode) == 0o666


@pytest.mark.parametrize("rel", ["../outside.py", "/etc/passwd", "a/../../x.py", "", ".", ".phasemod/journal.sqlite3"])
def test_escaping_paths_refused(tmp_path: Path, rel: str) -> None:
    with pytest.raises(UnsafeWrite) as info:
        write_atomic(tmp_path, rel, b"x")
    assert "\n" not in str(info.value)
    with pytest.raises(UnsafeWrite):
        delete(tmp_path, rel)
    assert not (tmp_path.parent / "outside.py").exists()


def test_symlinked_target_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_bytes(b"secret")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link.py").symlink_to(outside)
    with pytest.raises(UnsafeWrite, match=r"link\.py: is a symbolic link"):
        write_atomic(repo, "link.py", b"x")
    with pytest.raises(UnsafeWrite):
        delete(repo, "link.py")
    assert outside.read_bytes() == b"secret" and (repo / "link.py").is_symlink()


def test_symlinked_parent_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "m.py").write_bytes(b"secret")
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "sub").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafeWrite, match=r"pkg/sub/m\.py: pkg/sub is a symbolic link"):
        write_atomic(repo, "pkg/sub/m.py", b"x")
    with pytest.raises(UnsafeWrite):
        delete(repo, "pkg/sub/m.py")
    assert (outside / "m.py").read_bytes() == b"secret"
    assert listing(outside) == ["m.py"]


def test_non_regular_target_refused(tmp_path: Path) -> None:
    (tmp_path / "dir.py").mkdir()
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(UnsafeWrite, match="not a regular file"):
        write_atomic(tmp_path, "dir.py", b"x")
    with pytest.raises(UnsafeWrite, match="not a regular file"):
        write_atomic(tmp_path, "fifo", b"x")
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(UnsafeWrite, match="not a directory"):
        write_atomic(tmp_path, "file/x.py", b"x")


@pytest.mark.parametrize("victim", ["write", "fsync", "fchmod", "replace"])
def test_os_failure_leaves_original_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, victim: str) -> None:
    target = tmp_path / "m.py"
    target.write_bytes(b"original\r\n")
    os.chmod(target, 0o640)

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, victim, fail)
    with pytest.raises(WriteFailed) as info:
        write_atomic(tmp_path, "m.py", b"new content" * 1000)
    monkeypatch.undo()
    assert str(info.value).startswith("m.py: cannot be written (No space left on device)")
    assert target.read_bytes() == b"original\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert listing(tmp_path) == ["m.py"]


def test_permission_denied_on_temp_create(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "m.py").write_bytes(b"original")
    real_open = os.open

    def deny(path, flags, mode=0o777, *, dir_fd=None):  # type: ignore[no-untyped-def]
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(WriteFailed, match="Permission denied"):
        write_atomic(tmp_path, "m.py", b"new")
    monkeypatch.undo()
    assert (tmp_path / "m.py").read_bytes() == b"original"
    assert listing(tmp_path) == ["m.py"]


def make_read_only(directory: Path) -> bool:
    """chmod a-w, or for root (who ignores permissions) the immutable attribute."""
    if os.geteuid() != 0:
        os.chmod(directory, 0o555)
        return True
    done = subprocess.run(["chattr", "+i", str(directory)], capture_output=True) if shutil.which("chattr") else None
    return bool(done and done.returncode == 0)


def make_writable(directory: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(directory)], capture_output=True)
    os.chmod(directory, 0o755)


def test_read_only_directory(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "m.py").write_bytes(b"original")
    if not make_read_only(ro):
        pytest.skip("cannot make a directory read-only here")
    try:
        with pytest.raises(WriteFailed, match=r"ro/m.py: cannot be written \("):
            write_atomic(tmp_path, "ro/m.py", b"new")
        with pytest.raises(WriteFailed, match="cannot be deleted"):
            delete(tmp_path, "ro/m.py")
    finally:
        make_writable(ro)
    assert listing(ro) == ["m.py"] and (ro / "m.py").read_bytes() == b"original"


def test_delete_and_read_current(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "m.py").write_bytes(b"x")
    os.chmod(tmp_path / "a" / "m.py", 0o604)
    assert read_current(tmp_path, "a/m.py") == (b"x", 0o604)
    delete(tmp_path, "a/m.py")
    assert read_current(tmp_path, "a/m.py") is None
    assert read_current(tmp_path, "missing/dir.py") is None
    with pytest.raises(WriteFailed, match="does not exist"):
        delete(tmp_path, "a/m.py")


def test_errors_are_engine_errors() -> None:
    assert issubclass(UnsafeWrite, EngineError) and issubclass(WriteFailed, EngineError)


def test_stray_temps_found_only_for_their_file(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(b"x")
    (tmp_path / ".m.py.0123abcd.phasemod-tmp").write_bytes(b"half")
    (tmp_path / ".other.py.0123abcd.phasemod-tmp").write_bytes(b"half")
    (tmp_path / ".m.py.notours").write_bytes(b"keep")
    assert apply.stray_temps(tmp_path, "m.py") == [".m.py.0123abcd.phasemod-tmp"]
