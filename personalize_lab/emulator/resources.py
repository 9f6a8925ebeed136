"""The control plane's state: resource records of one emulated account, their ARNs, lookups and paging.

State only: no JSON, no boto3 operation names (those live in :mod:`personalize_lab.emulator.control`).
Records are the service's describe structures, datetimes as epoch seconds (what the service sends).
The engine registers what it builds with the ``add_*`` methods and looks resources up with
:meth:`ResourceStore.campaign` and friends.

Quirks kept on purpose (personalize-semantics.md §9): ``ListFilters`` answers ``Filters`` (capital F) and
leaves out ``filterExpression``; list summaries are projected from the full records onto the botocore
model's summary shapes, so they carry exactly the service's fields; paging uses opaque ``nextToken``s.
Everything is created ``ACTIVE`` at once (no CREATE PENDING/IN_PROGRESS phase) [undoc, emulator policy];
:meth:`ResourceStore.set_status` sets any other status (``INACTIVE``, ``CREATE FAILED``...) for tests.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from personalize_lab import filters
from personalize_lab.emulator import arns, paging
from personalize_lab.emulator.exceptions import (
    InvalidInputException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from personalize_lab.emulator.service_recipes import BY_ARN, SERVICE_RECIPES

Record = dict[str, Any]

#: Every status the service reports (note the spaces), so set_status rejects typos.
STATUSES = frozenset(
    {
        "ACTIVE",
        "CREATE PENDING",
        "CREATE IN_PROGRESS",
        "CREATE FAILED",
        "CREATE STOPPING",
        "CREATE STOPPED",
        "DELETE PENDING",
        "DELETE IN_PROGRESS",
        "STOP PENDING",
        "STOP IN_PROGRESS",
        "INACTIVE",
        "START PENDING",
        "START IN_PROGRESS",
    }
)

# kind -> the ARN member of its describe structure
ARN_FIELD = {
    "datasetGroup": "datasetGroupArn",
    "schema": "schemaArn",
    "dataset": "datasetArn",
    "solution": "solutionArn",
    "solutionVersion": "solutionVersionArn",
    "batchInferenceJob": "batchInferenceJobArn",
    "campaign": "campaignArn",
    "recommender": "recommenderArn",
    "filter": "filterArn",
    "eventTracker": "eventTrackerArn",
    "metricAttribution": "metricAttributionArn",
    "datasetImportJob": "datasetImportJobArn",
    "datasetExportJob": "datasetExportJobArn",
}


def not_found(arn: str) -> ResourceNotFoundException:
    """The one not-found message, so every lookup words it alike."""
    return ResourceNotFoundException(f"Resource Arn {arn} does not exist.")


class ResourceStore:
    """Resource records of one emulated account and region.

    ``on_create_filter(filter_record)`` / ``on_delete_filter(filter_arn)`` / ``on_create_campaign(record)``
    let the engine compile a filter or load a model when a boto3 caller creates one; ``check_metrics``
    lets it refuse metric definitions its datasets cannot compute (``SUM`` of a column it lacks).
    ``clock`` returns epoch seconds (injectable so tests get stable timestamps).
    """

    def __init__(
        self,
        region: str = "us-east-1",
        account: str = "123456789012",
        *,
        clock: Callable[[], float] = time.time,
        on_create_filter: Callable[[Record], None] | None = None,
        on_delete_filter: Callable[[str], None] | None = None,
        on_create_campaign: Callable[[Record], None] | None = None,
        check_metrics: Callable[[list[Record]], None] | None = None,
    ) -> None:
        self.region = region
        self.account = account
        self.clock = clock
        self.on_create_filter = on_create_filter
        self.on_delete_filter = on_delete_filter
        self.on_create_campaign = on_create_campaign
        self.check_metrics = check_metrics
        self._records: dict[str, dict[str, Record]] = {kind: {} for kind in ARN_FIELD}
        self._lock = threading.RLock()  # the HTTP server calls in from many threads

    # ---- registration (Python API used by the engine) ----------------------------------------------
    def _put(self, kind: str, record: Record) -> str:
        arn = str(record[ARN_FIELD[kind]])
        if kind != "schema":  # schemas have no status in the model
            record.setdefault("status", "ACTIVE")
        with self._lock:
            if arn in self._records[kind]:
                raise ResourceAlreadyExistsException(f"Another resource with Arn {arn} already exists.")
            now = self.clock()
            record.setdefault("creationDateTime", now)
            record.setdefault("lastUpdatedDateTime", now)
            self._records[kind][arn] = record
        return arn

    def add_dataset_group(self, name: str, domain: str | None = None) -> str:
        arns.validate_name(name)
        record: Record = {
            "name": name,
            "datasetGroupArn": arns.dataset_group_arn(name, self.region, self.account),
        }
        if domain:
            record["domain"] = domain
        return self._put("datasetGroup", record)

    def add_schema(self, name: str, schema_json: str | dict[str, Any], domain: str | None = None) -> str:
        arns.validate_name(name)
        text = schema_json if isinstance(schema_json, str) else json.dumps(schema_json)
        record: Record = {"name": name, "schemaArn": arns.schema_arn(name, self.region, self.account)}
        record["schema"] = text
        if domain:
            record["domain"] = domain
        return self._put("schema", record)

    def add_dataset(self, dataset_group_arn: str, dataset_type: str, schema_arn: str, name: str = "") -> str:
        """Register a dataset of type INTERACTIONS, ITEMS, USERS, ACTIONS or ACTION_INTERACTIONS."""
        dsg = self.dataset_group(dataset_group_arn)
        self.schema(schema_arn)
        dataset_type = dataset_type.upper()
        if dataset_type not in arns.DATASET_TYPES:
            raise InvalidInputException(
                f"datasetType={dataset_type!r} is not one of {', '.join(arns.DATASET_TYPES)}"
            )
        arn = arns.dataset_arn(dsg["name"], dataset_type, self.region, self.account)
        record: Record = {
            "name": name or f"{dsg['name']}-{dataset_type.lower()}",
            "datasetArn": arn,
            "datasetGroupArn": dataset_group_arn,
            "datasetType": dataset_type,
            "schemaArn": schema_arn,
        }
        return self._put("dataset", record)

    def add_solution(
        self,
        name: str,
        dataset_group_arn: str,
        recipe_arn: str,
        *,
        event_type: str | None = None,
        solution_config: dict[str, Any] | None = None,
    ) -> str:
        arns.validate_name(name)
        self.dataset_group(dataset_group_arn)
        self.recipe(recipe_arn)
        record: Record = {
            "name": name,
            "solutionArn": arns.solution_arn(name, self.region, self.account),
            "performHPO": False,
            "performAutoML": False,
            "recipeArn": recipe_arn,
            "datasetGroupArn": dataset_group_arn,
            "solutionConfig": copy.deepcopy(solution_config or {}),
        }
        if event_type:
            record["eventType"] = event_type
        return self._put("solution", record)

    def add_solution_version(self, solution_arn: str, training_mode: str = "FULL") -> str:
        """Register a trained version of a solution; it becomes the solution's latestSolutionVersion."""
        solution = self.solution(solution_arn)
        with self._lock:
            sequence = sum(
                1 for v in self._records["solutionVersion"].values() if v["solutionArn"] == solution_arn
            )
            version_id = arns.solution_version_id(solution_arn, sequence)
            record: Record = {
                "name": solution["name"],
                "solutionVersionArn": arns.solution_version_arn(solution_arn, version_id),
                "solutionArn": solution_arn,
                "performHPO": False,
                "performAutoML": False,
                "recipeArn": solution["recipeArn"],
                "datasetGroupArn": solution["datasetGroupArn"],
                "solutionConfig": copy.deepcopy(solution.get("solutionConfig", {})),
                "trainingMode": training_mode,
            }
            if "eventType" in solution:
                record["eventType"] = solution["eventType"]
            arn = self._put("solutionVersion", record)
            fields = paging.summary_fields("ListSolutionVersions")
            solution["latestSolutionVersion"] = {k: record[k] for k in fields if k in record}
        return arn

    def add_campaign(
        self,
        name: str,
        solution_version_arn: str,
        campaign_config: dict[str, Any] | None = None,
        *,
        min_provisioned_tps: int = 1,
        status: str = "ACTIVE",
    ) -> str:
        arns.validate_name(name)
        self.solution_version(solution_version_arn)
        record: Record = {
            "name": name,
            "campaignArn": arns.campaign_arn(name, self.region, self.account),
            "solutionVersionArn": solution_version_arn,
            "minProvisionedTPS": min_provisioned_tps,
            "campaignConfig": copy.deepcopy(campaign_config or {}),
            "status": status,
        }
        return self._put("campaign", record)

    def add_recommender(
        self,
        name: str,
        dataset_group_arn: str,
        recipe_arn: str,
        config: dict[str, Any] | None = None,
        *,
        status: str = "ACTIVE",
    ) -> str:
        arns.validate_name(name)
        self.dataset_group(dataset_group_arn)
        self.recipe(recipe_arn)
        record: Record = {
            "recommenderArn": arns.recommender_arn(name, self.region, self.account),
            "datasetGroupArn": dataset_group_arn,
            "name": name,
            "recipeArn": recipe_arn,
            "recommenderConfig": copy.deepcopy(config or {}),
            "status": status,
            "modelMetrics": {},
        }
        return self._put("recommender", record)

    def add_filter(self, name: str, dataset_group_arn: str, expression: str) -> str:
        """Register a filter the engine has already compiled (no parsing here; see create_filter)."""
        arns.validate_name(name)
        self.dataset_group(dataset_group_arn)
        record: Record = {
            "name": name,
            "filterArn": arns.filter_arn(name, self.region, self.account),
            "datasetGroupArn": dataset_group_arn,
            "filterExpression": expression,
        }
        return self._put("filter", record)

    def add_event_tracker(self, name: str, dataset_group_arn: str) -> tuple[str, str]:
        """Register an event tracker; returns ``(eventTrackerArn, trackingId)``."""
        arns.validate_name(name)
        self.dataset_group(dataset_group_arn)
        arn = arns.event_tracker_arn(name, self.region, self.account)
        record: Record = {
            "name": name,
            "eventTrackerArn": arn,
            "accountId": self.account,
            "trackingId": arns.tracking_id(arn),
            "datasetGroupArn": dataset_group_arn,
        }
        self._put("eventTracker", record)
        return arn, record["trackingId"]

    def add_metric_attribution(
        self, name: str, dataset_group_arn: str, metrics: list[Record], output: Record
    ) -> str:
        """Register a metric attribution (metrics already checked); its report counts events received from
        its ``creationDateTime`` on (the service does not report data imported before)."""
        arns.validate_name(name)
        self.dataset_group(dataset_group_arn)
        record: Record = {
            "name": name,
            "metricAttributionArn": arns.metric_attribution_arn(name, self.region, self.account),
            "datasetGroupArn": dataset_group_arn,
            "metricsOutputConfig": copy.deepcopy(output),
            "metrics": copy.deepcopy(metrics),
        }
        return self._put("metricAttribution", record)

    def put_record(self, kind: str, record: Record) -> str:
        """Register a record built elsewhere (the lifecycle's jobs); its ARN."""
        return self._put(kind, record)

    def remove(self, arn: str) -> None:
        """Delete a record (the Delete* operations check what depends on it first)."""
        with self._lock:
            for records in self._records.values():
                records.pop(arn, None)

    def find(self, arn: str) -> Record:
        """The record of any kind at ``arn`` (ResourceNotFoundException otherwise)."""
        return self._find(arn)

    def set_status(self, arn: str, status: str) -> None:
        """Put a resource in another state (``INACTIVE`` recommender, ``CREATE FAILED`` campaign...)."""
        if status not in STATUSES:
            raise ValueError(f"status={status!r} is not a Personalize status; use one of {sorted(STATUSES)}")
        record = self._find(arn)
        with self._lock:
            record["status"] = status
            record["lastUpdatedDateTime"] = self.clock()

    # ---- lookups (raise the service's ResourceNotFoundException) -----------------------------------
    def _get(self, kind: str, arn: str) -> Record:
        try:
            return self._records[kind][arn]
        except KeyError:
            raise not_found(arn) from None

    def _find(self, arn: str) -> Record:
        for records in self._records.values():
            if arn in records:
                return records[arn]
        raise not_found(arn)

    def dataset_group(self, arn: str) -> Record:
        return self._get("datasetGroup", arn)

    def schema(self, arn: str) -> Record:
        return self._get("schema", arn)

    def dataset(self, arn: str) -> Record:
        return self._get("dataset", arn)

    def solution(self, arn: str) -> Record:
        return self._get("solution", arn)

    def solution_version(self, arn: str) -> Record:
        """A solution version; ``<solutionArn>/$LATEST`` names the solution's latest one (semantics §9)."""
        if arn.endswith("/$LATEST"):
            latest = self.solution(arn.removesuffix("/$LATEST")).get("latestSolutionVersion")
            if latest is None:
                raise ResourceNotFoundException(f"Solution {arn.removesuffix('/$LATEST')} has no version yet")
            arn = latest["solutionVersionArn"]
        return self._get("solutionVersion", arn)

    def campaign(self, arn: str) -> Record:
        return self._get("campaign", arn)

    def recommender(self, arn: str) -> Record:
        return self._get("recommender", arn)

    def filter(self, arn: str) -> Record:
        return self._get("filter", arn)

    def event_tracker(self, arn: str) -> Record:
        return self._get("eventTracker", arn)

    def metric_attribution(self, arn: str) -> Record:
        return self._get("metricAttribution", arn)

    def recipe(self, arn: str) -> Record:
        found = BY_ARN.get(arn)
        if found is None:
            raise not_found(arn)
        return found.describe()

    def campaign_recipe_arn(self, campaign_arn: str) -> str:
        """The recipe behind a campaign (campaign → solution version → recipeArn), in one call."""
        return str(self.solution_version(self.campaign(campaign_arn)["solutionVersionArn"])["recipeArn"])

    def snapshot(self, record: Record) -> Record:
        """A deep copy taken under the lock, so an answer never shows a half-updated record."""
        with self._lock:
            return copy.deepcopy(record)

    def records(self, kind: str) -> list[Record]:
        """Every record of a kind (``"campaign"``, ``"filter"``...), oldest first."""
        with self._lock:
            return list(self._records[kind].values())

    def has_tracking_id(self, tracking_id: Any) -> bool:
        """Whether an event tracker of this account has ``tracking_id`` (what PutEvents is sent with)."""
        return any(r.get("trackingId") == tracking_id for r in self.records("eventTracker"))

    def all_recipes(self) -> list[Record]:
        return [r.describe() for r in SERVICE_RECIPES]

    # ---- paging shared by every List call -----------------------------------------------------------
    def page(
        self, operation: str, items: list[Record], next_token: str | None, max_results: int | None
    ) -> tuple[list[Record], str | None]:
        """One page of ``items`` projected on the operation's summary shape (see :mod:`.paging`)."""
        with self._lock:
            return paging.page(operation, items, next_token, max_results)

    def validate_filter_expression(self, expression: str) -> None:
        """Parse with :mod:`personalize_lab.filters`; a syntax error is the service's InvalidInputException."""
        try:
            filters.parse(expression)
        except ValueError as error:  # every FilterError is a ValidationError, hence a ValueError
            raise InvalidInputException(str(error)) from error
