"""Verdicts: the interval, the p-value and the sentence never contradict each other, and read as English."""

from __future__ import annotations

import numpy as np
import pytest

from personalize_lab.analysis import compare, paired_tests
from personalize_lab.analysis.labels import label, readable_summary, readable_tests
from personalize_lab.analysis.verdict import format_p
from tests.support.analysis_frames import demo_frame, small_frame, wide


def _excludes_zero(row) -> bool:  # type: ignore[no-untyped-def]
    return bool(row["ci_low"] > 0 or row["ci_high"] < 0)


def test_p_values_are_written_for_people() -> None:
    assert format_p(0.00002) == "p < 0.001"
    assert format_p(0.0041) == "p = 0.004"
    assert format_p(0.031) == "p = 0.031"
    assert format_p(0.41) == "p = 0.41"
    assert format_p(0.0496) == "p = 0.0496"  # not rounded up to the threshold it sits below
    assert format_p(0.2, adjusted_by="Holm") == "Holm-adjusted p = 0.2"
    assert format_p(float("nan")) == "p not available"


def test_corrected_away_significance_with_an_interval_excluding_zero_reads_inconclusive() -> None:
    # Before: B's 95% bootstrap interval excluded 0 while the Holm-adjusted p was 0.075 ("significant:
    # no") — two numbers side by side that seemed to contradict each other.
    base = np.random.default_rng(3).normal(10, 1, 40)
    rng = np.random.default_rng(0)
    variants = {"A": base, "B": base + rng.normal(0.35, 1, 40)}
    variants |= {"C": base + rng.normal(0, 1, 40), "D": base + rng.normal(0, 1, 40)}
    row = paired_tests(wide(variants, metric="list_length"), reference="A").iloc[0]
    assert _excludes_zero(row)
    assert row["p_value"] < 0.05 <= row["p_adjusted"]
    assert not row["significant"]
    assert row["finding"] == "inconclusive"
    assert row["verdict"] == (
        "Inconclusive: B returns 2.9% longer lists than A by the mean (95% CI +0.38% to +5.3%, uncorrected) "
        "but not after Holm correction for 3 variants (Holm-adjusted p = 0.075; uncorrected p = 0.025), "
        "paired Wilcoxon over 40 users"
    )
    assert "not corrected for the 3 variants" in row["ci_method"]


def test_a_mean_carried_by_few_users_reads_inconclusive_not_significant() -> None:
    # 32 users lose a little, 28 gain a little, 5 gain a lot: the mean's interval excludes 0, the
    # Wilcoxon test (do most users move?) does not reject.
    d = np.r_[np.full(32, -0.01), np.full(28, 0.01), np.full(5, 0.3)]
    a = np.ones(len(d))
    row = paired_tests(wide({"A": a, "B": a + d}, metric="mean_popularity"), reference="A").iloc[0]
    assert _excludes_zero(row)
    assert row["p_adjusted"] > 0.4
    assert row["finding"] == "inconclusive"
    assert row["verdict"].startswith("Inconclusive: B lists 2.2% more popular items than A by the mean")
    assert "paired Wilcoxon over 65 users finds no consistent shift (p = 0.48)" in row["verdict"]


def test_clear_difference_and_no_difference_sentences() -> None:
    rng = np.random.default_rng(7)
    a = rng.lognormal(3, 0.3, 250)
    data = wide({"A": a, "B": a * 0.83 * rng.lognormal(0, 0.02, 250), "C": a * rng.lognormal(0, 0.05, 250)})
    table = paired_tests(data.rename(columns={"m": "mean_popularity"}), reference="A", correction="none")
    b, c = table.iloc[0], table.iloc[1]
    assert b["finding"] == "difference"
    assert b["verdict"] == (
        "B lists 17% less popular items than A (95% CI −18% to −17%), p < 0.001, paired Wilcoxon over 250 users"
    )
    assert c["finding"] == "no detectable difference"
    assert c["verdict"].startswith(
        "No detectable difference in popularity (mean interaction count) between C and A ("
    )
    assert c["verdict"].endswith("paired Wilcoxon over 250 users")


def test_shares_change_in_percentage_points() -> None:
    result = compare(demo_frame(n_users=120), n_resamples=300)
    row = result.tests().set_index("metric").loc["promoted_share"]
    assert row["finding"] == "difference"
    assert row["verdict"].startswith("B shows 20 percentage points more promoted items than A (95% CI +")
    assert row["verdict"].endswith("p < 0.001, paired Wilcoxon over 120 users")


@pytest.mark.parametrize("seed", range(12))
def test_finding_agrees_with_the_interval_and_the_test(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(1, 0.2, 60)
    data = wide({"A": a, **{v: a + rng.normal(shift, 0.2, 60) for v, shift in (("B", 0.03), ("C", 0.08))}})
    for _, row in paired_tests(data, reference="A", n_resamples=500, seed=seed).iterrows():
        if row["finding"] == "difference":
            assert row["significant"]
            assert _excludes_zero(row)
        elif row["finding"] == "no detectable difference":
            assert not row["significant"]
            assert not _excludes_zero(row)
        else:
            assert row["significant"] != _excludes_zero(row)
            assert row["verdict"].startswith("Inconclusive: ")


def test_related_items_verdicts_count_seed_items() -> None:
    frame = small_frame().rename(columns={"userId": "seedItemId"})
    verdicts = compare(frame, n_resamples=50).tests()["verdict"]
    assert all("over 2 seed items" in v for v in verdicts)


def test_human_names_are_one_table() -> None:
    assert label("mean_popularity") == "Popularity (mean interaction count)"
    assert label("catalog_coverage") == "Catalog coverage"
    assert label("mean_overlap@10") == "Overlap@10 (mean)"
    assert label("ndcg@10") == "NDCG@10"
    assert label("hit_rate@5") == "Hit rate@5"
    assert label("p_adjusted") == "p (adjusted)"
    assert label("some_new_column") == "Some new column"  # never snake_case in front of people


def test_readable_tables_drop_empty_columns_and_say_why() -> None:
    result = compare(small_frame(), n_resamples=50)
    assert result.summary()["catalog_coverage"].isna().all()  # the frame keeps the column for code
    table = result.readable_summary()
    assert "Catalog coverage" not in table.columns
    assert "catalog_coverage" not in table.columns
    assert list(table.columns[:3]) == ["Variant", "Users", "Empty lists"]
    assert any(
        n.startswith("Catalog coverage is not shown: the catalog size is unknown")
        for n in table.attrs["notes"]
    )
    filled = compare(small_frame(), catalog_size=10, n_resamples=50).readable_summary(["catalog_coverage"])
    assert list(filled.columns) == ["Variant", "Catalog coverage"]
    assert filled["Catalog coverage"].tolist() == [0.4, 0.3]
    assert filled.attrs["notes"] == []
    tests = readable_tests(result.tests())
    assert list(tests.columns) == [
        "Metric",
        "Variant",
        "Δ mean",
        "CI low",
        "CI high",
        "p (adjusted)",
        "Verdict",
    ]
    assert "List length" in set(tests["Metric"])
    assert any(n.startswith("Interval: 95% percentile bootstrap CI") for n in tests.attrs["notes"])
    assert readable_summary(result.summary(), ["users"]).columns.tolist() == ["Variant", "Users"]
