"""Paired statistics against scipy on known data: Wilcoxon, permutation, bootstrap CI, Holm and BH."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from personalize_lab.analysis import paired_tests
from personalize_lab.analysis.stats import adjust, holm
from personalize_lab.errors import ValidationError
from tests.support.analysis_frames import wide

# Paired data: B improves on A for most of 12 users (no ties, no zero differences)
A = np.array([0.20, 0.31, 0.15, 0.42, 0.27, 0.33, 0.18, 0.25, 0.39, 0.22, 0.30, 0.28])
B = A + np.array([0.05, 0.02, -0.01, 0.07, 0.03, 0.04, 0.06, -0.02, 0.08, 0.011, 0.035, 0.025])


def test_wilcoxon_matches_scipy() -> None:
    row = paired_tests(wide({"A": A, "B": B}), reference="A").iloc[0]
    expected = sps.wilcoxon(B - A)
    assert row["test"] == "Wilcoxon signed-rank (scipy, zero_method='wilcox')"
    assert row["statistic"] == expected.statistic
    assert row["p_value"] == pytest.approx(expected.pvalue)
    assert row["mean_diff"] == pytest.approx((B - A).mean())
    assert row["n_users"] == 12
    assert row["correction"] == "none"  # only one comparison


def test_sign_flip_permutation_agrees_with_scipy_permutation_test() -> None:
    row = paired_tests(wide({"A": A, "B": B}), reference="A", test="permutation", n_resamples=4000).iloc[0]
    exact = sps.permutation_test(
        (A, B), lambda x, y: np.mean(y - x), permutation_type="samples", n_resamples=np.inf
    ).pvalue  # 2^12 sign patterns: the exact p-value
    assert row["test"] == "paired sign-flip permutation (4000 resamples, seed 0)"
    assert row["p_value"] == pytest.approx(exact, abs=0.01)


def test_bootstrap_interval_agrees_with_scipy_bootstrap() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=300)
    b = a + rng.normal(0.2, 1.0, size=300)
    row = paired_tests(wide({"A": a, "B": b}), reference="A", n_resamples=4000).iloc[0]
    ref = sps.bootstrap((b - a,), np.mean, n_resamples=4000, method="percentile", rng=2).confidence_interval
    assert row["ci_low"] == pytest.approx(ref.low, abs=0.02)
    assert row["ci_high"] == pytest.approx(ref.high, abs=0.02)
    assert row["ci_level"] == 0.95


def test_same_seed_same_interval() -> None:
    data = wide({"A": A, "B": B})
    first = paired_tests(data, reference="A", seed=5)
    again = paired_tests(data, reference="A", seed=5)
    other = paired_tests(data, reference="A", seed=6)
    assert first["ci_low"].iloc[0] == again["ci_low"].iloc[0]
    assert first["ci_low"].iloc[0] != other["ci_low"].iloc[0]


def test_effect_size_dz() -> None:
    row = paired_tests(wide({"A": np.zeros(3), "B": np.array([1.0, 2.0, 3.0])}), reference="A").iloc[0]
    assert row["effect_size_dz"] == pytest.approx(2.0)  # mean 2, sd 1


def test_all_zero_differences() -> None:
    row = paired_tests(wide({"A": A, "B": A.copy()}), reference="A").iloc[0]
    assert row["p_value"] == 1.0
    assert row["effect_size_dz"] == 0.0
    assert (row["ci_low"], row["ci_high"]) == (0.0, 0.0)


def test_users_missing_on_one_side_are_dropped() -> None:
    b = B.copy()
    b[:2] = np.nan
    row = paired_tests(wide({"A": A, "B": b}), reference="A").iloc[0]
    assert row["n_users"] == 10
    assert row["p_value"] == pytest.approx(sps.wilcoxon(B[2:] - A[2:]).pvalue)


def test_holm_by_hand_and_bh_via_scipy() -> None:
    np.testing.assert_allclose(holm(np.array([0.01, 0.04, 0.03])), [0.03, 0.06, 0.06])
    p = np.array([0.01, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(adjust(p, "bh"), sps.false_discovery_control(p, method="bh"))


def test_three_variants_are_corrected_per_metric() -> None:
    table = paired_tests(wide({"A": A, "B": B, "C": B + 0.01}), reference="A")
    assert list(table["variant"]) == ["B", "C"]
    assert set(table["correction"]) == {"Holm"}
    np.testing.assert_allclose(table["p_adjusted"], holm(table["p_value"].to_numpy()))


def test_unknown_reference() -> None:
    with pytest.raises(ValidationError, match=r"reference='Z': not a variant; variants are \['A', 'B'\]"):
        paired_tests(wide({"A": A, "B": B}), reference="Z")
