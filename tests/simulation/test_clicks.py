"""The click model: position bias and relevance, as stated, from the uniforms it is given."""

from __future__ import annotations

import numpy as np
import pytest

from personalize_lab import ValidationError
from personalize_lab.simulation import ClickModel, examination


def test_examination_is_the_dcg_discount() -> None:
    assert examination(np.array([1, 3, 7])) == pytest.approx([1.0, 0.5, 1 / 3])


def click_rates(model: ClickModel, relevant: np.ndarray, n: int = 40_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    clicks, buys = np.zeros(len(relevant)), np.zeros(len(relevant))
    for u in rng.random((n, len(relevant), 3)):
        c, b = model.outcomes(relevant, u)
        clicks += c
        buys += b
    return clicks / n, buys / n


def test_clicks_fall_with_rank_and_relevant_items_are_clicked_more() -> None:
    model = ClickModel(click_relevant=0.6, click_noise=0.1, buy_relevant=0.5, buy_noise=0.1)
    ranks = np.arange(1, 11)
    relevant = np.zeros(10, dtype=bool)
    relevant[[2, 6]] = True  # ranks 3 and 7
    clicks, buys = click_rates(model, relevant)
    expected = [model.expected_clicks(r, bool(rel)) for r, rel in zip(ranks, relevant, strict=True)]
    assert clicks == pytest.approx(expected, abs=0.01)
    others = clicks[~relevant]
    assert (np.diff(others) < 0).all()  # position bias: every step down the list loses clicks
    assert clicks[6] > 3 * clicks[1]  # relevant at rank 7 beats irrelevant at rank 2
    assert buys[2] == pytest.approx(expected[2] * 0.5, abs=0.01)
    assert buys[0] == pytest.approx(expected[0] * 0.1, abs=0.01)


def test_the_same_uniforms_give_the_same_clicks() -> None:
    u = np.random.default_rng(5).random((10, 3))
    relevant = np.arange(10) % 3 == 0
    first, second = ClickModel().outcomes(relevant, u), ClickModel().outcomes(relevant, u)
    assert all((a == b).all() for a, b in zip(first, second, strict=True))
    clicked, bought = first
    assert not (bought & ~clicked).any()  # nothing is bought without a click


@pytest.mark.parametrize("name", ["click_relevant", "click_noise", "buy_relevant", "buy_noise"])
def test_probabilities_outside_0_1_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as error:
        ClickModel(**{name: 1.5})
    assert error.value.field == f"click_model.{name}"
    assert error.value.value == 1.5
    assert error.value.rule
    assert error.value.fix
