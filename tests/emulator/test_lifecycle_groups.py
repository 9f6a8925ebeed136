"""Filters and event trackers on dataset groups made through the lifecycle (real boto3 clients)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from personalize_lab.datasets import demo_store
from tests.support.lifecycle import Account, account


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Account:
    return account(tmp_path_factory.mktemp("s3"))


@pytest.fixture(scope="module")
def campaign(shop: Account) -> str:
    version = shop.version("groups-up", "user-personalization")
    return str(shop.personalize.create_campaign(name="groups-up", solutionVersionArn=version)["campaignArn"])


def items(shop: Account, campaign: str, **params: object) -> list[str]:
    answer = shop.runtime.get_recommendations(campaignArn=campaign, userId=shop.user, numResults=25, **params)
    return [i["itemId"] for i in answer["itemList"]]


def test_a_filter_of_the_group_filters_its_campaign(shop: Account, campaign: str) -> None:
    before = items(shop, campaign)
    arn = shop.personalize.create_filter(
        name="not-these",
        datasetGroupArn=shop.dataset_group,
        filterExpression="EXCLUDE ItemID WHERE Items.ITEM_ID IN ($ids)",
    )["filterArn"]
    shown = shop.personalize.describe_filter(filterArn=arn)["filter"]
    assert shown["datasetGroupArn"] == shop.dataset_group
    assert shown["status"] == "ACTIVE"
    after = items(shop, campaign, filterArn=arn, filterValues={"ids": ",".join(f'"{i}"' for i in before[:3])})
    assert not set(before[:3]) & set(after)
    shop.personalize.delete_filter(filterArn=arn)
    with pytest.raises(shop.runtime.exceptions.ResourceNotFoundException):
        items(shop, campaign, filterArn=arn, filterValues={"ids": '"x"'})


def test_a_filter_made_before_training_serves_the_new_version(shop: Account) -> None:
    arn = shop.personalize.create_filter(
        name="unseen",
        datasetGroupArn=shop.dataset_group,
        filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
    )["filterArn"]
    version = shop.version("groups-later", "user-personalization")
    later = shop.personalize.create_campaign(name="groups-later", solutionVersionArn=version)["campaignArn"]
    interactions = demo_store(size="small", seed=0).interactions
    seen = set(interactions.loc[interactions["USER_ID"] == shop.user, "ITEM_ID"])
    assert seen & set(items(shop, later))  # unfiltered, the user's own items come back
    answer = items(shop, later, filterArn=arn)
    assert answer
    assert not seen & set(answer)


def test_put_events_with_the_group_tracker_reaches_its_campaign(shop: Account, campaign: str) -> None:
    tracker = shop.personalize.create_event_tracker(name="groups-tracker", datasetGroupArn=shop.dataset_group)
    assert (
        shop.personalize.describe_event_tracker(eventTrackerArn=tracker["eventTrackerArn"])["eventTracker"][
            "datasetGroupArn"
        ]
        == shop.dataset_group
    )
    unseen = shop.personalize.create_filter(
        name="unseen-2",
        datasetGroupArn=shop.dataset_group,
        filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
    )["filterArn"]
    first = items(shop, campaign, filterArn=unseen)[0]
    events = shop.local.client("personalize-events")
    events.put_events(
        trackingId=tracker["trackingId"],
        userId=shop.user,
        sessionId="s1",
        eventList=[{"eventType": "click", "itemId": first, "sentAt": time.time()}],
    )
    assert first not in items(shop, campaign, filterArn=unseen)  # the next answer changed


def test_put_events_before_any_training_is_accepted(tmp_path: Path) -> None:
    fresh = account(tmp_path, name="fresh")
    tracker = fresh.personalize.create_event_tracker(name="early", datasetGroupArn=fresh.dataset_group)
    fresh.local.client("personalize-events").put_events(
        trackingId=tracker["trackingId"], userId="u", sessionId="s",
        eventList=[{"eventType": "click", "itemId": "i", "sentAt": time.time()}],
    )  # fmt: skip
