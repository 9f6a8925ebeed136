"""The speed-ups of the runtime path give the very answers of the plain code they replace.

``top_k`` picks a handful of items by repeated argmax instead of ``argpartition``, and partitions only the
allowed items of a masked request; per-user scores are cached per deployment. Each is checked against the
plain computation.
"""

from __future__ import annotations

import numpy as np

from personalize_lab.datasets import demo_store
from personalize_lab.emulator import LocalPersonalize, selection


def _argpartition_top_k(values: np.ndarray, k: int) -> np.ndarray:
    """top_k as it was: argpartition, then value descending and index ascending."""
    k = min(k, len(values))
    part = np.argpartition(-values, k - 1)[:k] if k < len(values) else np.arange(len(values))
    return part[np.lexsort((part, -values[part]))].astype(np.int64)


def test_top_k_of_a_few_items_equals_argpartition_with_ties_nan_and_infinities() -> None:
    rng = np.random.default_rng(0)
    for trial in range(3000):
        n, k = int(rng.integers(1, 40)), int(rng.integers(1, 6))
        values = [
            rng.random(n),
            rng.integers(0, 4, n).astype(np.float32),  # many ties
            np.where(rng.random(n) < 0.2, -np.inf, np.log1p(rng.integers(0, 3, n))).astype(np.float32),
            np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
            np.where(rng.random(n) < 0.1, np.inf, rng.standard_normal(n)).astype(np.float32),
        ][trial % 5]
        np.testing.assert_array_equal(selection.top_k(values, k), _argpartition_top_k(values, k))


def _masked_top_k(values: np.ndarray, k: int, mask: np.ndarray) -> np.ndarray:
    """Masked top_k as it was: a masked copy of the whole catalog, then argpartition over all of it."""
    allowed = int(np.count_nonzero(mask))
    if k <= 0 or allowed == 0:
        return np.empty(0, dtype=np.int64)
    return _argpartition_top_k(np.where(mask, values, -np.inf), min(k, allowed))


def test_masked_top_k_over_allowed_positions_equals_the_catalog_wide_partition() -> None:
    rng = np.random.default_rng(1)
    for trial in range(3000):
        n, k = int(rng.integers(1, 60)), int(rng.integers(0, 30))
        values = [
            rng.random(n).astype(np.float32),
            rng.integers(0, 4, n).astype(np.float32),  # many ties
            np.where(rng.random(n) < 0.2, -np.inf, np.log1p(rng.integers(0, 3, n))).astype(np.float32),
            np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
            np.where(rng.random(n) < 0.1, np.inf, rng.standard_normal(n)).astype(np.float32),
        ][trial % 5]
        mask = rng.random(n) < [0.05, 0.3, 0.7, 1.0][trial % 4]
        expected = _masked_top_k(values, k, mask)
        np.testing.assert_array_equal(selection.top_k(values, k, mask), expected)
        np.testing.assert_array_equal(selection.top_k_among(values, k, np.flatnonzero(mask)), expected)


def test_cached_user_scores_answer_like_a_fresh_engine_and_follow_streamed_events() -> None:
    data = demo_store(n_users=60, n_items=120, n_interactions=3000, seed=3)
    warm, fresh = LocalPersonalize(data), LocalPersonalize(data)
    arn = warm.campaign_arns["user-personalization"]
    request = {"campaignArn": arn, "userId": warm.users[0], "numResults": 10}

    def items(engine: LocalPersonalize) -> list[tuple[str, float]]:
        return [(i["itemId"], i["score"]) for i in engine.get_recommendations(**request)["itemList"]]

    first = items(warm)
    assert items(warm) == first == items(fresh)  # the repeat is served from the cache
    late = LocalPersonalize(data)  # sees the events before it ever scores the user: nothing cached
    clicks = [{"eventType": "click", "itemId": item, "sentAt": 1_900_000_000} for item, _ in first[:3]]
    for engine in (warm, late):
        engine.put_events(
            trackingId=engine.tracking_id, userId=request["userId"], sessionId="s", eventList=clicks
        )
    after = items(warm)
    assert after != first  # the streamed events reached the cached user
    assert after == items(late)
