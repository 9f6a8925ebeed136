"""A tiny store whose right answers are known: three user groups, each loyal to one category."""

from __future__ import annotations

import pytest

from personalize_lab.emulator import EmulatorOptions, LocalPersonalize
from tests.support.tiny_store import tiny_config, tiny_frames


@pytest.fixture(scope="module")
def local() -> LocalPersonalize:
    interactions, items, users = tiny_frames()
    return LocalPersonalize.from_frames(
        interactions, items, users, config=tiny_config(), options=EmulatorOptions(seed=7)
    )


@pytest.fixture
def fresh() -> LocalPersonalize:
    """A store tests may change (events, new filters)."""
    interactions, items, users = tiny_frames()
    return LocalPersonalize.from_frames(
        interactions, items, users, config=tiny_config(), options=EmulatorOptions(seed=7)
    )
