# ruff: noqa: N803 -- argument names are boto3's own (camelCase), so **params from the wire fit
"""The Personalize lifecycle: dataset groups, schemas, datasets, import jobs, solutions, solution versions.

A mixin of :class:`~personalize_lab.emulator.control.ControlPlane` (boto3-named methods, camelCase
arguments). Resources the service creates at once (dataset groups, schemas, datasets, solutions) are
ACTIVE before the create call returns, so a polling loop ends at its first describe. Jobs (dataset import
jobs, solution versions) run in a background thread: CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE or
CREATE FAILED with a ``failureReason``; the create call waits up to ``job_wait_seconds`` for the job, so a
quick job is ACTIVE at the first describe too (0 shows every status). See docs/lifecycle.md.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from personalize_lab.datasets.actions import check_action_frames
from personalize_lab.datasets.data import PersonalizeData
from personalize_lab.datasets.loader import load_csv
from personalize_lab.datasets.schema import Schema
from personalize_lab.emulator import arns, offline_metrics
from personalize_lab.emulator.exceptions import (
    InvalidInputException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
)
from personalize_lab.emulator.recipes import get_recipe
from personalize_lab.emulator.resources import Record
from personalize_lab.emulator.s3source import ImportFailure, fetch_csv
from personalize_lab.emulator.tagging import TaggingOperations, check_tags
from personalize_lab.emulator.training_data import check_solution_config, training_interactions
from personalize_lab.errors import DataError

__all__ = ["LifecycleOperations", "LifecycleState"]

DATASET_KEYS = {
    "INTERACTIONS": "Interactions",
    "ITEMS": "Items",
    "USERS": "Users",
    "ACTIONS": "Actions",
    "ACTION_INTERACTIONS": "ActionInteractions",
}
ID_COLUMN = {"ITEMS": "ITEM_ID", "USERS": "USER_ID", "ACTIONS": "ACTION_ID"}
RUNNING = ("CREATE PENDING", "CREATE IN_PROGRESS")


@dataclass
class LifecycleState:
    """What the lifecycle keeps besides records: imported frames, trained engines, metrics, settings."""

    s3_root: Path | None = None
    job_wait_seconds: float = 10.0
    #: (data, solution version record) -> the serving engine for it (set by LocalPersonalize)
    build_engine: Callable[[PersonalizeData, Record], Any] | None = None
    frames: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)  # datasetArn -> type -> frame
    #: datasetArn -> rows that arrived through PutEvents/PutItems/PutUsers (the service's PUT ingestion)
    put_rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    engines: dict[str, Any] = field(default_factory=dict)  # solutionVersionArn -> engine
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)


class LifecycleOperations(TaggingOperations):
    """Create/Describe/List/Delete of the lifecycle resources (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lifecycle = LifecycleState()

    # ---- dataset groups, schemas, datasets ------------------------------------------------------------
    def create_dataset_group(
        self,
        name: str,
        roleArn: str | None = None,
        kmsKeyArn: str | None = None,
        domain: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        arn = self.add_dataset_group(name, domain)
        self.tag_new(arn, tags)
        return {"datasetGroupArn": arn}

    def delete_dataset_group(self, datasetGroupArn: str) -> dict[str, Any]:
        self.dataset_group(datasetGroupArn)
        for kind in ("dataset", "solution", "recommender", "filter", "eventTracker", "metricAttribution"):
            if any(r.get("datasetGroupArn") == datasetGroupArn for r in self.records(kind)):
                raise ResourceInUseException(
                    f"Dataset group {datasetGroupArn} still has a {kind}; delete its datasets, solutions, "
                    "recommenders, filters, event trackers and metric attributions first."
                )
        self.remove(datasetGroupArn)
        return {}

    def create_schema(self, name: str, schema: str, domain: str | None = None) -> dict[str, Any]:
        _check_schema(name, schema)
        return {"schemaArn": self.add_schema(name, schema, domain)}

    def delete_schema(self, schemaArn: str) -> dict[str, Any]:
        self.schema(schemaArn)
        if any(d["schemaArn"] == schemaArn for d in self.records("dataset")):
            raise ResourceInUseException(
                f"Schema {schemaArn} is used by a dataset; delete the dataset first."
            )
        self.remove(schemaArn)
        return {}

    def create_dataset(
        self,
        name: str,
        schemaArn: str,
        datasetGroupArn: str,
        datasetType: str,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        kind = datasetType.upper()
        if kind not in DATASET_KEYS:
            raise InvalidInputException(
                f"datasetType {datasetType!r}: give one of Interactions, Items, Users, Actions or "
                "Action_Interactions (case-insensitive)."
            )
        if any(
            d["datasetGroupArn"] == datasetGroupArn and d["datasetType"] == kind
            for d in self.records("dataset")
        ):
            raise ResourceAlreadyExistsException(
                f"Dataset group {datasetGroupArn} already has a {kind} dataset."
            )
        try:
            Schema.from_json(self.schema(schemaArn)["schema"], DATASET_KEYS[kind])
        except (DataError, ValueError) as error:
            raise InvalidInputException(
                f"Schema {schemaArn} does not fit a {kind} dataset: {error}"
            ) from error
        arn = self.add_dataset(datasetGroupArn, kind, schemaArn, name)
        self.tag_new(arn, tags)
        return {"datasetArn": arn}

    def delete_dataset(self, datasetArn: str) -> dict[str, Any]:
        self.dataset(datasetArn)
        jobs = [j for j in self.records("datasetImportJob") if j["datasetArn"] == datasetArn]
        if any(j["status"] in RUNNING for j in jobs):
            raise ResourceInUseException(
                f"Dataset {datasetArn} has an import job in progress; wait for it to end, then delete."
            )
        group = self.dataset(datasetArn)["datasetGroupArn"]
        if any(
            v["datasetGroupArn"] == group and v["status"] in RUNNING for v in self.records("solutionVersion")
        ):
            raise ResourceInUseException(
                f"Dataset {datasetArn} is being trained on (a solution version of its dataset group is "
                "in progress); wait for it to end, then delete."
            )
        for job in jobs:  # the import jobs go with their dataset
            self.remove(job["datasetImportJobArn"])
        self.remove(datasetArn)
        self.lifecycle.frames.pop(datasetArn, None)
        self.lifecycle.put_rows.pop(datasetArn, None)
        return {}

    # ---- data of a dataset: imported (BULK) and streamed (PUT) -------------------------------------------
    def append_put_rows(self, datasetGroupArn: str, datasetType: str, rows: list[dict[str, Any]]) -> None:
        """Keep ``rows`` sent through PutEvents/PutItems/PutUsers as data of the group's ``datasetType``
        dataset (none: the service has nowhere to put them either, so they only reach the live models)."""
        for dataset in self.records("dataset"):
            if dataset["datasetGroupArn"] == datasetGroupArn and dataset["datasetType"] == datasetType:
                with self._lock:
                    self.lifecycle.put_rows.setdefault(dataset["datasetArn"], []).extend(rows)
                return

    def dataset_frame(self, dataset: Record, ingestionMode: str = "ALL") -> pd.DataFrame | None:
        """The dataset's rows: imported (``BULK``), streamed (``PUT``) or both (``ALL``); None if none."""
        kind = dataset["datasetType"]
        bulk = self.lifecycle.frames.get(dataset["datasetArn"], {}).get(kind)
        with self._lock:
            rows = list(self.lifecycle.put_rows.get(dataset["datasetArn"], []))
        names = Schema.from_json(self.schema(dataset["schemaArn"])["schema"], DATASET_KEYS[kind]).names
        put = pd.DataFrame(rows) if rows else None
        if put is not None:
            put = put[[n for n in names if n in put.columns]]
        parts = {"BULK": [bulk], "PUT": [put], "ALL": [bulk, put]}[ingestionMode]
        present = [p for p in parts if p is not None]
        if not present:
            return None
        frame = present[0] if len(present) == 1 else pd.concat(present, ignore_index=True)
        if kind in ID_COLUMN and len(present) > 1:
            frame = frame.drop_duplicates(ID_COLUMN[kind], keep="last").reset_index(drop=True)
        return frame

    def group_frames(self, datasetGroupArn: str) -> dict[str, pd.DataFrame]:
        """Dataset type -> all rows (imported and streamed) of each dataset of the group: what trains."""
        frames: dict[str, pd.DataFrame] = {}
        for dataset in self.records("dataset"):
            if dataset["datasetGroupArn"] == datasetGroupArn:
                frames.update(self.lifecycle.frames.get(dataset["datasetArn"], {}))
                frame = self.dataset_frame(dataset)
                if frame is not None:
                    frames[dataset["datasetType"]] = frame
        return frames

    # ---- dataset import jobs ----------------------------------------------------------------------------
    def create_dataset_import_job(
        self,
        jobName: str,
        datasetArn: str,
        dataSource: dict[str, Any],
        roleArn: str | None = None,
        tags: list[dict[str, str]] | None = None,
        importMode: str = "FULL",
        publishAttributionMetricsToS3: bool | None = None,
    ) -> dict[str, Any]:
        arns.validate_name(jobName, "jobName")
        dataset = self.dataset(datasetArn)
        location = str(dataSource.get("dataLocation", ""))
        arn = arns.dataset_import_job_arn(jobName, self.region, self.account)
        record: Record = {
            "jobName": jobName,
            "datasetImportJobArn": arn,
            "datasetArn": datasetArn,
            "dataSource": {"dataLocation": location},
            "roleArn": roleArn or "",
            "status": "CREATE PENDING",
            "importMode": importMode,
        }
        self.put_record("datasetImportJob", record)
        self.tag_new(arn, tags)
        self.run_job(arn, lambda: self._import(dataset, location, importMode))
        return {"datasetImportJobArn": arn}

    def describe_dataset_import_job(self, datasetImportJobArn: str) -> dict[str, Any]:
        return {"datasetImportJob": self.snapshot(self.find(datasetImportJobArn))}

    def list_dataset_import_jobs(
        self, datasetArn: str | None = None, nextToken: str | None = None, maxResults: int | None = None
    ) -> dict[str, Any]:
        items = [j for j in self.records("datasetImportJob") if datasetArn in (None, j["datasetArn"])]
        page, token = self.page("ListDatasetImportJobs", items, nextToken, maxResults)
        return {"datasetImportJobs": page} | ({"nextToken": token} if token else {})

    def _import(self, dataset: Record, location: str, mode: str) -> None:
        kind = dataset["datasetType"]
        schema = Schema.from_json(self.schema(dataset["schemaArn"])["schema"], DATASET_KEYS[kind])
        with tempfile.TemporaryDirectory() as workdir:
            paths = fetch_csv(location, Path(workdir), s3_root=self.lifecycle.s3_root, region=self.region)
            frames = [load_csv(p, schema, DATASET_KEYS[kind]).frame for p in paths]
        frame = pd.concat(frames, ignore_index=True)
        stored = self.lifecycle.frames.setdefault(dataset["datasetArn"], {})
        if mode == "INCREMENTAL" and kind in stored:
            frame = pd.concat([stored[kind], frame], ignore_index=True)
        if kind in ID_COLUMN:
            frame = frame.drop_duplicates(ID_COLUMN[kind], keep="last").reset_index(drop=True)
        stored[kind] = frame

    # ---- solutions and solution versions -----------------------------------------------------------------
    def create_solution(
        self,
        name: str,
        datasetGroupArn: str,
        performHPO: bool = False,
        performAutoML: bool = False,
        performIncrementalUpdate: bool | None = None,
        recipeArn: str | None = None,
        eventType: str | None = None,
        solutionConfig: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        if performAutoML:
            raise InvalidInputException(
                "performAutoML is not supported: AutoML is no longer available. Set recipeArn to a recipe "
                "(ListRecipes names them) and leave performAutoML false."
            )
        if not recipeArn:
            raise InvalidInputException("recipeArn is required: name the recipe the solution trains.")
        check_solution_config(solutionConfig)
        arn = self.add_solution(
            name, datasetGroupArn, recipeArn, event_type=eventType, solution_config=solutionConfig
        )
        self.tag_new(arn, tags)
        return {"solutionArn": arn}

    def delete_solution(self, solutionArn: str) -> dict[str, Any]:
        self.solution(solutionArn)
        if any(c["solutionVersionArn"].startswith(solutionArn + "/") for c in self.records("campaign")):
            raise ResourceInUseException(
                f"Solution {solutionArn} is deployed by a campaign; delete it first."
            )
        if any(
            v["solutionArn"] == solutionArn and v["status"] in RUNNING
            for v in self.records("solutionVersion")
        ):
            raise ResourceInUseException(
                f"Solution {solutionArn} has a solution version in progress; wait for it to end, then delete."
            )
        for version in self.records("solutionVersion"):
            if version["solutionArn"] == solutionArn:
                self.remove(version["solutionVersionArn"])
                self.lifecycle.engines.pop(version["solutionVersionArn"], None)
        self.remove(solutionArn)
        return {}

    def create_solution_version(
        self,
        solutionArn: str,
        name: str | None = None,
        trainingMode: str = "FULL",
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        solution = self.solution(solutionArn)
        check_tags(tags)
        if trainingMode == "UPDATE" and not any(
            v["solutionArn"] == solutionArn and v["status"] == "ACTIVE"
            for v in self.records("solutionVersion")
        ):
            raise InvalidInputException(
                f"trainingMode UPDATE needs an ACTIVE solution version of {solutionArn}; train one with FULL first."
            )
        arn = self.add_solution_version(solutionArn, trainingMode)
        self.put_tags(arn, tags)
        self.set_job_status(arn, "CREATE PENDING")
        self.run_job(arn, lambda: self._train(solution, self.solution_version(arn)))
        return {"solutionVersionArn": arn}

    def get_solution_metrics(self, solutionVersionArn: str) -> dict[str, Any]:
        version = self.solution_version(solutionVersionArn)
        if version["status"] != "ACTIVE":
            raise ResourceInUseException(
                f"Solution version {solutionVersionArn} is {version['status']}, not ACTIVE."
            )
        metrics = self.lifecycle.metrics.get(version["solutionVersionArn"], {})
        return {"solutionVersionArn": version["solutionVersionArn"], "metrics": dict(metrics)}

    def _train(self, solution: Record, version: Record) -> None:
        frames = self.group_frames(solution["datasetGroupArn"])
        interactions = frames.get("INTERACTIONS")
        if interactions is None or interactions.empty:
            raise ImportFailure(
                f"The dataset group {solution['datasetGroupArn']} has no interactions: create an Interactions "
                "dataset and import data into it (CreateDatasetImportJob) before training."
            )
        interactions = training_interactions(interactions, solution)
        if interactions.empty:
            raise ImportFailure(
                f"No interaction passes the solution's eventType / event value thresholds "
                f"({solution.get('eventType')!r}, {solution.get('solutionConfig')!r}): lower the threshold "
                "or import interactions with EVENT_VALUE at or above it."
            )
        actions = frames.get("ACTIONS")
        if solution["recipeArn"].endswith("/aws-next-best-action") and actions is None:
            raise ImportFailure(
                f"The dataset group {solution['datasetGroupArn']} has no Actions data: Next-Best-Action "
                "trains on an Actions and an Action_Interactions dataset; create them and import into them "
                "(CreateDatasetImportJob) before training."
            )
        data = PersonalizeData(
            interactions=interactions,
            items=frames.get("ITEMS"),
            users=frames.get("USERS"),
            actions=actions,
            action_interactions=check_action_frames(actions, frames.get("ACTION_INTERACTIONS")),
        )
        recipe = get_recipe(solution["recipeArn"])
        assert self.lifecycle.build_engine is not None
        engine = self.lifecycle.build_engine(data, version)
        self.lifecycle.metrics[version["solutionVersionArn"]] = offline_metrics.evaluate(
            recipe, data.interactions, data.items, data.users
        )
        self.lifecycle.engines[version["solutionVersionArn"]] = engine

    # ---- jobs ------------------------------------------------------------------------------------------
    def run_job(self, arn: str, work: Callable[[], None]) -> None:
        """Run ``work`` in a thread with the service's statuses; wait up to job_wait_seconds for it."""

        def run() -> None:
            started = time.monotonic()
            self.set_job_status(arn, "CREATE IN_PROGRESS")
            try:
                work()
            except (ImportFailure, DataError, ValueError, KeyError) as error:
                self.set_job_status(arn, "CREATE FAILED", str(error))
                return
            except Exception as error:  # a job never takes the server down
                self.set_job_status(arn, "CREATE FAILED", f"Internal error: {type(error).__name__}: {error}")
                return
            if arn.count(":solution/"):
                self.find(arn)["trainingHours"] = round((time.monotonic() - started) / 3600, 6)
            self.set_job_status(arn, "ACTIVE")

        thread = threading.Thread(target=run, name=f"job {arns.name_of(arn)}", daemon=True)
        thread.start()
        thread.join(self.lifecycle.job_wait_seconds)

    def set_job_status(self, arn: str, status: str, reason: str | None = None) -> None:
        """Set a job's status (and failureReason); a solution's latestSolutionVersion follows."""
        self.set_status(arn, status)
        with self._lock:
            record = self.find(arn)
            if reason is not None:
                record["failureReason"] = reason
            if "solutionVersionArn" in record and "solutionArn" in record:
                latest = self.solution(record["solutionArn"]).get("latestSolutionVersion")
                if latest and latest.get("solutionVersionArn") == arn:
                    latest["status"] = status
                    latest["lastUpdatedDateTime"] = record["lastUpdatedDateTime"]
                    if reason is not None:
                        latest["failureReason"] = reason


def _check_schema(name: str, schema: str) -> None:
    """Valid Avro for at least one dataset type (the service ties a schema to a type only at CreateDataset)."""
    errors = []
    for dataset_type in DATASET_KEYS.values():
        try:
            Schema.from_json(schema, dataset_type)
            return
        except (DataError, ValueError) as error:
            errors.append(f"as {dataset_type}: {error}")
    raise InvalidInputException(f"Invalid schema {name!r}: " + "; ".join(errors))
