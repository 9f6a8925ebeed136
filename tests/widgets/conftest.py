"""One demo Lab for the panel tests (the demo store trains once; panels share it)."""

from __future__ import annotations

import pytest

from personalize_lab.client import Lab


@pytest.fixture(scope="session")
def demo_lab() -> Lab:
    return Lab.demo()
