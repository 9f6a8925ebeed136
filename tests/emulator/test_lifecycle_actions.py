"""Next-Best-Action through the lifecycle: Actions and Action interactions datasets, imported from S3,
a solution version of aws-next-best-action, a campaign, GetActionRecommendations (all through boto3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import personalize_lab as pl
from personalize_lab.datasets.schema import infer_schema
from tests.support.action_store import action_frames

NBA = "arn:aws:personalize:::recipe/aws-next-best-action"
TYPES = {
    "interactions": ("Interactions", "Interactions"),
    "users": ("Users", "Users"),
    "actions": ("Actions", "Actions"),
    "action_interactions": ("Action_Interactions", "ActionInteractions"),
}


def _import_all(personalize: Any, dsg: str, s3_root: Path, skip: tuple[str, ...] = ()) -> None:
    """One dataset per frame of the action store, each imported from its CSV under s3://bucket/."""
    (s3_root / "bucket").mkdir(parents=True, exist_ok=True)
    for key, frame in action_frames().items():
        if key in skip:
            continue
        api_type, schema_type = TYPES[key]
        frame.to_csv(s3_root / "bucket" / f"{key}.csv", index=False)
        schema = personalize.create_schema(
            name=key.replace("_", "-"), schema=infer_schema(frame, schema_type).to_json(None)
        )["schemaArn"]
        dataset = personalize.create_dataset(
            name=key.replace("_", "-"), schemaArn=schema, datasetGroupArn=dsg, datasetType=api_type
        )["datasetArn"]
        job = personalize.create_dataset_import_job(
            jobName=key.replace("_", "-"),
            datasetArn=dataset,
            dataSource={"dataLocation": f"s3://bucket/{key}.csv"},
        )["datasetImportJobArn"]
        described = personalize.describe_dataset_import_job(datasetImportJobArn=job)["datasetImportJob"]
        assert described["status"] == "ACTIVE", described.get("failureReason")


def _train(personalize: Any, dsg: str) -> dict[str, Any]:
    solution = personalize.create_solution(name="nba", datasetGroupArn=dsg, recipeArn=NBA)["solutionArn"]
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    return dict(personalize.describe_solution_version(solutionVersionArn=version)["solutionVersion"])


def test_next_best_action_end_to_end(tmp_path: Path) -> None:
    local = pl.LocalPersonalize(s3_root=tmp_path)
    personalize = local.client("personalize")
    dsg = personalize.create_dataset_group(name="bank")["datasetGroupArn"]
    _import_all(personalize, dsg, tmp_path)
    kinds = {d["datasetType"] for d in personalize.list_datasets(datasetGroupArn=dsg)["datasets"]}
    assert {"ACTIONS", "ACTION_INTERACTIONS"} < kinds
    version = _train(personalize, dsg)
    assert version["status"] == "ACTIVE", version.get("failureReason")
    campaign = personalize.create_campaign(name="nba", solutionVersionArn=version["solutionVersionArn"])
    answer = local.client("personalize-runtime").get_action_recommendations(
        campaignArn=campaign["campaignArn"], userId="u01", numResults=3
    )
    actions = [entry["actionId"] for entry in answer["actionList"]]
    assert len(actions) == 3
    assert "expired" not in actions  # an expired action is never recommended
    assert set(actions) <= set(action_frames()["actions"]["ACTION_ID"])


def test_next_best_action_without_actions_fails_the_version(tmp_path: Path) -> None:
    personalize = pl.LocalPersonalize(s3_root=tmp_path).client("personalize")
    dsg = personalize.create_dataset_group(name="bank")["datasetGroupArn"]
    _import_all(personalize, dsg, tmp_path, skip=("actions", "action_interactions"))
    version = _train(personalize, dsg)
    assert version["status"] == "CREATE FAILED"
    assert "no Actions data" in version["failureReason"]
    assert not version["failureReason"].startswith("Internal error")


def test_an_actions_schema_does_not_fit_an_items_dataset() -> None:
    personalize = pl.LocalPersonalize().client("personalize")
    dsg = personalize.create_dataset_group(name="bank")["datasetGroupArn"]
    schema = personalize.create_schema(
        name="actions", schema=infer_schema(action_frames()["actions"], "Actions").to_json(None)
    )["schemaArn"]
    with pytest.raises(personalize.exceptions.InvalidInputException):
        personalize.create_dataset(name="d", schemaArn=schema, datasetGroupArn=dsg, datasetType="Items")
    created = personalize.create_dataset(
        name="d", schemaArn=schema, datasetGroupArn=dsg, datasetType="actions"
    )
    described = personalize.describe_dataset(datasetArn=created["datasetArn"])["dataset"]
    assert described["datasetType"] == "ACTIONS"
