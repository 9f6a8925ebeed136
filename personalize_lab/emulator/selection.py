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

    Costs one masked copy and one ``argpartition`` — the same order of work as the numpy floor the
    benchmarks compare against.
    """
    n = len(values)
    if k <= 0 or n == 0:
        return np.empty(0, dtype=np.int64)
    if mask is None and k <= _FEW < n:
        few = _top_few(np.asarray(values), k)
        if few is not None:
            return few
    if mask is not None:
        allowed = int(np.count_nonzero(mask))
        if allowed == 0:
            return np.empty(0, dtype=np.int64)
        v = np.where(mask, values, -np.inf)
        k = min(k, allowed)
    else:
        v = np.asarray(values)
        k = min(k, n)
    part = np.argpartition(-v, k - 1)[:k] if k < n else np.arange(n)
    # stable order: by value descending, then by index ascending
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
