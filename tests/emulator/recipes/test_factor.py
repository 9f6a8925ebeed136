"""The ALS core's speed choices keep its numbers: item-factor moments and norms over live rows, threads
per fit."""

from __future__ import annotations

import numpy as np
import pytest

import tests.support.recipes_fixtures as fx
from personalize_lab.emulator.recipes import TrainingData, factor, get_recipe
from personalize_lab.emulator.recipes.factor import FactorModel, item_factor_moments, item_norms


def test_item_moments_over_live_rows_equal_the_whole_catalogs() -> None:
    rng = np.random.default_rng(3)
    factors = rng.standard_normal((50, 8)).astype(np.float32)
    factors[rng.random(50) < 0.6] = 0.0  # items without interactions: implicit sets them to zero
    live = np.flatnonzero(factors.any(axis=1))
    yty, mean, cov = item_factor_moments(factors, live)
    y = factors.astype(np.float64)
    np.testing.assert_allclose(yty, y.T @ y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mean, y.mean(axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(cov, np.cov(y.T, bias=True), rtol=1e-10, atol=1e-14)
    assert np.array_equal(item_norms(factors, live), np.linalg.norm(factors, axis=1) + 1e-9)


def test_items_without_interactions_get_zero_factors() -> None:
    data = TrainingData.from_frames(fx.interactions(), fx.items())
    model = get_recipe("aws-user-personalization").fit(data)
    assert isinstance(model, FactorModel)
    assert model.item_factors is not None
    cold = data.item_counts == 0
    assert cold.any()
    assert not model.item_factors[cold].any()


def test_als_factors_are_the_same_bits_on_every_core(monkeypatch: pytest.MonkeyPatch) -> None:
    data = TrainingData.from_frames(fx.interactions(), fx.items())
    recipe = get_recipe("aws-user-personalization")
    monkeypatch.setattr(factor, "ALS_PARALLEL_CELLS", 10**12)
    one = recipe.fit(data)
    monkeypatch.setattr(factor, "ALS_PARALLEL_CELLS", 0)
    assert factor.als_threads(one.x) == 0  # type: ignore[attr-defined]
    every = recipe.fit(data)
    assert isinstance(one, FactorModel)
    assert isinstance(every, FactorModel)
    assert one.item_factors is not None
    assert every.item_factors is not None
    assert np.array_equal(one.item_factors, every.item_factors)
    assert np.array_equal(one.user_factors, every.user_factors)  # type: ignore[arg-type]
