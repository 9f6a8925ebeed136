"""The directory contract: a folder of Personalize CSV files (+ optional personalize-lab.json) → a local Personalize."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personalize_lab.datasets import PersonalizeData, write_dir
from personalize_lab.emulator import LocalPersonalize
from personalize_lab.emulator.engine import DEFAULT_CAMPAIGN_RECIPES
from personalize_lab.emulator.exceptions import InvalidInputException
from tests.support.tiny_store import tiny_frames


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    interactions, items, users = tiny_frames()
    path = tmp_path_factory.mktemp("shop")
    write_dir(PersonalizeData(interactions=interactions, items=items, users=users), path)
    return path


def test_without_a_config_every_supported_recipe_gets_a_campaign(folder: Path) -> None:
    local = LocalPersonalize.from_csv(folder)
    expected = {arn.removeprefix("aws-") for arn in DEFAULT_CAMPAIGN_RECIPES}
    assert set(local.campaign_arns) == expected
    assert local.campaign_arns["user-personalization"] == (
        "arn:aws:personalize:us-east-1:123456789012:campaign/user-personalization"
    )
    # a dataset group always has an event tracker, so PutEvents works without set-up
    local.put_events(
        trackingId=local.tracking_id,
        sessionId="s",
        userId="u00",
        eventList=[{"eventType": "View", "itemId": "i01"}],
    )
    got = local.get_recommendations(campaignArn=local.default_campaign_arn, userId="u00", numResults=5)
    assert len(got["itemList"]) == 5


def test_config_declares_region_account_campaigns_filters_and_trackers(folder: Path, tmp_path: Path) -> None:
    for file in folder.iterdir():
        (tmp_path / file.name).write_bytes(file.read_bytes())
    (tmp_path / "personalize-lab.json").write_text(
        json.dumps(
            {
                "region": "eu-west-1",
                "account": "111122223333",
                "campaigns": [
                    {
                        "name": "homepage",
                        "recipe": "aws-user-personalization-v2",
                        "campaignConfig": {"enableMetadataWithRecommendations": True},
                    }
                ],
                "recommenders": [{"name": "picks", "recipe": "aws-ecomm-recommended-for-you"}],
                "filters": [
                    {"name": "books", "expression": 'INCLUDE ItemID WHERE Items.CATEGORY IN ("books")'}
                ],
                "eventTrackers": [{"name": "web"}],
            }
        )
    )
    local = LocalPersonalize.from_csv(tmp_path)
    assert local.campaign_arns == {"homepage": "arn:aws:personalize:eu-west-1:111122223333:campaign/homepage"}
    assert list(local.recommender_arns) == ["picks"]
    assert list(local.filter_arns) == ["books"]
    runtime = local.client("personalize-runtime")
    response = runtime.get_recommendations(
        campaignArn=local.campaign_arns["homepage"],
        userId="u01",
        numResults=5,
        filterArn=local.filter_arns["books"],
        metadataColumns={"ITEMS": ["CATEGORY"]},
    )
    assert [e["metadata"]["CATEGORY"] for e in response["itemList"]] == ["books"] * 5


def test_a_filter_on_a_field_the_items_lack_fails_at_creation(folder: Path) -> None:
    local = LocalPersonalize.from_csv(folder)
    with pytest.raises(InvalidInputException, match="GENRES"):
        local.create_filter("genres", "INCLUDE ItemID WHERE Items.GENRES IN ($G)")
    assert "genres" not in local.filter_arns
