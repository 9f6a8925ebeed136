"""Shared fixtures. Browser tests skip without Debian's Chromium, except under CI where that is a failure."""

from __future__ import annotations

import os
import shutil
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
