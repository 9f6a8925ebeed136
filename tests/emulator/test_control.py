"""The control plane as a boto3 user sees it, on the real engine: shapes, quirks, paging and errors of the
service, and resources created through boto3 that serve at once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from personalize_lab.emulator import LocalPersonalize, arns
from personalize_lab.emulator.control import ControlPlane
from personalize_lab.emulator.exceptions import InvalidInputException
from tests.support.local_store import DATASET_GROUP, REGION_ACCOUNT, campaign, filter_arn, tiny_local

VALID = 'INCLUDE ItemID WHERE Items.CATEGORY IN ("shoes")'
TINY_FILTERS = [
    "category",
    "not-category",
    "exclude-purchased",
    "available",
    "books",
    "cheap",
    "same-category",
]


@pytest.fixture
def local() -> LocalPersonalize:
    """A fresh store per test: most of these create or delete resources."""
    return tiny_local()


@pytest.fixture
def client(local: LocalPersonalize) -> Any:
    return local.client("personalize")


def test_list_filters_key_is_capitalised_without_expression(client: Any) -> None:
    started = dt.datetime.now(dt.UTC)
    fresh = tiny_local()
    answer = fresh.client("personalize").list_filters(datasetGroupArn=DATASET_GROUP)
    assert "filters" not in answer
    assert [f["name"] for f in answer["Filters"]] == TINY_FILTERS
    first = answer["Filters"][0]
    created = first.pop("creationDateTime")
    assert started <= created <= dt.datetime.now(dt.UTC)  # created now, read back as an aware datetime
    assert first.pop("lastUpdatedDateTime") == created
    assert first == {
        "name": "category",
        "filterArn": f"{REGION_ACCOUNT}:filter/category",
        "datasetGroupArn": DATASET_GROUP,
        "status": "ACTIVE",
    }
    described = client.describe_filter(filterArn=filter_arn("category"))["filter"]
    assert described["filterExpression"] == "INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)"


def test_describe_campaign_follows_the_model_and_leads_to_the_recipe(
    client: Any, local: LocalPersonalize
) -> None:
    described = client.describe_campaign(campaignArn=campaign("up"))["campaign"]
    assert described["campaignArn"] == f"{REGION_ACCOUNT}:campaign/up"
    assert described["campaignConfig"] == {
        "itemExplorationConfig": {"explorationWeight": "0"},
        "enableMetadataWithRecommendations": True,
    }
    assert (described["status"], described["minProvisionedTPS"]) == ("ACTIVE", 1)
    assert "latestCampaignUpdate" not in described
    assert re.fullmatch(rf"{REGION_ACCOUNT}:solution/up/[0-9a-f]{{8}}", described["solutionVersionArn"])
    version = client.describe_solution_version(solutionVersionArn=described["solutionVersionArn"])
    assert version["solutionVersion"]["trainingMode"] == "FULL"
    recipe = client.describe_recipe(recipeArn=version["solutionVersion"]["recipeArn"])["recipe"]
    assert (recipe["name"], recipe["recipeType"]) == ("aws-user-personalization", "USER_PERSONALIZATION")
    solution = client.describe_solution(solutionArn=version["solutionVersion"]["solutionArn"])["solution"]
    assert solution["latestSolutionVersion"]["solutionVersionArn"] == described["solutionVersionArn"]
    assert local.control.campaign_recipe_arn(campaign("up")) == recipe["recipeArn"]


def test_unknown_arn_is_resource_not_found_with_the_arn(client: Any) -> None:
    arn = campaign("nope")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
        client.describe_campaign(campaignArn=arn)
    assert raised.value.response["Error"]["Message"] == f"Resource Arn {arn} does not exist."
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_paging_cuts_pages_and_the_paginator_joins_them(client: Any) -> None:
    for k in range(2):
        client.create_filter(name=f"f{k}", datasetGroupArn=DATASET_GROUP, filterExpression=VALID)
    everything = [*TINY_FILTERS, "f0", "f1"]
    first = client.list_filters(maxResults=4)
    assert [f["name"] for f in first["Filters"]] == everything[:4]
    second = client.list_filters(maxResults=4, nextToken=first["nextToken"])
    assert [f["name"] for f in second["Filters"]] == everything[4:8]
    third = client.list_filters(maxResults=4, nextToken=second["nextToken"])
    assert [f["name"] for f in third["Filters"]] == everything[8:]
    assert "nextToken" not in third
    pages = client.get_paginator("list_filters").paginate(PaginationConfig={"PageSize": 3})
    assert [f["name"] for page in pages for f in page["Filters"]] == everything


def test_bad_paging_arguments_are_refused_like_the_service(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidNextTokenException, match="Invalid next token: garbage"):
        client.list_filters(nextToken="garbage")
    token = client.list_recipes(maxResults=1)["nextToken"]
    with pytest.raises(client.exceptions.InvalidNextTokenException):
        client.list_campaigns(nextToken=token)  # a token from another listing
    with pytest.raises(client.exceptions.InvalidInputException) as raised:
        client.list_filters(maxResults=101)
    assert raised.value.response["Error"]["Message"] == (
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
        "Member must have value between 1 and 100"
    )


def test_create_filter_checks_name_group_and_duplicates(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidInputException, match="Member must satisfy regular"):
        client.create_filter(name="-bad", datasetGroupArn=DATASET_GROUP, filterExpression=VALID)
    with pytest.raises(client.exceptions.InvalidInputException, match="length between 1 and 63"):
        client.create_filter(name="a" * 64, datasetGroupArn=DATASET_GROUP, filterExpression=VALID)
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException, match="filter/books"):
        client.create_filter(name="books", datasetGroupArn=DATASET_GROUP, filterExpression=VALID)
    other = DATASET_GROUP.replace("tiny", "other")
    with pytest.raises(client.exceptions.ResourceNotFoundException, match="dataset-group/other"):
        client.create_filter(name="ok", datasetGroupArn=other, filterExpression=VALID)
    assert [f["name"] for f in client.list_filters()["Filters"]] == TINY_FILTERS


def test_a_filter_created_through_boto3_filters_at_once_and_delete_removes_it(
    client: Any, local: LocalPersonalize
) -> None:
    runtime = local.client("personalize-runtime")
    arn = client.create_filter(
        name="cheapest",
        datasetGroupArn=DATASET_GROUP,
        filterExpression="INCLUDE ItemID WHERE Items.PRICE < 8",
    )["filterArn"]
    assert arn == f"{REGION_ACCOUNT}:filter/cheapest"
    assert client.describe_filter(filterArn=arn)["filter"]["status"] == "ACTIVE"
    answer = runtime.get_recommendations(campaignArn=campaign("popular"), filterArn=arn)
    assert sorted(e["itemId"] for e in answer["itemList"]) == ["i00", "i01", "i02"]  # PRICE is 5 + k
    client.delete_filter(filterArn=arn)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_filter(filterArn=arn)
    with pytest.raises(runtime.exceptions.ResourceNotFoundException, match="filter/cheapest does not exist"):
        runtime.get_recommendations(campaignArn=campaign("popular"), filterArn=arn)


def test_a_filter_the_engine_refuses_is_not_created(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidInputException) as raised:
        client.create_filter(
            name="nope",
            datasetGroupArn=DATASET_GROUP,
            filterExpression='INCLUDE ItemID WHERE Items.NOPE IN ("a")',
        )
    assert raised.value.response["Error"]["Message"] == (
        "Filter field Items.NOPE is not a column of the Items dataset "
        "(columns: ITEM_ID, CATEGORY, PRICE, TITLE, AVAILABLE, CREATION_TIMESTAMP)"
    )
    assert [f["name"] for f in client.list_filters()["Filters"]] == TINY_FILTERS


def test_create_filter_reports_the_parsers_message(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidInputException) as raised:
        client.create_filter(
            name="typo",
            datasetGroupArn=DATASET_GROUP,
            filterExpression='INCLUD ItemID WHERE Items.X IN ("a")',
        )
    assert raised.value.response["Error"]["Message"] == (
        "line 1, column 1: unexpected 'INCLUD'; expected INCLUDE or EXCLUDE.\n"
        '  INCLUD ItemID WHERE Items.X IN ("a")\n'
        "  ^"
    )


def test_a_campaign_created_through_boto3_serves_its_config(client: Any, local: LocalPersonalize) -> None:
    version = client.describe_campaign(campaignArn=campaign("popular"))["campaign"]["solutionVersionArn"]
    arn = client.create_campaign(
        name="popular-meta",
        solutionVersionArn=version,
        minProvisionedTPS=2,
        campaignConfig={"enableMetadataWithRecommendations": True},
    )["campaignArn"]
    described = client.describe_campaign(campaignArn=arn)["campaign"]
    assert described["campaignConfig"] == {"enableMetadataWithRecommendations": True}
    assert (described["status"], described["minProvisionedTPS"]) == ("ACTIVE", 2)
    solution = f"{REGION_ACCOUNT}:solution/popular"
    assert [c["name"] for c in client.list_campaigns(solutionArn=solution)["campaigns"]] == [
        "popular",
        "popular-meta",
    ]
    answer = local.client("personalize-runtime").get_recommendations(
        campaignArn=arn, numResults=2, metadataColumns={"ITEMS": ["CATEGORY"]}
    )
    assert answer["itemList"] == [
        {"itemId": "i00", "metadata": {"CATEGORY": "shoes"}},
        {"itemId": "i13", "metadata": {"CATEGORY": "books"}},
    ]
    with pytest.raises(client.exceptions.ResourceNotFoundException, match="solution/popular/00000000"):
        client.create_campaign(name="x", solutionVersionArn=f"{solution}/00000000")


def test_an_event_tracker_created_through_boto3_takes_events(client: Any, local: LocalPersonalize) -> None:
    made = client.create_event_tracker(name="clicks", datasetGroupArn=DATASET_GROUP)
    assert made["eventTrackerArn"] == f"{REGION_ACCOUNT}:event-tracker/clicks"
    assert made["trackingId"] == arns.tracking_id(made["eventTrackerArn"])
    assert re.fullmatch(r"[0-9a-f-]{36}", made["trackingId"])
    tracker = client.describe_event_tracker(eventTrackerArn=made["eventTrackerArn"])["eventTracker"]
    assert (tracker["accountId"], tracker["status"]) == ("123456789012", "ACTIVE")
    assert [t["name"] for t in client.list_event_trackers()["eventTrackers"]] == ["tiny-tracker", "clicks"]
    local.client("personalize-events").put_events(
        trackingId=made["trackingId"],
        userId="u05",
        sessionId="s",
        eventList=[{"eventType": "Click", "itemId": "i07", "sentAt": 1_800_000_000}],
    )
    assert local.user_history("u05", limit=1)[["ITEM_ID", "EVENT_TYPE"]].to_dict("records") == [
        {"ITEM_ID": "i07", "EVENT_TYPE": "click"}
    ]


def test_recipes_list_without_recipe_type_and_filter_by_domain(client: Any) -> None:
    everything = client.list_recipes(recipeProvider="SERVICE")["recipes"]
    assert len(everything) == 25
    assert all("recipeType" not in r for r in everything)
    ecommerce = client.list_recipes(domain="ECOMMERCE")["recipes"]
    assert [r["name"] for r in ecommerce] == [
        "aws-ecomm-popular-items-by-views",
        "aws-ecomm-popular-items-by-purchases",
        "aws-ecomm-frequently-bought-together",
        "aws-ecomm-customers-who-viewed-x-also-viewed",
        "aws-ecomm-recommended-for-you",
    ]
    popularity = client.describe_recipe(recipeArn="arn:aws:personalize:::recipe/aws-popularity-count")
    assert popularity["recipe"]["recipeType"] == "USER_PERSONALIZATION"  # the service's own quirk


def test_the_engines_datasets_schemas_and_solutions_are_listed(client: Any) -> None:
    assert [g["name"] for g in client.list_dataset_groups()["datasetGroups"]] == ["tiny"]
    datasets = client.list_datasets(datasetGroupArn=DATASET_GROUP)["datasets"]
    assert [(d["name"], d["datasetType"]) for d in datasets] == [
        ("tiny-interactions", "INTERACTIONS"),
        ("tiny-items", "ITEMS"),
        ("tiny-users", "USERS"),
    ]
    schema = client.describe_dataset(datasetArn=datasets[1]["datasetArn"])["dataset"]["schemaArn"]
    assert '"name": "ITEM_ID"' in client.describe_schema(schemaArn=schema)["schema"]["schema"]
    assert [s["name"] for s in client.list_solutions(datasetGroupArn=DATASET_GROUP)["solutions"]] == [
        "up",
        "up-explore",
        "up-v2",
        "up-v2-explore",
        "popular",
        "trending",
        "sims",
        "similar",
        "ranking",
        "ranking-v2",
    ]
    assert [r["name"] for r in client.list_recommenders()["recommenders"]] == ["for-you", "also-viewed"]


def test_statuses_with_spaces_and_a_recommender_that_is_not_active(
    client: Any, local: LocalPersonalize
) -> None:
    arn = f"{REGION_ACCOUNT}:recommender/for-you"
    local.control.set_status(arn, "CREATE IN_PROGRESS")
    assert client.describe_recommender(recommenderArn=arn)["recommender"]["status"] == "CREATE IN_PROGRESS"
    runtime = local.client("personalize-runtime")
    with pytest.raises(runtime.exceptions.InvalidInputException) as raised:
        runtime.get_recommendations(recommenderArn=arn, userId="u00")
    assert raised.value.response["Error"]["Message"] == (
        f"The recommender {arn} is CREATE IN_PROGRESS, not ACTIVE: it cannot serve recommendations."
    )
    with pytest.raises(ValueError, match="'CREATE_IN_PROGRESS' is not a Personalize status"):
        local.control.set_status(arn, "CREATE_IN_PROGRESS")


def test_other_regions_and_accounts_appear_in_arns() -> None:
    control = ControlPlane(region="eu-west-1", account="000000000001")
    assert control.add_dataset_group("g") == "arn:aws:personalize:eu-west-1:000000000001:dataset-group/g"
    assert arns.parse(arns.recipe_arn("aws-sims")) == arns.ParsedArn("aws", "", "", "recipe", "aws-sims")
    with pytest.raises(InvalidInputException, match="is not a Personalize ARN"):
        arns.parse("arn:aws:s3:::bucket")
