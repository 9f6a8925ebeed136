"""Tags through boto3: Create* with tags=, TagResource, UntagResource, ListTagsForResource on every kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import personalize_lab as pl
from tests.support.lifecycle import account

TEAM = [{"tagKey": "team", "tagValue": "recs"}]


def tags(personalize: Any, arn: str) -> dict[str, str]:
    listed = personalize.list_tags_for_resource(resourceArn=arn)["tags"]
    return {t["tagKey"]: t["tagValue"] for t in listed}


def test_create_calls_keep_their_tags_and_tag_untag_work_on_each(tmp_path: Path) -> None:
    shop = account(tmp_path)
    p = shop.personalize
    solution = p.create_solution(
        name="tagged",
        datasetGroupArn=shop.dataset_group,
        recipeArn="arn:aws:personalize:::recipe/aws-popularity-count",
        tags=TEAM,
    )["solutionArn"]
    version = p.create_solution_version(solutionArn=solution, tags=TEAM)["solutionVersionArn"]
    created = [
        p.create_dataset_group(name="other", tags=TEAM)["datasetGroupArn"],
        solution,
        version,
        p.create_campaign(name="tagged", solutionVersionArn=version, tags=TEAM)["campaignArn"],
        p.create_filter(
            name="no-clicks",
            datasetGroupArn=shop.dataset_group,
            filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")',
            tags=TEAM,
        )["filterArn"],
        p.create_event_tracker(name="tracker", datasetGroupArn=shop.dataset_group, tags=TEAM)[
            "eventTrackerArn"
        ],
        p.create_dataset_import_job(
            jobName="again",
            datasetArn=shop.dataset,
            dataSource={"dataLocation": "s3://bucket/interactions.csv"},
            tags=TEAM,
        )["datasetImportJobArn"],
    ]
    for arn in created:
        assert tags(p, arn) == {"team": "recs"}, arn
    for arn in (*created, shop.dataset_group, shop.dataset, shop.schema):
        p.tag_resource(
            resourceArn=arn,
            tags=[{"tagKey": "stage", "tagValue": "dev"}, {"tagKey": "team", "tagValue": "x"}],
        )
        assert tags(p, arn)["stage"] == "dev"
        assert tags(p, arn)["team"] == "x"
        p.untag_resource(resourceArn=arn, tagKeys=["stage", "team"])
        assert tags(p, arn) == {}


def test_tags_follow_the_service_rules() -> None:
    local = pl.LocalPersonalize.demo()
    p = local.client("personalize")
    campaign = next(iter(local.campaign_arns.values()))
    many = [{"tagKey": f"k{i}", "tagValue": "v"} for i in range(50)]
    p.tag_resource(resourceArn=campaign, tags=many)
    for arn, bad, code in (
        (campaign, [{"tagKey": "one-more", "tagValue": "v"}], "TooManyTagsException"),
        (campaign, [{"tagKey": "aws:owner", "tagValue": "v"}], "InvalidInputException"),
        (campaign + "-nope", [{"tagKey": "k", "tagValue": "v"}], "ResourceNotFoundException"),
    ):
        with pytest.raises(ClientError) as raised:
            p.tag_resource(resourceArn=arn, tags=bad)
        assert raised.value.response["Error"]["Code"] == code
    assert len(tags(p, campaign)) == 50
    with pytest.raises(ClientError) as raised:
        p.create_dataset_group(
            name="too-many", tags=[{"tagKey": f"k{i}", "tagValue": "v"} for i in range(51)]
        )
    assert raised.value.response["Error"]["Code"] == "TooManyTagsException"
    assert "too-many" not in [g["name"] for g in p.list_dataset_groups()["datasetGroups"]]
