"""report --html: a self-contained page, rendered in headless Chromium to a PNG and a DOM.

Tests only; the sample repository is migrated in a copy under a temporary directory.
"""
from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from phasemod import demo
from phasemod.runner import cli

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def phasemod(repo: Path, *args: str):
    return CliRunner().invoke(cli, ["--repo", str(repo), *args])


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """The sample after phases 1 and 2, its status and its report."""
    root = tmp_path_factory.mktemp("report")
    repo = demo.prepare(root / "repo")
    for phase in ("1", "2"):
        result = phasemod(repo, "run", phase, "--yes", "--jobs", "1")
        assert result.exit_code == 0, result.output
    status = json.loads(phasemod(repo, "status", "--json").output)
    page = root / "report.html"
    result = phasemod(repo, "report", "--html", str(page))
    assert result.exit_code == 0, result.output
    runs = json.loads(phasemod(repo, "log", "--json").output)["runs"]
    return repo, status, page, runs


def test_page_is_self_contained(reported) -> None:
    _, _, page, _ = reported
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for forbidden in ("<script", "<link", " src=", "http://", "https://", "url(", "@import"):
        assert forbidden not in text, forbidden


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    binary = chromium()
    if binary is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium; .ci/run installs it)")
    return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args,
                           page.as_uri()], capture_output=True, text=True, timeout=120)


def test_dom_shows_the_figures(reported, tmp_path: Path) -> None:
    _, status, page, runs = reported
    dom = render(page, tmp_path, "--dump-dom").stdout
    assert f"id=\"overall-remaining\">{status['remaining']}<" in dom
    assert re.search(r'id="overall-percent">\d+\.\d%<', dom)
    assert len(re.findall(r'<tr data-phase="\d+"', dom)) == len(status["phases"])
    for phase in status["phases"]:
        row = re.search(rf'<tr data-phase="{phase["phase"]}">.*?</tr>', dom).group()
        assert f'class="n phase-remaining">{phase["remaining"]}<' in row
    for kind, count in status["by_kind"].items():
        assert re.search(rf'<tr data-kind="{kind}">.*?class="n kind-count">{count}<', dom)
    # one point for the start and one per run in the journal
    assert len(re.findall(r'<circle class="point"', dom)) == len(runs) + 1
    validations = sum(len(r["validations"]) for r in runs)
    assert f"Validation history ({validations})" in dom
    assert 'id="clusters"' in dom and 'class="cluster"' in dom
    for ref in (r for p in status["phases"] for r in p["references"]):
        assert f"{ref['path']}:{ref['line']}" in dom


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, i = [], 8
    while i < len(data):
        length, kind = struct.unpack(">I4s", data[i:i + 8])
        if kind == b"IDAT":
            chunks.append(data[i + 8:i + 8 + length])
        i += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


def test_screenshot_is_a_real_page(reported, tmp_path: Path) -> None:
    _, _, page, _ = reported
    shot = tmp_path / "report.png"
    result = render(page, tmp_path, "--window-size=1280,1800", f"--screenshot={shot}")
    assert shot.exists(), result.stderr[-2000:]
    width, height, raw = png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 1800)
    # A blank or unstyled page has a handful of byte values; the dashboard's colours,
    # bars, chart and text give far more.
    assert len(set(raw[::7])) > 40
