"""GetSolutionMetrics: offline metrics on a held-out split, the way the developer guide describes it.

Split: users are ordered by a seeded shuffle; 10% of the users with at least two interactions are test
users; for each, the newest 10% of their interactions (at least one) are held out and the rest stay in
training. A model is fitted on the training part; for every test user its top 25 items are compared with
the held-out items. Metrics use the service's names: coverage (distinct recommended items / catalog),
mean_reciprocal_rank_at_25, normalized_discounted_cumulative_gain_at_5/10/25 and precision_at_5/10/25.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from personalize_lab.emulator.recipes import TrainingData
from personalize_lab.emulator.recipes.base import Recipe

__all__ = ["METRIC_NAMES", "evaluate"]

METRIC_NAMES = (
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5",
    "precision_at_10",
    "precision_at_25",
)
MAX_TEST_USERS = 1000


def split(interactions: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """(training rows, held-out item ids per test user)."""
    counts = interactions["USER_ID"].astype(str).value_counts()
    eligible = np.array(sorted(counts[counts >= 2].index))
    rng = np.random.default_rng(seed)
    n_test = min(MAX_TEST_USERS, max(1, len(eligible) // 10)) if len(eligible) else 0
    test = set(rng.permutation(eligible)[:n_test].tolist())
    frame = interactions.assign(_user=interactions["USER_ID"].astype(str))
    ordered = frame.sort_values(["_user", "TIMESTAMP"], kind="stable")
    rank = ordered.groupby("_user").cumcount(ascending=False)  # 0 = newest
    size = ordered.groupby("_user")["_user"].transform("size")
    held = ordered["_user"].isin(test) & (rank < np.maximum(1, (size * 0.1).round().astype(int)))
    held_out: dict[str, set[str]] = {}
    for user, item in zip(ordered.loc[held, "_user"], ordered.loc[held, "ITEM_ID"].astype(str), strict=True):
        held_out.setdefault(user, set()).add(item)
    return interactions.loc[ordered.index[~held.to_numpy()]].drop(columns=[], errors="ignore"), held_out


def evaluate(
    recipe: Recipe, interactions: pd.DataFrame, items: pd.DataFrame | None, users: pd.DataFrame | None
) -> dict[str, float]:
    """The eight metrics for ``recipe`` trained on the training part of the split (zeros without test users)."""
    train, held_out = split(interactions)
    if not held_out:
        return dict.fromkeys(METRIC_NAMES, 0.0)
    model = recipe.fit(TrainingData.from_frames(train, items, users))
    ids = np.asarray(model.catalog.id_strings)
    sums = dict.fromkeys(METRIC_NAMES, 0.0)
    recommended: set[str] = set()
    for user, relevant in held_out.items():
        scores = np.asarray(model.relevance_for_user(user), dtype=np.float64)
        top = ids[np.argsort(-scores, kind="stable")[:25]].tolist()
        recommended.update(top)
        hits = [item in relevant for item in top]
        first = next((k for k, hit in enumerate(hits) if hit), None)
        sums["mean_reciprocal_rank_at_25"] += 0.0 if first is None else 1.0 / (first + 1)
        for k in (5, 10, 25):
            sums[f"precision_at_{k}"] += sum(hits[:k]) / k
            dcg = sum(1.0 / math.log2(r + 2) for r, hit in enumerate(hits[:k]) if hit)
            ideal = sum(1.0 / math.log2(r + 2) for r in range(min(k, len(relevant))))
            sums[f"normalized_discounted_cumulative_gain_at_{k}"] += dcg / ideal
    n = len(held_out)
    out = {name: round(value / n, 4) for name, value in sums.items()}
    out["coverage"] = round(len(recommended) / max(1, len(ids)), 4)
    return out
