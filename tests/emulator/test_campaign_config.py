"""campaignConfig as a boto3 user sees it: rankingInfluence refused and honoured like the service, and
syncWithLatestSolutionVersion with the ``<solutionArn>/$LATEST`` form."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from personalize_lab.emulator import LocalPersonalize
from personalize_lab.emulator.exceptions import InvalidInputException
from tests.support.local_store import REGION_ACCOUNT, campaign, tiny_local

NO_EXPLORATION = {"itemExplorationConfig": {"explorationWeight": "0"}}
FRESH_ITEMS = {"i42", "i43", "i44"}  # created 2 days before the data's end, never interacted with


@pytest.fixture
def local() -> LocalPersonalize:
    return tiny_local()


@pytest.fixture
def client(local: LocalPersonalize) -> Any:
    return local.client("personalize")


def _version(client: Any, name: str = "up") -> str:
    return str(client.describe_campaign(campaignArn=campaign(name))["campaign"]["solutionVersionArn"])


def _deploy(client: Any, name: str, **config: Any) -> str:
    made = client.create_campaign(
        name=name, solutionVersionArn=_version(client), campaignConfig={**NO_EXPLORATION, **config}
    )
    return str(made["campaignArn"])


def _top(local: LocalPersonalize, arn: str, user: str, n: int = 10) -> list[str]:
    answer = local.client("personalize-runtime").get_recommendations(
        campaignArn=arn, userId=user, numResults=n
    )
    return [item["itemId"] for item in answer["itemList"]]


@pytest.mark.parametrize(
    ("influence", "message"),
    [
        (
            {"NOVELTY": 0.5},
            "1 validation error detected: Value '{NOVELTY=0.5}' at 'campaignConfig.rankingInfluence' failed to "
            "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy enum value set: "
            "[POPULARITY, FRESHNESS]]",
        ),
        (
            {"POPULARITY": 1.5},
            "1 validation error detected: Value '{POPULARITY=1.5}' at 'campaignConfig.rankingInfluence' failed "
            "to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or "
            "equal to 1]",
        ),
    ],
)
def test_a_bad_ranking_influence_is_refused_like_the_service(
    client: Any, influence: dict[str, float], message: str
) -> None:
    with pytest.raises(client.exceptions.InvalidInputException) as caught:
        client.create_campaign(
            name="bad", solutionVersionArn=_version(client), campaignConfig={"rankingInfluence": influence}
        )
    assert caught.value.response["Error"]["Message"] == message
    assert "bad" not in [c["name"] for c in client.list_campaigns()["campaigns"]]


def test_a_negative_weight_is_refused_by_botocore_before_it_is_sent(client: Any) -> None:
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError, match=r"rankingInfluence\.POPULARITY"):
        client.create_campaign(
            name="neg",
            solutionVersionArn=_version(client),
            campaignConfig={"rankingInfluence": {"POPULARITY": -1}},
        )


def test_freshness_brings_new_items_up_and_weight_zero_changes_nothing(
    client: Any, local: LocalPersonalize
) -> None:
    plain = _deploy(client, "plain")
    zero = _deploy(client, "zero", rankingInfluence={"FRESHNESS": 0.0, "POPULARITY": 0.0})
    fresh = _deploy(client, "fresh", rankingInfluence={"FRESHNESS": 1.0})
    described = client.describe_campaign(campaignArn=fresh)["campaign"]["campaignConfig"]
    assert described["rankingInfluence"] == {"FRESHNESS": 1.0}
    for user in ("u00", "u01", "u02"):
        assert _top(local, zero, user) == _top(local, plain, user)
        assert not FRESH_ITEMS & set(_top(local, plain, user))
        assert set(_top(local, fresh, user, 5)) >= FRESH_ITEMS


def test_popularity_shifts_recommendations_toward_popular_items(client: Any, local: LocalPersonalize) -> None:
    counts = local.training.item_counts
    index = local.catalog.index

    def mean_count(arn: str) -> float:
        picked = [index[i] for user in local.users[:30] for i in _top(local, arn, user)]
        return float(np.mean(counts[picked]))

    plain = _deploy(client, "plain")
    some = _deploy(client, "some", rankingInfluence={"POPULARITY": 0.3})
    full = _deploy(client, "full", rankingInfluence={"POPULARITY": 1.0})
    assert mean_count(plain) < mean_count(some) < mean_count(full)


def test_sync_with_latest_needs_the_latest_form(client: Any, local: LocalPersonalize) -> None:
    version = _version(client)
    with pytest.raises(client.exceptions.InvalidInputException, match=r"SolutionArn/\$LATEST format"):
        client.create_campaign(
            name="synced", solutionVersionArn=version, campaignConfig={"syncWithLatestSolutionVersion": True}
        )
    latest = f"{REGION_ACCOUNT}:solution/up/$LATEST"
    arn = client.create_campaign(
        name="synced", solutionVersionArn=latest, campaignConfig={"syncWithLatestSolutionVersion": True}
    )["campaignArn"]
    described = client.describe_campaign(campaignArn=arn)["campaign"]
    assert described["solutionVersionArn"] == latest
    assert described["campaignConfig"] == {"syncWithLatestSolutionVersion": True}
    answer = local.client("personalize-runtime").get_recommendations(campaignArn=arn, userId="u00")
    assert len(answer["itemList"]) == 25
    # the $LATEST form without sync deploys the latest version too
    client.create_campaign(name="latest-once", solutionVersionArn=latest)


def test_the_python_api_checks_the_same_config(local: LocalPersonalize) -> None:
    with pytest.raises(InvalidInputException, match="enum value set"):
        local.create_campaign("bad", "aws-user-personalization", {"rankingInfluence": {"popularity": 1.0}})
    with pytest.raises(InvalidInputException, match="syncWithLatestSolutionVersion"):
        local.create_campaign("bad", "aws-user-personalization", {"syncWithLatestSolutionVersion": True})
    arn = local.create_campaign("ok", "aws-user-personalization", {"rankingInfluence": {"POPULARITY": 0.5}})
    assert local.get_recommendations(campaignArn=arn, userId="u00")["itemList"]
