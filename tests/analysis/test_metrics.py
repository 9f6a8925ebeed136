"""List metrics per user and per variant, against values computed by hand on a seven-row frame."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from personalize_lab.analysis import category_mix, compare, gini
from personalize_lab.analysis.encoding import encode
from personalize_lab.analysis.metrics import intra_list_diversity
from personalize_lab.errors import ValidationError
from tests.support.analysis_frames import rec_frame, small_frame

POPULARITY = pd.Series({"a": 3, "b": 1})  # Σ = 4; c, d, e unknown (count floored at 1 for novelty)


@pytest.fixture(scope="module")
def per_user() -> pd.DataFrame:
    result = compare(small_frame(), item_popularity=POPULARITY, diversity_column="genre", n_resamples=50)
    return result.to_frame().set_index(["variant", "userId"])


def test_list_shape_and_shares(per_user: pd.DataFrame) -> None:
    assert per_user["list_length"].to_dict() == {
        ("A", "u1"): 3,
        ("A", "u2"): 1,
        ("B", "u1"): 2,
        ("B", "u2"): 1,
    }
    b1, a1 = per_user.loc[("B", "u1")], per_user.loc[("A", "u1")]
    assert b1["promoted_share"] == 0.5  # b carries promotionName
    assert b1["exploration_share"] == 0.5
    assert a1["placeholder_share"] == pytest.approx(1 / 3)  # c is a "Popular item"
    assert a1["scoreless_share"] == pytest.approx(1 / 3)


def test_score_mass_counts_only_scored_items(per_user: pd.DataFrame) -> None:
    # A/u1: 0.5 + 0.3, the scoreless c adds nothing (it is not a zero)
    assert per_user.loc[("A", "u1"), "score_mass"] == pytest.approx(0.8)
    assert per_user.loc[("B", "u1"), "score_mass"] == pytest.approx(0.6)


def test_popularity_and_novelty(per_user: pd.DataFrame) -> None:
    assert per_user.loc[("A", "u1"), "mean_popularity"] == pytest.approx((3 + 1 + 0) / 3)
    assert per_user.loc[("B", "u1"), "mean_popularity"] == pytest.approx((1 + 3) / 2)
    # −log2(3/4) = 0.4150375, −log2(1/4) = 2 (b, and c floored to one interaction)
    assert per_user.loc[("A", "u1"), "novelty"] == pytest.approx((0.4150375 + 2 + 2) / 3, abs=1e-7)
    assert per_user.loc[("B", "u2"), "novelty"] == pytest.approx(2.0)


def test_intra_list_diversity_single_and_multi_valued(per_user: pd.DataFrame) -> None:
    # A/u1 genres x, y, x: 3 pairs, 2 differ
    assert per_user.loc[("A", "u1"), "intra_list_diversity"] == pytest.approx(2 / 3)
    # B/u1 {y} vs {x, z}: nothing shared
    assert per_user.loc[("B", "u1"), "intra_list_diversity"] == 1.0
    assert math.isnan(per_user.loc[("A", "u2"), "intra_list_diversity"])  # one item, no pair


def test_intra_list_diversity_is_jaccard_distance_for_multi_values() -> None:
    frame = rec_frame(
        [
            ("A", "u1", 1, "i1", 0.3, None, (), "x|y"),
            ("A", "u1", 2, "i2", 0.2, None, (), "y|z"),
            ("A", "u1", 3, "i3", 0.1, None, (), "x"),
        ]
    )
    ild = intra_list_diversity(frame, encode(frame), "genre")
    # distances 1 − 1/3, 1 − 1/2, 1 − 0 → mean 13/18
    assert ild.loc[("A", "u1")] == pytest.approx(13 / 18)


def test_variant_summary_pooled_figures() -> None:
    result = compare(small_frame(), catalog_size=10, requested_promotion={"B": 20}, n_resamples=50)
    s = result.summary().set_index("variant")
    assert s.loc["A", "catalog_coverage"] == pytest.approx(4 / 10)
    assert s.loc["B", "catalog_coverage"] == pytest.approx(3 / 10)
    assert s.loc["B", "promoted_share"] == pytest.approx(1 / 3)
    assert s.loc["B", "requested_promoted_share"] == pytest.approx(0.20)
    assert math.isnan(s.loc["A", "requested_promoted_share"])
    assert s.loc["B", "mean_promoted_position"] == 1.0
    assert (s.loc["A", "scored_items"], s.loc["A", "scoreless_items"]) == (3, 1)
    assert s.loc["A", "score_median"] == pytest.approx(0.3)
    assert s.loc["A", "placeholder_share"] == pytest.approx(1 / 4)
    # A recommends 4 of 10 items once each: six zeros then four ones → Σ(2i−n−1)x/(nΣx) = 24/40
    assert s.loc["A", "popularity_gini"] == pytest.approx(0.6)
    assert s.loc["B", "popularity_gini"] == pytest.approx(21 / 30)
    assert s.loc["B", "mean_jaccard"] == pytest.approx((2 / 3 + 0) / 2)


def test_gini_known_values() -> None:
    assert gini(np.array([1, 1, 1, 1])) == 0.0
    assert gini(np.array([0, 0, 0, 4])) == pytest.approx(0.75)
    assert math.isnan(gini(np.array([])))


def test_category_mix_splits_multi_values() -> None:
    mix = category_mix(small_frame(), "genre").set_index(["variant", "category"])["share"]
    assert mix.loc[("A", "x")] == pytest.approx(2 / 4)
    assert mix.loc[("B", "y")] == pytest.approx(1 / 3)
    assert mix.loc[("B", "x")] == pytest.approx(1 / 6)  # a is x|z: half an item each
    assert mix.loc[("B", "z")] == pytest.approx(1 / 2)


def test_empty_lists_are_counted_not_dropped() -> None:
    frame = rec_frame(
        [
            ("A", "u1", 1, "a", 0.5, None, (), "x"),
            ("A", "u2", 1, "b", 0.5, None, (), "x"),
            ("B", "u1", 1, "a", 0.5, None, (), "x"),
            ("B", "u2", None, None, None, None, (), None),  # the request returned nothing
        ]
    )
    result = compare(frame, n_resamples=50)
    pu = result.to_frame().set_index(["variant", "userId"])
    assert pu.loc[("B", "u2"), "list_length"] == 0
    assert pu.loc[("B", "u2"), "empty"] == 1
    assert math.isnan(pu.loc[("B", "u2"), "promoted_share"])
    assert result.summary().set_index("variant").loc["B", "empty_lists"] == 1


def test_k_keeps_the_top_of_each_list() -> None:
    pu = compare(small_frame(), k=2, n_resamples=50).to_frame().set_index(["variant", "userId"])
    assert pu.loc[("A", "u1"), "list_length"] == 2
    assert pu.loc[("A", "u1"), "scoreless_share"] == 0.0  # c (rank 3) is cut


def test_related_items_frames_use_seed_item_id() -> None:
    frame = small_frame().rename(columns={"userId": "seedItemId"})
    result = compare(frame, n_resamples=50)
    assert result.key == "seedItemId"
    assert result.unit == "seed items"
    assert "seedItemId" in result.overlap().columns


def test_missing_columns_are_named() -> None:
    frame = small_frame().drop(columns=["rank", "userId"])
    with pytest.raises(ValidationError) as err:
        compare(frame)
    assert "frame is missing required column(s) rank, userId (or seedItemId)" in str(err.value)


def test_unknown_requested_promotion_variant() -> None:
    with pytest.raises(ValidationError, match=r"requested_promotion names unknown variant\(s\) \['C'\]"):
        compare(small_frame(), requested_promotion={"C": 10})


def test_unknown_diversity_column() -> None:
    with pytest.raises(ValidationError, match="metadata column 'GENRE' is not in the frame"):
        compare(small_frame(), diversity_column="GENRE")


def test_reasons_given_as_lists_or_missing() -> None:
    frame = small_frame()
    frame["reason"] = [list(r) if i % 2 else (r if r else None) for i, r in enumerate(frame["reason"])]
    pu = compare(frame, n_resamples=50).to_frame().set_index(["variant", "userId"])
    assert pu.loc[("B", "u1"), "exploration_share"] == 0.5
    assert pu.loc[("A", "u1"), "placeholder_share"] == pytest.approx(1 / 3)


def test_multi_valued_diversity_dense_and_sparse_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from personalize_lab.analysis import metrics

    rng = np.random.default_rng(4)
    values = ["x|y", "y|z", "x", "z|w|x", "w", None]
    rows = [
        (v, f"u{u}", r, f"i{item}", 0.1, None, (), values[item % len(values)])
        for v in ("A", "B")
        for u in range(30)
        for r, item in enumerate(rng.permutation(40)[: rng.integers(0, 9)], start=1)
    ]
    frame = rec_frame(rows)
    enc = encode(frame)
    dense = intra_list_diversity(frame, enc, "genre")
    monkeypatch.setattr(metrics, "_DENSE_VOCABULARY", 0)
    sparse = intra_list_diversity(frame, enc, "genre")
    pd.testing.assert_series_equal(dense, sparse, atol=1e-6)
