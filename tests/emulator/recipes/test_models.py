"""Hand-computed values of the simple models: popularity by event type, trending growth, context lift,
and the benchmark's ranking metrics."""

from __future__ import annotations

import importlib.util
import math
import sys

import numpy as np
import pandas as pd
import pytest

from personalize_lab.emulator.recipes import TrainingData, get_recipe
from personalize_lab.emulator.recipes.context import LiftTable
from tests.support.paths import ROOT

DAY = 86_400


def frame(rows: list[tuple[str, str, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "DEVICE"])


def test_popularity_counts_only_its_event_types_case_insensitively() -> None:
    data = TrainingData.from_frames(
        frame(
            [
                ("u1", "x", 1, "View", "d"),
                ("u2", "x", 2, "view", "d"),
                ("u3", "x", 3, "View", "d"),
                ("u1", "y", 4, "PURCHASE", "d"),
                ("u2", "y", 5, "Purchase", "d"),
                ("u3", "z", 6, "Purchase", "d"),
            ]
        )
    )
    by_views = get_recipe("aws-ecomm-popular-items-by-views").fit(data)
    by_purchases = get_recipe("aws-ecomm-popular-items-by-purchases").fit(data)
    assert by_views.counts.tolist() == [3, 0, 0]
    assert by_purchases.counts.tolist() == [0, 2, 1]
    assert by_views.popularity.tolist() == [3, 2, 1]  # every event counts for the engine's popularity
    order = np.argsort(-by_purchases.relevance_for_user("anyone"), kind="stable")
    assert data.catalog.item_ids[order].tolist() == ["y", "z", "x"]


def test_trending_is_growth_over_the_previous_window() -> None:
    end = 100 * DAY
    rows = [("u", "steady", end - d * DAY, "View", "d") for d in (1, 2, 8, 9)]  # 2 now, 2 before
    rows += [("u", "rising", end - d * DAY, "View", "d") for d in (0, 1, 2, 3, 8)]  # 4 now, 1 before
    rows += [("u", "fading", end - d * DAY, "View", "d") for d in (2, 8, 9, 10)]  # 1 now, 3 before
    rows += [("u", "old", end - 30 * DAY, "View", "d")]
    data = TrainingData.from_frames(frame(rows))
    model = get_recipe("aws-trending-now").fit(data)  # 7-day windows, prior 5
    growth = dict(zip(data.catalog.item_ids.tolist(), model.relevance_for_user("u").tolist(), strict=True))
    assert growth["rising"] == pytest.approx((4 - 1) / (1 + 5), abs=1e-3)
    assert growth["steady"] == pytest.approx(0.0, abs=1e-3)
    assert growth["fading"] == pytest.approx((1 - 3) / (3 + 5), abs=1e-3)
    assert sorted(growth, key=lambda k: -growth[k]) == ["rising", "steady", "old", "fading"]


def test_context_lift_is_shrunk_log_over_representation() -> None:
    # mobile: 3 interactions on a, 1 on b; desktop: 0 on a, 4 on b -> N=8, n_mobile=4, share a=3/8
    rows = [("u", "a", t, "View", "mobile") for t in range(3)] + [("u", "b", 3, "View", "mobile")]
    rows += [("u", "b", 4 + t, "View", "desktop") for t in range(4)]
    data = TrainingData.from_frames(frame(rows))
    table = LiftTable.build(data.context["DEVICE"], data.item_idx, data.n_items, prior=2.0)
    lift = table.lift("mobile")
    assert lift is not None
    expected_a = math.log((3 + 2) / (4 * 3 / 8 + 2))
    expected_b = math.log((1 + 2) / (4 * 5 / 8 + 2))
    assert lift.tolist() == pytest.approx([expected_a, expected_b], rel=1e-5)
    assert table.lift("tablet") is None


def _quality_module():
    path = ROOT / "benchmarks" / "quality.py"
    spec = importlib.util.spec_from_file_location("benchmark_quality", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_benchmark_metrics_by_hand() -> None:
    q = _quality_module()
    recs = {"u1": ["a", "x", "b"], "u2": ["y", "z"]}
    targets = {"u1": {"a", "b"}, "u2": {"c"}}
    got = q.ranking_metrics(recs, targets, n_items=10)
    # u1: hits at ranks 1 and 3 -> DCG = 1 + 1/log2(4) = 1.5; IDCG (2 targets) = 1 + 1/log2(3)
    ndcg_u1 = 1.5 / (1 + 1 / math.log2(3))
    assert got["ndcg@10"] == pytest.approx(ndcg_u1 / 2)
    assert got["recall@10"] == pytest.approx((2 / 2 + 0) / 2)
    assert got["coverage@10"] == pytest.approx(5 / 10)


def test_benchmark_split_holds_out_each_users_newest_tenth() -> None:
    q = _quality_module()
    rows = [("u1", f"i{t}", t) for t in range(12)] + [("u2", "i0", 0), ("u2", "i1", 1)]
    inter = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    split = q.temporal_split(inter)
    assert split.targets == {"u1": {"i10", "i11"}}  # ceil(12 * 0.1) = 2; u2 has fewer than 5
    assert len(split.train) == 12


def test_user_personalization_beats_popularity_on_a_held_out_split() -> None:
    """The quality claim in miniature (benchmarks/quality.py has the full table): on a small latent-factor
    store, the default model's NDCG@10 on each user's newest 10% is about twice popularity's."""
    q = _quality_module()
    frames = q.synthetic_store(300, 500, 12_000, seed=3)
    split = q.temporal_split(frames.interactions)
    data = TrainingData.from_frames(split.train, frames.items)
    popularity = data.item_counts.astype(float)
    baseline = q.evaluate(lambda user, row: popularity, data, split)["ndcg@10"]
    model = get_recipe("aws-user-personalization").fit(data)
    personal = q.evaluate(q.recipe_scorer(model, data, q.last_item(data)), data, split)["ndcg@10"]
    assert personal > 1.5 * baseline
