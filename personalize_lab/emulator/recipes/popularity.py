"""Popularity-Count and Trending-Now: user-independent rankings (POPULAR_ITEMS, no scores, semantics §1.6).

Both return the same relevance for every user; ``recent_items`` and ``context`` are accepted and ignored,
as the service's popularity recipes do not react to real-time events (semantics §10).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .base import Model, PopularityConfig, RecipeSpec, TrendingConfig
from .training import SECONDS_PER_DAY, TrainingData

__all__ = ["PopularityModel", "TrendingModel"]


def _tie_break(data: TrainingData) -> np.ndarray:
    """A tiny term that orders otherwise equal items by overall interaction count (then catalog order),
    below the resolution of any real difference."""
    return (np.log1p(data.item_counts) * 1e-4).astype(np.float32)


class PopularityModel(Model):
    """log(1 + count) of the configured event types (all by default), ties broken by overall count."""

    def __init__(self, spec: RecipeSpec, data: TrainingData) -> None:
        super().__init__(spec, data)
        config = spec.config
        assert isinstance(config, PopularityConfig)
        mask = data.event_type_mask(config.event_types)
        idx = data.item_idx if mask is None else data.item_idx[mask]
        self.counts = np.bincount(idx, minlength=data.n_items).astype(np.float32)
        self._logits = (np.log1p(self.counts) + _tie_break(data)).astype(np.float32)

    def relevance_for_user(
        self,
        user_id: str,
        *,
        recent_items: np.ndarray | None = None,
        context: Mapping[str, str] | None = None,
    ) -> np.ndarray:
        return self._logits.copy()


class TrendingModel(Model):
    """Growth between the latest window and the one before: ``(now - before) / (before + prior)``.

    Windows end at the dataset's latest interaction. Items with no interaction in either window score 0 and
    fall back to overall popularity through the tie-break term.
    """

    def __init__(self, spec: RecipeSpec, data: TrainingData) -> None:
        super().__init__(spec, data)
        config = spec.config
        assert isinstance(config, TrendingConfig)
        window = config.window_days * SECONDS_PER_DAY
        mask = data.event_type_mask(config.event_types)
        keep = np.ones(data.n_interactions, dtype=bool) if mask is None else mask
        age = data.latest_timestamp - data.timestamp
        now = keep & (age < window)
        before = keep & (age >= window) & (age < 2 * window)
        self.now = np.bincount(data.item_idx[now], minlength=data.n_items).astype(np.float64)
        self.before = np.bincount(data.item_idx[before], minlength=data.n_items).astype(np.float64)
        growth = (self.now - self.before) / (self.before + config.prior)
        self._logits = (growth + _tie_break(data)).astype(np.float32)

    def relevance_for_user(
        self,
        user_id: str,
        *,
        recent_items: np.ndarray | None = None,
        context: Mapping[str, str] | None = None,
    ) -> np.ndarray:
        return self._logits.copy()
