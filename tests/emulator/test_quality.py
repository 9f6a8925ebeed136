"""User-Personalization with exploration off ranks at least as well as plain implicit ALS with the same
factors, on a per-user temporal split (newest 10% held out) of a MovieLens-shaped synthetic store
(benchmarks/quality.py; ml-100k itself is not shipped, and nothing here downloads it)."""

from __future__ import annotations

import pytest

from benchmarks import quality
from personalize_lab.emulator.recipes import TrainingData, factor, get_recipe


def test_user_personalization_reaches_plain_als_ndcg_on_a_movielens_shaped_store() -> None:
    frames = quality.synthetic_store(300, 500, 15_000, seed=3, min_per_user=20)
    split = quality.temporal_split(frames.interactions)
    data = TrainingData.from_frames(split.train, frames.items)
    recipe = get_recipe("aws-user-personalization")
    model = recipe.fit(data)
    up = quality.evaluate(lambda user, row: model.relevance_for_user(user), data, split)
    plain = quality.als_baseline(data, split, recipe.spec.config.factors)  # type: ignore[union-attr]
    assert up["ndcg@10"] >= plain["ndcg@10"]


def test_with_plain_als_settings_user_personalization_ranks_exactly_like_plain_als() -> None:
    """Fold-in, context and the logit transform do not change the order: only the hyperparameters do."""
    frames = quality.synthetic_store(200, 300, 6_000, seed=4, min_per_user=20)
    split = quality.temporal_split(frames.interactions)
    data = TrainingData.from_frames(split.train, frames.items)
    recipe = get_recipe("aws-user-personalization").with_hyperparameters(alpha=1.0, regularization=0.01)
    model = recipe.fit(data)
    up = quality.evaluate(lambda user, row: model.relevance_for_user(user), data, split)
    assert up == quality.als_baseline(data, split, 64)


def test_a_large_catalog_fits_its_temperature_on_an_item_sample_and_finds_the_same_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above TEMPERATURE_SAMPLE_ITEMS items the softmax normaliser comes from a uniform item sample (what
    keeps a 1M-item fit fast); on a catalog where both can run, the sample picks the exact fit's value."""
    frames = quality.synthetic_store(400, 3000, 20_000, seed=5)
    data = TrainingData.from_frames(frames.interactions, frames.items)
    recipe = get_recipe("aws-user-personalization")
    exact = recipe.fit(data).temperature
    monkeypatch.setattr(factor, "TEMPERATURE_SAMPLE_ITEMS", 1000)
    assert recipe.fit(data).temperature == exact
