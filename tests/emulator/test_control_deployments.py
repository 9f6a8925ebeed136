"""UpdateCampaign, DeleteCampaign, DeleteEventTracker and what every Delete* removes or refuses (boto3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import personalize_lab as pl
from tests.support.lifecycle import Account, account


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Account:
    return account(tmp_path_factory.mktemp("s3"))


def items(shop: Account, campaign: str) -> list[str]:
    answer = shop.runtime.get_recommendations(campaignArn=campaign, userId=shop.user, numResults=10)
    return [i["itemId"] for i in answer["itemList"]]


def error_code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return str(raised.value.response["Error"]["Code"])


def test_update_campaign_serves_the_new_version_at_once(shop: Account) -> None:
    popular = shop.version("popular", "popularity-count")
    personal = shop.version("personal", "user-personalization")
    exploit = {"itemExplorationConfig": {"explorationWeight": "0"}}  # no random picks: answers comparable
    reference = shop.personalize.create_campaign(
        name="reference", solutionVersionArn=personal, campaignConfig=exploit
    )["campaignArn"]
    campaign = shop.personalize.create_campaign(name="moving", solutionVersionArn=popular)["campaignArn"]
    before = items(shop, campaign)  # caches the user's scores on the old version
    assert "latestCampaignUpdate" not in shop.personalize.describe_campaign(campaignArn=campaign)["campaign"]

    shop.personalize.update_campaign(
        campaignArn=campaign, solutionVersionArn=personal, minProvisionedTPS=2, campaignConfig=exploit
    )

    described = shop.personalize.describe_campaign(campaignArn=campaign)["campaign"]
    assert described["solutionVersionArn"] == personal
    assert described["minProvisionedTPS"] == 2
    update = described["latestCampaignUpdate"]
    assert (update["solutionVersionArn"], update["minProvisionedTPS"], update["status"]) == (
        personal,
        2,
        "ACTIVE",
    )
    after = items(shop, campaign)
    assert after == items(shop, reference)
    assert after != before


def test_update_campaign_changes_the_config_only(shop: Account) -> None:
    version = shop.version("config-only", "user-personalization")
    campaign = shop.personalize.create_campaign(
        name="explores",
        solutionVersionArn=version,
        campaignConfig={"itemExplorationConfig": {"explorationWeight": "0"}},
    )["campaignArn"]
    config = {"itemExplorationConfig": {"explorationWeight": "0.9", "explorationItemAgeCutOff": "30"}}
    shop.personalize.update_campaign(campaignArn=campaign, campaignConfig=config)
    described = shop.personalize.describe_campaign(campaignArn=campaign)["campaign"]
    assert described["solutionVersionArn"] == version
    assert described["campaignConfig"]["itemExplorationConfig"]["explorationWeight"] == "0.9"
    assert described["latestCampaignUpdate"]["campaignConfig"] == described["campaignConfig"]


def test_update_campaign_refuses_a_version_that_is_not_active(shop: Account) -> None:
    version = shop.version("refused", "popularity-count")
    campaign = shop.personalize.create_campaign(name="stays", solutionVersionArn=version)["campaignArn"]
    with pytest.raises(ClientError) as raised:
        shop.personalize.update_campaign(campaignArn=campaign, solutionVersionArn=version + "x")
    assert error_code(raised) == "ResourceNotFoundException"
    assert (
        shop.personalize.describe_campaign(campaignArn=campaign)["campaign"]["solutionVersionArn"] == version
    )


def test_update_campaign_on_the_demo_group_follows_the_new_version() -> None:
    local = pl.LocalPersonalize.demo()
    personalize, runtime = local.client("personalize"), local.client("personalize-runtime")
    up, popular = local.campaign_arns["user-personalization"], local.campaign_arns["popularity-count"]
    popular_version = personalize.describe_campaign(campaignArn=popular)["campaign"]["solutionVersionArn"]
    user = local.users[0]
    runtime.get_recommendations(campaignArn=up, userId=user)
    personalize.update_campaign(campaignArn=up, solutionVersionArn=popular_version)
    moved = runtime.get_recommendations(campaignArn=up, userId=user, numResults=5)["itemList"]
    expected = runtime.get_recommendations(campaignArn=popular, userId=user, numResults=5)["itemList"]
    assert [i["itemId"] for i in moved] == [i["itemId"] for i in expected]


def test_delete_campaign_stops_serving_and_frees_its_solution(shop: Account) -> None:
    version = shop.version("gone", "popularity-count")
    solution = version.rsplit("/", 1)[0]
    campaign = shop.personalize.create_campaign(name="gone", solutionVersionArn=version)["campaignArn"]
    with pytest.raises(ClientError) as raised:
        shop.personalize.delete_solution(solutionArn=solution)
    assert error_code(raised) == "ResourceInUseException"

    shop.personalize.delete_campaign(campaignArn=campaign)
    for call in (
        lambda: shop.personalize.describe_campaign(campaignArn=campaign),
        lambda: items(shop, campaign),
    ):
        with pytest.raises(ClientError) as raised:
            call()
        assert error_code(raised) == "ResourceNotFoundException"
    assert campaign not in [c["campaignArn"] for c in shop.personalize.list_campaigns()["campaigns"]]

    shop.personalize.delete_solution(solutionArn=solution)  # its versions go with it
    assert shop.personalize.list_solution_versions(solutionArn=solution)["solutionVersions"] == []
    with pytest.raises(ClientError) as raised:
        shop.personalize.describe_solution_version(solutionVersionArn=version)
    assert error_code(raised) == "ResourceNotFoundException"
    # the name is free again: a new campaign of that name serves
    again = shop.personalize.create_campaign(
        name="gone", solutionVersionArn=shop.version("back", "popularity-count")
    )
    assert items(shop, again["campaignArn"])


def test_delete_event_tracker_refuses_its_tracking_id_afterwards() -> None:
    local = pl.LocalPersonalize.demo()
    personalize, events = local.client("personalize"), local.client("personalize-events")
    tracker = personalize.list_event_trackers()["eventTrackers"][0]["eventTrackerArn"]
    tracking_id = personalize.describe_event_tracker(eventTrackerArn=tracker)["eventTracker"]["trackingId"]
    personalize.delete_event_tracker(eventTrackerArn=tracker)
    assert personalize.list_event_trackers()["eventTrackers"] == []
    with pytest.raises(ClientError) as raised:
        events.put_events(
            trackingId=tracking_id,
            sessionId="s",
            userId=local.users[0],
            eventList=[{"eventType": "click", "itemId": str(local.items["ITEM_ID"].iloc[0]), "sentAt": 1}],
        )
    assert error_code(raised) == "ResourceNotFoundException"


def test_a_dataset_group_is_deleted_after_what_it_holds(tmp_path: Path) -> None:
    shop = account(tmp_path, "emptied")
    p = shop.personalize
    solution = shop.version("only", "popularity-count").rsplit("/", 1)[0]
    for call, code in (
        (lambda: p.delete_dataset_group(datasetGroupArn=shop.dataset_group), "ResourceInUseException"),
        (lambda: p.delete_schema(schemaArn=shop.schema), "ResourceInUseException"),
    ):
        with pytest.raises(ClientError) as raised:
            call()
        assert error_code(raised) == code
    p.delete_solution(solutionArn=solution)
    p.delete_dataset(datasetArn=shop.dataset)
    assert p.list_dataset_import_jobs()["datasetImportJobs"] == []  # the import jobs went with the dataset
    p.delete_schema(schemaArn=shop.schema)
    p.delete_dataset_group(datasetGroupArn=shop.dataset_group)
    assert p.list_dataset_groups()["datasetGroups"] == []
    assert p.list_schemas()["schemas"] == []


def test_a_recommender_stops_starts_updates_and_is_deleted() -> None:
    local = pl.LocalPersonalize.demo()
    personalize, runtime = local.client("personalize"), local.client("personalize-runtime")
    arn = next(iter(local.recommender_arns.values()))
    user = local.users[0]

    def status() -> str:
        return str(personalize.describe_recommender(recommenderArn=arn)["recommender"]["status"])

    assert runtime.get_recommendations(recommenderArn=arn, userId=user)["itemList"]
    personalize.stop_recommender(recommenderArn=arn)
    assert status() == "INACTIVE"
    with pytest.raises(ClientError) as raised:
        runtime.get_recommendations(recommenderArn=arn, userId=user)
    assert error_code(raised) == "InvalidInputException"
    with pytest.raises(ClientError) as raised:
        personalize.stop_recommender(recommenderArn=arn)
    assert error_code(raised) == "ResourceInUseException"
    personalize.start_recommender(recommenderArn=arn)
    assert status() == "ACTIVE"

    personalize.update_recommender(
        recommenderArn=arn, recommenderConfig={"enableMetadataWithRecommendations": True}
    )
    described = personalize.describe_recommender(recommenderArn=arn)["recommender"]
    assert described["recommenderConfig"] == {"enableMetadataWithRecommendations": True}
    assert described["latestRecommenderUpdate"]["status"] == "ACTIVE"
    answer = runtime.get_recommendations(
        recommenderArn=arn, userId=user, metadataColumns={"ITEMS": ["BRAND"]}, numResults=3
    )
    assert all("metadata" in item for item in answer["itemList"])

    personalize.delete_recommender(recommenderArn=arn)
    assert arn not in [r["recommenderArn"] for r in personalize.list_recommenders()["recommenders"]]
    with pytest.raises(ClientError) as raised:
        runtime.get_recommendations(recommenderArn=arn, userId=user)
    assert error_code(raised) == "ResourceNotFoundException"
