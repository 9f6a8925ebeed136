# ruff: noqa: N803 -- argument names are boto3's own (camelCase), so **params from the wire fit
"""The local Personalize's control plane: boto3-named operations over the resource records.

Each method is named after a boto3 operation of the ``personalize`` client, takes that operation's
keyword arguments (camelCase, as on the wire) and returns its response dict. The wire layer dispatches
``AmazonPersonalize.<Op>`` to ``control.<snake_case_op>``, so adding a method here is what makes an
operation emulated (docs/emulator-coverage.md is generated from these names).
"""

from __future__ import annotations

from typing import Any

from personalize_lab.emulator import arns
from personalize_lab.emulator.batch_jobs import BatchInferenceOperations
from personalize_lab.emulator.campaign_config import check_campaign_config
from personalize_lab.emulator.control_deployments import DeploymentOperations
from personalize_lab.emulator.control_metrics import MetricAttributionOperations
from personalize_lab.emulator.dataset_exports import DatasetExportOperations
from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.lifecycle import LifecycleOperations
from personalize_lab.emulator.resources import Record
from personalize_lab.emulator.tagging import check_tags
from personalize_lab.limits import MAX_EXPRESSION_LENGTH

__all__ = ["ControlPlane"]


def _of_parent(items: list[Record], field: str, parent: str | None) -> list[Record]:
    return items if parent is None else [r for r in items if r.get(field) == parent]


class ControlPlane(
    DeploymentOperations,
    MetricAttributionOperations,
    BatchInferenceOperations,
    DatasetExportOperations,
    LifecycleOperations,
):
    """Resource records (see :class:`ResourceStore`) plus the boto3-named control-plane operations.

    Describe/List for every resource kind, CreateFilter, DeleteFilter, CreateCampaign, CreateEventTracker,
    and the metric attribution operations of :class:`MetricAttributionOperations`.
    ``ControlPlane(region="us-east-1", account="123456789012", clock=time.time, on_create_filter=...)``.
    """

    # ---- describe ------------------------------------------------------------------------------------
    def describe_dataset_group(self, datasetGroupArn: str) -> dict[str, Any]:
        return {"datasetGroup": self.snapshot(self.dataset_group(datasetGroupArn))}

    def describe_schema(self, schemaArn: str) -> dict[str, Any]:
        return {"schema": self.snapshot(self.schema(schemaArn))}

    def describe_dataset(self, datasetArn: str) -> dict[str, Any]:
        return {"dataset": self.snapshot(self.dataset(datasetArn))}

    def describe_solution(self, solutionArn: str) -> dict[str, Any]:
        return {"solution": self.snapshot(self.solution(solutionArn))}

    def describe_solution_version(self, solutionVersionArn: str) -> dict[str, Any]:
        return {"solutionVersion": self.snapshot(self.solution_version(solutionVersionArn))}

    def describe_campaign(self, campaignArn: str) -> dict[str, Any]:
        return {"campaign": self.snapshot(self.campaign(campaignArn))}

    def describe_recommender(self, recommenderArn: str) -> dict[str, Any]:
        return {"recommender": self.snapshot(self.recommender(recommenderArn))}

    def describe_filter(self, filterArn: str) -> dict[str, Any]:
        return {"filter": self.snapshot(self.filter(filterArn))}

    def describe_event_tracker(self, eventTrackerArn: str) -> dict[str, Any]:
        return {"eventTracker": self.snapshot(self.event_tracker(eventTrackerArn))}

    def describe_recipe(self, recipeArn: str) -> dict[str, Any]:
        return {"recipe": self.recipe(recipeArn)}

    # ---- list (summaries projected on the model's shapes; paging in ControlPlane.page) --------------
    def _list(
        self,
        operation: str,
        key: str,
        items: list[Record],
        nextToken: str | None,
        maxResults: int | None,
    ) -> dict[str, Any]:
        page, token = self.page(operation, items, nextToken, maxResults)
        out: dict[str, Any] = {key: page}
        if token:
            out["nextToken"] = token
        return out

    def list_dataset_groups(
        self, nextToken: str | None = None, maxResults: int | None = None
    ) -> dict[str, Any]:
        items = self.records("datasetGroup")
        return self._list("ListDatasetGroups", "datasetGroups", items, nextToken, maxResults)

    def list_schemas(self, nextToken: str | None = None, maxResults: int | None = None) -> dict[str, Any]:
        return self._list("ListSchemas", "schemas", self.records("schema"), nextToken, maxResults)

    def list_datasets(
        self,
        datasetGroupArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        items = _of_parent(self.records("dataset"), "datasetGroupArn", datasetGroupArn)
        return self._list("ListDatasets", "datasets", items, nextToken, maxResults)

    def list_solutions(
        self,
        datasetGroupArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        items = _of_parent(self.records("solution"), "datasetGroupArn", datasetGroupArn)
        return self._list("ListSolutions", "solutions", items, nextToken, maxResults)

    def list_solution_versions(
        self,
        solutionArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        items = _of_parent(self.records("solutionVersion"), "solutionArn", solutionArn)
        return self._list("ListSolutionVersions", "solutionVersions", items, nextToken, maxResults)

    def list_campaigns(
        self,
        solutionArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        items = self.records("campaign")
        if solutionArn is not None:
            items = [c for c in items if c["solutionVersionArn"].startswith(solutionArn + "/")]
        return self._list("ListCampaigns", "campaigns", items, nextToken, maxResults)

    def list_recommenders(
        self,
        datasetGroupArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        items = _of_parent(self.records("recommender"), "datasetGroupArn", datasetGroupArn)
        return self._list("ListRecommenders", "recommenders", items, nextToken, maxResults)

    def list_filters(
        self,
        datasetGroupArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        """The service's quirk: the key is ``Filters`` and summaries have no ``filterExpression``."""
        items = _of_parent(self.records("filter"), "datasetGroupArn", datasetGroupArn)
        return self._list("ListFilters", "Filters", items, nextToken, maxResults)

    def list_event_trackers(
        self,
        datasetGroupArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        items = _of_parent(self.records("eventTracker"), "datasetGroupArn", datasetGroupArn)
        return self._list("ListEventTrackers", "eventTrackers", items, nextToken, maxResults)

    def list_recipes(
        self,
        recipeProvider: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
        domain: str | None = None,
    ) -> dict[str, Any]:
        """Service recipes only (``recipeProvider`` is ``SERVICE``); summaries carry no recipeType."""
        if recipeProvider not in (None, "SERVICE"):
            raise InvalidInputException(
                f"1 validation error detected: Value '{recipeProvider}' at 'recipeProvider' failed to "
                "satisfy constraint: Member must satisfy enum value set: [SERVICE]"
            )
        items = _of_parent(self.all_recipes(), "domain", domain)
        return self._list("ListRecipes", "recipes", items, nextToken, maxResults)

    # ---- create / delete ----------------------------------------------------------------------------
    def create_filter(
        self,
        name: str,
        datasetGroupArn: str,
        filterExpression: str,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Create a filter, ACTIVE at once; the expression is parsed first (a syntax error is refused)."""
        check_tags(tags)
        arns.validate_name(name)
        if not 1 <= len(filterExpression) <= MAX_EXPRESSION_LENGTH:
            raise InvalidInputException(
                f"1 validation error detected: Value at 'filterExpression' failed to satisfy constraint: "
                f"Member must have length between 1 and {MAX_EXPRESSION_LENGTH}"
            )
        self.dataset_group(datasetGroupArn)
        self.validate_filter_expression(filterExpression)
        arn = self.add_filter(name, datasetGroupArn, filterExpression)
        if self.on_create_filter is not None:
            try:
                self.on_create_filter(self.filter(arn))
            except Exception:
                with self._lock:  # the engine refused it: leave no half-created filter behind
                    self._records["filter"].pop(arn, None)
                raise
        self.tag_new(arn, tags)
        return {"filterArn": arn}

    def delete_filter(self, filterArn: str) -> dict[str, Any]:
        """Delete at once (the service passes through DELETE PENDING; nobody can observe that here)."""
        self.filter(filterArn)
        with self._lock:
            self._records["filter"].pop(filterArn, None)
        if self.on_delete_filter is not None:
            self.on_delete_filter(filterArn)
        return {}

    def create_campaign(
        self,
        name: str,
        solutionVersionArn: str,
        minProvisionedTPS: int = 1,
        campaignConfig: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Deploy an existing solution version (or ``<solutionArn>/$LATEST``), ACTIVE at once."""
        check_tags(tags)
        check_campaign_config(campaignConfig, solutionVersionArn)
        arn = self.add_campaign(
            name, solutionVersionArn, campaignConfig, min_provisioned_tps=minProvisionedTPS
        )
        if self.on_create_campaign is not None:
            try:
                self.on_create_campaign(self.campaign(arn))
            except Exception:
                with self._lock:
                    self._records["campaign"].pop(arn, None)
                raise
        self.tag_new(arn, tags)
        return {"campaignArn": arn}

    def create_event_tracker(
        self, name: str, datasetGroupArn: str, tags: list[dict[str, str]] | None = None
    ) -> dict[str, Any]:
        arn, tracking = self.add_event_tracker(name, datasetGroupArn)
        self.tag_new(arn, tags)
        return {"eventTrackerArn": arn, "trackingId": tracking}
