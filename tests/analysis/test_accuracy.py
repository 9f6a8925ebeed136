"""Accuracy against held-out interactions: precision, recall, NDCG, MRR, hit rate, worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from personalize_lab.analysis import MetricSpec, compare, parse_metric, parse_metrics
from personalize_lab.errors import ValidationError
from tests.support.analysis_frames import rec_frame

FRAME = rec_frame(
    [("A", "u1", r, item, 0.1, None, (), "x") for r, item in enumerate("abcd", start=1)]
    + [("A", "u2", 1, "a", 0.1, None, (), "x")]
)
# u1 held out b (rank 2), d (rank 4) and z (never recommended); u2 has nothing held out
TRUTH = pd.DataFrame({"USER_ID": ["u1", "u1", "u1"], "ITEM_ID": ["b", "d", "z"]})


def scores(metrics: list[str]) -> pd.Series:
    result = compare(FRAME, truth=TRUTH, metrics_at=metrics, n_resamples=50)
    return result.to_frame().set_index(["variant", "userId"]).loc[("A", "u1")]


def test_metrics_at_4() -> None:
    s = scores(["precision@4", "recall@4", "ndcg@4", "mrr@4", "hit_rate@4"])
    assert s["precision@4"] == 0.5  # 2 hits of 4
    assert s["recall@4"] == pytest.approx(2 / 3)  # 2 of 3 held-out items
    dcg = 1 / math.log2(3) + 1 / math.log2(5)  # hits at ranks 2 and 4
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)  # min(k, |truth|) = 3 ideal hits
    assert s["ndcg@4"] == pytest.approx(dcg / idcg)
    assert s["mrr@4"] == 0.5
    assert s["hit_rate@4"] == 1.0


def test_metrics_at_1_have_no_hit() -> None:
    s = scores(["precision@1", "ndcg@1", "mrr@1", "hit_rate@1", "recall@1"])
    assert (s["precision@1"], s["ndcg@1"], s["mrr@1"], s["hit_rate@1"], s["recall@1"]) == (0, 0, 0, 0, 0)


def test_users_without_held_out_items_are_not_evaluated() -> None:
    result = compare(FRAME, truth=TRUTH, n_resamples=50)
    u2 = result.to_frame().set_index(["variant", "userId"]).loc[("A", "u2")]
    assert math.isnan(u2["ndcg@4"])  # default k = longest list = 4
    assert result.summary().loc[0, "precision@4"] == 0.5  # the mean over evaluated users only


def test_truth_in_frame_contract_names() -> None:
    truth = TRUTH.rename(columns={"USER_ID": "userId", "ITEM_ID": "itemId"})
    result = compare(FRAME, truth=truth, metrics_at=["mrr"], n_resamples=50)
    assert result.to_frame().set_index(["variant", "userId"]).loc[("A", "u1"), "mrr"] == 0.5


def test_metric_specs_parse_once() -> None:
    assert parse_metric("ndcg@10") == MetricSpec("ndcg", 10)
    assert parse_metric(" MRR ") == MetricSpec("mrr", None)
    assert parse_metric("hits@5") == MetricSpec("hit_rate", 5)
    assert str(MetricSpec("recall", 20)) == "recall@20"
    assert parse_metrics(["ndcg@10", "ndcg@10", "mrr"]) == [MetricSpec("ndcg", 10), MetricSpec("mrr")]


def test_bad_metric_specs() -> None:
    with pytest.raises(ValidationError, match=r"metrics='map@10': unknown metric spec; known metrics are "
                       r"precision, recall, ndcg, mrr, hit_rate"):  # fmt: skip
        parse_metric("map@10")
    with pytest.raises(ValidationError, match="the cutoff k must be at least 1"):
        parse_metric("ndcg@0")


def test_truth_missing_columns() -> None:
    with pytest.raises(ValidationError, match=r"truth is missing column\(s\) itemId"):
        compare(FRAME, truth=pd.DataFrame({"USER_ID": ["u1"]}))
