"""Metric attribution: metric definitions checked as the service checks them, and the metrics themselves.

A metric attribution lists up to 10 metrics, each an event type and an expression: ``SAMPLECOUNT()``
(how many events of that type) or ``SUM(DatasetType.COLUMN)`` over a numeric column of the Items or
Interactions dataset (``SUM(Items.PRICE)``, ``SUM(Interactions.EVENT_VALUE)``; developer guide, "Creating
a metric attribution"). The service publishes each metric to CloudWatch (and S3), split by
``EVENT_ATTRIBUTION_SOURCE``: the event's ``eventAttributionSource``, else the campaign or recommender
behind its ``recommendationId``, else ``SOURCE_NAME_UNDEFINED`` ("Event metrics and attribution reports").

The local Personalize publishes nowhere; :func:`report` computes the same numbers from the events it
received after the attribution was created (the service does not report earlier data either) and
returns them as a DataFrame. Emulator choices [undoc]: event types match case-insensitively (as in
filters); an Items value is read from the item's metadata at report time; a missing value adds 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from personalize_lab.emulator.exceptions import InvalidInputException, ResourceAlreadyExistsException

__all__ = ["MAX_METRICS", "REPORT_COLUMNS", "Metric", "check_metrics", "report"]

MAX_METRICS = 10
_EXPRESSION = re.compile(
    r"^\s*(?P<function>SUM|SAMPLECOUNT)\s*\(\s*(?:(?P<dataset>\w+)\s*\.\s*(?P<column>\w+))?\s*\)\s*$",
    re.IGNORECASE,
)
_DATASETS = {"interactions": "Interactions", "items": "Items"}
FORMAT = "SAMPLECOUNT() or SUM(DatasetType.COLUMN_NAME) with DatasetType Interactions or Items"

#: Columns of :func:`report` (``period`` comes first when the report is split over time).
REPORT_COLUMNS = ("metricName", "eventType", "expression", "EVENT_ATTRIBUTION_SOURCE", "events", "value")


@dataclass(frozen=True)
class Metric:
    """One parsed metric definition (``dataset``/``column`` are None for SAMPLECOUNT)."""

    name: str
    event_type: str
    expression: str
    function: str
    dataset: str | None = None
    column: str | None = None

    def wire(self) -> dict[str, str]:
        """The MetricAttribute structure, as the service lists it."""
        return {"eventType": self.event_type, "metricName": self.name, "expression": self.expression}


def parse_metric(record: Mapping[str, Any], where: str) -> Metric:
    """A MetricAttribute structure -> :class:`Metric`; InvalidInputException naming what is wrong."""
    name, event_type, expression = (record.get(k) for k in ("metricName", "eventType", "expression"))
    for key, value in (("metricName", name), ("eventType", event_type), ("expression", expression)):
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputException(f"{where}.{key} is required: a non-empty string, got {value!r}.")
    assert isinstance(name, str)
    assert isinstance(event_type, str)
    assert isinstance(expression, str)
    found = _EXPRESSION.match(expression)
    if found is None:
        raise InvalidInputException(
            f"{where}.expression {expression!r} (metric {name!r}) is not a metric expression: use {FORMAT}."
        )
    function = found["function"].upper()
    dataset = found["dataset"]
    if function == "SAMPLECOUNT" and dataset:
        raise InvalidInputException(
            f"{where}.expression {expression!r}: SAMPLECOUNT() takes no argument; write SAMPLECOUNT()."
        )
    if function == "SUM" and not dataset:
        raise InvalidInputException(
            f"{where}.expression {expression!r}: SUM needs a column, e.g. SUM(Items.PRICE)."
        )
    canonical = _DATASETS.get(dataset.lower()) if dataset else None
    if dataset and canonical is None:
        raise InvalidInputException(
            f"{where}.expression {expression!r}: SUM reads the Interactions or Items dataset, not {dataset!r}."
        )
    return Metric(name, event_type, expression, function, canonical, found["column"])


def check_metrics(records: Sequence[Mapping[str, Any]], field: str = "metrics") -> list[Metric]:
    """Parse a metrics list: at most 10, names unique (ResourceAlreadyExists for a repeated name)."""
    if len(records) > MAX_METRICS:
        raise InvalidInputException(
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_METRICS} (got {len(records)} metrics)"
        )
    metrics = [parse_metric(r, f"{field}[{i}]") for i, r in enumerate(records)]
    names = [m.name for m in metrics]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ResourceAlreadyExistsException(
            f"metricName {repeated[0]!r} is used by more than one metric; each metric needs its own name."
        )
    return metrics


def _values(metric: Metric, events: pd.DataFrame, items: pd.DataFrame | None) -> pd.Series:
    """Each event's contribution: 1 (SAMPLECOUNT) or the summed column (NaN where missing)."""
    if metric.function == "SAMPLECOUNT":
        return pd.Series(1.0, index=events.index)
    column = str(metric.column)
    if metric.dataset == "Interactions":
        found = _column(events.columns, column)
        raw = events[found] if found else pd.Series(float("nan"), index=events.index)
        return pd.to_numeric(raw, errors="coerce")
    found = _column(items.columns, column) if items is not None else None
    if items is None or found is None:
        return pd.Series(float("nan"), index=events.index)
    table = items.assign(ITEM_ID=items["ITEM_ID"].astype(str)).drop_duplicates("ITEM_ID", keep="last")
    prices = pd.to_numeric(table.set_index("ITEM_ID")[found], errors="coerce")
    return events["ITEM_ID"].map(prices).astype("float64")


def _column(columns: Any, name: str) -> str | None:
    upper = name.upper()
    return next((str(c) for c in columns if str(c).upper() == upper), None)


def report(
    events: pd.DataFrame,
    metrics: Sequence[Metric],
    items: pd.DataFrame | None = None,
    *,
    freq: str | None = None,
) -> pd.DataFrame:
    """One row per metric and attribution source (every source seen, 0 where it had no such event).

    ``events`` is :meth:`EventLog.frame` (duplicates already left out); ``freq`` (a pandas offset alias
    such as ``"1h"`` or ``"1D"``) splits the rows by the events' ``sentAt`` into ``period`` buckets.
    """
    columns = (["period"] if freq else []) + list(REPORT_COLUMNS)
    if events.empty or not metrics:
        return pd.DataFrame(columns=columns)
    keys = ["period", "EVENT_ATTRIBUTION_SOURCE"] if freq else ["EVENT_ATTRIBUTION_SOURCE"]
    base = events.assign(EVENT_ATTRIBUTION_SOURCE=events["attributed_to"])
    if freq:
        stamps = pd.to_datetime(base["TIMESTAMP"], unit="s", utc=True)
        base = base.assign(period=stamps.dt.floor(freq))
    grid = base[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    types = base["EVENT_TYPE"].astype(str).str.lower()
    parts = []
    for metric in metrics:
        chosen = base[types == metric.event_type.lower()]
        values = _values(metric, chosen, items)
        sums = (
            chosen.assign(events=1, value=values.fillna(0.0))
            .groupby(keys, as_index=False)[["events", "value"]]
            .sum()
        )
        rows = grid.merge(sums, on=keys, how="left").fillna({"events": 0, "value": 0.0})
        rows["events"] = rows["events"].astype("int64")
        parts.append(
            rows.assign(metricName=metric.name, eventType=metric.event_type, expression=metric.expression)
        )
    return pd.concat(parts, ignore_index=True)[columns]
