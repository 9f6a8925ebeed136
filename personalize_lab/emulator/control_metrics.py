# ruff: noqa: N803 -- argument names are boto3's own (camelCase), so **params from the wire fit
"""The metric attribution operations of the control plane (boto3 names and shapes).

Create/Describe/List/Update/DeleteMetricAttribution and ListMetricAttributionMetrics over the
``metricAttribution`` records. Everything is ACTIVE at once; metric definitions are parsed by
:mod:`~personalize_lab.emulator.metric_attribution` and checked against the datasets by the engine
(``check_metrics``); the numbers themselves are the engine's ``metric_attribution_report``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from personalize_lab.emulator import arns
from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.metric_attribution import check_metrics
from personalize_lab.emulator.resources import Record, ResourceStore

__all__ = ["MetricAttributionOperations"]

#: Members of the MetricAttribution structure (the record also keeps its metrics, listed on their own).
_METRIC_ATTRIBUTION_FIELDS = (
    "name",
    "metricAttributionArn",
    "datasetGroupArn",
    "metricsOutputConfig",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
)
_ROLE_ARN = re.compile(r"arn:([a-z\d-]+):iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")
_S3_PATH = re.compile(r"(s3|http|https)://.+")


def _check_output(config: Mapping[str, object] | None, field: str) -> dict[str, object]:
    """metricsOutputConfig: the role ARN and the optional S3 path match the model's patterns."""
    config = dict(config or {})
    role = config.get("roleArn")
    if not isinstance(role, str) or len(role) > 256 or not _ROLE_ARN.fullmatch(role):
        raise InvalidInputException(
            f"1 validation error detected: Value '{role}' at '{field}.roleArn' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            "arn:([a-z\\d-]+):iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
        )
    destination = config.get("s3DataDestination")
    if isinstance(destination, Mapping):
        path = destination.get("path")
        if not isinstance(path, str) or len(path) > 256 or not _S3_PATH.fullmatch(path):
            raise InvalidInputException(
                f"1 validation error detected: Value '{path}' at '{field}.s3DataDestination.path' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: (s3|http|https)://.+"
            )
    return config


class MetricAttributionOperations(ResourceStore):
    """The six metric attribution operations; :class:`~personalize_lab.emulator.control.ControlPlane` has them."""

    def _page(
        self, operation: str, key: str, items: list[Record], next_token: str | None, max_results: int | None
    ) -> dict[str, Any]:
        page, token = self.page(operation, items, next_token, max_results)
        out: dict[str, Any] = {key: page}
        if token:
            out["nextToken"] = token
        return out

    def describe_metric_attribution(self, metricAttributionArn: str) -> dict[str, Any]:
        record = self.snapshot(self.metric_attribution(metricAttributionArn))
        return {"metricAttribution": {k: record[k] for k in _METRIC_ATTRIBUTION_FIELDS if k in record}}

    def list_metric_attributions(
        self,
        datasetGroupArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        items = self.records("metricAttribution")
        if datasetGroupArn is not None:
            items = [r for r in items if r.get("datasetGroupArn") == datasetGroupArn]
        return self._page("ListMetricAttributions", "metricAttributions", items, nextToken, maxResults)

    def list_metric_attribution_metrics(
        self,
        metricAttributionArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        """The attribution's metrics (``metricAttributionArn`` is optional in the model, needed here)."""
        if not metricAttributionArn:
            raise InvalidInputException(
                "ListMetricAttributionMetrics needs metricAttributionArn: the attribution whose metrics to list."
            )
        metrics = self.snapshot(self.metric_attribution(metricAttributionArn))["metrics"]
        return self._page("ListMetricAttributionMetrics", "metrics", metrics, nextToken, maxResults)

    def create_metric_attribution(
        self,
        name: str,
        datasetGroupArn: str,
        metrics: list[dict[str, Any]],
        metricsOutputConfig: dict[str, Any],
    ) -> dict[str, Any]:
        """ACTIVE at once; it reports the events received from now on (see :mod:`.metric_attribution`)."""
        arns.validate_name(name)
        self.dataset_group(datasetGroupArn)
        parsed = check_metrics(metrics)
        if self.check_metrics is not None:
            self.check_metrics([m.wire() for m in parsed])
        output = _check_output(metricsOutputConfig, "metricsOutputConfig")
        arn = self.add_metric_attribution(name, datasetGroupArn, [m.wire() for m in parsed], output)
        return {"metricAttributionArn": arn}

    def update_metric_attribution(
        self,
        metricAttributionArn: str | None = None,
        addMetrics: list[dict[str, Any]] | None = None,
        removeMetrics: list[str] | None = None,
        metricsOutputConfig: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add metrics, remove metrics by name, or replace the output; at most 10 metrics remain."""
        if not metricAttributionArn:
            raise InvalidInputException("UpdateMetricAttribution needs metricAttributionArn.")
        record = self.metric_attribution(metricAttributionArn)
        with self._lock:
            current = list(record["metrics"])
            names = {m["metricName"] for m in current}
            unknown = [n for n in removeMetrics or [] if n not in names]
            if unknown:
                raise InvalidInputException(
                    f"removeMetrics names {unknown}, which this metric attribution does not have; "
                    f"its metrics are {sorted(names)}."
                )
            kept = [m for m in current if m["metricName"] not in set(removeMetrics or [])]
            parsed = check_metrics([*kept, *(addMetrics or [])], "addMetrics")
            if addMetrics and self.check_metrics is not None:
                self.check_metrics([m.wire() for m in parsed[len(kept) :]])
            output = (
                _check_output(metricsOutputConfig, "metricsOutputConfig")
                if metricsOutputConfig is not None
                else record["metricsOutputConfig"]
            )
            record["metrics"] = [m.wire() for m in parsed]
            record["metricsOutputConfig"] = output
            record["lastUpdatedDateTime"] = self.clock()
        return {"metricAttributionArn": metricAttributionArn}

    def delete_metric_attribution(self, metricAttributionArn: str) -> dict[str, Any]:
        """Delete at once; the events stay (they belong to the dataset group, not to the attribution)."""
        self.metric_attribution(metricAttributionArn)
        with self._lock:
            self._records["metricAttribution"].pop(metricAttributionArn, None)
        return {}
