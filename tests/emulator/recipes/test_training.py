"""TrainingData: the catalog, creation times and coding rules every recipe relies on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tests.support.recipes_fixtures as fx
from personalize_lab.emulator.recipes import TrainingData, get_recipe
from personalize_lab.errors import DataError


def test_catalog_is_items_dataset_order_then_interacted_only_items_sorted() -> None:
    inter = pd.DataFrame(
        {"USER_ID": ["u1", "u2", "u1"], "ITEM_ID": ["z", "x", "i2"], "TIMESTAMP": [30, 10, 20]}
    )
    items = pd.DataFrame({"ITEM_ID": ["i2", "i1"], "CREATION_TIMESTAMP": [5, 25]})
    data = TrainingData.from_frames(inter, items)
    assert data.catalog.item_ids.tolist() == ["i2", "i1", "x", "z"]
    assert data.catalog.index == {"i2": 0, "i1": 1, "x": 2, "z": 3}
    assert data.catalog.indices(["z", "nope", "i1"]).tolist() == [3, 1]
    # CREATION_TIMESTAMP wins; else the oldest interaction; never interacted and no timestamp -> latest
    assert data.item_creation_timestamp.tolist() == [5, 25, 10, 30]
    assert data.latest_timestamp == 30
    assert data.item_counts.tolist() == [1, 0, 1, 1]
    np.testing.assert_allclose(data.item_age_days(), np.array([25, 5, 20, 0]) / 86_400, rtol=1e-6)
    # interactions are sorted by time; the count matrix is users x catalog
    assert data.timestamp.tolist() == [10, 20, 30]
    assert data.user_items.toarray().tolist() == [[1, 0, 0, 1], [0, 0, 1, 0]]


def test_item_without_creation_time_or_interactions_counts_as_new() -> None:
    inter = pd.DataFrame({"USER_ID": ["u1"], "ITEM_ID": ["a"], "TIMESTAMP": [1000]})
    data = TrainingData.from_frames(inter, pd.DataFrame({"ITEM_ID": ["a", "fresh"]}))
    assert data.item_creation_timestamp.tolist() == [1000, 1000]
    assert data.item_age_days().tolist() == [0.0, 0.0]


def test_context_columns_event_types_and_users() -> None:
    data = TrainingData.from_frames(fx.interactions(), fx.items())
    assert list(data.context) == ["DEVICE"]
    assert data.context["DEVICE"].values.tolist() == ["desktop", "mobile"]
    assert data.event_type is not None
    mask = data.event_type_mask(["purchase", "WATCH"])  # event types match case-insensitively
    assert mask is not None
    assert int(mask.sum()) == 2 * data.n_interactions // 3
    assert data.event_type_mask(None) is None
    users = pd.DataFrame({"USER_ID": ["a0", "only-in-users"], "SEGMENT": ["x", "y"]})
    with_users = TrainingData.from_frames(fx.interactions(), users=users)
    assert with_users.user_ids.tolist()[-1] == "only-in-users"
    assert with_users.n_users == 13


def test_bad_frames_name_the_column_and_the_fix() -> None:
    with pytest.raises(DataError, match=r"column USER_ID: the Interactions frame has no USER_ID column"):
        TrainingData.from_frames(pd.DataFrame({"ITEM_ID": ["a"], "TIMESTAMP": [1]}))
    bad = pd.DataFrame({"USER_ID": ["u"], "ITEM_ID": ["a"], "TIMESTAMP": ["2024-01-01"]})
    with pytest.raises(DataError, match=r"TIMESTAMP has dtype .*Fix: convert it"):
        TrainingData.from_frames(bad)


def test_new_user_with_metadata_gets_items_liked_by_similar_users() -> None:
    users = pd.DataFrame(
        {
            "USER_ID": [f"a{u}" for u in range(6)] + [f"b{u}" for u in range(6)] + ["newbie"],
            "SEGMENT": ["alpha"] * 6 + ["beta"] * 6 + ["beta"],
        }
    )
    data = TrainingData.from_frames(fx.interactions(), fx.items(), users)
    model = get_recipe("aws-user-personalization").fit(data)
    top5 = set(fx.top(data.catalog.item_ids, model.relevance_for_user("newbie"), 5))
    assert top5 == fx.group_items("b")
    # without metadata the same user would get the plain popularity order (A and B tied)
    plain = model.relevance_for_user("stranger")
    assert set(fx.top(data.catalog.item_ids, plain, 6)) == {"A0", "A1", "A2", "B0", "B1", "B2"}
