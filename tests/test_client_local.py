"""Lab end to end on the embedded local Personalize (the real engine behind real boto3 clients)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import personalize_lab.errors as err
from personalize_lab.client import Lab
from personalize_lab.emulator import LocalPersonalize
from personalize_lab.requests import Promotion


@pytest.fixture(scope="module")
def local() -> LocalPersonalize:
    return LocalPersonalize.demo()


@pytest.fixture(scope="module")
def user(local: LocalPersonalize) -> str:
    return str(local.users[0])


def test_demo_filter_promotion_metadata(local: LocalPersonalize, user: str) -> None:
    lab = Lab.local(local)
    df = lab.recommend(
        user,
        num_results=10,
        filter="category",
        filter_values={"CATEGORY": ["Books"]},
        promotion=Promotion("deals", 30, filter="brand", filter_values={"BRAND": "Pixelon"}),
        metadata=["CATEGORY_L1", "BRAND"],
    )
    assert df.attrs["source"] == "local"
    assert len(df) == 10
    promoted = df[df["promotionName"].notna()]
    assert promoted["promotionName"].unique().tolist() == ["deals"]
    assert len(promoted) == 3  # 30% of 10
    # the request filter applies to the other items only, the promotion filter to promoted ones (§4)
    assert set(promoted["BRAND"]) == {"Pixelon"}
    assert set(df.loc[df["promotionName"].isna(), "CATEGORY_L1"]) == {"Books"}
    assert df["score"].notna().all()
    assert str(df.dtypes["score"]) == "Float64"
    assert df.attrs["request"]["filterValues"] == {"CATEGORY": '"Books"'}


def test_scoreless_recipes_give_na_and_ranking_sums_to_one(local: LocalPersonalize, user: str) -> None:
    sims = Lab.local(local, campaign_arn=local.campaign_arns["sims"])
    related = sims.recommend(item_id="P00001", num_results=5)
    assert len(related) == 5
    assert related["score"].isna().all()
    ranker = Lab.local(local, campaign_arn=local.campaign_arns["personalized-ranking"])
    ranked = ranker.rank(user, ["P00001", "P00002", "P00003"])
    assert sorted(ranked["itemId"]) == ["P00001", "P00002", "P00003"]
    assert ranked["score"].sum() == pytest.approx(1.0)
    recommender = Lab.local(local, recommender_arn=local.recommender_arns["recommended-for-you"])
    assert recommender.describe()["recipeArn"] == "arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you"
    assert recommender.recommend(user, num_results=3)["score"].isna().all()


def test_validation_and_service_errors_against_the_engine(local: LocalPersonalize, user: str) -> None:
    lab = Lab.local(local)
    with pytest.warns(err.PersonalizeLabWarning, match=r"\$BRAND: expression 1"):
        lab.recommend(user, num_results=3, filter="exclude-brand")
    with pytest.raises(err.ValidationError, match=r"it reads CurrentItem"):
        lab.recommend(user, filter="cheaper-same-category")
    missing = local.default_campaign_arn.rsplit("/", 1)[0] + "/nope"
    with pytest.raises(err.ResourceNotFoundError) as info:
        Lab.local(local, campaign_arn=missing).recommend(user)
    assert info.value.request == {"campaignArn": missing}


def test_record_on_the_engine_then_replay(local: LocalPersonalize, user: str, tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    live = Lab.local(local, record=path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = live.recommend(user, num_results=5, filter="category", filter_values={"CATEGORY": "Books"})
    offline = Lab.replay(path)
    again = offline.recommend(user, num_results=5, filter="category", filter_values={"CATEGORY": "Books"})
    pd.testing.assert_frame_equal(again, first)  # every column, recommendationId included
    assert again.attrs["source"] == "replay"
