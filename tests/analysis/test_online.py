"""Online A/B statistics: the clustered rate, the two-sample z-test and the power closed form."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from personalize_lab import ValidationError
from personalize_lab.analysis.online import clustered_rate, design_effect, two_sample_tests, visits_needed


def fleiss(p1: float, p2: float, alpha: float, power: float) -> float:
    """The textbook closed form, written again with scipy's normal quantiles."""
    z_a, z_b = sps.norm.ppf(1 - alpha / 2), sps.norm.ppf(power)
    p_bar = (p1 + p2) / 2
    return (
        z_a * math.sqrt(2 * p_bar * (1 - p_bar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    ) ** 2 / (p2 - p1) ** 2


def test_visits_needed_is_the_closed_form_for_two_proportions() -> None:
    assert visits_needed(0.10, 0.2) == 3841  # 10% -> 12%, α 0.05, power 0.8: the commonly quoted 3,841
    assert visits_needed(0.10, 0.02, relative=False) == 3841
    for p1, lift, alpha, power in [(0.05, 0.1, 0.05, 0.8), (0.3, 0.05, 0.01, 0.9), (0.01, 0.5, 0.1, 0.8)]:
        assert visits_needed(p1, lift, alpha=alpha, power=power) == math.ceil(
            fleiss(p1, p1 * (1 + lift), alpha, power)
        )
    assert visits_needed(0.1, 0.05) > visits_needed(0.1, 0.1) > visits_needed(0.1, 0.2)  # smaller lift: more


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"baseline": 0.0, "lift": 0.1}, "baseline"),
        ({"baseline": 1.2, "lift": 0.1}, "baseline"),
        ({"baseline": 0.1, "lift": 0.0}, "lift"),
        ({"baseline": 0.6, "lift": 1.0}, "lift"),  # 1.2 is not a rate
        ({"baseline": 0.1, "lift": 0.1, "power": 1.0}, "power"),
        ({"baseline": 0.1, "lift": 0.1, "alpha": 0.0}, "alpha"),
    ],
)
def test_visits_needed_refuses_impossible_questions(kwargs: dict[str, float], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        visits_needed(**kwargs)
    assert error.value.field == field
    assert error.value.rule
    assert error.value.fix


def one_visit_each(conversions: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Per-shopper frame where every shopper visited once: (converted, visits) per variant."""
    rows = []
    for variant, (converted, n) in conversions.items():
        rows += [{"variant": variant, "visits": 1, "conversion": int(i < converted)} for i in range(n)]
    return pd.DataFrame(rows)


def test_with_one_visit_per_shopper_the_test_is_the_unpooled_two_proportion_z_test() -> None:
    frame = one_visit_each({"A": (120, 1000), "B": (156, 1000)})
    table = two_sample_tests(frame, reference="A", metrics=["conversion"], n_resamples=500)
    row = table.iloc[0]
    p1, p2 = 0.12, 0.156
    z = (p2 - p1) / math.sqrt(p1 * (1 - p1) / 1000 + p2 * (1 - p2) / 1000)
    assert row["statistic"] == pytest.approx(z)
    assert row["p_value"] == pytest.approx(2 * sps.norm.sf(abs(z)))
    assert row["mean_diff"] == pytest.approx(0.036)
    assert row["ci_low"] < 0.036 < row["ci_high"]
    assert row["n_users"] == 2000
    assert row["finding"] == "difference"
    assert "converts 3.6 percentage points more visits" in row["verdict"]
    assert design_effect(frame["conversion"].to_numpy()[:1000], frame["visits"].to_numpy()[:1000]) == (
        pytest.approx(1.0)
    )


def test_repeat_shoppers_widen_the_interval() -> None:
    """The same 2,000 visits by 200 shoppers who each always or never convert: far less information."""
    rng = np.random.default_rng(0)
    loyal = rng.random(200) < 0.12
    clustered = pd.DataFrame({"variant": "A", "visits": 10, "conversion": loyal.astype(int) * 10})
    est = clustered_rate(clustered["conversion"].to_numpy(), clustered["visits"].to_numpy())
    independent = math.sqrt(est.rate * (1 - est.rate) / est.visits)
    assert est.se == pytest.approx(independent * math.sqrt(10), rel=0.05)
    assert design_effect(clustered["conversion"].to_numpy(), clustered["visits"].to_numpy()) == (
        pytest.approx(10, rel=0.1)
    )


def test_three_variants_are_holm_corrected_and_an_unknown_reference_is_refused() -> None:
    frame = one_visit_each({"A": (100, 800), "B": (110, 800), "C": (150, 800)})
    table = two_sample_tests(frame, reference="A", metrics=["conversion"], n_resamples=200)
    assert list(table["variant"]) == ["B", "C"]
    assert set(table["correction"]) == {"Holm"}
    assert (table["p_adjusted"] >= table["p_value"]).all()
    with pytest.raises(ValidationError) as error:
        two_sample_tests(frame, reference="Z", metrics=["conversion"])
    assert error.value.field == "reference"
    assert error.value.value == "Z"
