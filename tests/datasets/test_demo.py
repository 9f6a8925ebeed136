"""The synthetic demo store: shape, determinism, and structure a model can learn (taste, device, funnel)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from personalize_lab.datasets import DEMO_SCHEMAS, PersonalizeData, demo_store, load_dir, write_dir
from personalize_lab.datasets.demo import END, NEW_ITEM_DAYS
from personalize_lab.datasets.demo_actions import ACTION_SCHEMAS
from personalize_lab.datasets.demo_config import demo_config
from personalize_lab.emulator import LocalPersonalize
from personalize_lab.errors import DataError


@pytest.fixture(scope="module")
def store() -> PersonalizeData:
    start = time.perf_counter()
    data = demo_store("small", seed=0)
    print(f"\ndemo_store('small') generated in {time.perf_counter() - start:.3f} s")  # reported, not asserted
    return data


def test_small_store_has_the_documented_shape(store: PersonalizeData) -> None:
    assert store.items is not None
    assert store.users is not None
    assert (len(store.users), len(store.items), len(store.interactions)) == (1_000, 2_000, 50_000)
    for name, schema in DEMO_SCHEMAS.items():
        assert store.field_names(name) == schema.names
        assert store.schemas[name] == schema
    assert store.interactions.dtypes.astype(str).tolist() == ["str", "str", "int64", "str", "float64", "str"]
    assert store.items["ITEM_ID"].is_unique
    assert store.categorical_values("Interactions", "DEVICE") == ["desktop", "mobile", "tablet"]
    assert store.categorical_values("Users", "MEMBERSHIP") == ["free", "plus", "premium"]
    assert store.categorical_values("Items", "AVAILABLE") == ["False", "True"]
    assert set(store.interactions["USER_ID"]) == set(store.users["USER_ID"])
    assert set(store.interactions["ITEM_ID"]) <= set(store.items["ITEM_ID"])
    # CATEGORY_L2 sits under exactly one CATEGORY_L1
    assert store.items.groupby("CATEGORY_L2")["CATEGORY_L1"].nunique().max() == 1


@pytest.mark.parametrize(("n_users", "n_items", "n_interactions"), [(1, 1, 1), (30, 40, 31), (7, 9, 1_000)])
def test_tiny_stores_have_exactly_the_asked_counts(n_users: int, n_items: int, n_interactions: int) -> None:
    data = demo_store(n_users=n_users, n_items=n_items, n_interactions=n_interactions)
    assert len(data.interactions) == n_interactions
    assert data.interactions["USER_ID"].nunique() == n_users  # every user has at least one view


def test_explicit_counts_override_the_size() -> None:
    data = demo_store(n_users=50, n_items=80, n_interactions=1_000, seed=3)
    assert data.items is not None
    assert data.users is not None
    assert (len(data.users), len(data.items), len(data.interactions)) == (50, 80, 1_000)
    with pytest.raises(
        DataError, match=r"size='huge' is not a demo size; choose one of small, medium, large"
    ):
        demo_store("huge")


def test_same_seed_same_store_other_seed_other_store(store: PersonalizeData) -> None:
    again = demo_store("small", seed=0)
    pd.testing.assert_frame_equal(again.interactions, store.interactions)
    pd.testing.assert_frame_equal(again.items, store.items)
    pd.testing.assert_frame_equal(again.users, store.users)
    other = demo_store("small", seed=1)
    assert not other.interactions["ITEM_ID"].equals(store.interactions["ITEM_ID"])


def test_funnel_events_follow_views_with_prices(store: PersonalizeData) -> None:
    assert store.items is not None
    i = store.interactions
    counts = i["EVENT_TYPE"].value_counts()
    assert counts["View"] > counts["AddToCart"] > counts["Purchase"] > 0
    assert 0.10 < counts["AddToCart"] / counts["View"] < 0.20
    price = store.items.set_index("ITEM_ID")["PRICE"]
    paid = i[i["EVENT_TYPE"] != "View"]
    assert np.allclose(paid["EVENT_VALUE"].to_numpy(), price.loc[paid["ITEM_ID"]].to_numpy())
    assert i.loc[i["EVENT_TYPE"] == "View", "EVENT_VALUE"].isna().all()
    # every purchase has an earlier add-to-cart of the same item by the same user
    first_cart = i[i["EVENT_TYPE"] == "AddToCart"].groupby(["USER_ID", "ITEM_ID"])["TIMESTAMP"].min()
    buys = i[i["EVENT_TYPE"] == "Purchase"].set_index(["USER_ID", "ITEM_ID"])["TIMESTAMP"]
    assert (first_cart.reindex(buys.index).to_numpy() < buys.to_numpy()).all()
    assert i["TIMESTAMP"].is_monotonic_increasing


def test_new_items_exist_and_are_never_seen_before_creation(store: PersonalizeData) -> None:
    assert store.items is not None
    created = store.items.set_index("ITEM_ID")["CREATION_TIMESTAMP"]
    i = store.interactions
    assert (i["TIMESTAMP"].to_numpy() >= created.loc[i["ITEM_ID"]].to_numpy()).all()
    new = created[created > END - NEW_ITEM_DAYS * 86_400].index
    assert len(new) > 50
    per_item = i["ITEM_ID"].value_counts().reindex(created.index, fill_value=0)
    assert per_item[new].mean() < 0.6 * per_item.drop(new).mean()


def test_device_really_shifts_what_is_chosen(store: PersonalizeData) -> None:
    assert store.items is not None
    views = store.interactions[store.interactions["EVENT_TYPE"] == "View"].merge(
        store.items[["ITEM_ID", "CATEGORY_L1", "PRICE"]], on="ITEM_ID"
    )
    two = views[views["DEVICE"].isin(["mobile", "desktop"])]
    table = pd.crosstab(two["CATEGORY_L1"], two["DEVICE"])
    _, p_value, _, _ = chi2_contingency(table)
    shares = table / table.sum()
    print(f"\ncategory shares by device (chi2 p={p_value:.1e}):\n{shares.round(3)}")
    assert p_value < 1e-50
    assert shares.loc["Apparel", "mobile"] > 1.5 * shares.loc["Apparel", "desktop"]
    assert shares.loc["Electronics", "desktop"] > 1.5 * shares.loc["Electronics", "mobile"]
    median = two.groupby("DEVICE")["PRICE"].median()
    assert median["mobile"] < median["desktop"]


def _holdout(interactions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-user temporal split: each user's newest 10% of interactions are held out."""
    user, _ = pd.factorize(interactions["USER_ID"])
    order = np.lexsort((interactions["TIMESTAMP"].to_numpy(), user))
    counts = np.bincount(user)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    position = np.arange(len(order)) - np.repeat(starts, counts)
    test = np.zeros(len(order), dtype=bool)
    test[order] = position >= np.ceil(np.repeat(counts, counts) * 0.9)
    return interactions[~test], interactions[test]


def _metrics(scores: np.ndarray, seen: np.ndarray, truth: list[set[int]], k: int = 10) -> tuple[float, float]:
    """Mean Recall@k and NDCG@k over users with held-out items, never recommending seen items."""
    masked = np.where(seen, -np.inf, scores)
    top = np.argsort(-masked, axis=1, kind="stable")[:, :k]
    discounts = 1 / np.log2(np.arange(2, k + 2))
    recalls, ndcgs = [], []
    for u, relevant in enumerate(truth):
        if not relevant:
            continue
        hits = np.array([item in relevant for item in top[u]])
        recalls.append(hits.sum() / min(k, len(relevant)))
        ndcgs.append((hits * discounts).sum() / discounts[: min(k, len(relevant))].sum())
    return float(np.mean(recalls)), float(np.mean(ndcgs))


def test_personalisation_beats_popularity_on_held_out_data(store: PersonalizeData) -> None:
    train, test = _holdout(store.interactions)
    users = pd.Index(sorted(store.interactions["USER_ID"].unique()))
    items = pd.Index(sorted(store.interactions["ITEM_ID"].unique()))
    x = np.zeros((len(users), len(items)), dtype=np.float32)
    x[users.get_indexer(train["USER_ID"]), items.get_indexer(train["ITEM_ID"])] = 1.0
    truth: list[set[int]] = [set() for _ in users]
    for u, i in zip(users.get_indexer(test["USER_ID"]), items.get_indexer(test["ITEM_ID"]), strict=True):
        truth[u].add(int(i))
    # EASE (Steck 2019): B = I - P / diag(P) with P = (XᵀX + λI)⁻¹, diagonal zeroed
    gram = x.T @ x + np.float32(100.0) * np.eye(len(items), dtype=np.float32)
    p = np.linalg.inv(gram)
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    seen = x > 0
    pop_recall, pop_ndcg = _metrics(np.broadcast_to(x.sum(axis=0), x.shape), seen, truth)
    ease_recall, ease_ndcg = _metrics(x @ b, seen, truth)
    print(
        f"\nholdout: popularity Recall@10={pop_recall:.4f} NDCG@10={pop_ndcg:.4f}; "
        f"EASE Recall@10={ease_recall:.4f} NDCG@10={ease_ndcg:.4f}"
    )
    assert ease_recall >= 1.3 * pop_recall
    assert ease_ndcg >= 1.3 * pop_ndcg


def test_written_folder_reads_back_exactly(store: PersonalizeData, tmp_path: Path) -> None:
    folder = write_dir(store, tmp_path / "shop")
    assert sorted(p.name for p in folder.iterdir()) == [
        "action_interactions.csv",
        "action_interactions.schema.json",
        "actions.csv",
        "actions.schema.json",
        "interactions.csv",
        "interactions.schema.json",
        "items.csv",
        "items.schema.json",
        "personalize-lab.json",
        "users.csv",
        "users.schema.json",
    ]
    again = load_dir(folder)
    assert again.config == store.config == demo_config()
    for name in ("Interactions", "Items", "Users", "Actions", "ActionInteractions"):
        pd.testing.assert_frame_equal(again.frame(name), store.frame(name))
    assert dict(again.schemas) == {**DEMO_SCHEMAS, **ACTION_SCHEMAS}
    assert again.report.skipped == ()


def _resources(local: LocalPersonalize) -> dict[str, Any]:
    """What a user of the control plane sees: every resource by name, with recipe, config and expression."""
    client = local.client("personalize")
    campaigns = {}
    for c in client.list_campaigns()["campaigns"]:
        described = client.describe_campaign(campaignArn=c["campaignArn"])["campaign"]
        version = client.describe_solution_version(solutionVersionArn=described["solutionVersionArn"])
        campaigns[c["name"]] = (version["solutionVersion"]["recipeArn"], described["campaignConfig"])
    recommenders = {
        r["name"]: (r["recipeArn"], r["recommenderConfig"])
        for r in client.list_recommenders()["recommenders"]
    }
    filters = {
        f["name"]: client.describe_filter(filterArn=f["filterArn"])["filter"]["filterExpression"]
        for f in client.list_filters()["Filters"]
    }
    trackers = [t["name"] for t in client.list_event_trackers()["eventTrackers"]]
    groups = [g["name"] for g in client.list_dataset_groups()["datasetGroups"]]
    return {"campaigns": campaigns, "recommenders": recommenders, "filters": filters, "trackers": trackers,
            "groups": groups}  # fmt: skip


def test_written_demo_folder_serves_the_demo_resources(store: PersonalizeData, tmp_path: Path) -> None:
    folder = write_dir(store, tmp_path / "shop")
    round_tripped = _resources(LocalPersonalize.from_csv(folder))
    assert round_tripped == _resources(LocalPersonalize.demo())
    assert len(round_tripped["filters"]) == 12
    assert round_tripped["filters"]["category"] == "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)"
    assert round_tripped["campaigns"]["user-personalization-no-exploration"] == (
        "arn:aws:personalize:::recipe/aws-user-personalization",
        {"enableMetadataWithRecommendations": True, "itemExplorationConfig": {"explorationWeight": "0"}},
    )
    assert set(round_tripped["recommenders"]) == {
        "recommended-for-you",
        "customers-also-viewed",
        "best-sellers",
    }
    assert round_tripped["trackers"] == ["demo-store-tracker"]
