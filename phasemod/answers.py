"""Answers of the read-only commands (``status``, ``check``, ``plan``) kept for an
unchanged tree, so that asking again costs one walk and one ``stat`` per file.

An answer is what the command printed (stdout, stderr) and its exit code, stored in
``.phasemod/answer-<key>.json``. The key covers the command and its options, colour, and
phasemod's version; the file holds a fingerprint of everything the answer depends on:
path, size, mtime and inode of every file under the repository (``.git`` and phasemod's own
caches left out, the journal kept), of the manifests directory when it lies outside, and
of phasemod's own source files. A lookup recomputes the fingerprint and replays the answer
only when it is equal; anything else (a changed, added or removed file, an edited manifest,
a new journal row) runs the command as usual. An answer is stored only when nothing changed
while the command ran and no file was modified in the last moments before it finished (a
later edit within the same timestamp tick could otherwise go unseen).

Stdlib only, and imported by the command line before anything heavy: a replayed answer
never loads the parser, Bowler or YAML.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

PREFIX = "answer"
RACY_NS = 100_000_000        # files modified this close to the end are not trusted to be final
_LIMIT = 64 << 20


def _walk(root: str, prefix: str, out: list[str], newest: list[int], state: bool = True) -> None:
    try:
        entries = list(os.scandir(root))
    except OSError:
        out.append(f"{prefix}\0unreadable\n")
        return
    entries.sort(key=lambda e: e.name)
    for entry in entries:
        name = entry.name
        rel = prefix + name
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            out.append(f"{rel}\0gone\n")
            continue
        if entry.is_dir(follow_symlinks=False):
            if name == ".git" and not prefix:
                continue
            if name == ".phasemod" and not prefix:
                if state:
                    _walk_state(entry.path, out)
                continue
            out.append(f"{rel}/\0{st.st_mode}\n")
            _walk(entry.path, rel + "/", out, newest)
            continue
        if entry.is_symlink():
            try:
                st = os.stat(entry.path)       # what the link leads to
            except OSError:
                pass
        out.append(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0{st.st_mode}\n")
        if st.st_mtime_ns > newest[0]:
            newest[0] = st.st_mtime_ns


def _walk_state(path: str, out: list[str]) -> None:
    """In ``.phasemod`` only what answers depend on: the journal (its runs, phase states and
    validations); the caches and the baseline are written by the commands themselves."""
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith("journal.sqlite3") or entry.name.endswith("-shm"):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        out.append(f".phasemod/{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n")


def fingerprint(repo: Path, manifests: Path, state: bool = True) -> tuple[str, int]:
    """(digest of the tree's metadata, newest mtime in ns); ``state``: the journal counts."""
    lines: list[str] = []
    newest = [0]
    _walk(str(repo), "", lines, newest, state)
    manifests = Path(os.path.abspath(manifests))
    if not manifests.is_relative_to(repo):
        lines.append("<manifests>\n")
        _walk(str(manifests), "<manifests>/", lines, newest)
    package = os.path.dirname(os.path.abspath(__file__))
    lines.append("<phasemod>\n")
    _walk(package, "<phasemod>/", lines, [0])
    h = hashlib.sha256()
    h.update("".join(lines).encode("utf-8", "surrogateescape"))
    return h.hexdigest(), newest[0]


def answer_key(command: str, params: dict[str, Any], color: bool, manifests: Path) -> str:
    from phasemod import __version__

    text = json.dumps([command, sorted((k, repr(v)) for k, v in params.items()), color,
                       sys.stdout.isatty(), str(manifests), __version__])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Tee(io.TextIOBase):
    def __init__(self, real: Any) -> None:
        self.real, self.parts = real, []

    def write(self, text: str) -> int:
        if not isinstance(text, str):        # Click probes streams with b"" to tell text from binary
            raise TypeError("text stream")
        self.parts.append(text)
        return self.real.write(text)

    def flush(self) -> None:
        self.real.flush()

    def isatty(self) -> bool:
        return self.real.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.real, "encoding", "utf-8")


def _load(repo: Path, name: str) -> dict | None:
    from phasemod import state

    try:
        data = state.read_file(repo, name, _LIMIT)
    except Exception:           # an untrusted state directory: the command itself says so
        return None
    if data is None:
        return None
    try:
        answer = json.loads(data)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


@contextmanager
def replayed(repo: Path, manifests: Path, command: str, params: dict[str, Any], color: bool) -> Iterator[None]:
    """Around a read-only command: replay its stored answer for an unchanged tree (exits
    at once with the stored code), else run it and store what it printed."""
    name = f"{PREFIX}-{answer_key(command, params, color, manifests)}.json"
    before, _ = fingerprint(repo, manifests)
    answer = _load(repo, name)
    if answer is not None and answer.get("fingerprint") == before:
        sys.stdout.write(answer.get("stdout", ""))
        sys.stderr.write(answer.get("stderr", ""))
        sys.stdout.flush()
        raise SystemExit(int(answer.get("exit", 0)))
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err   # type: ignore[assignment]
    code: int | None = 0
    try:
        yield
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else None)
        raise
    except BaseException:
        code = None
        raise
    finally:
        sys.stdout, sys.stderr = real_out, real_err
        if code in (0, 1):
            _store(repo, manifests, name, before, "".join(out.parts), "".join(err.parts), code)


def _store(repo: Path, manifests: Path, name: str, before: str, stdout: str, stderr: str, code: int) -> None:
    from phasemod import state

    after, newest = fingerprint(repo, manifests)
    if after != before or newest >= time.time_ns() - RACY_NS:
        return
    body = json.dumps({"fingerprint": after, "stdout": stdout, "stderr": stderr, "exit": code})
    try:
        state.write_file(repo, name, body.encode("utf-8", "surrogateescape"))
    except Exception:           # a cache: never the reason a command fails
        pass
