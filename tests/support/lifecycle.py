"""An account built up through the lifecycle calls (boto3, in-process), for tests of what comes after."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import personalize_lab as pl
from personalize_lab.datasets import demo_store

INTERACTIONS_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Interactions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_TYPE", "type": "string"},
        ],
        "version": "1.0",
    }
)
RECIPE = "arn:aws:personalize:::recipe/aws-{}"


@dataclass
class Account:
    """A local account with one dataset group of imported interactions."""

    local: pl.LocalPersonalize
    personalize: Any
    runtime: Any
    dataset_group: str
    dataset: str
    schema: str
    user: str

    def version(self, name: str, recipe: str) -> str:
        """A solution of ``recipe`` (short name) and its trained, ACTIVE version; the version's ARN."""
        solution = self.personalize.create_solution(
            name=name, datasetGroupArn=self.dataset_group, recipeArn=RECIPE.format(recipe)
        )["solutionArn"]
        arn = str(self.personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"])
        status = self.personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
        assert status["status"] == "ACTIVE", status.get("failureReason")
        return arn


def account(s3_root: Path, name: str = "shop") -> Account:
    """An account whose dataset group ``name`` holds the demo store's interactions (imported from s3_root)."""
    frame = demo_store(size="small", seed=0).interactions[["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]]
    (s3_root / "bucket").mkdir(parents=True, exist_ok=True)
    frame.to_csv(s3_root / "bucket" / "interactions.csv", index=False)
    local = pl.LocalPersonalize(s3_root=s3_root)
    personalize = local.client("personalize")
    dsg = personalize.create_dataset_group(name=name)["datasetGroupArn"]
    schema = personalize.create_schema(name=f"{name}-interactions", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    dataset = personalize.create_dataset(
        name=name, schemaArn=schema, datasetGroupArn=dsg, datasetType="Interactions"
    )["datasetArn"]
    job = personalize.create_dataset_import_job(
        jobName=f"{name}-import",
        datasetArn=dataset,
        dataSource={"dataLocation": "s3://bucket/interactions.csv"},
    )["datasetImportJobArn"]
    status = personalize.describe_dataset_import_job(datasetImportJobArn=job)["datasetImportJob"]["status"]
    assert status == "ACTIVE"
    user = str(frame["USER_ID"].iloc[0])
    return Account(local, personalize, local.client("personalize-runtime"), dsg, dataset, schema, user)
