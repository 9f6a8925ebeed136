"""What the serving pipeline asks of a target's relevance, whether it is kept per user or computed fresh.

A user's relevance on a deployment is kept with what derives from it alone (softmax normaliser, unfiltered
top-k, exploration candidates) in :class:`~personalize_lab.emulator.userscores.UserScores`; a seed item's
relevance (related-items recipes) is used once, by :class:`FreshRelevance`. Both answer the same
:class:`Relevance` questions with the same numbers, so the pipeline has one path and the cache stays an
implementation detail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from personalize_lab.emulator import selection


class Relevance(Protocol):
    """One target's logits over the catalog and the filter-free answers derived from them."""

    @property
    def relevance(self) -> np.ndarray: ...

    def log_norm(self) -> float:
        """log Σ exp(relevance): the softmax normaliser over the whole catalog."""
        ...

    def scores(self, chosen: list[int]) -> list[float]:
        """Softmax scores ``exp(relevance - log_norm)`` of the chosen items."""
        ...

    def top(self, k: int) -> list[int]:
        """The ``k`` most relevant items, no mask (``selection.top_k``)."""
        ...

    def exploration(self, k: int, keep: int, pool: Callable[[], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(candidate indices, their float64 logits): ``pool()`` without the first ``keep`` of ``top(k)``."""
        ...


class FreshRelevance:
    """:class:`Relevance` over logits used once (nothing kept)."""

    def __init__(self, relevance: np.ndarray) -> None:
        self.relevance = np.asarray(relevance, dtype=np.float32)

    def log_norm(self) -> float:
        return selection.log_sum_exp(self.relevance)

    def scores(self, chosen: list[int]) -> list[float]:
        picked = np.exp(self.relevance[chosen].astype(np.float64) - self.log_norm())
        return list(picked.tolist())

    def top(self, k: int) -> list[int]:
        return list(selection.top_k(self.relevance, k).tolist())

    def exploration(self, k: int, keep: int, pool: Callable[[], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        candidates = pool()
        candidates[self.top(k)[:keep]] = False
        idx = np.flatnonzero(candidates)
        return idx, np.asarray(self.relevance[idx], dtype=np.float64)
