"""Choosing the items of one answer: softmax scores, masked top-k, promoted slots and exploration picks.

These are the numeric kernels of every runtime call, kept apart from request handling so their rules
(semantics §2 scores, §4 promotions, §5 exploration) are each in one small, testable function. They work on
catalog indices and numpy arrays only, and cost one or two passes over the catalog.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from personalize_lab.emulator.options import PromotionRounding


class Allowed:
    """The catalog items a request may return: a read-only bool mask and, on first use, its sorted positions.

    A filter that reads only its filterValues and the item metadata gives the same ``Allowed`` to every
    request with those values (``CompiledFilter.allowed``), so the positions — a pass over the catalog — are
    found once, and :func:`top_k_among` partitions just those items.
    """

    __slots__ = ("_positions", "mask")

    def __init__(self, mask: np.ndarray) -> None:
        mask.flags.writeable = False
        self.mask = mask
        self._positions: np.ndarray | None = None

    @property
    def positions(self) -> np.ndarray:
        """``np.flatnonzero(mask)``, read-only."""
        if self._positions is None:
            positions = np.flatnonzero(self.mask)
            positions.flags.writeable = False
            self._positions = positions
        return self._positions

    def __and__(self, other: np.ndarray) -> Allowed:
        """A new set: these items that ``other`` (a bool mask) also allows."""
        return Allowed(self.mask & other)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax in float64 (scores over a large catalog are tiny; float32 would lose them)."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(initial=-np.inf) if len(z) else z
    e = np.exp(z)
    total = e.sum()
    return e / total if total > 0 else e


def log_sum_exp(logits: np.ndarray) -> float:
    """log Σ exp(logits), stable: one max pass and one exp pass (in the logits' own dtype), summed in float64.

    A softmax score is then ``exp(logit - log_sum_exp)``, computed only for the items returned.
    """
    if len(logits) == 0:
        return 0.0
    peak = float(logits.max())
    total = float(np.exp(logits - np.asarray(peak, dtype=logits.dtype)).sum(dtype=np.float64))
    return peak + float(np.log(total))


def top_k(values: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``k`` largest ``values`` where ``mask`` is true, best first, ties by index.

    Unmasked: one ``argpartition`` over the catalog — the numpy floor the benchmarks compare against.
    Masked: :func:`top_k_among` the mask's positions.
    """
    if mask is not None:
        return top_k_among(values, k, np.flatnonzero(mask))
    n = len(values)
    if k <= 0 or n == 0:
        return np.empty(0, dtype=np.int64)
    if k <= _FEW < n:
        few = _top_few(np.asarray(values), k)
        if few is not None:
            return few
    return _top_k_masked(np.asarray(values), min(k, n))


def top_k_among(values: np.ndarray, k: int, positions: np.ndarray) -> np.ndarray:
    """:func:`top_k` with the mask given as its sorted positions (``np.flatnonzero(mask)``).

    Partitions only the allowed values (a category filter keeps a tenth of the catalog), so a filtered
    request costs a gather and a small ``argpartition`` instead of a masked copy of the catalog and a full
    one. When the k-th value is tied or not finite, which of the tied items the catalog-wide partition
    keeps is its own choice, so that case takes the catalog-wide path and the answer stays the same.
    """
    allowed = len(positions)
    if k <= 0 or allowed == 0:
        return np.empty(0, dtype=np.int64)
    k = min(k, allowed)
    sub = values[positions]
    part = np.argpartition(-sub, k - 1)[:k] if k < allowed else np.arange(allowed)
    chosen = sub[part]
    kth = chosen.min()
    if not np.isfinite(kth) or np.count_nonzero(sub >= kth) != k:
        mask = np.zeros(len(values), dtype=bool)
        mask[positions] = True
        return _top_k_masked(np.where(mask, values, -np.inf), k)
    # by value descending, then by index ascending (positions are sorted, so their order is the index's)
    order = np.lexsort((part, -chosen))
    return positions[part[order]].astype(np.int64)


def _top_k_masked(v: np.ndarray, k: int) -> np.ndarray:
    """The catalog-wide partition: ``k`` largest of ``v`` (masked items already at -inf), stably ordered."""
    n = len(v)
    part = np.argpartition(-v, k - 1)[:k] if k < n else np.arange(n)
    order = np.lexsort((part, -v[part]))
    return part[order].astype(np.int64)


_FEW = 4


def _top_few(values: np.ndarray, k: int) -> np.ndarray | None:
    """:func:`top_k` for a handful of items by repeated ``argmax`` (a third of ``argpartition``'s cost on a
    few hundred values, e.g. the exploration draw). None when the answer could differ from
    ``argpartition``'s: a NaN, or a tie at the k-th value (which tied item argpartition keeps is its own)."""
    work = values.copy()
    picked = np.empty(k, dtype=np.int64)
    for j in range(k):
        i = int(work.argmax())  # first of equal maxima: ties by index, like top_k's order
        picked[j] = i
        work[i] = -np.inf
    last = float(values[picked[-1]])
    if last != last or np.count_nonzero(values >= last) != k:  # NaN, or a tie at the k-th value
        return None
    return picked


def promoted_count(num_results: int, percent: int, rounding: PromotionRounding) -> int:
    """How many of ``num_results`` slots a promotion covers ([undoc] rounding; at least one slot)."""
    exact = num_results * percent / 100
    if rounding == "floor":
        n = math.floor(exact)
    elif rounding == "ceil":
        n = math.ceil(exact)
    else:
        n = math.floor(exact + 0.5)
    return max(1, min(num_results, n))


def interleave(
    regular: list[int],
    promoted: list[int],
    num_results: int,
    rng: Callable[[], np.random.Generator],
) -> list[tuple[int, bool]]:
    """Put promoted items at random positions, keeping both lists' own order (semantics §4).

    Returns (catalog index, is_promoted) pairs, at most ``num_results`` of them. ``rng`` is called only
    when there is something to place (building a seeded generator costs more than the placing).
    """
    total = min(num_results, len(regular) + len(promoted))
    n_promoted = min(len(promoted), total)
    if n_promoted == 0:
        return [(i, False) for i in regular[:total]]
    positions = set(rng().choice(total, size=n_promoted, replace=False).tolist())
    out: list[tuple[int, bool]] = []
    r = p = 0
    for slot in range(total):
        if slot in positions and p < n_promoted:
            out.append((promoted[p], True))
            p += 1
        elif r < len(regular):
            out.append((regular[r], False))
            r += 1
        else:
            out.append((promoted[p], True))
            p += 1
    return out


def exploration_slots(num_results: int, weight: float, share: float) -> int:
    """Exploration slots in a list of ``num_results`` for ``explorationWeight=weight``."""
    if weight <= 0:
        return 0
    return min(num_results, math.floor(num_results * weight * share + 0.5))


def exploration_pool(age_days: np.ndarray, counts: np.ndarray, cutoff_days: float) -> np.ndarray:
    """Items exploration may pick: new ones (younger than the cut-off) or rarely interacted ones.

    ``age_days`` counts days from an item's creation to the latest interaction in the dataset (the
    service's reference point for ``explorationItemAgeCutOff``); "rarely" means the least-interacted 20%.
    """
    young = age_days <= cutoff_days
    rare = counts <= np.quantile(counts, 0.2) if len(counts) else np.zeros(0, dtype=bool)
    return np.asarray(young | rare)


def sample_weighted(
    logits: np.ndarray, candidates: np.ndarray, n: int, rng: np.random.Generator
) -> list[int]:
    """Pick ``n`` distinct candidate indices with probability ∝ softmax of their logits.

    Gumbel top-k: adding Gumbel noise to the logits and keeping the ``n`` largest draws without
    replacement exactly like successive softmax-weighted picks, in one vectorised pass (order: pick order).
    """
    idx = np.flatnonzero(candidates)
    if n <= 0 or len(idx) == 0:
        return []
    return gumbel_top(idx, np.asarray(logits[idx], dtype=np.float64), n, rng)


def gumbel_top(idx: np.ndarray, base: np.ndarray, n: int, rng: np.random.Generator) -> list[int]:
    """The draw of :func:`sample_weighted` once its candidates (``idx``) and their float64 logits
    (``base``) are gathered, so a caller that keeps them per user draws the very same items."""
    if n <= 0 or len(idx) == 0:
        return []
    keys = base + rng.gumbel(size=len(idx))
    picked: list[int] = idx[top_k(keys, n)].tolist()
    return picked
