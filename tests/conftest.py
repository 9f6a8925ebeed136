"""Shared fixtures. Browser tests skip without Debian's Chromium, except under CI where that is a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's Chromium. Skips with a reason locally; fails under CI (CI must install it)."""
    path = chromium_path()
    if path is None:
        message = "no Chromium at /usr/bin/chromium: `apt-get install chromium` to run browser tests"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI must run them: .ci/run installs it)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for screenshots and reports that people look at (named in the README)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session", autouse=True)
def busy_cores() -> Iterator[int]:
    """``PL_BUSY_CORES=N`` keeps N processes spinning for the whole run (``make test-under-load``), so the
    suite — the browser tests above all — is shown not to depend on an idle machine."""
    count = int(os.environ.get("PL_BUSY_CORES", "0") or 0)
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(max(count, 0))]
    try:
        yield count
    finally:
        for process in spinners:
            process.kill()
            process.wait()
