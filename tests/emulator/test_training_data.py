"""A solution's event value thresholds decide what its solution versions train on (through boto3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import personalize_lab as pl

SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Interactions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_TYPE", "type": "string"},
            {"name": "EVENT_VALUE", "type": "float"},
        ],
        "version": "1.0",
    }
)
POPULARITY = "arn:aws:personalize:::recipe/aws-popularity-count"


def _group(s3_root: Path) -> tuple[Any, Any, str]:
    """A dataset group where item 'skimmed' is the most watched, but only ever for a tenth of a video."""
    rows = []
    for user in range(20):
        rows.append((f"u{user}", "skimmed", 1_700_000_000 + user, "watch", 0.1))
        if user % 2 == 0:
            rows.append((f"u{user}", "finished", 1_700_000_100 + user, "watch", 0.9))
        if user % 4 == 0:
            rows.append((f"u{user}", "half", 1_700_000_200 + user, "watch", 0.5))
    frame = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"])
    (s3_root / "bucket").mkdir(parents=True, exist_ok=True)
    frame.to_csv(s3_root / "bucket" / "watched.csv", index=False)
    local = pl.LocalPersonalize(s3_root=s3_root)
    personalize = local.client("personalize")
    dsg = personalize.create_dataset_group(name="videos")["datasetGroupArn"]
    schema = personalize.create_schema(name="watched", schema=SCHEMA)["schemaArn"]
    dataset = personalize.create_dataset(
        name="watched", schemaArn=schema, datasetGroupArn=dsg, datasetType="Interactions"
    )["datasetArn"]
    personalize.create_dataset_import_job(
        jobName="watched", datasetArn=dataset, dataSource={"dataLocation": "s3://bucket/watched.csv"}
    )
    return local, personalize, dsg


def _recommended(local: Any, personalize: Any, dsg: str, name: str, config: dict[str, Any]) -> list[str]:
    solution = personalize.create_solution(
        name=name, datasetGroupArn=dsg, recipeArn=POPULARITY, solutionConfig=config
    )["solutionArn"]
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    described = personalize.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
    assert described["status"] == "ACTIVE", described.get("failureReason")
    campaign = personalize.create_campaign(name=name, solutionVersionArn=version)["campaignArn"]
    answer = local.client("personalize-runtime").get_recommendations(campaignArn=campaign, userId="u1")
    return [entry["itemId"] for entry in answer["itemList"]]


def test_a_threshold_leaves_low_value_events_out_of_training(tmp_path: Path) -> None:
    local, personalize, dsg = _group(tmp_path)
    assert _recommended(local, personalize, dsg, "all", {})[0] == "skimmed"
    # greater than or equal: 0.5 keeps 'half', leaves out 'skimmed' (0.1)
    assert set(_recommended(local, personalize, dsg, "half-or-more", {"eventValueThreshold": "0.5"})) == {
        "finished",
        "half",
    }
    per_type = {"eventsConfig": {"eventParametersList": [{"eventType": "watch", "eventValueThreshold": 0.6}]}}
    assert _recommended(local, personalize, dsg, "per-type", per_type) == ["finished"]


def test_a_threshold_no_event_passes_fails_the_version_with_a_reason(tmp_path: Path) -> None:
    _, personalize, dsg = _group(tmp_path)
    solution = personalize.create_solution(
        name="too-high",
        datasetGroupArn=dsg,
        recipeArn=POPULARITY,
        solutionConfig={"eventValueThreshold": "2"},
    )["solutionArn"]
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    described = personalize.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
    assert described["status"] == "CREATE FAILED"
    assert "threshold" in described["failureReason"]


@pytest.mark.parametrize(
    "config",
    [
        {"eventValueThreshold": "half"},
        {"eventsConfig": {"eventParametersList": [{"eventType": "watch", "weight": 1.5}]}},
        {"eventsConfig": {"eventParametersList": [{"eventType": f"t{i}"} for i in range(11)]}},
    ],
)
def test_bad_event_settings_are_refused_at_create_solution(config: dict[str, Any]) -> None:
    personalize = pl.LocalPersonalize().client("personalize")
    dsg = personalize.create_dataset_group(name="g")["datasetGroupArn"]
    with pytest.raises(personalize.exceptions.InvalidInputException):
        personalize.create_solution(
            name="s", datasetGroupArn=dsg, recipeArn=POPULARITY, solutionConfig=config
        )
