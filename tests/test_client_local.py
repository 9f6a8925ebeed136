"""Lab end to end on the embedded local Personalize (the real engine behind real boto3 clients)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

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


# --- the composed Lab: one connection shared by with_target, requests as data --------------------------


def test_with_target_shares_clients_recorder_and_cache(
    local: LocalPersonalize, user: str, tmp_path: Path
) -> None:
    path = tmp_path / "calls.jsonl"
    lab = Lab.local(local, record=path)
    sims = lab.with_target(campaign_arn=local.campaign_arns["sims"])
    assert (sims.client, sims.control_client) == (lab.client, lab.control_client)
    assert (sims.source, sims.local_personalize) == ("local", local)
    seed = str(lab.recommend(user, num_results=1)["itemId"].iloc[0])
    sims.recommend(item_id=seed, num_results=3)
    sent = [json.loads(line)["request"] for line in path.read_text().splitlines()]
    assert {"campaignArn": local.campaign_arns["sims"], "itemId": seed, "numResults": 3} in sent

    first = lab.recommend_many([user], progress=False, num_results=3)
    assert first.stats["sent"] == 1
    assert sims.recommend_many(items=[seed], progress=False).stats["sent"] == 1
    assert lab.recommend_many([user], progress=False, num_results=3).stats["from_cache"] == 1
    sims.clear_cache()  # one cache for the connection: forgets the first Lab's answers too
    assert lab.recommend_many([user], progress=False, num_results=3).stats["sent"] == 1


def test_a_variant_on_another_target_is_recorded_and_replays(
    local: LocalPersonalize, user: str, tmp_path: Path
) -> None:
    path = tmp_path / "calls.jsonl"
    lab = Lab.local(local, record=path)
    variants: dict[str, dict[str, Any]] = {
        "up": {},
        "v2": {"campaign_arn": local.campaign_arns["user-personalization-v2"]},
    }
    live = lab.recommend_many([user], variants=variants, progress=False, num_results=5)
    offline = Lab.replay(path, campaign_arn=lab.campaign_arn).recommend_many(
        [user], variants=variants, progress=False, num_results=5
    )
    columns = ["variant", "userId", "rank", "itemId", "score"]
    pd.testing.assert_frame_equal(offline.frame[columns], live.frame[columns])


def test_build_request_then_send_is_what_recommend_sends(local: LocalPersonalize, user: str) -> None:
    lab = Lab.local(local)
    arguments: dict[str, Any] = {
        "user_id": user,
        "num_results": 5,
        "filter": "category",
        "filter_values": {"CATEGORY": ["Books"]},
    }
    request = lab.build_request("recommend", **arguments)
    assert request.operation == "GetRecommendations"
    assert request.kwargs["filterArn"].startswith("arn:aws:personalize:")
    assert request.kwargs["filterValues"] == {"CATEGORY": '"Books"'}
    answer = lab.send(request)
    assert lab.last_call() == "# no request sent yet"  # send is for many requests: not remembered
    frame = lab.recommend(**arguments)
    assert [i["itemId"] for i in answer["itemList"]] == frame["itemId"].tolist()
    assert lab.last_call() == request.python_call()

    ranker = lab.with_target(campaign_arn=local.campaign_arns["personalized-ranking"])
    ranking = ranker.build_request("rank", user_id=user, items=frame["itemId"].tolist())
    assert ranking.operation == "GetPersonalizedRanking"
    assert sorted(i["itemId"] for i in ranker.send(ranking)["personalizedRanking"]) == sorted(frame["itemId"])

    with pytest.raises(err.ValidationError) as info:
        lab.build_request("recommend_items", user_id=user)  # type: ignore[arg-type]
    assert info.value.field == "verb"
    assert "Fix: pass one of ['rank', 'recommend', 'recommend_actions']" in str(info.value)
