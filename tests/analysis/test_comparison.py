"""The Comparison result object: its table views, notebook display and argument errors."""

from __future__ import annotations

import pandas as pd
import pytest

from personalize_lab.analysis import compare
from personalize_lab.errors import ValidationError
from tests.support.analysis_frames import rec_frame, small_frame


def test_views_have_one_row_per_what_they_say() -> None:
    result = compare(small_frame(), n_resamples=50)
    assert result.variants == ["A", "B"]
    assert result.reference == "A"
    assert result.k == 3
    assert list(result.summary()["variant"]) == ["A", "B"]
    long = result.per_user()
    assert list(long.columns) == ["variant", "userId", "metric", "value"]
    assert len(long) == 2 * 2 * len(result.to_frame().columns[2:])  # variants × users × metrics
    row = long[(long["variant"] == "B") & (long["userId"] == "u1") & (long["metric"] == "promoted_share")]
    assert row["value"].tolist() == [0.5]
    assert list(result.overlap()["variant_b"].unique()) == ["B"]
    tests = result.tests()
    assert set(tests["variant"]) == {"B"}
    assert "list_length" in set(tests["metric"])
    assert "empty" not in set(tests["metric"])  # restates list_length


def test_reference_can_be_chosen_and_is_checked() -> None:
    result = compare(small_frame(), reference="B", n_resamples=50)
    assert set(result.tests()["reference"]) == {"B"}
    assert set(result.tests()["variant"]) == {"A"}
    with pytest.raises(
        ValidationError, match=r"reference='Z': is not a variant of the frame; variants are \['A', 'B'\]"
    ):
        compare(small_frame(), reference="Z")


def test_metrics_at_without_truth_is_an_error() -> None:
    with pytest.raises(
        ValidationError, match=r"metrics_at: accuracy metrics need truth\. Fix: pass truth=held_out"
    ):
        compare(small_frame(), metrics_at=["ndcg@10"])


def test_repr_html_escapes_names() -> None:
    frame = small_frame()
    frame["variant"] = frame["variant"].map({"A": "<b>A</b>", "B": "<script>alert(1)</script>"})
    html = compare(frame, n_resamples=50)._repr_html_()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Wilcoxon signed-rank" in html


def test_categorical_variant_order_is_kept() -> None:
    frame = small_frame()
    frame["variant"] = pd.Categorical(frame["variant"], categories=["B", "A"])
    assert compare(frame, n_resamples=50).reference == "B"


def test_single_variant_has_no_tests() -> None:
    frame = rec_frame([("A", "u1", 1, "a", 0.1, None, (), "x")])
    result = compare(frame, n_resamples=50)
    assert result.tests().empty
    assert result.overlap().empty
    assert result.summary().loc[0, "mean_list_length"] == 1.0
