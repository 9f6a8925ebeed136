"""``personalize-lab.json``: defaults, the golden example, and errors that name the key and the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from personalize_lab.datasets import (
    CampaignSpec,
    EventTrackerSpec,
    FilterSpec,
    ProjectConfig,
    RecommenderSpec,
    load_config,
    parse_config,
)
from personalize_lab.errors import DataError
from tests.support.paths import GOLDEN

CONFIG = GOLDEN / "datasets" / "shop" / "personalize-lab.json"


def test_empty_document_gets_the_defaults() -> None:
    assert parse_config({}) == ProjectConfig(
        region="us-east-1", account="123456789012", dataset_group="personalize-lab"
    )


def test_golden_config_parses_into_specs() -> None:
    config = load_config(CONFIG)
    assert config.region == "eu-west-1"
    assert config.account == "123456789012"
    assert config.campaigns == (
        CampaignSpec(
            "main",
            "user-personalization",
            {
                "itemExplorationConfig": {"explorationWeight": "0.3"},
                "enableMetadataWithRecommendations": True,
            },
        ),
        CampaignSpec("similar", "arn:aws:personalize:::recipe/aws-sims"),
    )
    assert config.recommenders == (RecommenderSpec("top-picks", "aws-ecomm-recommended-for-you"),)
    assert config.filters == (FilterSpec("outdoor-only", 'INCLUDE ItemID WHERE Items.GENRES IN ("outdoor")'),)
    assert config.event_trackers == (EventTrackerSpec("web"),)
    assert parse_config(config.to_dict()) == config


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"regoin": "us-east-1"},
            "unknown key 'regoin' in the config; allowed keys are region, account, datasetGroup, campaigns, "
            "recommenders, filters, eventTrackers",
        ),
        (
            {"campaigns": [{"name": "c", "recipe": "r", "config": {}}]},
            "unknown key 'campaigns[0].config' in campaigns[0]; allowed keys are name, recipe, "
            "campaignConfig",
        ),
        (
            {"campaigns": [{"name": "c", "recipe": "r", "campaignConfig": {"explorationWeight": "0.3"}}]},
            "unknown key 'campaigns[0].campaignConfig.explorationWeight' in "
            "campaigns[0].campaignConfig; allowed "
            "keys are itemExplorationConfig, enableMetadataWithRecommendations, "
            "syncWithLatestSolutionVersion, "
            "rankingInfluence",
        ),
        (
            {"campaigns": [{"name": "-bad", "recipe": "r"}]},
            "campaigns[0].name='-bad' must be 1-63 characters matching ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*",
        ),
        (
            {"filters": [{"name": "x" * 64, "expression": 'EXCLUDE ItemID WHERE Items.A IN ("b")'}]},
            f"filters[0].name='{'x' * 64}' must be 1-63 characters matching ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*",
        ),
        ({"campaigns": [{"name": "c"}]}, "campaigns[0].recipe is required"),
        (
            {
                "campaigns": [
                    {"name": "c", "recipe": "r", "campaignConfig": {"itemExplorationConfig": {"w": 0.3}}}
                ]
            },
            "campaigns[0].campaignConfig.itemExplorationConfig={'w': 0.3} must map names to string "
            "values. Fix: "
            'write numbers as strings, e.g. {"explorationWeight": "0.3"}',
        ),
        (
            {
                "recommenders": [
                    {
                        "name": "r",
                        "recipe": "x",
                        "recommenderConfig": {"enableMetadataWithRecommendations": "yes"},
                    }
                ]
            },
            "recommenders[0].recommenderConfig.enableMetadataWithRecommendations='yes' must be true or false",
        ),
        ({"account": "42"}, "account='42' must be 12 digits"),
        ({"region": "moon"}, "region='moon' is not an AWS region name like us-east-1"),
        (
            {"eventTrackers": [{"name": "t"}, {"name": "t"}]},
            "eventTrackers='t' is declared twice; names must be unique within a kind",
        ),
        (
            {"filters": [{"name": "f", "expression": ""}]},
            "filters[0].expression='' must be a non-empty string",
        ),
        ({"campaigns": {"name": "c"}}, "campaigns must be a list of objects"),
    ],
)
def test_bad_config_names_the_key_and_rule(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(DataError) as err:
        parse_config(doc, source="personalize-lab.json")
    assert str(err.value).split(": ", 1)[1] == message
    assert str(err.value).startswith("file personalize-lab.json")


def test_invalid_json_file(tmp_path: Path) -> None:
    path = tmp_path / "personalize-lab.json"
    path.write_text("{,}")
    with pytest.raises(DataError, match=r"not valid JSON: Expecting property name enclosed in double quotes"):
        load_config(path)
