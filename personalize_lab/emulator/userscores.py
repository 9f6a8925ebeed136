"""The parts of a user's GetRecommendations answer that no filter or random choice touches, kept per deployment.

A user's logits on a deployment are a pure function of the deployment's model, the user, the events streamed
for them and the request's context; so are the softmax normaliser over them, their unfiltered top-k, and the
exploration candidates left once the top items are taken. A notebook or a service asks for the same user
again and again (pages, refreshes, promotions tried one after another), and each of these costs a pass over
the catalog (``argpartition`` alone is ~15 µs at 2,000 items), so they are computed once per key and kept in a
bounded LRU. Anything that depends on the request's filters, promotions or seeded randomness is not cached.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from personalize_lab.emulator import selection

#: Bytes of relevance and score arrays kept per deployment (24 MB: 1,000 users of a 2k-item catalog, 20 of a
#: 100k one).
CACHE_BYTES = 24 * 2**20

Key = tuple[str, bytes, tuple[tuple[str, str], ...]]


@dataclass(eq=False)
class UserScores:
    """One user's relevance (read-only) and what is derived from it alone, each computed on first use."""

    relevance: np.ndarray
    _log_norm: float | None = None
    _probabilities: np.ndarray | None = None
    uses: int = 0
    _tops: dict[int, list[int]] = field(default_factory=dict)
    _explore: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def log_norm(self) -> float:
        """``selection.log_sum_exp`` of the relevance: the softmax normaliser over the whole catalog."""
        if self._log_norm is None:
            self._log_norm = selection.log_sum_exp(self.relevance)
        return self._log_norm

    def scores(self, chosen: list[int]) -> list[float]:
        """v1 scores ``exp(relevance - log_norm)`` of the ``chosen`` items: from the first request on, for
        those items only; once the user is asked for again, from a softmax over the whole catalog kept here
        (numpy's exp is elementwise, so an item's score is the same bits either way)."""
        if self._probabilities is None and self.uses < 2:
            picked = np.exp(self.relevance[chosen].astype(np.float64) - self.log_norm())
            return list(picked.tolist())
        return list(self.probabilities()[chosen].tolist())

    def probabilities(self) -> np.ndarray:
        """float64 softmax over the whole catalog: ``exp(relevance - log_norm)``, the v1 score of every item."""
        if self._probabilities is None:
            probs = np.exp(self.relevance.astype(np.float64) - self.log_norm())
            probs.flags.writeable = False
            self._probabilities = probs
        return self._probabilities

    def top(self, k: int) -> list[int]:
        """``selection.top_k(relevance, k)`` without a mask, as a fresh list."""
        found = self._tops.get(k)
        if found is None:
            found = self._tops[k] = selection.top_k(self.relevance, k).tolist()
        return list(found)

    def exploration(self, k: int, keep: int, pool: Callable[[], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(candidate indices, their float64 logits): the exploration pool without the first ``keep`` of
        :meth:`top` ``(k)``, as :func:`selection.sample_weighted` would gather them (read-only)."""
        found = self._explore.get((k, keep))
        if found is None:
            candidates = pool()
            candidates[self.top(k)[:keep]] = False
            idx = np.flatnonzero(candidates)
            base = np.asarray(self.relevance[idx], dtype=np.float64)
            idx.flags.writeable = base.flags.writeable = False
            found = self._explore[(k, keep)] = (idx, base)
        return found


_MISSING = UserScores(np.empty(0, dtype=np.float32))


class UserScoresCache:
    """A bounded LRU of :class:`UserScores` keyed by (user, streamed items, context); safe across threads
    (a race only recomputes an entry)."""

    def __init__(self, n_items: int, budget_bytes: int = CACHE_BYTES) -> None:
        self.size = max(8, budget_bytes // max(12 * n_items, 1))  # float32 relevance + float64 scores
        self._entries: OrderedDict[Key, UserScores] = OrderedDict()

    @staticmethod
    def key(user_id: str, recent: np.ndarray | None, context: dict[str, str]) -> Key:
        recent_key = b"" if recent is None or len(recent) == 0 else np.asarray(recent, np.int64).tobytes()
        return (user_id, recent_key, tuple(sorted(context.items())) if context else ())

    def get(self, key: Key, relevance: Callable[[], np.ndarray]) -> UserScores:
        entries = self._entries
        found = entries.get(key, _MISSING)
        if found is not _MISSING:
            found.uses += 1
            with contextlib.suppress(KeyError):  # another server thread may have evicted it meanwhile
                entries.move_to_end(key)
            return found
        # models return a fresh array per call (Model.relevance_for_user), so the cache takes it over and
        # freezes it: no copy (a 100k-item catalog would pay 0.4 MB of page faults per miss)
        values = np.asarray(relevance(), dtype=np.float32)
        values.flags.writeable = False
        entry = entries[key] = UserScores(values, uses=1)
        while len(entries) > self.size:
            with contextlib.suppress(KeyError):
                entries.popitem(last=False)
        return entry
