"""The demo dataset group's resources, kept with the demo data in :mod:`personalize_lab.datasets.demo_config`
(re-exported here for the engine and older imports)."""

from __future__ import annotations

from personalize_lab.datasets.demo_config import DEMO_FILTERS, demo_config

__all__ = ["DEMO_FILTERS", "demo_config"]
